// Winograd F(2x2,3x3) and F(4x4,3x3) (f32_winograd_2x2/_4x4 through lowerConv2d) against the float64 NCHW reference, in every
// flavor: edge shapes (odd H/W, images smaller than a tile, channels not multiples of 4 or 8, padding 0/1 and
// asymmetric, batch > 1), every fused activation, residual, channel slices, and several tile blocks / items
// (the partition reruns of KernelTester check that any cut of the items gives the same bytes).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelTester } from '../helpers/kernel-tester.js';
import { rng } from '../helpers/rng.js';
import { refConv2d, refConvOutSize, type RefConvParams } from '../../src/backends/reference/kernels/conv.js';
import { actFn, EPILOGUE_CASES } from '../helpers/activations.js';
import { lowerConv2d, convKernelFor, convWorkspaceBytes, packWinogradWeights, winogradPlan, winogradTile, WINOGRAD, type Conv2dDesc } from '../../src/backends/wasm/kernels/conv.js';
import type { Activation } from '../../src/backends/wasm/kernels/types.js';

// Tolerance. The direct kernels' bound is 2e-5·sqrt(K+1) (K = 9·cin terms of size ≤ 1). Winograd sums
// 16·cin products of transformed values instead: |V| ≤ 4·max|x| (4 signed input terms), |U| ≤ max|g|·(1.5)²
// (rows of G sum to ≤ 1.5 in absolute value), and the output transform adds 9 of the M values, so each
// rounding is on numbers up to ~9x larger than the direct sum's terms; yet the measured worst error is ≈ 2% of
// the direct bound (printed by the sweep), so Winograd keeps the direct kernels' tolerance.
const TOL_FACTOR = { 2: 1, 4: 1 };
const tol = (k: number, m: 2 | 4) => ({ atol: TOL_FACTOR[m] * 2e-5 * Math.sqrt(k + 1), rtol: 1e-5 });

interface Case { name: string; n: number; cin: number; h: number; w: number; cout: number; pads: [number, number, number, number]; tileBlock?: number; threads?: number }

const CASES: Case[] = [
  { name: 'tiny 1x1 image pad 1', n: 1, cin: 3, h: 1, w: 1, cout: 5, pads: [1, 1, 1, 1] },
  { name: '2x2 image pad 1 (one tile... 2x2 tiles)', n: 1, cin: 4, h: 2, w: 2, cout: 8, pads: [1, 1, 1, 1] },
  { name: '3x3 image pad 0 (1x1 output, half tile)', n: 1, cin: 5, h: 3, w: 3, cout: 3, pads: [0, 0, 0, 0] },
  { name: 'odd 7x9 pad 1 cin 3 cout 9', n: 1, cin: 3, h: 7, w: 9, cout: 9, pads: [1, 1, 1, 1] },
  { name: 'odd 5x6 pad 0 cin 17 cout 13', n: 1, cin: 17, h: 5, w: 6, cout: 13, pads: [0, 0, 0, 0] },
  { name: 'asymmetric pads', n: 1, cin: 6, h: 6, w: 5, cout: 10, pads: [0, 1, 1, 0] },
  { name: 'pad 2 (output larger than input)', n: 1, cin: 2, h: 3, w: 4, cout: 7, pads: [2, 2, 2, 2] },
  { name: 'batch 3 odd', n: 3, cin: 7, h: 5, w: 7, cout: 11, pads: [1, 1, 1, 1], tileBlock: 6, threads: 2 },
  { name: 'cin 1 cout 1', n: 1, cin: 1, h: 6, w: 6, cout: 1, pads: [1, 1, 1, 1] },
  { name: '32->32 10x10 blocks of 6, 4 threads', n: 1, cin: 32, h: 10, w: 10, cout: 32, pads: [1, 1, 1, 1], tileBlock: 6, threads: 4 },
  { name: '20->24 13x11 block 12, 3 threads', n: 2, cin: 20, h: 13, w: 11, cout: 24, pads: [1, 1, 1, 1], tileBlock: 12, threads: 3 },
  { name: '64->40 9x9 default blocks', n: 1, cin: 64, h: 9, w: 9, cout: 40, pads: [1, 1, 1, 1] },
  { name: 'tile block of 1', n: 1, cin: 9, h: 5, w: 5, cout: 6, pads: [1, 1, 1, 1], tileBlock: 1, threads: 2 },
  { name: '24->44 2x3 one or two tiles, 2 threads: output-channel groups', n: 1, cin: 24, h: 2, w: 3, cout: 44, pads: [1, 1, 1, 1], threads: 2 },
  { name: '24->44 7x7 few tiles, 2 threads: smaller blocks', n: 1, cin: 24, h: 7, w: 7, cout: 44, pads: [1, 1, 1, 1], threads: 2 },
  { name: '16->20 13x13, 3 threads: evened blocks', n: 1, cin: 16, h: 13, w: 13, cout: 20, pads: [1, 1, 1, 1], threads: 3 },
];

