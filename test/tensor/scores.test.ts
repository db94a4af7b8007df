// softmax and topK, the helpers for reading a classifier's output: values against a float64 reference,
// axes, stability, ties, k beyond n, NaN and infinities as documented, labels, errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tensor, softmax, topK, InvalidArgumentError } from '../../src/index.js';
import { rng } from '../helpers/rng.js';

function throwsArg(f: () => unknown, message: RegExp): void {
  try { f(); } catch (e) {
    assert.instance(e, InvalidArgumentError, String(e));
    assert.match((e as Error).message, message);
    return;
  }
  assert.unreachable(`no error; expected ${message}`);
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6) =>
  a.length === b.length && Array.from(a).every((v, i) => Math.abs(v - b[i]) <= tol || (Number.isNaN(v) && Number.isNaN(b[i])));

test('softmax of an array: a Float32Array summing to 1, equal to exp(x) / sum exp(x)', () => {
  const x = [1, 2, 3, -1, 0.5];
  const p = softmax(x);
  assert.instance(p, Float32Array);
  const e = x.map(Math.exp), s = e.reduce((a, b) => a + b);
  assert.ok(close(p, e.map((v) => v / s)), Array.from(p).join(' '));
  assert.ok(Math.abs(p.reduce((a, b) => a + b) - 1) < 1e-6);
  assert.ok(close(softmax(new Float32Array(x)), p, 0), 'a Float32Array gives the same');
});

test('softmax is stable for large logits and shift-invariant', () => {
  const p = softmax([1000, 1001, 1002]);
  assert.ok(p.every(Number.isFinite), Array.from(p).join(' '));
  assert.ok(close(p, softmax([0, 1, 2])), 'shift invariance');
  assert.ok(close(softmax([-1e4, 0]), [0, 1]));
});

test('softmax of a tensor along each axis matches a per-slice reference', () => {
  const r = rng(3);
  const dims = [2, 3, 4];
  const t = new Tensor('float32', r.floats(24, 5), dims);
  for (const axis of [0, 1, 2, -1, -2, -3]) {
    const y = softmax(t, axis);
    assert.instance(y, Tensor);
    assert.equal(y.dims, dims);
    const ax = axis < 0 ? axis + 3 : axis;
    const strides = [12, 4, 1];
    for (let i = 0; i < 24; i++) {
      const idx = [Math.floor(i / 12), Math.floor(i / 4) % 3, i % 4];
      let s = 0;
      for (let j = 0; j < dims[ax]; j++) { const k = i + (j - idx[ax]) * strides[ax]; s += Math.exp(t.data[k]); }
      assert.ok(Math.abs(y.data[i] - Math.exp(t.data[i]) / s) < 1e-6, `axis ${axis} element ${i}`);
    }
  }
  assert.equal(softmax(t).data, softmax(t, 2).data, 'default axis is the last');
});

test('softmax: NaN poisons its slice only; +Infinity takes all; all -Infinity is NaN; empty is empty', () => {
  const t = new Tensor('float32', [1, NaN, 2, /* row 2 */ 1, 2, 3], [2, 3]);
  const y = softmax(t);
  assert.ok(Array.from(y.data.subarray(0, 3)).every(Number.isNaN), 'row with NaN');
  assert.ok(close(y.data.subarray(3), softmax([1, 2, 3])), 'the other row is unaffected');
  assert.equal(Array.from(softmax([Infinity, 1, Infinity, -Infinity])), [0.5, 0, 0.5, 0]);
  assert.ok(Array.from(softmax([-Infinity, -Infinity])).every(Number.isNaN));
  assert.equal(Array.from(softmax([-Infinity, 0])), [0, 1]);
  assert.is(softmax([]).length, 0);
  assert.equal(softmax(new Tensor('float32', [], [0, 3])).dims, [0, 3]);
  assert.equal(Array.from(softmax([7])), [1]);
});

test('softmax errors: axis out of range, not an array', () => {
  throwsArg(() => softmax([1, 2], 1), /axis 1 is out of range for an array \(1-D: axis 0 or -1\)/);
  throwsArg(() => softmax(new Tensor('float32', [1, 2], [1, 2]), -3), /axis -3 is out of range for dims \[1, 2\] \(axis -2..1\)/);
  throwsArg(() => softmax([1, 2], 0.5), /axis 0.5/);
  throwsArg(() => softmax('1,2' as any), /softmax takes a Tensor or an array of numbers, got string/);
});

test('topK: highest first with index and score; k > n gives all; k = 0 gives none', () => {
  const s = [0.1, 0.7, 0.05, 0.15];
  assert.equal(topK(s, 2), [{ index: 1, score: 0.7 }, { index: 3, score: 0.15 }]);
  assert.equal(topK(s, 10).map((e) => e.index), [1, 3, 0, 2]);
  assert.equal(topK(s, 0), []);
  assert.equal(topK([], 3), []);
  const f = topK(new Float32Array([0.1, 0.7]), 1);
  assert.is(f[0].score, Math.fround(0.7), 'scores are the values given (float32 here)');
  assert.not.ok('label' in f[0], 'no label key without labels');
});

test('topK: ties keep the lower index first, over a large shuffled input too', () => {
  assert.equal(topK([3, 5, 5, 1, 5], 4).map((e) => e.index), [1, 2, 4, 0]);
  const r = rng(9);
  const x = Array.from({ length: 1000 }, () => r.int(0, 20));
  const want = x.map((v, i) => [v, i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, 50).map((p) => p[1]);
  assert.equal(topK(x, 50).map((e) => e.index), want);
});

test('topK: NaN ranks below every number, -Infinity included; +Infinity ranks first', () => {
  assert.equal(topK([NaN, -Infinity, 2, NaN, Infinity], 5).map((e) => e.index), [4, 2, 1, 0, 3]);
  assert.equal(topK([NaN, 1], 1), [{ index: 1, score: 1 }]);
  const all = topK([NaN, NaN], 2);
  assert.equal(all.map((e) => e.index), [0, 1]);
  assert.ok(all.every((e) => Number.isNaN(e.score)));
});

test('topK with labels, and on a one-row tensor; softmax then topK', () => {
  const labels = ['cat', 'dog', 'fox'];
  assert.equal(topK([0.2, 0.5, 0.3], 2, labels), [{ index: 1, score: 0.5, label: 'dog' }, { index: 2, score: 0.3, label: 'fox' }]);
  const logits = new Tensor('float32', [1, 3, 2], [1, 3, 1, 1]);
  const top = topK(softmax(logits, 1), 1, labels)[0];
  assert.is(top.index, 1);
  assert.is(top.label, 'dog');
  assert.ok(Math.abs(top.score - Math.exp(3) / (Math.exp(1) + Math.exp(3) + Math.exp(2))) < 1e-6);
});

test('topK errors: a batch, a bad k, labels of the wrong length', () => {
  throwsArg(() => topK(new Tensor('float32', new Float32Array(20), [2, 10]), 3), /one row of scores; a tensor \[2, 10\] has 2 rows of 10: pass one, e\.g\. topK\(t\.data\.subarray\(r \* 10, \(r \+ 1\) \* 10\), k\)/);
  throwsArg(() => topK([1, 2], -1), /k must be a non-negative integer, got -1/);
  throwsArg(() => topK([1, 2], 1.5), /got 1.5/);
  throwsArg(() => topK([1, 2], undefined as any), /got undefined/);
  throwsArg(() => topK([1, 2, 3], 1, ['a', 'b']), /2 labels for 3 scores/);
  throwsArg(() => topK({} as any, 1), /topK takes a Tensor or an array of numbers, got object/);
});

test.run();
