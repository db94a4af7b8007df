// Reductions, the softmax family, moments + normalize and LRN (assembly/reduce.ts via
// src/backends/wasm/kernels/reduce.ts) against the float64 reference kernels
// (src/backends/reference/kernels/reduce.ts), swept over ranks 1–5, odd sizes, random axis sets
// (non-adjacent ones included) and random physical layouts: any axis order in memory, gaps between
// rows (an NHWC pixel stride wider than C, a channel offset), NHWC with the channels innermost — so both
// the scalar walk and the SIMD path (four items side by side where the innermost kept axis is
// contiguous) run. The kernel tester also checks that nothing outside the output is written and that
// every partition of the range gives the same bytes.
//
// Tolerances (u = 2^-24 ≈ 6e-8, n = elements per reduced set, inputs in [-1, 1] unless said):
// - Max, Min, Hardmax: exact.
// - Sum, L1, SumSquare (float32 sums in walk order, four lanes never mixed): |error| ≤ γ_n·Σ|terms| ≈
//   n·u·Σ|terms| (the classic bound of recursive summation); Mean the same divided by n; rtol 1e-6 for
//   the final rounding. L2 = √SumSquare: all terms positive, so rtol n·u + 1e-6.
// - Prod: n roundings of a product, rtol (n + 2)·u.
// - LogSumExp = m + ln Σ e^(v−m): Σ ≥ 1 has relative error ≤ n·u + 2e-7 (exp), ln turns that into an
//   absolute error of the same size, plus ln's own ~1 ulp and the final addition: atol 3e-7 + n·u,
//   rtol 2e-7. Cancellation: m < 0 and ln Σ > 0 can cancel (m + ln Σ ≈ 0), where the relative error is
//   unbounded though the absolute one is not — hence an absolute term, not a relative bound.
//   LogSum: of positive inputs, atol 3e-7 + n·u, rtol 2e-7 likewise.
// - Softmax: atol 1e-7, rtol 2e-6 + n·1.5e-8 (the existing softmax's bound). LogSoftmax = (v − m) − ln Σ:
//   atol 3e-7 + n·u, rtol 1e-6 (the same cancellation between v − m ≤ 0 and ln Σ ≥ 0).
// - Normalize (LayerNorm and kin): the mean is a float32 sum (error ≈ n·u·mean|x|), the variance a
//   second pass over v − mean (no E[x²] − E[x]² cancellation). Inputs with an offset (|mean| ≫ std)
//   are the cancellation case: v − mean loses the digits the offset took, an absolute error of about
//   n·u·|mean| in the mean (γ_n bound of its sum), which reaches the output divided by the std and times
//   the scale: atol = 4e-6 + max|scale|·n·u·|mean|/std, rtol 2e-6, from each case's own data.
// - LRN: y = x / exp(β·ln t): ln and exp each ~1.5e-7 relative, amplified by β·|ln t|: rtol 1e-6, atol 1e-7.
// The measured worst ratio of |error| to the bound per operator is printed at the end.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelTester, type View } from '../helpers/kernel-tester.js';
import { assertClose } from '../helpers/harness.js';
import { refLrn, refNormalize, refReduce, refSoftmaxLike, reductionSets, type RefReduceOp } from '../../src/backends/reference/kernels/reduce.js';
import { lowerLrn, lowerNormalize, lowerReduce, lowerSoftmaxNd, REDUCE_OPS } from '../../src/backends/wasm/kernels/reduce.js';

const U = 2 ** -24;
const worst = new Map<string, number>();

/** assertClose, recording the worst |d| / (atol + rtol·|e|) under `label`. */
function measure(label: string, got: Float32Array, want: ArrayLike<number>, atol: number, rtol: number): void {
  let r = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]), b = atol + rtol * Math.abs(want[i]);
    if (b > 0) r = Math.max(r, d / b); else if (d > 0) r = Infinity;
  }
  worst.set(label, Math.max(worst.get(label) ?? 0, r));
}

type Rng = KernelTester['r'];

/** A random physical layout of `dims`: axes in a random memory order (or NHWC-like channels-innermost), gaps after some axes. */
function layout(r: Rng, dims: readonly number[], channelsInner = false): { strides: number[]; total: number; offset: number } {
  const order = [...dims.keys()];
  if (channelsInner && dims.length >= 2) { order.splice(1, 1); order.push(1); } else if (r.next() < 0.5) order.sort(() => r.next() - 0.5);
  const strides = new Array(dims.length).fill(0);
  let acc = 1;
  for (let k = order.length - 1; k >= 0; k--) {
    strides[order[k]] = acc;
    acc *= dims[order[k]] + (r.next() < 0.25 ? r.int(1, 2) : 0); // a gap: a wider row, like an NHWC pixel stride > C
  }
  const offset = r.next() < 0.3 ? r.int(1, 2) : 0;
  return { strides, total: acc + offset + 2, offset };
}

