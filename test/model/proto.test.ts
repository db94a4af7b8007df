// The protobuf reader (src/model/onnx/proto.ts) and the test encoder (encode.ts): golden byte strings
// for varints, packed/unpacked repeated fields and unknown fields of every wire type; every kind of
// malformed input as a ProtoError naming field and byte (a ModelFormatError through loadOnnx); and
// a property test, decode(encode(random ModelProto)) == the object with defaults filled in.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { MAX_DEPTH, ProtoError, decodeMessage, decodeModel, int64FromParts } from '../../src/model/onnx/proto.js';
import { encodeMessage, encodeModel } from '../helpers/onnx-encode.js';
import { Kind, MESSAGES, type FieldSpec, type MessageSpec, type ModelProto } from '../../src/model/onnx/schema.js';
import { int64ToNumber } from '../../src/model/onnx/tensor.js';
import { loadOnnx } from '../../src/model/onnx/loader.js';
import { EdgeCnnError, ModelFormatError } from '../../src/errors.js';
import { makeModel } from '../helpers/onnx-builder.js';
import { modelUrl } from '../helpers/fixtures.js';
import { rng } from '../helpers/rng.js';

const hex = (s: string) => Uint8Array.from(s.trim().split(/\s+/).filter(Boolean), (h) => parseInt(h, 16));
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

function throwsProto(fn: () => unknown, re: RegExp): ProtoError {
  try { fn(); } catch (e) {
    assert.instance(e, ProtoError, `${(e as Error).name}: ${(e as Error).message}`);
    assert.match((e as Error).message, re);
    assert.match((e as Error).message, / at byte \d+$/);
    return e as ProtoError;
  }
  assert.unreachable(`expected a ProtoError matching ${re}`);
  throw new Error('unreachable');
}

// OperatorSetIdProto.version (field 2, int64): tag 0x10
const INT64_GOLDEN: [string, number | bigint][] = [
  ['00', 0],
  ['7f', 127],
  ['80 01', 128],
  ['ac 02', 300],
  ['80 80 80 80 08', 2 ** 31],
  ['ff ff ff ff ff ff ff 0f', 2 ** 53 - 1],
  ['80 80 80 80 80 80 80 10', 2 ** 53],
  ['81 80 80 80 80 80 80 10', 9007199254740993n],
  ['ff ff ff ff ff ff ff ff ff 01', -1],
  ['80 80 80 80 f8 ff ff ff ff 01', -(2 ** 31)],
  ['80 80 80 80 80 80 80 f0 ff 01', -(2 ** 53)],
  ['ff ff ff ff ff ff ff ef ff 01', -9007199254740993n],
  ['ff ff ff ff ff ff ff ff 7f', 9223372036854775807n],
  ['80 80 80 80 80 80 80 80 80 01', -9223372036854775808n],
];

test('int64 varints: exact numbers up to ±2^53, bigints beyond; the encoder writes the same bytes', () => {
  for (const [bytes, v] of INT64_GOLDEN) {
    const m = decodeMessage(hex(`10 ${bytes}`), 'OperatorSetIdProto');
    assert.is(m.version, v, bytes);
    assert.is(typeof m.version, typeof v, bytes);
    if (v !== 0) assert.is(toHex(encodeMessage({ version: v }, 'OperatorSetIdProto')), `10 ${bytes}`, String(v));
  }
  assert.is(encodeMessage({ version: 0 }, 'OperatorSetIdProto').length, 0, 'defaults are not written');
  // bigints within ±2^53 and decimal strings encode like numbers
  assert.is(toHex(encodeMessage({ version: 128n }, 'OperatorSetIdProto')), '10 80 01');
  assert.is(toHex(encodeMessage({ version: '-1' }, 'OperatorSetIdProto')), '10 ff ff ff ff ff ff ff ff ff 01');
  // bits past the 64th in a 10th byte are dropped, as protobuf does
  assert.is(decodeMessage(hex('10 ff ff ff ff ff ff ff ff ff 7f'), 'OperatorSetIdProto').version, -1);
});

