// Layout kernels (assembly/layout.ts via src/backends/wasm/kernels/layout.ts) against the reference kernels (src/backends/reference/kernels/layout.ts), every flavor.
// Tolerance: none — every kernel here moves floats, results must be bit-exact (NaN fill outside).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { flavors, Harness } from '../helpers/harness.js';
import { HarnessConstWriter } from '../helpers/const-writer.js';
import { rng } from '../helpers/rng.js';
import { refTranspose } from '../../src/backends/reference/kernels/layout.js';
import { putNhwc, allocNhwc, getNhwc, firstTouchedOutside, runSteps, someCuts } from '../ref/nhwc.js';
import { lowerNchwToNhwc, lowerNhwcToNchw, lowerStridedCopy, lowerPermute } from '../../src/backends/wasm/kernels/layout.js';

const SHAPES = [[1, 1, 1, 1], [1, 3, 5, 7], [2, 4, 4, 4], [1, 5, 17, 3], [2, 13, 6, 5], [1, 16, 16, 16], [3, 7, 1, 1], [1, 1, 9, 11], [1, 37, 19, 21], [2, 64, 3, 9]];

for (const flavor of flavors) {
  test(`layout ${flavor}: NCHW <-> NHWC with pixelStride, partitions`, async () => {
    const h = await Harness.create(flavor);
    const cw = new HarnessConstWriter(h);
    const r = rng(9);
    for (const [n, c, hh, w] of SHAPES) {
      h.reset();
      const x = r.floats(n * c * hh * w);
      const xp = h.put(x);
      const ps = c + r.int(0, 5), off = r.int(0, ps - c);
      const T = allocNhwc(h, n, c, hh, w, ps, off);
      runSteps(h, lowerNchwToNhwc(xp, T.ref, cw), someCuts(r.next));
      const what = `${flavor} [${n},${c},${hh},${w}] ps ${ps}`;
      assert.equal(Array.from(getNhwc(h, T)), Array.from(x), `${what}: nchw → nhwc`);
      assert.is(firstTouchedOutside(h, T), -1, `${what}: wrote outside its channels`);
      const back = h.alloc(x.length + 1);
      runSteps(h, lowerNhwcToNchw(T.ref, back, cw), someCuts(r.next));
      assert.equal(Array.from(h.get(back, x.length)), Array.from(x), `${what}: nhwc → nchw`);
      assert.ok(Number.isNaN(h.get(back + x.length * 4, 1)[0]), `${what}: wrote past the end`);
    }
  });

  test(`layout ${flavor}: Transpose of rank 1..6 (general permute, 2-D transposes, copies)`, async () => {
    const h = await Harness.create(flavor);
    const cw = new HarnessConstWriter(h);
    const r = rng(19);
    const cases: [number[], number[]][] = [
      [[5], [0]], [[3, 4], [1, 0]], [[2, 3, 4], [0, 2, 1]], [[2, 3, 4], [2, 0, 1]], [[2, 3, 4, 5], [0, 2, 3, 1]],
      [[2, 3, 4, 5], [3, 1, 0, 2]], [[2, 3, 2, 3, 2], [4, 3, 2, 1, 0]], [[2, 1, 3, 2, 2, 3], [5, 0, 2, 4, 1, 3]],
      [[1, 17, 33], [0, 2, 1]], [[2, 2, 2, 2, 2, 2, 2], [6, 5, 4, 3, 2, 1, 0]], [[4, 5, 6], [0, 1, 2]], [[3, 2, 1, 4], [0, 2, 1, 3]],
    ];
    for (const [dims, perm] of cases) {
      h.reset();
      const x = r.floats(dims.reduce((a, b) => a * b, 1));
      const xp = h.put(x), yp = h.alloc(x.length + 1);
      runSteps(h, lowerPermute({ ptr: xp, dims }, perm, yp, cw), someCuts(r.next));
      const ref = refTranspose(x, dims, perm);
      assert.equal(Array.from(h.get(yp, x.length)), Array.from(ref.y), `${flavor} transpose [${dims}] perm [${perm}]`);
      assert.ok(Number.isNaN(h.get(yp + x.length * 4, 1)[0]), 'wrote past the end');
    }
  });

  test(`layout ${flavor}: strided copies (channel slice concat, slice with steps, pad interior)`, async () => {
    const h = await Harness.create(flavor);
    const cw = new HarnessConstWriter(h);
    const r = rng(29);
    // concat along C in NHWC: copy [1,5,4,3] (ps 5) into channels [2,7) of a ps-9 tensor
    {
      h.reset();
      const [n, c, hh, w] = [2, 5, 4, 3];
      const x = r.floats(n * c * hh * w);
      const X = putNhwc(h, x, n, c, hh, w);
      const Y = allocNhwc(h, n, c, hh, w, 9, 2);
      const phys = (ps: number) => [hh * w * ps, 1, w * ps, ps];
      runSteps(h, lowerStridedCopy({ dims: [n, c, hh, w], src: X.ref.ptr, srcStrides: phys(c), dst: Y.ref.ptr, dstStrides: phys(9) }, cw), someCuts(r.next));
      assert.equal(Array.from(getNhwc(h, Y)), Array.from(x));
      assert.is(firstTouchedOutside(h, Y), -1);
    }
    // relayout as the planner lowers it: NHWC (ps 7, offset 1) → dense NCHW over logical dims (transpose2d path)
    for (const [n, c, hh, w] of [[2, 5, 3, 4], [1, 16, 5, 5], [1, 1, 3, 3]]) {
      h.reset();
      const x = r.floats(n * c * hh * w);
      const X = putNhwc(h, x, n, c, hh, w, c + 2, 1);
      const yp = h.alloc(x.length + 1);
      const ps = c + 2;
      runSteps(h, lowerStridedCopy({ dims: [n, c, hh, w], src: X.ref.ptr, srcStrides: [hh * w * ps, 1, w * ps, ps], dst: yp, dstStrides: [c * hh * w, hh * w, w, 1] }, cw), someCuts(r.next));
      assert.equal(Array.from(h.get(yp, x.length)), Array.from(x), `relayout [${n},${c},${hh},${w}]`);
    }
    // slice with steps: x[:, 1:7:2, ::3] of a dense [2, 8, 10]
    {
      h.reset();
      const x = r.floats(2 * 8 * 10);
      const xp = h.put(x), yp = h.alloc(2 * 3 * 4 + 1);
      runSteps(h, lowerStridedCopy({ dims: [2, 3, 4], src: xp + (1 * 10) * 4, srcStrides: [80, 20, 3], dst: yp, dstStrides: [12, 4, 1] }, cw), someCuts(r.next));
      const want: number[] = [];
      for (let a = 0; a < 2; a++) for (let b = 1; b < 7; b += 2) for (let c = 0; c < 10; c += 3) want.push(x[a * 80 + b * 10 + c]);
      assert.equal(Array.from(h.get(yp, 24)), want);
      assert.ok(Number.isNaN(h.get(yp + 24 * 4, 1)[0]));
    }
    // pad interior: dense [3, 5] into the middle of [5, 9] (row stride 9, offset (1, 2)); borders untouched
    {
      h.reset();
      const x = r.floats(15);
      const xp = h.put(x), yp = h.alloc(45);
      runSteps(h, lowerStridedCopy({ dims: [3, 5], src: xp, srcStrides: [5, 1], dst: yp + (9 + 2) * 4, dstStrides: [9, 1] }, cw), someCuts(r.next));
      const got = h.get(yp, 45);
      for (let i = 0; i < 5; i++) for (let j = 0; j < 9; j++) {
        const inside = i >= 1 && i < 4 && j >= 2 && j < 7;
        if (inside) assert.is(got[i * 9 + j], x[(i - 1) * 5 + j - 2]); else assert.ok(Number.isNaN(got[i * 9 + j]));
      }
    }
  });
}

test.run();
