// Plain-TypeScript reference reductions, softmax-like operators and normalizations over any axes of a
// dense NCHW (row-major) tensor, in float64. The oracle of the wasm and WebGPU kernels.

const stridesOf = (d: readonly number[]): number[] => {
  const s = new Array(d.length).fill(1);
  for (let i = d.length - 2; i >= 0; i--) s[i] = s[i + 1] * d[i + 1];
  return s;
};

/** For every index of the kept axes (row-major over them), the flat offsets of its reduced elements, in logical order. */
export function reductionSets(dims: readonly number[], reduced: ReadonlySet<number>): number[][] {
  const st = stridesOf(dims);
  const outer = dims.map((d, i) => (reduced.has(i) ? 1 : d)), inner = dims.map((d, i) => (reduced.has(i) ? d : 1));
  const walk = (ds: number[]): number[] => {
    const out: number[] = [];
    const idx = new Array(ds.length).fill(0);
    const n = ds.reduce((a, b) => a * b, 1);
    for (let k = 0; k < n; k++) {
      out.push(idx.reduce((s, v, d) => s + v * st[d], 0));
      for (let d = ds.length - 1; d >= 0; d--) { if (++idx[d] < ds[d]) break; idx[d] = 0; }
    }
    return out;
  };
  const inn = walk(inner);
  return walk(outer).map((o) => inn.map((i) => o + i));
}

export type RefReduceOp = 'ReduceMean' | 'ReduceSum' | 'ReduceMax' | 'ReduceMin' | 'ReduceProd' | 'ReduceL1' | 'ReduceL2' | 'ReduceLogSum' | 'ReduceLogSumExp' | 'ReduceSumSquare';

/** One value per kept index (row-major), of `op` over the `reduced` axes. */
export function refReduce(op: RefReduceOp, x: ArrayLike<number>, dims: readonly number[], reduced: ReadonlySet<number>): Float64Array {
  const sets = reductionSets(dims, reduced);
  return Float64Array.from(sets, (set) => {
    const v = set.map((o) => x[o]);
    switch (op) {
      case 'ReduceSum': return v.reduce((a, b) => a + b, 0);
      case 'ReduceMean': return v.reduce((a, b) => a + b, 0) / v.length;
      case 'ReduceMax': return v.reduce((a, b) => Math.max(a, b), -Infinity);
      case 'ReduceMin': return v.reduce((a, b) => Math.min(a, b), Infinity);
      case 'ReduceProd': return v.reduce((a, b) => a * b, 1);
      case 'ReduceL1': return v.reduce((a, b) => a + Math.abs(b), 0);
      case 'ReduceL2': return Math.sqrt(v.reduce((a, b) => a + b * b, 0));
      case 'ReduceSumSquare': return v.reduce((a, b) => a + b * b, 0);
      case 'ReduceLogSum': return Math.log(v.reduce((a, b) => a + b, 0));
      case 'ReduceLogSumExp': { const m = Math.max(...v); return m + Math.log(v.reduce((a, b) => a + Math.exp(b - m), 0)); }
    }
  });
}

/** Softmax, LogSoftmax or Hardmax (first maximum in logical order) over the `reduced` axes, in place of x's elements. */
export function refSoftmaxLike(op: 'Softmax' | 'LogSoftmax' | 'Hardmax', x: ArrayLike<number>, dims: readonly number[], reduced: ReadonlySet<number>): Float64Array {
  const y = new Float64Array(x.length);
  for (const set of reductionSets(dims, reduced)) {
    let m = -Infinity, arg = 0;
    set.forEach((o, k) => { if (x[o] > m) { m = x[o]; arg = k; } });
    if (op === 'Hardmax') { set.forEach((o, k) => { y[o] = k === arg ? 1 : 0; }); continue; }
    const s = set.reduce((a, o) => a + Math.exp(x[o] - m), 0);
    for (const o of set) y[o] = op === 'Softmax' ? Math.exp(x[o] - m) / s : x[o] - m - Math.log(s);
  }
  return y;
}

/**
 * (x - mean) / sqrt(var + eps) · scale + bias over the `reduced` axes (population variance), or with
 * `epsOutside` (MeanVarianceNormalization's function body) / (sqrt(var) + eps). `scale(o)`, `bias(o)`:
 * the factor and offset of the element at flat offset o.
 */
export function refNormalize(x: ArrayLike<number>, dims: readonly number[], reduced: ReadonlySet<number>, eps: number, epsOutside: boolean,
  scale: (o: number) => number, bias: (o: number) => number): Float64Array {
  const y = new Float64Array(x.length);
  for (const set of reductionSets(dims, reduced)) {
    const mean = set.reduce((a, o) => a + x[o], 0) / set.length;
    const v = set.reduce((a, o) => a + (x[o] - mean) ** 2, 0) / set.length;
    const inv = epsOutside ? 1 / (Math.sqrt(v) + eps) : 1 / Math.sqrt(v + eps);
    for (const o of set) y[o] = (x[o] - mean) * inv * scale(o) + bias(o);
  }
  return y;
}

/** LRN across channels (axis 1): y = x / (bias + alpha/size · Σ x²)^beta over channels [c - ⌊(size-1)/2⌋, c + ⌈(size-1)/2⌉]. */
export function refLrn(x: ArrayLike<number>, dims: readonly number[], size: number, alpha: number, beta: number, bias: number): Float64Array {
  const [n, c] = dims, inner = dims.slice(2).reduce((a, b) => a * b, 1);
  const y = new Float64Array(x.length);
  const lo = Math.floor((size - 1) / 2), hi = Math.ceil((size - 1) / 2);
  for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let p = 0; p < inner; p++) {
    let s = 0;
    for (let k = Math.max(0, ch - lo); k <= Math.min(c - 1, ch + hi); k++) s += x[(b * c + k) * inner + p] ** 2;
    const o = (b * c + ch) * inner + p;
    y[o] = x[o] / (bias + (alpha / size) * s) ** beta;
  }
  return y;
}
