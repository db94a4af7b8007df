// Binds symbolic input dims to concrete shapes, computes every value's dims, evaluates everything
// computable from constants (shape arithmetic), and lowers the loader's pre-fold nodes to the planned
// operators (ops.ts PLANNED_OPS) with fully resolved, normalized attributes.
import { EdgeCnnError, InvalidArgumentError, LayerError, ModelFormatError, ResourceLimitError, UnsupportedError, describe } from '../errors.js';
import type { ConstTensor, Dims, Graph, Node } from './ir.js';
import { size } from './ir.js';
import { OPS, PLANNED_OPS, inferNode } from './ops.js';
import { axisPhases, broadcast } from './shapes.js';
import { activationFn } from './activation.js';
import { elementSource, forEachIndex, padGeometry } from './indexmap.js';

export interface Folded { graph: Graph; dims: Map<string, number[]> }

/** Nodes in topological order (stable: ties keep model order). Throws ModelFormatError on a cycle
 * or on an input nobody produces. */
export function topoSort(nodes: Node[], available: Iterable<string>): Node[] {
  const have = new Set(available);
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => { if (o) producer.set(o, i); }));
  const indeg = new Array(nodes.length).fill(0);
  const users: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    for (const inp of new Set(n.inputs)) {
      if (inp === '' || have.has(inp)) continue;
      const p = producer.get(inp);
      if (p === undefined) throw new ModelFormatError(`${describe(n.name, n.op)}: input '${inp}' is not produced by any node, initializer or graph input`);
      indeg[i]++;
      users[p].push(i);
    }
  });
  // stable Kahn: always take the lowest ready index (a binary min-heap of indices: O(n log n))
  const ready: number[] = [];
  const push = (v: number) => {
    let j = ready.push(v) - 1;
    while (j > 0) {
      const up = (j - 1) >> 1;
      if (ready[up] <= v) break;
      ready[j] = ready[up]; j = up;
    }
    ready[j] = v;
  };
  const pop = (): number => {
    const top = ready[0], last = ready.pop()!;
    if (ready.length) {
      let j = 0;
      for (;;) {
        let c = 2 * j + 1;
        if (c >= ready.length) break;
        if (c + 1 < ready.length && ready[c + 1] < ready[c]) c++;
        if (ready[c] >= last) break;
        ready[j] = ready[c]; j = c;
      }
      ready[j] = last;
    }
    return top;
  };
  indeg.forEach((d, i) => { if (d === 0) push(i); });
  const out: Node[] = [];
  while (ready.length) {
    const i = pop();
    out.push(nodes[i]);
    for (const u of users[i]) if (--indeg[u] === 0) push(u);
  }
  if (out.length !== nodes.length) {
    const stuck = nodes.find((_, i) => indeg[i] > 0)!;
    throw new ModelFormatError(`graph has a cycle through ${describe(stuck.name, stuck.op)}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// constant tensors

const isFloat = (t: ConstTensor) => t.dtype === 'float32';

/** Elements a folded constant may have beyond its largest input. Folding builds plain arrays: a model
 * must not be able to make create allocate gigabytes out of a few bytes (a 141-byte ConstantOfShape can
 * ask for 2^29 elements). A fold that only moves an initializer's values (a transposed weight) may be
 * as large as that initializer, which the file itself holds. */
export const MAX_FOLD_ELEMENTS = 1 << 24;

function checkFoldSize(node: Node, dims: readonly number[], ...inputs: (ConstTensor | undefined)[]): void {
  const n = size(dims as number[]);
  if (n > MAX_FOLD_ELEMENTS && inputs.every((t) => !t || n > size(t.dims))) {
    throw new ResourceLimitError(`${describe(node.name, node.op)}: folding a constant of shape [${dims.join(', ')}] (${n} elements) exceeds the limit of ${MAX_FOLD_ELEMENTS} elements for constant folding`);
  }
}
const mk = (dtype: ConstTensor['dtype'], dims: Dims, values: ArrayLike<number>): ConstTensor => ({
  dtype, dims, data: dtype === 'float32' ? Float32Array.from(values) : Array.from(values),
});
const ints = (t: ConstTensor): number[] => Array.from(t.data as ArrayLike<number>);
const strides = (dims: Dims) => { const s = new Array(dims.length).fill(1); for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1] * dims[i + 1]; return s; };

function castValue(v: number, to: ConstTensor['dtype']): number {
  if (to === 'float32') return Math.fround(v);
  if (to === 'bool') return v ? 1 : 0;
  if (!Number.isFinite(v)) return v; // saturated int64 sentinels stay as they are
  const t = Math.trunc(v);
  return to === 'int32' ? t | 0 : t;
}

function broadcastBinary(node: Node, a: ConstTensor, b: ConstTensor, f: (x: number, y: number) => number, dtype: ConstTensor['dtype'] = a.dtype): ConstTensor {
  const n = Math.max(a.dims.length, b.dims.length);
  const pa = [...new Array(n - a.dims.length).fill(1), ...a.dims], pb = [...new Array(n - b.dims.length).fill(1), ...b.dims];
  const od = pa.map((d, i) => {
    if (d !== pb[i] && d !== 1 && pb[i] !== 1) throw new LayerError(node.name, node.op, `cannot broadcast shapes [${a.dims.join(', ')}] and [${b.dims.join(', ')}]`);
    return d === 1 ? pb[i] : d;
  });
  checkFoldSize(node, od, a, b);
  const sa = strides(pa), sb = strides(pb), total = size(od);
  const out = new Array<number>(total);
  const idx = new Array(n).fill(0);
  const da = a.data as ArrayLike<number>, db = b.data as ArrayLike<number>;
  for (let k = 0; k < total; k++) {
    let ia = 0, ib = 0;
    for (let d = 0; d < n; d++) { if (pa[d] !== 1) ia += idx[d] * sa[d]; if (pb[d] !== 1) ib += idx[d] * sb[d]; }
    out[k] = f(da[ia], db[ib]);
    for (let d = n - 1; d >= 0; d--) { if (++idx[d] < od[d]) break; idx[d] = 0; }
  }
  return mk(dtype, od, dtype === 'float32' ? out : out.map((v) => castValue(v, dtype)));
}

/** Gathers from `t` along `axis` by per-axis index lists (used by Slice, Gather, Transpose helpers). */
function select(node: Node, t: ConstTensor, pick: number[][]): ConstTensor {
  const od = pick.map((p) => p.length), st = strides(t.dims), total = size(od);
  checkFoldSize(node, od, t);
  const out = new Array<number>(total);
  const idx = new Array(od.length).fill(0);
  const data = t.data as ArrayLike<number>;
  for (let k = 0; k < total; k++) {
    let off = 0;
    for (let d = 0; d < od.length; d++) off += pick[d][idx[d]] * st[d];
    out[k] = data[off];
    for (let d = od.length - 1; d >= 0; d--) { if (++idx[d] < od[d]) break; idx[d] = 0; }
  }
  return mk(t.dtype, od, out);
}

function transposeConst(t: ConstTensor, perm: number[]): ConstTensor {
  const od = perm.map((p) => t.dims[p]), st = strides(t.dims), total = size(od);
  const out = new Array<number>(total);
  const idx = new Array(od.length).fill(0);
  const data = t.data as ArrayLike<number>;
  for (let k = 0; k < total; k++) {
    let off = 0;
    for (let d = 0; d < od.length; d++) off += idx[d] * st[perm[d]];
    out[k] = data[off];
    for (let d = od.length - 1; d >= 0; d--) { if (++idx[d] < od[d]) break; idx[d] = 0; }
  }
  return mk(t.dtype, od, out);
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

// ---------------------------------------------------------------------------------------------
// attribute resolution shared by constant evaluation and lowering

function axisIn(node: Node, axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new LayerError(node.name, node.op, `${what} ${axis} out of range for rank ${rank}`);
  return a;
}

/** Flatten's axis lies in [-r, r]; a negative one counts from the back (r + axis). */
function flattenAxis(node: Node, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a > rank) throw new LayerError(node.name, node.op, `axis ${axis} out of range for rank ${rank}`);
  return a;
}

function resolveReshape(node: Node, x: Dims, spec: number[], allowzero: boolean): Dims {
  let infer = -1;
  const out = spec.map((d, i) => {
    if (d === 0 && !allowzero) {
      if (i >= x.length) throw new LayerError(node.name, node.op, `shape [${spec.join(', ')}] copies dim ${i} of a rank-${x.length} input`);
      return x[i];
    }
    if (d === -1) {
      if (infer >= 0) throw new LayerError(node.name, node.op, `shape [${spec.join(', ')}] has more than one -1`);
      infer = i;
      return 1;
    }
    if (!Number.isInteger(d) || d < 0) throw new LayerError(node.name, node.op, `invalid shape [${spec.join(', ')}]`);
    return d;
  });
  if (infer >= 0) {
    const known = size(out);
    if (known === 0 || size(x) % known !== 0) throw new LayerError(node.name, node.op, `cannot reshape [${x.join(', ')}] to [${spec.join(', ')}]`);
    out[infer] = size(x) / known;
  }
  if (size(out) !== size(x)) throw new LayerError(node.name, node.op, `cannot reshape [${x.join(', ')}] to [${spec.join(', ')}]`);
  return out;
}

function resolveSqueeze(node: Node, x: Dims, axes: number[] | undefined): Dims {
  if (!axes) return x.filter((d) => d !== 1);
  const ax = new Set(axes.map((a) => axisIn(node, a, x.length)));
  for (const a of ax) if (x[a] !== 1) throw new LayerError(node.name, node.op, `cannot squeeze axis ${a} of size ${x[a]} (shape [${x.join(', ')}])`);
  return x.filter((_, i) => !ax.has(i));
}

function resolveUnsqueeze(node: Node, x: Dims, axes: number[]): Dims {
  const r = x.length + axes.length;
  const ax = new Set(axes.map((a) => axisIn(node, a, r)));
  if (ax.size !== axes.length) throw new LayerError(node.name, node.op, `repeated axes [${axes.join(', ')}]`);
  const out: Dims = [];
  let j = 0;
  for (let i = 0; i < r; i++) out.push(ax.has(i) ? 1 : x[j++]);
  return out;
}

/** Normalized Slice parameters: one entry per sliced axis, starts/ends clamped per ONNX rules. */
function resolveSlice(node: Node, x: Dims, starts: number[], ends: number[], axes?: number[], steps?: number[]) {
  const ax = axes ?? range(starts.length);
  const st = steps ?? ax.map(() => 1);
  if (starts.length !== ends.length || ax.length !== starts.length || st.length !== starts.length) {
    throw new LayerError(node.name, node.op, `starts [${starts.join(', ')}], ends [${ends.join(', ')}], axes [${ax.join(', ')}] and steps [${st.join(', ')}] differ in length`);
  }
  const out = { starts: [] as number[], ends: [] as number[], axes: [] as number[], steps: [] as number[] };
  const seen = new Set<number>();
  ax.forEach((a0, i) => {
    const a = axisIn(node, a0, x.length);
    if (seen.has(a)) throw new LayerError(node.name, node.op, `axis ${a} repeated`);
    seen.add(a);
    const d = x[a], s = st[i];
    if (!Number.isInteger(s) || s === 0) throw new LayerError(node.name, node.op, `step ${s} must be a non-zero integer`);
    let b = starts[i] < 0 ? starts[i] + d : starts[i];
    let e = ends[i] < 0 ? ends[i] + d : ends[i];
    if (s > 0) { b = Math.min(Math.max(b, 0), d); e = Math.min(Math.max(e, 0), d); }
    else { b = Math.min(Math.max(b, 0), d - 1); e = Math.min(Math.max(e, -1), d - 1); }
    out.starts.push(b); out.ends.push(e); out.axes.push(a); out.steps.push(s);
  });
  return out;
}

function sliceIndices(d: number, b: number, e: number, s: number): number[] {
  const r: number[] = [];
  if (s > 0) for (let i = b; i < e; i += s) r.push(i);
  else for (let i = b; i > e; i += s) r.push(i);
  void d;
  return r;
}

function autoPads(node: Node, x: Dims, a: any): number[] {
  if (!a.autoPad || a.autoPad === 'NOTSET') return a.pads;
  if (a.autoPad === 'VALID') return [0, 0, 0, 0];
  const p = [0, 0, 0, 0];
  for (let i = 0; i < 2; i++) {
    const inp = x[2 + i], s = a.strides[i], k = (a.kernel[i] - 1) * a.dilations[i] + 1;
    const total = Math.max(0, (Math.ceil(inp / s) - 1) * s + k - inp);
    const small = Math.floor(total / 2), big = total - small;
    if (a.autoPad === 'SAME_UPPER') { p[i] = small; p[i + 2] = big; } else { p[i] = big; p[i + 2] = small; }
  }
  void node;
  return p;
}

/**
 * ConvTranspose pads [t, l, b, r] of the planned node from auto_pad, output_padding and output_shape
 * (onnxruntime's rules, checked against it): the total padding is S·(in−1) + output_padding + (F−1)·D + 1
 * − out, with out = output_shape, or in·S for SAME_* (there at least 0); SAME_UPPER puts floor(total/2) at the beginning,
 * SAME_LOWER and an explicit output_shape put the larger half there. The end pad holds − output_padding,
 * so the shape rule is the plain S·(in−1) + (F−1)·D + 1 − P_begin − P_end.
 */
function transposePads(node: Node, x: Dims, a: any): number[] {
  const n = a.strides.length;
  const p = new Array(2 * n).fill(0);
  const op: number[] = a.outputPadding ?? new Array(n).fill(0);
  for (let i = 0; i < n; i++) {
    const inp = x[2 + i], s = a.strides[i], k = (a.kernel[i] - 1) * a.dilations[i] + 1;
    if (!(op[i] >= 0 && (op[i] < s || op[i] < a.dilations[i]))) throw new LayerError(node.name, node.op, `output_padding [${op.join(', ')}] must be non-negative and smaller than the stride or the dilation`);
    const full = s * (inp - 1) + op[i] + k;
    let begin: number, end: number;
    const want = a.outputShape ? a.outputShape[i] : a.autoPad === 'SAME_UPPER' || a.autoPad === 'SAME_LOWER' ? inp * s : undefined;
    if (want !== undefined) {
      // SAME_* without output_shape: onnxruntime pads max(0, ·), so the output may be shorter than in·S
      const total = a.outputShape ? full - want : Math.max(0, full - want);
      if (total < 0) throw new LayerError(node.name, node.op, `output_shape [${(a.outputShape ?? []).join(', ')}] is larger than the full output ${full} (input ${inp}, stride ${s}, kernel extent ${k}, output_padding ${op[i]})`);
      begin = a.autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2);
      end = total - begin;
    } else if (a.autoPad === 'VALID') { begin = 0; end = 0; } else { begin = a.pads[i]; end = a.pads[i + n]; }
    p[i] = begin; p[i + n] = end - op[i];
  }
  void node;
  return p;
}

/**
 * A 1-D Conv, ConvTranspose or pooling on [N, C, L] as its 2-D form on [N, C, 1, L]: a Reshape in, the node
 * with H = 1 (kernel, stride, dilation 1 and no padding along H; 1-D weights [O, I, K] become [O, I, 1, K]),
 * a Reshape out. Back-to-back Reshapes between 1-D layers cancel in the passes (cancelReshapes), so a 1-D
 * chain stays 4-D on every backend (no relayout copy per layer on wasm's NHWC).
 */
function lower1d(node: Node, x: Dims, consts: Map<string, ConstTensor>, addConst: (base: string, t: ConstTensor) => string,
  fresh: (base: string) => string, dims: Map<string, number[]>): Node[] {
  const a = node.attrs;
  const x4 = [x[0], x[1], 1, x[2]];
  const in4 = fresh(`${node.inputs[0]}__2d`), out4 = fresh(`${node.outputs[0]}__2d`);
  const n2: Node = { ...node, inputs: [in4, ...node.inputs.slice(1)], outputs: [out4], attrs: { ...a } };
  const b = n2.attrs;
  delete b.rank1;
  if (!node.op.startsWith('Global')) {
    if (node.op === 'Conv' || node.op === 'ConvTranspose') {
      const w = consts.get(node.inputs[1])!;
      if (w.dims.length !== 3) throw new LayerError(node.name, node.op, `weights [${w.dims.join(', ')}] do not fit a 1-D convolution`);
      n2.inputs[1] = addConst(`${node.inputs[1]}__2d`, { ...w, dims: [w.dims[0], w.dims[1], 1, w.dims[2]] });
      b.kernel ??= [w.dims[2]];
    }
    if (b.kernel.length !== 1) throw new LayerError(node.name, node.op, `kernel_shape [${b.kernel.join(', ')}] does not fit a 1-D input [${x.join(', ')}]`);
    b.kernel = [1, b.kernel[0]]; b.strides = [1, b.strides[0]]; b.dilations = [1, b.dilations[0]];
    b.pads = [0, b.pads[0], 0, b.pads[1]];
    if (b.outputPadding) b.outputPadding = [0, b.outputPadding[0]];
    if (b.outputShape) b.outputShape = [1, b.outputShape[0]];
  }
  dims.set(in4, x4);
  const inner = lower(n2, [x4, ...n2.inputs.slice(1).map((i) => (i === '' ? [] : dims.get(i)!))], consts, addConst, fresh, dims);
  const reshapeIn: Node = { name: fresh(`${node.name}__to2d`), op: 'Reshape', inputs: [node.inputs[0]], outputs: [in4], attrs: { shape: x4 } };
  // the output's 1-D dims: the 2-D node's output with H (= 1) dropped
  const y4 = inferNode(inner[0], inner[0].inputs.map((i) => (i === '' ? [] : dims.get(i)!)))[0];
  const reshapeOut: Node = { name: fresh(`${node.name}__to1d`), op: 'Reshape', inputs: [out4], outputs: node.outputs, attrs: { shape: [y4[0], y4[1], y4[3]] } };
  return [reshapeIn, ...inner, reshapeOut];
}

/** Explicit pads [begins..., ends...] of n spatial axes from auto_pad (ONNX rules; as autoPads for 2-D). */
function autoPadsN(x: Dims, a: any, n: number): number[] {
  if (!a.autoPad || a.autoPad === 'NOTSET') return a.pads;
  const p = new Array(2 * n).fill(0);
  if (a.autoPad === 'VALID') return p;
  for (let i = 0; i < n; i++) {
    const inp = x[2 + i], s = a.strides[i], k = (a.kernel[i] - 1) * a.dilations[i] + 1;
    const total = Math.max(0, (Math.ceil(inp / s) - 1) * s + k - inp);
    const small = Math.floor(total / 2), big = total - small;
    if (a.autoPad === 'SAME_UPPER') { p[i] = small; p[i + n] = big; } else { p[i] = big; p[i + n] = small; }
  }
  return p;
}

/**
 * 3-D convolution on [N, C, D, H, W] as a 2-D convolution over depth taps unfolded into channels: for each
 * group g and depth tap t, a Slice takes the input depths od·sd − pd + t·dd (od < OD) of the group's channels
 * (after a Pad along D when the depth padding is not zero); a Concat stacks them as channels (g, t, c); a
 * Transpose and a Reshape make [N·OD, C·kd, H, W]; the 2-D Conv (weights [C_out, kd·C/groups, kh, kw],
 * W'[o][t·Cg + c] = W[o][c][t], the H/W strides, pads, dilations and groups) gives [N·OD, C_out, OH, OW];
 * a Reshape and a Transpose make [N, C_out, OD, OH, OW]. Every operator is a planned 2-D one (any backend);
 * the unfolded input costs kd times the input's memory.
 */
function lowerConv3d(node: Node, x: Dims, consts: Map<string, ConstTensor>, addConst: (base: string, t: ConstTensor) => string,
  fresh: (base: string) => string, dims: Map<string, number[]>): Node[] {
  const a = node.attrs;
  const w = consts.get(node.inputs[1])!;
  const [cout, cg, kd, kh, kw] = w.dims;
  a.kernel ??= [kd, kh, kw];
  if (a.kernel.length !== 3 || a.kernel[0] !== kd || a.kernel[1] !== kh || a.kernel[2] !== kw) throw new LayerError(node.name, node.op, `kernel [${a.kernel.join(', ')}] does not match weights [${w.dims.join(', ')}]`);
  const groups = a.groups;
  const [N, C, D, H, Wd] = x;
  if (!(Number.isInteger(groups) && groups >= 1 && C % groups === 0 && cout % groups === 0 && cg * groups === C)) {
    throw new LayerError(node.name, node.op, `weights [${w.dims.join(', ')}] with groups ${groups} do not fit input channels ${C}`);
  }
  const pads = autoPadsN(x, a, 3);
  const [sd, dd] = [a.strides[0], a.dilations[0]];
  const [pd0, pd1] = [pads[0], pads[3]];
  const od = Math.floor((D + pd0 + pd1 - dd * (kd - 1) - 1) / sd) + 1;
  if (!(od >= 1 && sd >= 1 && dd >= 1 && pd0 >= 0 && pd1 >= 0)) throw new LayerError(node.name, node.op, `kernel depth ${kd} (dilation ${dd}, pads ${pd0}+${pd1}, stride ${sd}) does not fit input depth ${D}`);
  const out: Node[] = [];
  const value = (base: string, d: Dims) => { const v = fresh(`${node.outputs[0]}__${base}`); dims.set(v, d); return v; };
  const add = (op: string, inputs: string[], d: Dims, attrs: Record<string, any>, base: string): string => {
    const v = value(base, d);
    out.push({ name: fresh(`${node.name}__${base}`), op, inputs, outputs: [v], attrs });
    return v;
  };
  let src = node.inputs[0];
  const Dp = D + pd0 + pd1;
  if (pd0 || pd1) src = add('Pad', [src], [N, C, Dp, H, Wd], { pads: [0, 0, pd0, 0, 0, 0, 0, pd1, 0, 0], value: 0 }, 'padD');
  const slices: string[] = [];
  for (let g = 0; g < groups; g++) for (let t = 0; t < kd; t++) {
    const start = t * dd, end = start + (od - 1) * sd + 1;
    slices.push(add('Slice', [src], [N, cg, od, H, Wd], { starts: [g * cg, start], ends: [(g + 1) * cg, end], axes: [1, 2], steps: [1, sd] }, `tap${g}_${t}`));
  }
  const stacked = slices.length === 1 ? slices[0] : add('Concat', slices, [N, C * kd, od, H, Wd], { axis: 1 }, 'unfold');
  const moved = add('Transpose', [stacked], [N, od, C * kd, H, Wd], { perm: [0, 2, 1, 3, 4] }, 'depthMajor');
  const x2 = add('Reshape', [moved], [N * od, C * kd, H, Wd], { shape: [N * od, C * kd, H, Wd] }, 'as2d');
  // W'[o][t·cg + c][ky][kx] = W[o][c][t][ky][kx]
  const src5 = w.data as Float32Array, wd = new Float32Array(src5.length), hw = kh * kw;
  for (let o = 0; o < cout; o++) for (let t = 0; t < kd; t++) for (let c = 0; c < cg; c++) {
    wd.set(src5.subarray(((o * cg + c) * kd + t) * hw, ((o * cg + c) * kd + t + 1) * hw), ((o * kd + t) * cg + c) * hw);
  }
  const w2 = addConst(`${node.inputs[1]}__unfolded`, { dtype: 'float32', dims: [cout, kd * cg, kh, kw], data: wd });
  const conv: Node = {
    name: node.name, op: 'Conv', inputs: [x2, w2, ...(node.inputs[2] ? [node.inputs[2]] : [])], outputs: [''],
    attrs: { kernel: [kh, kw], strides: a.strides.slice(1), pads: [pads[1], pads[2], pads[4], pads[5]], dilations: a.dilations.slice(1), groups },
  };
  const y2d = inferNode(conv, conv.inputs.map((i) => dims.get(i)!))[0];
  conv.outputs = [value('conv2d', y2d)];
  out.push(conv);
  const [, , oh, ow] = y2d;
  const y5 = add('Reshape', [conv.outputs[0]], [N, od, cout, oh, ow], { shape: [N, od, cout, oh, ow] }, 'as5d');
  out.push({ name: fresh(`${node.name}__channelsFirst`), op: 'Transpose', inputs: [y5], outputs: node.outputs, attrs: { perm: [0, 2, 1, 3, 4] } });
  return out;
}

/**
 * 3-D ConvTranspose by phases along depth (the sub-pixel decomposition of the wasm lowering, here in the
 * graph): output depths od = r + q·sd of phase r receive, for each depth tap t with (r + pd − t·dd) ≡ 0 mod sd,
 * input depth q + (r + pd − t·dd)/sd. Per phase: Slices of the (depth-padded) input stacked as channels
 * (g, t, c), a Transpose and a Reshape to [N·Q, C·T_r, H, W], one 2-D ConvTranspose (weights
 * [C·T_r, C_out/groups, kh, kw], the H/W attributes; a phase without taps gets one zero-weight tap: bias only),
 * a Reshape to [N, Q, 1, C_out, OH·OW]; the phases are concatenated on axis 2 (depth q·sd + r), cropped to OD
 * and transposed to [N, C_out, OD, OH, OW]. Only taps that contribute are multiplied (no zero insertion).
 */
function lowerConvTranspose3d(node: Node, x: Dims, consts: Map<string, ConstTensor>, addConst: (base: string, t: ConstTensor) => string,
  fresh: (base: string) => string, dims: Map<string, number[]>): Node[] {
  const a = node.attrs;
  const w = consts.get(node.inputs[1])!;
  const [cin, coutG, kd, kh, kw] = w.dims;
  a.kernel ??= [kd, kh, kw];
  if (a.kernel.length !== 3 || a.kernel[0] !== kd || a.kernel[1] !== kh || a.kernel[2] !== kw) throw new LayerError(node.name, node.op, `kernel [${a.kernel.join(', ')}] does not match weights [${w.dims.join(', ')}]`);
  const groups = a.groups;
  const [N, C, D, H, Wd] = x;
  if (!(Number.isInteger(groups) && groups >= 1 && cin === C && C % groups === 0)) throw new LayerError(node.name, node.op, `weights [${w.dims.join(', ')}] with groups ${groups} do not fit input channels ${C}`);
  const cg = C / groups, cout = coutG * groups;
  const pads = transposePads(node, x, a);
  const [sd, dd] = [a.strides[0], a.dilations[0]];
  const OD = sd * (D - 1) + (kd - 1) * dd + 1 - pads[0] - pads[3];
  if (!(OD >= 1)) throw new LayerError(node.name, node.op, `pads [${pads.join(', ')}] leave no output depth (input ${D})`);
  const phases = axisPhases(OD, D, kd, sd, dd, pads[0]), P = phases.length, Q = phases[0].count;
  const out: Node[] = [];
  const add = (op: string, inputs: string[], d: Dims, attrs: Record<string, any>, base: string, output?: string): string => {
    const v = output ?? fresh(`${node.outputs[0]}__${base}`);
    dims.set(v, d);
    out.push({ name: fresh(`${node.name}__${base}`), op, inputs, outputs: [v], attrs });
    return v;
  };
  // depth padding so that every tap's slice [offset, offset + Q) lies inside
  const offs = phases.flatMap((ph) => ph.taps.map((t) => t.offset));
  const lo = Math.max(0, -Math.min(0, ...offs)), hi = Math.max(0, Math.max(0, ...offs) + Q - D);
  const src = lo || hi ? add('Pad', [node.inputs[0]], [N, C, D + lo + hi, H, Wd], { pads: [0, 0, lo, 0, 0, 0, 0, hi, 0, 0], value: 0 }, 'padD') : node.inputs[0];
  const parts: string[] = [];
  const src5 = w.data as Float32Array, hw = kh * kw;
  for (const ph of phases) {
    const taps = ph.taps.length ? ph.taps : [{ k: -1, offset: 0 }];
    const T = taps.length, slices: string[] = [];
    for (let g = 0; g < groups; g++) for (const t of taps) {
      slices.push(add('Slice', [src], [N, cg, Q, H, Wd], { starts: [g * cg, lo + t.offset], ends: [(g + 1) * cg, lo + t.offset + Q], axes: [1, 2], steps: [1, 1] }, `r${ph.r}tap${g}_${t.k}`));
    }
    const stacked = slices.length === 1 ? slices[0] : add('Concat', slices, [N, C * T, Q, H, Wd], { axis: 1 }, `r${ph.r}unfold`);
    const moved = add('Transpose', [stacked], [N, Q, C * T, H, Wd], { perm: [0, 2, 1, 3, 4] }, `r${ph.r}depthMajor`);
    const x2 = add('Reshape', [moved], [N * Q, C * T, H, Wd], { shape: [N * Q, C * T, H, Wd] }, `r${ph.r}as2d`);
    // W'[(g·T + j)·cg + c][co] = W[g·cg + c][co][k_j] (zero for the bias-only tap)
    const wd = new Float32Array(C * T * coutG * hw);
    for (let g = 0; g < groups; g++) taps.forEach((t, j) => {
      if (t.k < 0) return;
      for (let c = 0; c < cg; c++) for (let co = 0; co < coutG; co++) {
        const from = (((g * cg + c) * coutG + co) * kd + t.k) * hw, to = ((((g * T + j) * cg + c) * coutG) + co) * hw;
        wd.set(src5.subarray(from, from + hw), to);
      }
    });
    const w2 = addConst(`${node.inputs[1]}__phase${ph.r}`, { dtype: 'float32', dims: [C * T, coutG, kh, kw], data: wd });
    const conv: Node = {
      name: fresh(`${node.name}__phase${ph.r}`), op: 'ConvTranspose', inputs: [x2, w2, ...(node.inputs[2] ? [node.inputs[2]] : [])], outputs: [''],
      attrs: { kernel: [kh, kw], strides: a.strides.slice(1), pads: [pads[1], pads[2], pads[4], pads[5]], dilations: a.dilations.slice(1), groups },
    };
    const y2 = inferNode(conv, conv.inputs.map((i) => dims.get(i)!))[0];
    conv.outputs = [fresh(`${node.outputs[0]}__phase${ph.r}`)];
    dims.set(conv.outputs[0], y2);
    out.push(conv);
    parts.push(add('Reshape', [conv.outputs[0]], [N, Q, 1, cout, y2[2] * y2[3]], { shape: [N, Q, 1, cout, y2[2] * y2[3]] }, `r${ph.r}as5d`));
  }
  const y2d = dims.get(out.find((n) => n.op === 'ConvTranspose')!.outputs[0])!, [oh, ow] = [y2d[2], y2d[3]];
  let y = parts.length === 1 ? parts[0] : add('Concat', parts, [N, Q, P, cout, oh * ow], { axis: 2 }, 'interleave');
  y = add('Reshape', [y], [N, Q * P, cout, oh, ow], { shape: [N, Q * P, cout, oh, ow] }, 'depths');
  if (Q * P !== OD) y = add('Slice', [y], [N, OD, cout, oh, ow], { starts: [0], ends: [OD], axes: [1], steps: [1] }, 'crop');
  add('Transpose', [y], [N, cout, OD, oh, ow], { perm: [0, 2, 1, 3, 4] }, 'channelsFirst', node.outputs[0]);
  return out;
}

/**
 * 3-D pooling on [N, C, D, H, W] as two 2-D poolings (every window is a box, so max, average — with or
 * without the padding counted, ceil mode included — and Lp pooling separate exactly by axes): over (H, W) on
 * [N, C·D, H, W], then over D on [N, C, D, OH·OW] with a kd x 1 window; Reshapes between (through the
 * 5-D shape: a 4-D → 4-D reshape is not free on an NHWC backend).
 */
function lowerPool3d(node: Node, x: Dims, consts: Map<string, ConstTensor>, addConst: (base: string, t: ConstTensor) => string,
  fresh: (base: string) => string, dims: Map<string, number[]>): Node[] {
  void consts; void addConst;
  const a = node.attrs;
  if (!a.kernel || a.kernel.length !== 3) throw new LayerError(node.name, node.op, `kernel_shape [${(a.kernel ?? []).join(', ')}] does not fit a 3-D input [${x.join(', ')}]`);
  const pads = autoPadsN(x, a, 3);
  const [N, C, D, H, W] = x;
  const out: Node[] = [];
  const add = (op: string, input: string, d: Dims | null, attrs: Record<string, any>, base: string, output?: string): string => {
    const n: Node = { name: fresh(`${node.name}__${base}`), op, inputs: [input], outputs: [output ?? fresh(`${node.outputs[0]}__${base}`)], attrs };
    const od = d ?? inferNode(n, [dims.get(input)!])[0];
    dims.set(n.outputs[0], od);
    out.push(n);
    return n.outputs[0];
  };
  const common = { ceilMode: a.ceilMode, ...(node.op === 'AveragePool' ? { countIncludePad: a.countIncludePad } : {}), ...(node.op === 'LpPool' ? { p: a.p } : {}) };
  const x4 = add('Reshape', node.inputs[0], [N, C * D, H, W], { shape: [N, C * D, H, W] }, 'hw');
  const p1 = add(node.op, x4, null, { kernel: a.kernel.slice(1), strides: a.strides.slice(1), pads: [pads[1], pads[2], pads[4], pads[5]], dilations: a.dilations.slice(1), ...common }, 'poolHW');
  const [, , oh, ow] = dims.get(p1)!;
  const m5 = add('Reshape', p1, [N, C, D, oh, ow], { shape: [N, C, D, oh, ow] }, 'split');
  const d4 = add('Reshape', m5, [N, C, D, oh * ow], { shape: [N, C, D, oh * ow] }, 'dhw');
  const p2 = add(node.op, d4, null, { kernel: [a.kernel[0], 1], strides: [a.strides[0], 1], pads: [pads[0], 0, pads[3], 0], dilations: [a.dilations[0], 1], ...common }, 'poolD');
  const od = dims.get(p2)![2];
  add('Reshape', p2, [N, C, od, oh, ow], { shape: [N, C, od, oh, ow] }, 'out', node.outputs[0]);
  return out;
}

// ---------------------------------------------------------------------------------------------

/** Binds input dims, folds constants and lowers every node to planned operators. */
export function bindAndFold(graph: Graph, inputDims: Record<string, number[]>): Folded {
  const dims = new Map<string, number[]>();
  bindInputs(graph, inputDims ?? {}, dims);
  const consts = new Map(graph.consts);
  for (const [k, c] of consts) dims.set(k, c.dims.slice());
  const sorted = topoSort(graph.nodes, [...graph.inputs.map((i) => i.name), ...consts.keys()]);
  const outNames = new Set(graph.outputs.map((o) => o.name));
  const rename = new Map<string, string>();
  const out: Node[] = [];
  const names = new Set(graph.nodes.map((n) => n.name));
  const fresh = (base: string) => { let s = base, i = 1; while (names.has(s) || dims.has(s) || consts.has(s)) s = `${base}_${i++}`; names.add(s); return s; };
  const addConst = (base: string, t: ConstTensor) => { const n = fresh(base); consts.set(n, t); dims.set(n, t.dims.slice()); return n; };

  for (const orig of sorted) {
    const node: Node = { ...orig, inputs: orig.inputs.map((i) => rename.get(i) ?? i), outputs: orig.outputs.slice(), attrs: { ...orig.attrs } };
    try {
      const inDims = node.inputs.map((i) => (i === '' ? [] : dims.get(i)));
      node.inputs.forEach((i, k) => { if (i !== '' && !inDims[k]) throw new ModelFormatError(`${describe(node.name, node.op)}: input '${i}' has no known shape`); });
      const allConst = node.inputs.every((i) => i === '' || consts.has(i));
      if (node.op === 'Shape' || (allConst && OPS[node.op]?.folds)) {
        const results = evaluate(node, node.inputs.map((i) => consts.get(i)!), inDims as Dims[]);
        results.forEach((t, k) => { const o = node.outputs[k]; if (o) { consts.set(o, t); dims.set(o, t.dims.slice()); } });
        continue;
      }
      const only = OPS[node.op]?.constantOnly;
      if (only) throw new UnsupportedError(`${describe(node.name, node.op)}: operator ${node.op} is only supported on constant (shape) data${typeof only === 'string' ? ` (${only})` : ''}`);
      if ((node.op === 'Identity' || node.op === 'Cast')) {
        if (node.op === 'Cast' && node.attrs.to !== 'float32') throw new UnsupportedError(`${describe(node.name, node.op)}: Cast of float activations to ${node.attrs.to} is not supported`);
        if (!outNames.has(node.outputs[0])) { rename.set(node.outputs[0], node.inputs[0]); dims.set(node.outputs[0], inDims[0]!.slice()); continue; }
        node.op = 'Reshape'; node.attrs = { shape: inDims[0]!.slice() }; node.inputs = [node.inputs[0]];
      } else {
        for (const n of lower(node, inDims as Dims[], consts, addConst, fresh, dims)) {
          const d = inferNode(n, n.inputs.map((i) => (i === '' ? [] : dims.get(i)!)));
          n.outputs.forEach((o, k) => dims.set(o, d[k]));
          out.push(n);
        }
        continue;
      }
      const d = inferNode(node, [dims.get(node.inputs[0])!]);
      node.outputs.forEach((o, k) => dims.set(o, d[k]));
      out.push(node);
    } catch (e) {
      if (e instanceof EdgeCnnError) throw e;
      throw new LayerError(node.name, node.op, `cannot fold: ${(e as Error)?.message ?? e}`);
    }
  }

  for (const o of graph.outputs) {
    if (consts.has(o.name) && !out.some((n) => n.outputs.includes(o.name))) {
      throw new UnsupportedError(`model output '${o.name}' is a constant (it does not depend on any input)`);
    }
  }
  const used = new Set(out.flatMap((n) => n.inputs));
  const keptConsts = new Map<string, ConstTensor>();
  for (const [k, c] of consts) if (used.has(k)) keptConsts.set(k, c);
  const result: Graph = {
    inputs: graph.inputs.map((i) => ({ ...i, dims: dims.get(i.name)!.slice() })),
    outputs: graph.outputs.map((o) => ({ ...o, dims: dims.get(o.name)!.slice() })),
    nodes: out,
    consts: keptConsts,
    opset: graph.opset,
  };
  for (const n of out) if (!PLANNED_OPS.has(n.op)) throw new UnsupportedError(`${describe(n.name, n.op)}: operator ${n.op} is not supported after folding`);
  return { graph: result, dims };
}

function bindInputs(graph: Graph, given: Record<string, number[]>, dims: Map<string, number[]>): void {
  const known = new Set(graph.inputs.map((i) => i.name));
  for (const k of Object.keys(given)) {
    if (!known.has(k)) throw new InvalidArgumentError(`unknown input '${k}'; the model's inputs are ${graph.inputs.map((i) => `'${i.name}'`).join(', ')}`);
  }
  const symbols = new Map<string, { value: number; input: string }>();
  for (const inp of graph.inputs) {
    const g = given[inp.name];
    const fmt = `[${inp.dims.join(', ')}]`;
    if (g === undefined) {
      const sym = inp.dims.find((d) => typeof d === 'string');
      if (sym !== undefined) throw new InvalidArgumentError(`input '${inp.name}' has symbolic dims ${fmt}; give its shape (dim '${sym}' is unknown)`);
      dims.set(inp.name, inp.dims as number[]);
      continue;
    }
    if (!Array.isArray(g) || g.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new InvalidArgumentError(`shape for input '${inp.name}' must be an array of positive integers, got ${JSON.stringify(g)}`);
    }
    if (g.length !== inp.dims.length) throw new InvalidArgumentError(`input '${inp.name}' has rank ${inp.dims.length} ${fmt}, got shape [${g.join(', ')}]`);
    inp.dims.forEach((d, i) => {
      if (typeof d === 'number') {
        if (d !== g[i]) throw new InvalidArgumentError(`input '${inp.name}' has fixed dim ${i} = ${d} ${fmt}, got shape [${g.join(', ')}]`);
      } else {
        const prev = symbols.get(d);
        if (prev && prev.value !== g[i]) throw new InvalidArgumentError(`dim '${d}' is ${prev.value} for input '${prev.input}' but ${g[i]} for input '${inp.name}'`);
        symbols.set(d, { value: g[i], input: inp.name });
      }
    });
    dims.set(inp.name, g.slice());
  }
}

