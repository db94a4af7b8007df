// Builds ONNX ModelProto bytes in code (src/model/onnx/encode.ts, on the loader's own schema), for
// one-node and small-graph tests. Attribute types are inferred: integer numbers -> INT, other numbers -> FLOAT,
// arrays likewise (INTS unless some element is fractional), strings -> STRING, {dims,data,dtype}
// -> TENSOR. Attributes that ONNX defines as floats (alpha, beta, epsilon, min, max, value, ...) are
// always FLOAT(S); wrap a value with `float()`/`floats()`/`int()`/`ints()` to force a type.
import { AttrType, DataType } from '../../src/model/onnx/proto.js';
import { encodeModel } from './onnx-encode.js';

export type DType = 'float32' | 'int64' | 'int32' | 'bool' | 'float64' | 'float16' | 'uint8' | 'string';
export interface TensorSpec { dims: number[]; data: ArrayLike<number>; dtype?: DType }
export interface NodeSpec { op: string; inputs: string[]; outputs: string[]; attrs?: Record<string, unknown>; name?: string; domain?: string }
export interface ValueSpec { name: string; dims?: (number | string)[]; dtype?: DType }
export interface ModelSpec {
  opset?: number;
  irVersion?: number;
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  nodes: NodeSpec[];
  initializers?: Record<string, TensorSpec>;
  /** Extra opset imports, e.g. [{ domain: 'com.microsoft', version: 1 }]. */
  extraOpsets?: { domain: string; version: number }[];
  /** Encode initializers in the typed fields (float_data, int64_data) instead of raw_data. */
  typedFields?: boolean;
}

const FLOAT_ATTRS = new Set(['alpha', 'beta', 'epsilon', 'momentum', 'min', 'max', 'value', 'gamma', 'bias',
  'value_float', 'value_floats', 'scales', 'extrapolation_value', 'cubic_coeff_a', 'ratio', 'lambd']);

class Typed { constructor(readonly type: number, readonly value: unknown) {} }
export const float = (v: number) => new Typed(AttrType.FLOAT, v);
export const floats = (v: number[]) => new Typed(AttrType.FLOATS, v);
export const int = (v: number) => new Typed(AttrType.INT, v);
export const ints = (v: number[]) => new Typed(AttrType.INTS, v);
export const tensor = (v: TensorSpec) => new Typed(AttrType.TENSOR, v);

const DT: Record<DType, number> = {
  float32: DataType.FLOAT, int64: DataType.INT64, int32: DataType.INT32, bool: DataType.BOOL,
  float64: DataType.DOUBLE, float16: DataType.FLOAT16, uint8: DataType.UINT8, string: DataType.STRING,
};

export function tensorProto(name: string, t: TensorSpec, typedFields = false): Record<string, unknown> {
  const dtype = t.dtype ?? 'float32';
  const n = t.data.length;
  const base = { name, dims: t.dims, dataType: DT[dtype] };
  if (typedFields) {
    if (dtype === 'float32') return { ...base, floatData: Array.from(t.data) };
    if (dtype === 'int64') return { ...base, int64Data: Array.from(t.data) };
    if (dtype === 'float64') return { ...base, doubleData: Array.from(t.data) };
    return { ...base, int32Data: Array.from(t.data) };
  }
  let raw: Uint8Array;
  switch (dtype) {
    case 'float32': raw = new Uint8Array(Float32Array.from(t.data).buffer); break;
    case 'float64': raw = new Uint8Array(Float64Array.from(t.data).buffer); break;
    case 'int32': raw = new Uint8Array(Int32Array.from(t.data).buffer); break;
    case 'int64': raw = new Uint8Array(BigInt64Array.from(Array.from(t.data, (v) => BigInt(v))).buffer); break;
    case 'bool': case 'uint8': raw = Uint8Array.from(t.data); break;
    case 'float16': raw = new Uint8Array(Uint16Array.from(t.data).buffer); break; // data already half bits
    default: throw new Error(`tensorProto: dtype ${dtype}`);
  }
  void n;
  return { ...base, rawData: raw };
}

