// Host side of pooling (assembly/pool.ts): max / average windows and global pooling over NHWC.
// Window bounds are computed by the kernel from the geometry passed as arguments (no indirection
// buffer, no tables): the valid taps of an output pixel are one rectangle of the input, so padding
// costs nothing and the constants region is not used.
import type { ConstWriter, NhwcRef, Step } from './types.js';
import { windowOutputSize } from '../../../model/shapes.js';
import { step } from '../abi.js';


export interface PoolDesc {
  kind: 'max' | 'avg' | 'lp';
  /** Lp only: the integer p ≥ 1 */
  p?: number;
  /** [kh, kw] */
  kernel: readonly number[];
  /** [sh, sw] */
  strides: readonly number[];
  /** [top, left, bottom, right] */
  pads: readonly number[];
  /** [dh, dw]; default [1, 1] */
  dilations?: readonly number[];
  ceilMode?: boolean;
  /** Average only: divide by the taps inside the padded border (true) or by the valid taps (false). */
  countIncludePad?: boolean;
}

/**
 * Output length of one spatial axis (ONNX / PyTorch): q = (in + padBegin + padEnd - dilation*(k-1) - 1) / stride,
 * out = floor(q) + 1, or ceil(q) + 1 in ceil mode, where a last window starting at or past
 * `in + padBegin` (entirely in the end padding) is dropped.
 */
export const lowerPoolOutputSize = windowOutputSize;

/**
 * Max or average pooling of x (NHWC, any pixelStride >= c) into y (NHWC, same n and c; y.h, y.w must be
 * `lowerPoolOutputSize` of x's). One Step, range = N*OH*OW output pixels:
 * - `f32_maxpool_nhwc(x, ih, iw, xStride, y, oh, ow, yStride, c, kh, kw, sh, sw, dh, dw, pt, pl, begin, end)`
 * - `f32_avgpool_nhwc(x, ih, iw, xStride, y, oh, ow, yStride, c, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, includePad, begin, end)`
 * - `f32_lppool_nhwc(x, ih, iw, xStride, y, oh, ow, yStride, c, kh, kw, sh, sw, dh, dw, pt, pl, p, begin, end)`
 * `cw` is unused (kept for the uniform lowering signature).
 */
export function lowerPool(desc: PoolDesc, x: NhwcRef, y: NhwcRef, cw?: ConstWriter): Step[] {
  void cw;
  const [kh, kw] = desc.kernel;
  const [sh, sw] = desc.strides;
  const [pt, pl, pb, pr] = desc.pads;
  const [dh, dw] = desc.dilations ?? [1, 1];
  const ceil = !!desc.ceilMode;
  const oh = lowerPoolOutputSize(x.h, kh, sh, pt, pb, dh, ceil);
  const ow = lowerPoolOutputSize(x.w, kw, sw, pl, pr, dw, ceil);
  if (oh !== y.h || ow !== y.w) throw new Error(`pool: output ${y.h}x${y.w} does not match the window geometry (${oh}x${ow})`);
  if (x.n !== y.n || x.c !== y.c) throw new Error(`pool: input [${x.n},${x.c}] and output [${y.n},${y.c}] batch/channels differ`);
  const range = x.n * oh * ow;
  if (range === 0 || x.c === 0) return [];
  const window = { x: x.ptr, ih: x.h, iw: x.w, xStride: x.pixelStride, y: y.ptr, oh, ow, yStride: y.pixelStride, c: x.c, kh, kw, sh, sw, dh, dw, pt, pl };
  const flops = range * x.c * kh * kw;
  if (desc.kind === 'max') return [step('f32_maxpool_nhwc', window, range, flops)];
  if (desc.kind === 'lp') return [step('f32_lppool_nhwc', { ...window, p: desc.p ?? 2 }, range, flops * (desc.p ?? 2))];
  return [step('f32_avgpool_nhwc', { ...window, pb, pr, includePad: desc.countIncludePad ? 1 : 0 }, range, flops + range * x.c)];
}

/**
 * Global average / max pooling: x NHWC [N,H,W,C] → y NHWC [N,1,1,C] (y.pixelStride is the distance between
 * images). One Step `f32_global_pool_nhwc(x, hw, xStride, y, yStride, c, mode, begin, end)`, mode 0 avg, 1 max;
 * range = N * ceil(C/4) channel blocks of 4. `cw` is unused.
 */
export function lowerGlobalPool(kind: 'max' | 'avg', x: NhwcRef, y: NhwcRef, cw?: ConstWriter): Step[] {
  void cw;
  if (x.n !== y.n || x.c !== y.c || y.h !== 1 || y.w !== 1) throw new Error(`global pool: output [${y.n},${y.h},${y.w},${y.c}] does not match input [${x.n},${x.h},${x.w},${x.c}]`);
  const range = x.n * Math.ceil(x.c / 4);
  if (range === 0) return [];
  const hw = x.h * x.w;
  return [step('f32_global_pool_nhwc', { x: x.ptr, hw, xStride: x.pixelStride, y: y.ptr, yStride: y.pixelStride, c: x.c, mode: kind === 'avg' ? 0 : 1 }, range, x.n * hw * x.c)];
}

/** Global Lp pooling: Lp pooling whose one window is the whole image (`f32_lppool_nhwc`). */
export function lowerGlobalLpPool(p: number, x: NhwcRef, y: NhwcRef, cw?: ConstWriter): Step[] {
  return lowerPool({ kind: 'lp', p, kernel: [x.h, x.w], strides: [1, 1], pads: [0, 0, 0, 0] }, x, y, cw);
}
