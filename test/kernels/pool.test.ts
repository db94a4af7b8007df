// Max / average / global pooling (assembly/pool.ts via src/backends/wasm/kernels/pool.ts) against the reference kernels (src/backends/reference/kernels/pool.ts), every flavor.
// Tolerances: max pooling is exact (it selects an input float). Average pooling sums at most kh*kw float32
// values in [-1, 1] in tap order and divides once: error ≤ taps * 2^-24 / count + 1 ulp, so atol 1e-6, rtol 1e-6.
// Global average sums H*W values in float32: atol 1e-6 * sqrt(H*W) + rtol 1e-6.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { flavors, KernelTester, EXACT } from '../helpers/kernel-tester.js';
import { rng } from '../helpers/rng.js';
import { refPool, refPoolOut, refGlobalPool, type RefPoolParams } from '../../src/backends/reference/kernels/pool.js';
import { lowerPool, lowerGlobalPool, lowerPoolOutputSize } from '../../src/backends/wasm/kernels/pool.js';

interface Case { n: number; c: number; h: number; w: number; k: [number, number]; s: [number, number]; pads: [number, number, number, number]; d?: [number, number] }
const CASES: Case[] = [
  { n: 1, c: 1, h: 1, w: 1, k: [1, 1], s: [1, 1], pads: [0, 0, 0, 0] },
  { n: 1, c: 3, h: 5, w: 7, k: [2, 2], s: [2, 2], pads: [0, 0, 0, 0] },
  { n: 2, c: 5, h: 6, w: 6, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1] },
  { n: 1, c: 7, h: 7, w: 9, k: [3, 3], s: [1, 1], pads: [2, 2, 2, 2] },   // pad = k-1
  { n: 1, c: 13, h: 9, w: 8, k: [2, 3], s: [3, 4], pads: [1, 2, 0, 1] }, // stride > kernel, asymmetric
  { n: 1, c: 16, h: 8, w: 8, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1] },
  { n: 2, c: 37, h: 5, w: 6, k: [3, 2], s: [2, 1], pads: [0, 1, 2, 1] },
  { n: 1, c: 20, h: 9, w: 10, k: [3, 3], s: [2, 2], pads: [2, 2, 2, 2], d: [2, 2] }, // dilation 2
  { n: 1, c: 4, h: 3, w: 3, k: [2, 2], s: [2, 2], pads: [1, 1, 1, 1] },  // ceil mode drops a window
  { n: 1, c: 3, h: 11, w: 4, k: [5, 1], s: [3, 1], pads: [4, 0, 4, 0] },
  { n: 1, c: 1, h: 2, w: 2, k: [2, 2], s: [1, 1], pads: [1, 1, 1, 1] },
  { n: 1, c: 6, h: 1, w: 5, k: [1, 3], s: [1, 2], pads: [0, 2, 0, 2], d: [1, 2] },
];

function run(t: KernelTester, c: Case, kind: 'max' | 'avg', ceil: boolean, cip: boolean, seed: number, specials = false): Float64Array {
  t.reset();
  const r = rng(seed);
  const p: RefPoolParams = { kind, n: c.n, c: c.c, h: c.h, w: c.w, kh: c.k[0], kw: c.k[1], sh: c.s[0], sw: c.s[1], pads: c.pads, dh: c.d?.[0] ?? 1, dw: c.d?.[1] ?? 1, ceil, countIncludePad: cip };
  const oh = refPoolOut(c.h, p.kh, p.sh, c.pads[0], c.pads[2], p.dh, ceil);
  const ow = refPoolOut(c.w, p.kw, p.sw, c.pads[1], c.pads[3], p.dw, ceil);
  assert.is(lowerPoolOutputSize(c.h, p.kh, p.sh, c.pads[0], c.pads[2], p.dh, ceil), oh);
  assert.is(lowerPoolOutputSize(c.w, p.kw, p.sw, c.pads[1], c.pads[3], p.dw, ceil), ow);
  const x = r.floats(c.n * c.c * c.h * c.w);
  // NaN and ±Inf at random positions: a window holding a NaN gives NaN (the SIMD max tracks NaNs beside pmax)
  if (specials) for (let i = 0; i < x.length; i += r.int(1, 9)) x[i] = r.pick([NaN, Infinity, -Infinity, -0]);
  const xPad = r.int(0, 3), yPad = r.int(0, 3), yOff = r.int(0, yPad);
  const X = t.putNhwc(x, c.n, c.c, c.h, c.w, c.c + xPad, r.int(0, xPad));
  const Y = t.allocNhwc(c.n, c.c, oh, ow, c.c + yPad, yOff);
  const steps = lowerPool({ kind, kernel: c.k, strides: c.s, pads: c.pads, dilations: c.d ?? [1, 1], ceilMode: ceil, countIncludePad: cip }, X.ref, Y.ref, t.cw);
  const want = refPool(x, p).y;
  t.check(steps, Y, want, kind === 'max' ? { ...EXACT, nonFinite: specials } : { atol: 1e-6, rtol: 1e-6 }, `${t.flavor} ${kind} ${JSON.stringify(c)} ceil=${ceil} cip=${cip}`);
  return want;
}

KernelTester.each('pool', 'max/avg x ceil x count_include_pad over fixed cases', (t) => {
  let seed = 1;
  for (const c of CASES) for (const kind of ['max', 'avg'] as const) for (const ceil of [false, true]) for (const cip of kind === 'avg' ? [false, true] : [false]) {
    run(t, c, kind, ceil, cip, seed++);
  }
  assert.ok(t.checked > 40);
});