interface Variant { act: Activation; bias: boolean; res: boolean; xPad: number; yPad: number; yOff: number; rPad: number }

const worst = { 2: 0, 4: 0 };
function runCase(t: KernelTester, c: Case, v: Variant, seed: number, m: 2 | 4): void {
  t.reset();
  const r = rng(seed);
  const p: RefConvParams = { n: c.n, cin: c.cin, h: c.h, w: c.w, cout: c.cout, kh: 3, kw: 3, sh: 1, sw: 1, pads: c.pads, dh: 1, dw: 1, groups: 1 };
  const [oh, ow] = refConvOutSize(p);
  const K = 9 * c.cin;
  const what = `${t.flavor} F(${m}x${m}) ${c.name} act=${v.act.kind} bias=${v.bias} res=${v.res} xPad=${v.xPad} yPad=${v.yPad} yOff=${v.yOff}`;
  const xs = r.floats(c.n * c.cin * c.h * c.w);
  const wts = r.floats(c.cout * K);
  const bias = v.bias ? r.floats(c.cout) : undefined;
  const res = v.res ? r.floats(c.n * c.cout * oh * ow) : null;
  const X = t.putNhwc(xs, c.n, c.cin, c.h, c.w, c.cin + v.xPad); // gap channels stay NaN
  const R = res ? t.putNhwc(res, c.n, c.cout, oh, ow, c.cout + v.rPad) : null;
  const Y = t.allocNhwc(c.n, c.cout, oh, ow, c.cout + v.yPad + v.yOff, v.yOff);
  const desc: Conv2dDesc = { weights: wts, bias, cout: c.cout, kernel: [3, 3], strides: [1, 1], pads: c.pads, dilations: [1, 1], groups: 1, act: v.act };
  const opts = { winograd: m, tileBlock: c.tileBlock, threads: c.threads };
  assert.is(convKernelFor(desc, c.cin, oh, ow, opts), 'winograd', what);
  const steps = lowerConv2d(desc, X.ref, Y.ref, R ? R.ref : null, t.cw, opts);
  assert.is(steps.length, 1);
  assert.is(steps[0].kernel, WINOGRAD.kernels[m]);
  assert.is(steps[0].flops, 2 * c.n * oh * ow * c.cout * K, `${what}: flops (of the direct algorithm)`);
  const plan = winogradPlan(m, c.cin, c.cout, c.n, oh, ow, opts);
  assert.is(steps[0].range, plan.items, `${what}: range`);
  if (c.name.includes('groups')) assert.ok(plan.coutGroups > 1, `${what}: ${plan.coutGroups} output-channel groups`);
  if (c.name.includes('smaller blocks')) assert.ok(plan.items >= 2 && plan.tileBlock < WINOGRAD.tileBlock(c.cin, m), `${what}: ${plan.items} items of ${plan.tileBlock} tiles`);
  assert.is(convWorkspaceBytes(desc, { n: c.n, h: c.h, w: c.w, c: c.cin }, opts), plan.bytes);
  const want = refConv2d(xs, wts, bias, res, p, actFn(v.act));
  const { atol, rtol } = tol(K, m);
  t.check(steps, Y, want, { atol, rtol }, what);
  const got = Y.read();
  // as a share of the direct kernels' bound (2e-5·sqrt(K+1), and 1e-5 relative: Exp or a residual scale the output)
  for (let i = 0; i < got.length; i++) worst[m] = Math.max(worst[m], Math.abs(got[i] - want[i]) / (2e-5 * Math.sqrt(K + 1) + 1e-5 * Math.abs(want[i])));
}

KernelTester.each('winograd', `${CASES.length} edge shapes x 3 epilogue variants x F(2x2), F(4x4)`, (t) => {
  let i = 0;
  for (const c of CASES) {
    for (let j = 0; j < 3; j++, i++) {
      const v: Variant = { act: EPILOGUE_CASES[i % EPILOGUE_CASES.length], bias: i % 4 !== 3, res: j >= 1, xPad: (i * 7) % 3, yPad: (i * 5) % 4, yOff: i % 3, rPad: i % 2 };
      for (const m of [2, 4] as const) runCase(t, c, v, 3000 + i, m);
    }
  }
  assert.is(t.checked, 6 * CASES.length);
});

