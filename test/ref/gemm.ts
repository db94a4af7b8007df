// Plain-TypeScript references for the GEMM family, computed in float64 with obviously-correct loops.
import { ActKind, type Activation } from '../../src/kernels/types.js';

/** The activation codes of assembly/activation.ts, in float64. */
export function refAct(x: number, act: Activation): number {
  switch (act.kind) {
    case ActKind.None: return x;
    case ActKind.Relu: return Math.max(x, 0);
    case ActKind.Clip: return Math.min(Math.max(x, act.p0), act.p1);
    case ActKind.LeakyRelu: return x < 0 ? act.p0 * x : x;
    case ActKind.Sigmoid: return 1 / (1 + Math.exp(-x));
    case ActKind.Tanh: return Math.tanh(x);
    case ActKind.HardSigmoid: return Math.min(Math.max(act.p0 * x + act.p1, 0), 1);
    case ActKind.HardSwish: return x * Math.min(Math.max(x / 6 + 0.5, 0), 1);
    default: throw new Error(`refAct: unknown activation ${act.kind}`);
  }
}

/**
 * y[m][o] = act(sum_k a[m][k] * w[o][k] + bias[o] + residual[m][o]); a is m x k, w is n x k (row o = output o),
 * residual m x n (all dense, row-major). Returns m x n.
 */
export function refGemm(
  a: Float32Array, w: Float32Array, bias: Float32Array | undefined, residual: Float32Array | null,
  m: number, k: number, n: number, act: Activation,
): Float64Array {
  const y = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let o = 0; o < n; o++) {
      let s = 0;
      for (let kk = 0; kk < k; kk++) s += a[i * k + kk] * w[o * k + kk];
      if (bias) s += bias[o];
      if (residual) s += residual[i * n + o];
      y[i * n + o] = refAct(s, act);
    }
  }
  return y;
}