test('int32, uint64, float and double fields', () => {
  // TensorProto.data_type (2, int32): negative int32 is a 10-byte varint; the low 32 bits count
  assert.is(decodeMessage(hex('10 ff ff ff ff ff ff ff ff ff 01'), 'TensorProto').dataType, -1);
  assert.is(decodeMessage(hex('10 80 80 80 80 10'), 'TensorProto').dataType, 0, 'int32 keeps the low 32 bits');
  assert.is(toHex(encodeMessage({ dataType: -2 }, 'TensorProto')), '10 fe ff ff ff ff ff ff ff ff 01');
  // uint64_data (11), unpacked
  const u = decodeMessage(hex('58 ff ff ff ff ff ff ff ff ff 01 58 80 80 80 80 80 80 80 10 58 81 80 80 80 80 80 80 10'), 'TensorProto');
  assert.equal(u.uint64Data, [18446744073709551615n, 2 ** 53, 9007199254740993n]);
  // AttributeProto.f (2, float) and TensorProto.double_data (10)
  assert.is(decodeMessage(hex('15 00 00 c0 3f'), 'AttributeProto').f, 1.5);
  assert.is(toHex(encodeMessage({ f: -2 }, 'AttributeProto')), '15 00 00 00 c0');
  assert.equal(decodeMessage(hex('52 10 00 00 00 00 00 00 f0 3f 00 00 00 00 00 00 00 c0'), 'TensorProto').doubleData, [1, -2]);
});

test('int64FromParts and int64ToNumber: exact to ±2^53, then an error naming the exact value, or saturation', () => {
  assert.is(int64FromParts(0, 0x200000), 2 ** 53);
  assert.is(int64FromParts(1, 0x200000), 9007199254740993n);
  assert.is(int64FromParts(0xffffffff, -1), -1);
  assert.is(int64FromParts(0, -0x200000), -(2 ** 53));
  assert.is(int64FromParts(0xffffffff, -0x200001), -9007199254740993n);
  assert.is(int64ToNumber(2 ** 53, 'x'), 2 ** 53);
  assert.is(int64ToNumber(-(2n ** 53n), 'x'), -(2 ** 53));
  assert.throws(() => int64ToNumber(9007199254740993n, 'attr'), (e: Error) => e instanceof ModelFormatError && /attr: value 9007199254740993 is beyond ±2\^53/.test(e.message));
  assert.is(int64ToNumber(9223372036854775807n, 'x', true), Infinity);
  assert.is(int64ToNumber(-9223372036854775808n, 'x', true), -Infinity);
  assert.throws(() => int64ToNumber('12', 'x'), (e: Error) => e instanceof ModelFormatError);
});

test('packed and unpacked repeated scalars, and both mixed in one message', () => {
  // TensorProto.dims (1, int64): packed is tag 0x0a, unpacked tag 0x08
  assert.equal(decodeMessage(hex('0a 05 01 80 01 ff 01'), 'TensorProto').dims, [1, 128, 255]);
  assert.equal(decodeMessage(hex('08 01 08 80 01 08 ff 01'), 'TensorProto').dims, [1, 128, 255]);
  assert.equal(decodeMessage(hex('08 01 0a 02 02 03 08 04'), 'TensorProto').dims, [1, 2, 3, 4]);
  assert.equal(decodeMessage(hex('0a 00'), 'TensorProto').dims, [], 'an empty packed run');
  // float_data (4): packed tag 0x22, unpacked 0x25
  assert.equal(decodeMessage(hex('22 08 00 00 80 3f 00 00 00 c0'), 'TensorProto').floatData, [1, -2]);
  assert.equal(decodeMessage(hex('25 00 00 80 3f 25 00 00 00 c0'), 'TensorProto').floatData, [1, -2]);
  // the encoder: packed by default, unpacked on request
  const t = { dims: [1, 128, 255], floatData: [1, -2] };
  assert.is(toHex(encodeMessage(t, 'TensorProto')), '0a 05 01 80 01 ff 01 22 08 00 00 80 3f 00 00 00 c0');
  assert.is(toHex(encodeMessage(t, 'TensorProto', { packed: false })), '08 01 08 80 01 08 ff 01 25 00 00 80 3f 25 00 00 00 c0');
  // repeated strings (NodeProto.input) and repeated messages
  const n = decodeMessage(hex('0a 01 61 0a 00 0a 02 c3 a9 12 01 79'), 'NodeProto');
  assert.equal(n.input, ['a', '', 'é']);
  assert.equal(n.output, ['y']);
});

