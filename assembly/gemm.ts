// f32 GEMM with a fused epilogue: C[m, :] = act(A[m, :] · W + bias + R[m, :]).
// A 1x1 stride-1 unpadded convolution over NHWC is this GEMM (M = N*H*W, K = Cin, N = Cout), FC is M = batch.
//
// Packed weights (src/kernels/gemm.ts packGemmWeights): ceil(N/8) blocks of 8 output columns; block b holds
// 8 bias floats then K rows of 8 weights: w[b][0][j] = bias[8b+j], w[b][1+k][j] = W[k][8b+j]; columns ≥ N
// are zero. A block is (K + 1) * 8 floats long.
//
// The microkernel (4 rows x 8 columns) is shared with f32_igemm_4x8: assembly/simd.ts gemm4x8Simd /
// gemm8Scalar with `indirect` = false, i.e. an indirect GEMM of one tap whose row pointers are A's rows.
import { gemm4x8Simd, gemm8Scalar } from './simd';

/**
 * C[m, 0:n] = act(A[m, 0:k] · W + bias + R[m, 0:n]) for rows m in [begin, end) (range: M rows).
 * a: A, row m at a + m*aStride floats; w: packed weights+bias (see top of file); c: output, row stride cStride
 * floats; r: residual (0 = none), row stride rStride floats. k ≥ 1, n ≥ 1. act/p0/p1: activation code and
 * parameters (assembly/activation.ts).
 */
export function f32_gemm_4x8(
  a: i32, aStride: i32, w: i32, c: i32, cStride: i32, r: i32, rStride: i32,
  k: i32, n: i32, act: i32, p0: f32, p1: f32, begin: i32, end: i32,
): void {
  if (ASC_FEATURE_SIMD) {
    gemm4x8Simd(false, <usize>a, <usize>aStride << 2, 1, 0, k, <usize>w, <usize>c, <usize>cStride << 2, <usize>r,
      <usize>rStride << 2, n, act, p0, p1, begin, end);
  } else {
    gemm8Scalar(false, <usize>a, <usize>aStride << 2, 1, 0, k, <usize>w, <usize>c, <usize>cStride << 2, <usize>r,
      <usize>rStride << 2, n, act, p0, p1, begin, end);
  }
}
