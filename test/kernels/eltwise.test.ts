// Element-wise kernels (assembly/eltwise.ts via src/backends/wasm/kernels/eltwise.ts) against the reference kernels (src/backends/reference/kernels/eltwise.ts), every flavor.
// Tolerances:
// - ReLU, Clip, LeakyReLU, fill, copy: exact (compare with the float64 reference rounded to float32: one rounding).
// - HardSigmoid, HardSwish, scale+shift, add/sub/mul/div: 2 to 3 float32 roundings → atol 1e-6, rtol 1e-6.
// - Sigmoid, Tanh: table-free polynomial exp (assembly/activation.ts); measured max relative error < 4e-7
//   over [-90, 90] → rtol 2e-6; atol 1e-44 only for results in the float32 subnormal range (< 1.2e-38),
//   where float32 itself has only absolute precision 1.4e-45.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { flavors, Harness, assertClose } from '../helpers/harness.js';
import { HarnessConstWriter } from '../helpers/const-writer.js';
import { rng } from '../helpers/rng.js';
import { refBinary, refScaleShift, type RefOp } from '../../src/backends/reference/kernels/eltwise.js';
import { actFn, refActivation } from '../helpers/activations.js';
import { putNhwc, allocNhwc, getNhwc, firstTouchedOutside, runSteps, someCuts, bytesAt, sameBits } from '../ref/nhwc.js';
import { lowerActivation, lowerBinary, lowerFill, lowerScaleShift, lowerCopy2d, coalesceDims } from '../../src/backends/wasm/kernels/eltwise.js';
import { ActKind, type Activation } from '../../src/backends/wasm/kernels/types.js';
import { ACTIVATION_CASES } from '../helpers/activations.js';

const ACTS = ACTIVATION_CASES;
const EXACT = new Set([ActKind.None, ActKind.Relu, ActKind.Clip, ActKind.LeakyRelu]);

/** Checks `got` against float64 `ref` with the tolerance of activation `act` after `roundings` float32 ops. */
function checkAct(got: ArrayLike<number>, ref: ArrayLike<number>, act: Activation, what: string, exactAllowed = true): void {
  if (EXACT.has(act.kind) && exactAllowed) return assertClose(got, Float32Array.from(ref), 0, 0, what);
  if (act.kind === ActKind.Sigmoid || act.kind === ActKind.Tanh) return assertClose(got, ref, 1e-44, 2e-6, what);
  return assertClose(got, ref, 1e-6, 1e-6, what);
}

/** Inputs covering the interesting ranges: wide (-90..90), moderate, tiny, subnormal, signed zeros. */
function wideInputs(n: number, r: ReturnType<typeof rng>): Float32Array {
  const special = [0, -0, 1e-30, -1e-30, 1e-40, -1e-40, 1e-7, -1e-7, 0.6249, -0.6249, 0.625, -0.625, 0.63, -0.63, 9, -9, 20, -20, 44, -44, 87, -87, 88.5, -88.5, 89.9, -89.9, 90, -90];
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % 4;
    x[i] = i < special.length ? special[i] : k === 0 ? (r.next() * 2 - 1) * 90 : k === 1 ? (r.next() * 2 - 1) * 4 : k === 2 ? (r.next() * 2 - 1) * 1e-3 : (r.next() * 2 - 1) * 20;
  }
  return x;
}