// ---------------------------------------------------------------------------------------------
// constant evaluation

function needInts(node: Node, t: ConstTensor | undefined, what: string): number[] {
  if (!t) throw new UnsupportedError(`${describe(node.name, node.op)}: ${what} must be a constant`);
  if (isFloat(t)) throw new LayerError(node.name, node.op, `${what} must be an integer tensor, got float32`);
  return ints(t);
}

function evaluate(node: Node, c: ConstTensor[], inDims: Dims[]): ConstTensor[] {
  const a = node.attrs, x = c[0];
  switch (node.op) {
    case 'Shape': {
      const d = inDims[0], r = d.length;
      const clampAx = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
      const s = a.start === undefined ? 0 : clampAx(a.start), e = a.end === undefined ? r : clampAx(a.end);
      const v = d.slice(s, Math.max(s, e));
      return [mk('int64', [v.length], v)];
    }
    case 'Gather': {
      const ax = axisIn(node, a.axis, x.dims.length);
      const idxT = c[1];
      const idx = needInts(node, idxT, 'indices').map((i) => {
        const j = i < 0 ? i + x.dims[ax] : i;
        if (!(j >= 0 && j < x.dims[ax])) throw new LayerError(node.name, node.op, `index ${i} out of range for axis ${ax} of size ${x.dims[ax]}`);
        return j;
      });
      const pick = x.dims.map((d, i) => (i === ax ? idx : range(d)));
      const r = select(node, x, pick);
      const od = [...x.dims.slice(0, ax), ...idxT.dims, ...x.dims.slice(ax + 1)];
      return [{ ...r, dims: od }];
    }
    case 'ConstantOfShape': {
      const shape = needInts(node, x, 'shape');
      if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new LayerError(node.name, node.op, `invalid shape [${shape.join(', ')}]`);
      checkFoldSize(node, shape);
      const v = a.value as ConstTensor;
      return [mk(v.dtype, shape, new Array(size(shape)).fill((v.data as ArrayLike<number>)[0] ?? 0))];
    }
    case 'Cast': return [mk(a.to, x.dims.slice(), ints(x).map((v) => castValue(v, a.to)))];
    case 'Range': {
      const [s, l, d] = c.map((t) => ints(t)[0]);
      if (!d) throw new LayerError(node.name, node.op, 'delta must be non-zero');
      const n = Math.max(Math.ceil((l - s) / d), 0);
      checkFoldSize(node, [n]);
      return [mk(x.dtype, [n], range(n).map((i) => s + i * d))];
    }
    case 'Add': case 'Sub': case 'Mul': case 'Div': {
      const intDiv = !isFloat(x);
      const f = node.op === 'Add' ? (p: number, q: number) => p + q : node.op === 'Sub' ? (p: number, q: number) => p - q
        : node.op === 'Mul' ? (p: number, q: number) => p * q
        : (p: number, q: number) => {
          if (intDiv) { if (q === 0) throw new LayerError(node.name, node.op, 'integer division by zero'); return Math.trunc(p / q); }
          return p / q;
        };
      return [broadcastBinary(node, x, c[1], f)];
    }
    case 'Equal': case 'Less': case 'Greater': case 'LessOrEqual': case 'GreaterOrEqual': case 'And': case 'Or': {
      const f: Record<string, (p: number, q: number) => boolean> = {
        Equal: (p, q) => p === q, Less: (p, q) => p < q, Greater: (p, q) => p > q, LessOrEqual: (p, q) => p <= q,
        GreaterOrEqual: (p, q) => p >= q, And: (p, q) => !!p && !!q, Or: (p, q) => !!p || !!q,
      };
      const g = f[node.op];
      return [broadcastBinary(node, x, c[1], (p, q) => (g(p, q) ? 1 : 0), 'bool')];
    }
    case 'Not': return [mk('bool', x.dims.slice(), ints(x).map((v) => (v ? 0 : 1)))];
    case 'Pad': case 'Expand': case 'Tile': case 'DepthToSpace': case 'SpaceToDepth': case 'GatherElements': case 'Where': {
      const n = resolveIndexMap(node, inDims, c);
      const byName = new Map(node.inputs.map((name, k) => [name, k]));
      const ks = n.inputs.map((name) => byName.get(name)!);
      const od = inferNode(n, ks.map((k) => inDims[k]))[0];
      checkFoldSize(node, od, ...c);
      const src = elementSource(n, ks.map((k) => inDims[k]), od);
      const data = ks.map((k) => c[k].data as ArrayLike<number>);
      const out = new Array<number>(size(od));
      forEachIndex(od, (idx, k) => { const r = src(idx); out[k] = r ? data[r[0]][r[1]] : n.attrs.value; });
      return [mk(c[ks[0]].dtype, od, out)];
    }
    case 'Pow': return [broadcastBinary(node, x, c[1], Math.pow)];
    case 'PRelu': {
      const y = broadcastBinary(node, x, c[1], (p, q) => (p < 0 ? p * q : p));
      if (y.dims.join() !== x.dims.join()) throw new LayerError(node.name, node.op, `slope [${c[1].dims.join(', ')}] does not broadcast to the input [${x.dims.join(', ')}]`);
      return [y];
    }
    case 'Min': case 'Max': case 'Sum': case 'Mean': {
      const f = node.op === 'Min' ? Math.min : node.op === 'Max' ? Math.max : (p: number, q: number) => p + q;
      let y = x;
      for (const t of c.slice(1)) y = broadcastBinary(node, y, t, f);
      if (node.op === 'Mean') { const n = c.length; y = broadcastBinary(node, y, mk(y.dtype, [], [n]), (p, q) => (isFloat(y) ? p / q : Math.trunc(p / q))); }
      return [c.length === 1 ? { ...x } : y];
    }
    case 'Concat': {
      const ax = axisIn(node, a.axis, x.dims.length);
      const od = x.dims.slice(); od[ax] = 0;
      for (const t of c) {
        if (t.dims.length !== x.dims.length || t.dims.some((d, i) => i !== ax && d !== x.dims[i])) throw new LayerError(node.name, node.op, 'inputs differ outside the concat axis');
        od[ax] += t.dims[ax];
      }
      checkFoldSize(node, od, ...c);
      const outer = size(x.dims.slice(0, ax)), values: number[] = [];
      for (let o = 0; o < outer; o++) {
        for (const t of c) {
          const blk = size(t.dims.slice(ax));
          const d = t.data as ArrayLike<number>;
          for (let k = 0; k < blk; k++) values.push(d[o * blk + k]);
        }
      }
      return [mk(x.dtype, od, values)];
    }
    case 'Squeeze': return [{ ...x, dims: resolveSqueeze(node, x.dims, a.axes ?? (c[1] ? needInts(node, c[1], 'axes') : undefined)) }];
    case 'Unsqueeze': return [{ ...x, dims: resolveUnsqueeze(node, x.dims, a.axes ?? needInts(node, c[1], 'axes')) }];
    case 'Reshape': return [{ ...x, dims: resolveReshape(node, x.dims, needInts(node, c[1], 'shape'), !!a.allowzero) }];
    case 'Flatten': {
      const ax = flattenAxis(node, a.axis, x.dims.length);
      return [{ ...x, dims: [size(x.dims.slice(0, ax)), size(x.dims.slice(ax))] }];
    }
    case 'Identity': return [x];
    case 'Transpose': return [transposeConst(x, resolvePerm(node, a.perm, x.dims.length))];
    case 'Slice': {
      const p = sliceParams(node, x.dims, c);
      const pick = x.dims.map((d, i) => {
        const k = p.axes.indexOf(i);
        return k < 0 ? range(d) : sliceIndices(d, p.starts[k], p.ends[k], p.steps[k]);
      });
      return [select(node, x, pick)];
    }
    case 'Split': {
      const ax = axisIn(node, a.axis, x.dims.length);
      const sizes = splitSizes(node, x.dims[ax], c[1]);
      let off = 0;
      return sizes.map((s) => {
        const pick = x.dims.map((d, i) => (i === ax ? range(s).map((j) => j + off) : range(d)));
        off += s;
        return select(node, x, pick);
      });
    }
    default: { // float unary activations of constants
      const attrs = node.op === 'Clip' ? clipBounds(node, c) : a;
      const f = activationFn(node.op, attrs) ?? ((v: number) => v);
      return [mk('float32', x.dims.slice(), Array.from(x.data as ArrayLike<number>, f))];
    }
  }
}

