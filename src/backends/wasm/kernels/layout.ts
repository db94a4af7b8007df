// Host side of the layout kernels (assembly/layout.ts): NCHW <-> NHWC at the graph boundary, and general
// strided copies (Transpose, Slice, Concat, Split, Pad, relayouts). Pointers are absolute byte addresses,
// strides in floats.
import type { ConstWriter, NhwcRef, Step } from './types.js';
import { coalesceDims, lowerCopy2d } from './eltwise.js';
import { step } from '../abi.js';

/** Tile edge of f32_transpose2d. */
export const TRANSPOSE_TILE = 16;

export interface Transpose2dDesc {
  batch: number;
  rows: number;
  cols: number;
  src: number;
  srcBatch: number;
  srcRow: number;
  dst: number;
  dstBatch: number;
  dstRow: number;
}

/**
 * dst[b][j][i] = src[b][i][j] (b < batch, i < rows, j < cols, with the given batch/row strides). One Step
 * `f32_transpose2d(src, srcBatch, srcRow, dst, dstBatch, dstRow, rows, cols, begin, end)`,
 * range = batch * ceil(rows/16) * ceil(cols/16) tiles.
 */
export function lowerTranspose2d(d: Transpose2dDesc): Step[] {
  const range = d.batch * Math.ceil(d.rows / TRANSPOSE_TILE) * Math.ceil(d.cols / TRANSPOSE_TILE);
  if (range === 0) return [];
  return [step('f32_transpose2d', d, range, 0, undefined, 8 * d.batch * d.rows * d.cols)];
}

/** Dense NCHW [n, c, h, w] at byte address `src` → NHWC tensor t (its pixelStride; channels ≥ c untouched). */
export function lowerNchwToNhwc(src: number, t: NhwcRef, cw?: ConstWriter): Step[] {
  void cw;
  const hw = t.h * t.w;
  return lowerTranspose2d({ batch: t.n, rows: t.c, cols: hw, src, srcBatch: t.c * hw, srcRow: hw, dst: t.ptr, dstBatch: hw * t.pixelStride, dstRow: t.pixelStride });
}

/** NHWC tensor t → dense NCHW [n, c, h, w] at byte address `dst`. */
export function lowerNhwcToNchw(t: NhwcRef, dst: number, cw?: ConstWriter): Step[] {
  void cw;
  const hw = t.h * t.w;
  return lowerTranspose2d({ batch: t.n, rows: hw, cols: t.c, src: t.ptr, srcBatch: hw * t.pixelStride, srcRow: t.pixelStride, dst, dstBatch: t.c * hw, dstRow: hw });
}

export interface StridedCopyDesc {
  /** Element counts per axis (any rank). */
  dims: readonly number[];
  src: number;
  /** Element strides of src per axis (any non-negative values). */
  srcStrides: readonly number[];
  dst: number;
  dstStrides: readonly number[];
}

/**
 * dst[Σ i_k*dstStrides[k]] = src[Σ i_k*srcStrides[k]] for every index < dims. Dims are coalesced first, then:
 * - ≤ 2 dims, both inner strides 1 → `f32_copy2d` (eltwise.ts);
 * - a batched transpose of the two inner dims (≤ 3 dims; one operand has stride 1 on the last dim, the
 *   other on the one before) → `f32_transpose2d`;
 * - else `f32_strided_copy(src, dst, prm, begin, end)` with prm = cw.i32(dims[6], srcStrides[6], dstStrides[6])
 *   (leading dims 1), range = product of the 5 outer dims; more than 6 dims → one Step per outer index.
 */
export function lowerStridedCopy(d: StridedCopyDesc, cw: ConstWriter): Step[] {
  if (d.dims.some((x) => x === 0)) return [];
  const c = coalesceDims(d.dims, [d.srcStrides, d.dstStrides]);
  let dims = c.dims;
  let [ss, ds] = c.strides;
  if (dims.length === 0) { dims = [1]; ss = [1]; ds = [1]; }
  const r = dims.length;
  if (r <= 2 && ss[r - 1] === 1 && ds[r - 1] === 1) {
    return lowerCopy2d({ src: d.src, srcStride: r === 2 ? ss[0] : 0, dst: d.dst, dstStride: r === 2 ? ds[0] : 0, rows: r === 2 ? dims[0] : 1, cols: dims[r - 1] });
  }
  if ((r === 2 || r === 3) && ss[r - 1] === 1 && ds[r - 2] === 1 && ds[r - 1] !== 1) {
    return lowerTranspose2d({
      batch: r === 3 ? dims[0] : 1, rows: dims[r - 2], cols: dims[r - 1],
      src: d.src, srcBatch: r === 3 ? ss[0] : 0, srcRow: ss[r - 2], dst: d.dst, dstBatch: r === 3 ? ds[0] : 0, dstRow: ds[r - 1],
    });
  }
  if ((r === 2 || r === 3) && ss[r - 2] === 1 && ds[r - 1] === 1 && ss[r - 1] !== 1) {
    // the same transpose seen from the destination (iteration in dst order, e.g. NHWC → dense NCHW)
    return lowerTranspose2d({
      batch: r === 3 ? dims[0] : 1, rows: dims[r - 1], cols: dims[r - 2],
      src: d.src, srcBatch: r === 3 ? ss[0] : 0, srcRow: ss[r - 1], dst: d.dst, dstBatch: r === 3 ? ds[0] : 0, dstRow: ds[r - 2],
    });
  }
  const outer = r - 6;
  const steps: Step[] = [];
  const emit = (src: number, dst: number) => {
    const k = Math.max(0, outer);
    const lead = Math.max(0, -outer);
    const dd = [...new Array(lead).fill(1), ...dims.slice(k)];
    const s6 = [...new Array(lead).fill(0), ...ss.slice(k)];
    const d6 = [...new Array(lead).fill(0), ...ds.slice(k)];
    const prm = cw.i32(Int32Array.from([...dd, ...s6, ...d6]));
    const range = dd[0] * dd[1] * dd[2] * dd[3] * dd[4];
    steps.push(step('f32_strided_copy', { src, dst, prm }, range, 0, undefined, 8 * range * dd[5]));
  };
  const walk = (k: number, src: number, dst: number) => {
    if (k >= outer) { emit(src, dst); return; }
    for (let i = 0; i < dims[k]; i++) walk(k + 1, src + i * ss[k] * 4, dst + i * ds[k] * 4);
  };
  walk(0, d.src, d.dst);
  return steps;
}

/** Row-major strides (in elements) of dense `dims`. */
export function denseStrides(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) { s[i] = acc; acc *= dims[i]; }
  return s;
}

/**
 * dst[table[2k+1]] = src[table[2k]] (offsets in floats) for every entry: an index map with no stride
 * pattern. One Step `f32_gather_table(src, dst, table, begin, end)`, range = entries.
 */
export function lowerGatherTable(src: number, dst: number, table: Int32Array, cw: ConstWriter): Step[] {
  if (table.length === 0) return [];
  return [step('f32_gather_table', { src, dst, table: cw.i32(table) }, table.length / 2, 0, undefined, 8 * table.length)];
}