function isTensorSpec(v: unknown): v is TensorSpec {
  return !!v && typeof v === 'object' && 'dims' in (v as any) && 'data' in (v as any);
}

export function attribute(name: string, v: unknown): Record<string, unknown> {
  let type: number, value = v;
  if (v instanceof Typed) { type = v.type; value = v.value; }
  else if (typeof v === 'string') type = AttrType.STRING;
  else if (isTensorSpec(v)) type = AttrType.TENSOR;
  else if (typeof v === 'number') type = FLOAT_ATTRS.has(name) || !Number.isInteger(v) ? AttrType.FLOAT : AttrType.INT;
  else if (typeof v === 'boolean') { type = AttrType.INT; value = v ? 1 : 0; }
  else if (Array.isArray(v)) type = FLOAT_ATTRS.has(name) || v.some((x) => !Number.isInteger(x)) ? AttrType.FLOATS : AttrType.INTS;
  else throw new Error(`attribute '${name}': cannot infer the type of ${JSON.stringify(v)}`);
  const a: Record<string, unknown> = { name, type };
  switch (type) {
    case AttrType.FLOAT: a.f = value; break;
    case AttrType.INT: a.i = value; break;
    case AttrType.STRING: a.s = new TextEncoder().encode(value as string); break;
    case AttrType.TENSOR: a.t = tensorProto('', value as TensorSpec); break;
    case AttrType.FLOATS: a.floats = value; break;
    case AttrType.INTS: a.ints = value; break;
    default: throw new Error(`attribute type ${type}`);
  }
  return a;
}

function valueInfo(v: ValueSpec): Record<string, unknown> {
  const tensorType: Record<string, unknown> = { elemType: DT[v.dtype ?? 'float32'] };
  if (v.dims) tensorType.shape = { dim: v.dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) };
  return { name: v.name, type: { tensorType } };
}

/** IR version onnxruntime expects with each opset. */
export function irVersionFor(opset: number): number {
  return opset <= 8 ? 3 : opset === 9 ? 4 : opset === 10 ? 5 : opset === 11 ? 6 : opset <= 14 ? 7 : opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
}

export function makeModel(spec: ModelSpec): Uint8Array {
  const opset = spec.opset ?? 13;
  const ir = spec.irVersion ?? irVersionFor(opset);
  const inits = Object.entries(spec.initializers ?? {});
  const inputs = spec.inputs.map(valueInfo);
  if (ir < 4) for (const [name, t] of inits) inputs.push(valueInfo({ name, dims: t.dims, dtype: t.dtype })); // IR 3: initializers are graph inputs
  return encodeModel({
    irVersion: ir,
    producerName: 'edgecnn-test',
    opsetImport: [{ domain: '', version: opset }, ...(spec.extraOpsets ?? [])],
    graph: {
      name: 'test',
      node: spec.nodes.map((n, i) => ({
        name: n.name ?? `${n.op}_${i}`,
        opType: n.op,
        input: n.inputs,
        output: n.outputs,
        domain: n.domain ?? '',
        attribute: Object.entries(n.attrs ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => attribute(k, v)),
      })),
      initializer: inits.map(([name, t]) => tensorProto(name, t, spec.typedFields)),
      input: inputs,
      output: spec.outputs.map(valueInfo),
    },
  });
}

/** A one-node model: input 'x' (and more inputs if given), output 'y'. */
export function oneNode(op: string, attrs: Record<string, unknown>, x: ValueSpec[], initializers: Record<string, TensorSpec> = {}, opset = 13, yDims?: (number | string)[], extraInputs: string[] = []): Uint8Array {
  return makeModel({
    opset,
    inputs: x,
    outputs: [{ name: 'y', dims: yDims }],
    nodes: [{ op, inputs: [...x.map((v) => v.name), ...Object.keys(initializers), ...extraInputs], outputs: ['y'], attrs }],
    initializers,
  });
}
