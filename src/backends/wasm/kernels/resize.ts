// Host side of Resize (assembly/resize.ts): ONNX Resize over the spatial axes of an NHWC tensor.
// The coordinate transform and rounding run here, in float64, once per output row and column; the
// kernels read per-axis tables (source indices, and weights for linear) from the constants region.
import type { ConstWriter, NhwcRef, Step } from './types.js';
import { step } from '../abi.js';
import { lowerStridedCopy } from './layout.js';
import { cubicTaps } from '../../../model/resize.js';


export type CoordMode = 'half_pixel' | 'half_pixel_symmetric' | 'pytorch_half_pixel' | 'align_corners' | 'asymmetric' | 'tf_half_pixel_for_nn' | 'tf_crop_and_resize';
export type NearestMode = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil';

export interface ResizeDesc {
  /** 'linear' is bilinear on H, W; 'cubic' bicubic (4x4 taps). */
  mode: 'nearest' | 'linear' | 'cubic';
  coordMode: CoordMode | string;
  nearestMode?: NearestMode | string;
  /** Scales per axis: [sh, sw], or the 4 NCHW scales (only [2], [3] are used). Default: out/in per axis.
   *  ONNX divides by the given scale, not by out/in, when scales (not sizes) define the output. */
  scales?: readonly number[];
  /** cubic: the kernel coefficient (ONNX cubic_coeff_a, default -0.75) and exclude_outside. */
  cubicCoeffA?: number;
  excludeOutside?: boolean;
  /** tf_crop_and_resize: the ONNX roi (8 values for 4-D: starts then ends; only [2], [3], [6], [7] are used)
   *  and the value of output pixels whose source coordinate falls outside the input. */
  roi?: readonly number[];
  extrapolationValue?: number;
}

/** ONNX Resize: the source coordinate of output index `o` on an axis of length `inLen` → `outLen`
 *  (`roi` = [start, end] of this axis, tf_crop_and_resize only). */
export function sourceCoord(mode: string, o: number, inLen: number, outLen: number, scale: number, roi: readonly number[] = [0, 1]): number {
  switch (mode) {
    case 'tf_crop_and_resize': return outLen > 1 ? roi[0] * (inLen - 1) + (o * (roi[1] - roi[0]) * (inLen - 1)) / (outLen - 1) : 0.5 * (roi[0] + roi[1]) * (inLen - 1);
    case 'half_pixel': return (o + 0.5) / scale - 0.5;
    case 'half_pixel_symmetric': {
      const adj = outLen / (scale * inLen);
      const center = inLen / 2;
      return center * (1 - adj) + (o + 0.5) / scale - 0.5;
    }
    case 'pytorch_half_pixel': return outLen > 1 ? (o + 0.5) / scale - 0.5 : 0;
    case 'align_corners': return outLen === 1 ? 0 : (o * (inLen - 1)) / (outLen - 1);
    case 'asymmetric': return o / scale;
    case 'tf_half_pixel_for_nn': return (o + 0.5) / scale;
    default: throw new Error(`resize: coordinate_transformation_mode '${mode}' is not supported`);
  }
}

/** ONNX nearest_mode rounding of a source coordinate (before clamping to [0, in-1]). */
export function roundNearest(mode: string, x: number): number {
  const f = Math.floor(x);
  switch (mode) {
    case 'round_prefer_floor': return x - f === 0.5 ? f : Math.round(x);
    case 'round_prefer_ceil': return x - f === 0.5 ? f + 1 : Math.round(x);
    case 'floor': return f;
    case 'ceil': return Math.ceil(x);
    default: throw new Error(`resize: nearest_mode '${mode}' is not supported`);
  }
}

/** Nearest: source index per output index, clamped to [0, inLen-1]. */
export function nearestTable(coordMode: string, nearestMode: string, inLen: number, outLen: number, scale: number, roi?: readonly number[]): Int32Array {
  const t = new Int32Array(outLen);
  for (let o = 0; o < outLen; o++) {
    const i = roundNearest(nearestMode, sourceCoord(coordMode, o, inLen, outLen, scale, roi));
    t[o] = Math.min(Math.max(i, 0), inLen - 1);
  }
  return t;
}

/** Linear: coordinate clamped to [0, inLen-1]; idx = [i0, i1] pairs (i1 = min(i0+1, inLen-1)), w = weight of i1. */
export function linearTable(coordMode: string, inLen: number, outLen: number, scale: number, roi?: readonly number[]): { idx: Int32Array; w: Float32Array } {
  const idx = new Int32Array(2 * outLen), w = new Float32Array(outLen);
  for (let o = 0; o < outLen; o++) {
    const x = Math.min(Math.max(sourceCoord(coordMode, o, inLen, outLen, scale, roi), 0), inLen - 1);
    const i0 = Math.floor(x);
    idx[2 * o] = i0;
    idx[2 * o + 1] = Math.min(i0 + 1, inLen - 1);
    w[o] = x - i0;
  }
  return { idx, w };
}

/** Cubic: 4 source indices (clamped to the axis) and 4 weights per output index, weights in float64 → f32. */
export function cubicTable(coordMode: string, inLen: number, outLen: number, scale: number, a: number, excludeOutside: boolean, roi?: readonly number[]): { idx: Int32Array; w: Float32Array } {
  const idx = new Int32Array(4 * outLen), w = new Float32Array(4 * outLen);
  for (let o = 0; o < outLen; o++) {
    const t = cubicTaps(sourceCoord(coordMode, o, inLen, outLen, scale, roi), inLen, a, excludeOutside);
    idx.set(t.idx, 4 * o);
    w.set(t.w, 4 * o);
  }
  return { idx, w };
}