function resolvePerm(node: Node, perm: number[] | undefined, rank: number): number[] {
  const p = perm ?? range(rank).reverse();
  if (p.length !== rank || [...p].sort((u, v) => u - v).some((v, i) => v !== i)) {
    throw new LayerError(node.name, node.op, `perm [${p.join(', ')}] is not a permutation of rank ${rank}`);
  }
  return p;
}

function sliceParams(node: Node, x: Dims, c: (ConstTensor | undefined)[]) {
  const a = node.attrs;
  if (a.starts) return resolveSlice(node, x, a.starts, a.ends, a.axes);
  const get = (i: number, what: string) => (node.inputs[i] ? needInts(node, c[i], what) : undefined);
  return resolveSlice(node, x, get(1, 'starts')!, get(2, 'ends')!, get(3, 'axes'), get(4, 'steps'));
}

function splitSizes(node: Node, d: number, splitT: ConstTensor | undefined): number[] {
  const a = node.attrs;
  let s: number[] | undefined = a.split ?? (node.inputs[1] ? needInts(node, splitT, 'split') : undefined);
  if (!s) {
    const n = a.numOutputs ?? node.outputs.length;
    // compared before any array is built: num_outputs comes from the file (2^31 must not allocate)
    if (n !== node.outputs.length) throw new LayerError(node.name, node.op, `num_outputs ${n} differs from the node's ${node.outputs.length} outputs`);
    const chunk = Math.ceil(d / n);
    s = range(n).map((i) => Math.max(0, Math.min(chunk, d - i * chunk)));
  }
  if (s.length !== node.outputs.length) throw new LayerError(node.name, node.op, `split ${brief(s)} has ${s.length} parts for ${node.outputs.length} outputs`);
  if (s.some((v) => !Number.isInteger(v) || v < 0) || s.reduce((p, q) => p + q, 0) !== d) throw new LayerError(node.name, node.op, `split sizes ${brief(s)} do not sum to ${d}`);
  return s;
}

