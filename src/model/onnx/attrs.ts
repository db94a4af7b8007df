// Typed access to an ONNX node's attributes, and per operator the normalizer that turns them into the
// IR's opset-free attributes (defaults filled, opset differences resolved). The operator table
// (src/model/ops.ts) names each operator's normalizer.
import { ModelFormatError, UnsupportedError, describe } from '../../errors.js';
import type { ConstTensor, Node } from '../ir.js';
import { AttrType, DATA_TYPE_NAMES, DataType } from './proto.js';
import { int64ToNumber, tensorFromProto } from './tensor.js';

/** Attribute normalizer: reads `at`, writes `node.attrs` (and may reorder or drop inputs/outputs). */
export type Normalizer = (node: Node, at: Attrs, opset: number) => void;

const decoder = new TextDecoder('utf-8');

/** Typed access to one node's attributes. */
export class Attrs {
  private map = new Map<string, any>();
  constructor(private node: { name: string; op: string }, protos: any[]) {
    for (const a of protos) {
      if (!a.name) throw new ModelFormatError(`${describe(node.name, node.op)}: attribute without a name`);
      if (a.refAttrName) throw new UnsupportedError(`${describe(node.name, node.op)}: attribute '${a.name}' refers to a function attribute`);
      this.map.set(a.name, a);
    }
  }
  has(name: string): boolean { return this.map.has(name); }
  names(): string[] { return [...this.map.keys()]; }
  private get(name: string, type: number): any {
    const a = this.map.get(name);
    if (a === undefined) return undefined;
    let t = a.type as number;
    if (!t) { // old models may leave type unset: infer from the field present
      t = a.floats?.length ? AttrType.FLOATS : a.ints?.length ? AttrType.INTS : a.strings?.length ? AttrType.STRINGS
        : a.t ? AttrType.TENSOR : a.s?.length ? AttrType.STRING : type;
    }
    if (t !== type && !(type === AttrType.INTS && t === AttrType.INT) && !(type === AttrType.FLOAT && t === AttrType.INT)) {
      throw new ModelFormatError(`${describe(this.node.name, this.node.op)}: attribute '${name}' has type ${t}, expected ${type}`);
    }
    return { a, t };
  }
  private what(name: string) { return `${describe(this.node.name, this.node.op)}: attribute '${name}'`; }
  int(name: string, def: number, saturate = false): number {
    const r = this.get(name, AttrType.INT);
    return r ? int64ToNumber(r.a.i, this.what(name), saturate) : def;
  }
  ints(name: string, def?: number[], saturate = false): number[] | undefined {
    const r = this.get(name, AttrType.INTS);
    if (!r) return def;
    if (r.t === AttrType.INT) return [int64ToNumber(r.a.i, this.what(name), saturate)];
    return (r.a.ints as unknown[]).map((v) => int64ToNumber(v, this.what(name), saturate));
  }
  float(name: string, def: number): number {
    const r = this.get(name, AttrType.FLOAT);
    if (!r) return def;
    return r.t === AttrType.INT ? int64ToNumber(r.a.i, this.what(name)) : r.a.f;
  }
  floats(name: string, def?: number[]): number[] | undefined {
    const r = this.get(name, AttrType.FLOATS);
    return r ? Array.from(r.a.floats as number[]) : def;
  }
  str(name: string, def: string): string {
    const r = this.get(name, AttrType.STRING);
    if (!r) return def;
    // an absent value decodes as the proto default: the empty string
    return r.a.s instanceof Uint8Array ? decoder.decode(r.a.s) : '';
  }
  tensor(name: string): ConstTensor | undefined {
    const r = this.get(name, AttrType.TENSOR);
    if (!r) return undefined;
    if (!r.a.t) throw new ModelFormatError(`${this.what(name)}: missing tensor`);
    return tensorFromProto(r.a.t, this.what(name));
  }
}

