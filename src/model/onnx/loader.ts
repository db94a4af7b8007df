// ONNX ModelProto bytes -> graph IR (src/model/ir.ts). Decodes with protobufjs (proto.ts), checks the
// model is complete and uses only supported operators, and normalizes each node's attributes so that
// later stages never look at opset numbers. Parameters that ONNX passes as inputs in newer opsets
// (Clip min/max, Pad pads, Slice starts..., Squeeze axes, ...) stay inputs here; bindAndFold resolves
// them once constants are known. Identity, Dropout and Constant nodes are removed here.
import { EdgeCnnError, ModelFormatError, UnsupportedError, describe } from '../../errors.js';
import type { ConstTensor, Dim, Graph, Node, ValueInfo } from '../ir.js';
import { AttrType, DATA_TYPE_NAMES, DataType, decodeModel } from './proto.js';

export const MIN_OPSET = 7;
export const MAX_OPSET = 21;

/** Operators the loader accepts (default domain). */
export const SUPPORTED_ONNX_OPS = new Set([
  'Conv', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'Gemm', 'MatMul',
  'BatchNormalization', 'Relu', 'Clip', 'LeakyRelu', 'Sigmoid', 'Tanh', 'HardSigmoid', 'HardSwish',
  'Add', 'Mul', 'Sub', 'Div', 'Concat', 'Flatten', 'Reshape', 'Transpose', 'Softmax', 'Dropout',
  'Identity', 'Pad', 'ReduceMean', 'Squeeze', 'Unsqueeze', 'Split', 'Slice', 'Resize', 'Upsample',
  'Constant', 'Shape', 'Gather', 'ConstantOfShape', 'Cast', 'Range',
]);

/** Required (non-empty) leading inputs per operator; opset-dependent ones are adjusted in minInputs. */
const MIN_INPUTS: Record<string, number> = {
  Conv: 2, Gemm: 2, MatMul: 2, BatchNormalization: 5, Add: 2, Mul: 2, Sub: 2, Div: 2, Reshape: 2, Gather: 2, Range: 3, Constant: 0,
};
function minInputs(op: string, opset: number): number {
  if (op === 'Pad' && opset >= 11) return 2;
  if (op === 'Unsqueeze' && opset >= 13) return 2;
  if (op === 'Slice' && opset >= 10) return 3;
  if (op === 'Upsample' && opset >= 9) return 2;
  if (op === 'Resize' && opset < 11) return 2;
  return MIN_INPUTS[op] ?? 1;
}

const TWO_POW_53 = 2 ** 53;

/** int64 (number or protobufjs Long) -> number. Values beyond ±2^53 throw, or saturate to ±Infinity
 * when `saturate` (ONNX uses INT64_MAX/MIN as "to the end" in Slice). */
export function int64ToNumber(v: unknown, what: string, saturate = false): number {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') n = Number(v);
  else if (v && typeof v === 'object' && 'low' in v && 'high' in v) {
    const l = v as { low: number; high: number; unsigned?: boolean };
    n = (l.unsigned ? l.high >>> 0 : l.high | 0) * 4294967296 + (l.low >>> 0);
  } else throw new ModelFormatError(`${what}: not an integer`);
  if (!Number.isFinite(n)) throw new ModelFormatError(`${what}: not an integer`);
  if (Math.abs(n) > TWO_POW_53) {
    if (saturate) return n > 0 ? Infinity : -Infinity;
    throw new ModelFormatError(`${what}: value ${n} is beyond ±2^53 and cannot be represented`);
  }
  return n;
}

const IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** TensorProto -> ConstTensor (float32 for float/float16/double; int64/int32/bool as numbers). */
export function tensorFromProto(t: any, what: string): ConstTensor {
  const name = `${what}${t.name ? ` '${t.name}'` : ''}`;
  if (t.dataLocation === 1 || (t.externalData && t.externalData.length)) {
    throw new ModelFormatError(`${name}: external data (weights in a separate file) is not supported; embed the weights in the .onnx file (onnx.save_model(..., save_as_external_data=False))`);
  }
  const dims = (t.dims ?? []).map((d: unknown, i: number) => {
    const n = int64ToNumber(d, `${name}: dims[${i}]`);
    if (!Number.isInteger(n) || n < 0) throw new ModelFormatError(`${name}: invalid dimension ${n}`);
    return n;
  });
  const count = dims.reduce((a: number, b: number) => a * b, 1);
  if (count > 2 ** 31) throw new ModelFormatError(`${name}: ${count} elements is too large`);
  const dt = t.dataType as number;
  const raw: Uint8Array | undefined = t.rawData && t.rawData.length ? t.rawData : undefined;
  const dv = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  const expectBytes = (bytesPer: number) => {
    if (raw!.length !== count * bytesPer) {
      throw new ModelFormatError(`${name}: raw_data has ${raw!.length} bytes, dims [${dims.join(', ')}] of ${DATA_TYPE_NAMES[dt]} need ${count * bytesPer}`);
    }
  };
  const expectCount = (n: number, field: string) => {
    if (n !== count) throw new ModelFormatError(`${name}: ${field} has ${n} values, dims [${dims.join(', ')}] need ${count}`);
  };
  switch (dt) {
    case DataType.FLOAT: {
      let data: Float32Array;
      if (raw) {
        expectBytes(4);
        if (IS_LITTLE_ENDIAN) { data = new Float32Array(count); new Uint8Array(data.buffer).set(raw); } // copy: aligned, owned (raw may be an unaligned Buffer view)
        else { data = new Float32Array(count); for (let i = 0; i < count; i++) data[i] = dv!.getFloat32(i * 4, true); }
      } else {
        expectCount(t.floatData.length, 'float_data');
        data = Float32Array.from(t.floatData);
      }
      return { dtype: 'float32', dims, data };
    }
    case DataType.FLOAT16: case DataType.DOUBLE: {
      const data = new Float32Array(count);
      if (raw) {
        expectBytes(dt === DataType.DOUBLE ? 8 : 2);
        for (let i = 0; i < count; i++) data[i] = dt === DataType.DOUBLE ? dv!.getFloat64(i * 8, true) : halfToFloat(dv!.getUint16(i * 2, true));
      } else if (dt === DataType.DOUBLE) {
        expectCount(t.doubleData.length, 'double_data');
        data.set(t.doubleData);
      } else {
        expectCount(t.int32Data.length, 'int32_data');
        for (let i = 0; i < count; i++) data[i] = halfToFloat(t.int32Data[i] & 0xffff);
      }
      return { dtype: 'float32', dims, data };
    }
    case DataType.INT64: {
      const data: number[] = new Array(count);
      if (raw) {
        expectBytes(8);
        for (let i = 0; i < count; i++) {
          const lo = dv!.getUint32(i * 8, true), hi = dv!.getInt32(i * 8 + 4, true);
          data[i] = int64ToNumber({ low: lo, high: hi }, `${name}[${i}]`, true);
        }
      } else {
        expectCount(t.int64Data.length, 'int64_data');
        for (let i = 0; i < count; i++) data[i] = int64ToNumber(t.int64Data[i], `${name}[${i}]`, true);
      }
      return { dtype: 'int64', dims, data };
    }
    case DataType.INT32: case DataType.INT8: case DataType.UINT8: case DataType.INT16: case DataType.UINT16: case DataType.BOOL: {
      const data: number[] = new Array(count);
      const bytesPer = dt === DataType.INT32 ? 4 : dt === DataType.INT16 || dt === DataType.UINT16 ? 2 : 1;
      if (raw) {
        expectBytes(bytesPer);
        for (let i = 0; i < count; i++) {
          data[i] = dt === DataType.INT32 ? dv!.getInt32(i * 4, true) : dt === DataType.INT16 ? dv!.getInt16(i * 2, true)
            : dt === DataType.UINT16 ? dv!.getUint16(i * 2, true) : dt === DataType.INT8 ? dv!.getInt8(i) : dv!.getUint8(i);
        }
      } else {
        expectCount(t.int32Data.length, 'int32_data');
        for (let i = 0; i < count; i++) data[i] = t.int32Data[i];
      }
      if (dt === DataType.BOOL) return { dtype: 'bool', dims, data: data.map((v) => (v ? 1 : 0)) };
      return { dtype: dt === DataType.INT32 ? 'int32' : 'int64', dims, data };
    }
    default:
      throw new UnsupportedError(`${name}: data type ${DATA_TYPE_NAMES[dt] ?? dt} is not supported (float32, float16, double, int64, int32, bool and small integers are)`);
  }
}

