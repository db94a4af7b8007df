// Plain-TypeScript references for the element-wise kernels (float64).
import type { ActFn } from '../../../model/activation.js';

export type RefOp = 'add' | 'sub' | 'mul' | 'div' | 'prelu' | 'pow' | 'min' | 'max';
const OPS: Record<RefOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b, div: (a, b) => a / b,
  prelu: (a, b) => (a < 0 ? a * b : a), pow: Math.pow,
  // NaN propagates (as Math.min/max and the wasm f32.min/max do)
  min: Math.min, max: Math.max,
};

/** Numpy broadcasting of two shapes (right-aligned; 1 stretches). */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const da = a[i - (r - a.length)] ?? 1, db = b[i - (r - b.length)] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`shapes [${a}] and [${b}] do not broadcast`);
    out.push(Math.max(da, db));
  }
  return out;
}

/** y = act(a op b) with numpy broadcasting over dense row-major tensors; returns y in the broadcast shape. */
export function refBinary(op: RefOp, a: ArrayLike<number>, aDims: readonly number[], b: ArrayLike<number>, bDims: readonly number[], act: ActFn): { y: Float64Array; dims: number[] } {
  const dims = broadcastShape(aDims, bDims);
  const r = dims.length;
  const total = dims.reduce((p, d) => p * d, 1);
  const y = new Float64Array(total);
  const index = (idx: number[], d: readonly number[]) => {
    let k = 0;
    for (let i = 0; i < d.length; i++) k = k * d[i] + (d[i] === 1 ? 0 : idx[i + r - d.length]);
    return k;
  };
  const idx = new Array(r).fill(0);
  for (let i = 0; i < total; i++) {
    let q = i;
    for (let k = r - 1; k >= 0; k--) { idx[k] = q % dims[k]; q = Math.floor(q / dims[k]); }
    y[i] = act(OPS[op](a[index(idx, aDims)], b[index(idx, bDims)]));
  }
  return { y, dims };
}

/** y[n][c][..] = act(x[n][c][..] * scale[c] + shift[c]) over NCHW (spatial = h*w). */
export function refScaleShift(x: ArrayLike<number>, n: number, c: number, spatial: number, scale: ArrayLike<number>, shift: ArrayLike<number>, act: ActFn): Float64Array {
  const y = new Float64Array(n * c * spatial);
  for (let i = 0; i < n; i++) for (let ch = 0; ch < c; ch++) for (let s = 0; s < spatial; s++) {
    const k = (i * c + ch) * spatial + s;
    y[k] = act(x[k] * scale[ch] + shift[ch]);
  }
  return y;
}