/** A list for an error message, cut after a few values (lists come from the file and may be huge). */
const brief = (v: readonly number[]): string => `[${v.slice(0, 8).join(', ')}${v.length > 8 ? `, … (${v.length} values)` : ''}]`;

function scalarOf(node: Node, t: ConstTensor | undefined, what: string): number {
  if (!t) throw new UnsupportedError(`${describe(node.name, node.op)}: ${what} must be a constant`);
  if (size(t.dims) !== 1) throw new LayerError(node.name, node.op, `${what} must be a scalar, got shape [${t.dims.join(', ')}]`);
  return (t.data as ArrayLike<number>)[0];
}

function clipBounds(node: Node, c: (ConstTensor | undefined)[]): { min: number; max: number } {
  if (node.attrs.min !== undefined && node.inputs.length <= 1) return { min: node.attrs.min, max: node.attrs.max };
  return {
    min: node.inputs[1] ? scalarOf(node, c[1], 'min') : -Infinity,
    max: node.inputs[2] ? scalarOf(node, c[2], 'max') : Infinity,
  };
}

/** Constant indices of Gather/GatherElements, negative ones counted from the end, each checked against `d`. */
function indicesOf(node: Node, t: ConstTensor | undefined, d: number): number[] {
  if (!t) throw new UnsupportedError(`${describe(node.name, node.op)}: indices must be a constant (gathering at computed indices is not supported)`);
  return needInts(node, t, 'indices').map((i) => {
    const j = i < 0 ? i + d : i;
    if (!(Number.isInteger(j) && j >= 0 && j < d)) throw new LayerError(node.name, node.op, `index ${i} out of range for an axis of size ${d}`);
    return j;
  });
}

