// ConvTranspose on the igemm microkernel by sub-pixel phases (src/backends/wasm/kernels/deconv.ts) and Lp
// pooling (assembly/pool.ts f32_lppool_nhwc) against the reference kernels (src/backends/reference/kernels/
// {conv,pool}.ts, float64), every flavor, with pixel strides and channel offsets on both sides, and the
// partition check of the kernel tester (any cut of every step gives the same bytes).
// Tolerances: a transposed convolution output sums K ≤ taps·Cin/groups float32 products from the bias,
// like the convolution tests: atol 2e-5·sqrt(K+1), rtol 1e-5 (inputs and weights in [-1, 1]). Lp pooling sums
// ≤ kh·kw values |x|^p in float32 (p multiplies each), then one root: atol 1e-6, rtol 4e-6·p.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelTester } from '../helpers/kernel-tester.js';
import { rng } from '../helpers/rng.js';
import { refConvTranspose2d } from '../../src/backends/reference/kernels/conv.js';
import { refPool, refPoolOut } from '../../src/backends/reference/kernels/pool.js';
import { axisPhases, convTransposeScratchBytes, lowerConvTranspose } from '../../src/backends/wasm/kernels/deconv.js';
import { lowerPool } from '../../src/backends/wasm/kernels/pool.js';
import { ActKind, NO_ACTIVATION } from '../../src/backends/wasm/kernels/types.js';

interface Case { n: number; cin: number; coutG: number; g: number; h: number; w: number; k: [number, number]; s: [number, number]; d: [number, number]; pads: [number, number, number, number] }
const CASES: Case[] = [
  { n: 1, cin: 1, coutG: 1, g: 1, h: 1, w: 1, k: [1, 1], s: [1, 1], d: [1, 1], pads: [0, 0, 0, 0] },
  { n: 1, cin: 5, coutG: 7, g: 1, h: 6, w: 7, k: [3, 3], s: [2, 2], d: [1, 1], pads: [0, 0, 0, 0] },
  { n: 2, cin: 6, coutG: 3, g: 1, h: 5, w: 4, k: [4, 4], s: [2, 2], d: [1, 1], pads: [1, 1, 1, 1] },
  { n: 1, cin: 3, coutG: 5, g: 1, h: 4, w: 5, k: [5, 4], s: [3, 3], d: [1, 1], pads: [1, 0, 2, 3] },
  { n: 1, cin: 4, coutG: 6, g: 1, h: 5, w: 3, k: [3, 3], s: [2, 3], d: [1, 1], pads: [0, 0, -1, -2] }, // output_padding
  { n: 1, cin: 3, coutG: 5, g: 1, h: 5, w: 5, k: [3, 2], s: [2, 2], d: [2, 3], pads: [1, 2, 0, 1] },
  { n: 1, cin: 6, coutG: 5, g: 2, h: 5, w: 6, k: [3, 3], s: [2, 2], d: [1, 1], pads: [1, 1, 0, 0] },
  { n: 1, cin: 7, coutG: 1, g: 7, h: 4, w: 5, k: [4, 4], s: [2, 2], d: [1, 1], pads: [1, 1, 1, 1] },
  { n: 1, cin: 5, coutG: 3, g: 1, h: 4, w: 3, k: [1, 1], s: [2, 2], d: [1, 1], pads: [0, 0, 0, 0] },   // bias-only phases
  { n: 1, cin: 3, coutG: 2, g: 1, h: 3, w: 4, k: [2, 2], s: [3, 3], d: [1, 1], pads: [0, 0, -2, -1] }, // gaps + output_padding
  { n: 1, cin: 6, coutG: 5, g: 1, h: 7, w: 6, k: [5, 3], s: [1, 1], d: [2, 2], pads: [2, 1, 3, 2] },   // stride 1: direct
  { n: 1, cin: 13, coutG: 9, g: 1, h: 9, w: 11, k: [2, 2], s: [2, 2], d: [1, 1], pads: [0, 0, 0, 0] },
  { n: 1, cin: 2, coutG: 3, g: 1, h: 3, w: 3, k: [3, 3], s: [2, 2], d: [1, 1], pads: [4, 3, 0, 0] },   // pads past the kernel
];

function runCase(t: KernelTester, c: Case, seed: number, act = NO_ACTIVATION): void {
  t.reset();
  const r = rng(seed);
  const cout = c.coutG * c.g;
  const oh = c.s[0] * (c.h - 1) + (c.k[0] - 1) * c.d[0] + 1 - c.pads[0] - c.pads[2];
  const ow = c.s[1] * (c.w - 1) + (c.k[1] - 1) * c.d[1] + 1 - c.pads[1] - c.pads[3];
  const x = r.floats(c.n * c.cin * c.h * c.w), w = r.floats(c.cin * c.coutG * c.k[0] * c.k[1]), b = r.floats(cout);
  const xPad = r.int(0, 3), yPad = r.int(0, 3);
  const X = t.putNhwc(x, c.n, c.cin, c.h, c.w, c.cin + xPad, r.int(0, xPad));
  const Y = t.allocNhwc(c.n, cout, oh, ow, cout + yPad, r.int(0, yPad));
  const bytes = convTransposeScratchBytes(c.s, c.n * cout * oh * ow);
  const scratch = bytes ? t.allocRows(1, bytes / 4).ptr : 0;
  const steps = lowerConvTranspose({ weights: w, bias: b, kernel: c.k, strides: c.s, dilations: c.d, pads: c.pads, groups: c.g, act }, X.ref, Y.ref, scratch, t.cw);
  let want = refConvTranspose2d(x, w, b, { n: c.n, cin: c.cin, h: c.h, w: c.w, cout, oh, ow, kh: c.k[0], kw: c.k[1], sh: c.s[0], sw: c.s[1], pt: c.pads[0], pl: c.pads[1], dh: c.d[0], dw: c.d[1], groups: c.g });
  if (act.kind === ActKind.Relu) want = want.map((v) => Math.max(v, 0));
  const K = Math.ceil(c.k[0] / c.s[0]) * Math.ceil(c.k[1] / c.s[1]) * (c.cin / c.g);
  t.check(steps, Y, want, { atol: 2e-5 * Math.sqrt(K + 1), rtol: 1e-5 }, `${t.flavor} ${JSON.stringify(c)}`);
}