test('unknown fields of every wire type are skipped', () => {
  const known = '0a 02 61 69 10 0d'; // domain 'ai', version 13
  const unknown = [
    '18 ac 02', // 3: varint
    '21 01 02 03 04 05 06 07 08', // 4: fixed64
    '2a 03 61 62 63', // 5: length-delimited
    '33 08 01 3b 10 02 3c 2a 00 34', // 6: group holding a varint, a nested group (7) and an empty string
    '3d 01 02 03 04', // 7: fixed32
    'c0 3e 05', // 1000: varint
    'fa ff ff ff 0f 00', // 536870911 (the largest field number): length-delimited
  ];
  const want = { domain: 'ai', version: 13 };
  assert.equal(decodeMessage(hex(known), 'OperatorSetIdProto'), want);
  for (const u of unknown) {
    assert.equal(decodeMessage(hex(`${u} ${known}`), 'OperatorSetIdProto'), want, u);
    assert.equal(decodeMessage(hex(`${known} ${u}`), 'OperatorSetIdProto'), want, u);
  }
  assert.equal(decodeMessage(hex(`${unknown.join(' ')} ${known}`), 'OperatorSetIdProto'), want);
  // unknown fields inside a nested message, of a real model: ModelProto.graph (7) holding an unknown 99
  const m = decodeModel(hex('3a 08 12 01 67 9a 06 02 68 69 42 04 0a 02 61 69'));
  assert.is(m.graph!.name, 'g');
  assert.is(m.opsetImport[0].domain, 'ai');
});

test('absent fields read as their defaults; a singular message seen twice merges', () => {
  const t = decodeMessage(new Uint8Array(0), 'TensorProto');
  assert.equal(t, MESSAGES.TensorProto.create());
  assert.is(t.rawData.length, 0);
  assert.is(t.name, '');
  assert.equal(t.dims, []);
  const a = decodeMessage(new Uint8Array(0), 'AttributeProto');
  assert.is(a.t, null);
  assert.is(a.i, 0);
  // ValueInfoProto.type (2) twice: TypeProto.denotation then TypeProto.tensor_type
  const v = decodeMessage(hex('12 03 32 01 64 12 04 0a 02 08 01'), 'ValueInfoProto');
  assert.equal(v.type, { tensorType: { elemType: 1, shape: null }, denotation: 'd' });
});

test('each message factory lists exactly the schema fields, with their defaults', () => {
  for (const spec of Object.values(MESSAGES)) {
    const o = spec.create();
    assert.equal(Object.keys(o), spec.fields.map((f) => f.name), spec.name);
    for (const f of spec.fields) {
      if (f.repeated) {
        assert.equal(o[f.name], [], `${spec.name}.${f.name}`);
        assert.is.not(spec.create()[f.name], o[f.name], 'a fresh array per message');
      } else if (f.kind === Kind.BYTES) assert.is(o[f.name].length, 0);
      else assert.is(o[f.name], f.def, `${spec.name}.${f.name}`);
    }
  }
});

test('strings decode as UTF-8 (short ASCII, non-ASCII, long); bytes fields are views of the input', () => {
  const long = 'x'.repeat(70) + 'é';
  for (const s of ['', 'conv1.weight', 'Ünïcödé 名前', long, 'a\u0000b']) {
    const bytes = encodeMessage({ name: s }, 'NodeProto');
    assert.is(decodeMessage(bytes, 'NodeProto').name, s);
  }
  const input = hex('4a 04 01 02 03 04 42 01 77');
  const t = decodeMessage(input, 'TensorProto');
  assert.is(t.rawData.buffer, input.buffer);
  assert.is(t.rawData.byteOffset, 2);
  assert.equal(Array.from(t.rawData), [1, 2, 3, 4]);
  assert.is(t.name, 'w');
});