/**
 * The planned form of a data-movement node (src/model/indexmap.ts): attributes resolved from its
 * constant inputs, only the data inputs left. Used for lowering and for folding constants.
 * - Pad: pads (2·rank, axes expanded), mode, value (a number, or a computed scalar as input 1).
 * - Expand: shape (as given; broadcast with the input). Tile: repeats.
 * - Gather / GatherElements: axis (non-negative), indices (flat, non-negative), indicesDims.
 * - Where: cond (flat 0/1), condDims; inputs [X, Y].
 */
function resolveIndexMap(node: Node, inDims: Dims[], c: (ConstTensor | undefined)[]): Node {
  const a = node.attrs, x = inDims[0];
  const planned = (attrs: Record<string, any>, inputs = [node.inputs[0]]): Node => ({ ...node, inputs, attrs });
  switch (node.op) {
    case 'Pad': {
      const r = x.length, mode: string = a.mode ?? 'constant';
      let pads: number[] = a.pads ?? needInts(node, c[1], 'pads');
      const inputs = [node.inputs[0]];
      let value = 0;
      if (a.value !== undefined) value = a.value;
      else if (node.inputs[2] && mode === 'constant') {
        if (c[2]) value = Number(scalarOf(node, c[2], 'constant_value'));
        else {
          if (size(inDims[2]) !== 1) throw new LayerError(node.name, node.op, `constant_value must be a scalar, got shape [${inDims[2].join(', ')}]`);
          inputs.push(node.inputs[2]);
        }
      }
      if (node.inputs[3]) { // axes (opset 18)
        const axes = needInts(node, c[3], 'axes').map((v) => axisIn(node, v, r));
        if (new Set(axes).size !== axes.length) throw new LayerError(node.name, node.op, `repeated axes [${axes.join(', ')}]`);
        if (pads.length !== 2 * axes.length) throw new LayerError(node.name, node.op, `pads has ${pads.length} values for ${axes.length} axes`);
        const full = new Array(2 * r).fill(0);
        axes.forEach((ax, i) => { full[ax] = pads[i]; full[ax + r] = pads[i + axes.length]; });
        pads = full;
      }
      if (pads.length !== 2 * r) throw new LayerError(node.name, node.op, `pads has ${pads.length} values for rank ${r}`);
      if (pads.some((p) => !Number.isInteger(p))) throw new LayerError(node.name, node.op, `pads ${brief(pads)} must be integers`);
      if (mode !== 'constant') {
        const g = padGeometry(pads, x);
        g.len.forEach((L, d) => {
          if (!(g.before[d] || g.after[d])) return;
          if (L <= 0) throw new LayerError(node.name, node.op, `cannot pad an empty axis ${d} in mode '${mode}'`);
          if (mode === 'reflect' && (g.before[d] > L - 1 || g.after[d] > L - 1)) {
            throw new UnsupportedError(`${describe(node.name, node.op)}: reflect pads of axis ${d} (${g.before[d]}, ${g.after[d]}) must be smaller than its size ${L}`);
          }
        });
      }
      return planned({ pads, mode, value }, inputs);
    }
    case 'Expand': {
      const shape = needInts(node, c[1], 'shape');
      if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new LayerError(node.name, node.op, `invalid shape ${brief(shape)}`);
      return planned({ shape });
    }
    case 'Tile': return planned({ repeats: needInts(node, c[1], 'repeats') });
    case 'DepthToSpace': case 'SpaceToDepth': return planned({ ...a });
    case 'Gather': case 'GatherElements': {
      const ax = axisIn(node, a.axis, x.length);
      return planned({ axis: ax, indices: indicesOf(node, c[1], x[ax]), indicesDims: inDims[1].slice() });
    }
    case 'Where': {
      if (!c[0]) throw new UnsupportedError(`${describe(node.name, node.op)}: the condition must be a constant (bool tensors do not exist at run time: a condition computed from activations is not supported)`);
      return planned({ cond: ints(c[0]).map((v) => (v ? 1 : 0)), condDims: inDims[0].slice() }, [node.inputs[1], node.inputs[2]]);
    }
    default: throw new Error(`internal: ${node.op} is no index map`);
  }
}

