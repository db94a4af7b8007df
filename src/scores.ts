// Reading a classifier's output: softmax over an axis, and the top k classes with their labels.
import { InvalidArgumentError } from './errors.js';
import { Tensor } from './tensor.js';

export interface TopKEntry {
  /** position in the scores (the class id) */
  index: number;
  score: number;
  /** `labels[index]`, when labels were given */
  label?: string;
}

const isTensor = (x: unknown): x is Tensor => x instanceof Tensor;

function isArrayLike(x: unknown): x is ArrayLike<number> {
  return Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
}

/**
 * Softmax along `axis` (default -1, the last) in float64, stored as float32: a Tensor gives a Tensor of
 * the same dims, an array (1-D) gives a Float32Array. Stable (the maximum is subtracted first). A slice
 * with a NaN is NaN throughout; +Infinity entries share the probability equally (the limit), the other
 * entries get 0; a slice that is all -Infinity is NaN (0 / 0). An empty input gives an empty output.
 */
export function softmax(x: Tensor, axis?: number): Tensor;
export function softmax(x: ArrayLike<number>, axis?: number): Float32Array;
export function softmax(x: Tensor | ArrayLike<number>, axis = -1): Tensor | Float32Array {
  let data: ArrayLike<number>, dims: readonly number[];
  if (isTensor(x)) ({ data, dims } = x);
  else if (isArrayLike(x)) { data = x; dims = [x.length]; }
  else throw new InvalidArgumentError(`softmax takes a Tensor or an array of numbers, got ${x === null ? 'null' : typeof x}`);
  const rank = dims.length;
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new InvalidArgumentError(`softmax: axis ${axis} is out of range for ${rank === 1 && !isTensor(x) ? 'an array (1-D: axis 0 or -1)' : `dims [${dims.join(', ')}] (axis -${rank}..${rank - 1})`}`);
  }
  const ax = axis < 0 ? axis + rank : axis;
  const n = dims[ax];
  const inner = dims.slice(ax + 1).reduce((a, b) => a * b, 1);
  const outer = dims.slice(0, ax).reduce((a, b) => a * b, 1);
  const out = new Float32Array(data.length);
  const e = new Float64Array(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let max = -Infinity, nan = false, posInf = 0;
      for (let j = 0; j < n; j++) {
        const v = data[base + j * inner];
        if (Number.isNaN(v)) nan = true;
        else if (v === Infinity) posInf++;
        if (v > max) max = v;
      }
      for (let j = 0; j < n; j++) {
        const v = data[base + j * inner];
        e[j] = nan || max === -Infinity ? NaN : posInf ? (v === Infinity ? 1 : 0) : Math.exp(v - max);
      }
      let sum = 0;
      for (let j = 0; j < n; j++) sum += e[j];
      for (let j = 0; j < n; j++) out[base + j * inner] = e[j] / sum;
    }
  }
  return isTensor(x) ? new Tensor('float32', out, dims) : out;
}

/**
 * The `k` highest scores, highest first, as `{ index, score, label? }`. `scores`: an array, or a Tensor
 * with one row (at most one dim larger than 1, e.g. [1, 1000]); pick a row of a batch yourself
 * (`t.data.subarray(r * n, (r + 1) * n)`). Ties keep the lower index first; NaN ranks below every number
 * (it shows only when k reaches past the numbers); k larger than the number of scores gives them all,
 * k = 0 none. `labels`, if given, must have one entry per score (a 1000-label list for a 1001-class
 * model is an error, not a silent shift). Scores are returned as given: apply softmax first for
 * probabilities.
 */
export function topK(scores: Tensor | ArrayLike<number>, k: number, labels?: ArrayLike<string>): TopKEntry[] {
  let data: ArrayLike<number>;
  if (isTensor(scores)) {
    const rows = scores.dims.filter((d) => d > 1);
    if (rows.length > 1) {
      const n = scores.dims[scores.dims.length - 1];
      throw new InvalidArgumentError(`topK takes one row of scores; a tensor [${scores.dims.join(', ')}] has ${scores.size / n} rows of ${n}: pass one, e.g. topK(t.data.subarray(r * ${n}, (r + 1) * ${n}), k)`);
    }
    data = scores.data;
  } else if (isArrayLike(scores)) data = scores;
  else throw new InvalidArgumentError(`topK takes a Tensor or an array of numbers, got ${scores === null ? 'null' : typeof scores}`);
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 0) throw new InvalidArgumentError(`topK: k must be a non-negative integer, got ${String(k)}`);
  const n = data.length;
  if (labels !== undefined && labels !== null) {
    if (typeof labels !== 'object' || typeof labels.length !== 'number') throw new InvalidArgumentError(`topK: labels must be an array of strings, got ${typeof labels}`);
    if (labels.length !== n) throw new InvalidArgumentError(`topK: ${labels.length} labels for ${n} scores (one label per score, in class order)`);
  }
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => {
    const x = data[a], y = data[b];
    const xn = Number.isNaN(x), yn = Number.isNaN(y);
    if (xn || yn) return xn && yn ? a - b : xn ? 1 : -1;
    return x > y ? -1 : x < y ? 1 : a - b;
  });
  return order.slice(0, k).map((index) => {
    const entry: TopKEntry = { index, score: data[index] };
    if (labels) entry.label = labels[index];
    return entry;
  });
}
