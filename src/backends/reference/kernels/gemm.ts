// Plain-TypeScript references for the GEMM family, computed in float64 with obviously-correct loops.
import type { ActFn } from '../../../model/activation.js';

/**
 * y[m][o] = act(sum_k a[m][k] * w[o][k] + bias[o] + residual[m][o]); a is m x k, w is n x k (row o = output o),
 * residual m x n (all dense, row-major). Returns m x n.
 */
export function refGemm(
  a: Float32Array, w: Float32Array, bias: Float32Array | undefined, residual: Float32Array | null,
  m: number, k: number, n: number, act: ActFn,
): Float64Array {
  const y = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let o = 0; o < n; o++) {
      let s = 0;
      for (let kk = 0; kk < k; kk++) s += a[i * k + kk] * w[o * k + kk];
      if (bias) s += bias[o];
      if (residual) s += residual[i * n + o];
      y[i * n + o] = act(s);
    }
  }
  return y;
}
