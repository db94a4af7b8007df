// Element-wise kernels (assembly/eltwise.ts via src/backends/wasm/kernels/eltwise.ts) against the reference kernels (src/backends/reference/kernels/eltwise.ts), every flavor.
// Tolerances:
// - ReLU, Clip, LeakyReLU, fill, copy: exact (compare with the float64 reference rounded to float32: one rounding).
// - HardSigmoid, HardSwish, scale+shift, add/sub/mul/div: 2 to 3 float32 roundings → atol 1e-6, rtol 1e-6.
// - Sigmoid, Tanh: table-free polynomial exp (assembly/activation.ts); measured max relative error < 4e-7
//   over [-90, 90] → rtol 2e-6; atol 1e-44 only for results in the float32 subnormal range (< 1.2e-38),
//   where float32 itself has only absolute precision 1.4e-45.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { flavors, KernelTester, EXACT, type Tol, type Rng } from '../helpers/kernel-tester.js';
import { rng } from '../helpers/rng.js';
import { refBinary, refScaleShift, type RefOp } from '../../src/backends/reference/kernels/eltwise.js';
import { actFn, refActivation } from '../helpers/activations.js';
import { lowerActivation, lowerBinary, lowerFill, lowerScaleShift, lowerCopy2d, coalesceDims } from '../../src/backends/wasm/kernels/eltwise.js';
import { ActKind, type Activation } from '../../src/backends/wasm/kernels/types.js';
import { ACTIVATION_CASES, EPILOGUE_CASES } from '../helpers/activations.js';

const ACTS = ACTIVATION_CASES;
const EXACT_ACTS = new Set([ActKind.None, ActKind.Relu, ActKind.Clip, ActKind.LeakyRelu, ActKind.ThresholdedRelu, ActKind.Sqrt, ActKind.Abs,
  ActKind.Neg, ActKind.Reciprocal, ActKind.Floor, ActKind.Ceil, ActKind.Round, ActKind.Sign]);

/** Per approximated code: the bound of the sweeps below (measured worst in the comments of ACCURACY). */
const APPROX_TOL: Partial<Record<ActKind, Tol>> = Object.fromEntries(Object.entries({
  [ActKind.Sigmoid]: { atol: 1e-44, rtol: 2e-6 }, [ActKind.Tanh]: { atol: 1e-44, rtol: 2e-6 },
  [ActKind.Exp]: { atol: 1e-44, rtol: 2e-6 }, [ActKind.Log]: { atol: 1e-44, rtol: 2e-6 },
  [ActKind.Elu]: { atol: 1e-44, rtol: 2e-6 }, [ActKind.Selu]: { atol: 1e-44, rtol: 2e-6 }, [ActKind.Celu]: { atol: 1e-44, rtol: 2e-6 },
  [ActKind.Softplus]: { atol: 1e-44, rtol: 2e-6 }, [ActKind.Softsign]: { atol: 1e-44, rtol: 1e-6 },
  // x·f(x) where f(x) is subnormal (x < −87): f's absolute precision 1.4e-45 times |x|
  [ActKind.Silu]: { atol: 1e-41, rtol: 2e-6 }, [ActKind.Mish]: { atol: 1e-41, rtol: 2e-6 },
  [ActKind.Erf]: { atol: 1e-44, rtol: 2e-6 },
  // GELU: 0.5·x·(1 + erf(x/√2)) cancels in the left tail (as onnxruntime's float32 does): absolute there
  [ActKind.Gelu]: { atol: 2e-6, rtol: 2e-6 }, [ActKind.GeluTanh]: { atol: 1e-6, rtol: 2e-6 },
}).map(([k, v]) => [k, { ...v, nonFinite: true }]));

/** The tolerance of activation `act` (see above); `exactAllowed` false when other float32 ops precede it. */
function actTol(act: Activation, exactAllowed = true): Tol {
  if (EXACT_ACTS.has(act.kind) && exactAllowed) return { ...EXACT, nonFinite: true };
  const t = APPROX_TOL[act.kind];
  if (!exactAllowed) return { atol: 1e-6, rtol: t ? t.rtol : 1e-6, nonFinite: true };
  return t ?? { atol: 1e-6, rtol: 1e-6, nonFinite: true };
}