const decoder = new TextDecoder('utf-8');

/** Typed access to one node's attributes. */
class Attrs {
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
    return r ? decoder.decode(r.a.s) : def;
  }
  tensor(name: string): ConstTensor | undefined {
    const r = this.get(name, AttrType.TENSOR);
    if (!r) return undefined;
    if (!r.a.t) throw new ModelFormatError(`${this.what(name)}: missing tensor`);
    return tensorFromProto(r.a.t, this.what(name));
  }
}

const trimInputs = (xs: string[]) => { const r = xs.slice(); while (r.length && r[r.length - 1] === '') r.pop(); return r; };

function unsupportedAttr(node: { name: string; op: string }, detail: string): never {
  throw new UnsupportedError(`${describe(node.name, node.op)}: ${detail}`);
}

function spatialAttrs(node: Node, at: Attrs, withKernel: boolean): Record<string, any> {
  const kernel = at.ints('kernel_shape');
  if (kernel && kernel.length !== 2) unsupportedAttr(node, `only 2-D ${node.op} is supported, kernel_shape is [${kernel.join(', ')}]`);
  if (withKernel && !kernel) throw new ModelFormatError(`${describe(node.name, node.op)}: attribute 'kernel_shape' is required`);
  const two = (name: string, def: number[], len: number) => {
    const v = at.ints(name, def)!;
    if (v.length !== len) unsupportedAttr(node, `attribute '${name}' [${v.join(', ')}] must have ${len} values (only 2-D ${node.op} is supported)`);
    return v;
  };
  let autoPad = at.str('auto_pad', 'NOTSET');
  if (!['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'].includes(autoPad)) throw new ModelFormatError(`${describe(node.name, node.op)}: unknown auto_pad '${autoPad}'`);
  const out: Record<string, any> = {
    kernel,
    strides: two('strides', [1, 1], 2),
    pads: two('pads', [0, 0, 0, 0], 4),
    dilations: two('dilations', [1, 1], 2),
  };
  if (autoPad !== 'NOTSET') out.autoPad = autoPad;
  return out;
}