test('malformed input: a ProtoError naming the field path and the byte offset', () => {
  const op = 'OperatorSetIdProto';
  let e = throwsProto(() => decodeMessage(hex('10'), op), /^OperatorSetIdProto\.version: truncated varint at byte 1$/);
  assert.is(e.offset, 1);
  throwsProto(() => decodeMessage(hex('10 80'), op), /version: truncated varint at byte 1/);
  throwsProto(() => decodeMessage(hex('0a 05 61'), op), /^OperatorSetIdProto\.domain: length 5 runs past the end of the input \(1 bytes left\) at byte 1$/);
  throwsProto(() => decodeMessage(hex('10 ff ff ff ff ff ff ff ff ff ff 01'), op), /version: varint longer than 10 bytes at byte 1/);
  throwsProto(() => decodeMessage(hex('0a ff ff ff ff ff ff ff ff ff 01'), op), /domain: length -1 is negative or over 2\^31 at byte 1/);
  throwsProto(() => decodeMessage(hex('0a 80 80 80 80 08'), op), /domain: length 2147483648 is negative or over 2\^31/);
  throwsProto(() => decodeMessage(hex('08 05'), op), /domain: wire type 0 \(varint\) for a field of type string at byte 0/);
  throwsProto(() => decodeMessage(hex('0a 01 61 12 01 05'), op), /version: wire type 2 \(length-delimited\) for a field of type int64 at byte 3/);
  throwsProto(() => decodeMessage(hex('15 00 00 00 00'), op), /wire type 5 \(fixed32\) for a field of type int64/);
  throwsProto(() => decodeMessage(hex('48 01'), 'AttributeProto'), /strings: wire type 0 \(varint\) for a field of type bytes \(repeated\)/);
  throwsProto(() => decodeMessage(hex('00 00'), op), /^OperatorSetIdProto: field number 0 at byte 0$/);
  throwsProto(() => decodeMessage(hex('10 01 1e 00'), op), /^OperatorSetIdProto\.<field 3>: invalid wire type 6 at byte 2$/);
  throwsProto(() => decodeMessage(hex('1f 00'), op), /<field 3>: invalid wire type 7/);
  throwsProto(() => decodeMessage(hex('1c'), op), /<field 3>: unexpected end-group tag at byte 0/);
  throwsProto(() => decodeMessage(hex('33 3c'), op), /<field 6>: end-group tag of field 7 inside group 6 at byte 1/);
  throwsProto(() => decodeMessage(hex('33 08 01'), op), /<field 6>: group 6 has no end-group tag at byte 3/);
  throwsProto(() => decodeMessage(hex('21 00 00 00'), op), /<field 4>: fixed64 needs 8 bytes, 3 left \(truncated\) at byte 1/);
  throwsProto(() => decodeMessage(hex('ff ff ff ff ff 01'), op), /^OperatorSetIdProto: tag over 32 bits at byte 0$/);
  throwsProto(() => decodeMessage(hex('22 03 00 00 00'), 'TensorProto'), /float_data: packed float field of 3 bytes/);
  throwsProto(() => decodeMessage(hex('0a 02 80 80 42 01 77'), 'TensorProto'), /^TensorProto\.dims: varint runs past the end of its message \(which ends at byte 4\) at byte 2$/);
  // a length past the end of its (nested) message, with more input after it
  e = throwsProto(() => decodeModel(hex('42 04 0a 02 61 62 3a 04 12 05 61 62 63 64 65 66')),
    /^ModelProto\.graph\.name: length 5 runs past the end of its message \(2 bytes left; the message ends at byte 12\) at byte 9$/);
  assert.equal(e.path, ['graph', 'name']);
  // the index of the repeated message that failed
  throwsProto(() => decodeModel(hex('3a 09 0a 02 22 00 0a 03 22 05 61')), /^ModelProto\.graph\.node\[1\]\.op_type: length 5 runs past the end of the input/);
});

test(`nesting deeper than ${MAX_DEPTH} messages is refused; ${MAX_DEPTH} is fine`, () => {
  // AttributeProto.g -> GraphProto.node -> NodeProto.attribute -> AttributeProto.g ...
  const nest = (levels: number) => {
    let g: Record<string, unknown> = { name: 'leaf' };
    for (let i = 0; i < levels; i++) g = { node: [{ attribute: [{ name: 'body', g }] }] };
    return { graph: g };
  };
  const deep = encodeModel(nest(40)); // 1 + 3·40 = 121 messages deep
  throwsProto(() => decodeModel(deep), /messages nest deeper than 100/);
  assert.throws(() => loadOnnx(deep), (e: Error) => e instanceof ModelFormatError && /nest deeper/.test(e.message));
  let m = decodeModel(encodeModel(nest(33))); // 100 deep
  for (let i = 0; i < 33; i++) m = { graph: m.graph!.node[0].attribute[0].g } as any;
  assert.is(m.graph!.name, 'leaf');
});

test('loadOnnx turns every reader error into a ModelFormatError with the reader message', () => {
  const cases = ['3a 80', '3a 05 0a', '10 ff ff ff ff ff ff ff ff ff ff', '3a 02 0a ff', '0e', '42 03 08 01 02'];
  for (const c of cases) {
    try { loadOnnx(hex(c)); assert.unreachable(c); } catch (e) {
      assert.instance(e, ModelFormatError, c);
      assert.match((e as Error).message, /^cannot decode ONNX model \(\d+ bytes; truncated or not an ONNX file\): ModelProto.* at byte \d+$/, c);
      assert.instance((e as Error).cause, ProtoError);
    }
  }
});

