// Host side of the GEMM kernel family (assembly/gemm.ts): weight prepacking and lowering to Steps.
import type { Activation, ConstWriter, Step } from './types.js';
import { step } from '../abi.js';

/** The GEMM family: one 4x8 microkernel (assembly/simd.ts) behind two entry points, one weight packing. */
export const GEMM = {
  /** Rows per microkernel tile: a pool splits a GEMM Step's range on multiples of it (a partial tile
   * streams every weight, as a whole one does). */
  mr: 4,
  /** Output columns per packed block, the microkernel's tile width. */
  nr: 8,
  /** Rows of A read directly (1x1 convolution over NHWC pixels, fully-connected layers). */
  direct: 'f32_gemm_4x8',
  /** Rows of A gathered through an indirection buffer, one pointer per tap (KxK convolution). */
  indirect: 'f32_igemm_4x8',
  pack: packBlocked,
} as const;

/**
 * Packs weights for the gemm/igemm microkernels: ceil(n/8) blocks, each 8 bias floats then k rows of 8
 * weights; W[kk][col] is `src[first + col * colStride + (kIndex ? kIndex[kk] : kk)]`. Columns ≥ n are
 * zero. Returns (k + 1) * 8 * ceil(n/8) floats. A plain index walk, no callback per weight: prepacking
 * is most of a session's create time (mobilenet_v2: 3.5M weights).
 */
export function packBlocked(n: number, k: number, src: Float32Array, first: number, colStride: number, kIndex?: Int32Array, bias?: Float32Array): Float32Array {
  if (!(n >= 1 && k >= 1)) throw new Error(`packBlocked: n (${n}) and k (${k}) must be ≥ 1`);
  if (bias && bias.length < n) throw new Error(`packBlocked: bias has ${bias.length} values, need ${n}`);
  const nr = GEMM.nr, blocks = Math.ceil(n / nr), blockLen = (k + 1) * nr;
  const out = new Float32Array(blocks * blockLen);
  for (let b = 0; b < blocks; b++) {
    const base = b * blockLen;
    const cols = Math.min(nr, n - b * nr);
    for (let j = 0; j < cols; j++) {
      const col = b * nr + j, c0 = first + col * colStride;
      if (bias) out[base + j] = bias[col];
      let p = base + nr + j;
      if (kIndex) for (let kk = 0; kk < k; kk++, p += nr) out[p] = src[c0 + kIndex[kk]];
      else for (let kk = 0; kk < k; kk++, p += nr) out[p] = src[c0 + kk];
    }
  }
  return out;
}

/** Packs GEMM weights given as [n][k] (row = output column, like ONNX Gemm with transB=1 / FC layers). */
export function packGemmWeights(weights: Float32Array, k: number, n: number, bias?: Float32Array): Float32Array {
  if (weights.length !== n * k) throw new Error(`packGemmWeights: weights have ${weights.length} values, expected ${n}x${k}`);
  return packBlocked(n, k, weights, 0, k, undefined, bias);
}

/** The matrix-vector kernel of one-row GEMMs (assembly/gemv.ts): groups of 32 output columns, one stream each. */
export const GEMV = { kernel: 'f32_gemv', group: 32, pack: packGemv } as const;

/**
 * Packs [n][k] weights (+ bias) for f32_gemv: groups of 32 columns, group g packed wg = min(32, roundUp8(n - 32g))
 * floats wide: a row of bias, then k rows of weights (W[kk][32g + j] at (1 + kk) * wg + j), columns ≥ n zero.
 * Full groups are (k + 1) * 32 floats, so group g starts at g * (k + 1) * 32.
 */
export function packGemv(weights: Float32Array, k: number, n: number, bias?: Float32Array): Float32Array {
  if (weights.length !== n * k) throw new Error(`packGemv: weights have ${weights.length} values, expected ${n}x${k}`);
  const G = GEMV.group, groups = Math.ceil(n / G);
  const lastW = Math.min(G, Math.ceil((n - (groups - 1) * G) / 8) * 8);
  const out = new Float32Array((groups - 1) * (k + 1) * G + (k + 1) * lastW);
  for (let g = 0; g < groups; g++) {
    const base = g * (k + 1) * G, col0 = g * G, wg = g === groups - 1 ? lastW : G, cols = Math.min(G, n - col0);
    for (let j = 0; j < cols; j++) {
      const col = col0 + j, src = col * k;
      if (bias) out[base + j] = bias[col];
      let p = base + wg + j;
      for (let kk = 0; kk < k; kk++, p += wg) out[p] = weights[src + kk];
    }
  }
  return out;
}

export interface GemmDesc {
  /** [n][k]: row `o` holds the k weights of output `o`. */
  weights: Float32Array;
  bias?: Float32Array;
  k: number;
  n: number;
  act: Activation;
}

/**
 * y[m, 0:n] = act(x[m, 0:k] · Wᵀ + bias + residual[m, 0:n]) for m < x.rows. Strides are in floats.
 * One row (a batch-1 FC): one Step of `f32_gemv`, range = groups of 32 output columns (threads split the
 * columns). More rows: one Step of `f32_gemm_4x8`, range = rows. (It shares its microkernel with
 * `f32_igemm_4x8`, but reads A's rows directly: an igemm Step over a row-pointer buffer measured 10–13%
 * slower, docs/DESIGN.md.)
 */
export function lowerGemm(
  desc: GemmDesc,
  x: { ptr: number; rows: number; stride: number },
  y: { ptr: number; stride: number },
  residual: { ptr: number; stride: number } | null,
  cw: ConstWriter,
): Step[] {
  const { k, n, act } = desc;
  if (x.stride < k) throw new Error(`lowerGemm: input row stride ${x.stride} < k ${k}`);
  if (y.stride < n) throw new Error(`lowerGemm: output row stride ${y.stride} < n ${n}`);
  if (residual && residual.stride < n) throw new Error(`lowerGemm: residual row stride ${residual.stride} < n ${n}`);
  if (x.rows < 1) return [];
  if (x.rows === 1) {
    const w = cw.f32(GEMV.pack(desc.weights, k, n, desc.bias));
    return [step(GEMV.kernel, { x: x.ptr, w, y: y.ptr, r: residual ? residual.ptr : 0, k, n, act: act.kind, p0: act.p0, p1: act.p1 },
      Math.ceil(n / GEMV.group), 2 * k * n, undefined, 4 * k * n)]; // it streams its weights: their bytes count as work
  }
  const w = cw.f32(packGemmWeights(desc.weights, k, n, desc.bias));
  return [step(GEMM.direct, {
    a: x.ptr, aStride: x.stride, w, c: y.ptr, cStride: y.stride, r: residual ? residual.ptr : 0, rStride: residual ? residual.stride : 0,
    k, n, act: act.kind, p0: act.p0, p1: act.p1,
  }, x.rows, 2 * x.rows * k * n, GEMM.mr)];
}