KernelTester.each('winograd', 'seeded random shapes', (t) => {
  const r = rng(11);
  for (let i = 0; i < 30; i++) {
    const pad = r.int(0, 1);
    const pads: [number, number, number, number] = r.next() < 0.2 ? [r.int(0, 2), r.int(0, 2), r.int(0, 2), r.int(0, 2)] : [pad, pad, pad, pad];
    const h = r.int(1, 12), w = r.int(1, 12);
    if (h + pads[0] + pads[2] < 3 || w + pads[1] + pads[3] < 3) continue;
    const c: Case = { name: `random ${i}`, n: r.int(1, 2), cin: r.int(1, 40), h, w, cout: r.int(1, 30), pads, tileBlock: r.pick([undefined, 1, 5, 6, 12]), threads: r.int(1, 4) };
    const v: Variant = { act: r.pick(EPILOGUE_CASES), bias: r.next() < 0.8, res: r.next() < 0.5, xPad: r.int(0, 2), yPad: r.int(0, 3), yOff: r.int(0, 2), rPad: r.int(0, 2) };
    runCase(t, c, v, 7000 + i, r.pick([2, 4] as const));
  }
  assert.ok(t.checked >= 20, `${t.checked} random shapes`);
});

test('measured error against the direct bound', () => {
  for (const m of [2, 4] as const) {
    console.log(`  F(${m}x${m}): worst |err| / (2e-5·sqrt(9·cin+1) + 1e-5·|ref|) = ${worst[m].toFixed(3)} (tolerance ${TOL_FACTOR[m]})`);
    assert.ok(worst[m] > 0 && worst[m] <= TOL_FACTOR[m]);
  }
});

test('weight transform: U = G g Gᵀ', () => {
  // g = all ones: U[i][j] = (G·1)[i]·(G·1)[j].
  const u = packWinogradWeights(new Float32Array(9).fill(1), 1, 1);
  const gv = [1, 1.5, 0.5, 1];
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) assert.is(u[(i * 4 + j) * 16 + 8], gv[i] * gv[j]);
  assert.is(u.length, 16 * 2 * 8);
  const u4 = packWinogradWeights(new Float32Array(9).fill(1), 1, 1, 4);
  const gv4 = [1 / 4, -1 / 2, -1 / 6, 7 / 24, 1 / 8, 1];
  for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) assert.ok(Math.abs(u4[(i * 6 + j) * 16 + 8] - gv4[i] * gv4[j]) < 1e-7);
  assert.is(u4.length, 36 * 2 * 8);
});

test('kernel choice: Winograd only where it applies, direct where it does not pay', () => {
  const base = { cout: 64, kernel: [3, 3] as [number, number], strides: [1, 1] as [number, number], pads: [1, 1, 1, 1] as [number, number, number, number], dilations: [1, 1] as [number, number], groups: 1 };
  assert.is(convKernelFor(base, 64, 56, 56), 'winograd');
  assert.is(convKernelFor({ ...base, strides: [2, 2] }, 64, 28, 28, { winograd: true }), 'igemm');
  assert.is(convKernelFor({ ...base, dilations: [2, 2] }, 64, 56, 56, { winograd: true }), 'igemm');
  assert.is(convKernelFor({ ...base, groups: 2 }, 64, 56, 56, { winograd: true }), 'igemm');
  assert.is(convKernelFor({ ...base, kernel: [5, 5] }, 64, 56, 56, { winograd: true }), 'igemm');
  assert.is(convKernelFor(base, 64, 56, 56, { winograd: false }), 'igemm');
  assert.is(convKernelFor({ ...base, cout: 4 }, 3, 56, 56), 'igemm');
  assert.is(winogradTile(base, 64, 56, 56), 4);
  assert.is(winogradTile(base, 64, 8, 8), 4);
  assert.is(winogradTile(base, 64, 6, 6), 2);
  assert.is(winogradTile({ ...base, cout: 256 }, 256, 14, 14), 2);
  assert.is(winogradTile({ ...base, cout: 512 }, 512, 7, 7), 2);
  assert.is(winogradTile(base, 64, 56, 56, { winograd: 2 }), 2);
});

test.run();