const EPILOGUE_ACTS = EPILOGUE_CASES;

/** Binary ops: the activation's tolerance; pow (exp(b·log|a|)) 2e-6 relative, NaN for a negative base and a
 * fractional exponent. */
const binTol = (op: RefOp, act: Activation): Tol => {
  const t = actTol(act, false);
  return op === 'pow' ? { atol: Math.max(t.atol, 1e-6), rtol: Math.max(t.rtol, 2e-6), nonFinite: true } : t;
};

/** Inputs covering the interesting ranges: wide (-90..90), moderate, tiny, subnormal, signed zeros. */
function wideInputs(n: number, r: Rng): Float32Array {
  const special = [0, -0, 1e-30, -1e-30, 1e-40, -1e-40, 1e-7, -1e-7, 0.6249, -0.6249, 0.625, -0.625, 0.63, -0.63, 9, -9, 20, -20, 44, -44, 87, -87, 88.5, -88.5, 89.9, -89.9, 90, -90];
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % 4;
    x[i] = i < special.length ? special[i] : k === 0 ? (r.next() * 2 - 1) * 90 : k === 1 ? (r.next() * 2 - 1) * 4 : k === 2 ? (r.next() * 2 - 1) * 1e-3 : (r.next() * 2 - 1) * 20;
  }
  return x;
}

/** The float64 reference of an activation over `x`. */
function refActivations(x: Float32Array, act: Activation): Float64Array {
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = refActivation(x[i], act);
  return y;
}

/** Divisors away from zero. */
const awayFromZero = (b: Float32Array): Float32Array => b.map((v) => (v < 0 ? -0.5 : 0.5) + v);

KernelTester.each('eltwise', 'activation, every code, odd lengths, in place, partitions', (t) => {
  const r = t.r;
  for (const act of ACTS) for (const n of [1, 3, 4, 5, 7, 13, 64, 1001]) {
    t.reset();
    const x = wideInputs(n, r);
    const X = t.putDense(x), Y = t.allocDense(n);
    const what = `${t.flavor} act ${act.kind} n=${n}`;
    const full = t.check(lowerActivation(X.ptr, Y.ptr, n, act), Y, refActivations(x, act), actTol(act), what);
    t.run(lowerActivation(X.ptr, X.ptr, n, act), t.cuts);
    t.assertBytes(X, full, `${what}: in place differs`);
  }
}, 11);

KernelTester.each('eltwise', 'sigmoid / tanh accuracy over [-90, 90] (dense sweep)', (t) => {
  const n = 360001;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = -90 + (180 * i) / (n - 1);
  for (const act of [ACTS[5], ACTS[6]]) {
    t.reset();
    const X = t.putDense(x), Y = t.allocDense(n);
    const ref = refActivations(x, act);
    t.check(lowerActivation(X.ptr, Y.ptr, n, act), Y, ref, actTol(act), `${t.flavor} act ${act.kind} dense sweep`);
    const y = Y.read();
    let worst = 0, at = 0;
    for (let i = 0; i < n; i++) {
      const e = ref[i];
      if (Math.abs(e) < 1.2e-38) { assert.ok(Math.abs(y[i] - e) < 1e-44, `subnormal at ${x[i]}`); continue; }
      const rel = Math.abs(y[i] - e) / Math.abs(e);
      if (rel > worst) { worst = rel; at = x[i]; }
    }
    if (t.flavor === flavors[0]) console.log(`  ${act.kind === 4 ? 'sigmoid' : 'tanh'} (${t.flavor}): max relative error ${worst.toExponential(2)} at x=${at}`);
    assert.ok(worst < 2e-6, `${t.flavor} act ${act.kind}: max relative error ${worst} at ${at}`);
  }
});

/** Dense sweeps of every approximated activation against float64: max relative error where |ref| ≥ 1e-30,
 * max absolute error everywhere (NaN/±Inf must match exactly). Printed once per run (first flavor). */
