// Deterministic mutations for the model fuzzer (scripts/fuzz.ts): case (seed, index) → bytes. The
// corpus is the small fixture models plus one-node models of every operator family, built here.
import { readFileSync } from 'node:fs';
import { makeModel, ints, type ModelSpec } from '../test/helpers/onnx-builder.js';
import { encodeModel } from '../test/helpers/onnx-encode.js';
import { decodeModel } from '../src/model/onnx/proto.js';
import { OPS } from '../src/model/ops.js';

let models: { name: string; bytes: Uint8Array }[] | null = null;

/** A xorshift32 stream from (seed, index). */
function prng(seed: number, index: number): () => number {
  let s = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
}

const W = (dims: number[]) => ({ dims, data: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i)) });
const I64 = (data: number[]) => ({ dims: [data.length], data, dtype: 'int64' as const });
const x4 = [{ name: 'x', dims: [1, 3, 6, 6] }];
const one = (op: string, attrs: Record<string, unknown>, extra: string[] = [], init: ModelSpec['initializers'] = {}, opset = 13, outputs = ['y']): ModelSpec =>
  ({ opset, inputs: x4, outputs: outputs.map((name) => ({ name })), nodes: [{ op, inputs: ['x', ...extra], outputs, attrs }], initializers: init });

/** The corpus: small real models and one-node models with the attributes the loader reads. */
export function corpus(): { name: string; bytes: Uint8Array }[] {
  if (models) return models;
  const fixtures = new URL('../test/fixtures/models/', import.meta.url);
  const specs: [string, ModelSpec][] = [
    ['conv', one('Conv', { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), strides: ints([2, 2]), group: 1 }, ['w', 'b'], { w: W([4, 3, 3, 3]), b: W([4]) })],
    ['dwconv', one('Conv', { kernel_shape: ints([3, 3]), auto_pad: 'SAME_UPPER', group: 3 }, ['w'], { w: W([3, 1, 3, 3]) })],
    ['maxpool', one('MaxPool', { kernel_shape: ints([3, 3]), strides: ints([2, 2]), ceil_mode: 1 })],
    ['avgpool', one('AveragePool', { kernel_shape: ints([2, 2]), pads: ints([1, 1, 0, 0]), count_include_pad: 1 })],
    ['gemm', { opset: 13, inputs: [{ name: 'x', dims: [2, 5] }], outputs: [{ name: 'y' }], nodes: [{ op: 'Gemm', inputs: ['x', 'w', 'c'], outputs: ['y'], attrs: { transB: 1, alpha: 0.5 } }], initializers: { w: W([4, 5]), c: W([4]) } }],
    ['resize', one('Resize', { mode: 'linear', coordinate_transformation_mode: 'align_corners' }, ['', 'scales'], { scales: { dims: [4], data: [1, 1, 2, 1.5] } })],
    ['split', one('Split', { axis: 1 }, ['s'], { s: I64([1, 2]) }, 13, ['a', 'b'])],
    ['slice', one('Slice', {}, ['st', 'en', 'ax', 'sp'], { st: I64([0, 1]), en: I64([2, -1]), ax: I64([1, 3]), sp: I64([1, 2]) })],
    ['reshape', { opset: 13, inputs: x4, outputs: [{ name: 'y' }], nodes: [
      { op: 'Shape', inputs: ['x'], outputs: ['s'] },
      { op: 'Gather', inputs: ['s', 'i0'], outputs: ['n'], attrs: { axis: 0 } },
      { op: 'Unsqueeze', inputs: ['n', 'ax'], outputs: ['n1'] },
      { op: 'Concat', inputs: ['n1', 'm1'], outputs: ['shape'], attrs: { axis: 0 } },
      { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] },
    ], initializers: { i0: { dims: [], data: [0], dtype: 'int64' }, ax: I64([0]), m1: I64([-1]) } }],
    ['constantofshape', { opset: 13, inputs: [{ name: 'x', dims: [1, 4] }], outputs: [{ name: 'y' }], nodes: [
      { op: 'ConstantOfShape', inputs: ['shape'], outputs: ['c'], attrs: { value: { dims: [1], data: [2] } } },
      { op: 'Add', inputs: ['x', 'c'], outputs: ['y'] },
    ], initializers: { shape: I64([1, 4]) } }],
    ['pad', one('Pad', { mode: 'constant' }, ['p'], { p: I64([0, 0, 1, 2, 0, 0, 2, 1]) })],
    ['softmax', one('Softmax', { axis: 1 })],
    ['batchnorm', one('BatchNormalization', { epsilon: 1e-3 }, ['s', 'b', 'm', 'v'], { s: W([3]), b: W([3]), m: W([3]), v: { dims: [3], data: [1, 2, 3] } })],
    ['clip-concat', { opset: 13, inputs: x4, outputs: [{ name: 'y' }], nodes: [
      { op: 'Clip', inputs: ['x', 'lo', 'hi'], outputs: ['a'] },
      { op: 'Identity', inputs: ['x'], outputs: ['b'] },
      { op: 'Concat', inputs: ['a', 'b'], outputs: ['y'], attrs: { axis: 1 } },
    ], initializers: { lo: { dims: [], data: [0] }, hi: { dims: [], data: [6] } } }],
    ['upsample-opset9', { opset: 9, inputs: x4, outputs: [{ name: 'y' }], nodes: [{ op: 'Upsample', inputs: ['x', 'sc'], outputs: ['y'], attrs: { mode: 'nearest' } }], initializers: { sc: { dims: [4], data: [1, 1, 2, 2] } } }],
    // data movement (src/model/indexmap.ts): sizes from attributes and constant inputs
    ['pad-reflect', one('Pad', { mode: 'reflect' }, ['p', '', 'ax'], { p: { dims: [4], data: [1, 2, 2, 1], dtype: 'int64' }, ax: { dims: [2], data: [2, -1], dtype: 'int64' } }, 19)],
    ['tile', one('Tile', {}, ['r'], { r: { dims: [4], data: [1, 2, 1, 3], dtype: 'int64' } })],
    ['expand', one('Expand', {}, ['s'], { s: { dims: [5], data: [2, 1, 3, 1, 6], dtype: 'int64' } })],
    ['gather', one('Gather', { axis: 1 }, ['i'], { i: { dims: [2, 2], data: [2, -1, 0, 1], dtype: 'int64' } })],
    ['gather-elements', one('GatherElements', { axis: 3 }, ['i'], { i: { dims: [1, 3, 4, 2], data: Array.from({ length: 24 }, (_, k) => k % 4), dtype: 'int64' } })],
    ['depth-to-space', { ...one('DepthToSpace', { blocksize: 2, mode: 'CRD' }), inputs: [{ name: 'x', dims: [1, 8, 3, 3] }] }],
    ['where', { opset: 13, inputs: x4, outputs: [{ name: 'y' }], nodes: [
      { op: 'Less', inputs: ['k', 'z'], outputs: ['c'] },
      { op: 'Where', inputs: ['c', 'x', 'z'], outputs: ['y'] },
    ], initializers: { k: { dims: [6], data: [1, -1, 2, -3, 0, 4] }, z: { dims: [], data: [0] } } }],
  ];
  models = [
    ...specs.map(([name, spec]) => ({ name, bytes: makeModel(spec) })),
    ...['dwconv_3x3', 'lenet'].map((name) => ({ name, bytes: new Uint8Array(readFileSync(new URL(`${name}.onnx`, fixtures))) })),
  ];
  return models;
}

