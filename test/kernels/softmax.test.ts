// Softmax over the last axis (assembly/softmax.ts via src/backends/wasm/kernels/softmax.ts) against the reference kernels (src/backends/reference/kernels/softmax.ts).
// Tolerance: exp has relative error < 2e-7 (activation.ts), the row sum of n positive float32 terms adds
// at most ~n/4 * 2^-24 relative (4-lane partial sums) and the division one rounding: atol 1e-7 (outputs ≤ 1),
// rtol 2e-6 + n * 1.5e-8.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelTester } from '../helpers/kernel-tester.js';
import { refSoftmax } from '../../src/backends/reference/kernels/softmax.js';
import { lowerSoftmax } from '../../src/backends/wasm/kernels/softmax.js';

KernelTester.each('softmax', 'shapes, scales, in place, partitions', (t) => {
  const r = t.r;
  for (const [rows, n] of [[1, 1], [1, 3], [3, 4], [5, 5], [2, 7], [7, 13], [4, 16], [3, 1000], [1, 1001], [64, 10]]) for (const scale of [1, 10, 60]) {
    t.reset();
    const x = r.floats(rows * n, scale);
    if (n > 2) x[1] = -Infinity; // a masked logit
    const X = t.putDense(x), Y = t.allocDense(rows * n);
    const what = `${t.flavor} softmax ${rows}x${n} scale ${scale}`;
    const full = t.check(lowerSoftmax(X.ptr, Y.ptr, rows, n), Y, refSoftmax(x, rows, n), { atol: 1e-7, rtol: 2e-6 + n * 1.5e-8 }, what);
    t.run(lowerSoftmax(X.ptr, X.ptr, rows, n), t.cuts);
    t.assertBytes(X, full, `${what}: in place`);
  }
  assert.is(t.checked, 30);
}, 3);

test.run();
