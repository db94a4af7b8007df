// NumPy files for the command line: read a float32 .npy, write float32 .npy (format 1.0) and .npz
// (an uncompressed zip of .npy files, what `numpy.savez` writes). Little-endian hosts (all that run
// WebAssembly in practice) are assumed, as everywhere in edgecnn.
import { InvalidArgumentError } from './errors.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** A float32, C-order .npy file's values and shape; `what` names it in errors. */
export function decodeNpy(bytes: Uint8Array, what: string): { data: Float32Array; dims: number[] } {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new InvalidArgumentError(`${what}: not a .npy file`);
  const major = bytes[6];
  const hlen = major >= 2 ? bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (bytes[11] << 24) : bytes[8] | (bytes[9] << 8);
  const start = major >= 2 ? 12 : 10;
  const header = new TextDecoder().decode(bytes.subarray(start, start + hlen));
  if (!/'descr':\s*'<f4'/.test(header)) throw new InvalidArgumentError(`${what}: only little-endian float32 .npy is supported (${header.trim()})`);
  if (/'fortran_order':\s*True/.test(header)) throw new InvalidArgumentError(`${what}: Fortran-order arrays are not supported`);
  const dims = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1].split(',').map((s) => s.trim()).filter(Boolean).map(Number) ?? [];
  const body = bytes.slice(start + hlen);
  const data = new Float32Array(body.buffer, 0, body.byteLength >> 2);
  const n = dims.reduce((a, b) => a * b, 1);
  if (data.length !== n) throw new InvalidArgumentError(`${what}: shape (${dims.join(', ')}) needs ${n} values, the file has ${data.length}`);
  return { data, dims };
}

/** A .npy file (format 1.0, '<f4', C order) of `data` with shape `dims`. */
export function encodeNpy(data: Float32Array, dims: readonly number[]): Uint8Array {
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = Math.ceil((10 + header.length + 1) / 64) * 64; // numpy aligns the data to 64 bytes
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC);
  out[6] = 1; out[7] = 0;
  out[8] = header.length & 0xff; out[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** An .npz file: a zip (stored, not compressed) of `<name>.npy` entries, as `numpy.savez` writes. */
export function encodeNpz(arrays: { name: string; data: Float32Array; dims: readonly number[] }[]): Uint8Array {
  const enc = new TextEncoder();
  const locals: Uint8Array[] = [], centrals: Uint8Array[] = [];
  let offset = 0;
  for (const a of arrays) {
    const body = encodeNpy(a.data, a.dims);
    const name = enc.encode(`${a.name}.npy`);
    if (body.length > 0xfffffffe || offset > 0xfffffffe) throw new InvalidArgumentError(`output '${a.name}' is too large for an .npz without zip64 (${body.length} bytes): save it as .npy`);
    const crc = crc32(body);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);            // version needed
    lv.setUint16(6, 0, true);             // flags
    lv.setUint16(8, 0, true);             // stored
    lv.setUint16(10, 0, true);            // time
    lv.setUint16(12, 0x21, true);         // date: 1980-01-01
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, body.length, true);
    lv.setUint16(26, name.length, true);
    lv.setUint16(28, 0, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);            // made by
    cv.setUint16(6, 20, true);            // needed
    cv.setUint16(8, 0, true);
    cv.setUint16(10, 0, true);
    cv.setUint16(12, 0, true);
    cv.setUint16(14, 0x21, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, body.length, true);
    cv.setUint16(28, name.length, true);
    // extra, comment, disk, internal and external attributes: 0
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, body);
    centrals.push(central);
    offset += local.length + body.length;
  }
  const cdSize = centrals.reduce((s, c) => s + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, arrays.length, true);
  ev.setUint16(10, arrays.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + 22);
  let p = 0;
  for (const part of [...locals, ...centrals, end]) { out.set(part, p); p += part.length; }
  return out;
}