/** Bytes of a varint of `v` (v < 2^64, as a BigInt). */
function varint(v: bigint): number[] {
  const out: number[] = [];
  do { let b = Number(v & 0x7fn); v >>= 7n; if (v) b |= 0x80; out.push(b); } while (v);
  return out;
}
const HUGE = [0n, 1n, 127n, 128n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 64n - 1n];

const INTS = [0, 1, -1, 2, 3, 7, 2 ** 31 - 1, -(2 ** 31), 2 ** 32, 2 ** 53 - 1, -(2 ** 53) + 1, 2n ** 62n, -(2n ** 62n)];
const FLOATS = [0, -0, 1, -1, 0.5, NaN, Infinity, -Infinity, 1e-40, 3.4e38, 1e30];
const STRINGS = ['', 'x', 'constant', 'reflect', 'edge', 'wrap', 'DCR', 'CRD', 'NOTSET', 'SAME_LOWER', 'VALID', 'linear', 'nearest', 'cubic', 'half_pixel', 'align_corners', 'floor', 'ceil', 'tf_crop_and_resize', '\u0000\uffff', 'a'.repeat(300)];

/** Schema-aware edits: decode, change one field the loader interprets (an attribute, an op type, a
 * node's inputs or outputs, a declared or initializer shape, a data type, the opset), encode. */