function place(t: KernelTester, dims: number[], data: ArrayLike<number> | null, channelsInner = false): View {
  const l = layout(t.r, dims, channelsInner);
  const v = t.allocStrided(l.total, dims, l.strides, l.offset);
  if (data) v.write(data);
  return v;
}

const randomDims = (r: Rng, rank: number) => Array.from({ length: rank }, () => r.pick([1, 2, 3, 5, 6, 7, 9]));
function randomAxes(r: Rng, rank: number): Set<number> {
  const s = new Set<number>();
  for (let d = 0; d < rank; d++) if (r.next() < 0.5) s.add(d);
  if (!s.size) s.add(r.int(0, rank - 1));
  return s;
}

const OPS = Object.keys(REDUCE_OPS) as RefReduceOp[];

function reduceTol(op: RefReduceOp, n: number, x: ArrayLike<number>, dims: number[], axes: Set<number>): { atol: number; rtol: number } {
  const absSum = Math.max(0, ...refReduce(op === 'ReduceL2' || op === 'ReduceSumSquare' ? 'ReduceSumSquare' : 'ReduceL1', x, dims, axes));
  switch (op) {
    case 'ReduceMax': case 'ReduceMin': return { atol: 0, rtol: 0 };
    case 'ReduceSum': case 'ReduceL1': case 'ReduceSumSquare': return { atol: n * U * absSum, rtol: 1e-6 };
    case 'ReduceMean': return { atol: U * absSum, rtol: 1e-6 };
    case 'ReduceL2': return { atol: 0, rtol: n * U + 1e-6 };
    case 'ReduceProd': return { atol: 1e-38, rtol: (n + 2) * U };
    default: return { atol: 3e-7 + n * U, rtol: 2e-7 }; // LogSum, LogSumExp
  }
}

KernelTester.each('reduce', 'every op, ranks 1–5, random axes and layouts, partitions', (t) => {
  const r = t.r;
  for (let trial = 0; trial < 60; trial++) {
    const rank = 1 + (trial % 5);
    const dims = randomDims(r, rank);
    const axes = randomAxes(r, rank);
    const op = OPS[trial % OPS.length];
    const keep = r.next() < 0.5;
    const n = [...axes].reduce((a, d) => a * dims[d], 1);
    t.reset();
    const total = dims.reduce((a, b) => a * b, 1);
    const x = op === 'ReduceLogSum' ? Float32Array.from({ length: total }, () => 0.1 + r.next()) : op === 'ReduceProd' ? Float32Array.from({ length: total }, () => (r.next() < 0.5 ? -1 : 1) * (0.6 + r.next() * 0.8)) : r.floats(total, op === 'ReduceLogSumExp' ? 8 : 1);
    const X = place(t, dims, x, rank === 4 && r.next() < 0.5);
    const ydims = keep ? dims.map((d, k) => (axes.has(k) ? 1 : d)) : dims.filter((_, k) => !axes.has(k));
    const Y = place(t, ydims, null);
    let k = 0;
    const yAxis = dims.map((_, d) => (axes.has(d) ? (keep ? (k++, 0) : 0) : Y.strides[k++]));
    const want = refReduce(op, x, dims, axes);
    const tol = reduceTol(op, n, x, dims, axes);
    const what = `${t.flavor} ${op} [${dims}] axes [${[...axes]}] keepdims ${keep} x strides [${X.strides}] y strides [${Y.strides}]`;
    t.check(lowerReduce(op, X.ptr, Y.ptr, { dims, reduced: axes, x: X.strides, y: yAxis }, t.cw), Y, want, tol, what);
    measure(op, Y.read(), want, tol.atol, tol.rtol);
  }
  // NHWC reduced over H and W (and N): the vectorized path across channels, C not a multiple of 4
  for (const [nn, c, h, w] of [[1, 7, 3, 5], [2, 13, 4, 3], [1, 4, 1, 1], [3, 9, 2, 2]]) for (const op of OPS) {
    t.reset();
    const dims = [nn, c, h, w], axes = new Set([0, 2, 3]);
    const x = op === 'ReduceLogSum' ? Float32Array.from({ length: nn * c * h * w }, () => 0.1 + r.next()) : r.floats(nn * c * h * w, 1);
    const X = t.putNhwc(x, nn, c, h, w, c + 3, 1), Y = t.allocDense(c);
    const want = refReduce(op, x, dims, axes), tol = reduceTol(op, nn * h * w, x, dims, axes);
    t.check(lowerReduce(op, X.ptr, Y.ptr, { dims, reduced: axes, x: X.strides, y: [0, 1, 0, 0] }, t.cw), Y, want, tol, `${t.flavor} ${op} NHWC [${dims}] over N, H, W`);
    measure(op, Y.read(), want, tol.atol, tol.rtol);
  }
});

