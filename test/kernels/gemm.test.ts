// f32_gemm_4x8 against the float64 reference, in every flavor the engine runs (every activation, sigmoid and
// tanh included, in the same sweep).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelTester } from '../helpers/kernel-tester.js';
import { rng } from '../helpers/rng.js';
import { refGemm } from '../../src/backends/reference/kernels/gemm.js';
import { actFn } from '../helpers/activations.js';
import { lowerGemm, packGemmWeights, packGemv, GEMV, GEMM } from '../../src/backends/wasm/kernels/gemm.js';
import { ActKind, type Activation } from '../../src/backends/wasm/kernels/types.js';
import { EPILOGUE_CASES } from '../helpers/activations.js';

// Tolerance: the kernel sums in float32 in k order starting from the bias; the reference sums in float64,
// so the difference grows like sqrt(k) (random signs) times float32 epsilon times the term size (≤ 1 here).
// Relaxed builds fuse multiply-add (one rounding less), which stays within the same bound. Sigmoid/tanh
// may use a polynomial exp (assembly/activation.ts): rtol 1e-5 covers a few ulp.
const tol = (k: number) => ({ atol: 1e-5 * Math.sqrt(k + 1) * 2, rtol: 1e-5 });

const ACTS = EPILOGUE_CASES; // the well-conditioned codes: an epilogue's input is a float32 sum
interface Case { m: number; k: number; n: number; act: Activation; bias: boolean; res: boolean; aPad: number; yPad: number; yOff: number; rPad: number }

const cases: Case[] = [];
{
  const r = rng(1234);
  const ms = [1, 2, 3, 5, 6, 7, 12, 13, 37];
  const ks = [1, 2, 3, 4, 5, 7, 8, 9, 17, 64, 130];
  const ns = [1, 3, 4, 5, 7, 8, 9, 12, 13, 16, 17, 24];
  // every n and k edge at least once, with m cycling through the row tails
  let i = 0;
  for (const n of ns) for (const k of [ks[i % ks.length], ks[(i + 5) % ks.length]]) {
    const m = ms[i % ms.length];
    cases.push({ m, k, n, act: ACTS[i % ACTS.length], bias: i % 3 !== 0, res: i % 2 === 0, aPad: i % 4, yPad: (i * 3) % 5, yOff: i % 3, rPad: i % 2 });
    i++;
  }
  for (let j = 0; j < 30; j++) {
    cases.push({ m: r.int(1, 40), k: r.int(1, 70), n: r.int(1, 40), act: r.pick(ACTS), bias: r.next() < 0.7, res: r.next() < 0.5,
      aPad: r.int(0, 3), yPad: r.int(0, 5), yOff: r.int(0, 3), rPad: r.int(0, 3) });
  }
  // sigmoid and tanh once more on a few row and column tails
  for (const act of ACTS.filter((a) => a.kind === ActKind.Sigmoid || a.kind === ActKind.Tanh)) {
    for (const [m, k, n] of [[7, 5, 13], [13, 64, 9], [1, 3, 4]]) cases.push({ m, k, n, act, bias: true, res: m > 1, aPad: 1, yPad: 2, yOff: 1, rPad: 1 });
  }
  // one row (f32_gemv): every column tail of a 32-column group (full groups, a last group of 8/16/24/32
  // packed columns with 1..8 valid), odd k, every activation, bias and residual on and off
  const gemvNs = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 23, 24, 25, 29, 31, 32, 33, 36, 40, 63, 64, 65, 97, 100, 130];
  const gemvKs = [1, 2, 3, 5, 7, 16, 31, 64, 129];
  gemvNs.forEach((n, j) => {
    cases.push({ m: 1, k: gemvKs[j % gemvKs.length], n, act: ACTS[j % ACTS.length], bias: j % 3 !== 1, res: j % 2 === 1, aPad: j % 2, yPad: j % 3, yOff: j % 2, rPad: 0 });
  });
}

KernelTester.each('gemm', `${cases.length} shapes (m, k, n tails, activations, residual, strided rows, partitions)`, (t) => {
  const r = rng(99);
  for (const c of cases) {
    t.reset();
    const what = `${t.flavor} m=${c.m} k=${c.k} n=${c.n} act=${c.act.kind} res=${c.res} aPad=${c.aPad} yPad=${c.yPad}`;
    const a = r.floats(c.m * c.k), w = r.floats(c.n * c.k), bias = c.bias ? r.floats(c.n) : undefined;
    const res = c.res ? r.floats(c.m * c.n) : null;
    const aStride = c.k + c.aPad, yStride = c.n + c.yPad + c.yOff, rStride = c.n + c.rPad;
    const A = t.putRows(a, c.m, c.k, aStride);
    const R = res ? t.putRows(res, c.m, c.n, rStride) : null;
    const Y = t.allocRows(c.m, c.n, yStride, c.yOff);
    const steps = lowerGemm({ weights: w, bias, k: c.k, n: c.n, act: c.act },
      { ptr: A.ptr, rows: c.m, stride: aStride }, { ptr: Y.ptr, stride: yStride }, R ? { ptr: R.ptr, stride: rStride } : null, t.cw);
    assert.is(steps.length, 1);
    assert.is(steps[0].kernel, c.m === 1 ? GEMV.kernel : GEMM.direct);
    assert.is(steps[0].range, c.m === 1 ? Math.ceil(c.n / 32) : c.m);
    assert.is(steps[0].flops, 2 * c.m * c.k * c.n);
    t.check(steps, Y, refGemm(a, w, bias, res, c.m, c.k, c.n, actFn(c.act)), tol(c.k), what);
  }
  assert.is(t.checked, cases.length);
});

test('packGemmWeights layout: [ceil(n/8)][bias 8 + k x 8], zero-padded columns', () => {
  const k = 3, n = 10;
  const w = new Float32Array(n * k).map((_, i) => i + 1), bias = new Float32Array(n).map((_, i) => -i - 1);
  const p = packGemmWeights(w, k, n, bias);
  assert.is(p.length, 2 * (k + 1) * 8);
  assert.is(p[3], -4); // bias of column 3
  assert.is(p[8 * (1 + 2) + 5], w[5 * k + 2]); // W[k=2][col 5]
  const b1 = (k + 1) * 8;
  assert.is(p[b1 + 1], -10);
  assert.is(p[b1 + 2], 0); // padded column
  assert.is(p[b1 + 8 * 2 + 1], w[9 * k + 1]);
  assert.throws(() => packGemmWeights(w, k, n + 1));
});

test('packGemv layout: groups of 32 columns, the last one roundUp8 wide, bias row first, zero-padded', () => {
  const k = 3, n = 45; // one full group, then 13 columns packed 16 wide
  const w = new Float32Array(n * k).map((_, i) => i + 1), bias = new Float32Array(n).map((_, i) => -i - 1);
  const p = packGemv(w, k, n, bias);
  assert.is(p.length, (k + 1) * 32 + (k + 1) * 16);
  assert.is(p[5], -6); // bias of column 5
  assert.is(p[32 * (1 + 2) + 31], w[31 * k + 2]); // W[k=2][col 31]
  const g1 = (k + 1) * 32;
  assert.is(p[g1 + 12], -45); // bias of column 44
  assert.is(p[g1 + 13], 0); // padded column
  assert.is(p[g1 + 16 * (1 + 1) + 12], w[44 * k + 1]); // W[k=1][col 44]
  assert.is(p[g1 + 16 * 3 + 15], 0);
  assert.throws(() => packGemv(w, k, n + 1));
});

test.run();
