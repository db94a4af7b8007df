// Encodes plain objects of the onnx.proto subset (src/model/onnx/schema.ts) as protobuf bytes, for the
// tests and the test model builder (onnx-builder.ts); the package never encodes, so this is not in src/.
// Fields equal to their default (0, '', empty bytes or lists, null/undefined) are not written; repeated numeric fields are packed unless
// `{ packed: false }`. Unknown property names and values of the wrong type throw.
import { Kind, MESSAGES, type FieldSpec, type MessageSpec } from '../../src/model/onnx/schema.js';

export interface EncodeOptions {
  /** Write repeated numeric fields packed (default true) or one tag per element. */
  packed?: boolean;
}

const WIRE = [0, 0, 0, 5, 1, 2, 2, 2]; // by Kind
let textEncoder: TextEncoder | undefined;

class Writer {
  buf = new Uint8Array(1024);
  view = new DataView(this.buf.buffer);
  pos = 0;
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  /** A varint of the 64-bit pattern of `v` (negative values as 10-byte two's complement). */
  varint(v: number | bigint): void {
    this.ensure(10);
    if (typeof v === 'number' && v >= 0 && v <= 0x7fffffff) {
      while (v > 0x7f) { this.buf[this.pos++] = (v & 0x7f) | 0x80; v >>>= 7; }
      this.buf[this.pos++] = v;
      return;
    }
    let x = BigInt.asUintN(64, BigInt(v));
    while (x > 0x7fn) { this.buf[this.pos++] = Number(x & 0x7fn) | 0x80; x >>= 7n; }
    this.buf[this.pos++] = Number(x);
  }
  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}

const varintSize = (n: number) => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5);

function fail(path: string, detail: string): never {
  throw new Error(`encode ${path}: ${detail}`);
}

/** An integer field's value (number, bigint or decimal string) as a number or bigint, range-checked. */
function integer(v: unknown, kind: number, path: string): number | bigint {
  let x: number | bigint;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) fail(path, `${v} is not an integer`);
    if (kind === Kind.INT32 ? v >= -0x80000000 && v <= 0x7fffffff : Number.isSafeInteger(v) && (v >= 0 || kind === Kind.INT64)) return v;
    x = BigInt(v);
  } else if (typeof v === 'bigint') x = v;
  else if (typeof v === 'string' && /^-?\d+$/.test(v)) x = BigInt(v);
  else fail(path, `expected an integer, got ${typeof v}`);
  const [min, max] = kind === Kind.INT32 ? [-(2n ** 31n), 2n ** 31n - 1n] : kind === Kind.INT64 ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n];
  const b = BigInt(x);
  if (b < min || b > max) fail(path, `${b} is out of range`);
  return x;
}

function scalar(w: Writer, f: FieldSpec, v: unknown, path: string): void {
  switch (f.kind) {
    case Kind.FLOAT: case Kind.DOUBLE:
      if (typeof v !== 'number') fail(path, `expected a number, got ${typeof v}`);
      w.ensure(8);
      if (f.kind === Kind.FLOAT) { w.view.setFloat32(w.pos, v, true); w.pos += 4; } else { w.view.setFloat64(w.pos, v, true); w.pos += 8; }
      return;
    default: w.varint(integer(v, f.kind, path));
  }
}

function isDefault(f: FieldSpec, v: unknown): boolean {
  if (f.kind === Kind.MESSAGE) return false;
  if (f.kind === Kind.BYTES) return (v as ArrayLike<number>).length === 0;
  return Object.is(v, f.def) || v === 0n;
}

function value(w: Writer, f: FieldSpec, v: unknown, path: string, opts: EncodeOptions): void {
  w.varint((f.no << 3) | WIRE[f.kind]);
  switch (f.kind) {
    case Kind.STRING:
      if (typeof v !== 'string') fail(path, `expected a string, got ${typeof v}`);
      w.bytes((textEncoder ??= new TextEncoder()).encode(v));
      return;
    case Kind.BYTES:
      if (v instanceof Uint8Array) w.bytes(v);
      else if (Array.isArray(v)) w.bytes(Uint8Array.from(v));
      else fail(path, 'expected a Uint8Array');
      return;
    case Kind.MESSAGE: {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'expected an object');
      delimited(w, () => message(w, f.msg!, v as Record<string, unknown>, path, opts));
      return;
    }
    default: scalar(w, f, v, path);
  }
}

/** Writes `body` as a length-delimited field value: room for the length first, moved back once known. */
function delimited(w: Writer, body: () => void): void {
  const start = w.pos;
  w.ensure(5);
  w.pos += 5;
  body();
  const n = w.pos - start - 5, k = varintSize(n);
  w.buf.copyWithin(start + k, start + 5, w.pos);
  w.pos = start;
  w.varint(n);
  w.pos = start + k + n;
}

function message(w: Writer, spec: MessageSpec, obj: Record<string, unknown>, path: string, opts: EncodeOptions): void {
  for (const key of Object.keys(obj)) {
    if (obj[key] !== undefined && !spec.fields.some((f) => f.name === key)) fail(path, `unknown field '${key}' in ${spec.name}`);
  }
  for (const f of spec.fields) {
    const v = obj[f.name], p = `${path}.${f.name}`;
    if (v === undefined || v === null) continue;
    if (!f.repeated) {
      if (!isDefault(f, v)) value(w, f, v, p, opts);
      continue;
    }
    if (typeof v !== 'object' || typeof (v as ArrayLike<unknown>).length !== 'number') fail(p, 'expected an array');
    const arr = v as ArrayLike<unknown>;
    if (arr.length === 0) continue;
    if (f.kind <= Kind.DOUBLE && opts.packed !== false) {
      w.varint((f.no << 3) | 2);
      delimited(w, () => { for (let i = 0; i < arr.length; i++) scalar(w, f, arr[i], `${p}[${i}]`); });
      continue;
    }
    for (let i = 0; i < arr.length; i++) {
      if (arr[i] === undefined || arr[i] === null) fail(`${p}[${i}]`, 'missing element');
      value(w, f, arr[i], `${p}[${i}]`, opts);
    }
  }
}

/** Encodes a plain object as the schema's message `type` ('ModelProto', 'TensorProto', ...). */
export function encodeMessage(obj: object, type: string, opts: EncodeOptions = {}): Uint8Array {
  const spec = MESSAGES[type];
  if (!spec) throw new Error(`unknown message type ${type}`);
  const w = new Writer();
  message(w, spec, obj as Record<string, unknown>, type, opts);
  return w.buf.slice(0, w.pos);
}

/** Encodes a plain ModelProto-shaped object (camelCase fields), e.g. one from decodeModel. */
export function encodeModel(model: object, opts: EncodeOptions = {}): Uint8Array {
  return encodeMessage(model, 'ModelProto', opts);
}
