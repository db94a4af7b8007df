// The operator-case table: every ONNX operator edgecnn supports, as one-node and small-graph models,
// with odd sizes and channel counts that are not multiples of 4. test/models/ops.test.ts runs every
// case on every backend configuration (test/helpers/backend-configs.ts) against onnxruntime-node.
// Modelled on ggml's test-backend-ops: one table of operator cases, every backend.
//
// A case names its graph input 'x' (dims `x`), optionally more inputs (`inputs`), and its outputs
// (default ['y']). `unsupported` lists the backend kinds that refuse the case, with the message of the
// UnsupportedError they must throw at Session.create: the runner fails when such a backend runs the
// case anyway (the listing is stale) or refuses it with another error.
import type { ModelSpec, TensorSpec } from './onnx-builder.js';
import { rng } from './rng.js';
import type { BackendName } from '../../src/backends/backend.js';
import { TENSOR_CASES } from './op-cases/tensor.js';
import { REDUCE_CASES } from './op-cases/reduce.js';
import { UNARY_CASES } from './op-cases/unary.js';
import { MOBILE_CASES } from './op-cases/mobile.js';
import { CONV_CASES } from './op-cases/conv.js';
import { CUBIC_CASES } from './op-cases/cubic.js';

export interface OpCase {
  name: string;
  /** dims of the graph input 'x' */
  x: number[];
  /** further graph inputs: name → dims */
  inputs?: Record<string, number[]>;
  spec: Pick<ModelSpec, 'opset' | 'nodes' | 'initializers'>;
  /** graph outputs (default ['y']) */
  outputs?: string[];
  /** backend kinds that refuse this case, with the UnsupportedError message they throw at Session.create */
  unsupported?: Partial<Record<BackendName, RegExp>>;
}

const r = rng(2024);
const W = (dims: number[], scale = 0.5): TensorSpec => ({ dims, data: r.floats(dims.reduce((a, b) => a * b, 1), scale) });
const I64 = (data: number[]): TensorSpec => ({ dims: [data.length], data, dtype: 'int64' });
const F = (data: number[]): TensorSpec => ({ dims: [data.length], data });
const S = (v: number): TensorSpec => ({ dims: [], data: [v] });
const POS = (dims: number[]): TensorSpec => ({ dims, data: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => 0.25 + r.next()) });

const one = (op: string, attrs: Record<string, unknown> = {}, extra: string[] = [], init: Record<string, TensorSpec> = {}, opset = 13) =>
  ({ opset, nodes: [{ op, inputs: ['x', ...extra], outputs: ['y'], attrs }], initializers: init });
/** x → op1 → t → op2 → y: an operator followed by one that may fuse into it. */
const two = (op1: string, a1: Record<string, unknown>, extra1: string[], op2: string, a2: Record<string, unknown>, init: Record<string, TensorSpec>, opset = 14) =>
  ({ opset, nodes: [{ op: op1, inputs: ['x', ...extra1], outputs: ['t'], attrs: a1 }, { op: op2, inputs: ['t'], outputs: ['y'], attrs: a2 }], initializers: init });