test('int64 values beyond 2^53 reach the loader exactly: an error naming them, or saturation in tensor data', () => {
  const m: ModelProto = decodeModel(makeModel({ inputs: [{ name: 'x', dims: [1, 1, 4, 4] }], outputs: [{ name: 'y' }],
    nodes: [{ op: 'MaxPool', inputs: ['x'], outputs: ['y'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } }] }));
  const strides = m.graph!.node[0].attribute.find((a) => a.name === 'strides')!;
  strides.ints = [9007199254740993n, 2];
  assert.throws(() => loadOnnx(encodeModel(m)), (e: Error) => e instanceof ModelFormatError && /attribute 'strides': value 9007199254740993 is beyond ±2\^53/.test(e.message));
  // raw int64 data: 2^53 is exact, 2^53 + 1 saturates (it used to round to 2^53)
  const raw = new Uint8Array(new BigInt64Array([2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n) - 1n]).buffer);
  const withInit: ModelProto = decodeModel(makeModel({ inputs: [{ name: 'x', dims: [3] }], outputs: [{ name: 'y' }],
    nodes: [{ op: 'Add', inputs: ['x', 'k'], outputs: ['y'] }], initializers: { k: { dims: [3], data: [0, 0, 0], dtype: 'int64' } } }));
  withInit.graph!.initializer[0].rawData = raw;
  assert.equal(loadOnnx(encodeModel(withInit)).consts.get('k')!.data, [2 ** 53, Infinity, -Infinity]);
  // and in int64_data
  withInit.graph!.initializer[0].rawData = new Uint8Array(0);
  withInit.graph!.initializer[0].int64Data = [2 ** 53, 9007199254740993n, -9223372036854775808n];
  assert.equal(loadOnnx(encodeModel(withInit)).consts.get('k')!.data, [2 ** 53, Infinity, -Infinity]);
});

test('float32 initializers are copies, not views of the model bytes', () => {
  const bytes = makeModel({ inputs: [{ name: 'x', dims: [4] }], outputs: [{ name: 'y' }], nodes: [{ op: 'Add', inputs: ['x', 'w'], outputs: ['y'] }],
    initializers: { w: { dims: [4], data: [1, 2, 3, 4] } } });
  const w = loadOnnx(bytes).consts.get('w')!.data as Float32Array;
  assert.is.not(w.buffer, bytes.buffer);
  assert.is(w.byteOffset, 0);
  assert.equal(Array.from(w), [1, 2, 3, 4]);
});

// ---- property test: random ModelProto-shaped objects round-trip ----

const r = rng(2024);
const INT32S = [0, 1, -1, 127, 128, 300, 2 ** 31 - 1, -(2 ** 31)];
const INT64S: (number | bigint)[] = [0, 1, -1, 128, 2 ** 31, 2 ** 53 - 1, 2 ** 53, -(2 ** 53), 9007199254740993n, -9007199254740993n,
  9223372036854775807n, -9223372036854775808n, 42n];
const UINT64S: (number | bigint)[] = [0, 1, 2 ** 32, 2 ** 53, 9007199254740993n, 18446744073709551615n];
const STRINGS = ['', 'a', 'conv1.weight', 'héllo wörld', '日本語', 'z'.repeat(100), 'ASCII then ü'.repeat(9)];
const FLOATS = [0, 1, -1.5, 0.1, 3.4028234663852886e38, -Infinity, 1e-45].map(Math.fround);

function randomScalar(kind: number): unknown {
  switch (kind) {
    case Kind.INT32: return r.next() < 0.5 ? r.pick(INT32S) : r.int(-1e9, 1e9);
    case Kind.INT64: return r.next() < 0.6 ? r.pick(INT64S) : r.next() < 0.5 ? r.int(-1e12, 1e12) : BigInt(r.int(-1e9, 1e9)) * 2n ** 32n + BigInt(r.int(0, 2 ** 32 - 1));
    case Kind.UINT64: return r.pick(UINT64S);
    case Kind.FLOAT: return r.next() < 0.5 ? r.pick(FLOATS) : Math.fround((r.next() - 0.5) * 1e4);
    case Kind.DOUBLE: return r.next() < 0.3 ? r.pick([0, 0.1, -1e300, 5e-324]) : (r.next() - 0.5) * 1e6;
    case Kind.STRING: return r.pick(STRINGS);
    default: return Uint8Array.from({ length: r.int(0, 24) }, () => r.int(0, 255));
  }
}

