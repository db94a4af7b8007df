// f32 indirect GEMM (XNNPACK's igemm): general 2-D convolution over NHWC, any kernel size, per-axis
// stride, asymmetric padding, dilation and groups (one call per group).
//
// Indirection buffer (built by src/kernels/conv.ts at plan time): for output pixel p and tap t
// (t = ky*KW + kx), ind[p*taps + t] is the absolute byte address of input pixel (n, iy, ix)'s channel 0,
// or the address of a shared zero buffer for padding taps. `inOffset` (bytes) is added to every pointer
// to select the group's input channel slice; the zero buffer is at least Cin floats long, so it stays zero.
//
// Packed weights: ceil(N/8) blocks of 8 output channels; block b holds 8 bias floats then taps*kc rows of
// 8 weights, row (t*kc + ci) = W[8b+j][ci][ky][kx] for column j; columns >= N are zero.
// Microkernel: 6 output pixels x 8 output channels (12 v128 accumulators), taps outer, channels inner;
// shared with f32_gemm_4x8: assembly/simd.ts gemm4x8Simd / gemm8Scalar with `indirect` = true.
import { gemm4x8Simd, gemm8Scalar } from './simd';

/**
 * Convolution by indirect GEMM, output pixels p in [begin, end) (range: N*OH*OW output pixels).
 * ind: indirection buffer, `taps` i32 addresses per output pixel; inOffset: bytes added to every address
 * (group's input channel offset); kc: input channels per group (≥ 1); w: packed weights+bias (top of
 * file); c: output, pixel p at c + p*cStride floats (already offset to the group's channel slice);
 * r: residual (0 = none), pixel stride rStride floats; n: output channels of this call (≥ 1).
 */
export function f32_igemm_4x8(
  ind: i32, taps: i32, inOffset: i32, kc: i32, w: i32, c: i32, cStride: i32, r: i32, rStride: i32,
  n: i32, act: i32, p0: f32, p1: f32, begin: i32, end: i32,
): void {
  if (ASC_FEATURE_SIMD) {
    gemm4x8Simd(true, <usize>ind, <usize>taps << 2, taps, <usize>inOffset, kc, <usize>w, <usize>c, <usize>cStride << 2,
      <usize>r, <usize>rStride << 2, n, act, p0, p1, begin, end);
  } else {
    gemm8Scalar(true, <usize>ind, <usize>taps << 2, taps, <usize>inOffset, kc, <usize>w, <usize>c, <usize>cStride << 2,
      <usize>r, <usize>rStride << 2, n, act, p0, p1, begin, end);
  }
}
