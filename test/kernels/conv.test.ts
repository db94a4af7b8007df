// lowerConv2d (gemm / igemm / dwconv kernels) against the NCHW reference, in every flavor the engine runs.
// The direct kernels only ({ winograd: false }); Winograd's sweeps are in winograd.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelTester, sameBits } from '../helpers/kernel-tester.js';
import { rng } from '../helpers/rng.js';
import { refConv2d, refConvOutSize, type RefConvParams } from '../../src/backends/reference/kernels/conv.js';
import { actFn } from '../helpers/activations.js';
import { lowerConv2d, convKernelFor, convOutputSize, buildIndirection, rowTaps, type Conv2dDesc } from '../../src/backends/wasm/kernels/conv.js';
import type { Activation, NhwcRef } from '../../src/backends/wasm/kernels/types.js';
import { EPILOGUE_CASES } from '../helpers/activations.js';

// Tolerance: float32 accumulation (bias first, then taps x channels in order) against a float64 reference;
// error grows like sqrt(K) * eps with K = taps * cin/groups terms of size ≤ 1 (inputs and weights in [-1, 1]).
// Relaxed builds fuse multiply-add (one rounding less per term), within the same bound.
const tol = (k: number) => ({ atol: 2e-5 * Math.sqrt(k + 1), rtol: 1e-5 });

const ACTS = EPILOGUE_CASES; // the well-conditioned codes: an epilogue's input is a float32 sum

type Kind = 'gemm' | 'dwconv' | 'igemm';
interface Case {
  name: string; kind: Kind;
  n: number; cin: number; h: number; w: number; cout: number;
  k: [number, number]; s?: [number, number]; pads?: [number, number, number, number]; d?: [number, number]; groups?: number;
}

const CASES: Case[] = [
  { name: '1x1 gemm odd', kind: 'gemm', n: 1, cin: 5, h: 3, w: 4, cout: 7, k: [1, 1] },
  { name: '1x1 gemm 1ch', kind: 'gemm', n: 1, cin: 1, h: 1, w: 1, cout: 1, k: [1, 1] },
  { name: '1x1 gemm batch2', kind: 'gemm', n: 2, cin: 17, h: 5, w: 3, cout: 13, k: [1, 1] },
  { name: '1x1 gemm wide', kind: 'gemm', n: 1, cin: 64, h: 4, w: 5, cout: 24, k: [1, 1] },
  { name: '1x1 stride 2', kind: 'igemm', n: 1, cin: 16, h: 7, w: 6, cout: 5, k: [1, 1], s: [2, 2] },
  { name: '1x1 pad 1', kind: 'igemm', n: 1, cin: 3, h: 2, w: 3, cout: 9, k: [1, 1], pads: [1, 0, 0, 1] },
  { name: '3x3 pad 1 cin 3', kind: 'igemm', n: 1, cin: 3, h: 7, w: 9, cout: 8, k: [3, 3], pads: [1, 1, 1, 1] },
  { name: '3x3 s2 asym pad', kind: 'igemm', n: 2, cin: 4, h: 8, w: 7, cout: 13, k: [3, 3], s: [2, 2], pads: [0, 1, 1, 0] },
  { name: '2x2 stride 3 > kernel', kind: 'igemm', n: 1, cin: 6, h: 11, w: 10, cout: 9, k: [2, 2], s: [3, 3] },
  { name: '3x3 stride 2x3', kind: 'igemm', n: 1, cin: 5, h: 9, w: 11, cout: 3, k: [3, 3], s: [2, 3], pads: [1, 1, 1, 1] },
  { name: '5x2 s(2,1) asym pad', kind: 'igemm', n: 1, cin: 3, h: 9, w: 6, cout: 5, k: [5, 2], s: [2, 1], pads: [2, 0, 1, 1] },
  { name: '1x3', kind: 'igemm', n: 1, cin: 7, h: 4, w: 8, cout: 4, k: [1, 3], pads: [0, 1, 0, 1] },
  { name: '3x1', kind: 'igemm', n: 2, cin: 2, h: 6, w: 3, cout: 1, k: [3, 1], pads: [1, 0, 1, 0] },
  { name: '7x7 s2 p3', kind: 'igemm', n: 1, cin: 3, h: 19, w: 17, cout: 16, k: [7, 7], s: [2, 2], pads: [3, 3, 3, 3] },
  { name: 'dilation 2', kind: 'igemm', n: 1, cin: 8, h: 9, w: 10, cout: 12, k: [3, 3], pads: [2, 2, 2, 2], d: [2, 2] },
  { name: 'dilation (2,1) pad > k-1', kind: 'igemm', n: 1, cin: 4, h: 3, w: 3, cout: 6, k: [3, 3], pads: [3, 2, 4, 2], d: [2, 1] },
  { name: 'pad >= kernel on 3x3 input', kind: 'igemm', n: 1, cin: 2, h: 3, w: 3, cout: 5, k: [3, 3], pads: [2, 2, 2, 2] },
  { name: '3x3 32->32 (even K, big M)', kind: 'igemm', n: 1, cin: 32, h: 10, w: 10, cout: 32, k: [3, 3], pads: [1, 1, 1, 1] },
  { name: 'groups 2', kind: 'igemm', n: 1, cin: 6, h: 6, w: 5, cout: 10, k: [3, 3], pads: [1, 1, 1, 1], groups: 2 },
  { name: 'groups 3 stride 2', kind: 'igemm', n: 2, cin: 9, h: 7, w: 7, cout: 6, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1], groups: 3 },
  { name: 'groups 4 1x1', kind: 'igemm', n: 1, cin: 8, h: 3, w: 3, cout: 12, k: [1, 1], groups: 4 },
  { name: 'depthwise 3x3 c5', kind: 'dwconv', n: 1, cin: 5, h: 6, w: 7, cout: 5, k: [3, 3], pads: [1, 1, 1, 1], groups: 5 },
  { name: 'depthwise 3x3 c16 s2', kind: 'dwconv', n: 2, cin: 16, h: 7, w: 8, cout: 16, k: [3, 3], s: [2, 2], pads: [0, 1, 1, 1], groups: 16 },
  { name: 'depthwise 3x3 c37 (16+16+4+1)', kind: 'dwconv', n: 1, cin: 37, h: 5, w: 5, cout: 37, k: [3, 3], pads: [1, 1, 1, 1], groups: 37 },
  { name: 'depthwise 5x5 dil 2 c20', kind: 'dwconv', n: 1, cin: 20, h: 9, w: 8, cout: 20, k: [5, 5], pads: [4, 4, 4, 4], d: [2, 2], groups: 20 },
  { name: 'depthwise 3x1 s(1,2) c3', kind: 'dwconv', n: 1, cin: 3, h: 4, w: 9, cout: 3, k: [3, 1], s: [1, 2], pads: [1, 0, 1, 0], groups: 3 },
  { name: 'depthwise multiplier 2 (igemm)', kind: 'igemm', n: 1, cin: 4, h: 5, w: 5, cout: 8, k: [3, 3], pads: [1, 1, 1, 1], groups: 4 },
  { name: 'single input channel group (igemm)', kind: 'igemm', n: 1, cin: 1, h: 5, w: 4, cout: 1, k: [3, 3], pads: [1, 1, 1, 1], groups: 1 },
];