KernelTester.each('eltwise', 'approximations: accuracy sweeps against float64', (t) => {
  const n = 360001;
  const grid = (lo: number, hi: number) => Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
  const logGrid = Float32Array.from({ length: n }, (_, i) => Math.pow(10, -44 + (82 * i) / (n - 1)));
  const sweeps: [string, Activation, Float32Array[]][] = [
    ['exp', { kind: ActKind.Exp, p0: 0, p1: 0 }, [grid(-104, 89)]],
    ['log', { kind: ActKind.Log, p0: 0, p1: 0 }, [logGrid, grid(-1, 3)]],
    ['elu', { kind: ActKind.Elu, p0: 1, p1: 0 }, [grid(-90, 90), grid(-1, 1)]],
    ['selu', { kind: ActKind.Selu, p0: 1.67326319217681884765625, p1: 1.05070102214813232421875 }, [grid(-90, 90), grid(-1, 1)]],
    ['celu(0.7)', { kind: ActKind.Celu, p0: 0.7, p1: 0 }, [grid(-90, 90), grid(-1, 1)]],
    ['erf', { kind: ActKind.Erf, p0: 0, p1: 0 }, [grid(-6, 6), grid(-0.01, 0.01)]],
    ['gelu', { kind: ActKind.Gelu, p0: 0, p1: 0 }, [grid(-90, 90), grid(-6, 6)]],
    ['gelu tanh', { kind: ActKind.GeluTanh, p0: 0, p1: 0 }, [grid(-90, 90), grid(-6, 6)]],
    ['softplus', { kind: ActKind.Softplus, p0: 0, p1: 0 }, [grid(-100, 100), grid(-3, 3)]],
    ['softsign', { kind: ActKind.Softsign, p0: 0, p1: 0 }, [grid(-1e4, 1e4)]],
    ['mish', { kind: ActKind.Mish, p0: 0, p1: 0 }, [grid(-100, 100), grid(-3, 3)]],
    ['silu', { kind: ActKind.Silu, p0: 0, p1: 0 }, [grid(-100, 100), grid(-3, 3)]],
  ];
  for (const [name, act, xs] of sweeps) {
    let rel = 0, relAt = 0, abs = 0, absAt = 0, rel3 = 0;
    for (const x of xs) {
      t.reset();
      const X = t.putDense(x), Y = t.allocDense(x.length);
      const ref = refActivations(x, act);
      t.check(lowerActivation(X.ptr, Y.ptr, x.length, act), Y, ref, actTol(act), `${t.flavor} ${name} sweep`);
      const y = Y.read();
      for (let i = 0; i < x.length; i++) {
        const e = ref[i], d = Math.abs(y[i] - e);
        if (!Number.isFinite(Math.fround(e))) continue; // NaN and overflow: matched exactly by t.check
        if (d > abs) { abs = d; absAt = x[i]; }
        if (Math.abs(e) >= 1e-30 && d / Math.abs(e) > rel) { rel = d / Math.abs(e); relAt = x[i]; }
        if (Math.abs(e) >= 1e-3) rel3 = Math.max(rel3, d / Math.abs(e));
      }
    }
    if (t.flavor === flavors[0]) console.log(`  ${name} (${t.flavor}): max relative error ${rel.toExponential(2)} at x=${relAt} (${rel3.toExponential(2)} where |y| ≥ 1e-3), max absolute ${abs.toExponential(2)} at x=${absAt}`);
  }
  // pow(a, b) for a on a log grid 1e-3..1e3 (both signs) and exponents from fractional to 7: relative error
  const m = 20001, exps = [-3.7, -2, -1, 0.5, 1, 2, 2.5, 3, 7];
  const base = Float32Array.from({ length: m }, (_, i) => (i % 2 ? -1 : 1) * Math.pow(10, -3 + (6 * i) / (m - 1)));
  let rel = 0, relAt = '';
  for (const e of exps) {
    t.reset();
    const ap = t.put(base), bp = t.put(Float32Array.of(e)), Y = t.allocDense(m);
    const ref = Float64Array.from(base, (v) => Math.pow(v, Math.fround(e)));
    t.check(lowerBinary({ op: 'pow', act: ACTS[0], dims: [m], a: ap, aStrides: [1], b: bp, bStrides: [0], y: Y.ptr, yStrides: [1] }, t.cw), Y, ref,
      { atol: 1e-44, rtol: 4e-6, nonFinite: true }, `${t.flavor} pow sweep b=${e}`);
    const y = Y.read();
    for (let i = 0; i < m; i++) if (Number.isFinite(ref[i]) && ref[i] !== 0) { const d = Math.abs(y[i] - ref[i]) / Math.abs(ref[i]); if (d > rel) { rel = d; relAt = `a=${base[i]} b=${e}`; } }
  }
  if (t.flavor === flavors[0]) console.log(`  pow (${t.flavor}): max relative error ${rel.toExponential(2)} at ${relAt}`);
});