// ---------------------------------------------------------------------------------------------
// lowering of activation-dependent nodes to planned operators

type AddConst = (base: string, t: ConstTensor) => string;
const f32Of = (t: ConstTensor): Float32Array => (t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>));

/**
 * Gemm: y = alpha·A'·B' + beta·C. The planned Gemm is the prepacked-weights GEMM: A 2-D at run time, not
 * transposed, B constant (alpha folded into it by the backends), C absent or a constant per-column bias
 * (scalar, [N], [1, N]). Everything else is rewritten into planned operators with the same meaning:
 * transA → Transpose(A); a non-constant B → MatMul(A', Transpose(B) when transB) then Mul by alpha; a C of
 * another shape ([M, 1], [M, N]) or computed at run time → Add(y, beta·C) (beta folded into a constant C,
 * Mul otherwise). An Add of a same-shaped C can then still become the GEMM's fused residual (passes.ts).
 */
function lowerGemmNode(node: Node, inDims: Dims[], c: (ConstTensor | undefined)[], addConst: AddConst, fresh: (base: string) => string): Node[] {
  const a = node.attrs, out: Node[] = [];
  const [xd, wd] = inDims;
  if (xd.length !== 2 || wd.length !== 2) throw new LayerError(node.name, node.op, `A and B must be 2-D, got [${xd.join(', ')}] and [${wd.join(', ')}]`);
  const m = a.transA ? xd[1] : xd[0], n = a.transB ? wd[0] : wd[1];
  const y = node.outputs[0];
  const sub = (op: string, inputs: string[], attrs: Record<string, any>, outName?: string): string => {
    const o = outName ?? fresh(`${y}__${op.toLowerCase()}`);
    out.push({ name: fresh(`${node.name}__${op.toLowerCase()}`), op, inputs, outputs: [o], attrs });
    return o;
  };
  let A = node.inputs[0];
  if (a.transA) A = sub('Transpose', [A], { perm: [1, 0] });
  const C = node.inputs[2] || '', cd = C ? inDims[2] : [];
  const cConst = C ? c[2] : undefined;
  // C becomes the GEMM's bias only on the prepacked path (constant B)
  const colBias = !!c[1] && !!cConst && (size(cd) === 1 || (cd.length === 1 && cd[0] === n) || (cd.length === 2 && cd[0] === 1 && cd[1] === n));
  const addC = !!C && !colBias;
  if (c[1]) {
    out.push({ name: node.name, op: 'Gemm', inputs: colBias ? [A, node.inputs[1], C] : [A, node.inputs[1]],
      outputs: [addC ? fresh(`${y}__gemm`) : y], attrs: { alpha: a.alpha, beta: colBias ? a.beta : 1, transA: 0, transB: a.transB } });
  } else {
    const B = a.transB ? sub('Transpose', [node.inputs[1]], { perm: [1, 0] }) : node.inputs[1];
    let p = sub('MatMul', [A, B], {}, a.alpha === 1 && !addC ? y : undefined);
    if (a.alpha !== 1) p = sub('Mul', [p, addConst(`${node.name}__alpha`, { dtype: 'float32', dims: [], data: Float32Array.of(a.alpha) })], {}, addC ? undefined : y);
    if (addC) out.push(...addBias(p));
    return out;
  }
  if (addC) out.push(...addBias(out[out.length - 1].outputs[0]));
  return out;

  function addBias(p: string): Node[] {
    if (cd.length > 2 || (cd.length && !broadcastsTo(cd, [m, n]))) throw new LayerError(node.name, node.op, `C [${cd.join(', ')}] does not broadcast to [${m}, ${n}]`);
    let cn = C;
    if (a.beta !== 1) {
      cn = cConst ? addConst(`${C}__beta`, { dtype: 'float32', dims: cd.slice(), data: f32Of(cConst).map((v) => v * a.beta) })
        : sub('Mul', [C, addConst(`${node.name}__beta`, { dtype: 'float32', dims: [], data: Float32Array.of(a.beta) })], {});
    }
    return [{ name: fresh(`${node.name}__add_c`), op: 'Add', inputs: [p, cn], outputs: [y], attrs: {} }];
  }
}

