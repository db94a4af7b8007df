// Host side of the element-wise kernels (assembly/eltwise.ts): activation, broadcasting binary ops,
// per-channel scale+shift, fill, strided 2-D copy. All pointers are absolute byte addresses, all strides
// are in floats. No alignment is required (v128 loads/stores in wasm are unaligned-safe).
import type { Activation, ConstWriter, NhwcRef, Step } from './types.js';
import { ActKind } from './types.js';
import { step } from '../abi.js';

/** Column chunk of f32_binary and f32_copy2d (assembly/eltwise.ts CHUNK): a long row is several range items. */
export const ROW_CHUNK = 1024;

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'prelu' | 'pow' | 'min' | 'max';
const OP_CODE: Record<BinaryOp, number> = { add: 0, sub: 1, mul: 2, div: 3, prelu: 4, pow: 5, min: 6, max: 7 };

/** Floating-point operations per element of an activation code, for thread-split heuristics (codes
 * built on exp/log/erf cost about 20). */
export function actFlops(kind: ActKind): number {
  switch (kind) {
    case ActKind.None: return 0;
    case ActKind.Relu: case ActKind.Clip: case ActKind.LeakyRelu: case ActKind.HardSigmoid: case ActKind.HardSwish:
    case ActKind.ThresholdedRelu: case ActKind.Softsign: case ActKind.Sqrt: case ActKind.Abs: case ActKind.Neg:
    case ActKind.Reciprocal: case ActKind.Floor: case ActKind.Ceil: case ActKind.Round: case ActKind.Sign:
      return 2;
    case ActKind.Softplus: case ActKind.Mish: return 40;
    default: return 20;
  }
}

/**
 * y[i] = act(x[i]) for `count` contiguous floats (x == y allowed). One Step
 * `f32_activation(x, y, act, p0, p1, begin, end)`, range = count elements.
 */
export function lowerActivation(x: number, y: number, count: number, act: Activation): Step[] {
  if (count === 0 || (act.kind === 0 && x === y)) return [];
  return [step('f32_activation', { x, y, act: act.kind, p0: act.p0, p1: act.p1 }, count, count * Math.max(actFlops(act.kind), 1))];
}

/** y[i] = value for `count` contiguous floats. One Step `f32_fill(y, value, begin, end)`, range = count. */
export function lowerFill(y: number, count: number, value: number): Step[] {
  if (count === 0) return [];
  return [step('f32_fill', { y, value }, count, 0, undefined, 4 * count)];
}

export interface BinaryDesc {
  op: BinaryOp;
  act: Activation;
  /** Output dims in iteration order (any rank; the innermost should be the contiguous one). */
  dims: readonly number[];
  a: number;
  /** Element strides of a per dim of `dims`; 0 broadcasts. */
  aStrides: readonly number[];
  b: number;
  bStrides: readonly number[];
  y: number;
  yStrides: readonly number[];
}

/**
 * Drops size-1 dims and merges adjacent dims i, i+1 whose strides satisfy s[i] == s[i+1]*dims[i+1] for
 * every operand (this also merges runs of broadcast dims, stride 0). Returns dims and one stride list per operand.
 */
export function coalesceDims(dims: readonly number[], strides: readonly (readonly number[])[]): { dims: number[]; strides: number[][] } {
  const d: number[] = [];
  const s: number[][] = strides.map(() => []);
  for (let i = 0; i < dims.length; i++) {
    if (dims[i] === 1) continue;
    const k = d.length - 1;
    if (k >= 0 && strides.every((st, o) => s[o][k] === st[i] * dims[i])) {
      d[k] *= dims[i];
      strides.forEach((st, o) => { s[o][k] = st[i]; });
    } else {
      d.push(dims[i]);
      strides.forEach((st, o) => s[o].push(st[i]));
    }
  }
  return { dims: d, strides: s };
}

/**
 * y = act(a op b) with broadcasting. Dims are coalesced (coalesceDims), then padded/split to 4-D with y's
 * innermost stride 1; dims beyond 4 become separate Steps. Each Step:
 * `f32_binary(op, a, b, y, prm, act, p0, p1, begin, end)` with prm = cw.i32([d0..d3, aStrides[4], bStrides[4],
 * yStrides[4]]) (16 i32), op 0 add, 1 sub, 2 mul, 3 div, 4 prelu, 5 pow, 6 min, 7 max; range = d0*d1*d2*ceil(d3/1024) row chunks.
 * Fast inner loops when the inner strides of (a, b) are (1,1), (1,0) or (0,1) — same shape, per-channel
 * operand in NHWC and scalar operand — otherwise a scalar gather.
 */
