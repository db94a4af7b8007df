// Softmax over the last axis (assembly/softmax.ts via src/backends/wasm/kernels/softmax.ts) against the reference kernels (src/backends/reference/kernels/softmax.ts).
// Tolerance: exp has relative error < 2e-7 (activation.ts), the row sum of n positive float32 terms adds
// at most ~n/4 * 2^-24 relative (4-lane partial sums) and the division one rounding: atol 1e-7 (outputs ≤ 1),
// rtol 2e-6 + n * 1.5e-8.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { flavors, Harness, assertClose } from '../helpers/harness.js';
import { rng } from '../helpers/rng.js';
import { refSoftmax } from '../../src/backends/reference/kernels/softmax.js';
import { runSteps, someCuts, bytesAt, sameBits } from '../ref/nhwc.js';
import { lowerSoftmax } from '../../src/backends/wasm/kernels/softmax.js';

for (const flavor of flavors) {
  test(`softmax ${flavor}: shapes, scales, in place, partitions`, async () => {
    const h = await Harness.create(flavor);
    const r = rng(3);
    for (const [rows, n] of [[1, 1], [1, 3], [3, 4], [5, 5], [2, 7], [7, 13], [4, 16], [3, 1000], [1, 1001], [64, 10]]) for (const scale of [1, 10, 60]) {
      h.reset();
      const x = r.floats(rows * n, scale);
      if (n > 2) x[1] = -Infinity; // a masked logit
      const xp = h.put(x), yp = h.alloc(rows * n + 1);
      const steps = lowerSoftmax(xp, yp, rows, n);
      runSteps(h, steps);
      const what = `${flavor} softmax ${rows}x${n} scale ${scale}`;
      const ref = refSoftmax(x, rows, n);
      assertClose(h.get(yp, rows * n), ref, 1e-7, 2e-6 + n * 1.5e-8, what);
      assert.ok(Number.isNaN(h.get(yp + rows * n * 4, 1)[0]), `${what}: wrote past the end`);
      const full = bytesAt(h, yp, rows * n);
      h.f32.fill(NaN, yp >> 2, (yp >> 2) + rows * n);
      runSteps(h, steps, someCuts(r.next));
      assert.is(sameBits(bytesAt(h, yp, rows * n), full), -1, `${what}: partition`);
      runSteps(h, lowerSoftmax(xp, xp, rows, n), someCuts(r.next));
      assert.is(sameBits(bytesAt(h, xp, rows * n), full), -1, `${what}: in place`);
    }
  });
}

test.run();
