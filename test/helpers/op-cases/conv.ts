// Op cases for ConvTranspose, 1-D convolution and pooling, LpPool / GlobalLpPool, and the 3-D refusal
// (issue 12). Odd sizes, channel counts that are not multiples of 4, every attribute; each runs on every
// backend against onnxruntime-node (test/models/ops.test.ts, test/webgpu/ops.test.ts).
import type { OpCase } from '../op-cases.js';
import type { TensorSpec } from '../onnx-builder.js';
import { rng } from '../rng.js';

const r = rng(1212);
const W = (dims: number[], scale = 0.5): TensorSpec => ({ dims, data: r.floats(dims.reduce((a, b) => a * b, 1), scale) });
const one = (op: string, attrs: Record<string, unknown> = {}, extra: string[] = [], init: Record<string, TensorSpec> = {}, opset = 13) =>
  ({ opset, nodes: [{ op, inputs: ['x', ...extra], outputs: ['y'], attrs }], initializers: init });
/** ConvTranspose with weights [cin, cout/groups, kh, kw] and a bias (unless bias is false). */
const ct = (cin: number, coutG: number, k: number[], attrs: Record<string, unknown>, groups = 1, bias = true, opset = 13) =>
  one('ConvTranspose', { kernel_shape: k, ...(groups > 1 ? { group: groups } : {}), ...attrs }, bias ? ['w', 'b'] : ['w'],
    bias ? { w: W([cin, coutG, ...k]), b: W([coutG * groups]) } : { w: W([cin, coutG, ...k]) }, opset);

// (4 spatial axes, which onnxruntime does not run either, are refused in test/model/conv1d.test.ts)