export function unsupportedAttr(node: { name: string; op: string }, detail: string): never {
  throw new UnsupportedError(`${describe(node.name, node.op)}: ${detail}`);
}

/** Spatial attributes of Conv, ConvTranspose and the pools, for 1-D, 2-D and 3-D (kernel, strides, pads,
 * dilations of 1 to 3 spatial axes; pads [begins..., ends...] as ONNX writes them). A 1-D or 3-D node keeps
 * its attributes until folding, which rewrites it into 2-D operators (fold.ts lower1d, lowerConv3d,
 * lowerConvTranspose3d, lowerPool3d). 4 spatial axes and more are refused here. */
export function spatialAttrs(node: Node, at: Attrs, withKernel: boolean): Record<string, any> {
  const kernel = at.ints('kernel_shape');
  const maxRank = 3, what = '1-D, 2-D and 3-D';
  if (kernel && !(kernel.length >= 1 && kernel.length <= maxRank)) unsupportedAttr(node, `only ${what} ${node.op} are supported, kernel_shape is [${kernel.join(', ')}]`);
  if (withKernel && !kernel) throw new ModelFormatError(`${describe(node.name, node.op)}: attribute 'kernel_shape' is required`);
  // the number of spatial axes: from kernel_shape when given, else from any other spatial attribute (2 by default)
  const rank = kernel?.length ?? (['strides', 'dilations'].map((n) => at.ints(n)?.length).find((l) => l) ?? ((at.ints('pads')?.length ?? 4) / 2));
  if (!(rank >= 1 && rank <= maxRank)) unsupportedAttr(node, `only ${what} ${node.op} are supported (${rank} spatial axes)`);
  const ones = new Array(rank).fill(1), zeros = new Array(2 * rank).fill(0);
  const list = (name: string, def: number[], len: number) => {
    const v = at.ints(name, def)!;
    if (v.length !== len) unsupportedAttr(node, `attribute '${name}' [${v.join(', ')}] must have ${len} values (${rank}-D ${node.op})`);
    return v;
  };
  const autoPad = at.str('auto_pad', 'NOTSET');
  oneOf(node, 'auto_pad', autoPad, ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID']);
  const out: Record<string, any> = {
    kernel,
    strides: list('strides', ones, rank),
    pads: list('pads', zeros, 2 * rank),
    dilations: list('dilations', ones, rank),
  };
  if (rank === 1) out.rank1 = true;
  if (rank === 3) out.rank3 = true;
  if (autoPad !== 'NOTSET') out.autoPad = autoPad;
  return out;
}

export function normalizeConv(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  Object.assign(a, spatialAttrs(node, at, false), { groups: at.int('group', 1) });
}

/** ConvTranspose: the Conv attributes plus output_padding and output_shape (spatial sizes), resolved to
 * pads at folding (they need the input size). */
export function normalizeConvTranspose(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  Object.assign(a, spatialAttrs(node, at, false), { groups: at.int('group', 1) });
  const rank = a.strides.length;
  const op = at.ints('output_padding', new Array(rank).fill(0))!;
  if (op.length !== rank) unsupportedAttr(node, `attribute 'output_padding' [${op.join(', ')}] must have ${rank} values`);
  a.outputPadding = op;
  const os = at.ints('output_shape');
  if (os) {
    if (os.length !== rank && os.length !== rank + 2) throw new ModelFormatError(`${describe(node.name, node.op)}: output_shape [${os.join(', ')}] must have ${rank} values`);
    a.outputShape = os.slice(os.length - rank);
  }
}

export function normalizePool(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  Object.assign(a, spatialAttrs(node, at, true), { ceilMode: at.int('ceil_mode', 0) !== 0 });
  if (node.op === 'AveragePool') a.countIncludePad = at.int('count_include_pad', 0) !== 0;
  if (node.op === 'LpPool') {
    a.p = at.int('p', 2);
    if (!(a.p >= 1)) unsupportedAttr(node, `p = ${a.p} is not supported (p must be a positive integer)`);
  }
  if (node.outputs.length > 1 && node.outputs[1] !== '') unsupportedAttr(node, 'the Indices output of MaxPool is not supported');
  node.outputs = node.outputs.slice(0, 1);
}

export function normalizeGlobalLpPool(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  a.p = at.int('p', 2);
  if (!(a.p >= 1)) unsupportedAttr(node, `p = ${a.p} is not supported (p must be a positive integer)`);
}

export function normalizeGemm(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  Object.assign(a, { alpha: at.float('alpha', 1), beta: at.float('beta', 1), transA: at.int('transA', 0), transB: at.int('transB', 0) });
}

export function normalizeBatchNormalization(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  a.epsilon = at.float('epsilon', 1e-5);
  if (at.int('training_mode', 0) !== 0) unsupportedAttr(node, 'training_mode=1 is not supported');
  if (node.outputs.slice(1).some((o) => o !== '')) unsupportedAttr(node, 'training outputs (mean, var) are not supported');
  node.outputs = node.outputs.slice(0, 1);
}

export function normalizeClip(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  if (opset < 11) { a.min = at.float('min', -Infinity); a.max = at.float('max', Infinity); node.inputs = node.inputs.slice(0, 1); }
}

export function normalizeLeakyRelu(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  a.alpha = at.float('alpha', 0.01);
}

export function normalizeHardSigmoid(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  a.alpha = at.float('alpha', 0.2); a.beta = at.float('beta', 0.5);
}

/** alpha for Elu, Celu and ThresholdedRelu (default 1 in each). */
export function normalizeAlpha1(node: Node, at: Attrs, opset: number): void {
  node.attrs.alpha = at.float('alpha', 1);
}

export function normalizeSelu(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  a.alpha = at.float('alpha', 1.67326319217681884765625); a.gamma = at.float('gamma', 1.05070102214813232421875);
}

/** Gelu (opset 20): approximate 'none' → 0, 'tanh' → 1 (numeric, as fused activation attributes are). */
export function normalizeGelu(node: Node, at: Attrs, opset: number): void {
  const mode = at.str('approximate', 'none');
  oneOf(node, 'approximate', mode, ['none', 'tanh']);
  node.attrs.approximate = mode === 'tanh' ? 1 : 0;
}

export function normalizeConcat(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  if (!at.has('axis')) throw new ModelFormatError(`${describe(node.name, node.op)}: attribute 'axis' is required`);
  a.axis = at.int('axis', 0);
}

export function normalizeFlatten(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  a.axis = at.int('axis', 1);
}

export function normalizeReshape(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  a.allowzero = at.int('allowzero', 0) !== 0;
}

export function normalizeTranspose(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  const p = at.ints('perm'); if (p) a.perm = p;
}

export function normalizeSoftmax(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  a.axis = at.int('axis', opset < 13 ? 1 : -1); a.legacy = opset < 13;
}

export function normalizePad(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  const mode = at.str('mode', 'constant');
  oneOf(node, 'mode', mode, opset >= 19 ? ['constant', 'reflect', 'edge', 'wrap'] : ['constant', 'reflect', 'edge']);
  a.mode = mode;
  if (opset < 11) { a.pads = at.ints('pads') ?? at.ints('paddings'); a.value = at.float('value', 0); node.inputs = node.inputs.slice(0, 1); }
  if (opset < 11 && !a.pads) throw new ModelFormatError(`${describe(node.name, node.op)}: attribute 'pads' is required`);
}

/** Reduce*: axes are an attribute before opset 13 (ReduceSum) or 18 (the others), a constant input from then on. */
export function normalizeReduce(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  a.keepdims = at.int('keepdims', 1) !== 0;
  const since = node.op === 'ReduceSum' ? 13 : 18;
  if (opset < since) {
    if (node.inputs[1]) throw new ModelFormatError(`${describe(node.name, node.op)}: has an axes input at opset ${opset} (an input from opset ${since}; before, the attribute)`);
    const ax = at.ints('axes'); a.axes = ax ?? []; node.inputs = node.inputs.slice(0, 1);
  }
  // from then on axes is input 1: an attribute would be ignored, a silently different reduction
  else if (at.has('axes')) throw new ModelFormatError(`${describe(node.name, node.op)}: attribute 'axes' is not defined at opset ${opset} (axes is input 1 from opset ${since})`);
  a.noopWithEmptyAxes = at.int('noop_with_empty_axes', 0) !== 0;
}

/** InstanceNormalization, LayerNormalization, GroupNormalization, MeanVarianceNormalization, LRN. */
export function normalizeNorm(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  switch (node.op) {
    case 'InstanceNormalization': a.epsilon = at.float('epsilon', 1e-5); break;
    case 'LayerNormalization':
      a.axis = at.int('axis', -1); a.epsilon = at.float('epsilon', 1e-5);
      // stash_type 1 (float32) is what the kernels compute in; any other value would ask for another precision
      if (at.int('stash_type', 1) !== 1) unsupportedAttr(node, `stash_type ${at.int('stash_type', 1)} is not supported (only 1, float32)`);
      if (node.outputs.slice(1).some((o) => o !== '')) unsupportedAttr(node, 'the Mean and InvStdDev outputs are not supported');
      node.outputs = node.outputs.slice(0, 1);
      break;
    case 'GroupNormalization':
      a.epsilon = at.float('epsilon', 1e-5);
      if (!at.has('num_groups')) throw new ModelFormatError(`${describe(node.name, node.op)}: attribute 'num_groups' is required`);
      a.numGroups = at.int('num_groups', 1);
      if (at.int('stash_type', 1) !== 1) unsupportedAttr(node, `stash_type ${at.int('stash_type', 1)} is not supported (only 1, float32)`);
      a.perChannel = opset >= 21; // opset 18: scale and bias per group; 21: per channel
      break;
    case 'MeanVarianceNormalization': a.axes = at.ints('axes', [0, 2, 3]); break;
    case 'LRN':
      if (!at.has('size')) throw new ModelFormatError(`${describe(node.name, node.op)}: attribute 'size' is required`);
      a.size = at.int('size', 1); a.alpha = at.float('alpha', 1e-4); a.beta = at.float('beta', 0.75); a.bias = at.float('bias', 1);
      break;
  }
}

export function normalizeSqueeze(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  if (opset < 13) {
    const ax = at.ints('axes');
    if (ax) a.axes = ax; else if (node.op === 'Unsqueeze') throw new ModelFormatError(`${describe(node.name, node.op)}: attribute 'axes' is required`);
    node.inputs = node.inputs.slice(0, 1);
  }
}

export function normalizeSplit(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  a.axis = at.int('axis', 0);
  if (opset < 13) { const s = at.ints('split'); if (s) a.split = s; node.inputs = node.inputs.slice(0, 1); }
  if (at.has('num_outputs')) a.numOutputs = at.int('num_outputs', node.outputs.length);
}

export function normalizeSlice(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  if (opset < 10) {
    a.starts = at.ints('starts', undefined, true); a.ends = at.ints('ends', undefined, true);
    const ax = at.ints('axes'); if (ax) a.axes = ax;
    if (!a.starts || !a.ends) throw new ModelFormatError(`${describe(node.name, node.op)}: attributes 'starts' and 'ends' are required`);
    node.inputs = node.inputs.slice(0, 1);
  }
}

const COORD_MODES = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn', 'tf_crop_and_resize'];
const NEAREST_MODES = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];