/** Normalizes one node's attributes (and input positions) to the opset-free pre-fold form. */
function normalize(node: Node, at: Attrs, opset: number): void {
  const a = node.attrs;
  switch (node.op) {
    case 'Conv':
      Object.assign(a, spatialAttrs(node, at, false), { groups: at.int('group', 1) });
      break;
    case 'MaxPool': case 'AveragePool':
      Object.assign(a, spatialAttrs(node, at, true), { ceilMode: at.int('ceil_mode', 0) !== 0 });
      if (node.op === 'AveragePool') a.countIncludePad = at.int('count_include_pad', 0) !== 0;
      if (node.outputs.length > 1 && node.outputs[1] !== '') unsupportedAttr(node, 'the Indices output of MaxPool is not supported');
      node.outputs = node.outputs.slice(0, 1);
      break;
    case 'Gemm':
      Object.assign(a, { alpha: at.float('alpha', 1), beta: at.float('beta', 1), transA: at.int('transA', 0), transB: at.int('transB', 0) });
      break;
    case 'BatchNormalization':
      a.epsilon = at.float('epsilon', 1e-5);
      if (at.int('training_mode', 0) !== 0) unsupportedAttr(node, 'training_mode=1 is not supported');
      if (node.outputs.slice(1).some((o) => o !== '')) unsupportedAttr(node, 'training outputs (mean, var) are not supported');
      node.outputs = node.outputs.slice(0, 1);
      break;
    case 'Clip':
      if (opset < 11) { a.min = at.float('min', -Infinity); a.max = at.float('max', Infinity); node.inputs = node.inputs.slice(0, 1); }
      break;
    case 'LeakyRelu': a.alpha = at.float('alpha', 0.01); break;
    case 'HardSigmoid': a.alpha = at.float('alpha', 0.2); a.beta = at.float('beta', 0.5); break;
    case 'HardSwish':
      if (opset < 14) throw new ModelFormatError(`${describe(node.name, node.op)}: HardSwish is not defined before opset 14 (model opset ${opset})`);
      break;
    case 'Concat': {
      if (!at.has('axis')) throw new ModelFormatError(`${describe(node.name, node.op)}: attribute 'axis' is required`);
      a.axis = at.int('axis', 0);
      break;
    }
    case 'Flatten': a.axis = at.int('axis', 1); break;
    case 'Reshape': a.allowzero = at.int('allowzero', 0) !== 0; break;
    case 'Transpose': { const p = at.ints('perm'); if (p) a.perm = p; break; }
    case 'Softmax': a.axis = at.int('axis', opset < 13 ? 1 : -1); a.legacy = opset < 13; break;
    case 'Pad': {
      const mode = at.str('mode', 'constant');
      if (mode !== 'constant') unsupportedAttr(node, `Pad mode '${mode}' is not supported (only 'constant')`);
      if (opset < 11) { a.pads = at.ints('pads') ?? at.ints('paddings'); a.value = at.float('value', 0); node.inputs = node.inputs.slice(0, 1); }
      if (opset < 11 && !a.pads) throw new ModelFormatError(`${describe(node.name, node.op)}: attribute 'pads' is required`);
      break;
    }
    case 'ReduceMean':
      a.keepdims = at.int('keepdims', 1) !== 0;
      if (opset < 18) { const ax = at.ints('axes'); a.axes = ax ?? []; node.inputs = node.inputs.slice(0, 1); }
      a.noopWithEmptyAxes = at.int('noop_with_empty_axes', 0) !== 0;
      break;
    case 'Squeeze': case 'Unsqueeze':
      if (opset < 13) {
        const ax = at.ints('axes');
        if (ax) a.axes = ax; else if (node.op === 'Unsqueeze') throw new ModelFormatError(`${describe(node.name, node.op)}: attribute 'axes' is required`);
        node.inputs = node.inputs.slice(0, 1);
      }
      break;
    case 'Split': {
      a.axis = at.int('axis', 0);
      if (opset < 13) { const s = at.ints('split'); if (s) a.split = s; node.inputs = node.inputs.slice(0, 1); }
      if (at.has('num_outputs')) a.numOutputs = at.int('num_outputs', node.outputs.length);
      break;
    }
    case 'Slice':
      if (opset < 10) {
        a.starts = at.ints('starts', undefined, true); a.ends = at.ints('ends', undefined, true);
        const ax = at.ints('axes'); if (ax) a.axes = ax;
        if (!a.starts || !a.ends) throw new ModelFormatError(`${describe(node.name, node.op)}: attributes 'starts' and 'ends' are required`);
        node.inputs = node.inputs.slice(0, 1);
      }
      break;
    case 'Upsample': case 'Resize': {
      let mode = at.str('mode', 'nearest');
      if (mode === 'bilinear') mode = 'linear';
      if (mode !== 'nearest' && mode !== 'linear') unsupportedAttr(node, `${node.op} mode '${mode}' is not supported (nearest, linear)`);
      a.mode = mode;
      if (node.op === 'Upsample') {
        if (opset >= 10) throw new UnsupportedError(`${describe(node.name, node.op)}: operator Upsample is not supported (opset ${opset}); it was replaced by Resize in opset 10`);
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
        if (a.coordMode === 'tf_crop_and_resize') unsupportedAttr(node, "coordinate_transformation_mode 'tf_crop_and_resize' is not supported");
        if (at.int('antialias', 0) !== 0) unsupportedAttr(node, 'antialias=1 is not supported');
        if (at.has('axes')) unsupportedAttr(node, "attribute 'axes' is not supported");
        const policy = at.str('keep_aspect_ratio_policy', 'stretch');
        if (policy !== 'stretch') unsupportedAttr(node, `keep_aspect_ratio_policy '${policy}' is not supported`);
      }
      break;
    }
    case 'Shape':
      if (at.has('start')) a.start = at.int('start', 0, true);
      if (at.has('end')) a.end = at.int('end', 0, true);
      break;
    case 'Gather': a.axis = at.int('axis', 0); break;
    case 'ConstantOfShape': {
      const v = at.tensor('value');
      a.value = v ?? { dtype: 'float32', dims: [1], data: new Float32Array([0]) };
      break;
    }
    case 'Cast': {
      const to = at.int('to', 0);
      const m: Record<number, ConstTensor['dtype']> = {
        [DataType.FLOAT]: 'float32', [DataType.FLOAT16]: 'float32', [DataType.DOUBLE]: 'float32', [DataType.BFLOAT16]: 'float32',
        [DataType.INT64]: 'int64', [DataType.INT32]: 'int32', [DataType.INT16]: 'int32', [DataType.INT8]: 'int32',
        [DataType.UINT8]: 'int32', [DataType.UINT16]: 'int32', [DataType.UINT32]: 'int64', [DataType.UINT64]: 'int64', [DataType.BOOL]: 'bool',
      };
      if (!m[to]) unsupportedAttr(node, `Cast to ${DATA_TYPE_NAMES[to] ?? to} is not supported`);
      a.to = m[to];
      break;
    }
    default:
      break; // Relu, Sigmoid, Tanh, GlobalAveragePool, GlobalMaxPool, MatMul, Add/Sub/Mul/Div, Shape, Range, ...: no attributes
  }
  if (node.op === 'Conv' || node.op === 'Gemm' || node.op === 'BatchNormalization' || node.op === 'Clip' || node.op === 'Pad' || node.op === 'Slice' || node.op === 'Resize' || node.op === 'Split' || node.op === 'Squeeze' || node.op === 'Unsqueeze' || node.op === 'ReduceMean') {
    node.inputs = trimInputs(node.inputs);
  }
}

