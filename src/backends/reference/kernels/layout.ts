// Plain-TypeScript reference transposes (dense row-major tensors).

/** y = x.transpose(perm): y's axis k is x's axis perm[k]. Returns y (dense) and its dims. */
export function refTranspose(x: ArrayLike<number>, dims: readonly number[], perm: readonly number[]): { y: Float32Array; dims: number[] } {
  const r = dims.length;
  const ydims = perm.map((p) => dims[p]);
  const total = dims.reduce((a, b) => a * b, 1);
  const xs = new Array(r).fill(1);
  for (let i = r - 2; i >= 0; i--) xs[i] = xs[i + 1] * dims[i + 1];
  const y = new Float32Array(total);
  const idx = new Array(r).fill(0);
  for (let i = 0; i < total; i++) {
    let q = i;
    for (let k = r - 1; k >= 0; k--) { idx[k] = q % ydims[k]; q = Math.floor(q / ydims[k]); }
    let src = 0;
    for (let k = 0; k < r; k++) src += idx[k] * xs[perm[k]];
    y[i] = x[src];
  }
  return { y, dims: ydims };
}
