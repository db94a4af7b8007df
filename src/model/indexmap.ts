// The data-movement operators (Pad, Expand, Tile, DepthToSpace, SpaceToDepth, Gather, GatherElements,
// Where) as index maps, described twice on purpose:
// - `elementSource`: per output element, which input element it is (a formula; constant folding and
//   the reference backend evaluate it element by element);
// - `movesOf`: the same map as a few strided copies, zero-stride fills and, where no stride pattern
//   exists, index tables, over per-axis strides a backend supplies (the wasm backend's physical NHWC or
//   dense strides, WebGPU's dense ones). A copy may read the output itself: Pad's edge, reflect and wrap
//   borders are copies of what is already written.
// The op-case tests compare both against onnxruntime, so a slip in either shows.
import type { Dims, Node } from './ir.js';
import { size } from './ir.js';

export const denseStrides = (d: readonly number[]): number[] => {
  const s = new Array<number>(d.length).fill(1);
  for (let i = d.length - 2; i >= 0; i--) s[i] = s[i + 1] * d[i + 1];
  return s;
};

/** Operators described here (planned data movement). */
export const INDEX_MAP_OPS: ReadonlySet<string> = new Set(['Pad', 'Expand', 'Tile', 'DepthToSpace', 'SpaceToDepth', 'Gather', 'GatherElements', 'Where']);

/** Per-axis pad geometry: the input is first cropped by negative pads (start `crop`, length `len`),
 * then `before`/`after` elements are added. */
export function padGeometry(pads: readonly number[], x: readonly number[]) {
  const r = x.length;
  const crop = x.map((_, d) => Math.max(0, -pads[d]));
  const len = x.map((v, d) => v - crop[d] - Math.max(0, -pads[d + r]));
  const before = x.map((_, d) => Math.max(0, pads[d]));
  const after = x.map((_, d) => Math.max(0, pads[d + r]));
  return { crop, len, before, after };
}

/** Where output element `idx` (logical multi-index) comes from: [input, dense offset in it], or null for
 * Pad's constant value. */
export type SourceFn = (idx: readonly number[]) => [number, number] | null;

const dot = (idx: readonly number[], st: readonly number[]) => { let s = 0; for (let i = 0; i < idx.length; i++) s += idx[i] * st[i]; return s; };

/** Offset in `dims` (dense) of the output index `idx` broadcast to it (right-aligned, size-1 axes read 0). */
function broadcastOffset(idx: readonly number[], dims: readonly number[]): number {
  const lead = idx.length - dims.length, st = denseStrides(dims);
  let s = 0;
  for (let d = 0; d < dims.length; d++) if (dims[d] !== 1) s += idx[d + lead] * st[d];
  return s;
}

export function elementSource(node: Node, inDims: readonly Dims[], out: Dims): SourceFn {
  const a = node.attrs, x = inDims[0], xs = denseStrides(x ?? []);
  switch (node.op) {
    case 'Pad': {
      const g = padGeometry(a.pads, x), mode: string = a.mode ?? 'constant';
      return (idx) => {
        let s = 0;
        for (let d = 0; d < x.length; d++) {
          let j = idx[d] - g.before[d];
          const L = g.len[d];
          if (j < 0 || j >= L) {
            if (mode === 'constant') return null;
            if (mode === 'edge') j = j < 0 ? 0 : L - 1;
            else if (mode === 'wrap') j = ((j % L) + L) % L;
            else { // reflect (pads ≤ len - 1, checked when lowered)
              const period = 2 * (L - 1);
              j = period === 0 ? 0 : ((j % period) + period) % period;
              if (j >= L) j = period - j;
            }
          }
          s += (g.crop[d] + j) * xs[d];
        }
        return [0, s];
      };
    }
    case 'Expand': return (idx) => [0, broadcastOffset(idx, x)];
    case 'Tile': return (idx) => [0, idx.reduce((s, v, d) => s + (v % x[d]) * xs[d], 0)];
    case 'DepthToSpace': {
      const b: number = a.blocksize, c2 = out[1];
      return ([n, c, h, w]) => {
        const i = h % b, j = w % b;
        const ch = a.mode === 'CRD' ? c * b * b + i * b + j : (i * b + j) * c2 + c;
        return [0, dot([n, ch, Math.floor(h / b), Math.floor(w / b)], xs)];
      };
    }
    case 'SpaceToDepth': {
      const b: number = a.blocksize, c1 = x[1];
      return ([n, c, h, w]) => {
        const blk = Math.floor(c / c1), ch = c % c1;
        return [0, dot([n, ch, h * b + Math.floor(blk / b), w * b + (blk % b)], xs)];
      };
    }
    case 'Gather': {
      const ax: number = a.axis, q = (a.indicesDims as number[]).length, ids: number[] = a.indices, is = denseStrides(a.indicesDims);
      return (idx) => {
        const flat = dot(idx.slice(ax, ax + q), is);
        const src = [...idx.slice(0, ax), ids[flat], ...idx.slice(ax + q)];
        return [0, dot(src, xs)];
      };
    }
    case 'GatherElements': {
      const ax: number = a.axis, ids: number[] = a.indices, os = denseStrides(out);
      return (idx) => {
        const src = idx.slice();
        src[ax] = ids[dot(idx, os)];
        return [0, dot(src, xs)];
      };
    }
    case 'Where': {
      const cond: number[] = a.cond, cd: number[] = a.condDims;
      return (idx) => {
        const k = cond[broadcastOffset(idx, cd)] ? 0 : 1;
        return [k, broadcastOffset(idx, inDims[k])];
      };
    }
    default: throw new Error(`internal: no index map for ${node.op}`);
  }
}