export const OP_CASES: OpCase[] = [
  { name: 'Conv 3x3 pad 1, bias, 5→7', x: [1, 5, 9, 11], spec: one('Conv', { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, ['w', 'b'], { w: W([7, 5, 3, 3]), b: W([7]) }) },
  { name: 'Conv 1x1 13→6 (gemm path)', x: [2, 13, 5, 7], spec: one('Conv', { kernel_shape: [1, 1] }, ['w'], { w: W([6, 13, 1, 1]) }) },
  { name: 'Conv 5x2 stride (2,3) asym pads, dilation (2,1)', x: [1, 3, 17, 13], spec: one('Conv', { kernel_shape: [5, 2], strides: [2, 3], pads: [2, 0, 1, 1], dilations: [2, 1] }, ['w', 'b'], { w: W([9, 3, 5, 2]), b: W([9]) }) },
  { name: 'Conv groups 3', x: [1, 6, 8, 8], spec: one('Conv', { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: 3 }, ['w', 'b'], { w: W([9, 2, 3, 3]), b: W([9]) }) },
  { name: 'Conv depthwise 3x3 stride 2, C=13', x: [1, 13, 15, 15], spec: one('Conv', { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2], group: 13 }, ['w', 'b'], { w: W([13, 1, 3, 3]), b: W([13]) }) },
  { name: 'Conv auto_pad SAME_UPPER stride 2', x: [1, 3, 10, 9], spec: one('Conv', { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }, ['w'], { w: W([4, 3, 3, 3]) }) },
  { name: 'Conv stride > kernel', x: [1, 2, 11, 11], spec: one('Conv', { kernel_shape: [2, 2], strides: [3, 3] }, ['w'], { w: W([3, 2, 2, 2]) }) },
  { name: 'MaxPool 3x3 s2 p1', x: [1, 5, 13, 12], spec: one('MaxPool', { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }) },
  { name: 'MaxPool ceil_mode', x: [1, 7, 14, 13], spec: one('MaxPool', { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }) },
  { name: 'MaxPool dilation 2', x: [1, 3, 12, 12], spec: one('MaxPool', { kernel_shape: [2, 2], dilations: [2, 2] }) },
  { name: 'AveragePool count_include_pad 0', x: [1, 5, 9, 10], spec: one('AveragePool', { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }) },
  { name: 'AveragePool count_include_pad 1 ceil', x: [1, 5, 9, 10], spec: one('AveragePool', { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1, ceil_mode: 1 }) },
  { name: 'GlobalAveragePool', x: [2, 7, 5, 3], spec: one('GlobalAveragePool') },
  { name: 'GlobalMaxPool', x: [1, 9, 4, 6], spec: one('GlobalMaxPool') },
  { name: 'Gemm transB=1 bias', x: [3, 21], spec: one('Gemm', { transB: 1 }, ['w', 'b'], { w: W([10, 21]), b: W([10]) }) },
  { name: 'Gemm transA=1 transB=1', x: [7, 3], spec: one('Gemm', { transA: 1, transB: 1 }, ['w', 'b'], { w: W([4, 7]), b: W([4]) }) },
  { name: 'Gemm transB=0 alpha beta', x: [2, 9], spec: one('Gemm', { alpha: 0.5, beta: 2 }, ['w', 'b'], { w: W([9, 5]), b: W([5]) }) },
  { name: 'MatMul const weights', x: [4, 11], spec: one('MatMul', {}, ['w'], { w: W([11, 6]) }) },
  { name: 'BatchNormalization', x: [1, 6, 5, 5], spec: one('BatchNormalization', { epsilon: 1e-3 }, ['s', 'b', 'm', 'v'], { s: W([6]), b: W([6]), m: W([6]), v: { dims: [6], data: [0.5, 1, 2, 0.1, 3, 1] } }) },
  { name: 'Relu', x: [1, 5, 4, 3], spec: one('Relu') },
  { name: 'Clip inputs (opset 13)', x: [1, 5, 4, 3], spec: one('Clip', {}, ['lo', 'hi'], { lo: { dims: [], data: [-0.2] }, hi: { dims: [], data: [0.3] } }) },
  { name: 'Clip attributes (opset 9)', x: [1, 5, 4, 3], spec: one('Clip', { min: -0.1, max: 0.25 }, [], {}, 9) },
  { name: 'LeakyRelu', x: [1, 3, 5, 5], spec: one('LeakyRelu', { alpha: 0.2 }) },
  { name: 'Sigmoid', x: [1, 3, 5, 7], spec: one('Sigmoid') },
  { name: 'Tanh', x: [2, 3, 5], spec: one('Tanh') },
  { name: 'HardSigmoid', x: [1, 3, 5, 5], spec: one('HardSigmoid', { alpha: 0.3, beta: 0.4 }) },
  { name: 'HardSwish', x: [1, 3, 5, 5], spec: one('HardSwish', {}, [], {}, 14) },
  { name: 'Add per-channel const', x: [1, 5, 4, 3], spec: one('Add', {}, ['c'], { c: W([5, 1, 1]) }) },
  { name: 'Mul scalar const', x: [1, 5, 4, 3], spec: one('Mul', {}, ['c'], { c: F([1.5]) }) },
  { name: 'Sub full const', x: [1, 3, 4, 3], spec: one('Sub', {}, ['c'], { c: W([1, 3, 4, 3]) }) },
  { name: 'Div by per-channel const', x: [1, 5, 4, 3], spec: one('Div', {}, ['c'], { c: { dims: [1, 5, 1, 1], data: [1, 2, -3, 0.5, 4] } }) },
  { name: 'Add two activations (residual) and [N,1,H,W] broadcast', x: [1, 5, 6, 7], spec: { opset: 13, nodes: [
    { op: 'Relu', inputs: ['x'], outputs: ['a'] },
    { op: 'Slice', inputs: ['x', 'st', 'en', 'ax'], outputs: ['m'] },
    { op: 'Add', inputs: ['a', 'x'], outputs: ['s'] },
    { op: 'Mul', inputs: ['s', 'm'], outputs: ['y'] },
  ], initializers: { st: I64([2]), en: I64([3]), ax: I64([1]) } } },
  { name: 'Concat channels', x: [1, 5, 4, 3], spec: { opset: 13, nodes: [
    { op: 'Relu', inputs: ['x'], outputs: ['a'] },
    { op: 'Sigmoid', inputs: ['x'], outputs: ['b'] },
    { op: 'Concat', inputs: ['a', 'x', 'b'], outputs: ['y'], attrs: { axis: 1 } },
  ] } },
  { name: 'Flatten', x: [2, 3, 4, 5], spec: one('Flatten', { axis: 1 }) },
  { name: 'Reshape -1', x: [2, 3, 4, 5], spec: one('Reshape', {}, ['s'], { s: I64([2, -1]) }) },
  { name: 'Transpose NCHW→NHWC', x: [1, 3, 4, 5], spec: one('Transpose', { perm: [0, 2, 3, 1] }) },
  { name: 'Softmax last axis', x: [3, 11], spec: one('Softmax', { axis: -1 }) },
  { name: 'Softmax legacy (opset 11)', x: [2, 10], spec: one('Softmax', { axis: 1 }, [], {}, 11) },
  { name: 'Softmax over channels', x: [1, 6, 3, 2], spec: one('Softmax', { axis: 1 }) },
  { name: 'Pad constant', x: [1, 3, 4, 5], spec: one('Pad', { mode: 'constant' }, ['p', 'v'], { p: I64([0, 0, 1, 2, 0, 0, 2, 1]), v: { dims: [], data: [0.5] } }) },
  { name: 'Pad then Conv (folded)', x: [1, 3, 6, 6], spec: { opset: 13, nodes: [
    { op: 'Pad', inputs: ['x', 'p'], outputs: ['xp'] },
    { op: 'Conv', inputs: ['xp', 'w'], outputs: ['y'], attrs: { kernel_shape: [3, 3] } },
  ], initializers: { p: I64([0, 0, 1, 1, 0, 0, 1, 1]), w: W([4, 3, 3, 3]) } } },
  { name: 'ReduceMean spatial keepdims', x: [2, 5, 4, 3], spec: one('ReduceMean', { axes: [2, 3], keepdims: 1 }) },
  { name: 'ReduceMean spatial no keepdims', x: [2, 5, 4, 3], spec: one('ReduceMean', { axes: [2, 3], keepdims: 0 }) },
  { name: 'Squeeze/Unsqueeze', x: [1, 5, 1, 1], spec: { opset: 13, nodes: [
    { op: 'Squeeze', inputs: ['x', 'ax'], outputs: ['s'] },
    { op: 'Unsqueeze', inputs: ['s', 'ax0'], outputs: ['y'] },
  ], initializers: { ax: I64([2, 3]), ax0: I64([0]) } } },
  { name: 'Split channels', x: [1, 7, 3, 3], spec: { opset: 13, nodes: [
    { op: 'Split', inputs: ['x', 'sp'], outputs: ['a', 'b'], attrs: { axis: 1 } },
    { op: 'Sub', inputs: ['a', 'b2'], outputs: ['y'] },
    { op: 'Slice', inputs: ['b', 'st', 'en', 'axs'], outputs: ['b2'] },
  ], initializers: { sp: I64([3, 4]), st: I64([1]), en: I64([4]), axs: I64([1]) } } },
  { name: 'Slice spatial with step', x: [1, 3, 9, 8], spec: one('Slice', {}, ['st', 'en', 'ax', 'sp'], { st: I64([1, -1]), en: I64([8, 0]), ax: I64([2, 3]), sp: I64([2, -2]) }) },
  { name: 'Resize nearest x2', x: [1, 3, 4, 5], spec: one('Resize', { mode: 'nearest' }, ['', 'sc'], { sc: F([1, 1, 2, 2]) }) },
  { name: 'Resize linear half_pixel', x: [1, 3, 4, 5], spec: one('Resize', { mode: 'linear', coordinate_transformation_mode: 'half_pixel' }, ['', '', 'sz'], { sz: I64([1, 3, 7, 9]) }) },
  { name: 'Resize linear align_corners', x: [1, 2, 4, 5], spec: one('Resize', { mode: 'linear', coordinate_transformation_mode: 'align_corners' }, ['', 'sc'], { sc: F([1, 1, 1.5, 2]) }) },
  { name: 'Upsample nearest (opset 9)', x: [1, 3, 3, 4], spec: one('Upsample', { mode: 'nearest' }, ['sc'], { sc: F([1, 1, 2, 3]) }, 9) },
  { name: 'PyTorch flatten via Shape/Gather/Unsqueeze/Concat/Reshape', x: [2, 3, 4, 4], spec: { opset: 13, nodes: [
    { op: 'Shape', inputs: ['x'], outputs: ['sh'] },
    { op: 'Gather', inputs: ['sh', 'i0'], outputs: ['n'], attrs: { axis: 0 } },
    { op: 'Unsqueeze', inputs: ['n', 'ax0'], outputs: ['n1'] },
    { op: 'Concat', inputs: ['n1', 'm1'], outputs: ['shape'], attrs: { axis: 0 } },
    { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['f'] },
    { op: 'Gemm', inputs: ['f', 'w'], outputs: ['y'], attrs: { transB: 1 } },
  ], initializers: { i0: { dims: [], data: [0], dtype: 'int64' }, ax0: I64([0]), m1: I64([-1]), w: W([5, 48]) } } },
  { name: 'ShuffleNet channel shuffle (Reshape to 5-D, Transpose, Reshape back)', x: [1, 6, 5, 3], spec: { opset: 13, nodes: [
    { op: 'Reshape', inputs: ['x', 's5'], outputs: ['r'] },
    { op: 'Transpose', inputs: ['r'], outputs: ['t'], attrs: { perm: [0, 2, 1, 3, 4] } },
    { op: 'Reshape', inputs: ['t', 's4'], outputs: ['y'] },
  ], initializers: { s5: I64([1, 2, 3, 5, 3]), s4: I64([1, 6, 5, 3]) } } },
  { name: 'MobileNetV3 squeeze-excite (GAP, 1x1 convs, HardSigmoid, Mul)', x: [1, 8, 6, 6], spec: { opset: 13, nodes: [
    { op: 'GlobalAveragePool', inputs: ['x'], outputs: ['g'] },
    { op: 'Conv', inputs: ['g', 'w1', 'b1'], outputs: ['c1'], attrs: { kernel_shape: [1, 1] } },
    { op: 'Relu', inputs: ['c1'], outputs: ['r1'] },
    { op: 'Conv', inputs: ['r1', 'w2', 'b2'], outputs: ['c2'], attrs: { kernel_shape: [1, 1] } },
    { op: 'HardSigmoid', inputs: ['c2'], outputs: ['h'], attrs: { alpha: 1 / 6 } },
    { op: 'Mul', inputs: ['x', 'h'], outputs: ['y'] },
  ], initializers: { w1: W([4, 8, 1, 1]), b1: W([4]), w2: W([8, 4, 1, 1]), b2: W([8]) } } },
  { name: 'EfficientNet SiLU (x * Sigmoid(x)) after a conv', x: [1, 5, 7, 7], spec: { opset: 13, nodes: [
    { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    { op: 'Sigmoid', inputs: ['c'], outputs: ['s'] },
    { op: 'Mul', inputs: ['c', 's'], outputs: ['y'] },
  ], initializers: { w: W([6, 5, 3, 3]) } } },
  { name: 'DenseNet pre-activation (BN, ReLU, conv, concat with the input)', x: [1, 6, 5, 5], spec: { opset: 13, nodes: [
    { op: 'BatchNormalization', inputs: ['x', 's', 'b', 'm', 'v'], outputs: ['n'] },
    { op: 'Relu', inputs: ['n'], outputs: ['r'] },
    { op: 'Conv', inputs: ['r', 'w'], outputs: ['c'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    { op: 'Concat', inputs: ['x', 'c'], outputs: ['y'], attrs: { axis: 1 } },
  ], initializers: { s: W([6]), b: W([6]), m: W([6]), v: { dims: [6], data: [1, 2, 0.5, 1, 1, 3] }, w: W([4, 6, 3, 3]) } } },
  { name: 'Conv + BN + Relu + residual Add (fusion)', x: [1, 6, 7, 7], spec: { opset: 13, nodes: [
    { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    { op: 'BatchNormalization', inputs: ['c', 's', 'bb', 'm', 'v'], outputs: ['n'] },
    { op: 'Add', inputs: ['n', 'x'], outputs: ['a'] },
    { op: 'Relu', inputs: ['a'], outputs: ['y'] },
  ], initializers: { w: W([6, 6, 3, 3]), b: W([6]), s: W([6]), bb: W([6]), m: W([6]), v: { dims: [6], data: [1, 2, 0.5, 1, 1, 3] } } } },

  // ---- added with the backend table: lowerings and attributes the cases above did not reach ----
  // Identity of a graph input kept as a graph output: a 4-D NHWC → NHWC copy (a fixed bug: the copy
  // wrote channels in the wrong places for C > 1), and a dense 2-D copy.
  { name: 'Identity of a 4-D multi-channel input kept as graph output', x: [1, 3, 4, 4], spec: one('Identity') },
  { name: 'Identity of a 2-D input kept as graph output', x: [3, 5], spec: one('Identity') },
  { name: 'Dropout between two activations (removed)', x: [1, 3, 4, 5], spec: two('Relu', {}, [], 'Dropout', {}, {}, 13) },
  { name: 'Identity of an intermediate kept as a second output', x: [1, 5, 3, 3], outputs: ['y', 'z'], spec: { opset: 13, nodes: [
    { op: 'Sigmoid', inputs: ['x'], outputs: ['y'] },
    { op: 'Identity', inputs: ['y'], outputs: ['z'] },
  ] } },
  // Conv configurations: other kernels and paddings, every fusable epilogue
  { name: 'Conv 1x1 stride 2 (igemm path)', x: [1, 6, 9, 7], spec: one('Conv', { kernel_shape: [1, 1], strides: [2, 2] }, ['w', 'b'], { w: W([5, 6, 1, 1]), b: W([5]) }) },
  { name: 'Conv depthwise multiplier 2, batch 2', x: [2, 5, 7, 6], spec: one('Conv', { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: 5 }, ['w', 'b'], { w: W([10, 1, 3, 3]), b: W([10]) }) },
  { name: 'Conv depthwise 5x5 dilation 2, C=6', x: [1, 6, 11, 10], spec: one('Conv', { kernel_shape: [5, 5], pads: [4, 4, 4, 4], dilations: [2, 2], group: 6 }, ['w'], { w: W([6, 1, 5, 5]) }) },
  { name: 'Conv auto_pad SAME_LOWER', x: [1, 4, 8, 7], spec: one('Conv', { kernel_shape: [2, 3], auto_pad: 'SAME_LOWER' }, ['w', 'b'], { w: W([5, 4, 2, 3]), b: W([5]) }) },
  { name: 'Conv auto_pad VALID stride (1,2), batch 3', x: [3, 3, 6, 9], spec: one('Conv', { kernel_shape: [3, 3], strides: [1, 2], auto_pad: 'VALID' }, ['w'], { w: W([2, 3, 3, 3]) }) },
  { name: 'Conv groups 2 stride (2,1) + Relu (fused)', x: [1, 4, 9, 8], spec: two('Conv', { kernel_shape: [3, 3], strides: [2, 1], pads: [1, 1, 1, 1], group: 2 }, ['w', 'b'], 'Relu', {}, { w: W([6, 2, 3, 3]), b: W([6]) }) },
  { name: 'Conv + Clip 0..6 (ReLU6, fused)', x: [1, 3, 7, 7], spec: { opset: 13, nodes: [
    { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['t'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    { op: 'Clip', inputs: ['t', 'lo', 'hi'], outputs: ['y'] },
  ], initializers: { w: W([5, 3, 3, 3], 2), b: W([5]), lo: S(0), hi: S(0.6) } } },
  { name: 'Conv + LeakyRelu (fused)', x: [1, 5, 6, 5], spec: two('Conv', { kernel_shape: [3, 3] }, ['w'], 'LeakyRelu', { alpha: 0.15 }, { w: W([7, 5, 3, 3]) }) },
  { name: 'Conv + Sigmoid (fused)', x: [1, 3, 5, 5], spec: two('Conv', { kernel_shape: [1, 1] }, ['w', 'b'], 'Sigmoid', {}, { w: W([9, 3, 1, 1], 2), b: W([9]) }) },
  { name: 'Conv + Tanh (fused)', x: [1, 3, 5, 5], spec: two('Conv', { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, ['w'], 'Tanh', {}, { w: W([4, 3, 3, 3]) }) },
  { name: 'Conv + HardSigmoid (fused)', x: [1, 4, 5, 6], spec: two('Conv', { kernel_shape: [3, 3], pads: [0, 1, 2, 1] }, ['w', 'b'], 'HardSigmoid', { alpha: 0.25, beta: 0.45 }, { w: W([3, 4, 3, 3]), b: W([3]) }) },
  { name: 'Conv depthwise + HardSwish (fused)', x: [1, 7, 6, 6], spec: two('Conv', { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: 7 }, ['w', 'b'], 'HardSwish', {}, { w: W([7, 1, 3, 3], 2), b: W([7]) }) },
  // Gemm / MatMul
  { name: 'Gemm scalar bias, no transB', x: [3, 7], spec: one('Gemm', {}, ['w', 'b'], { w: W([7, 4]), b: F([0.75]) }) },
  { name: 'Gemm [1,N] bias, beta 0.5', x: [2, 6], spec: one('Gemm', { transB: 1, beta: 0.5 }, ['w', 'b'], { w: W([5, 6]), b: W([1, 5]) }) },
  { name: 'Gemm without bias + Tanh (fused)', x: [4, 9], spec: two('Gemm', { transB: 1 }, ['w'], 'Tanh', {}, { w: W([6, 9]) }) },
  { name: 'Gemm + Sigmoid (fused), one row', x: [1, 33], spec: two('Gemm', { transB: 1 }, ['w', 'b'], 'Sigmoid', {}, { w: W([17, 33]), b: W([17]) }) },
  { name: 'Gemm + residual Add of its input (fused)', x: [3, 8], spec: { opset: 13, nodes: [
    { op: 'Gemm', inputs: ['x', 'w', 'b'], outputs: ['g'], attrs: { transB: 1 } },
    { op: 'Add', inputs: ['g', 'x'], outputs: ['y'] },
  ], initializers: { w: W([8, 8]), b: W([8]) } } },
  { name: 'MatMul on a 3-D input', x: [2, 3, 11], spec: one('MatMul', {}, ['w'], { w: W([11, 5]) }) },
  { name: 'GlobalAveragePool, Flatten, Gemm (classifier head)', x: [2, 9, 3, 4], spec: { opset: 13, nodes: [
    { op: 'GlobalAveragePool', inputs: ['x'], outputs: ['g'] },
    { op: 'Flatten', inputs: ['g'], outputs: ['f'], attrs: { axis: 1 } },
    { op: 'Gemm', inputs: ['f', 'w', 'b'], outputs: ['y'], attrs: { transB: 1 } },
  ], initializers: { w: W([5, 9]), b: W([5]) } } },
  // pooling
  { name: 'MaxPool 2x3 stride (1,2) asymmetric pads, batch 2', x: [2, 6, 7, 9], spec: one('MaxPool', { kernel_shape: [2, 3], strides: [1, 2], pads: [1, 0, 0, 2] }) },
  { name: 'MaxPool auto_pad SAME_UPPER', x: [1, 5, 7, 8], spec: one('MaxPool', { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }) },
  { name: 'AveragePool kernel = input (global by window)', x: [1, 7, 5, 4], spec: one('AveragePool', { kernel_shape: [5, 4] }) },
  { name: 'AveragePool 2x2 stride 1 no pads', x: [2, 3, 4, 6], spec: one('AveragePool', { kernel_shape: [2, 2] }) },
  // standalone batch-norm on a 2-D input (rows are 1x1 pixels)
  { name: 'BatchNormalization on a 2-D input', x: [4, 6], spec: one('BatchNormalization', { epsilon: 1e-5 }, ['s', 'b', 'm', 'v'], { s: W([6]), b: W([6]), m: W([6]), v: POS([6]) }) },
  // activations on other ranks and default attributes
  { name: 'LeakyRelu default alpha, 2-D', x: [3, 7], spec: one('LeakyRelu') },
  { name: 'HardSigmoid default alpha/beta, 3-D', x: [2, 3, 5], spec: one('HardSigmoid') },
  { name: 'Clip with only a minimum (opset 13)', x: [1, 5, 3, 3], spec: one('Clip', {}, ['lo'], { lo: S(-0.3) }) },
  { name: 'Tanh on a 4-D input', x: [1, 6, 3, 5], spec: one('Tanh') },
  { name: 'Sigmoid on a 2-D input', x: [3, 13], spec: one('Sigmoid') },
  // binary operators: operand order, ranks, broadcasting both ways, two graph inputs, fused activation
  { name: 'Sub with a constant first operand (c - x)', x: [1, 5, 4, 3], spec: { opset: 13, nodes: [{ op: 'Sub', inputs: ['c', 'x'], outputs: ['y'] }], initializers: { c: W([1, 5, 1, 1]) } } },
  { name: 'Div of two activations', x: [1, 4, 3, 5], spec: { opset: 13, nodes: [
    { op: 'Sigmoid', inputs: ['x'], outputs: ['s'] },
    { op: 'Div', inputs: ['x', 's'], outputs: ['y'] },
  ] } },
  { name: 'Mul 3-D by a last-axis constant', x: [2, 3, 5], spec: one('Mul', {}, ['c'], { c: W([5]) }) },
  { name: 'Add of two graph inputs, two-way broadcast', x: [2, 1, 4, 5], inputs: { z: [1, 3, 1, 5] }, spec: { opset: 13, nodes: [{ op: 'Add', inputs: ['x', 'z'], outputs: ['y'] }] } },
  { name: 'Mul of two 2-D graph inputs + Relu (fused)', x: [3, 6], inputs: { z: [3, 6] }, spec: { opset: 13, nodes: [
    { op: 'Mul', inputs: ['x', 'z'], outputs: ['t'] },
    { op: 'Relu', inputs: ['t'], outputs: ['y'] },
  ] } },
  { name: 'Add per-channel const + HardSwish (fused)', x: [1, 6, 3, 4], spec: two('Add', {}, ['c'], 'HardSwish', {}, { c: W([6, 1, 1]) }) },
  // concat and split on other axes, constants, several outputs
  { name: 'Concat with a constant input', x: [1, 3, 4, 4], spec: one('Concat', { axis: 1 }, ['c'], { c: W([1, 2, 4, 4]) }) },
  { name: 'Concat along W', x: [1, 3, 4, 5], spec: { opset: 13, nodes: [
    { op: 'Relu', inputs: ['x'], outputs: ['a'] },
    { op: 'Concat', inputs: ['x', 'a'], outputs: ['y'], attrs: { axis: 3 } },
  ] } },
  { name: 'Concat along the batch axis', x: [2, 3, 2, 3], spec: { opset: 13, nodes: [
    { op: 'Sigmoid', inputs: ['x'], outputs: ['a'] },
    { op: 'Concat', inputs: ['a', 'x'], outputs: ['y'], attrs: { axis: 0 } },
  ] } },
  { name: 'Concat 2-D along the last axis', x: [3, 5], spec: { opset: 13, nodes: [
    { op: 'Tanh', inputs: ['x'], outputs: ['a'] },
    { op: 'Concat', inputs: ['x', 'a'], outputs: ['y'], attrs: { axis: -1 } },
  ] } },
  { name: 'Split equal halves, both graph outputs', x: [1, 6, 3, 4], outputs: ['y', 'z'], spec: { opset: 13, nodes: [
    { op: 'Split', inputs: ['x'], outputs: ['y', 'z'], attrs: { axis: 1 } },
  ] } },
  { name: 'Split along H in three (opset 11 attribute)', x: [1, 3, 5, 4], outputs: ['y', 'z', 'u'], spec: { opset: 11, nodes: [
    { op: 'Split', inputs: ['x'], outputs: ['y', 'z', 'u'], attrs: { axis: 2, split: [1, 2, 2] } },
  ] } },
  // slice, reshape, flatten, transpose
  { name: 'Slice channels with a negative step', x: [1, 7, 3, 3], spec: one('Slice', {}, ['st', 'en', 'ax', 'sp'], { st: I64([-1]), en: I64([-100]), ax: I64([1]), sp: I64([-2]) }) },
  { name: 'Slice 2-D columns, end past the size', x: [4, 9], spec: one('Slice', {}, ['st', 'en', 'ax'], { st: I64([2]), en: I64([1000]), ax: I64([1]) }) },
  { name: 'Flatten axis 2', x: [2, 3, 4, 5], spec: one('Flatten', { axis: 2 }) },
  { name: 'Flatten axis 0', x: [2, 3, 2, 2], spec: one('Flatten', { axis: 0 }) },
  { name: 'Reshape 2-D to 4-D', x: [2, 12], spec: one('Reshape', {}, ['s'], { s: I64([2, 3, 2, 2]) }) },
  { name: 'Reshape 4-D [1,6,1,1] → [1,1,2,3] (same bytes in NHWC)', x: [1, 6, 1, 1], spec: one('Reshape', {}, ['s'], { s: I64([1, 1, 2, 3]) }) },
  { name: 'Reshape 4-D to 4-D across channels and pixels', x: [1, 6, 2, 2], spec: one('Reshape', {}, ['s'], { s: I64([1, 3, 4, 2]) }) },
  { name: 'Transpose 4-D spatial swap', x: [1, 3, 4, 5], spec: one('Transpose', { perm: [0, 1, 3, 2] }) },
  { name: 'Transpose NHWC→NCHW-style [0,3,1,2]', x: [1, 4, 5, 3], spec: one('Transpose', { perm: [0, 3, 1, 2] }) },
  { name: 'Transpose 3-D default perm (reverse)', x: [2, 3, 5], spec: one('Transpose') },
  // softmax over other ranks and axes
  { name: 'Softmax 3-D last axis', x: [2, 3, 9], spec: one('Softmax', { axis: 2 }) },
  { name: 'Softmax legacy over a 4-D [N,C,1,1] (opset 11)', x: [2, 7, 1, 1], spec: one('Softmax', { axis: 1 }, [], {}, 11) },
  { name: 'Softmax over H of a 4-D tensor', x: [1, 3, 4, 5], spec: one('Softmax', { axis: 2 }) },
  { name: 'Softmax legacy over a 4-D tensor with spatial size (opset 11)', x: [1, 3, 2, 2], spec: one('Softmax', { axis: 1 }, [], {}, 11) },
  // pad
  { name: 'Pad 2-D constant', x: [3, 4], spec: one('Pad', {}, ['p', 'v'], { p: I64([1, 0, 2, 3]), v: S(-1) }) },
  { name: 'Pad batch and channel axes', x: [1, 3, 2, 3], spec: one('Pad', {}, ['p'], { p: I64([1, 2, 0, 0, 0, 1, 1, 0]) }) },
  { name: 'Pad attributes (opset 9)', x: [1, 2, 3, 3], spec: one('Pad', { pads: [0, 0, 2, 1, 0, 0, 0, 1], value: 0.25 }, [], {}, 9) },
  { name: 'Pad negative (crop)', x: [1, 3, 5, 6], spec: one('Pad', {}, ['p'], { p: I64([0, 0, -1, 1, 0, 0, 1, -2]) }) },
  // reduce
  { name: 'ReduceMean spatial, axes as input (opset 18)', x: [1, 6, 3, 5], spec: one('ReduceMean', { keepdims: 1 }, ['ax'], { ax: I64([-1, -2]) }, 18) },
  { name: 'ReduceMean over channels', x: [1, 5, 3, 3], spec: one('ReduceMean', { axes: [1], keepdims: 1 }) },
  // resize: the other coordinate and rounding modes, downscale, opset 10, sizes
  { name: 'Resize nearest asymmetric floor, sizes', x: [1, 3, 4, 5], spec: one('Resize', { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }, ['', '', 'sz'], { sz: I64([1, 3, 7, 8]) }) },
  { name: 'Resize nearest round_prefer_ceil x1.5', x: [1, 2, 4, 4], spec: one('Resize', { mode: 'nearest', nearest_mode: 'round_prefer_ceil' }, ['', 'sc'], { sc: F([1, 1, 1.5, 1.5]) }) },
  { name: 'Resize nearest ceil, align_corners downscale', x: [1, 3, 7, 9], spec: one('Resize', { mode: 'nearest', coordinate_transformation_mode: 'align_corners', nearest_mode: 'ceil' }, ['', '', 'sz'], { sz: I64([1, 3, 4, 5]) }) },
  { name: 'Resize linear pytorch_half_pixel downscale', x: [2, 3, 8, 7], spec: one('Resize', { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' }, ['', '', 'sz'], { sz: I64([2, 3, 3, 1]) }) },
  { name: 'Resize linear asymmetric (opset 10)', x: [1, 3, 3, 4], spec: one('Resize', { mode: 'linear' }, ['sc'], { sc: F([1, 1, 2, 1.5]) }, 10) },
  { name: 'Resize linear half_pixel_symmetric (opset 19)', x: [1, 2, 5, 4], spec: one('Resize', { mode: 'linear', coordinate_transformation_mode: 'half_pixel_symmetric' }, ['', '', 'sz'], { sz: I64([1, 2, 7, 9]) }, 19) },
  { name: 'Upsample nearest, scales attribute (opset 7)', x: [1, 2, 3, 3], spec: one('Upsample', { mode: 'nearest', scales: [1, 1, 2, 2] }, [], {}, 7) },
  { name: 'Resize nearest tf_half_pixel_for_nn', x: [1, 2, 4, 5], spec: one('Resize', { mode: 'nearest', coordinate_transformation_mode: 'tf_half_pixel_for_nn' }, ['', 'sc'], { sc: F([1, 1, 1.7, 2.3]) }) },
  { name: 'Resize over channels', x: [1, 2, 3, 3], spec: one('Resize', { mode: 'nearest' }, ['', 'sc'], { sc: F([1, 2, 1, 1]) }),
    unsupported: {
      wasm: /resize supports the spatial axes of a 4-D tensor only; \[1, 2, 3, 3\] → \[1, 4, 3, 3\]/,
      reference: /resize supports the spatial axes of a 4-D tensor only; \[1, 2, 3, 3\] → \[1, 4, 3, 3\]/,
      webgpu: /resize supports the spatial axes of a 4-D tensor only; \[1, 2, 3, 3\] → \[1, 4, 3, 3\]/,
    } },
  // non-finite results: x / 0 is ±Infinity on every backend
  { name: 'Div by a per-channel constant with a zero (±Infinity)', x: [1, 2, 3, 3], spec: one('Div', {}, ['c'], { c: { dims: [1, 2, 1, 1], data: [0, -2] } }) },
  // the memory planner: zero-copy concat slices read by other nodes or kept as outputs, aliases, empty values
  { name: 'Zero-copy concat: a slice also read by Sigmoid', x: [1, 3, 5, 5], outputs: ['y', 'z'], spec: { opset: 13, nodes: [
    { op: 'Conv', inputs: ['x', 'w1'], outputs: ['a'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    { op: 'Conv', inputs: ['x', 'w2'], outputs: ['b'], attrs: { kernel_shape: [1, 1] } },
    { op: 'Concat', inputs: ['a', 'b'], outputs: ['y'], attrs: { axis: 1 } },
    { op: 'Sigmoid', inputs: ['a'], outputs: ['z'] },
  ], initializers: { w1: W([5, 3, 3, 3]), w2: W([2, 3, 1, 1]) } } },
  { name: 'Zero-copy concat: a slice (MaxPool) also a graph output, one read by Flatten', x: [1, 3, 4, 4], outputs: ['y', 'b', 'z'], spec: { opset: 13, nodes: [
    { op: 'Conv', inputs: ['x', 'w1'], outputs: ['a'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    { op: 'MaxPool', inputs: ['x'], outputs: ['b'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    { op: 'Concat', inputs: ['a', 'b'], outputs: ['y'], attrs: { axis: 1 } },
    { op: 'Flatten', inputs: ['a'], outputs: ['z'], attrs: { axis: 1 } },
  ], initializers: { w1: W([5, 3, 3, 3]) } } },
  { name: 'Two Identity outputs of one input', x: [1, 3, 2, 2], outputs: ['y', 'z'], spec: { opset: 13, nodes: [
    { op: 'Identity', inputs: ['x'], outputs: ['y'] },
    { op: 'Identity', inputs: ['x'], outputs: ['z'] },
  ] } },
  { name: 'Transpose output both a graph output and consumed', x: [1, 3, 4, 5], outputs: ['y', 'z'], spec: { opset: 13, nodes: [
    { op: 'Transpose', inputs: ['x'], outputs: ['y'], attrs: { perm: [0, 2, 3, 1] } },
    { op: 'Relu', inputs: ['y'], outputs: ['z'] },
  ] } },
  { name: 'Empty Slice concatenated', x: [1, 3, 4, 4], spec: { opset: 13, nodes: [
    { op: 'Slice', inputs: ['x', 'st', 'en', 'ax'], outputs: ['e'] },
    { op: 'Concat', inputs: ['x', 'e'], outputs: ['y'], attrs: { axis: 1 } },
  ], initializers: { st: I64([2]), en: I64([2]), ax: I64([1]) } } },
  { name: 'Conv output read twice: residual Add into a second conv, then Clip', x: [1, 4, 5, 5], spec: { opset: 13, nodes: [
    { op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['a'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    { op: 'Relu', inputs: ['a'], outputs: ['r'] },
    { op: 'Conv', inputs: ['r', 'w2'], outputs: ['c'], attrs: { kernel_shape: [1, 1] } },
    { op: 'Add', inputs: ['c', 'a'], outputs: ['s'] },
    { op: 'Clip', inputs: ['s', 'lo', 'hi'], outputs: ['y'] },
  ], initializers: { w1: W([6, 4, 3, 3]), b1: W([6]), w2: W([6, 6, 1, 1]), lo: S(-0.5), hi: S(0.5) } } },
  { name: 'MaxPool ceil_mode, dilation 2, asymmetric pads', x: [1, 4, 10, 9], spec: one('MaxPool', { kernel_shape: [3, 2], strides: [2, 3], pads: [1, 1, 1, 0], dilations: [2, 2], ceil_mode: 1 }) },
  { name: 'Split num_outputs uneven (opset 18)', x: [1, 7, 2, 2], outputs: ['y', 'z'], spec: { opset: 18, nodes: [
    { op: 'Split', inputs: ['x'], outputs: ['y', 'z'], attrs: { axis: 1, num_outputs: 2 } },
  ] } },
  { name: 'ReduceMean spatial no keepdims, then Gemm', x: [2, 6, 3, 3], spec: { opset: 13, nodes: [
    { op: 'ReduceMean', inputs: ['x'], outputs: ['m'], attrs: { axes: [2, 3], keepdims: 0 } },
    { op: 'Gemm', inputs: ['m', 'w'], outputs: ['y'], attrs: { transB: 1 } },
  ], initializers: { w: W([4, 6]) } } },
  { name: 'Sub of a [N,C,1,1] activation and a 4-D one', x: [1, 5, 3, 4], spec: { opset: 13, nodes: [
    { op: 'GlobalMaxPool', inputs: ['x'], outputs: ['g'] },
    { op: 'Sub', inputs: ['g', 'x'], outputs: ['y'] },
  ] } },
  ...TENSOR_CASES,
  ...REDUCE_CASES,
  ...UNARY_CASES,
  ...MOBILE_CASES,
  ...CONV_CASES,
  ...CUBIC_CASES,
];

/** Graph inputs of a case, name → dims, 'x' first. */
export const inputDims = (c: OpCase): Record<string, number[]> => ({ x: c.x, ...c.inputs });

/** Seeded inputs of a case (by its name, so a case's inputs do not depend on its place in the table). */
export function caseInputs(c: OpCase, scale = 2): Record<string, Float32Array> {
  let seed = 2166136261;
  for (let i = 0; i < c.name.length; i++) seed = Math.imul(seed ^ c.name.charCodeAt(i), 16777619);
  const g = rng(seed);
  return Object.fromEntries(Object.entries(inputDims(c)).map(([n, d]) => [n, g.floats(d.reduce((a, b) => a * b, 1), scale)]));
}

export interface Tol { atol: number; rtol: number }
export type Outputs = Record<string, { dims: number[]; data: Float32Array }>;
export const outputNames = (c: OpCase): string[] => c.outputs ?? ['y'];

/** Worst |d| / (atol + rtol·|expected|) per comparison label, and where it was. */
export type Worst = Map<string, { ratio: number; where: string }>;

/** Compares every output of a case; records the worst ratio under `label`; throws on the first element
 * out of `tol` (equal values, ±Infinity and NaN included, always pass). */
export function compareOutputs(worst: Worst, label: string, c: OpCase, got: Outputs, want: Outputs, tol: Tol): void {
  for (const n of outputNames(c)) {
    const g = got[n], w = want[n];
    if (g.dims.join() !== w.dims.join()) throw new Error(`${label}: output '${n}' dims [${g.dims}], expected [${w.dims}]`);
    if (g.data.length !== w.data.length) throw new Error(`${label}: output '${n}' has ${g.data.length} elements, expected ${w.data.length}`);
    let ratio = 0;
    for (let i = 0; i < w.data.length; i++) {
      if (g.data[i] === w.data[i] || (Number.isNaN(g.data[i]) && Number.isNaN(w.data[i]))) continue;
      const d = Math.abs(g.data[i] - w.data[i]), bound = tol.atol + tol.rtol * Math.abs(w.data[i]);
      if (!(d <= bound)) throw new Error(`${label}: output '${n}' index ${i}: ${g.data[i]}, expected ${w.data[i]} (atol ${tol.atol}, rtol ${tol.rtol})`);
      ratio = Math.max(ratio, d / bound);
    }
    const prev = worst.get(label);
    if (!prev || ratio > prev.ratio) worst.set(label, { ratio, where: `${c.name}, output '${n}'` });
  }
}