export function lowerBinary(desc: BinaryDesc, cw: ConstWriter): Step[] {
  if (desc.dims.some((d) => d === 0)) return [];
  const c = coalesceDims(desc.dims, [desc.aStrides, desc.bStrides, desc.yStrides]);
  let dims = c.dims;
  let [as, bs, ys] = c.strides;
  if (dims.length === 0 || ys[ys.length - 1] !== 1) {
    // the kernel wants a contiguous innermost output run: add a unit inner dim
    dims = [...dims, 1]; as = [...as, 0]; bs = [...bs, 0]; ys = [...ys, 1];
  }
  const outer = dims.length - 4;
  const steps: Step[] = [];
  const emit = (a: number, b: number, y: number) => {
    const d = dims.slice(Math.max(0, outer));
    const pad = (s: number[]) => [...new Array(Math.max(0, -outer)).fill(0), ...s.slice(Math.max(0, outer))];
    const dd = [...new Array(Math.max(0, -outer)).fill(1), ...d];
    const prm = cw.i32(Int32Array.from([...dd, ...pad(as), ...pad(bs), ...pad(ys)]));
    const range = dd[0] * dd[1] * dd[2] * Math.ceil(dd[3] / ROW_CHUNK);
    const count = dd[0] * dd[1] * dd[2] * dd[3];
    steps.push(step('f32_binary', { op: OP_CODE[desc.op], a, b, y, prm, act: desc.act.kind, p0: desc.act.p0, p1: desc.act.p1 }, range, count * ((desc.op === 'pow' ? 40 : 1) + actFlops(desc.act.kind))));
  };
  // dims beyond the kernel's 4: one Step per outer index
  const walk = (k: number, a: number, b: number, y: number) => {
    if (k >= outer) { emit(a, b, y); return; }
    for (let i = 0; i < dims[k]; i++) walk(k + 1, a + i * as[k] * 4, b + i * bs[k] * 4, y + i * ys[k] * 4);
  };
  walk(0, desc.a, desc.b, desc.y);
  return steps;
}

/**
 * Standalone batch-norm: y[p][c] = act(x[p][c]*scale[c] + shift[c]) over NHWC (pixelStrides may differ, x == y
 * allowed). scale and shift (c floats each) go into the constants region. One Step
 * `f32_scale_shift_nhwc(x, xStride, y, yStride, c, scale, shift, act, p0, p1, begin, end)`, range = N*H*W pixels.
 */
export function lowerScaleShift(x: NhwcRef, y: NhwcRef, scale: Float32Array, shift: Float32Array, act: Activation, cw: ConstWriter): Step[] {
  const pixels = x.n * x.h * x.w;
  if (pixels === 0 || x.c === 0) return [];
  if (scale.length < x.c || shift.length < x.c) throw new Error(`scale/shift need ${x.c} values`);
  const sp = cw.f32(scale), hp = cw.f32(shift);
  return [step('f32_scale_shift_nhwc', { x: x.ptr, xStride: x.pixelStride, y: y.ptr, yStride: y.pixelStride, channels: x.c, scale: sp, shift: hp, act: act.kind, p0: act.p0, p1: act.p1 }, pixels, pixels * x.c * 2)];
}

export interface Copy2dDesc {
  src: number;
  /** floats between rows of src */
  srcStride: number;
  dst: number;
  dstStride: number;
  rows: number;
  cols: number;
}

/**
 * dst[r][0:cols] = src[r][0:cols] for r < rows (concat/split/slice along channels, pad). Non-overlapping.
 * One Step `f32_copy2d(src, srcStride, dst, dstStride, rows, cols, begin, end)`,
 * range = rows * ceil(cols/1024) (row, column chunk).
 */
export function lowerCopy2d(d: Copy2dDesc): Step[] {
  if (d.rows === 0 || d.cols === 0) return [];
  return [step('f32_copy2d', d, d.rows * Math.ceil(d.cols / ROW_CHUNK), 0, undefined, 8 * d.rows * d.cols)];
}