/** Calls `f` with every multi-index of `dims` in row-major order. */
export function forEachIndex(dims: readonly number[], f: (idx: number[], k: number) => void): void {
  const total = size(dims as number[]), idx = new Array(dims.length).fill(0);
  for (let k = 0; k < total; k++) {
    f(idx, k);
    for (let d = dims.length - 1; d >= 0; d--) { if (++idx[d] < dims[d]) break; idx[d] = 0; }
  }
}

// ---- moves ----

/** One axis of a move's iteration: it advances `mult` elements along `axis` of the operand (axis -1: none). */
export type AxisStep = [axis: number, mult: number];

/** A strided copy: for every index i < dims, dst[dstBase + Σ i_k·dst_k] = src[srcBase + Σ i_k·src_k], where
 * base and steps are in the operands' own axes (a backend multiplies by its strides). `from` is an input
 * position, 'out' the output itself, or 'value' Pad's fill value (a scalar: every src step is [-1, 0]). */
export interface CopyMove {
  kind: 'copy';
  from: number | 'out' | 'value';
  dims: number[];
  srcBase: number[];
  src: AxisStep[];
  dstBase: number[];
  dst: AxisStep[];
}

/** dst[dstIdx[k]] = src[srcIdx[k]], dense logical offsets (a backend maps them to its own). */
export interface TableMove {
  kind: 'table';
  from: number;
  srcIdx: Int32Array;
  dstIdx: Int32Array;
}

export type Move = CopyMove | TableMove;

const ident = (r: number, shift = 0): AxisStep[] => Array.from({ length: r }, (_, d) => [d + shift, 1] as AxisStep);

/** A move resolved over concrete strides (elements; offsets may be negative only transiently). */
export interface ResolvedCopy { dims: number[]; srcOffset: number; srcStrides: number[]; dstOffset: number; dstStrides: number[] }

export function resolveCopy(m: CopyMove, srcStrides: readonly number[], dstStrides: readonly number[]): ResolvedCopy {
  const st = (s: AxisStep, str: readonly number[]) => (s[0] < 0 ? 0 : s[1] * str[s[0]]);
  return {
    dims: m.dims,
    srcOffset: dot(m.srcBase, srcStrides.slice(0, m.srcBase.length)),
    srcStrides: m.src.map((s) => st(s, srcStrides)),
    dstOffset: dot(m.dstBase, dstStrides),
    dstStrides: m.dst.map((s) => st(s, dstStrides)),
  };
}

/** Physical offset of dense logical offset `off` of a tensor of `dims` with per-axis `strides`. */
export function physicalOffset(off: number, dims: readonly number[], strides: readonly number[]): number {
  let p = 0;
  for (let d = dims.length - 1; d >= 0; d--) { const i = off % dims[d]; off = (off - i) / dims[d]; p += i * strides[d]; }
  return p;
}

