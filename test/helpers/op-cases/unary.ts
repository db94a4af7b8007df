// Op cases of the element-wise operators (issue 12): activations, unary math, PRelu, Pow and the
// variadic Min/Max/Sum/Mean, every attribute, odd sizes, broadcasting, the approximations' edges, and
// fusions into a producing Conv/Gemm/Add (including the exported GELU and SiLU forms the passes
// recognize). Inputs are seeded uniform in [-2, 2] (caseInputs); edges are reached inside the graph:
// Mul by a constant stretches the range (its output kept as a second graph output where the
// standalone kernel must see the large values, since a single-use Mul would take the activation as
// its epilogue), Relu makes exact zeros (Log → -Inf, Reciprocal → +Inf), negative inputs give NaN
// (Log, Sqrt, Pow with a fractional exponent). compareOutputs passes equal values (±Infinity) and NaN
// only against NaN, so each of those must match onnxruntime exactly.
import type { OpCase } from '../op-cases.js';
import type { TensorSpec } from '../onnx-builder.js';
import { rng } from '../rng.js';

const r = rng(1212);
const W = (dims: number[], scale = 0.5): TensorSpec => ({ dims, data: r.floats(dims.reduce((a, b) => a * b, 1), scale) });
const S = (v: number): TensorSpec => ({ dims: [], data: [v] });
const I64 = (data: number[]): TensorSpec => ({ dims: [data.length], data, dtype: 'int64' });

const one = (op: string, attrs: Record<string, unknown> = {}, extra: string[] = [], init: Record<string, TensorSpec> = {}, opset = 13) =>
  ({ opset, nodes: [{ op, inputs: ['x', ...extra], outputs: ['y'], attrs }], initializers: init });

/** x·k → m → op → y; with `keep`, m is a second graph output, so op runs as its own kernel on the stretched values. */
const stretched = (op: string, attrs: Record<string, unknown>, k: number, keep: boolean, opset = 13) => ({
  outputs: keep ? ['y', 'm'] : ['y'],
  spec: { opset, nodes: [
    { op: 'Mul', inputs: ['x', 'k'], outputs: ['m'] },
    { op, inputs: ['m'], outputs: ['y'], attrs },
  ], initializers: { k: S(k) } },
});