const broadcastsTo = (d: readonly number[], to: readonly number[]): boolean =>
  d.length <= to.length && d.every((v, i) => v === 1 || v === to[to.length - d.length + i]);

/**
 * MatMul (numpy matmul semantics). A constant 2-D B is the prepacked GEMM: Gemm over A's rows (Reshapes
 * around it for A of rank ≠ 2). Anything else is the planned MatMul over operands of rank ≥ 2, batch dims
 * broadcast: a 1-D A is reshaped to [1, K] and a 1-D B to [K, 1], and the output reshaped to drop that axis.
 */
function lowerMatMulNode(node: Node, inDims: Dims[], c: (ConstTensor | undefined)[], fresh: (base: string) => string): Node[] {
  const [x, w] = inDims;
  if (x.length === 0 || w.length === 0) throw new LayerError(node.name, node.op, 'operands must be at least 1-D');
  const kx = x[x.length - 1], kw = w.length === 1 ? w[0] : w[w.length - 2];
  if (kx !== kw) throw new LayerError(node.name, node.op, `cannot multiply [${x.join(', ')}] by [${w.join(', ')}]`);
  const y = node.outputs[0];
  const reshape = (from: string, to: string, shape: number[], tag: string): Node =>
    ({ name: fresh(`${node.name}__${tag}`), op: 'Reshape', inputs: [from], outputs: [to], attrs: { shape } });
  if (c[1] && w.length === 2) {
    const gemm: Node = { name: node.name, op: 'Gemm', inputs: [node.inputs[0], node.inputs[1]], outputs: node.outputs, attrs: { alpha: 1, beta: 1, transA: 0, transB: 0 } };
    if (x.length === 2) return [gemm];
    const lead = x.slice(0, -1);
    const a2 = fresh(`${y}__a2d`), y2 = fresh(`${y}__y2d`);
    gemm.inputs = [a2, node.inputs[1]]; gemm.outputs = [y2];
    return [reshape(node.inputs[0], a2, [size(lead), kx], 'reshape_in'), gemm, reshape(y2, y, [...lead, w[1]], 'reshape_out')];
  }
  const nodes: Node[] = [];
  let A = node.inputs[0], B = node.inputs[1];
  if (x.length === 1) { A = fresh(`${y}__a2d`); nodes.push(reshape(node.inputs[0], A, [1, kx], 'a_row')); }
  if (w.length === 1) { B = fresh(`${y}__b2d`); nodes.push(reshape(node.inputs[1], B, [kw, 1], 'b_col')); }
  if (x.length > 1 && w.length > 1) return [{ ...node, inputs: [A, B] }];
  // the output without the axes the 1-D operands gained
  const xb = x.length === 1 ? [1, kx] : x, wb = w.length === 1 ? [kw, 1] : w;
  const batch = broadcast(node, xb.slice(0, -2), wb.slice(0, -2));
  const full = [...batch, xb[xb.length - 2], wb[wb.length - 1]];
  const final = [...batch, ...(x.length === 1 ? [] : [full[full.length - 2]]), ...(w.length === 1 ? [] : [full[full.length - 1]])];
  const y3 = fresh(`${y}__mm`);
  nodes.push({ ...node, inputs: [A, B], outputs: [y3] }, reshape(y3, y, final, 'reshape_out'));
  return nodes;
}

