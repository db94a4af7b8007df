// A small protobuf reader for the part of onnx.proto edgecnn reads (schema.ts), pure ESM and
// dependency-free. It reads the protobuf wire format strictly: varints of up to 10 bytes (64-bit values
// exact: numbers up to ±2^53, bigints beyond), length-delimited fields, packed and unpacked repeated
// scalars, fixed32/fixed64/float/double; unknown fields of every wire type (groups included) are
// skipped. Malformed input (truncation, a varint over 10 bytes, a length past the end of its message, a
// negative length, the wrong wire type for a known field, nesting deeper than MAX_DEPTH, field number 0,
// wire types 6/7) throws a ProtoError naming the field path and the byte offset; loadOnnx turns it into
// a ModelFormatError. bytes fields (raw_data) are views of the input, not copies.
import { Kind, MESSAGES, type FieldSpec, type Int64, type MessageSpec, type ModelProto } from './schema.js';

export type * from './schema.js';

/** TensorProto.DataType codes. */
export const DataType = {
  FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9,
  FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, COMPLEX64: 14, COMPLEX128: 15, BFLOAT16: 16,
} as const;
export const DATA_TYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(DataType).map(([k, v]) => [v, k.toLowerCase()]),
);

/** AttributeProto.AttributeType codes. */
export const AttrType = {
  UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8,
  TENSORS: 9, GRAPHS: 10, SPARSE_TENSOR: 11, SPARSE_TENSORS: 12, TYPE_PROTO: 13, TYPE_PROTOS: 14,
} as const;

/** Messages nest at most this deep (protobuf's own default recursion limit). */
export const MAX_DEPTH = 100;

/** A malformed protobuf: `path` is the field path from the root message, `offset` the byte offset. */
export class ProtoError extends Error {
  readonly path: string[] = [];
  private root = '';
  constructor(readonly detail: string, readonly offset: number) {
    super(detail);
    this.name = 'ProtoError';
    this.message = this.compose();
  }
  /** Called while unwinding: prepends a field (and, at the top, the root message's name). */
  within(label: string, root?: string): this {
    if (label) this.path.unshift(label);
    if (root) this.root = root;
    this.message = this.compose();
    return this;
  }
  private compose(): string {
    const where = [this.root, ...this.path].filter(Boolean).join('.');
    return `${where ? `${where}: ` : ''}${this.detail} at byte ${this.offset}`;
  }
}

const WIRE = ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32', 'invalid', 'invalid'];
const KIND_NAMES = ['int32', 'int64', 'uint64', 'float', 'double', 'string', 'bytes', 'message'];
const KIND_WIRE = [0, 0, 0, 5, 1, 2, 2, 2]; // each kind's wire type (repeated numeric kinds also take 2: packed)
const TWO_32 = 4294967296;

