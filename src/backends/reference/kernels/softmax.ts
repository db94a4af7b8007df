// Plain-TypeScript reference softmax over the last axis of [rows][n] (float64).
export function refSoftmax(x: ArrayLike<number>, rows: number, n: number): Float64Array {
  const y = new Float64Array(rows * n);
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (let j = 0; j < n; j++) m = Math.max(m, x[r * n + j]);
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.exp(x[r * n + j] - m);
    for (let j = 0; j < n; j++) y[r * n + j] = Math.exp(x[r * n + j] - m) / s;
  }
  return y;
}