function lower(node: Node, inDims: Dims[], consts: Map<string, ConstTensor>, addConst: (base: string, t: ConstTensor) => string,
  fresh: (base: string) => string, dims: Map<string, number[]>): Node[] {
  const a = node.attrs, x = inDims[0];
  const c = node.inputs.map((i) => (i ? consts.get(i) : undefined));
  const needConst = (i: number, what: string) => {
    if (node.inputs[i] && !c[i]) throw new UnsupportedError(`${describe(node.name, node.op)}: ${what} must be constant`);
  };
  switch (node.op) {
    case 'Conv': case 'ConvTranspose': {
      needConst(1, 'weights (input 1)'); needConst(2, 'bias (input 2)');
      const w = inDims[1];
      // no kernel_shape and only default spatial attributes (the 2-D defaults): the input says how many axes
      const r = x.length - 2;
      const defaults = !a.kernel && a.strides.every((v: number) => v === 1) && a.dilations.every((v: number) => v === 1) && a.pads.every((v: number) => v === 0)
        && (a.outputPadding ?? []).every((v: number) => v === 0) && !a.outputShape;
      if (defaults && r >= 1 && r <= 3 && a.strides.length !== r) {
        a.strides = new Array(r).fill(1); a.dilations = new Array(r).fill(1); a.pads = new Array(2 * r).fill(0);
        if (a.outputPadding) a.outputPadding = new Array(r).fill(0);
        delete a.rank1; delete a.rank3;
        if (r === 1) a.rank1 = true;
        if (r === 3) a.rank3 = true;
      }
      if (x.length === 3 && w.length === 3) return lower1d(node, x, consts, addConst, fresh, dims);
      if (x.length === 5 && w.length === 5) return (node.op === 'Conv' ? lowerConv3d : lowerConvTranspose3d)(node, x, consts, addConst, fresh, dims);
      if (x.length > 4 || w.length > 4) throw new UnsupportedError(`${describe(node.name, node.op)}: only 1-D, 2-D and 3-D ${node.op} is supported (input [${x.join(', ')}], weights [${w.join(', ')}])`);
      if (!a.kernel) a.kernel = w.slice(2);
      if (x.length !== 4 || w.length !== 4 || a.rank1 || a.rank3) throw new LayerError(node.name, node.op, `input [${x.join(', ')}] and weights [${w.join(', ')}] do not fit a ${a.rank1 ? 1 : a.rank3 ? 3 : 2}-D convolution`);
      a.pads = node.op === 'Conv' ? autoPads(node, x, a) : transposePads(node, x, a);
      delete a.autoPad; delete a.outputPadding; delete a.outputShape;
      node.inputs = node.inputs.slice(0, 3);
      if (node.inputs[2] === '') node.inputs.pop();
      return [node];
    }
    case 'MaxPool': case 'AveragePool': case 'LpPool':
      if (x.length === 3) return lower1d(node, x, consts, addConst, fresh, dims);
      if (x.length === 5) return lowerPool3d(node, x, consts, addConst, fresh, dims);
      if (x.length > 5) throw new UnsupportedError(`${describe(node.name, node.op)}: only 1-D, 2-D and 3-D pooling is supported (input [${x.join(', ')}])`);
      if (x.length !== 4 || a.rank1 || a.rank3) throw new LayerError(node.name, node.op, `input [${x.join(', ')}] does not fit ${a.rank1 ? 1 : a.rank3 ? 3 : 2}-D pooling`);
      a.pads = autoPads(node, x, a); delete a.autoPad;
      return [node];
    case 'GlobalAveragePool': case 'GlobalMaxPool': case 'GlobalLpPool':
      if (x.length === 3) return lower1d(node, x, consts, addConst, fresh, dims);
      if (x.length === 5) { // over [N, C, D·H, W]
        const in4 = fresh(`${node.inputs[0]}__4d`), out4 = fresh(`${node.outputs[0]}__4d`);
        dims.set(in4, [x[0], x[1], x[2] * x[3], x[4]]);
        return [
          { name: fresh(`${node.name}__to4d`), op: 'Reshape', inputs: [node.inputs[0]], outputs: [in4], attrs: { shape: [x[0], x[1], x[2] * x[3], x[4]] } },
          { ...node, inputs: [in4], outputs: [out4] },
          { name: fresh(`${node.name}__to5d`), op: 'Reshape', inputs: [out4], outputs: node.outputs, attrs: { shape: [x[0], x[1], 1, 1, 1] } },
        ];
      }
      if (x.length !== 4) throw new UnsupportedError(`${describe(node.name, node.op)}: only 3-D, 4-D and 5-D inputs are supported (input [${x.join(', ')}])`);
      return [node];
    case 'LocallyConnected': // the layer builder's: attributes already resolved
      needConst(1, 'weights (input 1)'); needConst(2, 'bias (input 2)');
      return [node];
    case 'Gemm': return lowerGemmNode(node, inDims, c, addConst, fresh);
    case 'MatMul': return lowerMatMulNode(node, inDims, c, fresh);
    case 'BatchNormalization':
      for (let i = 1; i < 5; i++) needConst(i, `parameter ${i}`);
      return [node];
    case 'Clip': {
      const b = clipBounds(node, c);
      node.attrs = { min: b.min, max: b.max };
      node.inputs = [node.inputs[0]];
      return [node];
    }
    case 'Pow':
      // an integer exponent (allowed since opset 12) is a float one to the kernels
      if (c[1] && !isFloat(c[1])) node.inputs = [node.inputs[0], addConst(`${node.inputs[1]}__float`, mk('float32', c[1].dims.slice(), ints(c[1])))];
      return [node];
    case 'PRelu': {
      // one constant slope for every element is LeakyRelu (which the backends fuse into a producer)
      const sl = c[1], sd = inDims[1];
      const fits = sd.length <= x.length && sd.every((d, i) => d === 1 || d === x[x.length - sd.length + i]);
      if (sl && isFloat(sl) && fits && size(sd) > 0 && Array.from(sl.data as ArrayLike<number>).every((v, _i, arr) => v === arr[0])) {
        return [{ ...node, op: 'LeakyRelu', inputs: [node.inputs[0]], attrs: { alpha: (sl.data as ArrayLike<number>)[0] } }];
      }
    }
    // fall through
    case 'Relu': case 'Sigmoid': case 'Tanh': case 'HardSwish': case 'LeakyRelu': case 'HardSigmoid':
    case 'Elu': case 'Selu': case 'Celu': case 'ThresholdedRelu': case 'Gelu': case 'Erf': case 'Softplus': case 'Softsign': case 'Mish':
    case 'Exp': case 'Log': case 'Sqrt': case 'Abs': case 'Neg': case 'Reciprocal': case 'Floor': case 'Ceil': case 'Round': case 'Sign':
    case 'Add': case 'Sub': case 'Mul': case 'Div':
      if (node.inputs.slice(1).some((i, k) => i && c[k + 1] && !isFloat(c[k + 1]!))) throw new UnsupportedError(`${describe(node.name, node.op)}: integer operand with float activations`);
      return [node];
    case 'Min': case 'Max': case 'Sum': case 'Mean': {
      // variadic with broadcasting → a chain of binary nodes (Mean: of Add, then a Div by the count)
      if (node.inputs.some((i, k) => c[k] && !isFloat(c[k]!))) throw new UnsupportedError(`${describe(node.name, node.op)}: integer operand with float activations`);
      const n = node.inputs.length, out = node.outputs[0];
      if (n === 1) return [{ ...node, op: 'Reshape', attrs: { shape: x.slice() } }];
      const op = node.op === 'Min' || node.op === 'Max' ? node.op : 'Add';
      const nodes: Node[] = [];
      let acc = node.inputs[0];
      for (let k = 1; k < n; k++) {
        const last = k === n - 1 && node.op !== 'Mean';
        const o = last ? out : fresh(`${out}__${op.toLowerCase()}${k}`);
        nodes.push({ name: k === 1 ? node.name : fresh(`${node.name}__${k}`), op, inputs: [acc, node.inputs[k]], outputs: [o], attrs: {} });
        acc = o;
      }
      if (node.op === 'Mean') nodes.push({ name: fresh(`${node.name}__div`), op: 'Div', inputs: [acc, addConst(`${node.name}__count`, mk('float32', [], [n]))], outputs: [out], attrs: {} });
      return nodes;
    }
    case 'Concat': a.axis = axisIn(node, a.axis, x.length); return [node];
    case 'Flatten': a.axis = flattenAxis(node, a.axis, x.length); return [node];
    case 'Softmax': case 'LogSoftmax': case 'Hardmax': a.axis = axisIn(node, a.axis, x.length); return [node];
    case 'LRN': return [node];
    case 'InstanceNormalization': case 'GroupNormalization':
      needConst(1, 'scale (input 1)'); needConst(2, 'bias (input 2)');
      return [node];
    case 'LayerNormalization':
      needConst(1, 'scale (input 1)'); needConst(2, 'bias (input 2)');
      a.axis = axisIn(node, a.axis, x.length);
      if (node.inputs[2] === '') node.inputs.pop();
      return [node];
    case 'MeanVarianceNormalization':
      a.axes = [...new Set((a.axes as number[]).map((v) => axisIn(node, v, x.length)))].sort((p, q) => p - q);
      return [node];
    case 'Transpose': a.perm = resolvePerm(node, a.perm, x.length); return [node];
    case 'Reshape': {
      needConst(1, 'shape (input 1)');
      if (!node.inputs[1]) throw new ModelFormatError(`${describe(node.name, node.op)}: missing shape input`);
      node.attrs = { shape: resolveReshape(node, x, needInts(node, c[1], 'shape'), !!a.allowzero) };
      node.inputs = [node.inputs[0]];
      return [node];
    }
    case 'Squeeze': case 'Unsqueeze': {
      const axes: number[] | undefined = a.axes ?? (node.inputs[1] ? needInts(node, c[1], 'axes') : undefined);
      const shape = node.op === 'Squeeze' ? resolveSqueeze(node, x, axes) : resolveUnsqueeze(node, x, axes ?? []);
      return [{ ...node, op: 'Reshape', inputs: [node.inputs[0]], attrs: { shape } }];
    }
    case 'Split': {
      const ax = axisIn(node, a.axis, x.length);
      node.attrs = { axis: ax, split: splitSizes(node, x[ax], c[1]) };
      node.inputs = [node.inputs[0]];
      return [node];
    }
    case 'Slice': {
      const p = sliceParams(node, x, c);
      node.attrs = p;
      node.inputs = [node.inputs[0]];
      return [node];
    }
    case 'Pad': case 'Expand': case 'Tile': case 'DepthToSpace': case 'SpaceToDepth': case 'Gather': case 'GatherElements': case 'Where':
      return [resolveIndexMap(node, inDims, c)];
    case 'ReduceMean': case 'ReduceSum': case 'ReduceMax': case 'ReduceMin': case 'ReduceProd': case 'ReduceL1': case 'ReduceL2':
    case 'ReduceLogSum': case 'ReduceLogSumExp': case 'ReduceSumSquare': {
      needConst(1, 'axes (input 1)');
      let axes: number[] = a.axes ?? (node.inputs[1] ? needInts(node, c[1], 'axes') : []);
      if (!axes.length) {
        if (a.noopWithEmptyAxes) return [{ ...node, op: 'Reshape', inputs: [node.inputs[0]], attrs: { shape: x.slice() } }];
        axes = range(x.length);
      }
      const norm = [...new Set(axes.map((v) => axisIn(node, v, x.length)))].sort((p, q) => p - q);
      node.attrs = { axes: norm, keepdims: !!a.keepdims };
      node.inputs = [node.inputs[0]];
      return [node];
    }
    case 'Resize': {
      let sizes: number[]; let scales: number[];
      if (a.scales) scales = a.scales;
      else if (node.inputs[3]) {
        sizes = needInts(node, c[3], 'sizes');
        if (sizes.length !== x.length) throw new LayerError(node.name, node.op, `sizes [${sizes.join(', ')}] do not match rank ${x.length}`);
        scales = sizes.map((s, i) => s / x[i]);
      } else if (node.inputs[2]) {
        needConst(2, 'scales (input 2)');
        scales = Array.from(c[2]!.data as ArrayLike<number>);
      } else throw new LayerError(node.name, node.op, 'needs scales or sizes');
      if (scales.length !== x.length || scales.some((s) => !(s > 0))) throw new LayerError(node.name, node.op, `scales [${scales.join(', ')}] must be ${x.length} positive numbers`);
      sizes ??= x.map((d, i) => Math.floor(d * scales[i]));
      // tf_crop_and_resize: a constant roi (starts then ends, normalized) on the spatial axes; output sizes given
      let roi: number[] | undefined;
      if (a.coordMode === 'tf_crop_and_resize') {
        needConst(1, 'roi (input 1)');
        if (!node.inputs[1]) throw new LayerError(node.name, node.op, 'tf_crop_and_resize needs the roi input');
        roi = Array.from(c[1]!.data as ArrayLike<number>);
        if (roi.length !== 2 * x.length) throw new LayerError(node.name, node.op, `roi [${roi.join(', ')}] must have ${2 * x.length} values`);
        if (!node.inputs[3]) throw new UnsupportedError(`${describe(node.name, node.op)}: tf_crop_and_resize with scales is not supported (give sizes)`);
        for (let i = 0; i < x.length - 2; i++) {
          if (roi[i] !== 0 || roi[x.length + i] !== 1) throw new UnsupportedError(`${describe(node.name, node.op)}: tf_crop_and_resize crops only the last two axes (roi [${roi.join(', ')}])`);
        }
      }
      let nearestMode = a.nearestMode;
      if (nearestMode === 'legacy') nearestMode = scales.every((s) => s >= 1) ? 'floor' : 'ceil';
      node.attrs = { mode: a.mode, coordMode: a.coordMode, nearestMode, sizes, scales, cubicCoeffA: a.cubicCoeffA ?? -0.75, excludeOutside: !!a.excludeOutside, extrapolationValue: a.extrapolationValue ?? 0, roi };
      node.inputs = [node.inputs[0]];
      return [node];
    }
    default:
      void dims;
      throw new UnsupportedError(`${describe(node.name, node.op)}: operator ${node.op} is not supported on activations`);
  }
}