function constantValue(node: Node, at: Attrs): ConstTensor {
  const t = at.tensor('value');
  if (t) return t;
  if (at.has('value_float')) return { dtype: 'float32', dims: [], data: new Float32Array([at.float('value_float', 0)]) };
  if (at.has('value_floats')) { const f = at.floats('value_floats')!; return { dtype: 'float32', dims: [f.length], data: Float32Array.from(f) }; }
  if (at.has('value_int')) return { dtype: 'int64', dims: [], data: [at.int('value_int', 0, true)] };
  if (at.has('value_ints')) { const v = at.ints('value_ints', undefined, true)!; return { dtype: 'int64', dims: [v.length], data: v }; }
  const names = at.names();
  if (names.length) unsupportedAttr(node, `Constant attribute '${names[0]}' is not supported`);
  throw new ModelFormatError(`${describe(node.name, node.op)}: Constant has no value`);
}

function valueInfo(vi: any, what: string, isInput: boolean): ValueInfo {
  const name: string = vi.name;
  const tt = vi.type?.tensorType;
  if (vi.type && !tt) throw new UnsupportedError(`${what} '${name}' is not a tensor (sequences and maps are not supported)`);
  const elem = tt?.elemType ?? 0;
  if (elem !== 0 && elem !== DataType.FLOAT) {
    throw new UnsupportedError(`${what} '${name}' has type ${DATA_TYPE_NAMES[elem] ?? elem}; only float32 model ${isInput ? 'inputs' : 'outputs'} are supported`);
  }
  let dims: Dim[] = [];
  if (tt?.shape) {
    dims = (tt.shape.dim as any[]).map((d, i) => {
      if (d.dimParam) return d.dimParam as string;
      const v = d.dimValue == null ? 0 : int64ToNumber(d.dimValue, `${what} '${name}': dim ${i}`);
      if (v > 0) return v;
      return `${name}:${i}`; // unknown (0, -1 or absent): a symbol of its own
    });
  } else if (isInput) {
    throw new UnsupportedError(`${what} '${name}' has no shape in the model`);
  }
  return { name, dims, dtype: 'float32' };
}

