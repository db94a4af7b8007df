// The operator table: per ONNX operator, in one place, what the loader accepts (opsets, input and
// output counts), how its attributes are normalized, whether it folds as a constant, and the shape
// rule of the operators that stay in a planned graph. The loader, constant folding, the layer builder
// and the README's operator list all read this table; backends say which planned operators they run
// (Backend.supports), and a test checks that every operator a backend lowers has an entry here.
import { LayerError } from '../errors.js';
import type { Dims, Node } from './ir.js';
import * as shape from './shapes.js';
import type { ShapeRule } from './shapes.js';
import * as norm from './onnx/attrs.js';
import type { Normalizer } from './onnx/attrs.js';

/** Opsets of the default ONNX domain the loader reads. */
export const MIN_OPSET = 7;
export const MAX_OPSET = 21;

export interface OpSpec {
  /** First opset (of the default domain) that defines the operator, and the last one the loader takes it in. */
  since: number;
  until?: number;
  /** Required (non-empty) leading inputs, at a model's opset. */
  minInputs: number | ((opset: number) => number);
  maxInputs: number;
  maxOutputs: number;
  /** ONNX attributes → the IR's normalized attributes. */
  normalize?: Normalizer;
  /** Evaluated at load when every input is a constant (shape arithmetic, folded weights). */
  folds?: boolean;
  /** Only on constant data: an error when it would have to run on activations (a string: why, for the message). */
  constantOnly?: boolean | string;
  /** The shape rule of an operator that stays in a planned graph (backends lower it); absent for
   * operators the loader or folding removes or rewrites (Constant, Identity, MatMul → Gemm, ...). */
  shape?: ShapeRule;
  /** Not an ONNX operator: made only by the layer builder (the loader refuses it like any unknown operator). */
  builderOnly?: boolean;
  /** The README's operator list: the group it appears in, and what is supported. */
  group: 'Convolution and pooling' | 'Dense' | 'Activations' | 'Element-wise and normalization' | 'Tensor' | 'Removed or folded at load';
  doc: string;
}

const ANY = Infinity;
const act = (doc: string, extra: Partial<OpSpec> = {}): OpSpec =>
  ({ since: 1, minInputs: 1, maxInputs: 1, maxOutputs: 1, folds: true, shape: shape.sameShape, group: 'Activations', doc, ...extra });
const reduce = (doc: string, axesInput: number): OpSpec =>
  ({ since: 1, minInputs: 1, maxInputs: 2, maxOutputs: 1, normalize: norm.normalizeReduce, shape: shape.reduceShape, group: 'Element-wise and normalization',
    doc: `${doc}any axes, keepdims, noop_with_empty_axes; axes input from opset ${axesInput}` });
const softmaxLike = (doc: string): OpSpec =>
  ({ since: 1, minInputs: 1, maxInputs: 1, maxOutputs: 1, normalize: norm.normalizeSoftmax, shape: shape.softmaxShape, group: 'Element-wise and normalization',
    doc: `${doc}any axis; before opset 13 the flattened trailing axes` });
const binary = (doc: string, extra: Partial<OpSpec> = {}): OpSpec =>
  ({ since: 1, minInputs: 2, maxInputs: 2, maxOutputs: 1, folds: true, shape: shape.binaryShape, group: 'Element-wise and normalization', doc, ...extra });
/** Unary math: the activation machinery (epilogue codes, folding), listed with the element-wise operators. */
const math = (doc: string, extra: Partial<OpSpec> = {}): OpSpec => act(doc, { group: 'Element-wise and normalization', ...extra });
/** Variadic with broadcasting (1..N inputs): a chain of binary nodes after folding. */
const variadic = (doc: string, extra: Partial<OpSpec> = {}): OpSpec =>
  ({ since: 1, minInputs: 1, maxInputs: ANY, maxOutputs: 1, folds: true, group: 'Element-wise and normalization', doc, ...extra });

/** Comparisons and logic: bool results, which exist only as constants (a folded Where condition). */
const BOOL_ONLY = 'bool tensors exist only as constants: comparisons and logic are evaluated at load on constant inputs (e.g. a Where condition), not on activations';
const cmp = (op: string, since = 1, inputs = 2): OpSpec =>
  ({ since, minInputs: inputs, maxInputs: inputs, maxOutputs: 1, folds: true, constantOnly: BOOL_ONLY, group: 'Removed or folded at load', doc: 'on constants only, bool results: a Where condition, never on activations' });

