// Op cases of the general tensor operators (issue 12): Pad modes, Expand, Tile, DepthToSpace,
// SpaceToDepth, Gather and GatherElements on activations, Where with a constant condition, the
// comparisons that fold into it, zero-size values and 4-D reshapes. Odd sizes, channel counts that are
// not multiples of 4, 4-D values (NHWC in wasm) and other ranks, and small graphs where the operator
// sits between convolutions so NHWC values feed it. Appended to OP_CASES (test/helpers/op-cases.ts).
import type { OpCase } from '../op-cases.js';
import type { TensorSpec } from '../onnx-builder.js';
import { rng } from '../rng.js';

const r = rng(1212);
const W = (dims: number[], scale = 0.5): TensorSpec => ({ dims, data: r.floats(dims.reduce((a, b) => a * b, 1), scale) });
const I64 = (data: number[], dims = [data.length]): TensorSpec => ({ dims, data, dtype: 'int64' });
const B = (data: number[], dims = [data.length]): TensorSpec => ({ dims, data, dtype: 'bool' });
const S = (v: number): TensorSpec => ({ dims: [], data: [v] });

const one = (op: string, attrs: Record<string, unknown> = {}, extra: string[] = [], init: Record<string, TensorSpec> = {}, opset = 13) =>
  ({ opset, nodes: [{ op, inputs: ['x', ...extra], outputs: ['y'], attrs }], initializers: init });