for (const flavor of flavors) {
  test(`eltwise ${flavor}: activation, every code, odd lengths, in place, partitions`, async () => {
    const h = await Harness.create(flavor);
    const r = rng(11);
    for (const act of ACTS) for (const n of [1, 3, 4, 5, 7, 13, 64, 1001]) {
      h.reset();
      const x = wideInputs(n, r);
      const xp = h.put(x), yp = h.alloc(n + 1);
      const steps = lowerActivation(xp, yp, n, act);
      runSteps(h, steps);
      const what = `${flavor} act ${act.kind} n=${n}`;
      const ref = Array.from(x, (v) => refActivation(v, act));
      checkAct(h.get(yp, n), ref, act, what);
      assert.ok(Number.isNaN(h.get(yp + n * 4, 1)[0]), `${what}: wrote past the end`);
      const full = bytesAt(h, yp, n);
      h.f32.fill(NaN, yp >> 2, (yp >> 2) + n);
      runSteps(h, steps, someCuts(r.next));
      assert.is(sameBits(bytesAt(h, yp, n), full), -1, `${what}: partition changed bytes`);
      // in place
      runSteps(h, lowerActivation(xp, xp, n, act), someCuts(r.next));
      assert.is(sameBits(bytesAt(h, xp, n), full), -1, `${what}: in place differs`);
    }
  });

  test(`eltwise ${flavor}: sigmoid / tanh accuracy over [-90, 90] (dense sweep)`, async () => {
    const h = await Harness.create(flavor);
    const n = 360001;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = -90 + (180 * i) / (n - 1);
    for (const act of [ACTS[5], ACTS[6]]) {
      h.reset();
      const xp = h.put(x), yp = h.alloc(n);
      runSteps(h, lowerActivation(xp, yp, n, act));
      const y = h.get(yp, n);
      let worst = 0, at = 0;
      for (let i = 0; i < n; i++) {
        const e = refActivation(x[i], act);
        if (Math.abs(e) < 1.2e-38) { assert.ok(Math.abs(y[i] - e) < 1e-44, `subnormal at ${x[i]}`); continue; }
        const rel = Math.abs(y[i] - e) / Math.abs(e);
        if (rel > worst) { worst = rel; at = x[i]; }
      }
      if (flavor === flavors[0]) console.log(`  ${act.kind === 4 ? 'sigmoid' : 'tanh'} (${flavor}): max relative error ${worst.toExponential(2)} at x=${at}`);
      assert.ok(worst < 2e-6, `${flavor} act ${act.kind}: max relative error ${worst} at ${at}`);
    }
  });

  test(`eltwise ${flavor}: binary ops with broadcasting (dense NCHW) and fused activations`, async () => {
    const h = await Harness.create(flavor);
    const cw = new HarnessConstWriter(h);
    const r = rng(21);
    const shapes: [number[], number[]][] = [
      [[2, 5, 3, 4], [2, 5, 3, 4]], [[1, 7, 3, 3], [1, 7, 1, 1]], [[2, 3, 4, 5], [1]], [[1], [2, 3, 4, 5]],
      [[2, 13, 2, 3], [2, 1, 2, 3]], [[1, 16, 5, 5], [16, 1, 1]], [[3, 1, 4, 1], [1, 5, 1, 6]], [[1, 1, 1, 1], [1, 1, 1, 1]],
      [[4, 1100], [4, 1100]], [[2, 3, 1, 2, 2, 3], [2, 1, 4, 1, 2, 1]], [[5], [5]], [[1, 3, 1, 1], [2, 3, 4, 4]], [[7, 9], [9]],
    ];
    for (const [ad, bd] of shapes) for (const op of ['add', 'sub', 'mul', 'div'] as RefOp[]) {
      const act = r.pick(ACTS);
      h.reset();
      const a = r.floats(ad.reduce((p, q) => p * q, 1));
      const b = r.floats(bd.reduce((p, q) => p * q, 1));
      if (op === 'div') for (let i = 0; i < b.length; i++) b[i] = (b[i] < 0 ? -0.5 : 0.5) + b[i];
      const ref = refBinary(op, a, ad, b, bd, actFn(act));
      const dims = ref.dims, rank = dims.length;
      const dense = (d: number[]) => { const s = new Array(d.length).fill(1); for (let i = d.length - 2; i >= 0; i--) s[i] = s[i + 1] * d[i + 1]; return s; };
      const bstr = (d: number[]) => { const s = dense(d); return dims.map((_, k) => { const j = k - (rank - d.length); return j < 0 || d[j] === 1 ? 0 : s[j]; }); };
      const ap = h.put(a), bp = h.put(b), yp = h.alloc(ref.y.length);
      const steps = lowerBinary({ op, act, dims, a: ap, aStrides: bstr(ad), b: bp, bStrides: bstr(bd), y: yp, yStrides: dense(dims) }, cw);
      runSteps(h, steps);
      const what = `${flavor} ${op} [${ad}] [${bd}] act ${act.kind}`;
      checkAct(h.get(yp, ref.y.length), ref.y, act, what, op === 'add' || op === 'sub' ? false : false);
      const full = bytesAt(h, yp, ref.y.length);
      h.f32.fill(NaN, yp >> 2, (yp >> 2) + ref.y.length);
      runSteps(h, steps, someCuts(r.next));
      assert.is(sameBits(bytesAt(h, yp, ref.y.length), full), -1, `${what}: partition`);
    }
  });

  test(`eltwise ${flavor}: binary ops on NHWC with pixelStride (as the planner lowers them)`, async () => {
    const h = await Harness.create(flavor);
    const cw = new HarnessConstWriter(h);
    const r = rng(31);
    const cases: [number[], number[]][] = [
      [[1, 5, 3, 4], [1, 5, 3, 4]], [[2, 7, 3, 3], [1, 7, 1, 1]], [[2, 13, 2, 3], [2, 1, 2, 3]], [[1, 3, 4, 5], [1]], [[1, 1, 3, 3], [1, 1, 3, 3]],
    ];
    for (const [xd, bd] of cases) for (const op of ['add', 'mul', 'sub', 'div'] as RefOp[]) {
      const act = r.pick(ACTS);
      h.reset();
      const [n, c, hh, w] = xd;
      const a = r.floats(n * c * hh * w);
      const b = r.floats(bd.reduce((p, q) => p * q, 1));
      if (op === 'div') for (let i = 0; i < b.length; i++) b[i] = (b[i] < 0 ? -0.5 : 0.5) + b[i];
      const A = putNhwc(h, a, n, c, hh, w, c + 3, 2);
      const Y = allocNhwc(h, n, c, hh, w, c + 2, 1);
      const phys = (ps: number) => [hh * w * ps, 1, w * ps, ps];
      let bp: number, bs: number[];
      if (bd.length === 4 && bd[0] === n && bd[2] === hh && bd[3] === w) {
        // a 4-D activation operand: NHWC too (C may be 1 → broadcast)
        const B = putNhwc(h, b, bd[0], bd[1], bd[2], bd[3], bd[1] + 1, 1);
        bp = B.ref.ptr; bs = phys(bd[1] + 1).map((s, k) => (bd[k] === 1 ? 0 : s));
      } else {
        bp = h.put(b);
        const dense = [bd.slice(1).reduce((p, q) => p * q, 1), ...bd.slice(2), 1];
        bs = [0, 1, 2, 3].map((k) => { const j = k - (4 - bd.length); return j < 0 || bd[j] === 1 ? 0 : bd.slice(j + 1).reduce((p, q) => p * q, 1); });
        void dense;
      }
      const order = [0, 2, 3, 1];
      const pick = (s: number[]) => order.map((i) => s[i]);
      const steps = lowerBinary({ op, act, dims: pick(xd), a: A.ref.ptr, aStrides: pick(phys(c + 3)), b: bp, bStrides: pick(bs), y: Y.ref.ptr, yStrides: pick(phys(c + 2)) }, cw);
      runSteps(h, steps, someCuts(r.next));
      const what = `${flavor} nhwc ${op} [${xd}] [${bd}] act ${act.kind}`;
      checkAct(getNhwc(h, Y), refBinary(op, a, xd, b, bd, actFn(act)).y, act, what, false);
      assert.is(firstTouchedOutside(h, Y), -1, `${what}: wrote outside its channels`);
    }
  });

  test(`eltwise ${flavor}: scale + shift (standalone batch-norm) over NHWC slices`, async () => {
    const h = await Harness.create(flavor);
    const cw = new HarnessConstWriter(h);
    const r = rng(41);
    for (const [n, c, hh, w] of [[1, 1, 1, 1], [1, 3, 4, 5], [2, 5, 3, 3], [1, 13, 2, 7], [1, 16, 3, 3], [2, 37, 2, 2]]) for (const act of ACTS) {
      h.reset();
      const x = r.floats(n * c * hh * w, 3), scale = r.floats(c, 2), shift = r.floats(c);
      const X = putNhwc(h, x, n, c, hh, w, c + 1, 1);
      const Y = allocNhwc(h, n, c, hh, w, c + 4, 3);
      const steps = lowerScaleShift(X.ref, Y.ref, scale, shift, act, cw);
      runSteps(h, steps);
      const what = `${flavor} scaleshift ${[n, c, hh, w]} act ${act.kind}`;
      checkAct(getNhwc(h, Y), refScaleShift(x, n, c, hh * w, scale, shift, actFn(act)), act, what, false);
      assert.is(firstTouchedOutside(h, Y), -1, what);
      const full = bytesAt(h, Y.base, Y.total);
      h.f32.fill(NaN, Y.base >> 2, (Y.base >> 2) + Y.total);
      runSteps(h, steps, someCuts(r.next));
      assert.is(sameBits(bytesAt(h, Y.base, Y.total), full), -1, `${what}: partition`);
    }
  });

  test(`eltwise ${flavor}: fill and copy2d`, async () => {
    const h = await Harness.create(flavor);
    const r = rng(51);
    for (const n of [1, 3, 4, 5, 17, 4099]) {
      h.reset();
      const p = h.alloc(n + 1);
      runSteps(h, lowerFill(p, n, -2.5), someCuts(r.next));
      const got = h.get(p, n + 1);
      assert.ok(got.subarray(0, n).every((v) => v === -2.5) && Number.isNaN(got[n]), `fill ${n}`);
    }
    for (const [rows, cols, ss, ds] of [[1, 1, 1, 1], [3, 5, 7, 6], [4, 3, 3, 9], [2, 2500, 2600, 2501], [7, 13, 13, 13]]) {
      h.reset();
      const src = r.floats(rows * ss);
      const sp = h.put(src), dp = h.alloc(rows * ds);
      runSteps(h, lowerCopy2d({ src: sp, srcStride: ss, dst: dp, dstStride: ds, rows, cols }), someCuts(r.next));
      const got = h.get(dp, rows * ds);
      for (let i = 0; i < rows; i++) for (let j = 0; j < ds; j++) {
        const v = got[i * ds + j];
        if (j < cols) assert.is(v, src[i * ss + j], `copy2d ${[rows, cols, ss, ds]} at ${i},${j}`);
        else assert.ok(Number.isNaN(v), `copy2d wrote outside at ${i},${j}`);
      }
    }
  });
}

test('coalesceDims merges contiguous and broadcast runs', () => {
  const c = coalesceDims([2, 3, 4, 5], [[60, 20, 5, 1], [0, 0, 0, 1], [60, 20, 5, 1]]);
  assert.equal(c.dims, [24, 5]);
  assert.equal(c.strides, [[5, 1], [0, 1], [5, 1]]);
  const d = coalesceDims([1, 3, 1, 4], [[12, 4, 4, 1], [0, 1, 0, 0]]);
  assert.equal(d.dims, [3, 4]);
});

test.run();