KernelTester.each('reduce', 'Softmax, LogSoftmax, Hardmax over any axes and layouts, in place', (t) => {
  const r = t.r;
  const modes = ['Softmax', 'LogSoftmax', 'Hardmax'] as const;
  for (let trial = 0; trial < 45; trial++) {
    const rank = 1 + (trial % 5), mode = modes[trial % 3];
    const dims = randomDims(r, rank);
    // opset 13: one axis; legacy: the trailing axes from one on
    const first = r.int(0, rank - 1);
    const axes = r.next() < 0.5 ? new Set([first]) : new Set(Array.from({ length: rank - first }, (_, i) => first + i));
    const total = dims.reduce((a, b) => a * b, 1), n = [...axes].reduce((a, d) => a * dims[d], 1);
    t.reset();
    // Hardmax ties: values from a few levels, so the first maximum in logical order matters
    const x = mode === 'Hardmax' ? Float32Array.from({ length: total }, () => r.int(0, 3)) : r.floats(total, 6);
    const X = place(t, dims, x, rank === 4 && r.next() < 0.5), Y = place(t, dims, null, rank === 4 && r.next() < 0.5);
    const want = refSoftmaxLike(mode, x, dims, axes);
    const tol = mode === 'Hardmax' ? { atol: 0, rtol: 0 } : mode === 'Softmax' ? { atol: 1e-7, rtol: 2e-6 + n * 1.5e-8 } : { atol: 3e-7 + n * U, rtol: 1e-6 };
    const what = `${t.flavor} ${mode} [${dims}] axes [${[...axes]}] x strides [${X.strides}] y strides [${Y.strides}]`;
    t.check(lowerSoftmaxNd(mode, X.ptr, Y.ptr, { dims, reduced: axes, x: X.strides, y: Y.strides }, t.cw), Y, want, tol, what);
    measure(mode, Y.read(), want, tol.atol, tol.rtol);
    // in place (x == y, same strides; a contiguous softmax row may take f32_softmax here, so compared with the reference, not bitwise)
    t.run(lowerSoftmaxNd(mode, X.ptr, X.ptr, { dims, reduced: axes, x: X.strides, y: X.strides }, t.cw), t.cuts);
    assertClose(X.read(), want, tol.atol, tol.rtol, `${what}: in place`);
  }
  // NHWC over H (the "any axis"): four channels side by side
  for (const mode of modes) {
    t.reset();
    const [nn, c, h, w] = [2, 11, 5, 3], dims = [nn, c, h, w], axes = new Set([2]);
    const x = mode === 'Hardmax' ? Float32Array.from({ length: nn * c * h * w }, () => r.int(0, 2)) : r.floats(nn * c * h * w, 4);
    const X = t.putNhwc(x, nn, c, h, w, 13, 2), Y = t.allocNhwc(nn, c, h, w);
    const want = refSoftmaxLike(mode, x, dims, axes);
    const tol = mode === 'Hardmax' ? { atol: 0, rtol: 0 } : { atol: 3e-7 + h * U, rtol: 2e-6 };
    t.check(lowerSoftmaxNd(mode, X.ptr, Y.ptr, { dims, reduced: axes, x: X.strides, y: Y.strides }, t.cw), Y, want, tol, `${t.flavor} ${mode} NHWC over H`);
    measure(mode, Y.read(), want, tol.atol, tol.rtol);
  }
});