export const OPS: Readonly<Record<string, OpSpec>> = {
  Conv: { since: 1, minInputs: 2, maxInputs: 3, maxOutputs: 1, normalize: norm.normalizeConv, shape: shape.convShape, group: 'Convolution and pooling',
    doc: '1-D, 2-D and 3-D (3-D: depth taps unfolded into channels of one 2-D convolution); any kernel size, rectangular, per-axis stride, zero/asymmetric/auto padding, dilation, groups and depthwise; constant weights' },
  ConvTranspose: { since: 1, minInputs: 2, maxInputs: 3, maxOutputs: 1, normalize: norm.normalizeConvTranspose, shape: shape.convTransposeShape, group: 'Convolution and pooling',
    doc: '1-D, 2-D and 3-D (3-D: depth phases of 2-D ones); strides, pads, auto_pad, output_padding, output_shape, dilations, groups; constant weights' },
  MaxPool: { since: 1, minInputs: 1, maxInputs: 1, maxOutputs: 2, normalize: norm.normalizePool, shape: shape.poolShape, group: 'Convolution and pooling',
    doc: '1-D, 2-D and 3-D; ceil mode, dilation; not the Indices output' },
  AveragePool: { since: 1, minInputs: 1, maxInputs: 1, maxOutputs: 1, normalize: norm.normalizePool, shape: shape.poolShape, group: 'Convolution and pooling',
    doc: '1-D, 2-D and 3-D; ceil mode, count_include_pad' },
  LpPool: { since: 1, minInputs: 1, maxInputs: 1, maxOutputs: 1, normalize: norm.normalizePool, shape: shape.poolShape, group: 'Convolution and pooling',
    doc: '1-D, 2-D and 3-D; integer p, ceil mode, dilation' },
  LocallyConnected: { since: 1, minInputs: 2, maxInputs: 3, maxOutputs: 1, shape: shape.locallyConnectedShape, builderOnly: true, group: 'Convolution and pooling',
    doc: 'not an ONNX operator: the layer builder\'s locallyConnected() (unshared weights per output position, stride, padding, dilation)' },
  GlobalAveragePool: { since: 1, minInputs: 1, maxInputs: 1, maxOutputs: 1, shape: shape.globalPoolShape, group: 'Convolution and pooling', doc: '3-D to 5-D' },
  GlobalMaxPool: { since: 1, minInputs: 1, maxInputs: 1, maxOutputs: 1, shape: shape.globalPoolShape, group: 'Convolution and pooling', doc: '3-D to 5-D' },
  GlobalLpPool: { since: 2, minInputs: 1, maxInputs: 1, maxOutputs: 1, normalize: norm.normalizeGlobalLpPool, shape: shape.globalPoolShape, group: 'Convolution and pooling',
    doc: '3-D to 5-D; integer p' },
  Gemm: { since: 1, minInputs: 2, maxInputs: 3, maxOutputs: 1, normalize: norm.normalizeGemm, shape: shape.gemmShape, group: 'Dense',
    doc: 'every attribute (transA, transB, alpha, beta) and C of any broadcastable shape; constant B with a per-column C is the prepacked GEMM, other forms become Transpose, MatMul, Mul and Add' },
  MatMul: { since: 1, minInputs: 2, maxInputs: 2, maxOutputs: 1, shape: shape.matmulShape, group: 'Dense',
    doc: 'N-D with broadcast batch dims, 1-D operands, either operand computed at run time; constant 2-D weights become Gemm' },
  BatchNormalization: { since: 1, minInputs: 5, maxInputs: 5, maxOutputs: 5, normalize: norm.normalizeBatchNormalization, shape: shape.batchNormalizationShape,
    group: 'Element-wise and normalization', doc: 'inference; folded into the convolution or Gemm before it, standalone on 2-D and 4-D otherwise' },
  Relu: act('fused into the producing kernel where possible'),
  Clip: act('min/max as attributes or constant inputs', { maxInputs: 3, normalize: norm.normalizeClip }),
  LeakyRelu: act('alpha', { normalize: norm.normalizeLeakyRelu }),
  Sigmoid: act(''),
  Tanh: act(''),
  HardSigmoid: act('alpha, beta', { normalize: norm.normalizeHardSigmoid }),
  HardSwish: act('', { since: 14 }),
  PRelu: binary('slope per channel or full, constant or computed (unidirectional broadcasting); one constant slope value becomes LeakyRelu', { shape: shape.preluShape, group: 'Activations' }),
  Elu: act('alpha', { normalize: norm.normalizeAlpha1 }),
  Selu: act('alpha, gamma', { normalize: norm.normalizeSelu }),
  Celu: act('alpha', { since: 12, normalize: norm.normalizeAlpha1 }),
  ThresholdedRelu: act('alpha', { since: 10, normalize: norm.normalizeAlpha1 }),
  Gelu: act("approximate 'none' and 'tanh'; the exported Div/Erf/Add/Mul/Mul form is recognized as one Gelu", { since: 20, normalize: norm.normalizeGelu }),
  Softplus: act(''),
  Softsign: act(''),
  Mish: act('', { since: 18 }),
  // x·Sigmoid(x) (SiLU, Swish) has no operator: passes.ts fuses Sigmoid + Mul into a producer's epilogue
  Add: binary('numpy broadcasting; fused as a residual into the convolution before it'),
  Sub: binary('numpy broadcasting'),
  Mul: binary('numpy broadcasting; per-channel constants folded into the convolution before it'),
  Div: binary('numpy broadcasting'),
  Pow: binary('numpy broadcasting; float or integer exponent; x·x for a constant exponent 2, Sqrt for 0.5'),
  Min: variadic('1 to N inputs, numpy broadcasting', { shape: shape.binaryShape }),
  Max: variadic('1 to N inputs, numpy broadcasting', { shape: shape.binaryShape }),
  Sum: variadic('1 to N inputs, numpy broadcasting; becomes a chain of Add'),
  Mean: variadic('1 to N inputs, numpy broadcasting; becomes a chain of Add and a Div'),
  Erf: math('', { since: 9 }),
  Exp: math(''),
  Log: math('NaN below 0, -Inf at 0'),
  Sqrt: math('NaN below 0'),
  Abs: math(''),
  Neg: math(''),
  Reciprocal: math(''),
  Floor: math(''),
  Ceil: math(''),
  Round: math('half to even', { since: 11 }),
  Sign: math('', { since: 9 }),
  Concat: { since: 1, minInputs: 1, maxInputs: ANY, maxOutputs: 1, normalize: norm.normalizeConcat, folds: true, shape: shape.concatShape, group: 'Tensor',
    doc: 'any axis; zero-copy along channels' },
  Split: { since: 2, minInputs: 1, maxInputs: 2, maxOutputs: ANY, normalize: norm.normalizeSplit, folds: true, shape: shape.splitShape, group: 'Tensor',
    doc: 'sizes as attribute or constant input, num_outputs' },
  Slice: { since: 1, minInputs: (o) => (o >= 10 ? 3 : 1), maxInputs: 5, maxOutputs: 1, normalize: norm.normalizeSlice, folds: true, shape: shape.sliceShape, group: 'Tensor',
    doc: 'constant starts/ends/axes/steps, negative steps' },
  Flatten: { since: 1, minInputs: 1, maxInputs: 1, maxOutputs: 1, normalize: norm.normalizeFlatten, folds: true, shape: shape.flattenShape, group: 'Tensor', doc: '' },
  Reshape: { since: 5, minInputs: 2, maxInputs: 2, maxOutputs: 1, normalize: norm.normalizeReshape, folds: true, shape: shape.reshapeShape, group: 'Tensor',
    doc: 'constant shape, 0 and -1, allowzero' },
  Transpose: { since: 1, minInputs: 1, maxInputs: 1, maxOutputs: 1, normalize: norm.normalizeTranspose, folds: true, shape: shape.transposeShape, group: 'Tensor',
    doc: 'any permutation; back-to-back pairs cancelled' },
  Softmax: softmaxLike(''),
  LogSoftmax: softmaxLike(''),
  Hardmax: softmaxLike('first maximum; '),
  ReduceMean: reduce('', 18),
  ReduceSum: reduce('', 13),
  ReduceMax: reduce('', 18),
  ReduceMin: reduce('', 18),
  ReduceProd: reduce('', 18),
  ReduceL1: reduce('', 18),
  ReduceL2: reduce('', 18),
  ReduceLogSum: reduce('', 18),
  ReduceLogSumExp: reduce('max-subtracted; ', 18),
  ReduceSumSquare: reduce('', 18),
  InstanceNormalization: { since: 6, minInputs: 3, maxInputs: 3, maxOutputs: 1, normalize: norm.normalizeNorm, shape: shape.instanceNormShape, group: 'Element-wise and normalization',
    doc: 'any rank ≥ 3; constant scale and bias' },
  LayerNormalization: { since: 17, minInputs: 2, maxInputs: 3, maxOutputs: 3, normalize: norm.normalizeNorm, shape: shape.layerNormShape, group: 'Element-wise and normalization',
    doc: 'any axis, epsilon, stash_type; constant scale and bias broadcast over the normalized axes; not the Mean/InvStdDev outputs' },
  GroupNormalization: { since: 18, minInputs: 3, maxInputs: 3, maxOutputs: 1, normalize: norm.normalizeNorm, shape: shape.groupNormShape, group: 'Element-wise and normalization',
    doc: 'constant scale and bias: per group (opset 18) or per channel (opset 21)' },
  MeanVarianceNormalization: { since: 9, minInputs: 1, maxInputs: 1, maxOutputs: 1, normalize: norm.normalizeNorm, shape: shape.sameShape, group: 'Element-wise and normalization',
    doc: 'any axes' },
  LRN: { since: 1, minInputs: 1, maxInputs: 1, maxOutputs: 1, normalize: norm.normalizeNorm, shape: shape.lrnShape, group: 'Element-wise and normalization',
    doc: 'size, alpha, beta, bias; any rank ≥ 3' },
  Pad: { since: 2, minInputs: (o) => (o >= 11 ? 2 : 1), maxInputs: 4, maxOutputs: 1, normalize: norm.normalizePad, folds: true, shape: shape.padShape, group: 'Tensor',
    doc: "modes constant, reflect, edge and wrap from opset 19; constant_value a constant or computed at run time; negative pads crop; axes input from opset 18; constant pads; a zero constant-mode pad of H/W folds into a following convolution or pooling" },
  Expand: { since: 8, minInputs: 2, maxInputs: 2, maxOutputs: 1, folds: true, shape: shape.expandShape, group: 'Tensor',
    doc: 'constant shape, bidirectional broadcasting' },
  Tile: { since: 6, minInputs: 2, maxInputs: 2, maxOutputs: 1, folds: true, shape: shape.tileShape, group: 'Tensor', doc: 'constant repeats' },
  DepthToSpace: { since: 1, minInputs: 1, maxInputs: 1, maxOutputs: 1, normalize: norm.normalizeDepthToSpace, folds: true, shape: shape.depthToSpaceShape, group: 'Tensor',
    doc: '4-D; modes DCR and CRD' },
  SpaceToDepth: { since: 1, minInputs: 1, maxInputs: 1, maxOutputs: 1, normalize: norm.normalizeDepthToSpace, folds: true, shape: shape.spaceToDepthShape, group: 'Tensor', doc: '4-D' },
  GatherElements: { since: 11, minInputs: 2, maxInputs: 2, maxOutputs: 1, normalize: norm.normalizeGather, folds: true, shape: shape.gatherElementsShape, group: 'Tensor',
    doc: 'any axis; constant indices, negative ones counting from the end' },
  Where: { since: 9, minInputs: 3, maxInputs: 3, maxOutputs: 1, folds: true, shape: shape.whereShape, group: 'Tensor',
    doc: 'constant condition only: bool tensors exist only as constants, so a condition computed from activations is refused; either operand constant or computed; broadcasting' },
  Resize: { since: 10, minInputs: (o) => (o < 11 ? 2 : 1), maxInputs: 4, maxOutputs: 1, normalize: norm.normalizeResize, shape: shape.resizeShape, group: 'Tensor',
    doc: 'nearest, linear and cubic (cubic_coeff_a, exclude_outside) on the spatial axes of a 4-D tensor, every coordinate mode; tf_crop_and_resize with a constant roi on H, W, sizes and extrapolation_value' },
  Upsample: { since: 7, until: 9, minInputs: (o) => (o >= 9 ? 2 : 1), maxInputs: 2, maxOutputs: 1, normalize: norm.normalizeResize, group: 'Tensor',
    doc: 'nearest and bilinear; becomes Resize' },
  Squeeze: { since: 1, minInputs: 1, maxInputs: 2, maxOutputs: 1, normalize: norm.normalizeSqueeze, folds: true, group: 'Tensor', doc: 'becomes Reshape' },
  Unsqueeze: { since: 1, minInputs: (o) => (o >= 13 ? 2 : 1), maxInputs: 2, maxOutputs: 1, normalize: norm.normalizeSqueeze, folds: true, group: 'Tensor', doc: 'becomes Reshape' },
  Dropout: { since: 1, minInputs: 1, maxInputs: 3, maxOutputs: 2, group: 'Removed or folded at load', doc: 'removed at inference; not the mask output' },
  Identity: { since: 1, minInputs: 1, maxInputs: 1, maxOutputs: 1, folds: true, group: 'Removed or folded at load', doc: 'removed, or a copy when it feeds a graph output' },
  Constant: { since: 1, minInputs: 0, maxInputs: 0, maxOutputs: 1, group: 'Removed or folded at load', doc: 'value, value_float(s), value_int(s)' },
  Shape: { since: 1, minInputs: 1, maxInputs: 1, maxOutputs: 1, normalize: norm.normalizeShape, folds: true, constantOnly: true, group: 'Removed or folded at load', doc: 'start, end' },
  Gather: { since: 1, minInputs: 2, maxInputs: 2, maxOutputs: 1, normalize: norm.normalizeGather, folds: true, shape: shape.gatherShape, group: 'Tensor',
    doc: 'any axis; constant indices: negative ones, a scalar index that drops the axis, N-D indices' },
  ConstantOfShape: { since: 9, minInputs: 1, maxInputs: 1, maxOutputs: 1, normalize: norm.normalizeConstantOfShape, folds: true, constantOnly: true, group: 'Removed or folded at load', doc: '' },
  Cast: { since: 1, minInputs: 1, maxInputs: 1, maxOutputs: 1, normalize: norm.normalizeCast, folds: true, group: 'Removed or folded at load', doc: 'on constants; float to float on activations' },
  Equal: cmp('Equal'), Less: cmp('Less'), Greater: cmp('Greater'), LessOrEqual: cmp('LessOrEqual', 12), GreaterOrEqual: cmp('GreaterOrEqual', 12),
  Not: cmp('Not', 1, 1), And: cmp('And'), Or: cmp('Or'),
  Range: { since: 11, minInputs: 3, maxInputs: 3, maxOutputs: 1, folds: true, constantOnly: true, group: 'Removed or folded at load', doc: 'on constants' },
};

