// The part of onnx.proto edgecnn reads: every message, field number, name and type, as one table that
// the reader (proto.ts) and the test encoder (test/helpers/onnx-encode.ts) share. Field numbers are onnx.proto's (checked
// against onnx/onnx.proto3 and onnxruntime-web's generated onnx.js, and by decoding the torchvision
// models in test/fixtures/models). Property names are camelCase; error messages use the proto's
// snake_case names. Fields not listed here are skipped as unknown fields.

/** Field kinds: the proto scalar types edgecnn reads, and MESSAGE. */
export const Kind = { INT32: 0, INT64: 1, UINT64: 2, FLOAT: 3, DOUBLE: 4, STRING: 5, BYTES: 6, MESSAGE: 7 } as const;
export type KindCode = (typeof Kind)[keyof typeof Kind];

export interface FieldSpec {
  readonly no: number;
  /** Property name (camelCase). */
  readonly name: string;
  /** Name in onnx.proto (snake_case), for messages. */
  readonly proto: string;
  readonly kind: KindCode;
  readonly repeated: boolean;
  /** MESSAGE fields: the message type. */
  msg?: MessageSpec;
  /** The value of an absent singular field. */
  readonly def: unknown;
}
export interface MessageSpec {
  readonly name: string;
  readonly fields: readonly FieldSpec[];
  /** Fields by number (sparse). */
  readonly byNo: readonly (FieldSpec | undefined)[];
  /** A new message holding every field's default. */
  readonly create: () => any;
}

const R = true; // repeated
type Row = readonly [no: number, name: string, type: string, repeated?: boolean];

/** onnx.proto, the fields edgecnn reads. Types are proto scalar type names or message names. */
const TABLE: Record<string, readonly Row[]> = {
  ModelProto: [
    [1, 'irVersion', 'int64'], [2, 'producerName', 'string'], [3, 'producerVersion', 'string'], [4, 'domain', 'string'],
    [5, 'modelVersion', 'int64'], [6, 'docString', 'string'], [7, 'graph', 'GraphProto'], [8, 'opsetImport', 'OperatorSetIdProto', R],
  ],
  OperatorSetIdProto: [[1, 'domain', 'string'], [2, 'version', 'int64']],
  GraphProto: [
    [1, 'node', 'NodeProto', R], [2, 'name', 'string'], [5, 'initializer', 'TensorProto', R], [10, 'docString', 'string'],
    [11, 'input', 'ValueInfoProto', R], [12, 'output', 'ValueInfoProto', R], [13, 'valueInfo', 'ValueInfoProto', R],
  ],
  NodeProto: [
    [1, 'input', 'string', R], [2, 'output', 'string', R], [3, 'name', 'string'], [4, 'opType', 'string'],
    [5, 'attribute', 'AttributeProto', R], [6, 'docString', 'string'], [7, 'domain', 'string'],
  ],
  AttributeProto: [
    [1, 'name', 'string'], [2, 'f', 'float'], [3, 'i', 'int64'], [4, 's', 'bytes'], [5, 't', 'TensorProto'], [6, 'g', 'GraphProto'],
    [7, 'floats', 'float', R], [8, 'ints', 'int64', R], [9, 'strings', 'bytes', R], [10, 'tensors', 'TensorProto', R],
    [11, 'graphs', 'GraphProto', R], [13, 'docString', 'string'], [20, 'type', 'int32'], [21, 'refAttrName', 'string'],
  ],
  StringStringEntryProto: [[1, 'key', 'string'], [2, 'value', 'string']],
  TensorProto: [
    [1, 'dims', 'int64', R], [2, 'dataType', 'int32'], [4, 'floatData', 'float', R], [5, 'int32Data', 'int32', R],
    [6, 'stringData', 'bytes', R], [7, 'int64Data', 'int64', R], [8, 'name', 'string'], [9, 'rawData', 'bytes'],
    [10, 'doubleData', 'double', R], [11, 'uint64Data', 'uint64', R], [12, 'docString', 'string'],
    [13, 'externalData', 'StringStringEntryProto', R], [14, 'dataLocation', 'int32'],
  ],
  ValueInfoProto: [[1, 'name', 'string'], [2, 'type', 'TypeProto'], [3, 'docString', 'string']],
  TypeProto: [[1, 'tensorType', 'TypeProtoTensor'], [6, 'denotation', 'string']],
  TypeProtoTensor: [[1, 'elemType', 'int32'], [2, 'shape', 'TensorShapeProto']],
  TensorShapeProto: [[1, 'dim', 'TensorShapeDimension', R]],
  TensorShapeDimension: [[1, 'dimValue', 'int64'], [2, 'dimParam', 'string'], [3, 'denotation', 'string']],
};