/** Decodes and normalizes an ONNX model. Throws ModelFormatError (truncated, corrupt or inconsistent
 * bytes) or UnsupportedError (operators, domains, opsets, data types edgecnn does not implement). */
export function loadOnnx(bytes: Uint8Array): Graph {
  if (!(bytes instanceof Uint8Array)) throw new ModelFormatError('model bytes must be a Uint8Array');
  if (bytes.length === 0) throw new ModelFormatError('model is empty (0 bytes)');
  let model: any;
  try {
    model = decodeModel(bytes);
  } catch (e) {
    throw new ModelFormatError(`cannot decode ONNX model (${bytes.length} bytes; truncated or not an ONNX file): ${(e as Error)?.message ?? e}`, { cause: e });
  }
  try {
    return build(model);
  } catch (e) {
    if (e instanceof EdgeCnnError) throw e;
    // safety net: anything unexpected while reading a decoded (possibly corrupt) model is a format error
    throw new ModelFormatError(`inconsistent ONNX model: ${(e as Error)?.message ?? e}`, { cause: e });
  }
}

function build(model: any): Graph {
  const g = model.graph;
  if (!g) throw new ModelFormatError('ONNX model has no graph (truncated or not an ONNX file)');
  let opset = -1;
  for (const imp of model.opsetImport ?? []) {
    if (imp.domain === '' || imp.domain === 'ai.onnx' || imp.domain == null) opset = int64ToNumber(imp.version, 'opset_import version');
  }
  if (opset < 0) throw new ModelFormatError('ONNX model imports no opset of the default domain (truncated or not an ONNX file)');
  if (opset < MIN_OPSET || opset > MAX_OPSET) throw new UnsupportedError(`opset ${opset} of the default ONNX domain is not supported (opsets ${MIN_OPSET}–${MAX_OPSET} are)`);
  if (!g.node?.length) throw new ModelFormatError('ONNX graph has no nodes');

  const consts = new Map<string, ConstTensor>();
  for (const t of g.initializer) {
    if (!t.name) throw new ModelFormatError('initializer without a name');
    consts.set(t.name, tensorFromProto(t, 'initializer'));
  }
  const inputs: ValueInfo[] = [];
  for (const vi of g.input) {
    if (!vi.name) throw new ModelFormatError('graph input without a name');
    if (!consts.has(vi.name)) inputs.push(valueInfo(vi, 'model input', true));
  }
  if (!g.output?.length) throw new ModelFormatError('ONNX graph has no outputs');
  const outputs = (g.output as any[]).map((vi) => {
    if (!vi.name) throw new ModelFormatError('graph output without a name');
    return valueInfo(vi, 'model output', false);
  });

  const nodes: Node[] = [];
  const names = new Set<string>();
  const produced = new Set<string>([...inputs.map((v) => v.name), ...consts.keys()]);
  const aliases = new Map<string, string>(); // Identity/Dropout outputs -> their input
  (g.node as any[]).forEach((nd, index) => {
    const op: string = nd.opType;
    let name: string = nd.name || `${op || 'node'}_${index}`;
    while (names.has(name)) name = `${name}_${index}`;
    names.add(name);
    if (!op) throw new ModelFormatError(`node '${name}' has no operator type`);
    const domain: string = nd.domain ?? '';
    if (domain !== '' && domain !== 'ai.onnx') {
      throw new UnsupportedError(`${describe(name, op)}: operator domain '${domain}' is not supported (only the default ONNX domain)`);
    }
    if (!SUPPORTED_ONNX_OPS.has(op)) throw new UnsupportedError(`${describe(name, op)}: operator ${op} is not supported (opset ${opset})`);
    const node: Node = { name, op, inputs: Array.from(nd.input as string[]), outputs: Array.from(nd.output as string[]), attrs: {} };
    const need = minInputs(op, opset);
    if (node.inputs.length < need || node.inputs.slice(0, op === 'Concat' ? undefined : need).some((i) => i === '')) {
      throw new ModelFormatError(`${describe(name, op)}: expects at least ${need} input${need === 1 ? '' : 's'}, got [${node.inputs.map((i) => `'${i}'`).join(', ')}]`);
    }
    if (!node.outputs.length || node.outputs[0] === '') throw new ModelFormatError(`${describe(name, op)}: node has no output`);
    for (const o of node.outputs) {
      if (o === '') continue;
      if (produced.has(o)) throw new ModelFormatError(`${describe(name, op)}: value '${o}' is produced more than once`);
      produced.add(o);
    }
    const at = new Attrs(node, nd.attribute ?? []);
    if (op === 'Constant') {
      consts.set(node.outputs[0], constantValue(node, at));
      return;
    }
    if (op === 'Identity' || op === 'Dropout') {
      if (!node.inputs[0]) throw new ModelFormatError(`${describe(name, op)}: missing input`);
      if (op === 'Dropout' && node.outputs.slice(1).some((o) => o !== '')) {
        // the mask output is only meaningful in training; allow it when nothing reads it (checked below)
      }
      aliases.set(node.outputs[0], node.inputs[0]);
      nodes.push(node); // resolved below
      return;
    }
    normalize(node, at, opset);
    nodes.push(node);
  });

  // every input must be produced somewhere
  for (const n of nodes) {
    for (const i of n.inputs) {
      if (i !== '' && !produced.has(i)) throw new ModelFormatError(`${describe(n.name, n.op)}: input '${i}' is not produced by any node, initializer or graph input`);
    }
  }
  for (const o of outputs) if (!produced.has(o.name)) throw new ModelFormatError(`model output '${o.name}' is not produced by any node`);

  return removeIdentities({ inputs, outputs, nodes, consts, opset });
}

