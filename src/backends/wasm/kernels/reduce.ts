// Host side of the reduction, softmax-family, normalization and LRN kernels (assembly/reduce.ts). Every
// kernel walks "outer" items (kept axes) and, per item, a "reduced" set (reduced axes), both given as
// dims with per-operand strides in floats, over any physical layout (NHWC or dense).
import { UnsupportedError } from '../../../errors.js';
import type { ConstWriter, Step } from './types.js';
import { coalesceDims } from './eltwise.js';
import { step } from '../abi.js';
import { lowerSoftmax } from './softmax.js';

/** Per logical axis: its size, whether it is reduced, and each operand's stride (floats; 0 = broadcast). */
export interface AxisWalk {
  dims: readonly number[];
  reduced: ReadonlySet<number>;
  /** strides of x, y, and (normalize) scale and bias, per axis */
  x: readonly number[];
  y: readonly number[];
  s?: readonly number[];
  b?: readonly number[];
  /** keep the reduced axes in logical order (Hardmax: "first maximum"; LRN: the channel window) */
  ordered?: boolean;
}

const MAXD = 4;

/**
 * The 40-i32 parameter block of assembly/reduce.ts: outer and reduced axes, each list with size-1 axes
 * dropped and adjacent axes merged where every operand's strides allow (coalesceDims), padded in front to
 * 4. Outer axes are ordered by decreasing x stride (a contiguous one last: the SIMD path runs four items
 * side by side there); reduced axes too unless `ordered`, so the innermost loop walks memory forwards.
 */
export function walkParams(w: AxisWalk): { prm: Int32Array; items: number; count: number } {
  const zeros = w.dims.map(() => 0);
  const all = [w.x, w.y, w.s ?? zeros, w.b ?? zeros];
  const part = (red: boolean, ordered: boolean) => {
    let axes = [...w.dims.keys()].filter((d) => w.reduced.has(d) === red);
    if (!ordered) axes = axes.sort((p, q) => Math.abs(w.x[q]) - Math.abs(w.x[p]) || p - q);
    const c = coalesceDims(axes.map((d) => w.dims[d]), all.map((st) => axes.map((d) => st[d])));
    if (c.dims.length > MAXD) throw new UnsupportedError(`${red ? 'reduced' : 'kept'} axes ${axes.join(', ')} of [${w.dims.join(', ')}] do not merge into ${MAXD} strided dims`);
    const pad = MAXD - c.dims.length;
    return { dims: [...new Array(pad).fill(1), ...c.dims], st: c.strides.map((s) => [...new Array(pad).fill(0), ...s]) };
  };
  const o = part(false, false), r = part(true, !!w.ordered);
  const prm = Int32Array.from([
    ...o.dims, ...o.st[0], ...o.st[1], ...r.dims, ...r.st[0], ...r.st[1], ...o.st[2], ...r.st[2], ...o.st[3], ...r.st[3],
  ]);
  return { prm, items: o.dims.reduce((a, b) => a * b, 1), count: r.dims.reduce((a, b) => a * b, 1) };
}

/** ABI codes of f32_reduce's `op` (assembly/reduce.ts). */
export const REDUCE_OPS = {
  ReduceSum: 0, ReduceMean: 1, ReduceMax: 2, ReduceMin: 3, ReduceProd: 4, ReduceL1: 5, ReduceL2: 6, ReduceSumSquare: 7, ReduceLogSum: 8, ReduceLogSumExp: 9,
} as const;
export type ReduceOp = keyof typeof REDUCE_OPS;

/** y[item] = op over the item's reduced set. One Step `f32_reduce(x, y, prm, op, begin, end)`, range = items. */
export function lowerReduce(op: ReduceOp, x: number, y: number, w: AxisWalk, cw: ConstWriter): Step[] {
  const { prm, items, count } = walkParams(w);
  if (items === 0) return [];
  const perElem = op === 'ReduceLogSumExp' ? 30 : op === 'ReduceLogSum' ? 2 : 1;
  return [step('f32_reduce', { x, y, prm: cw.i32(prm), op: REDUCE_OPS[op] }, items, items * count * perElem)];
}

/** ABI codes of f32_softmax_nd's `mode`. */
export const SOFTMAX_MODES = { Softmax: 0, LogSoftmax: 1, Hardmax: 2 } as const;

/**
 * Softmax, LogSoftmax or Hardmax of every item's reduced set. A softmax over one axis that is contiguous
 * in x and y, with items one row apart (a dense last axis, C in NHWC), goes to f32_softmax (vectorized
 * along the row); everything else to `f32_softmax_nd(x, y, prm, mode, begin, end)`, range = items.
 */
export function lowerSoftmaxNd(mode: keyof typeof SOFTMAX_MODES, x: number, y: number, w: AxisWalk, cw: ConstWriter): Step[] {
  const { prm, items, count } = walkParams({ ...w, ordered: mode === 'Hardmax' });
  if (items === 0 || count === 0) return [];
  const oneRow = prm[12] === 1 && prm[13] === 1 && prm[14] === 1 && prm[19] === 1 && prm[23] === 1;
  const rowsApart = items === 1 || (prm[0] === 1 && prm[1] === 1 && prm[2] === 1 && prm[7] === count && prm[11] === count);
  if (mode === 'Softmax' && oneRow && rowsApart) return lowerSoftmax(x, y, items, count);
  return [step('f32_softmax_nd', { x, y, prm: cw.i32(prm), mode: SOFTMAX_MODES[mode] }, items, items * count * (mode === 'Hardmax' ? 2 : 20))];
}

/**
 * (v − mean)·inv·scale + bias per item's reduced set (inv = 1/√(var+eps), or 1/(√var+eps) with
 * epsOutside). `scale`, `bias`: byte addresses of constants addressed with w.s / w.b. One Step
 * `f32_normalize_nd(x, y, prm, scale, bias, eps, epsOutside, begin, end)`, range = items.
 */
export function lowerNormalize(x: number, y: number, w: AxisWalk, scale: number, bias: number, eps: number, epsOutside: boolean, cw: ConstWriter): Step[] {
  const { prm, items, count } = walkParams(w);
  if (items === 0 || count === 0) return [];
  return [step('f32_normalize_nd', { x, y, prm: cw.i32(prm), scale, bias, eps, epsOutside: epsOutside ? 1 : 0 }, items, items * count * 8)];
}

/** LRN over the channel axis `axis` of w.dims (the only reduced axis). One Step `f32_lrn(x, y, prm, size, alphaOverSize, beta, bias, begin, end)`, range = items. */
export function lowerLrn(x: number, y: number, w: AxisWalk, size: number, alpha: number, beta: number, bias: number, cw: ConstWriter): Step[] {
  const { prm, items, count } = walkParams({ ...w, ordered: true });
  if (items === 0 || count === 0) return [];
  return [step('f32_lrn', { x, y, prm: cw.i32(prm), size, alphaOverSize: alpha / size, beta, bias }, items, items * count * (2 * size + 40))];
}