/** A string attribute that must be one of the spec's values (an unknown one is a malformed model). */
function oneOf(node: Node, attr: string, value: string, allowed: readonly string[]): void {
  if (!allowed.includes(value)) throw new ModelFormatError(`${describe(node.name, node.op)}: unknown ${attr} '${value.slice(0, 64)}' (one of ${allowed.join(', ')})`);
}

export function normalizeResize(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  let mode = at.str('mode', 'nearest');
  if (mode === 'bilinear') mode = 'linear';
  if (mode !== 'nearest' && mode !== 'linear' && (mode !== 'cubic' || node.op !== 'Resize')) unsupportedAttr(node, `${node.op} mode '${mode}' is not supported (nearest, linear${node.op === 'Resize' ? ', cubic' : ''})`);
  a.mode = mode;
  if (node.op === 'Upsample') {
    if (opset < 9) {
      const sc = at.floats('scales');
      if (!sc) throw new ModelFormatError(`${describe(node.name, node.op)}: attribute 'scales' is required`);
      a.scales = sc;
      node.inputs = node.inputs.slice(0, 1);
    } else node.inputs = [node.inputs[0], '', node.inputs[1] ?? ''];
    node.op = 'Resize';
    a.coordMode = 'asymmetric'; a.nearestMode = 'legacy';
  } else if (opset < 11) {
    node.inputs = [node.inputs[0], '', node.inputs[1] ?? ''];
    a.coordMode = 'asymmetric'; a.nearestMode = 'legacy';
  } else {
    a.coordMode = at.str('coordinate_transformation_mode', 'half_pixel');
    a.nearestMode = at.str('nearest_mode', 'round_prefer_floor');
    a.cubicCoeffA = at.float('cubic_coeff_a', -0.75);
    a.excludeOutside = at.int('exclude_outside', 0) !== 0;
    a.extrapolationValue = at.float('extrapolation_value', 0);
    oneOf(node, 'coordinate_transformation_mode', a.coordMode, COORD_MODES);
    oneOf(node, 'nearest_mode', a.nearestMode, NEAREST_MODES);
    if (at.int('antialias', 0) !== 0) unsupportedAttr(node, 'antialias=1 is not supported');
    if (at.has('axes')) unsupportedAttr(node, "attribute 'axes' is not supported");
    const policy = at.str('keep_aspect_ratio_policy', 'stretch');
    if (policy !== 'stretch') unsupportedAttr(node, `keep_aspect_ratio_policy '${policy}' is not supported`);
  }
}