/** Tables of every output element by source input (for maps with no stride pattern). */
function tables(node: Node, inDims: readonly Dims[], out: Dims): TableMove[] {
  const src = elementSource(node, inDims, out);
  const per = new Map<number, { s: number[]; d: number[] }>();
  forEachIndex(out, (idx, k) => {
    const r = src(idx)!;
    let t = per.get(r[0]);
    if (!t) per.set(r[0], (t = { s: [], d: [] }));
    t.s.push(r[1]); t.d.push(k);
  });
  return [...per].map(([from, t]) => ({ kind: 'table', from, srcIdx: Int32Array.from(t.s), dstIdx: Int32Array.from(t.d) }));
}

/** Table entries a node's moves may build (for a memory check before building them). */
export function tableEntries(node: Node, out: Dims): number {
  return node.op === 'GatherElements' || node.op === 'Where' ? size(out) : 0;
}

/** The node's map as moves; applied in order, they write every output element exactly as elementSource says.
 * `innerFirst`: the output's axes from its smallest stride to its largest (default: the last axis first, a
 * dense layout); Tile replicates along the innermost axis in its first copy and then doubles outward. */
export function movesOf(node: Node, inDims: readonly Dims[], out: Dims, innerFirst?: readonly number[]): Move[] {
  const a = node.attrs, x = inDims[0], r = out.length;
  if (size(out) === 0) return [];
  switch (node.op) {
    case 'Pad': return padMoves(a, x, out);
    case 'Expand': {
      const lead = r - x.length;
      return [{ kind: 'copy', from: 0, dims: out.slice(), srcBase: x.map(() => 0), src: out.map((_, d) => (d < lead || x[d - lead] === 1 ? [-1, 0] : [d - lead, 1]) as AxisStep),
        dstBase: out.map(() => 0), dst: ident(r) }];
    }
    case 'Tile': return tileMoves(x, out, innerFirst ?? out.map((_, k) => r - 1 - k));
    case 'DepthToSpace': {
      const b: number = a.blocksize, c2 = out[1];
      // iterate the output as [n, c, h, i, w, j]
      const ci: AxisStep = a.mode === 'CRD' ? [1, b] : [1, b * c2], cj: AxisStep = a.mode === 'CRD' ? [1, 1] : [1, c2], cc: AxisStep = a.mode === 'CRD' ? [1, b * b] : [1, 1];
      return [{ kind: 'copy', from: 0, dims: [x[0], c2, x[2], b, x[3], b], srcBase: [0, 0, 0, 0], src: [[0, 1], cc, [2, 1], ci, [3, 1], cj],
        dstBase: [0, 0, 0, 0], dst: [[0, 1], [1, 1], [2, b], [2, 1], [3, b], [3, 1]] }];
    }
    case 'SpaceToDepth': {
      const b: number = a.blocksize, c1 = x[1];
      // iterate the input as [n, c, h, i, w, j]
      return [{ kind: 'copy', from: 0, dims: [x[0], c1, out[2], b, out[3], b], srcBase: [0, 0, 0, 0], src: [[0, 1], [1, 1], [2, b], [2, 1], [3, b], [3, 1]],
        dstBase: [0, 0, 0, 0], dst: [[0, 1], [1, 1], [2, 1], [1, b * c1], [3, 1], [1, c1]] }];
    }
    case 'Gather': return gatherMoves(a, x, out);
    case 'GatherElements': case 'Where': return tables(node, inDims, out);
    default: throw new Error(`internal: no moves for ${node.op}`);
  }
}

/** Tile: x with its innermost axis already repeated into the first block, then each further axis,
 * innermost first, copied from the blocks written so far (long rows of what is already tiled). */
function tileMoves(x: Dims, out: Dims, order: readonly number[]): Move[] {
  const r = x.length, inner = order[0], zeros = () => new Array(r).fill(0);
  const rep = (k: number) => out[k] / x[k];
  const moves: Move[] = [{
    kind: 'copy', from: 0, dims: x.flatMap((d, k) => (k === inner ? [rep(k), d] : [d])), srcBase: zeros(),
    src: x.flatMap((_, k) => (k === inner ? [[-1, 0], [k, 1]] : [[k, 1]]) as AxisStep[]), dstBase: zeros(),
    dst: x.flatMap((d, k) => (k === inner ? [[k, d], [k, 1]] : [[k, 1]]) as AxisStep[]),
  }];
  const done = new Set([inner]);
  for (const a of order.slice(1)) {
    if (rep(a) > 1) {
      const dstBase = zeros(); dstBase[a] = x[a];
      moves.push({
        kind: 'copy', from: 'out', dims: x.flatMap((d, k) => (k === a ? [rep(k) - 1, d] : [done.has(k) ? out[k] : d])), srcBase: zeros(),
        src: x.flatMap((_, k) => (k === a ? [[-1, 0], [k, 1]] : [[k, 1]]) as AxisStep[]), dstBase,
        dst: x.flatMap((d, k) => (k === a ? [[k, d], [k, 1]] : [[k, 1]]) as AxisStep[]),
      });
    }
    done.add(a);
  }
  return moves;
}