/** Removes Identity and Dropout nodes (inference: both copy their input). Keeps graph output names:
 * when an Identity's output is a graph output, its producer is renamed instead, or, when that is not
 * possible (the input is a graph input, another graph output, or a constant read elsewhere), the
 * Identity stays and bindAndFold turns it into a copy. */
export function removeIdentities(g: Graph): Graph {
  const outNames = new Set(g.outputs.map((o) => o.name));
  const inNames = new Set(g.inputs.map((i) => i.name));
  let nodes = g.nodes;
  for (;;) {
    const idx = nodes.findIndex((n) => (n.op === 'Identity' || n.op === 'Dropout') && !n.attrs.keep);
    if (idx < 0) break;
    const id = nodes[idx];
    const src = id.inputs[0], dst = id.outputs[0];
    const extra = id.outputs.slice(1).filter((o) => o !== '');
    if (extra.some((o) => outNames.has(o) || nodes.some((n) => n.inputs.includes(o)))) {
      throw new UnsupportedError(`${describe(id.name, id.op)}: the Dropout mask output is not supported`);
    }
    const rest = nodes.filter((_, i) => i !== idx);
    if (!outNames.has(dst)) {
      for (const n of rest) n.inputs = n.inputs.map((i) => (i === dst ? src : i));
      nodes = rest;
      continue;
    }
    if (g.consts.has(src)) { // constant output: copy the constant under the output's name
      g.consts.set(dst, g.consts.get(src)!);
      nodes = rest;
      continue;
    }
    const producer = rest.find((n) => n.outputs.includes(src));
    if (producer && !outNames.has(src) && !inNames.has(src)) {
      producer.outputs = producer.outputs.map((o) => (o === src ? dst : o));
      for (const n of rest) n.inputs = n.inputs.map((i) => (i === src ? dst : i));
      nodes = rest;
      continue;
    }
    id.op = 'Identity';
    id.outputs = [dst];
    id.attrs = { keep: true };
  }
  return { ...g, nodes };
}