KernelTester.each('reduce', 'normalize: per-channel, per-element and broadcast scale/bias, offset data (cancellation)', (t) => {
  const r = t.r;
  for (let trial = 0; trial < 40; trial++) {
    const rank = 2 + (trial % 4);
    const dims = randomDims(r, rank);
    const axes = randomAxes(r, rank);
    const total = dims.reduce((a, b) => a * b, 1), n = [...axes].reduce((a, d) => a * dims[d], 1);
    t.reset();
    const offset = trial % 3 === 0 ? 20 : 0; // |mean| ≫ std: the cancellation case
    const x = r.floats(total, 1).map((v) => v + offset);
    const X = place(t, dims, x, rank === 4 && r.next() < 0.5), Y = place(t, dims, null);
    // scale and bias: dense over a random subset of the axes (broadcast elsewhere), each its own
    const param = () => {
      const on = dims.map(() => r.next() < 0.5);
      const pd = dims.map((d, k) => (on[k] ? d : 1));
      const data = r.floats(pd.reduce((a, b) => a * b, 1), 2);
      const st = new Array(dims.length).fill(0);
      let acc = 1;
      for (let k = dims.length - 1; k >= 0; k--) { if (on[k]) st[k] = acc; acc *= pd[k]; }
      const at = (o: number) => { let p = 0, q = o; for (let k = dims.length - 1; k >= 0; k--) { p += (q % dims[k]) * st[k]; q = Math.floor(q / dims[k]); } return p; };
      return { data, st, at };
    };
    const S = param(), B = param();
    const eps = r.pick([1e-5, 1e-3, 0.5]), outside = trial % 5 === 4;
    const want = refNormalize(x, dims, axes, eps, outside, (o) => S.data[S.at(o)], (o) => B.data[B.at(o)]);
    // the data's own mean/std ratio per set (float64)
    let ratio = 0;
    for (const set of reductionSets(dims, axes)) {
      const m = set.reduce((a, o) => a + x[o], 0) / set.length;
      const sd = Math.sqrt(set.reduce((a, o) => a + (x[o] - m) ** 2, 0) / set.length + eps);
      ratio = Math.max(ratio, Math.abs(m) / sd);
    }
    // the mean's float32 sum errs by at most n·u·Σ|x| = n·u·n·|mean|, i.e. n·u·|mean| in the mean, which
    // reaches the output divided by the std and times the scale
    const maxScale = Math.max(...S.data.map(Math.abs));
    const tol = { atol: 4e-6 + maxScale * n * U * ratio, rtol: 2e-6 };
    const what = `${t.flavor} normalize [${dims}] axes [${[...axes]}] offset ${offset} eps ${eps}${outside ? ' outside' : ''} x strides [${X.strides}]`;
    t.check(lowerNormalize(X.ptr, Y.ptr, { dims, reduced: axes, x: X.strides, y: Y.strides, s: S.st, b: B.st }, t.put(S.data), t.put(B.data), eps, outside, t.cw), Y, want, tol, what);
    measure(offset ? 'normalize, offset 20' : 'normalize', Y.read(), want, tol.atol, tol.rtol);
  }
});

KernelTester.each('reduce', 'LRN: odd and even sizes, ranks 3–5, NHWC and dense', (t) => {
  const r = t.r;
  for (const [dims, size] of [[[1, 7, 3, 4], 3], [[2, 9, 2, 3], 4], [[1, 13, 2, 2], 5], [[2, 6, 7], 5], [[1, 3, 2, 2, 3], 2], [[1, 5, 3, 3], 1], [[1, 4, 2, 2], 9], [[2, 21, 3, 1], 6]] as [number[], number][]) for (const inner of [false, true]) {
    if (inner && dims.length !== 4) continue;
    t.reset();
    const total = dims.reduce((a, b) => a * b, 1);
    const x = r.floats(total, 2);
    const alpha = r.pick([1e-4, 0.1, 1]), beta = r.pick([0.75, 0.5, 1.3]), bias = r.pick([1, 2, 0.5]);
    const X = place(t, dims, x, inner), Y = place(t, dims, null, inner);
    const want = refLrn(x, dims, size, alpha, beta, bias);
    const what = `${t.flavor} LRN [${dims}] size ${size} x strides [${X.strides}]`;
    const tol = { atol: 1e-7, rtol: 1e-6 };
    t.check(lowerLrn(X.ptr, Y.ptr, { dims, reduced: new Set([1]), x: X.strides, y: Y.strides }, size, alpha, beta, bias, t.cw), Y, want, tol, what);
    measure('LRN', Y.read(), want, tol.atol, tol.rtol);
  }
});