/** Conv 3x3 (pad 1, bias) → op: fused into the convolution's epilogue on wasm and WebGPU. */
const afterConv = (op: string, attrs: Record<string, unknown>, cin: number, cout: number, opset = 13, wScale = 1) => ({
  opset, nodes: [
    { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    { op, inputs: ['c'], outputs: ['y'], attrs },
  ], initializers: { w: W([cout, cin, 3, 3], wScale), b: W([cout]) },
});

/** PyTorch's exported exact GELU (before opset 20): Div(x, √2) → Erf → Add(1) → Mul(x, ·) → Mul(0.5). */
const geluNodes = (x: string, y: string, p = '') => [
  { op: 'Div', inputs: [x, `${p}sqrt2`], outputs: [`${p}d`] },
  { op: 'Erf', inputs: [`${p}d`], outputs: [`${p}e`] },
  { op: 'Add', inputs: [`${p}e`, `${p}one`], outputs: [`${p}a`] },
  { op: 'Mul', inputs: [x, `${p}a`], outputs: [`${p}m`] },
  { op: 'Mul', inputs: [`${p}m`, `${p}half`], outputs: [y] },
];
const geluConsts = (p = ''): Record<string, TensorSpec> => ({ [`${p}sqrt2`]: S(Math.SQRT2), [`${p}one`]: S(1), [`${p}half`]: S(0.5) });

export const UNARY_CASES: OpCase[] = [
  // ---- activations, every attribute ----
  { name: 'Elu default alpha', x: [1, 5, 4, 3], spec: one('Elu') },
  { name: 'Elu alpha 0.3, 2-D', x: [3, 7], spec: one('Elu', { alpha: 0.3 }) },
  { name: 'Selu defaults', x: [1, 3, 5, 5], spec: one('Selu') },
  { name: 'Selu alpha 2 gamma 0.5, 3-D', x: [2, 3, 5], spec: one('Selu', { alpha: 2, gamma: 0.5 }) },
  { name: 'Celu default alpha (opset 12)', x: [1, 5, 3, 3], spec: one('Celu', {}, [], {}, 12) },
  { name: 'Celu alpha 0.7', x: [2, 3, 7], spec: one('Celu', { alpha: 0.7 }) },
  { name: 'ThresholdedRelu default alpha (opset 10)', x: [1, 5, 4, 3], spec: one('ThresholdedRelu', {}, [], {}, 10) },
  { name: 'ThresholdedRelu alpha -0.5', x: [3, 11], spec: one('ThresholdedRelu', { alpha: -0.5 }) },
  { name: 'Gelu exact (opset 20)', x: [1, 7, 3, 5], spec: one('Gelu', {}, [], {}, 20) },
  { name: "Gelu approximate 'tanh' (opset 20)", x: [3, 13], spec: one('Gelu', { approximate: 'tanh' }, [], {}, 20) },
  { name: 'Erf (opset 9)', x: [2, 3, 5], spec: one('Erf', {}, [], {}, 9) },
  { name: 'Softplus', x: [1, 5, 4, 3], spec: one('Softplus') },
  { name: 'Softsign', x: [3, 7], spec: one('Softsign') },
  { name: 'Mish (opset 18)', x: [1, 6, 3, 5], spec: one('Mish', {}, [], {}, 18) },
  // ---- PRelu: slope per channel, full, scalar, last axis, computed ----
  { name: 'PRelu slope per channel [C,1,1]', x: [1, 5, 4, 3], spec: one('PRelu', {}, ['s'], { s: W([5, 1, 1]) }) },
  { name: 'PRelu full slope', x: [1, 3, 4, 5], spec: one('PRelu', {}, ['s'], { s: W([1, 3, 4, 5]) }) },
  { name: 'PRelu scalar slope (opset 7)', x: [2, 3, 3, 3], spec: one('PRelu', {}, ['s'], { s: W([1]) }, 7) },
  { name: 'PRelu 2-D, slope on the last axis', x: [4, 9], spec: one('PRelu', {}, ['s'], { s: W([9]) }) },
  { name: 'PRelu slope computed at run time', x: [1, 5, 3, 3], inputs: { z: [5, 1, 1] }, spec: { opset: 13, nodes: [{ op: 'PRelu', inputs: ['x', 'z'], outputs: ['y'] }] } },
  // ---- unary math ----
  { name: 'Exp', x: [1, 5, 4, 3], spec: one('Exp') },
  { name: 'Log of negatives (NaN)', x: [2, 3, 5], spec: one('Log') },
  { name: 'Log of Relu (zeros: -Infinity)', x: [1, 5, 3, 3], spec: { opset: 13, nodes: [
    { op: 'Relu', inputs: ['x'], outputs: ['p'] },
    { op: 'Log', inputs: ['p'], outputs: ['y'] },
  ] } },
  { name: 'Sqrt of negatives (NaN)', x: [1, 3, 5, 5], spec: one('Sqrt') },
  { name: 'Abs', x: [3, 7], spec: one('Abs') },
  { name: 'Neg', x: [1, 5, 3, 3], spec: one('Neg') },
  { name: 'Reciprocal', x: [2, 3, 5], spec: one('Reciprocal') },
  { name: 'Reciprocal of Relu (zeros: +Infinity)', x: [1, 3, 3, 5], spec: { opset: 13, nodes: [
    { op: 'Relu', inputs: ['x'], outputs: ['p'] },
    { op: 'Reciprocal', inputs: ['p'], outputs: ['y'] },
  ] } },
  { name: 'Floor', x: [1, 5, 4, 3], spec: one('Floor') },
  { name: 'Ceil', x: [3, 11], spec: one('Ceil') },
  { name: 'Round half to even (Floor(4x)/2, fused)', x: [1, 5, 3, 5], spec: { opset: 13, nodes: [
    { op: 'Mul', inputs: ['x', 'four'], outputs: ['a'] },
    { op: 'Floor', inputs: ['a'], outputs: ['f'] },
    { op: 'Mul', inputs: ['f', 'half'], outputs: ['h'] },
    { op: 'Round', inputs: ['h'], outputs: ['y'] },
  ], initializers: { four: S(4), half: S(0.5) } } },
  { name: 'Round standalone (opset 11)', x: [2, 3, 5], spec: one('Round', {}, [], {}, 11) },
  { name: 'Sign with zeros (of Round, opset 13)', x: [1, 5, 3, 3], outputs: ['y', 'q'], spec: { opset: 13, nodes: [
    { op: 'Round', inputs: ['x'], outputs: ['q'] },
    { op: 'Sign', inputs: ['q'], outputs: ['y'] },
  ] } },
  // ---- the approximations' edges: |x| up to 200 (overflow guards), standalone and fused ----
  ...(['Softplus', 'Mish', 'Elu', 'Selu', 'Gelu', 'Erf', 'Tanh', 'Sigmoid', 'Exp', 'Softsign'] as const).flatMap((op): OpCase[] => {
    const opset = op === 'Mish' ? 18 : op === 'Gelu' ? 20 : 13;
    return [
      { name: `${op} of |x| up to 100 (standalone)`, x: [1, 5, 3, 7], ...stretched(op, {}, 50, true, opset) },
      { name: `${op} of |x| up to 100 (fused into Mul)`, x: [2, 3, 13], ...stretched(op, {}, 50, false, opset) },
    ];
  }),
  { name: 'Celu alpha 0.5 of |x| up to 100 (standalone)', x: [1, 5, 3, 7], ...stretched('Celu', { alpha: 0.5 }, 50, true) },
  { name: "Gelu 'tanh' of |x| up to 100 (standalone)", x: [1, 5, 3, 7], ...stretched('Gelu', { approximate: 'tanh' }, 50, true, 20) },
  { name: 'Log of 1e-30 to 2e30 (standalone)', x: [1, 5, 3, 7], outputs: ['y', 'm'], spec: { opset: 13, nodes: [
    { op: 'Mul', inputs: ['x', 'k'], outputs: ['t'] },
    { op: 'Exp', inputs: ['t'], outputs: ['m'] },
    { op: 'Log', inputs: ['m'], outputs: ['y'] },
  ], initializers: { k: S(35) } } },
  // ---- Pow: constant exponents (2 and 0.5 are special cases), integer exponent, computed exponent, constant base ----
  { name: 'Pow by a constant 2', x: [1, 5, 4, 3], spec: one('Pow', {}, ['e'], { e: S(2) }) },
  { name: 'Pow by a constant 0.5 (NaN below 0)', x: [2, 3, 5], spec: one('Pow', {}, ['e'], { e: S(0.5) }) },
  { name: 'Pow by a constant 3 (odd: keeps the sign)', x: [1, 3, 3, 5], spec: one('Pow', {}, ['e'], { e: S(3) }) },
  { name: 'Pow by an int64 exponent -2 (opset 13)', x: [3, 7], spec: one('Pow', {}, ['e'], { e: { dims: [], data: [-2], dtype: 'int64' } }) },
  { name: 'Pow by a constant 1.5 (NaN below 0, opset 7)', x: [1, 5, 3, 3], spec: one('Pow', {}, ['e'], { e: S(1.5) }, 7) },
  { name: 'Pow per-channel exponents', x: [1, 4, 3, 5], spec: one('Pow', {}, ['e'], { e: { dims: [4, 1, 1], data: [2, 3, -1, 0] } }) },
  { name: 'Pow of a constant base by x', x: [1, 3, 4, 3], spec: { opset: 13, nodes: [{ op: 'Pow', inputs: ['c', 'x'], outputs: ['y'] }], initializers: { c: { dims: [3, 1, 1], data: [2, 0.5, 3] } } } },
  { name: 'Pow of two activations, broadcast exponent + Relu (fused)', x: [1, 5, 3, 3], inputs: { z: [1, 5, 1, 1] }, spec: { opset: 13, nodes: [
    { op: 'Pow', inputs: ['x', 'z'], outputs: ['p'] },
    { op: 'Relu', inputs: ['p'], outputs: ['y'] },
  ] } },
  // ---- variadic Min/Max/Sum/Mean: 1..N inputs, broadcasting, constants ----
  { name: 'Sum of one input', x: [1, 5, 3, 3], spec: { opset: 13, nodes: [{ op: 'Sum', inputs: ['x'], outputs: ['y'] }] } },
  { name: 'Sum of three with broadcasting', x: [1, 5, 3, 4], inputs: { z: [5, 1, 1], u: [4] }, spec: { opset: 13, nodes: [{ op: 'Sum', inputs: ['x', 'z', 'u'], outputs: ['y'] }] } },
  { name: 'Mean of two (opset 8)', x: [2, 3, 5], inputs: { z: [2, 3, 5] }, spec: { opset: 8, nodes: [{ op: 'Mean', inputs: ['x', 'z'], outputs: ['y'] }] } },
  { name: 'Mean of four with a constant', x: [1, 3, 3, 5], inputs: { z: [1, 1, 3, 5], u: [1, 3, 1, 1] }, spec: { opset: 13, nodes: [
    { op: 'Mean', inputs: ['x', 'z', 'c', 'u'], outputs: ['y'] },
  ], initializers: { c: W([3, 1, 1]) } } },
  { name: 'Min of two activations', x: [1, 5, 3, 3], inputs: { z: [1, 5, 3, 3] }, spec: { opset: 13, nodes: [{ op: 'Min', inputs: ['x', 'z'], outputs: ['y'] }] } },
  { name: 'Max with a per-channel constant (ReLU-like floor)', x: [1, 7, 3, 3], spec: one('Max', {}, ['c'], { c: W([7, 1, 1]) }) },
  { name: 'Min of three with broadcasting (opset 12)', x: [2, 3, 4], inputs: { z: [3, 1], u: [1, 4] }, spec: { opset: 12, nodes: [{ op: 'Min', inputs: ['x', 'z', 'u'], outputs: ['y'] }] } },
  { name: 'Max of one input', x: [3, 5], spec: { opset: 13, nodes: [{ op: 'Max', inputs: ['x'], outputs: ['y'] }] } },
  { name: 'Max of a constant and an activation + Elu (fused)', x: [1, 5, 4, 3], spec: { opset: 13, nodes: [
    { op: 'Max', inputs: ['c', 'x'], outputs: ['m'] },
    { op: 'Elu', inputs: ['m'], outputs: ['y'] },
  ], initializers: { c: S(-0.5) } } },
  // ---- fused into a producer ----
  { name: 'Conv + Elu (fused)', x: [1, 5, 6, 7], spec: afterConv('Elu', { alpha: 0.8 }, 5, 6) },
  { name: 'Conv + Selu (fused)', x: [1, 3, 5, 5], spec: afterConv('Selu', {}, 3, 7) },
  { name: 'Conv + Celu (fused)', x: [1, 4, 5, 6], spec: afterConv('Celu', { alpha: 0.6 }, 4, 5) },
  { name: 'Conv + ThresholdedRelu (fused)', x: [1, 3, 5, 5], spec: afterConv('ThresholdedRelu', { alpha: 0.2 }, 3, 5, 10) },
  { name: 'Conv + Gelu (fused, opset 20)', x: [1, 5, 5, 5], spec: afterConv('Gelu', {}, 5, 9, 20) },
  { name: "Conv + Gelu 'tanh' (fused, opset 20)", x: [1, 3, 6, 5], spec: afterConv('Gelu', { approximate: 'tanh' }, 3, 6, 20) },
  { name: 'Conv + Softplus (fused)', x: [1, 3, 5, 7], spec: afterConv('Softplus', {}, 3, 5, 13, 2) },
  { name: 'Conv + Mish (fused)', x: [1, 6, 5, 5], spec: afterConv('Mish', {}, 6, 7, 18) },
  { name: 'Conv + Softsign (fused)', x: [1, 3, 4, 5], spec: afterConv('Softsign', {}, 3, 5) },
  { name: 'Conv + Exp (fused)', x: [1, 3, 4, 5], spec: afterConv('Exp', {}, 3, 5) },
  { name: 'Conv + Abs (fused)', x: [1, 3, 4, 5], spec: afterConv('Abs', {}, 3, 6) },
  { name: 'Gemm + Erf (fused)', x: [3, 11], spec: { opset: 13, nodes: [
    { op: 'Gemm', inputs: ['x', 'w', 'b'], outputs: ['g'], attrs: { transB: 1 } },
    { op: 'Erf', inputs: ['g'], outputs: ['y'] },
  ], initializers: { w: W([9, 11]), b: W([9]) } } },
  { name: 'Conv + residual Add + Elu (fused)', x: [1, 5, 5, 5], spec: { opset: 13, nodes: [
    { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    { op: 'Add', inputs: ['c', 'x'], outputs: ['a'] },
    { op: 'Elu', inputs: ['a'], outputs: ['y'] },
  ], initializers: { w: W([5, 5, 3, 3]) } } },
  { name: 'PRelu with one slope value after a Conv (LeakyRelu, fused)', x: [1, 3, 5, 4], spec: { opset: 13, nodes: [
    { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    { op: 'PRelu', inputs: ['c', 's'], outputs: ['y'] },
  ], initializers: { w: W([5, 3, 3, 3]), s: { dims: [5, 1, 1], data: [0.3, 0.3, 0.3, 0.3, 0.3] } } } },
  { name: 'PRelu per channel after a Conv', x: [1, 4, 5, 5], spec: { opset: 13, nodes: [
    { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    { op: 'PRelu', inputs: ['c', 's'], outputs: ['y'] },
  ], initializers: { w: W([6, 4, 3, 3]), s: W([6, 1, 1]) } } },
  // ---- the exported forms the passes recognize ----
  { name: 'Exported GELU (Div, Erf, Add, Mul, Mul) after a Gemm', x: [3, 10], spec: { opset: 13, nodes: [
    { op: 'Gemm', inputs: ['x', 'w', 'b'], outputs: ['g'], attrs: { transB: 1 } },
    ...geluNodes('g', 'y'),
  ], initializers: { w: W([7, 10], 1), b: W([7]), ...geluConsts() } } },
  { name: 'Exported GELU, HF order (x·0.5 first, Mul by 1/√2) on a graph input', x: [1, 5, 3, 3], spec: { opset: 13, nodes: [
    { op: 'Mul', inputs: ['x', 'half'], outputs: ['h'] },
    { op: 'Mul', inputs: ['x', 'isq'], outputs: ['d'] },
    { op: 'Erf', inputs: ['d'], outputs: ['e'] },
    { op: 'Add', inputs: ['one', 'e'], outputs: ['a'] },
    { op: 'Mul', inputs: ['h', 'a'], outputs: ['y'] },
  ], initializers: { half: S(0.5), isq: S(Math.SQRT1_2), one: S(1) } } },
  { name: 'Exported GELU whose Erf is also an output (not fused)', x: [2, 7], outputs: ['y', 'e'], spec: { opset: 13, nodes: geluNodes('x', 'y'), initializers: geluConsts() } },
  { name: 'SiLU x·Sigmoid(x) after a Gemm (fused), Sigmoid second operand first', x: [2, 9], spec: { opset: 13, nodes: [
    { op: 'Gemm', inputs: ['x', 'w'], outputs: ['g'], attrs: { transB: 1 } },
    { op: 'Sigmoid', inputs: ['g'], outputs: ['s'] },
    { op: 'Mul', inputs: ['s', 'g'], outputs: ['y'] },
  ], initializers: { w: W([6, 9], 1) } } },
  { name: 'SiLU after a depthwise Conv with its Conv output also read elsewhere (not fused)', x: [1, 5, 4, 4], outputs: ['y', 'c'], spec: { opset: 13, nodes: [
    { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: 5 } },
    { op: 'Sigmoid', inputs: ['c'], outputs: ['s'] },
    { op: 'Mul', inputs: ['c', 's'], outputs: ['y'] },
  ], initializers: { w: W([5, 1, 3, 3], 1) } } },
  { name: 'Slice then Sqrt of Abs (int64 Slice params stay folded)', x: [1, 6, 3, 3], spec: { opset: 13, nodes: [
    { op: 'Slice', inputs: ['x', 'st', 'en', 'ax'], outputs: ['s'] },
    { op: 'Abs', inputs: ['s'], outputs: ['a'] },
    { op: 'Sqrt', inputs: ['a'], outputs: ['y'] },
  ], initializers: { st: I64([1]), en: I64([5]), ax: I64([1]) } } },
];