KernelTester.each('deconv', 'ConvTranspose: fixed cases (strides 1-3, dilation, groups, output padding, bias-only phases)', (t) => {
  let seed = 1;
  for (const c of CASES) runCase(t, c, seed++);
  runCase(t, CASES[2], 99, { kind: ActKind.Relu, p0: 0, p1: 0 });
  assert.ok(t.checked >= CASES.length);
});

KernelTester.each('deconv', 'ConvTranspose: random shapes', (t) => {
  const r = rng(5);
  for (let i = 0; i < 40; i++) {
    const g = r.pick([1, 1, 2, 3]);
    const k: [number, number] = [r.int(1, 5), r.int(1, 5)], s: [number, number] = [r.int(1, 3), r.int(1, 3)], d: [number, number] = [r.int(1, 2), r.int(1, 2)];
    const h = r.int(1, 6), w = r.int(1, 6);
    const pads: [number, number, number, number] = [r.int(0, k[0] - 1), r.int(0, k[1] - 1), r.int(0, k[0] - 1) - r.int(0, s[0] - 1), r.int(0, k[1] - 1) - r.int(0, s[1] - 1)];
    const c: Case = { n: r.int(1, 2), cin: g * r.pick([1, 2, 3, 5]), coutG: r.pick([1, 2, 3, 7, 9]), g, h, w, k, s, d, pads };
    if (s[0] * (h - 1) + (k[0] - 1) * d[0] + 1 - pads[0] - pads[2] <= 0 || s[1] * (w - 1) + (k[1] - 1) * d[1] + 1 - pads[1] - pads[3] <= 0) continue;
    runCase(t, c, 1000 + i);
  }
  assert.ok(t.checked >= 30);
});

test('deconv: phase taps: every (output, kernel) pair that lands in the input is in exactly one phase', () => {
  const r = rng(11);
  for (let i = 0; i < 200; i++) {
    const inp = r.int(1, 7), k = r.int(1, 5), s = r.int(1, 4), d = r.int(1, 3), pb = r.int(0, 4);
    const out = s * (inp - 1) + (k - 1) * d + 1 - pb - r.int(-2, 2);
    if (out <= 0) continue;
    let pairs = 0;
    for (let o = 0; o < out; o++) for (let t = 0; t < k; t++) { const n = o + pb - t * d; if (n >= 0 && n % s === 0 && n / s < inp) pairs++; }
    let got = 0;
    for (const ph of axisPhases(out, inp, k, s, d, pb)) for (let q = 0; q < ph.count; q++) for (const tp of ph.taps) if (q + tp.offset >= 0 && q + tp.offset < inp) got++;
    assert.is(got, pairs, `in ${inp} k ${k} s ${s} d ${d} pb ${pb} out ${out}`);
  }
});

KernelTester.each('pool', 'Lp pooling p = 1..4, pads, strides, dilation, ceil mode', (t) => {
  const r = rng(21);
  for (let i = 0; i < 50; i++) {
    const k: [number, number] = [r.int(1, 4), r.int(1, 4)], d: [number, number] = [r.int(1, 2), r.int(1, 2)];
    const pads: [number, number, number, number] = [r.int(0, k[0] - 1), r.int(0, k[1] - 1), r.int(0, k[0] - 1), r.int(0, k[1] - 1)];
    const h = Math.max(r.int(1, 9), d[0] * (k[0] - 1) + 1), w = Math.max(r.int(1, 9), d[1] * (k[1] - 1) + 1);
    const n = r.int(1, 2), c = r.pick([1, 3, 4, 5, 8, 13, 17]), s: [number, number] = [r.int(1, 3), r.int(1, 3)], p = r.int(1, 4), ceil = r.next() < 0.5;
    t.reset();
    const x = r.floats(n * c * h * w);
    const oh = refPoolOut(h, k[0], s[0], pads[0], pads[2], d[0], ceil), ow = refPoolOut(w, k[1], s[1], pads[1], pads[3], d[1], ceil);
    const X = t.putNhwc(x, n, c, h, w, c + 1, 1);
    const Y = t.allocNhwc(n, c, oh, ow, c + 2, 1);
    const steps = lowerPool({ kind: 'lp', p, kernel: k, strides: s, pads, dilations: d, ceilMode: ceil }, X.ref, Y.ref, t.cw);
    const want = refPool(x, { kind: 'lp', p, n, c, h, w, kh: k[0], kw: k[1], sh: s[0], sw: s[1], pads, dh: d[0], dw: d[1], ceil, countIncludePad: false }).y;
    t.check(steps, Y, want, { atol: 1e-6, rtol: 4e-6 * p }, `${t.flavor} lp p=${p} k ${k} s ${s} d ${d} pads ${pads} ceil ${ceil}`);
  }
  assert.ok(t.checked >= 40);
});

test.run();