function editModel(bytes: Uint8Array, r: () => number): { bytes: Uint8Array; what: string } {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const m = decodeModel(bytes);
  const g = m.graph;
  const nodes: any[] = g?.node ?? [];
  const node = nodes.length ? pick(nodes) : null;
  const values = [...new Set(nodes.flatMap((n: any) => [...n.input, ...n.output]))];
  let what = '';
  switch (Math.floor(r() * 8)) {
    case 0: case 1: { // an attribute's value
      const a = node?.attribute?.length ? pick(node.attribute as any[]) : null;
      if (!a) { what = 'attr (none)'; break; }
      const k = Math.floor(r() * 6);
      if (k === 0) { a.i = pick(INTS); a.type = 2; }
      else if (k === 1) { a.f = pick(FLOATS); a.type = 1; }
      else if (k === 2) { a.s = new TextEncoder().encode(pick(STRINGS)); a.type = 3; }
      else if (k === 3) { a.ints = Array.from({ length: pick([0, 1, 3, 8, 1000]) }, () => pick(INTS)); a.type = 7; }
      else if (k === 4) { a.floats = Array.from({ length: pick([0, 1, 4, 1000]) }, () => pick(FLOATS)); a.type = 6; }
      else a.type = pick([0, 1, 2, 3, 4, 6, 7, 8, 99]);
      what = `attr ${node.opType}.${a.name} edit ${k}`;
      break;
    }
    case 2: if (node) { node.opType = pick(Object.keys(OPS)); what = `op -> ${node.opType}`; } break;
    case 3: if (node) { // inputs: drop, duplicate, or point at another value (maybe a later one: a cycle)
      const k = Math.floor(r() * 3);
      if (k === 0) node.input.pop(); else if (k === 1) node.input.push(pick(values) ?? ''); else if (node.input.length) node.input[Math.floor(r() * node.input.length)] = pick([...values, '', 'nowhere']);
      what = `inputs ${node.opType} edit ${k}`;
    } break;
    case 4: if (node) { const k = Math.floor(r() * 3); if (k === 0) node.output.push(pick([...values, 'extra', ''])); else if (k === 1) node.output = []; else node.output[0] = pick(values); what = `outputs ${node.opType} edit ${k}`; } break;
    case 5: { // a declared input/output shape
      const vi = pick([...(g?.input ?? []), ...(g?.output ?? [])] as any[]);
      const dims = vi?.type?.tensorType?.shape?.dim as any[] | undefined;
      if (dims?.length) { const d = pick(dims); d.dimValue = pick(INTS); d.dimParam = r() < 0.2 ? 'N' : ''; what = `dim ${vi.name} = ${d.dimValue}`; }
      else if (vi?.type?.tensorType) { vi.type.tensorType.elemType = pick([0, 1, 6, 7, 9, 10, 11, 16, 99]); what = `elemType ${vi.name}`; }
      break;
    }
    case 6: { // an initializer's dims or data type
      const t = g?.initializer?.length ? pick(g.initializer as any[]) : null;
      if (t) { if (r() < 0.6) { t.dims = t.dims.length && r() < 0.7 ? t.dims.map((d: any) => (r() < 0.4 ? pick(INTS) : d)) : [pick(INTS)]; } else t.dataType = pick([0, 1, 2, 3, 6, 7, 9, 10, 11, 16, 99]); what = `initializer ${t.name}`; }
      break;
    }
    default: { const o = m.opsetImport?.[0]; if (o) { o.version = pick([1, 6, 7, 9, 10, 11, 13, 14, 18, 21, 22, 2 ** 31]); what = `opset ${o.version}`; } }
  }
  return { bytes: encodeModel(m), what: what || 'schema (no-op)' };
}

/** Case (seed, index): a model from the corpus, mutated one to three times. */
export function mutate(seed: number, index: number): { bytes: Uint8Array; what: string } {
  const r = prng(seed, index);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const base = pick(corpus());
  let b = Array.from(base.bytes);
  const steps: string[] = [base.name];
  const n = 1 + Math.floor(r() * 3);
  for (let k = 0; k < n && b.length; k++) {
    const at = Math.floor(r() * b.length);
    if (r() < 0.4) { // schema-aware: decode, edit a field, encode (a model that no longer decodes is left to the byte edits)
      try {
        const e = editModel(Uint8Array.from(b), r);
        b = Array.from(e.bytes);
        steps.push(e.what);
        continue;
      } catch { /* fall through to a byte-level edit */ }
    }
    switch (Math.floor(r() * 6)) {
      case 0: { // byte flips
        const flips = 1 + Math.floor(r() * 8);
        for (let i = 0; i < flips; i++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
        steps.push(`flip ${flips}`);
        break;
      }
      case 1: b = b.slice(0, at); steps.push(`truncate ${at}`); break;
      case 2: { // duplicate a chunk somewhere else
        const len = 1 + Math.floor(r() * Math.min(256, b.length - at));
        const to = Math.floor(r() * b.length);
        b.splice(to, 0, ...b.slice(at, at + len));
        steps.push(`dup ${at}+${len}@${to}`);
        break;
      }
      case 3: { const len = 1 + Math.floor(r() * Math.min(256, b.length - at)); b.splice(at, len); steps.push(`delete ${at}+${len}`); break; }
      case 4: { // varint inflation: the varint at `at` (a length, a tag's value, an int) replaced by a huge one
        let end = at;
        while (end < b.length && end - at < 10 && b[end] & 0x80) end++;
        const v = pick(HUGE);
        b.splice(at, end - at + 1, ...varint(v));
        steps.push(`varint ${at}=${v}`);
        break;
      }
      default: { // the same small edit in many places: attribute values and dims share a few byte patterns
        const from = b[at], to = Math.floor(r() * 256);
        let count = 0;
        for (let i = 0; i < b.length && count < 16; i++) if (b[i] === from && r() < 0.3) { b[i] = to; count++; }
        steps.push(`replace ${from}->${to} x${count}`);
      }
    }
  }
  return { bytes: Uint8Array.from(b), what: steps.join(', ') };
}