/** Operators a planned graph may hold (those with a shape rule). */
export const PLANNED_OPS: ReadonlySet<string> = new Set(Object.keys(OPS).filter((k) => OPS[k].shape));

export const minInputsOf = (spec: OpSpec, opset: number): number => (typeof spec.minInputs === 'number' ? spec.minInputs : spec.minInputs(opset));

/** Output dims of a planned node from its input dims (constants included). Throws LayerError naming the node. */
export function inferNode(node: Node, inputs: Dims[]): Dims[] {
  const rule = OPS[node.op]?.shape;
  if (!rule) throw new LayerError(node.name, node.op, `no shape inference for operator '${node.op}'`);
  return rule(node, inputs);
}

/** The README's operator list, generated from the table (a test keeps the README equal to it). */
export function operatorList(): string {
  const groups = new Map<string, string[]>();
  for (const [op, s] of Object.entries(OPS)) {
    const opsets = s.until ? `opsets ${Math.max(s.since, MIN_OPSET)}–${s.until}` : s.since > MIN_OPSET ? `opset ${s.since}+` : '';
    const note = [s.doc, opsets].filter((x) => x).join('; ');
    const list = groups.get(s.group) ?? [];
    list.push(note ? `${op} (${note})` : op);
    groups.set(s.group, list);
  }
  return [...groups].map(([g, ops]) => `- **${g}**: ${ops.join(', ')}.`).join('\n');
}