interface Variant { act: Activation; bias: boolean; res: boolean; xPad: number; yPad: number; yOff: number; rPad: number; rowTaps?: boolean }

function runCase(t: KernelTester, c: Case, v: Variant, seed: number): Uint32Array {
  t.reset();
  const r = rng(seed);
  const groups = c.groups ?? 1;
  const p: RefConvParams = {
    n: c.n, cin: c.cin, h: c.h, w: c.w, cout: c.cout, kh: c.k[0], kw: c.k[1], sh: c.s?.[0] ?? 1, sw: c.s?.[1] ?? 1,
    pads: c.pads ?? [0, 0, 0, 0], dh: c.d?.[0] ?? 1, dw: c.d?.[1] ?? 1, groups,
  };
  const [oh, ow] = refConvOutSize(p);
  const kTerms = (c.cin / groups) * c.k[0] * c.k[1];
  const what = `${t.flavor} ${c.name} act=${v.act.kind} bias=${v.bias} res=${v.res} xPad=${v.xPad} yPad=${v.yPad} yOff=${v.yOff}`;
  const xs = r.floats(c.n * c.cin * c.h * c.w);
  const wts = r.floats(c.cout * (c.cin / groups) * c.k[0] * c.k[1]);
  const bias = v.bias ? r.floats(c.cout) : undefined;
  const res = v.res ? r.floats(c.n * c.cout * oh * ow) : null;

  const X = t.putNhwc(xs, c.n, c.cin, c.h, c.w, c.cin + v.xPad); // gap channels stay NaN
  const R = res ? t.putNhwc(res, c.n, c.cout, oh, ow, c.cout + v.rPad) : null;
  const Y = t.allocNhwc(c.n, c.cout, oh, ow, c.cout + v.yPad + v.yOff, v.yOff);
  const desc: Conv2dDesc = {
    weights: wts, bias, cout: c.cout, kernel: c.k, strides: [p.sh, p.sw], pads: p.pads, dilations: [p.dh, p.dw], groups, act: v.act,
  };
  assert.is(convKernelFor(desc, c.cin), c.kind, `${what}: kernel choice`);
  const steps = lowerConv2d(desc, X.ref, Y.ref, R ? R.ref : null, t.cw, { winograd: false, rowTaps: v.rowTaps });
  // Row taps: one step over every pixel, then one per edge column (n·oh pixels each, computed twice).
  const rows = c.kind === 'igemm' && !R && v.rowTaps !== false ? rowTaps(desc, X.ref, ow) : null;
  const edges = rows ? rows.edges.length : 0;
  assert.is(steps.length, rows ? 1 + edges : c.kind === 'igemm' ? groups : 1, `${what}: step count`);
  assert.is(steps.reduce((a, s) => a + s.flops, 0), 2 * c.n * (oh * ow + edges * oh) * c.cout * kTerms, `${what}: flops`);
  steps.forEach((s, i) => assert.is(s.range, rows && i > 0 ? c.n * oh : c.n * oh * ow));
  const { atol, rtol } = tol(kTerms);
  return t.check(steps, Y, refConv2d(xs, wts, bias, res, p, actFn(v.act)), { atol, rtol }, what);
}