/**
 * Resize x (NHWC) to y (NHWC, same n and c, any pixelStrides). One Step, range = N*OH output rows:
 * - nearest: `f32_resize_nearest_nhwc(x, ih, iw, xStride, y, oh, ow, yStride, c, yIdx, xIdx, begin, end)`,
 *   yIdx = cw.i32(oh source rows), xIdx = cw.i32(ow source columns);
 * - linear: `f32_resize_bilinear_nhwc(x, ih, iw, xStride, y, oh, ow, yStride, c, yIdx, yW, xIdx, xW, begin, end)`,
 *   yIdx = cw.i32(2*oh), yW = cw.f32(oh), xIdx = cw.i32(2*ow), xW = cw.f32(ow);
 * - cubic: `f32_resize_cubic_nhwc(...same as bilinear...)`, yIdx = cw.i32(4*oh), yW = cw.f32(4*oh),
 *   xIdx = cw.i32(4*ow), xW = cw.f32(4*ow).
 */
export function lowerResize(desc: ResizeDesc, x: NhwcRef, y: NhwcRef, cw: ConstWriter): Step[] {
  if (x.n !== y.n || x.c !== y.c) throw new Error(`resize: batch/channels differ ([${x.n},${x.c}] → [${y.n},${y.c}])`);
  const range = y.n * y.h;
  if (range === 0 || y.w === 0 || y.c === 0) return [];
  const sc = desc.scales;
  const sh = sc ? sc[sc.length === 4 ? 2 : 0] : y.h / x.h;
  const sw = sc ? sc[sc.length === 4 ? 3 : 1] : y.w / x.w;
  const ry = desc.roi ? [desc.roi[2], desc.roi[6]] : undefined, rx = desc.roi ? [desc.roi[3], desc.roi[7]] : undefined;
  const common = { x: x.ptr, ih: x.h, iw: x.w, xStride: x.pixelStride, y: y.ptr, oh: y.h, ow: y.w, yStride: y.pixelStride, c: x.c };
  // tf_crop_and_resize: the kernel samples clamped taps everywhere; then runs of output rows, and of
  // columns, whose source coordinate lies outside [0, in-1] are overwritten with extrapolation_value
  // (strided copies of one constant, stride 0).
  const fill = (): Step[] => {
    if (desc.coordMode !== 'tf_crop_and_resize') return [];
    const v = cw.f32(Float32Array.of(desc.extrapolationValue ?? 0));
    const ps = y.pixelStride, steps: Step[] = [];
    const axis = (inLen: number, outLen: number, roi: readonly number[] | undefined, emit: (o0: number, len: number) => void) => {
      for (let o = 0; o < outLen;) {
        const out = (k: number) => { const s = sourceCoord('tf_crop_and_resize', k, inLen, outLen, 1, roi); return s < 0 || s > inLen - 1; };
        if (!out(o)) { o++; continue; }
        let e = o + 1;
        while (e < outLen && out(e)) e++;
        emit(o, e - o);
        o = e;
      }
    };
    const copy = (dst: number, dims: number[], dstStrides: number[]) => steps.push(...lowerStridedCopy({ dims, src: v, srcStrides: [0, 0, 0, 0], dst, dstStrides }, cw));
    axis(x.h, y.h, ry, (o0, len) => copy(y.ptr + 4 * o0 * y.w * ps, [y.n, len, y.w, y.c], [y.h * y.w * ps, y.w * ps, ps, 1]));
    axis(x.w, y.w, rx, (o0, len) => copy(y.ptr + 4 * o0 * ps, [y.n, y.h, len, y.c], [y.h * y.w * ps, y.w * ps, ps, 1]));
    return steps;
  };
  if (desc.mode === 'nearest') {
    const nm = desc.nearestMode ?? 'round_prefer_floor';
    const yi = cw.i32(nearestTable(desc.coordMode, nm, x.h, y.h, sh, ry));
    const xi = cw.i32(nearestTable(desc.coordMode, nm, x.w, y.w, sw, rx));
    return [step('f32_resize_nearest_nhwc', { ...common, yIdx: yi, xIdx: xi }, range, 0), ...fill()];
  }
  if (desc.mode === 'cubic') {
    const a = desc.cubicCoeffA ?? -0.75, ex = !!desc.excludeOutside;
    const ty = cubicTable(desc.coordMode, x.h, y.h, sh, a, ex, ry);
    const tx = cubicTable(desc.coordMode, x.w, y.w, sw, a, ex, rx);
    const tables = { yIdx: cw.i32(ty.idx), yW: cw.f32(ty.w), xIdx: cw.i32(tx.idx), xW: cw.f32(tx.w) };
    return [step('f32_resize_cubic_nhwc', { ...common, ...tables }, range, range * y.w * y.c * 31), ...fill()];
  }
  if (desc.mode !== 'linear') throw new Error(`resize: mode '${desc.mode}' is not supported`);
  const ty = linearTable(desc.coordMode, x.h, y.h, sh, ry);
  const tx = linearTable(desc.coordMode, x.w, y.w, sw, rx);
  const tables = { yIdx: cw.i32(ty.idx), yW: cw.f32(ty.w), xIdx: cw.i32(tx.idx), xW: cw.f32(tx.w) };
  return [step('f32_resize_bilinear_nhwc', { ...common, ...tables }, range, range * y.w * y.c * 9), ...fill()];
}
