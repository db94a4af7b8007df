// The locally-connected kernel (assembly/local.ts via src/backends/wasm/kernels/local.ts) against the
// reference (src/backends/reference/kernels/conv.ts refLocallyConnected2d, float64), every flavor, pixel
// strides and channel offsets on both sides, every fused activation code path (none, ReLU), partitions.
// Tolerance: K = C_in·kh·kw float32 products summed from the bias: atol 2e-5·sqrt(K+1), rtol 1e-5.
import * as assert from 'uvu/assert';
import { test } from 'uvu';
import { KernelTester } from '../helpers/kernel-tester.js';
import { rng } from '../helpers/rng.js';
import { refLocallyConnected2d } from '../../src/backends/reference/kernels/conv.js';
import { refPoolOut } from '../../src/backends/reference/kernels/pool.js';
import { lowerLocallyConnected } from '../../src/backends/wasm/kernels/local.js';
import { ActKind, NO_ACTIVATION } from '../../src/backends/wasm/kernels/types.js';

KernelTester.each('local', 'random shapes (C_out 1..19: vector blocks of 8 and 4, partial stores)', (t) => {
  const r = rng(31);
  for (let i = 0; i < 40; i++) {
    const k: [number, number] = [r.int(1, 4), r.int(1, 4)], s: [number, number] = [r.int(1, 3), r.int(1, 3)], d: [number, number] = [r.int(1, 2), r.int(1, 2)];
    const pads: [number, number, number, number] = [r.int(0, k[0] - 1), r.int(0, k[1] - 1), r.int(0, k[0] - 1), r.int(0, k[1] - 1)];
    const h = Math.max(r.int(1, 8), d[0] * (k[0] - 1) + 1), w = Math.max(r.int(1, 8), d[1] * (k[1] - 1) + 1);
    const n = r.int(1, 2), cin = r.pick([1, 2, 3, 5, 8]), cout = r.int(1, 19);
    const oh = refPoolOut(h, k[0], s[0], pads[0], pads[2], d[0], false), ow = refPoolOut(w, k[1], s[1], pads[1], pads[3], d[1], false);
    const relu = r.next() < 0.5, bias = r.next() < 0.8;
    t.reset();
    const x = r.floats(n * cin * h * w), wt = r.floats(oh * ow * cout * cin * k[0] * k[1]), b = bias ? r.floats(oh * ow * cout) : undefined;
    const xPad = r.int(0, 2);
    const X = t.putNhwc(x, n, cin, h, w, cin + xPad, r.int(0, xPad));
    const Y = t.allocNhwc(n, cout, oh, ow, cout + 3, r.int(0, 3));
    const steps = lowerLocallyConnected({ weights: wt, bias: b, kernel: k, strides: s, pads, dilations: d, act: relu ? { kind: ActKind.Relu, p0: 0, p1: 0 } : NO_ACTIVATION }, X.ref, Y.ref, t.cw);
    let want = refLocallyConnected2d(x, wt, b, { n, cin, h, w, cout, oh, ow, kh: k[0], kw: k[1], sh: s[0], sw: s[1], pt: pads[0], pl: pads[1], dh: d[0], dw: d[1] });
    if (relu) want = want.map((v) => Math.max(v, 0));
    t.check(steps, Y, want, { atol: 2e-5 * Math.sqrt(cin * k[0] * k[1] + 1), rtol: 1e-5 }, `${t.flavor} local n ${n} cin ${cin} cout ${cout} ${h}x${w} k ${k} s ${s} d ${d} pads ${pads}`);
  }
  assert.ok(t.checked >= 40);
});

test.run();