KernelTester.each('conv', `${CASES.length} shapes x 2 epilogue variants (slices, residual, partitions)`, (t) => {
  let i = 0;
  for (const c of CASES) {
    for (let j = 0; j < 2; j++, i++) {
      const v: Variant = {
        act: ACTS[i % ACTS.length], bias: i % 4 !== 3, res: j === 1, xPad: (i * 7) % 3, yPad: (i * 5) % 4, yOff: i % 3, rPad: i % 2,
      };
      runCase(t, c, v, 1000 + i);
    }
  }
  assert.is(t.checked, 2 * CASES.length);
});

KernelTester.each('conv', 'seeded random shapes', (t) => {
  const r = rng(7);
  for (let i = 0; i < 40; i++) {
    const kind = r.pick(['igemm', 'dwconv', 'gemm', 'igemm'] as const);
    const cin = kind === 'gemm' ? r.int(1, 40) : r.int(1, 24);
    let groups = 1, cout = r.int(1, 20);
    if (kind === 'dwconv') { groups = cin; cout = cin; } else if (kind === 'igemm' && r.next() < 0.3) {
      groups = r.pick([1, 2, 3].filter((g) => cin % g === 0));
      cout = groups * r.int(1, 6);
    }
    const k: [number, number] = kind === 'gemm' ? [1, 1] : [r.int(1, 5), r.int(1, 5)];
    const s: [number, number] = kind === 'gemm' ? [1, 1] : [r.int(1, 3), r.int(1, 3)];
    const d: [number, number] = kind === 'gemm' ? [1, 1] : [r.int(1, 2), r.int(1, 2)];
    const pads: [number, number, number, number] = kind === 'gemm' ? [0, 0, 0, 0] : [r.int(0, 3), r.int(0, 3), r.int(0, 3), r.int(0, 3)];
    const h0 = r.int(1, 9), w0 = r.int(1, 9);
    if ((h0 + pads[0] + pads[2] - d[0] * (k[0] - 1) - 1) < 0 || (w0 + pads[1] + pads[3] - d[1] * (k[1] - 1) - 1) < 0) continue;
    let c: Case = { name: `random ${i}`, kind, n: r.int(1, 2), cin, h: h0, w: w0, cout, k, s, pads, d, groups };
    const desc = { cout, kernel: k, strides: s, pads, dilations: d, groups } as Conv2dDesc;
    c = { ...c, kind: convKernelFor(desc, cin) };
    const v: Variant = { act: r.pick(ACTS), bias: r.next() < 0.8, res: r.next() < 0.5, xPad: r.int(0, 2), yPad: r.int(0, 3), yOff: r.int(0, 2), rPad: r.int(0, 2) };
    runCase(t, c, v, 5000 + i);
  }
  assert.ok(t.checked >= 30, `${t.checked} random shapes`);
});