const SCALARS: Record<string, KindCode> = {
  int32: Kind.INT32, int64: Kind.INT64, uint64: Kind.UINT64, float: Kind.FLOAT, double: Kind.DOUBLE, string: Kind.STRING, bytes: Kind.BYTES,
};
const EMPTY_BYTES = new Uint8Array(0);
const DEFAULTS: unknown[] = [0, 0, 0, 0, 0, '', EMPTY_BYTES, null];
const B = EMPTY_BYTES;

// One object literal per message (a stable shape, allocated at once; test/model/proto.test.ts checks
// that each lists exactly the table's fields).
const FACTORIES: Record<string, () => any> = {
  ModelProto: () => ({ irVersion: 0, producerName: '', producerVersion: '', domain: '', modelVersion: 0, docString: '', graph: null, opsetImport: [] }),
  OperatorSetIdProto: () => ({ domain: '', version: 0 }),
  GraphProto: () => ({ node: [], name: '', initializer: [], docString: '', input: [], output: [], valueInfo: [] }),
  NodeProto: () => ({ input: [], output: [], name: '', opType: '', attribute: [], docString: '', domain: '' }),
  AttributeProto: () => ({ name: '', f: 0, i: 0, s: B, t: null, g: null, floats: [], ints: [], strings: [], tensors: [], graphs: [], docString: '', type: 0, refAttrName: '' }),
  StringStringEntryProto: () => ({ key: '', value: '' }),
  TensorProto: () => ({ dims: [], dataType: 0, floatData: [], int32Data: [], stringData: [], int64Data: [], name: '', rawData: B, doubleData: [], uint64Data: [], docString: '', externalData: [], dataLocation: 0 }),
  ValueInfoProto: () => ({ name: '', type: null, docString: '' }),
  TypeProto: () => ({ tensorType: null, denotation: '' }),
  TypeProtoTensor: () => ({ elemType: 0, shape: null }),
  TensorShapeProto: () => ({ dim: [] }),
  TensorShapeDimension: () => ({ dimValue: 0, dimParam: '', denotation: '' }),
};

/** Every message of the table, by name, its message fields linked. */
export const MESSAGES: Readonly<Record<string, MessageSpec>> = (() => {
  const out: Record<string, MessageSpec> = {};
  for (const [name, rows] of Object.entries(TABLE)) {
    const fields = rows.map(([no, fname, type, repeated = false]): FieldSpec => {
      const kind = SCALARS[type] ?? Kind.MESSAGE;
      return { no, name: fname, proto: fname.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), kind, repeated, def: DEFAULTS[kind] };
    });
    const byNo: (FieldSpec | undefined)[] = [];
    for (const f of fields) byNo[f.no] = f;
    out[name] = { name, fields, byNo, create: FACTORIES[name] };
  }
  for (const [name, rows] of Object.entries(TABLE)) {
    rows.forEach(([, , type], i) => { if (!(type in SCALARS)) (out[name].fields[i] as FieldSpec).msg = out[type]; });
  }
  return out;
})();

/** A decoded int64/uint64: a number when exact (|v| ≤ 2^53), else a bigint (the exact value). */
export type Int64 = number | bigint;

// Decoded messages: every field present (absent ones hold the proto default: 0, '', empty bytes,
// [] for repeated fields, null for messages). Bytes are views of the decoded buffer.
export interface ModelProto {
  irVersion: Int64; producerName: string; producerVersion: string; domain: string; modelVersion: Int64; docString: string;
  graph: GraphProto | null; opsetImport: OperatorSetIdProto[];
}
export interface OperatorSetIdProto { domain: string; version: Int64 }
export interface GraphProto {
  node: NodeProto[]; name: string; initializer: TensorProto[]; docString: string;
  input: ValueInfoProto[]; output: ValueInfoProto[]; valueInfo: ValueInfoProto[];
}
export interface NodeProto {
  input: string[]; output: string[]; name: string; opType: string; attribute: AttributeProto[]; docString: string; domain: string;
}
export interface AttributeProto {
  name: string; f: number; i: Int64; s: Uint8Array; t: TensorProto | null; g: GraphProto | null;
  floats: number[]; ints: Int64[]; strings: Uint8Array[]; tensors: TensorProto[]; graphs: GraphProto[];
  docString: string; type: number; refAttrName: string;
}
export interface StringStringEntryProto { key: string; value: string }
export interface TensorProto {
  dims: Int64[]; dataType: number; floatData: number[]; int32Data: number[]; stringData: Uint8Array[]; int64Data: Int64[];
  name: string; rawData: Uint8Array; doubleData: number[]; uint64Data: Int64[]; docString: string;
  externalData: StringStringEntryProto[]; dataLocation: number;
}
export interface ValueInfoProto { name: string; type: TypeProto | null; docString: string }
export interface TypeProto { tensorType: TypeProtoTensor | null; denotation: string }
export interface TypeProtoTensor { elemType: number; shape: TensorShapeProto | null }
export interface TensorShapeProto { dim: TensorShapeDimension[] }
export interface TensorShapeDimension { dimValue: Int64; dimParam: string; denotation: string }