function randomMessage(spec: MessageSpec, depth: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const f of spec.fields) {
    if (r.next() < 0.45) continue;
    if (f.kind === Kind.MESSAGE && depth >= 5) continue;
    const one = () => (f.kind === Kind.MESSAGE ? randomMessage(f.msg!, depth + 1) : randomScalar(f.kind));
    o[f.name] = f.repeated ? Array.from({ length: r.int(0, f.kind === Kind.MESSAGE ? 3 : 6) }, one) : one();
  }
  return o;
}

/** What decoding the encoding of `o` must give: defaults filled, int64s within ±2^53 as numbers. */
function expected(spec: MessageSpec, o: Record<string, unknown>): Record<string, unknown> {
  const out = spec.create();
  const norm = (f: FieldSpec, v: unknown) => {
    if (f.kind === Kind.MESSAGE) return expected(f.msg!, v as Record<string, unknown>);
    if (typeof v === 'bigint' && v >= -(2n ** 53n) && v <= 2n ** 53n) return Number(v);
    return v;
  };
  for (const f of spec.fields) {
    const v = o[f.name];
    if (v === undefined) continue;
    out[f.name] = f.repeated ? (v as unknown[]).map((x) => norm(f, x)) : norm(f, v);
  }
  return out;
}

test('property: decode(encode(random ModelProto)) is the object with defaults filled, packed or not', () => {
  for (let i = 0; i < 400; i++) {
    const obj = randomMessage(MESSAGES.ModelProto, 0);
    const want = expected(MESSAGES.ModelProto, obj);
    const bytes = encodeModel(obj);
    assert.equal(decodeModel(bytes), want, `model ${i}`);
    assert.equal(decodeModel(encodeModel(obj, { packed: false })), want, `model ${i}, unpacked`);
    assert.equal(encodeModel(decodeModel(bytes)), bytes, `model ${i}: re-encoding is byte-identical`);
  }
});

test('property: random bytes and mutated encodings throw only ProtoErrors (or decode)', () => {
  const lenet = new Uint8Array(readFileSync(modelUrl('lenet')));
  let ok = 0, bad = 0;
  for (let i = 0; i < 3000; i++) {
    let b: Uint8Array;
    if (i % 3 === 0) b = Uint8Array.from({ length: r.int(1, 64) }, () => r.int(0, 255));
    else {
      b = Uint8Array.from(i % 3 === 1 ? encodeModel(randomMessage(MESSAGES.ModelProto, 2)) : lenet.subarray(0, 4096));
      if (b.length === 0) continue;
      for (let k = r.int(1, 4); k > 0; k--) b[r.int(0, b.length - 1)] = r.int(0, 255);
      if (r.next() < 0.3) b = b.subarray(0, r.int(0, b.length));
    }
    try { decodeModel(b); ok++; } catch (e) {
      if (!(e instanceof ProtoError)) assert.unreachable(`input ${i}: ${(e as Error)?.name}: ${(e as Error)?.message}`);
      bad++;
    }
    try { loadOnnx(b); } catch (e) {
      if (!(e instanceof EdgeCnnError)) assert.unreachable(`loadOnnx, input ${i}: ${(e as Error)?.name}: ${(e as Error)?.message}`);
    }
  }
  assert.ok(ok > 100 && bad > 100, `${ok} decoded, ${bad} refused`);
});

test('the encoder refuses unknown fields and values of the wrong type', () => {
  assert.throws(() => encodeModel({ graph: { nodes: [] } }), /unknown field 'nodes' in GraphProto/);
  assert.throws(() => encodeModel({ irVersion: 1.5 }), /ModelProto\.irVersion: 1\.5 is not an integer/);
  assert.throws(() => encodeModel({ producerName: 3 }), /expected a string/);
  assert.throws(() => encodeMessage({ dataType: 2 ** 31 }, 'TensorProto'), /out of range/);
  assert.throws(() => encodeMessage({ uint64Data: [-1] }, 'TensorProto'), /out of range/);
  assert.throws(() => encodeModel({ graph: { node: [{ input: ['a', undefined] }] } }), /graph\.node\[0\]\.input\[1\]: missing element/);
});

test('the whole shared models decode; decode(encode(decode(m))) is stable', () => {
  for (const name of ['lenet', 'squeezenet1_1', 'mobilenet_v2']) {
    const bytes = new Uint8Array(readFileSync(modelUrl(name)));
    const m = decodeModel(bytes);
    assert.ok(m.graph!.node.length > 5, name);
    const again = decodeModel(encodeModel(m));
    assert.equal(again, m, name);
  }
});

test.run();
