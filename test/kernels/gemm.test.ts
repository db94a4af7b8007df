// f32_gemm_6x8 against the float64 reference, in every flavor the engine runs (every activation, sigmoid and
// tanh included, in the same sweep).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { flavors, Harness, assertClose } from '../helpers/harness.js';
import { HarnessConstWriter } from '../helpers/const-writer.js';
import { rng } from '../helpers/rng.js';
import { refGemm } from '../../src/backends/reference/kernels/gemm.js';
import { actFn } from '../helpers/activations.js';
import { lowerGemm, packGemmWeights } from '../../src/backends/wasm/kernels/gemm.js';
import { ActKind, type Activation, type Step } from '../../src/backends/wasm/kernels/types.js';
import { ACTIVATION_CASES } from '../helpers/activations.js';

// Tolerance: the kernel sums in float32 in k order starting from the bias; the reference sums in float64,
// so the difference grows like sqrt(k) (random signs) times float32 epsilon times the term size (≤ 1 here).
// Relaxed builds fuse multiply-add (one rounding less), which stays within the same bound. Sigmoid/tanh
// may use a polynomial exp (assembly/activation.ts): rtol 1e-5 covers a few ulp.
const tol = (k: number) => ({ atol: 1e-5 * Math.sqrt(k + 1) * 2, rtol: 1e-5 });

const ACTS = ACTIVATION_CASES;
/** Runs the steps over [0, range) split at the given cut points (sorted, inside the range). */
function runSteps(h: Harness, steps: Step[], cuts: (range: number) => number[]): void {
  for (const s of steps) {
    const pts = [0, ...cuts(s.range).filter((c) => c > 0 && c < s.range).sort((a, b) => a - b), s.range];
    for (let i = 0; i + 1 < pts.length; i++) if (pts[i] < pts[i + 1]) h.call(s.kernel, ...s.args, pts[i], pts[i + 1]);
  }
}

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
}

async function runCases(flavor: (typeof flavors)[number], list: Case[]): Promise<void> {
    const h = await Harness.create(flavor);
    const r = rng(99);
    for (const c of list) {
      h.reset();
      const what = `${flavor} m=${c.m} k=${c.k} n=${c.n} act=${c.act.kind} res=${c.res} aPad=${c.aPad} yPad=${c.yPad}`;
      const a = r.floats(c.m * c.k), w = r.floats(c.n * c.k), bias = c.bias ? r.floats(c.n) : undefined;
      const res = c.res ? r.floats(c.m * c.n) : null;
      const aStride = c.k + c.aPad, yStride = c.n + c.yPad + c.yOff, rStride = c.n + c.rPad;
      const aPtr = h.alloc(c.m * aStride);
      for (let i = 0; i < c.m; i++) h.f32.set(a.subarray(i * c.k, (i + 1) * c.k), (aPtr >> 2) + i * aStride);
      let rPtr = 0;
      if (res) {
        rPtr = h.alloc(c.m * rStride);
        for (let i = 0; i < c.m; i++) h.f32.set(res.subarray(i * c.n, (i + 1) * c.n), (rPtr >> 2) + i * rStride);
      }
      const yBase1 = h.alloc(c.m * yStride), yBase2 = h.alloc(c.m * yStride);
      const cw = new HarnessConstWriter(h);
      const mk = (yBase: number) => lowerGemm({ weights: w, bias, k: c.k, n: c.n, act: c.act },
        { ptr: aPtr, rows: c.m, stride: aStride }, { ptr: yBase + c.yOff * 4, stride: yStride },
        res ? { ptr: rPtr, stride: rStride } : null, cw);
      const s1 = mk(yBase1), s2 = mk(yBase2);
      assert.is(s1.length, 1);
      assert.is(s1[0].range, c.m);
      assert.is(s1[0].flops, 2 * c.m * c.k * c.n);
      runSteps(h, s1, () => []);
      runSteps(h, s2, (range) => [1, 6, 7, r.int(0, range), r.int(0, range), range - 1]);
      const out1 = h.get(yBase1, c.m * yStride), out2 = h.get(yBase2, c.m * yStride);
      assert.equal(new Uint32Array(out1.buffer), new Uint32Array(out2.buffer), `${what}: partitions differ`);
      const got = new Float32Array(c.m * c.n);
      for (let i = 0; i < c.m; i++) for (let j = 0; j < yStride; j++) {
        const v = out1[i * yStride + j];
        if (j >= c.yOff && j < c.yOff + c.n) got[i * c.n + j - c.yOff] = v;
        else if (!Number.isNaN(v)) assert.unreachable(`${what}: wrote outside the slice at row ${i} col ${j}`);
      }
      const { atol, rtol } = tol(c.k);
      assertClose(got, refGemm(a, w, bias, res, c.m, c.k, c.n, actFn(c.act)), atol, rtol, what);
    }
}

for (const flavor of flavors) {
  test(`gemm ${flavor}: ${cases.length} shapes (m, k, n tails, activations, residual, strided rows, partitions)`, () => runCases(flavor, cases));
}

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

test.run();