/** Gather with constant indices: one strided copy per run of indices in arithmetic progression along
 * the last index axis (a slice, a reversal, a stride), so common gathers are a handful of copies. */
function gatherMoves(a: Record<string, any>, x: Dims, out: Dims): Move[] {
  const ax: number = a.axis, ids: number[] = a.indices, idims: number[] = a.indicesDims, q = idims.length;
  const row = q ? idims[q - 1] : 1;
  const moves: Move[] = [];
  const pre = ident(ax), post = x.slice(ax + 1).map((_, k) => [ax + 1 + k, 1] as AxisStep);
  const postDst = post.map(([d, m]) => [d + q - 1, m] as AxisStep);
  for (let j0 = 0; j0 < ids.length;) {
    let n = 1, step = 0;
    if ((j0 % row) + 1 < row) {
      step = ids[j0 + 1] - ids[j0];
      n = 2;
      while ((j0 % row) + n < row && ids[j0 + n] - ids[j0 + n - 1] === step) n++;
    }
    const srcBase = x.map(() => 0); srcBase[ax] = ids[j0];
    const dstBase = out.map(() => 0);
    let rem = j0;
    for (let k = q - 1; k >= 0; k--) { dstBase[ax + k] = rem % idims[k]; rem = Math.floor(rem / idims[k]); }
    moves.push({
      kind: 'copy', from: 0, dims: [...x.slice(0, ax), n, ...x.slice(ax + 1)], srcBase, src: [...pre, [ax, step], ...post],
      dstBase, dst: [...pre, (q ? [ax + q - 1, 1] : [-1, 0]) as AxisStep, ...postDst],
    });
    j0 += n;
  }
  return moves;
}

function padMoves(a: Record<string, any>, x: Dims, out: Dims): Move[] {
  const r = x.length, g = padGeometry(a.pads, x), mode: string = a.mode ?? 'constant';
  const moves: Move[] = [];
  const zeros = () => new Array(r).fill(0);
  if (mode === 'constant') {
    moves.push({ kind: 'copy', from: 'value', dims: out.slice(), srcBase: [], src: out.map(() => [-1, 0] as AxisStep), dstBase: zeros(), dst: ident(r) });
  }
  if (size(g.len) > 0) {
    moves.push({ kind: 'copy', from: 0, dims: g.len.slice(), srcBase: g.crop.slice(), src: ident(r), dstBase: g.before.slice(), dst: ident(r) });
  }
  if (mode === 'constant') return moves;
  // borders axis by axis, copied from the output already written: axes before d span the whole
  // output, axes after d only the interior
  for (let d = 0; d < r; d++) {
    const L = g.len[d], P = g.before[d], Q = g.after[d];
    const region = (count: number) => out.map((v, k) => (k < d ? v : k === d ? count : g.len[k]));
    const base = () => out.map((_, k) => (k < d ? 0 : g.before[k]));
    const border = (count: number, dstAt: number, srcAt: number, mult: number) => {
      if (count <= 0) return;
      const srcBase = base(), dstBase = base();
      srcBase[d] = srcAt; dstBase[d] = dstAt;
      const src = ident(r); src[d] = [d, mult];
      moves.push({ kind: 'copy', from: 'out', dims: region(count), srcBase, src, dstBase, dst: ident(r) });
    };
    if (mode === 'edge') { border(P, 0, P, 0); border(Q, P + L, P + L - 1, 0); }
    else if (mode === 'reflect') { border(P, 0, 2 * P, -1); border(Q, P + L, P + L - 2, -1); }
    else { // wrap: chunks of at most L, outward from the interior, each copied from the one before
      for (let e = P; e > 0; e -= L) { const n = Math.min(L, e); border(n, e - n, e - n + L, 1); }
      for (let s = P + L; s < P + L + Q; s += L) { const n = Math.min(L, P + L + Q - s); border(n, s, s - L, 1); }
    }
  }
  return moves;
}