export const CONV_CASES: OpCase[] = [
  // ConvTranspose: strides 1/2/3, kernels 1..5, pads, output_padding, output_shape, auto_pad, dilation, groups
  { name: 'ConvTranspose 3x3 s2, bias, 5→7', x: [1, 5, 6, 7], spec: ct(5, 7, [3, 3], { strides: [2, 2] }) },
  { name: 'ConvTranspose 4x4 s2 p1 (DCGAN), 6→3, batch 2', x: [2, 6, 5, 4], spec: ct(6, 3, [4, 4], { strides: [2, 2], pads: [1, 1, 1, 1] }) },
  { name: 'ConvTranspose 5x4 s3 asymmetric pads', x: [1, 3, 4, 5], spec: ct(3, 5, [5, 4], { strides: [3, 3], pads: [1, 0, 2, 3] }) },
  { name: 'ConvTranspose strides (2,3) output_padding (1,2)', x: [1, 4, 5, 3], spec: ct(4, 6, [3, 3], { strides: [2, 3], output_padding: [1, 2] }) },
  { name: 'ConvTranspose output_shape, pads ignored', x: [1, 2, 4, 5], spec: ct(2, 3, [3, 3], { strides: [2, 2], pads: [1, 1, 1, 1], output_shape: [8, 9] }) },
  { name: 'ConvTranspose output_shape SAME_UPPER', x: [1, 3, 5, 4], spec: ct(3, 5, [3, 4], { strides: [2, 2], auto_pad: 'SAME_UPPER', output_shape: [7, 6] }) },
  { name: 'ConvTranspose output_shape SAME_LOWER', x: [1, 3, 5, 4], spec: ct(3, 5, [3, 4], { strides: [2, 2], auto_pad: 'SAME_LOWER', output_shape: [7, 6] }) },
  { name: 'ConvTranspose auto_pad SAME_UPPER s3', x: [1, 5, 3, 4], spec: ct(5, 2, [4, 2], { strides: [3, 3], auto_pad: 'SAME_UPPER' }) },
  { name: 'ConvTranspose auto_pad SAME_LOWER s2', x: [1, 5, 3, 4], spec: ct(5, 2, [3, 3], { strides: [2, 2], auto_pad: 'SAME_LOWER' }) },
  { name: 'ConvTranspose auto_pad VALID', x: [1, 3, 4, 4], spec: ct(3, 3, [2, 3], { strides: [2, 1], auto_pad: 'VALID' }) },
  { name: 'ConvTranspose dilation (2,3) s2', x: [1, 3, 5, 5], spec: ct(3, 5, [3, 2], { strides: [2, 2], dilations: [2, 3], pads: [1, 2, 0, 1] }) },
  { name: 'ConvTranspose dilation 2 s1 pads 2', x: [1, 6, 7, 6], spec: ct(6, 5, [5, 3], { dilations: [2, 2], pads: [2, 1, 3, 2] }) },
  { name: 'ConvTranspose groups 2, 6→10', x: [1, 6, 5, 6], spec: ct(6, 5, [3, 3], { strides: [2, 2], pads: [1, 1, 0, 0] }, 2) },
  { name: 'ConvTranspose depthwise (groups 7)', x: [1, 7, 4, 5], spec: ct(7, 1, [4, 4], { strides: [2, 2], pads: [1, 1, 1, 1] }, 7) },
  { name: 'ConvTranspose 1x1 s2 (bias-only phases)', x: [1, 5, 4, 3], spec: ct(5, 3, [1, 1], { strides: [2, 2] }) },
  { name: 'ConvTranspose 3x3 s1 p1, no bias, 1→13', x: [1, 1, 6, 7], spec: ct(1, 13, [3, 3], { pads: [1, 1, 1, 1] }, 1, false) },
  { name: 'ConvTranspose 2x2 s2, 13→9, 9x11', x: [1, 13, 9, 11], spec: ct(13, 9, [2, 2], { strides: [2, 2] }) },
  { name: 'ConvTranspose k2 s3 (gaps)', x: [1, 3, 3, 4], spec: ct(3, 2, [2, 2], { strides: [3, 3] }) },
  { name: 'ConvTranspose + Relu (fused)', x: [1, 4, 5, 5], spec: { opset: 13, nodes: [
    { op: 'ConvTranspose', inputs: ['x', 'w', 'b'], outputs: ['t'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] } },
    { op: 'Relu', inputs: ['t'], outputs: ['y'] }], initializers: { w: W([4, 6, 3, 3]), b: W([6]) } } },
  { name: 'ConvTranspose + BatchNormalization + LeakyRelu', x: [1, 5, 4, 4], spec: { opset: 13, nodes: [
    { op: 'ConvTranspose', inputs: ['x', 'w'], outputs: ['t'], attrs: { kernel_shape: [4, 4], strides: [2, 2], pads: [1, 1, 1, 1] } },
    { op: 'BatchNormalization', inputs: ['t', 's', 'bb', 'm', 'v'], outputs: ['u'] },
    { op: 'LeakyRelu', inputs: ['u'], outputs: ['y'], attrs: { alpha: 0.2 } }],
  initializers: { w: W([5, 3, 4, 4]), s: W([3]), bb: W([3]), m: W([3]), v: { dims: [3], data: [0.5, 1, 2] } } } },
  { name: 'ConvTranspose opset 7', x: [1, 2, 3, 3], spec: ct(2, 3, [3, 3], { strides: [2, 2], output_padding: [1, 0] }, 1, true, 7) },
  { name: 'ConvTranspose opset 21, kernel_shape from the weights', x: [1, 3, 4, 3], spec: one('ConvTranspose', { strides: [2, 3], pads: [0, 1, 1, 0] }, ['w', 'b'], { w: W([3, 2, 3, 4]), b: W([2]) }, 21) },
  { name: 'ConvTranspose output_shape + output_padding, stride 3', x: [1, 2, 3, 4], spec: ct(2, 3, [2, 3], { strides: [3, 3], output_padding: [2, 1], output_shape: [8, 11] }) },
  // 1-D convolution and pooling on [N, C, L]
  { name: 'Conv 1-D k5 s2 dilation 2 pads (1,3)', x: [2, 5, 23], spec: one('Conv', { kernel_shape: [5], strides: [2], dilations: [2], pads: [1, 3] }, ['w', 'b'], { w: W([7, 5, 5]), b: W([7]) }) },
  { name: 'Conv 1-D auto_pad SAME_LOWER s3, groups 3', x: [1, 6, 17], spec: one('Conv', { kernel_shape: [4], strides: [3], auto_pad: 'SAME_LOWER', group: 3 }, ['w'], { w: W([9, 2, 4]) }) },
  { name: 'Conv 1-D without kernel_shape', x: [1, 3, 10], spec: one('Conv', {}, ['w'], { w: W([2, 3, 3]) }) },
  { name: 'ConvTranspose 1-D s2 output_padding 1', x: [1, 4, 9], spec: ct(4, 3, [3], { strides: [2], output_padding: [1], pads: [1, 0] }) },
  { name: 'ConvTranspose 1-D output_shape', x: [1, 3, 7], spec: ct(3, 5, [4], { strides: [3], output_shape: [20] }) },
  { name: 'MaxPool 1-D k3 s2 p1 ceil', x: [1, 5, 14], spec: one('MaxPool', { kernel_shape: [3], strides: [2], pads: [1, 1], ceil_mode: 1 }) },
  { name: 'MaxPool 1-D dilation 2', x: [1, 3, 13], spec: one('MaxPool', { kernel_shape: [2], dilations: [2] }, [], {}, 13) },
  { name: 'AveragePool 1-D count_include_pad', x: [2, 3, 11], spec: one('AveragePool', { kernel_shape: [4], strides: [3], pads: [2, 1], count_include_pad: 1 }) },
  { name: 'AveragePool 1-D SAME_UPPER', x: [1, 7, 10], spec: one('AveragePool', { kernel_shape: [3], strides: [2], auto_pad: 'SAME_UPPER' }) },
  { name: 'GlobalAveragePool 1-D', x: [2, 5, 9], spec: one('GlobalAveragePool') },
  { name: 'GlobalMaxPool 1-D', x: [1, 7, 6], spec: one('GlobalMaxPool') },
  { name: 'Conv1d chain: Conv Relu MaxPool Conv BN Relu ConvTranspose AvgPool GlobalAvgPool', x: [1, 3, 31], spec: { opset: 13, nodes: [
    { op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c1'], attrs: { kernel_shape: [3], pads: [1, 1] } },
    { op: 'Relu', inputs: ['c1'], outputs: ['r1'] },
    { op: 'MaxPool', inputs: ['r1'], outputs: ['p1'], attrs: { kernel_shape: [2], strides: [2] } },
    { op: 'Conv', inputs: ['p1', 'w2'], outputs: ['c2'], attrs: { kernel_shape: [5], pads: [2, 2], dilations: [1] } },
    { op: 'BatchNormalization', inputs: ['c2', 's', 'bb', 'm', 'v'], outputs: ['n2'] },
    { op: 'Relu', inputs: ['n2'], outputs: ['r2'] },
    { op: 'ConvTranspose', inputs: ['r2', 'w3', 'b3'], outputs: ['c3'], attrs: { kernel_shape: [4], strides: [2], pads: [1, 1] } },
    { op: 'AveragePool', inputs: ['c3'], outputs: ['p3'], attrs: { kernel_shape: [3], pads: [1, 1] } },
    { op: 'GlobalAveragePool', inputs: ['p3'], outputs: ['y'] }],
  initializers: { w1: W([6, 3, 3]), b1: W([6]), w2: W([5, 6, 5]), s: W([5]), bb: W([5]), m: W([5]), v: { dims: [5], data: [0.5, 1, 2, 0.7, 1.5] },
    w3: W([5, 7, 4]), b3: W([7]) } }, outputs: ['y', 'p3'] },
  // LpPool / GlobalLpPool
  { name: 'LpPool p=2 3x3 s2 p1', x: [1, 5, 9, 8], spec: one('LpPool', { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }) },
  { name: 'LpPool p=1 2x3 asymmetric pads', x: [2, 3, 7, 6], spec: one('LpPool', { kernel_shape: [2, 3], p: 1, pads: [0, 1, 1, 2] }) },
  { name: 'LpPool p=3 dilation ceil (opset 18)', x: [1, 6, 11, 10], spec: one('LpPool', { kernel_shape: [3, 2], p: 3, strides: [2, 2], dilations: [2, 1], ceil_mode: 1 }, [], {}, 18) },
  { name: 'LpPool p=4 SAME_UPPER', x: [1, 17, 6, 7], spec: one('LpPool', { kernel_shape: [3, 3], p: 4, strides: [2, 2], auto_pad: 'SAME_UPPER' }, [], {}, 11) },
  { name: 'LpPool 1-D p=2', x: [1, 5, 12], spec: one('LpPool', { kernel_shape: [3], strides: [2], pads: [1, 0] }) },
  { name: 'GlobalLpPool p=2', x: [2, 9, 5, 4], spec: one('GlobalLpPool') },
  { name: 'GlobalLpPool p=1', x: [1, 6, 3, 7], spec: one('GlobalLpPool', { p: 1 }) },
  { name: 'GlobalLpPool p=3 1-D', x: [1, 7, 11], spec: one('GlobalLpPool', { p: 3 }) },
  { name: 'LpPool p=2 opset 21, ceil, 1-D dilation', x: [1, 5, 15], spec: one('LpPool', { kernel_shape: [3], strides: [2], dilations: [2], ceil_mode: 1 }, [], {}, 21) },
  { name: 'GlobalLpPool opset 21', x: [1, 3, 4, 5], spec: one('GlobalLpPool', {}, [], {}, 21) },
  // 3-D convolution and pooling on [N, C, D, H, W] (2-D operators: depth taps unfolded into channels, separable pools)
  { name: 'Conv 3-D 3x3x3 pad 1, bias, 3→5', x: [1, 3, 5, 6, 7], spec: one('Conv', { kernel_shape: [3, 3, 3], pads: [1, 1, 1, 1, 1, 1] }, ['w', 'b'], { w: W([5, 3, 3, 3, 3]), b: W([5]) }) },
  { name: 'Conv 3-D strides (2,1,2) asymmetric pads dilation (2,1,1), batch 2', x: [2, 2, 7, 5, 6], spec: one('Conv', { kernel_shape: [2, 3, 2], strides: [2, 1, 2], pads: [1, 0, 1, 0, 2, 0], dilations: [2, 1, 1] }, ['w'], { w: W([3, 2, 2, 3, 2]) }) },
  { name: 'Conv 3-D groups 3, auto_pad SAME_LOWER', x: [1, 6, 4, 5, 5], spec: one('Conv', { kernel_shape: [3, 1, 3], strides: [2, 2, 1], auto_pad: 'SAME_LOWER', group: 3 }, ['w', 'b'], { w: W([9, 2, 3, 1, 3]), b: W([9]) }) },
  { name: 'Conv 3-D without attributes (kernel from the weights)', x: [1, 2, 4, 5, 3], spec: one('Conv', {}, ['w', 'b'], { w: W([3, 2, 2, 3, 2]), b: W([3]) }) },
  { name: 'ConvTranspose 1-D without attributes', x: [1, 3, 6], spec: one('ConvTranspose', {}, ['w'], { w: W([3, 4, 3]) }) },
  { name: 'Conv 3-D 1x1x1 (kd = 1)', x: [1, 5, 3, 4, 3], spec: one('Conv', { kernel_shape: [1, 1, 1] }, ['w'], { w: W([7, 5, 1, 1, 1]) }) },
  { name: 'Conv 3-D + Relu', x: [1, 2, 4, 4, 5], spec: { opset: 13, nodes: [
    { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['t'], attrs: { kernel_shape: [2, 2, 2], pads: [0, 1, 1, 1, 0, 0] } },
    { op: 'Relu', inputs: ['t'], outputs: ['y'] }], initializers: { w: W([6, 2, 2, 2, 2]), b: W([6]) } } },
  { name: 'MaxPool 3-D 2x3x2 s2 p1 ceil', x: [1, 3, 7, 8, 5], spec: one('MaxPool', { kernel_shape: [2, 3, 2], strides: [2, 2, 2], pads: [1, 1, 0, 0, 1, 1], ceil_mode: 1 }) },
  { name: 'MaxPool 3-D dilation (2,1,2)', x: [1, 2, 7, 5, 7], spec: one('MaxPool', { kernel_shape: [2, 2, 2], dilations: [2, 1, 2] }) },
  { name: 'AveragePool 3-D count_include_pad 0', x: [2, 3, 5, 6, 5], spec: one('AveragePool', { kernel_shape: [3, 3, 3], strides: [2, 2, 2], pads: [1, 1, 1, 1, 1, 1] }) },
  { name: 'AveragePool 3-D count_include_pad 1 ceil', x: [1, 5, 6, 5, 7], spec: one('AveragePool', { kernel_shape: [2, 3, 3], strides: [2, 2, 2], pads: [1, 1, 1, 0, 1, 1], count_include_pad: 1, ceil_mode: 1 }) },
  { name: 'AveragePool 3-D SAME_UPPER', x: [1, 3, 5, 5, 6], spec: one('AveragePool', { kernel_shape: [3, 2, 3], strides: [2, 2, 2], auto_pad: 'SAME_UPPER' }) },
  { name: 'LpPool 3-D p=2', x: [1, 3, 5, 4, 6], spec: one('LpPool', { kernel_shape: [2, 2, 3], strides: [2, 1, 2], pads: [1, 0, 1, 0, 1, 1] }) },
  { name: 'GlobalAveragePool 5-D', x: [2, 5, 3, 4, 3], spec: one('GlobalAveragePool') },
  { name: 'GlobalMaxPool 5-D', x: [1, 7, 2, 3, 5], spec: one('GlobalMaxPool') },
  { name: 'GlobalLpPool 5-D p=3', x: [1, 3, 3, 2, 4], spec: one('GlobalLpPool', { p: 3 }) },
  { name: 'ConvTranspose 3-D 2x2x2 s2, bias', x: [1, 3, 3, 4, 3], spec: ct(3, 5, [2, 2, 2], { strides: [2, 2, 2] }) },
  { name: 'ConvTranspose 3-D 3x3x3 s2 p1 output_padding (1,0,1)', x: [1, 2, 4, 3, 5], spec: ct(2, 3, [3, 3, 3], { strides: [2, 2, 2], pads: [1, 1, 1, 1, 1, 1], output_padding: [1, 0, 1] }) },
  { name: 'ConvTranspose 3-D strides (3,1,2) dilation (2,1,1) asymmetric pads, groups 2', x: [1, 4, 3, 4, 4], spec: ct(4, 3, [2, 3, 2], { strides: [3, 1, 2], dilations: [2, 1, 1], pads: [1, 0, 1, 0, 2, 0] }, 2) },
  { name: 'ConvTranspose 3-D kd 1 s2 (bias-only depths), SAME_UPPER', x: [1, 3, 3, 3, 4], spec: ct(3, 2, [1, 3, 3], { strides: [2, 2, 1], auto_pad: 'SAME_UPPER' }) },
  { name: 'ConvTranspose 3-D output_shape, batch 2', x: [2, 2, 3, 3, 3], spec: ct(2, 3, [3, 2, 3], { strides: [2, 2, 2], output_shape: [6, 5, 7] }, 1, false) },
];