/** An int64 from its two's-complement halves: a number when exact (|v| ≤ 2^53), else a bigint. */
export function int64FromParts(lo: number, hi: number): Int64 {
  hi |= 0; lo >>>= 0;
  if (hi >= -0x200000 && (hi < 0x200000 || (hi === 0x200000 && lo === 0))) return hi * TWO_32 + lo;
  return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo));
}
/** A uint64 from its halves: a number when ≤ 2^53, else a bigint. */
export function uint64FromParts(lo: number, hi: number): Int64 {
  hi >>>= 0; lo >>>= 0;
  if (hi < 0x200000 || (hi === 0x200000 && lo === 0)) return hi * TWO_32 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

class Reader {
  pos = 0;
  limit: number;
  depth = 0;
  /** The halves of the last varint read (uint32 bit patterns as numbers). */
  lo = 0;
  hi = 0;
  /** The wire type and the offset of the last tag read. */
  wt = 0;
  tagAt = 0;
  readonly view: DataView;
  constructor(readonly buf: Uint8Array) {
    this.limit = buf.length;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  fail(detail: string, offset = this.pos): never {
    throw new ProtoError(detail, offset);
  }
  /** `n` more bytes must fit in the current message. */
  need(n: number, what: string): void {
    if (n > this.limit - this.pos) {
      this.fail(this.limit === this.buf.length
        ? `${what} needs ${n} bytes, ${this.limit - this.pos} left (truncated)`
        : `${what} needs ${n} bytes, ${this.limit - this.pos} left in its message (which ends at byte ${this.limit})`);
    }
  }

  /** Reads a varint into lo/hi. */
  varint(): void {
    const b = this.buf, lim = this.limit, start = this.pos;
    let p = start, x = 0, lo = 0, hi = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (p >= lim) this.truncatedVarint(start);
      x = b[p++]; lo |= (x & 0x7f) << shift;
      if (x < 0x80) { this.pos = p; this.lo = lo; this.hi = 0; return; }
    }
    if (p >= lim) this.truncatedVarint(start);
    x = b[p++]; lo |= (x & 0x0f) << 28; hi = (x & 0x7f) >> 4;
    if (x < 0x80) { this.pos = p; this.lo = lo >>> 0; this.hi = hi; return; }
    for (let shift = 3; shift < 32; shift += 7) { // bytes 6..10; bits past the 64th are dropped, as protobuf does
      if (p >= lim) this.truncatedVarint(start);
      x = b[p++]; hi |= (x & 0x7f) << shift;
      if (x < 0x80) { this.pos = p; this.lo = lo >>> 0; this.hi = hi >>> 0; return; }
    }
    this.fail('varint longer than 10 bytes', start);
  }
  private truncatedVarint(start: number): never {
    this.fail(this.limit === this.buf.length ? 'truncated varint' : `varint runs past the end of its message (which ends at byte ${this.limit})`, start);
  }

  /** A length prefix: must be a non-negative int32 and fit in the current message. */
  length(what = ''): number {
    const start = this.pos;
    this.varint();
    if (this.hi !== 0 || this.lo > 0x7fffffff) {
      const v = uint64FromParts(this.lo, this.hi);
      this.fail(`${what}length ${BigInt.asIntN(64, BigInt(v))} is negative or over 2^31`, start);
    }
    const n = this.lo;
    if (n > this.limit - this.pos) {
      this.fail(this.limit === this.buf.length
        ? `${what}length ${n} runs past the end of the input (${this.limit - this.pos} bytes left)`
        : `${what}length ${n} runs past the end of its message (${this.limit - this.pos} bytes left; the message ends at byte ${this.limit})`, start);
    }
    return n;
  }

  string(n: number): string {
    const b = this.buf, p = this.pos;
    this.pos += n;
    const bytes = b.subarray(p, p + n);
    if (n < 64) { // short ASCII (names): faster than TextDecoder
      let ascii = true;
      for (let i = p; i < p + n; i++) if (b[i] >= 0x80) { ascii = false; break; }
      if (ascii) return String.fromCharCode.apply(null, bytes as unknown as number[]);
    }
    return utf8.decode(bytes);
  }

  /** Skips one field of wire type `wt` (a group up to its end-group tag). */
  skip(wt: number, no: number): void {
    switch (wt) {
      case 0: this.varint(); return;
      case 1: this.need(8, 'fixed64'); this.pos += 8; return;
      case 2: { const n = this.length(); this.pos += n; return; }
      case 5: this.need(4, 'fixed32'); this.pos += 4; return;
      case 3: {
        if (++this.depth > MAX_DEPTH) this.fail(`groups nest deeper than ${MAX_DEPTH}`);
        for (;;) {
          const at = this.pos;
          if (at >= this.limit) this.fail(`group ${no} has no end-group tag`);
          const n = this.tag(), w = this.wt;
          if (w === 4) {
            if (n !== no) this.fail(`end-group tag of field ${n} inside group ${no}`, at);
            this.depth--;
            return;
          }
          this.skip(w, n);
        }
      }
      case 4: this.fail('unexpected end-group tag', this.tagAt);
      default: this.fail(`invalid wire type ${wt}`, this.tagAt);
    }
  }

  /** A tag: returns the field number, sets `wt`. */
  tag(): number {
    const at = this.pos;
    this.varint();
    if (this.hi !== 0) this.fail('tag over 32 bits', at);
    const no = this.lo >>> 3;
    if (no === 0) this.fail('field number 0', at);
    this.wt = this.lo & 7;
    this.tagAt = at;
    return no;
  }
}

const utf8 = new TextDecoder('utf-8');

/** One scalar of a numeric kind at the reader's position. */
function scalar(r: Reader, kind: number): number | bigint {
  switch (kind) {
    case Kind.INT32: r.varint(); return r.lo | 0;
    case Kind.INT64: r.varint(); return r.hi === 0 && r.lo < 0x80000000 ? r.lo : int64FromParts(r.lo, r.hi);
    case Kind.UINT64: r.varint(); return uint64FromParts(r.lo, r.hi);
    case Kind.FLOAT: { r.need(4, 'float'); const v = r.view.getFloat32(r.pos, true); r.pos += 4; return v; }
    default: { r.need(8, 'double'); const v = r.view.getFloat64(r.pos, true); r.pos += 8; return v; }
  }
}

function field(r: Reader, f: FieldSpec, wt: number, o: any): void {
  const kind = f.kind, want = KIND_WIRE[kind];
  if (wt !== want) {
    if (wt === 2 && f.repeated && kind <= Kind.DOUBLE) { // packed
      const n = r.length('packed: ');
      const end = r.pos + n, outer = r.limit, arr = o[f.name] as unknown[];
      if (kind === Kind.FLOAT && n % 4 || kind === Kind.DOUBLE && n % 8) r.fail(`packed ${KIND_NAMES[kind]} field of ${n} bytes`);
      r.limit = end;
      while (r.pos < end) arr.push(scalar(r, kind));
      r.limit = outer;
      return;
    }
    r.fail(`wire type ${wt} (${WIRE[wt]}) for a field of type ${KIND_NAMES[kind]}${f.repeated ? ' (repeated)' : ''}`, r.tagAt);
  }
  let v: unknown;
  switch (kind) {
    case Kind.MESSAGE: {
      const n = r.length();
      if (r.depth >= MAX_DEPTH) r.fail(`messages nest deeper than ${MAX_DEPTH}`);
      const outer = r.limit;
      r.limit = r.pos + n;
      r.depth++;
      // a singular message field seen twice merges, as protobuf specifies
      v = message(r, f.msg!, f.repeated ? undefined : o[f.name] ?? undefined);
      r.depth--;
      r.limit = outer;
      break;
    }
    case Kind.STRING: v = r.string(r.length()); break;
    case Kind.BYTES: { const n = r.length(); v = r.buf.subarray(r.pos, r.pos + n); r.pos += n; break; }
    default: v = scalar(r, kind);
  }
  if (f.repeated) (o[f.name] as unknown[]).push(v);
  else o[f.name] = v;
}

function message(r: Reader, spec: MessageSpec, into?: any): any {
  const o = into ?? spec.create();
  let f: FieldSpec | undefined, no = 0;
  try {
    while (r.pos < r.limit) {
      f = undefined; no = 0;
      no = r.tag();
      f = spec.byNo[no];
      if (f === undefined) r.skip(r.wt, no);
      else field(r, f, r.wt, o);
    }
  } catch (e) {
    if (e instanceof ProtoError) {
      const label = f ? (f.repeated && f.kind === Kind.MESSAGE ? `${f.proto}[${o[f.name].length}]` : f.proto) : no ? `<field ${no}>` : '';
      e.within(label);
    }
    throw e;
  }
  return o;
}

/** Decodes one message of the schema (by name: 'ModelProto', 'TensorProto', ...). */
export function decodeMessage(bytes: Uint8Array, type: string): any {
  const spec = MESSAGES[type];
  if (!spec) throw new Error(`unknown message type ${type}`);
  const r = new Reader(bytes);
  try {
    return message(r, spec);
  } catch (e) {
    if (e instanceof ProtoError) e.within('', type);
    throw e;
  }
}

/** Decodes ModelProto bytes into a `ModelProto` (schema.ts; typed `any` so that callers may edit it
 * freely, as tests do). Throws ProtoError on malformed input; the loader wraps it. */
export function decodeModel(bytes: Uint8Array): any {
  return decodeMessage(bytes, 'ModelProto') as ModelProto;
}