KernelTester.each('eltwise', 'binary ops with broadcasting (dense NCHW) and fused activations', (t) => {
  const r = rng(21);
  const shapes: [number[], number[]][] = [
    [[2, 5, 3, 4], [2, 5, 3, 4]], [[1, 7, 3, 3], [1, 7, 1, 1]], [[2, 3, 4, 5], [1]], [[1], [2, 3, 4, 5]],
    [[2, 13, 2, 3], [2, 1, 2, 3]], [[1, 16, 5, 5], [16, 1, 1]], [[3, 1, 4, 1], [1, 5, 1, 6]], [[1, 1, 1, 1], [1, 1, 1, 1]],
    [[4, 1100], [4, 1100]], [[2, 3, 1, 2, 2, 3], [2, 1, 4, 1, 2, 1]], [[5], [5]], [[1, 3, 1, 1], [2, 3, 4, 4]], [[7, 9], [9]],
  ];
  for (const [ad, bd] of shapes) for (const op of ['add', 'sub', 'mul', 'div', 'prelu', 'pow', 'min', 'max'] as RefOp[]) {
    const act = r.pick(EPILOGUE_ACTS);
    t.reset();
    const a = r.floats(ad.reduce((p, q) => p * q, 1));
    let b: Float32Array = r.floats(bd.reduce((p, q) => p * q, 1));
    if (op === 'div') b = awayFromZero(b);
    if (op === 'pow') b = b.map((v, i) => (i % 2 ? Math.round(v * 3) : v)); // integer exponents keep a negative base's sign
    const ref = refBinary(op, a, ad, b, bd, actFn(act));
    const dims = ref.dims, rank = dims.length;
    const dense = (d: number[]) => { const s = new Array(d.length).fill(1); for (let i = d.length - 2; i >= 0; i--) s[i] = s[i + 1] * d[i + 1]; return s; };
    const bstr = (d: number[]) => { const s = dense(d); return dims.map((_, k) => { const j = k - (rank - d.length); return j < 0 || d[j] === 1 ? 0 : s[j]; }); };
    const ap = t.put(a), bp = t.put(b), Y = t.allocDense(ref.y.length);
    const steps = lowerBinary({ op, act, dims, a: ap, aStrides: bstr(ad), b: bp, bStrides: bstr(bd), y: Y.ptr, yStrides: dense(dims) }, t.cw);
    t.check(steps, Y, ref.y, binTol(op, act), `${t.flavor} ${op} [${ad}] [${bd}] act ${act.kind}`);
  }
});

