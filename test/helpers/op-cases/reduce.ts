// Op cases of the reductions (Reduce*), the softmax family (Softmax, LogSoftmax, Hardmax, opset-13 and
// legacy semantics) and the normalizations (InstanceNormalization, LayerNormalization,
// GroupNormalization, MeanVarianceNormalization, LRN): ranks 2–5, axes sets with non-adjacent axes,
// negative axes, axes as attribute and as input, keepdims, noop_with_empty_axes, 4-D inputs produced by
// a Conv (NHWC in wasm), odd sizes and channel counts that are not multiples of 4.
import type { OpCase } from '../op-cases.js';
import type { TensorSpec } from '../onnx-builder.js';
import { rng } from '../rng.js';

const r = rng(1212);
const W = (dims: number[], scale = 0.5): TensorSpec => ({ dims, data: r.floats(dims.reduce((a, b) => a * b, 1), scale) });
const I64 = (data: number[]): TensorSpec => ({ dims: [data.length], data, dtype: 'int64' });
const one = (op: string, attrs: Record<string, unknown> = {}, extra: string[] = [], init: Record<string, TensorSpec> = {}, opset = 13) =>
  ({ opset, nodes: [{ op, inputs: ['x', ...extra], outputs: ['y'], attrs }], initializers: init });
