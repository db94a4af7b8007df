// Every supported ONNX operator as a small model, run by edgecnn and by onnxruntime-node (the
// oracle), on seeded random inputs with odd sizes and channel counts that are not multiples of 4.
// Tolerance: |ours - ort| ≤ 2e-5 + 1e-4·|ort|: both sum float32 products in different orders
// (K ≤ ~200 here: ~1e-6 relative), and exp/tanh approximations differ by a few ulp.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as ort from 'onnxruntime-node';
import { makeModel, type ModelSpec, type TensorSpec } from '../helpers/onnx-builder.js';
import { Session } from '../../src/session.js';
import { Tensor } from '../../src/tensor.js';
import { rng } from '../helpers/rng.js';

const r = rng(2024);
const W = (dims: number[], scale = 0.5): TensorSpec => ({ dims, data: r.floats(dims.reduce((a, b) => a * b, 1), scale) });
const I64 = (data: number[]): TensorSpec => ({ dims: [data.length], data, dtype: 'int64' });
const F = (data: number[]): TensorSpec => ({ dims: [data.length], data });

interface Case { name: string; x: number[]; spec: Omit<ModelSpec, "inputs" | "outputs"> & { outputs?: ModelSpec["outputs"] } }

const one = (op: string, attrs: Record<string, unknown> = {}, extra: string[] = [], init: Record<string, TensorSpec> = {}, opset = 13) =>
  ({ opset, nodes: [{ op, inputs: ['x', ...extra], outputs: ['y'], attrs }], initializers: init });

const cases: Case[] = [
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
];

async function runOrt(bytes: Uint8Array, x: Float32Array, dims: number[]) {
  const s = await ort.InferenceSession.create(bytes);
  const out = await s.run({ x: new ort.Tensor('float32', x, dims) });
  return out.y;
}

const flavorsUnderTest = ['simd', 'scalar'] as const;

for (const c of cases) {
  test(`${c.name} matches onnxruntime`, async () => {
    const bytes = makeModel({ ...c.spec, inputs: [{ name: 'x', dims: c.x }], outputs: c.spec.outputs ?? [{ name: 'y' }] });
    const x = r.floats(c.x.reduce((a, b) => a * b, 1), 2);
    const want = await runOrt(bytes, x, c.x);
    for (const flavor of flavorsUnderTest) {
      const s = await Session.create(bytes, { flavor, threads: 1 });
      const got = (await s.run({ x: new Tensor('float32', x, c.x) })).y;
      await s.dispose();
      assert.equal([...got.dims], [...want.dims].map(Number), `${c.name} (${flavor}): dims`);
      const w = want.data as Float32Array;
      for (let i = 0; i < w.length; i++) {
        if (!(Math.abs(got.data[i] - w[i]) <= 2e-5 + 1e-4 * Math.abs(w[i]))) {
          assert.unreachable(`${c.name} (${flavor}): index ${i}: edgecnn ${got.data[i]}, onnxruntime ${w[i]}`);
        }
      }
    }
  });
}

test.run();