// A contiguous innermost reduced dim of ≥ 8 floats (a dense last axis): the reductions' 4-lane sums and
// the element-wise vector bodies of softmax and normalize, with odd tails.
KernelTester.each('reduce', 'contiguous last axis: 4-lane reductions, vector write passes', (t) => {
  const r = t.r;
  for (const n of [8, 9, 13, 31, 64, 197]) {
    const dims = [3, n], axes = new Set([1]), last = { dims, reduced: axes, x: [n, 1], y: [n, 1] };
    for (const op of OPS) {
      t.reset();
      const x = op === 'ReduceLogSum' ? Float32Array.from({ length: 3 * n }, () => 0.1 + r.next()) : op === 'ReduceProd' ? Float32Array.from({ length: 3 * n }, () => 0.9 + 0.2 * r.next()) : r.floats(3 * n, 1);
      const X = t.putDense(x), Y = t.allocDense(3);
      const want = refReduce(op, x, dims, axes), tol = reduceTol(op, n, x, dims, axes);
      t.check(lowerReduce(op, X.ptr, Y.ptr, { ...last, y: [1, 0] }, t.cw), Y, want, tol, `${t.flavor} ${op} [3, ${n}] last axis`);
      measure(op, Y.read(), want, tol.atol, tol.rtol);
    }
    for (const mode of ['LogSoftmax', 'Softmax'] as const) {
      t.reset();
      const x = r.floats(3 * n, 6);
      const X = t.putDense(x), Y = t.allocDense(3 * n);
      const want = refSoftmaxLike(mode, x, dims, axes);
      const tol = mode === 'Softmax' ? { atol: 1e-7, rtol: 2e-6 + n * 1.5e-8 } : { atol: 3e-7 + n * U, rtol: 1e-6 };
      t.check(lowerSoftmaxNd(mode, X.ptr, Y.ptr, last, t.cw), Y, want, tol, `${t.flavor} ${mode} [3, ${n}] last axis`);
      measure(mode, Y.read(), want, tol.atol, tol.rtol);
    }
    for (const bcast of [false, true]) {
      t.reset();
      const x = r.floats(3 * n, 1).map((v) => v + 3);
      const sc = r.floats(n, 2), bi = r.floats(bcast ? 1 : n, 1);
      const X = t.putDense(x), Y = t.allocDense(3 * n);
      const want = refNormalize(x, dims, axes, 1e-5, false, (o) => sc[o % n], (o) => bi[bcast ? 0 : o % n]);
      const tol = { atol: 4e-6 + 2 * n * U * 6, rtol: 2e-6 };
      t.check(lowerNormalize(X.ptr, Y.ptr, { ...last, s: [0, 1], b: [0, bcast ? 0 : 1] }, t.put(sc), t.put(bi), 1e-5, false, t.cw), Y, want, tol, `${t.flavor} LayerNorm [3, ${n}]${bcast ? ' scalar bias' : ''}`);
      measure('normalize', Y.read(), want, tol.atol, tol.rtol);
    }
  }
});

// ln itself (assembly/reduce.ts log1/log4, reached as ReduceLogSum over one element, in the vector body
// and the scalar tail): from the smallest subnormal to FLT_MAX, near 1, 0 → −Inf, +Inf, negative → NaN.
KernelTester.each('reduce', 'table-free ln over the float range', (t) => {
  const xs: number[] = [0, Infinity, -1, NaN, 1, 1 + 2 ** -23, 1 - 2 ** -24, 2 ** -149, 2 ** -126, 3.4e38];
  for (let e = -149; e < 128; e += 0.37) xs.push(2 ** e);
  for (let k = 0; k < 2000; k++) xs.push(0.5 + k / 1000);
  t.reset();
  const x = Float32Array.from(xs), n = x.length;
  const X = t.putDense(x), Y = t.allocDense(n);
  t.run(lowerReduce('ReduceLogSum', X.ptr, Y.ptr, { dims: [n, 1], reduced: new Set([1]), x: [1, 1], y: [1, 0] }, t.cw));
  const got = Y.read();
  let worstRel = 0;
  for (let i = 0; i < n; i++) {
    const want = Math.log(x[i]);
    if (!Number.isFinite(want)) { assert.ok(Object.is(got[i], Math.fround(want)), `ln ${x[i]}: got ${got[i]}, expected ${want}`); continue; }
    const err = Math.abs(got[i] - want) / Math.max(Math.abs(want), 2 ** -24);
    worstRel = Math.max(worstRel, err);
  }
  // float32 rounding of the result alone is 6e-8 relative; Cephes logf is within about 2 ulp
  assert.ok(worstRel < 2.4e-7, `ln: worst relative error ${worstRel}`);
  worst.set('ln (relative error / 2.4e-7)', Math.max(worst.get('ln (relative error / 2.4e-7)') ?? 0, worstRel / 2.4e-7));
  t.count();
});

test('worst error per operator, as a fraction of its bound', () => {
  assert.ok(worst.size > 0);
  for (const [k, v] of [...worst].sort()) console.log(`    ${k}: worst ${v.toFixed(3)} of the bound`);
});

test.run();
