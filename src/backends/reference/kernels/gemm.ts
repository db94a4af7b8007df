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

/**
 * numpy matmul of dense operands of rank ≥ 2: a [..., m, k] · b [..., k, n] → y [...batch, m, n] (`yd`), batch
 * dims broadcast (a dim of 1, or a missing leading one, repeats). Float64 sums in k order.
 */
export function refMatMul(a: ArrayLike<number>, ad: readonly number[], b: ArrayLike<number>, bd: readonly number[], yd: readonly number[]): Float64Array {
  const r = yd.length, m = yd[r - 2], n = yd[r - 1], k = ad[ad.length - 1];
  const batch = yd.slice(0, -2), nb = batch.reduce((p, d) => p * d, 1);
  const y = new Float64Array(nb * m * n);
  // element offset of batch index `bi` in an operand of dims `d` (its own batch dims right-aligned to `batch`)
  const base = (d: readonly number[], bi: number): number => {
    const own = d.slice(0, -2), mat = d[d.length - 2] * d[d.length - 1];
    let off = 0, stride = mat, rem = bi;
    for (let i = batch.length - 1; i >= 0; i--) {
      const idx = rem % batch[i]; rem = Math.floor(rem / batch[i]);
      const j = i - (batch.length - own.length);
      if (j >= 0) { if (own[j] !== 1) off += idx * stride; stride *= own[j]; }
    }
    return off;
  };
  for (let bi = 0; bi < nb; bi++) {
    const a0 = base(ad, bi), b0 = base(bd, bi), y0 = bi * m * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let kk = 0; kk < k; kk++) s += a[a0 + i * k + kk] * b[b0 + kk * n + j];
        y[y0 + i * n + j] = s;
      }
    }
  }
  return y;
}