/** x → Conv 3x3 → op → Conv 1x1 → y: the operator between convolutions (NHWC values in wasm). */
const between = (cin: number, cmid: number, op: string, attrs: Record<string, unknown>, extra: string[], init: Record<string, TensorSpec>, cout: number, cop: number, opset = 13) => ({
  opset,
  nodes: [
    { op: 'Conv', inputs: ['x', 'w1'], outputs: ['a'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    { op, inputs: ['a', ...extra], outputs: ['b'], attrs },
    { op: 'Conv', inputs: ['b', 'w2'], outputs: ['y'], attrs: { kernel_shape: [1, 1] } },
  ],
  initializers: { ...init, w1: W([cmid, cin, 3, 3]), w2: W([cout, cop, 1, 1]) },
});
const BOOL = /bool tensors exist only as constants/;

export const TENSOR_CASES: OpCase[] = [
  // ---- Pad: every mode, negative pads, axes, a computed constant_value, empty input ----
  { name: 'Pad reflect H/W', x: [1, 3, 5, 6], spec: one('Pad', { mode: 'reflect' }, ['p'], { p: I64([0, 0, 2, 1, 0, 0, 1, 3]) }) },
  { name: 'Pad reflect on every axis, 3-D', x: [3, 4, 5], spec: one('Pad', { mode: 'reflect' }, ['p'], { p: I64([2, 1, 0, 1, 3, 4]) }) },
  { name: 'Pad edge on N, C, H, W, batch 2', x: [2, 3, 4, 5], spec: one('Pad', { mode: 'edge' }, ['p'], { p: I64([1, 2, 0, 1, 0, 1, 3, 2]) }) },
  { name: 'Pad edge 2-D, wider than the input', x: [3, 2], spec: one('Pad', { mode: 'edge' }, ['p'], { p: I64([2, 5, 0, 3]) }) },
  { name: 'Pad wrap (opset 19), pads up to the size', x: [1, 2, 3, 4], spec: one('Pad', { mode: 'wrap' }, ['p'], { p: I64([0, 1, 2, 1, 0, 1, 3, 4]) }, 19) },
  { name: 'Pad wrap 2-D (opset 19)', x: [3, 5], spec: one('Pad', { mode: 'wrap' }, ['p'], { p: I64([1, 2, 2, 3]) }, 19) },
  { name: 'Pad reflect with negative pads (crop, then reflect)', x: [1, 5, 6, 7], spec: one('Pad', { mode: 'reflect' }, ['p'], { p: I64([0, -1, 2, -1, 0, 0, -2, 3]) }) },
  { name: 'Pad edge with negative pads, 3-D', x: [2, 6, 5], spec: one('Pad', { mode: 'edge' }, ['p'], { p: I64([0, -2, 1, 1, 2, -3]) }) },
  { name: 'Pad constant negative and positive on one axis', x: [1, 3, 6, 5], spec: one('Pad', {}, ['p', 'v'], { p: I64([0, -1, 2, -3, 0, 2, -1, 1]), v: S(1.5) }) },
  { name: 'Pad axes input with negative axes (opset 18), reflect', x: [1, 3, 4, 5], spec: one('Pad', { mode: 'reflect' }, ['p', '', 'ax'], { p: I64([2, 1, 3, 2]), ax: I64([-1, 2]) }, 18) },
  { name: 'Pad axes input (opset 18), constant value', x: [2, 3, 5], spec: one('Pad', {}, ['p', 'v', 'ax'], { p: I64([1, 2]), v: S(-0.5), ax: I64([1]) }, 18) },
  { name: 'Pad edge (opset 11 attributes → inputs)', x: [1, 2, 3, 3], spec: one('Pad', { mode: 'edge' }, ['p'], { p: I64([0, 0, 1, 2, 0, 0, 2, 1]) }, 11) },
  { name: 'Pad reflect (opset 2 attribute form)', x: [1, 3, 4, 4], spec: one('Pad', { mode: 'reflect', pads: [0, 0, 1, 3, 0, 0, 3, 1] }, [], {}, 9) },
  { name: 'Pad constant_value computed from the input (ReduceMean to a scalar)', x: [1, 3, 4, 5], spec: { opset: 13, nodes: [
    { op: 'ReduceMean', inputs: ['x'], outputs: ['m'], attrs: { keepdims: 0 } },
    { op: 'Pad', inputs: ['x', 'p', 'm'], outputs: ['y'] },
  ], initializers: { p: I64([0, 1, 2, 0, 0, 0, 1, 3]) } } },
  { name: 'Pad constant_value from a second graph input', x: [2, 3, 5], inputs: { v: [] }, spec: { opset: 13, nodes: [
    { op: 'Pad', inputs: ['x', 'p', 'v'], outputs: ['y'] },
  ], initializers: { p: I64([0, 2, 1, 1, 0, 2]) } } },
  { name: 'Pad reflect between convolutions (not folded)', x: [1, 3, 7, 6], spec: between(3, 5, 'Pad', { mode: 'reflect' }, ['p'], { p: I64([0, 0, 2, 1, 0, 0, 1, 2]) }, 6, 5) },
  { name: 'Pad edge then Conv (not folded into the conv)', x: [1, 5, 6, 6], spec: { opset: 13, nodes: [
    { op: 'Pad', inputs: ['x', 'p'], outputs: ['xp'], attrs: { mode: 'edge' } },
    { op: 'Conv', inputs: ['xp', 'w'], outputs: ['y'], attrs: { kernel_shape: [3, 3] } },
  ], initializers: { p: I64([0, 0, 1, 1, 0, 0, 1, 1]), w: W([4, 5, 3, 3]) } } },
  { name: 'Pad constant non-zero then Conv (not folded)', x: [1, 3, 5, 5], spec: { opset: 13, nodes: [
    { op: 'Pad', inputs: ['x', 'p', 'v'], outputs: ['xp'] },
    { op: 'Conv', inputs: ['xp', 'w'], outputs: ['y'], attrs: { kernel_shape: [3, 3] } },
  ], initializers: { p: I64([0, 0, 1, 1, 0, 0, 1, 1]), v: S(0.75), w: W([5, 3, 3, 3]) } } },
  { name: 'Pad of an empty tensor (constant)', x: [1, 3, 4, 4], spec: { opset: 13, nodes: [
    { op: 'Slice', inputs: ['x', 'st', 'en', 'ax'], outputs: ['e'] },
    { op: 'Pad', inputs: ['e', 'p', 'v'], outputs: ['y'] },
  ], initializers: { st: I64([2]), en: I64([2]), ax: I64([1]), p: I64([0, 1, 0, 1, 0, 1, 1, 0]), v: S(2) } } },

  // ---- Expand, Tile ----
  { name: 'Expand bidirectional 4-D', x: [1, 3, 1, 5], spec: one('Expand', {}, ['s'], { s: I64([2, 1, 4, 5]) }) },
  { name: 'Expand to a higher rank', x: [3, 1], spec: one('Expand', {}, ['s'], { s: I64([2, 1, 6]) }) },
  { name: 'Expand a 3-D input to 4-D NHWC', x: [5, 1, 3], spec: one('Expand', {}, ['s'], { s: I64([2, 5, 4, 3]) }) },
  { name: 'Expand a pooled map back over the pixels, times the conv (between convolutions)', x: [1, 3, 5, 6], spec: { opset: 13, nodes: [
    { op: 'Conv', inputs: ['x', 'w1'], outputs: ['a'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    { op: 'GlobalMaxPool', inputs: ['a'], outputs: ['g'] },
    { op: 'Expand', inputs: ['g', 's'], outputs: ['e'] },
    { op: 'Mul', inputs: ['a', 'e'], outputs: ['m'] },
    { op: 'Conv', inputs: ['m', 'w2'], outputs: ['y'], attrs: { kernel_shape: [1, 1] } },
  ], initializers: { w1: W([7, 3, 3, 3]), s: I64([1, 7, 5, 6]), w2: W([2, 7, 1, 1]) } } },
  { name: 'Tile 4-D', x: [1, 3, 2, 5], spec: one('Tile', {}, ['rp'], { rp: I64([2, 1, 3, 2]) }) },
  { name: 'Tile 3-D channels', x: [2, 3, 5], spec: one('Tile', {}, ['rp'], { rp: I64([1, 3, 1]) }) },
  { name: 'Tile 1-D', x: [7], spec: one('Tile', {}, ['rp'], { rp: I64([3]) }) },
  { name: 'Tile between convolutions', x: [1, 3, 4, 3], spec: between(3, 5, 'Tile', {}, ['rp'], { rp: I64([1, 2, 2, 1]) }, 3, 10) },
  { name: 'Tile with a zero repeat (empty output)', x: [1, 3, 2, 2], spec: one('Tile', {}, ['rp'], { rp: I64([1, 0, 1, 1]) }) },

  // ---- DepthToSpace, SpaceToDepth ----
  { name: 'DepthToSpace DCR blocksize 2', x: [1, 12, 3, 5], spec: one('DepthToSpace', { blocksize: 2, mode: 'DCR' }) },
  { name: 'DepthToSpace CRD blocksize 3, batch 2', x: [2, 18, 2, 3], spec: one('DepthToSpace', { blocksize: 3, mode: 'CRD' }) },
  { name: 'DepthToSpace default mode (opset 7)', x: [1, 8, 3, 2], spec: one('DepthToSpace', { blocksize: 2 }, [], {}, 7) },
  { name: 'SpaceToDepth blocksize 2', x: [1, 3, 6, 4], spec: one('SpaceToDepth', { blocksize: 2 }) },
  { name: 'SpaceToDepth blocksize 3, batch 2', x: [2, 5, 3, 6], spec: one('SpaceToDepth', { blocksize: 3 }) },
  { name: 'Pixel shuffle: Conv, DepthToSpace CRD, Conv', x: [1, 3, 5, 4], spec: between(3, 12, 'DepthToSpace', { blocksize: 2, mode: 'CRD' }, [], {}, 5, 3) },
  { name: 'Conv, SpaceToDepth, Conv', x: [1, 3, 6, 6], spec: between(3, 5, 'SpaceToDepth', { blocksize: 3 }, [], {}, 4, 45) },

  // ---- Gather on activations with constant indices ----
  { name: 'Gather channels with repeats', x: [1, 5, 3, 4], spec: one('Gather', { axis: 1 }, ['i'], { i: I64([4, 0, 2, 2, 3]) }) },
  { name: 'Gather scalar index drops the axis', x: [2, 3, 5, 4], spec: one('Gather', { axis: 2 }, ['i'], { i: { dims: [], data: [-2], dtype: 'int64' } }) },
  { name: 'Gather negative indices on the last axis, 3-D', x: [2, 3, 7], spec: one('Gather', { axis: -1 }, ['i'], { i: I64([-1, 0, -3, 2, 4, 6]) }) },
  { name: 'Gather 2-D indices on axis 0', x: [5, 7], spec: one('Gather', { axis: 0 }, ['i'], { i: I64([0, 1, 4, 2, 0, 3], [2, 3]) }) },
  { name: 'Gather reversal and stride runs on W', x: [1, 2, 3, 9], spec: one('Gather', { axis: 3 }, ['i'], { i: I64([8, 7, 6, 5, 0, 2, 4, 6, 1]) }) },
  { name: 'Gather 2-D indices on H of a 4-D tensor (5-D output)', x: [1, 3, 5, 2], spec: one('Gather', { axis: 2 }, ['i'], { i: I64([4, 3, 1, 0, 2, 2], [3, 2]) }) },
  { name: 'Gather channels between convolutions', x: [1, 3, 5, 5], spec: between(3, 7, 'Gather', { axis: 1 }, ['i'], { i: I64([6, 1, 1, 3, 0]) }, 4, 5) },
  { name: 'Gather of a constant with a constant index feeding Add', x: [1, 5], spec: { opset: 13, nodes: [
    { op: 'Gather', inputs: ['c', 'i'], outputs: ['g'], attrs: { axis: 0 } },
    { op: 'Add', inputs: ['x', 'g'], outputs: ['y'] },
  ], initializers: { c: W([3, 5]), i: I64([2], [1]) } } },

  // ---- GatherElements ----
  { name: 'GatherElements channels, 4-D', x: [1, 5, 3, 4], spec: one('GatherElements', { axis: 1 }, ['i'], { i: I64(Array.from({ length: 36 }, (_, k) => ((k * 7) % 10) - 5), [1, 3, 3, 4]) }) },
  { name: 'GatherElements axis 0, smaller indices, 2-D', x: [4, 5], spec: one('GatherElements', { axis: 0 }, ['i'], { i: I64([3, 0, 1, -1, 2, 2, 1, 0], [2, 4]) }) },
  { name: 'GatherElements last axis, 3-D', x: [2, 3, 6], spec: one('GatherElements', { axis: -1 }, ['i'], { i: I64(Array.from({ length: 18 }, (_, k) => (k * 5) % 6), [2, 3, 3]) }) },
  { name: 'GatherElements between convolutions', x: [1, 3, 4, 4], spec: between(3, 5, 'GatherElements', { axis: 2 }, ['i'], { i: I64(Array.from({ length: 60 }, (_, k) => (k * 3) % 4), [1, 5, 3, 4]) }, 3, 5) },

  // ---- Where (constant condition) and the comparisons that fold into it ----
  { name: 'Where per-channel constant condition, constant scalar other', x: [1, 5, 3, 4], spec: { opset: 13, nodes: [
    { op: 'Where', inputs: ['c', 'x', 'z'], outputs: ['y'] },
  ], initializers: { c: B([1, 0, 1, 1, 0], [5, 1, 1]), z: S(-7) } } },
  { name: 'Where of two activations, condition from folded comparisons', x: [2, 3, 5], spec: { opset: 13, nodes: [
    { op: 'Greater', inputs: ['p', 'q'], outputs: ['g'] },
    { op: 'LessOrEqual', inputs: ['p', 'h'], outputs: ['l'] },
    { op: 'And', inputs: ['g', 'l'], outputs: ['gl'] },
    { op: 'Not', inputs: ['gl'], outputs: ['c'] },
    { op: 'Relu', inputs: ['x'], outputs: ['rx'] },
    { op: 'Where', inputs: ['c', 'x', 'rx'], outputs: ['y'] },
  ], initializers: { p: W([3, 5]), q: S(-0.1), h: S(0.3) } } },
  { name: 'Where with a constant first operand, condition from Equal/Or/Less/GreaterOrEqual', x: [1, 4, 3, 3], spec: { opset: 13, nodes: [
    { op: 'Equal', inputs: ['k', 'one'], outputs: ['e'] },
    { op: 'Less', inputs: ['k', 'zero'], outputs: ['n'] },
    { op: 'GreaterOrEqual', inputs: ['k', 'three'], outputs: ['t'] },
    { op: 'Or', inputs: ['e', 'n'], outputs: ['en'] },
    { op: 'Or', inputs: ['en', 't'], outputs: ['c'] },
    { op: 'Where', inputs: ['c', 'v', 'x'], outputs: ['y'] },
  ], initializers: { k: I64([1, -1, 2, 3, 0, 1, 5, 2, 1], [3, 3]), one: I64([1]), zero: I64([0]), three: I64([3]), v: W([4, 1, 1]) } } },
  { name: 'Where between convolutions (mask on pixels)', x: [1, 3, 4, 5], spec: {
    opset: 13,
    nodes: [
      { op: 'Conv', inputs: ['x', 'w1'], outputs: ['a'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
      { op: 'Where', inputs: ['c', 'a', 'z'], outputs: ['b'] },
      { op: 'Conv', inputs: ['b', 'w2'], outputs: ['y'], attrs: { kernel_shape: [1, 1] } },
    ],
    initializers: { c: B(Array.from({ length: 20 }, (_, k) => (k % 3 ? 1 : 0)), [4, 5]), z: S(0.5), w1: W([6, 3, 3, 3]), w2: W([5, 6, 1, 1]) } } },
  { name: 'Where with a condition computed from activations (refused: no bool tensors at run time)', x: [1, 3, 2, 2], spec: { opset: 13, nodes: [
    { op: 'Greater', inputs: ['x', 'z'], outputs: ['c'] },
    { op: 'Where', inputs: ['c', 'x', 'z'], outputs: ['y'] },
  ], initializers: { z: S(0) } },
    unsupported: { wasm: BOOL, reference: BOOL, webgpu: BOOL } },

  // ---- zero-size values ----
  { name: 'Slice to an empty range as a graph output', x: [1, 3, 4, 4], outputs: ['y', 'z'], spec: { opset: 13, nodes: [
    { op: 'Slice', inputs: ['x', 'st', 'en', 'ax'], outputs: ['y'] },
    { op: 'Relu', inputs: ['x'], outputs: ['z'] },
  ], initializers: { st: I64([3]), en: I64([1]), ax: I64([2]) } } },
  { name: 'Split with a zero size', x: [1, 5, 2, 3], outputs: ['y', 'z', 'u'], spec: { opset: 13, nodes: [
    { op: 'Split', inputs: ['x', 'sp'], outputs: ['y', 'z', 'u'], attrs: { axis: 1 } },
  ], initializers: { sp: I64([2, 0, 3]) } } },
  { name: 'Concat of an empty tensor along another axis, then Conv', x: [1, 3, 4, 4], spec: { opset: 13, nodes: [
    { op: 'Slice', inputs: ['x', 'st', 'en', 'ax'], outputs: ['e'] },
    { op: 'Concat', inputs: ['e', 'x'], outputs: ['c'], attrs: { axis: 2 } },
    { op: 'Conv', inputs: ['c', 'w'], outputs: ['y'], attrs: { kernel_shape: [3, 3] } },
  ], initializers: { st: I64([0]), en: I64([0]), ax: I64([2]), w: W([2, 3, 3, 3]) } } },

  // ---- reshapes between 4-D shapes whose NHWC bytes differ ----
  { name: 'Reshape 4-D to 4-D moving channels into pixels', x: [2, 3, 4, 5], spec: one('Reshape', {}, ['s'], { s: I64([2, 5, 3, 4]) }) },
  { name: 'Squeeze/Unsqueeze 4-D → 4-D', x: [1, 3, 1, 5], spec: { opset: 13, nodes: [
    { op: 'Squeeze', inputs: ['x', 'a2'], outputs: ['s'] },
    { op: 'Unsqueeze', inputs: ['s', 'a1'], outputs: ['y'] },
  ], initializers: { a2: I64([2]), a1: I64([1]) } } },
  { name: 'Reshape between convolutions (channels into pixels)', x: [1, 3, 4, 4], spec: between(3, 6, 'Reshape', {}, ['s'], { s: I64([1, 3, 8, 4]) }, 5, 3) },
  { name: 'Flatten of a conv output to a 4-D-sized 2-D then back to 4-D', x: [1, 3, 3, 5], spec: { opset: 13, nodes: [
    { op: 'Conv', inputs: ['x', 'w1'], outputs: ['a'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    { op: 'Flatten', inputs: ['a'], outputs: ['f'], attrs: { axis: 2 } },
    { op: 'Reshape', inputs: ['f', 's'], outputs: ['y'] },
  ], initializers: { w1: W([5, 3, 3, 3]), s: I64([1, 3, 5, 5]) } } },
];