// Row taps (few input channels, dense pixels, no residual): the same summation order as the per-tap path, so
// the same bits; edge columns (left and right padding, strides that skip or reach the border) on both sides.
KernelTester.each('conv', 'row taps: same bits as one pointer per tap', (t) => {
  const r = rng(11);
  let rowCases = 0, edgeCases = 0;
  const fixed: Array<Pick<Case, 'cin' | 'h' | 'w' | 'k' | 's' | 'pads'>> = [
    { cin: 3, h: 17, w: 19, k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1] }, // MobileNet's first layer
    { cin: 3, h: 23, w: 21, k: [7, 7], s: [2, 2], pads: [3, 3, 3, 3] }, // ResNet's conv1
    { cin: 1, h: 12, w: 12, k: [5, 5], s: [1, 1], pads: [0, 0, 0, 0] }, // LeNet, no edges
    { cin: 4, h: 9, w: 10, k: [2, 3], s: [1, 3], pads: [0, 2, 1, 1] },
  ];
  for (let i = 0; i < 44; i++) {
    const f = fixed[i] ?? {
      cin: r.int(1, 4), h: r.int(1, 8), w: r.int(8, 30), k: [r.int(1, 5), r.int(2, 6)] as [number, number],
      s: [r.int(1, 3), r.int(1, 3)] as [number, number], pads: [r.int(0, 2), r.int(0, 3), r.int(0, 2), r.int(0, 3)] as [number, number, number, number],
    };
    if (f.h + f.pads![0] + f.pads![2] < f.k[0] || f.w + f.pads![1] + f.pads![3] < f.k[1]) continue;
    const c: Case = { name: `row taps ${i}`, kind: 'igemm', n: r.int(1, 2), cout: r.int(1, 19), ...f };
    const desc = { cout: c.cout, kernel: c.k, strides: c.s, pads: c.pads, dilations: [1, 1], groups: 1 } as Conv2dDesc;
    if (convKernelFor(desc, c.cin) !== 'igemm') continue;
    const ow = convOutputSize(c.w, c.k[1], c.s![1], c.pads![1], c.pads![3]);
    const rows = rowTaps(desc, { ptr: 0, n: c.n, h: c.h, w: c.w, c: c.cin, pixelStride: c.cin }, ow);
    if (!rows) continue;
    rowCases++;
    if (rows.edges.length) edgeCases++;
    const v: Variant = { act: r.pick(ACTS), bias: r.next() < 0.8, res: false, xPad: 0, yPad: r.int(0, 3), yOff: r.int(0, 2), rPad: 0 };
    const byRow = runCase(t, c, v, 9000 + i);
    const byTap = runCase(t, c, { ...v, rowTaps: false }, 9000 + i);
    assert.is(sameBits(byRow, byTap), -1, `${t.flavor} ${c.name}: row taps and per-tap igemm differ`);
  }
  assert.ok(rowCases >= 25 && edgeCases >= 15, `${rowCases} row-tap cases, ${edgeCases} with edge columns`);
});

test('convOutputSize', () => {
  assert.is(convOutputSize(56, 3, 1, 1, 1), 56);
  assert.is(convOutputSize(224, 7, 2, 3, 3), 112);
  assert.is(convOutputSize(10, 2, 3, 0, 0), 3);
  assert.is(convOutputSize(9, 3, 1, 2, 2, 2), 9);
  assert.is(convOutputSize(8, 3, 2, 0, 1), 4);
});

test('indirection buffer: zero pointer for padding taps, pixel addresses otherwise', () => {
  const desc = { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], dilations: [1, 1] } as Conv2dDesc;
  const x: NhwcRef = { ptr: 4096, n: 1, h: 4, w: 4, c: 3, pixelStride: 5 };
  const ind = buildIndirection(desc, x, 2, 2, 16);
  assert.is(ind.length, 2 * 2 * 9);
  assert.equal(Array.from(ind.subarray(0, 9)), [16, 16, 16, 16, 4096, 4096 + 20, 16, 4096 + 80, 4096 + 100]);
  assert.is(ind[3 * 9 + 8], 4096 + (3 * 4 + 3) * 20); // last pixel, last tap: input (3, 3)
});

test('lowerConv2d rejects inconsistent shapes', () => {
  const desc: Conv2dDesc = { weights: new Float32Array(2 * 3 * 9), cout: 2, kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1],
    dilations: [1, 1], groups: 1, act: ACTS[0] };
  const x: NhwcRef = { ptr: 4096, n: 1, h: 4, w: 4, c: 3, pixelStride: 3 };
  const cw = { f32: () => 1024, i32: () => 1024, zeros: () => 1024, reserve: () => {} };
  assert.throws(() => lowerConv2d(desc, x, { ...x, c: 2, h: 3 }, null, cw), /output/);
  assert.throws(() => lowerConv2d({ ...desc, groups: 2 }, x, { ...x, c: 2 }, null, cw), /groups/);
  assert.throws(() => lowerConv2d({ ...desc, weights: new Float32Array(5) }, x, { ...x, c: 2 }, null, cw), /weights/);
  assert.is(lowerConv2d(desc, x, { ...x, ptr: 8192, c: 2, pixelStride: 2 }, null, cw, { rowTaps: false }).length, 1);
});

test.run();