KernelTester.each('pool', 'random shapes', (t) => {
  const r = rng(77);
  for (let i = 0; i < 60; i++) {
    const k: [number, number] = [r.int(1, 4), r.int(1, 4)];
    const d: [number, number] = [r.int(1, 2), r.int(1, 2)];
    const pads: [number, number, number, number] = [r.int(0, k[0] - 1), r.int(0, k[1] - 1), r.int(0, k[0] - 1), r.int(0, k[1] - 1)];
    const hh = Math.max(r.int(1, 9), d[0] * (k[0] - 1) + 1 - pads[0] - pads[2]);
    const ww = Math.max(r.int(1, 9), d[1] * (k[1] - 1) + 1 - pads[1] - pads[3]);
    const c: Case = { n: r.int(1, 2), c: r.pick([1, 3, 4, 5, 7, 8, 13, 16, 17, 33]), h: hh, w: ww, k, s: [r.int(1, 4), r.int(1, 4)], pads, d };
    run(t, c, r.pick(['max', 'avg'] as const), r.next() < 0.5, r.next() < 0.5, 1000 + i);
  }
});

KernelTester.each('pool', 'max pool with NaN and ±Inf inputs', (t) => {
  let seed = 500, nans = 0;
  for (const c of CASES) {
    nans += run(t, c, 'max', false, false, seed++, true).filter(Number.isNaN).length;
  }
  assert.ok(t.checked >= CASES.length && nans > 0, `${nans} NaN outputs`);
});

KernelTester.each('pool', 'global average and max', (t) => {
  const r = rng(5);
  for (const [n, c, hh, w] of [[1, 1, 1, 1], [1, 3, 7, 7], [2, 5, 3, 4], [1, 13, 1, 1], [2, 37, 5, 5], [1, 64, 4, 3], [3, 7, 2, 9]]) {
    for (const kind of ['avg', 'max'] as const) {
      t.reset();
      const x = r.floats(n * c * hh * w);
      const X = t.putNhwc(x, n, c, hh, w, c + 2, 1);
      const Y = t.allocNhwc(n, c, 1, 1, c + 3, 2);
      t.check(lowerGlobalPool(kind, X.ref, Y.ref, t.cw), Y, refGlobalPool(x, kind, n, c, hh, w),
        kind === 'max' ? EXACT : { atol: 1e-6 * Math.sqrt(hh * w), rtol: 1e-6 }, `${t.flavor} global ${kind} ${[n, c, hh, w]}`);
    }
  }
}, 5);

test('pool output size: ceil mode drops a window that starts in the end padding (PyTorch rule)', () => {
  assert.is(lowerPoolOutputSize(3, 2, 2, 1, 1, 1, true), 2);  // ceil(1.5)+1 = 3 → last window starts at 4 ≥ 3+1
  assert.is(lowerPoolOutputSize(3, 2, 2, 1, 1, 1, false), 2);
  assert.is(lowerPoolOutputSize(6, 3, 2, 1, 1, 1, true), 4);
  assert.is(lowerPoolOutputSize(6, 3, 2, 0, 0, 1, true), 3);
  assert.is(lowerPoolOutputSize(6, 3, 2, 0, 0, 1, false), 2);
  assert.is(lowerPoolOutputSize(112, 3, 2, 1, 1, 1, false), 56);
});

test('avg pool golden (PyTorch avg_pool2d(ones(1,1,3,3), 2, 2, padding=1, ceil_mode=True)), every flavor', async () => {
  for (const flavor of flavors) {
    const t = await KernelTester.create(flavor);
    // PyTorch: count_include_pad=True → [[0.25, 0.5], [0.5, 1.0]]; False → all ones.
    for (const [cip, want] of [[true, [0.25, 0.5, 0.5, 1]], [false, [1, 1, 1, 1]]] as const) {
      t.reset();
      const X = t.putNhwc(new Float32Array(9).fill(1), 1, 1, 3, 3);
      const Y = t.allocNhwc(1, 1, 2, 2);
      t.check(lowerPool({ kind: 'avg', kernel: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], ceilMode: true, countIncludePad: cip }, X.ref, Y.ref, t.cw), Y, want, EXACT, `${flavor} golden cip=${cip}`);
    }
    // ceil mode window past the padded border: in 4, k 3, s 2, pad 1 → out 3 (ceil(1.5)+1); windows cover rows
    // {-1,0,1}, {1,2,3}, {3,4,5}; row 5 is beyond input+pad (4+1), so the last divisor per axis is 2 (rows 3, 4)
    // with count_include_pad (PyTorch: hend = min(hstart + k, in + pad)), and the valid sums per axis are 2, 3, 1.
    t.reset();
    const X = t.putNhwc(new Float32Array(16).fill(1), 1, 1, 4, 4);
    const Y = t.allocNhwc(1, 1, 3, 3);
    const ax = [2 / 3, 1, 1 / 2];
    t.check(lowerPool({ kind: 'avg', kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceilMode: true, countIncludePad: true }, X.ref, Y.ref, t.cw), Y,
      ax.flatMap((a) => ax.map((b) => a * b)), { atol: 1e-7, rtol: 1e-6 }, `${flavor} ceil + include pad`);
  }
});

test.run();
