// ONNX TensorProto and int64 values as the IR's constants.
import { ModelFormatError, UnsupportedError } from '../../errors.js';
import type { ConstTensor } from '../ir.js';
import { DATA_TYPE_NAMES, DataType, int64FromParts } from './proto.js';
import type { TensorProto } from './schema.js';

const TWO_POW_53 = 2 ** 53;

/** A decoded int64 (the reader gives a number when |v| ≤ 2^53, exact, and a bigint beyond) -> number.
 * Exact up to ±2^53; beyond, it throws, or saturates to ±Infinity when `saturate` (ONNX uses
 * INT64_MAX/MIN as "to the end" in Slice). */
export function int64ToNumber(v: unknown, what: string, saturate = false): number {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'bigint') {
    if (v >= -(2n ** 53n) && v <= 2n ** 53n) return Number(v);
    if (saturate) return v > 0n ? Infinity : -Infinity;
    throw new ModelFormatError(`${what}: value ${v} is beyond ±2^53 and cannot be represented`);
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
export function tensorFromProto(t: TensorProto, what: string): ConstTensor {
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
        // Copied, even when raw_data happens to be 4-byte aligned: a view would keep the whole model
        // buffer alive for as long as any weight is (measured, mobilenet_v2: +13 MiB RSS after
        // Session.create, which releases the graph's weights), and ONNX files align few tensors anyway
        // (mobilenet_v2: 0.7 of 13.3 MiB). raw is a view of the model bytes (proto.ts).
        if (IS_LITTLE_ENDIAN) { data = new Float32Array(count); new Uint8Array(data.buffer).set(raw); }
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
          data[i] = int64ToNumber(int64FromParts(lo, hi), `${name}[${i}]`, true);
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