KernelTester.each('eltwise', 'binary ops on NHWC with pixelStride (as the planner lowers them)', (t) => {
  const r = rng(31);
  const cases: [number[], number[]][] = [
    [[1, 5, 3, 4], [1, 5, 3, 4]], [[2, 7, 3, 3], [1, 7, 1, 1]], [[2, 13, 2, 3], [2, 1, 2, 3]], [[1, 3, 4, 5], [1]], [[1, 1, 3, 3], [1, 1, 3, 3]],
  ];
  for (const [xd, bd] of cases) for (const op of ['add', 'mul', 'sub', 'div', 'prelu', 'max'] as RefOp[]) {
    const act = r.pick(EPILOGUE_ACTS);
    t.reset();
    const [n, c, hh, w] = xd;
    const a = r.floats(n * c * hh * w);
    let b: Float32Array = r.floats(bd.reduce((p, q) => p * q, 1));
    if (op === 'div') b = awayFromZero(b);
    const A = t.putNhwc(a, n, c, hh, w, c + 3, 2);
    const Y = t.allocNhwc(n, c, hh, w, c + 2, 1);
    const phys = (ps: number) => [hh * w * ps, 1, w * ps, ps];
    let bp: number, bs: number[];
    if (bd.length === 4 && bd[0] === n && bd[2] === hh && bd[3] === w) {
      // a 4-D activation operand: NHWC too (C may be 1 → broadcast)
      const B = t.putNhwc(b, bd[0], bd[1], bd[2], bd[3], bd[1] + 1, 1);
      bp = B.ptr; bs = phys(bd[1] + 1).map((s, k) => (bd[k] === 1 ? 0 : s));
    } else {
      bp = t.put(b);
      bs = [0, 1, 2, 3].map((k) => { const j = k - (4 - bd.length); return j < 0 || bd[j] === 1 ? 0 : bd.slice(j + 1).reduce((p, q) => p * q, 1); });
    }
    const order = [0, 2, 3, 1];
    const pick = (s: number[]) => order.map((i) => s[i]);
    const steps = lowerBinary({ op, act, dims: pick(xd), a: A.ptr, aStrides: pick(phys(c + 3)), b: bp, bStrides: pick(bs), y: Y.ptr, yStrides: pick(phys(c + 2)) }, t.cw);
    t.check(steps, Y, refBinary(op, a, xd, b, bd, actFn(act)).y, actTol(act, false), `${t.flavor} nhwc ${op} [${xd}] [${bd}] act ${act.kind}`);
  }
});

KernelTester.each('eltwise', 'scale + shift (standalone batch-norm) over NHWC slices', (t) => {
  const r = rng(41);
  for (const [n, c, hh, w] of [[1, 1, 1, 1], [1, 3, 4, 5], [2, 5, 3, 3], [1, 13, 2, 7], [1, 16, 3, 3], [2, 37, 2, 2]]) for (const act of EPILOGUE_ACTS) {
    t.reset();
    const x = r.floats(n * c * hh * w, 3), scale = r.floats(c, 2), shift = r.floats(c);
    const X = t.putNhwc(x, n, c, hh, w, c + 1, 1);
    const Y = t.allocNhwc(n, c, hh, w, c + 4, 3);
    t.check(lowerScaleShift(X.ref, Y.ref, scale, shift, act, t.cw), Y, refScaleShift(x, n, c, hh * w, scale, shift, actFn(act)), actTol(act, false), `${t.flavor} scaleshift ${[n, c, hh, w]} act ${act.kind}`);
  }
});

KernelTester.each('eltwise', 'fill and copy2d', (t) => {
  const r = rng(51);
  for (const n of [1, 3, 4, 5, 17, 4099]) {
    t.reset();
    const Y = t.allocDense(n);
    t.check(lowerFill(Y.ptr, n, -2.5), Y, new Float32Array(n).fill(-2.5), EXACT, `${t.flavor} fill ${n}`);
  }
  for (const [rows, cols, ss, ds] of [[1, 1, 1, 1], [3, 5, 7, 6], [4, 3, 3, 9], [2, 2500, 2600, 2501], [7, 13, 13, 13]]) {
    t.reset();
    const src = r.floats(rows * ss);
    const sp = t.put(src), Y = t.allocRows(rows, cols, ds);
    const want = Array.from({ length: rows * cols }, (_, k) => src[Math.floor(k / cols) * ss + (k % cols)]);
    t.check(lowerCopy2d({ src: sp, srcStride: ss, dst: Y.ptr, dstStride: ds, rows, cols }), Y, want, EXACT, `${t.flavor} copy2d ${[rows, cols, ss, ds]}`);
  }
});

test('coalesceDims merges contiguous and broadcast runs', () => {
  const c = coalesceDims([2, 3, 4, 5], [[60, 20, 5, 1], [0, 0, 0, 1], [60, 20, 5, 1]]);
  assert.equal(c.dims, [24, 5]);
  assert.equal(c.strides, [[5, 1], [0, 1], [5, 1]]);
  const d = coalesceDims([1, 3, 1, 4], [[12, 4, 4, 1], [0, 1, 0, 0]]);
  assert.equal(d.dims, [3, 4]);
});

test.run();