export function normalizeShape(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  if (at.has('start')) a.start = at.int('start', 0, true);
  if (at.has('end')) a.end = at.int('end', 0, true);
}

export function normalizeGather(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  a.axis = at.int('axis', 0);
}

/** DepthToSpace (blocksize, mode DCR/CRD from opset 11) and SpaceToDepth (blocksize). */
export function normalizeDepthToSpace(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  if (!at.has('blocksize')) throw new ModelFormatError(`${describe(node.name, node.op)}: attribute 'blocksize' is required`);
  a.blocksize = at.int('blocksize', 1);
  if (node.op === 'DepthToSpace') {
    a.mode = opset >= 11 ? at.str('mode', 'DCR') : 'DCR';
    oneOf(node, 'mode', a.mode, ['DCR', 'CRD']);
  }
}

export function normalizeConstantOfShape(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  const v = at.tensor('value');
  a.value = v ?? { dtype: 'float32', dims: [1], data: new Float32Array([0]) };
}

export function normalizeCast(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  const to = at.int('to', 0);
  const m: Record<number, ConstTensor['dtype']> = {
    [DataType.FLOAT]: 'float32', [DataType.FLOAT16]: 'float32', [DataType.DOUBLE]: 'float32', [DataType.BFLOAT16]: 'float32',
    [DataType.INT64]: 'int64', [DataType.INT32]: 'int32', [DataType.INT16]: 'int32', [DataType.INT8]: 'int32',
    [DataType.UINT8]: 'int32', [DataType.UINT16]: 'int32', [DataType.UINT32]: 'int64', [DataType.UINT64]: 'int64', [DataType.BOOL]: 'bool',
  };
  if (!m[to]) unsupportedAttr(node, `Cast to ${DATA_TYPE_NAMES[to] ?? to} is not supported`);
  a.to = m[to];
}