/** x → Conv (k×k, pads k/2, C → cout) → op: a 4-D input in the wasm backend's NHWC layout, with a pixel stride from a producer. */
const afterConv = (c: number, cout: number, op: string, attrs: Record<string, unknown> = {}, extra: string[] = [], init: Record<string, TensorSpec> = {}, opset = 13) =>
  ({ opset, nodes: [
    { op: 'Conv', inputs: ['x', 'cw'], outputs: ['c'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    { op, inputs: ['c', ...extra], outputs: ['y'], attrs },
  ], initializers: { cw: W([cout, c, 3, 3]), ...init } });

const reductions: OpCase[] = [
  { name: 'ReduceSum over channels, axes input (opset 13)', x: [2, 5, 3, 4], spec: one('ReduceSum', { keepdims: 1 }, ['ax'], { ax: I64([1]) }) },
  { name: 'ReduceSum axes attribute [0, 2] no keepdims (opset 11), 3-D', x: [3, 4, 5], spec: one('ReduceSum', { axes: [0, 2], keepdims: 0 }, [], {}, 11) },
  { name: 'ReduceSum over everything (no axes), no keepdims: a scalar', x: [2, 3, 5], spec: one('ReduceSum', { keepdims: 0 }) },
  { name: 'ReduceSum noop_with_empty_axes = 1: identity', x: [2, 3, 5], spec: one('ReduceSum', { noop_with_empty_axes: 1 }) },
  { name: 'ReduceSum 2-D axis 0 after a Conv-free path', x: [7, 9], spec: one('ReduceSum', { keepdims: 1 }, ['ax'], { ax: I64([0]) }) },
  { name: 'ReduceMean 5-D non-adjacent axes [-4, 3] as input (opset 18)', x: [2, 3, 2, 5, 3], spec: one('ReduceMean', { keepdims: 1 }, ['ax'], { ax: I64([-4, 3]) }, 18) },
  { name: 'ReduceMean 2-D axis 0 (opset 13)', x: [6, 7], spec: one('ReduceMean', { axes: [0], keepdims: 0 }) },
  { name: 'ReduceMean over N and W of a 4-D tensor', x: [3, 5, 4, 6], spec: one('ReduceMean', { axes: [0, 3], keepdims: 1 }) },
  { name: 'ReduceMean noop_with_empty_axes, no axes input (opset 18)', x: [1, 3, 4, 5], spec: one('ReduceMean', { noop_with_empty_axes: 1 }, [], {}, 18) },
  { name: 'ReduceMax over C and W of a Conv output (opset 13)', x: [1, 3, 5, 6], spec: afterConv(3, 7, 'ReduceMax', { axes: [1, 3], keepdims: 1 }) },
  { name: 'ReduceMax last axis as -1 input, no keepdims (opset 18), 3-D', x: [2, 5, 7], spec: one('ReduceMax', { keepdims: 0 }, ['ax'], { ax: I64([-1]) }, 18) },
  { name: 'ReduceMax spatial of a Conv output, no keepdims (the global-pool path in wasm)', x: [2, 3, 5, 4], spec: afterConv(3, 6, 'ReduceMax', { axes: [-1, -2], keepdims: 0 }) },
  { name: 'ReduceMax over every axis of a 4-D tensor, keepdims', x: [2, 3, 3, 5], spec: one('ReduceMax', { axes: [0, 1, 2, 3], keepdims: 1 }) },
  { name: 'ReduceMin over N and H, keepdims', x: [2, 5, 4, 3], spec: one('ReduceMin', { axes: [0, 2], keepdims: 1 }) },
  { name: 'ReduceMin no axes input (opset 18): every axis, keepdims', x: [3, 4, 5], spec: one('ReduceMin', { keepdims: 1 }, [], {}, 18) },
  { name: 'ReduceProd 3-D middle axis', x: [3, 5, 4], spec: one('ReduceProd', { axes: [1], keepdims: 0 }) },
  { name: 'ReduceProd over spatial axes (opset 18 input)', x: [1, 3, 3, 3], spec: one('ReduceProd', { keepdims: 1 }, ['ax'], { ax: I64([2, 3]) }, 18) },
  { name: 'ReduceL1 spatial, no keepdims', x: [2, 7, 3, 5], spec: one('ReduceL1', { axes: [2, 3], keepdims: 0 }) },
  { name: 'ReduceL2 5-D axes [0, 2, 4]', x: [2, 3, 4, 3, 5], spec: one('ReduceL2', { axes: [0, 2, 4], keepdims: 1 }) },
  { name: 'ReduceLogSumExp over channels of a Conv output', x: [1, 4, 5, 5], spec: afterConv(4, 9, 'ReduceLogSumExp', { axes: [1], keepdims: 0 }) },
  { name: 'ReduceLogSumExp 2-D last axis (opset 18)', x: [5, 13], spec: one('ReduceLogSumExp', { keepdims: 1 }, ['ax'], { ax: I64([1]) }, 18) },
  { name: 'ReduceSumSquare 3-D axes [0, 2] no keepdims', x: [3, 5, 6], spec: one('ReduceSumSquare', { axes: [0, 2], keepdims: 0 }) },
  { name: 'ReduceSumSquare over H (opset 18 input)', x: [1, 6, 5, 3], spec: one('ReduceSumSquare', { keepdims: 1 }, ['ax'], { ax: I64([-2]) }, 18) },
  { name: 'ReduceLogSum of a Sigmoid over C and H', x: [2, 5, 3, 4], spec: { opset: 13, nodes: [
    { op: 'Sigmoid', inputs: ['x'], outputs: ['s'] },
    { op: 'ReduceLogSum', inputs: ['s'], outputs: ['y'], attrs: { axes: [1, 2], keepdims: 1 } },
  ] } },
];

const softmaxes: OpCase[] = [
  { name: 'Softmax over W of a Conv output', x: [1, 3, 4, 7], spec: afterConv(3, 5, 'Softmax', { axis: 3 }) },
  { name: 'Softmax over the batch axis', x: [3, 5, 2, 3], spec: one('Softmax', { axis: 0 }) },
  { name: 'Softmax 5-D axis 2', x: [2, 3, 5, 2, 3], spec: one('Softmax', { axis: 2 }) },
  { name: 'Softmax 3-D axis 1 (negative -2)', x: [3, 7, 5], spec: one('Softmax', { axis: -2 }) },
  { name: 'Softmax legacy over H and W (opset 11)', x: [2, 3, 4, 5], spec: one('Softmax', { axis: 2 }, [], {}, 11) },
  { name: 'Softmax legacy axis 0 of a 3-D tensor (opset 11): one row', x: [2, 3, 5], spec: one('Softmax', { axis: 0 }, [], {}, 11) },
  { name: 'LogSoftmax over channels of a Conv output', x: [2, 3, 3, 4], spec: afterConv(3, 7, 'LogSoftmax', { axis: 1 }) },
  { name: 'LogSoftmax 3-D last axis', x: [2, 3, 11], spec: one('LogSoftmax', { axis: -1 }) },
  { name: 'LogSoftmax legacy default axis 1 on a 4-D tensor (opset 11)', x: [2, 3, 2, 3], spec: one('LogSoftmax', {}, [], {}, 11) },
  { name: 'LogSoftmax 2-D axis 0', x: [9, 5], spec: one('LogSoftmax', { axis: 0 }) },
  { name: 'Hardmax over channels', x: [2, 7, 3, 3], spec: one('Hardmax', { axis: 1 }) },
  { name: 'Hardmax 3-D axis 0', x: [5, 3, 4], spec: one('Hardmax', { axis: 0 }) },
  // sets of more than 32 elements (WebGPU: a workgroup per item instead of an invocation)
  { name: 'Hardmax 2-D over 45', x: [2, 45], spec: one('Hardmax', { axis: 1 }) },
  { name: 'LogSoftmax over 67 classes', x: [3, 67], spec: one('LogSoftmax', { axis: 1 }) },
  { name: 'Softmax legacy axis 1 of a 4-D tensor: rows of 60 (opset 11)', x: [2, 5, 4, 3], spec: one('Softmax', { axis: 1 }, [], {}, 11) },
  { name: 'Hardmax legacy over C, H, W (opset 11): the first maximum in NCHW order', x: [2, 3, 2, 3], spec: one('Hardmax', { axis: 1 }, [], {}, 11) },
  { name: 'Hardmax of a Relu over H: ties at 0 pick the first', x: [1, 5, 6, 3], spec: { opset: 13, nodes: [
    { op: 'Relu', inputs: ['x'], outputs: ['t'] },
    { op: 'Hardmax', inputs: ['t'], outputs: ['y'], attrs: { axis: 2 } },
  ] } },
];

const POS = (dims: number[]): TensorSpec => ({ dims, data: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => 0.5 + r.next()) });

const norms: OpCase[] = [
  { name: 'InstanceNormalization of a Conv output', x: [2, 3, 5, 4], spec: afterConv(3, 7, 'InstanceNormalization', { epsilon: 1e-4 }, ['s', 'b'], { s: W([7], 2), b: W([7]) }) },
  { name: 'InstanceNormalization 9x8 spatial', x: [1, 3, 9, 8], spec: one('InstanceNormalization', {}, ['s', 'b'], { s: W([3], 2), b: W([3]) }) },
  { name: 'LayerNormalization over the last two axes (63)', x: [2, 7, 9], spec: one('LayerNormalization', { axis: 1 }, ['s', 'b'], { s: W([7, 9], 2), b: W([9]) }, 17) },
  { name: 'ReduceSumSquare over 70 elements per set', x: [2, 7, 10], spec: one('ReduceSumSquare', { axes: [1, 2], keepdims: 0 }) },
  { name: 'InstanceNormalization 3-D', x: [2, 5, 9], spec: one('InstanceNormalization', {}, ['s', 'b'], { s: POS([5]), b: W([5]) }) },
  { name: 'InstanceNormalization 5-D', x: [1, 3, 2, 3, 4], spec: one('InstanceNormalization', { epsilon: 1e-3 }, ['s', 'b'], { s: W([3]), b: W([3]) }) },
  { name: 'LayerNormalization last axis, scale and bias', x: [2, 3, 9], spec: one('LayerNormalization', { axis: -1 }, ['s', 'b'], { s: W([9], 2), b: W([9]) }, 17) },
  { name: 'LayerNormalization axis 1 of a 4-D tensor, bias broadcast from [W]', x: [2, 5, 3, 4], spec: one('LayerNormalization', { axis: 1, epsilon: 1e-3 }, ['s', 'b'], { s: W([5, 3, 4], 2), b: W([4]) }, 17) },
  { name: 'LayerNormalization axis 2 of a Conv output, scale [3, 1], no bias', x: [1, 2, 3, 5], spec: afterConv(2, 5, 'LayerNormalization', { axis: 2 }, ['s'], { s: W([3, 1], 2) }, 17) },
  { name: 'LayerNormalization 2-D axis 0 (everything)', x: [4, 7], spec: one('LayerNormalization', { axis: 0 }, ['s', 'b'], { s: W([4, 7]), b: W([1, 7]) }, 17) },
  { name: 'GroupNormalization per-group scale (opset 18)', x: [2, 6, 3, 4], spec: one('GroupNormalization', { num_groups: 3, epsilon: 1e-3 }, ['s', 'b'], { s: W([3], 2), b: W([3]) }, 18) },
  { name: 'GroupNormalization per-channel scale (opset 21), Conv output', x: [1, 3, 4, 5], spec: afterConv(3, 10, 'GroupNormalization', { num_groups: 5 }, ['s', 'b'], { s: W([10], 2), b: W([10]) }, 21) },
  { name: 'GroupNormalization 3-D, one group (opset 21)', x: [2, 5, 7], spec: one('GroupNormalization', { num_groups: 1 }, ['s', 'b'], { s: W([5], 2), b: W([5]) }, 21) },
  { name: 'MeanVarianceNormalization default axes [0, 2, 3]', x: [2, 5, 3, 4], spec: one('MeanVarianceNormalization') },
  { name: 'MeanVarianceNormalization axes [1] of a 3-D tensor', x: [3, 7, 4], spec: one('MeanVarianceNormalization', { axes: [1] }) },
  { name: 'LRN size 3 on a Conv output', x: [1, 3, 4, 5], spec: afterConv(3, 7, 'LRN', { size: 3, alpha: 0.02 }) },
  // onnxruntime runs LRN only on 4-D inputs with an odd size: even sizes and other ranks are checked against
  // the reference in test/kernels/reduce.test.ts
  { name: 'LRN size 5 over 6 channels, alpha beta bias', x: [2, 6, 3, 3], spec: one('LRN', { size: 5, alpha: 0.1, beta: 0.9, bias: 1.5 }) },
  { name: 'LRN size 1', x: [1, 5, 2, 3], spec: one('LRN', { size: 1, alpha: 0.5, beta: 0.6 }) },
];

export const REDUCE_CASES: OpCase[] = [...reductions, ...softmaxes, ...norms];
