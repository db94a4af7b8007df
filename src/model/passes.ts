// Graph passes over a folded graph (bindAndFold's output: planned operators, normalized attributes,
// concrete dims). Each pass is a small function `(g, dims, caps) => boolean` (true when it changed
// something) that edits `g` in place; `optimize` copies the graph first and runs them in order.
// Folds that keep the graph's meaning (batch-norm, per-channel affine, pad into conv/pool, transpose
// pairs) run for every backend; fusions into epilogues run only as far as the backend's
// capabilities say its kernels absorb them.
// Graph output names never change: when a fusion removes the node that produced an output, the fused
// node takes over that output's name. New constants get fresh names (constants may be shared between
// nodes, so they are never edited in place) and their dims are added to `dims`.
import type { ConstTensor, Graph, Node } from './ir.js';
import { activationOf } from './activation.js';
import { size } from './ir.js';
import { topoSort } from './fold.js';

/** What a backend's epilogues absorb (the fusion part of its Capabilities). */
export interface FusionCaps {
  readonly activationProducers: ReadonlySet<string>;
  readonly fusableActivations: ReadonlySet<string>;
  readonly residualProducers: ReadonlySet<string>;
}

/** Fuses nothing: the graph as the model wrote it, only meaning-preserving folds. */
export const NO_FUSION: FusionCaps = { activationProducers: new Set(), fusableActivations: new Set(), residualProducers: new Set() };

export type Pass = (g: Graph, dims: Map<string, number[]>, caps: FusionCaps) => boolean;

// ---------------------------------------------------------------------------------------------
// helpers

/**
 * Who produces and who reads each value, built once per pass (linear) and kept up to date as the pass
 * edits the graph, so a pass looks a value up in O(1) instead of scanning every node (which made the
 * passes quadratic in node count). Every change to a node's inputs or outputs goes through `edit`,
 * every removal through `remove`; removed nodes leave `g.nodes` in one filter at `commit`, which keeps
 * the same order as removing them one at a time. Values are produced once (the loader checks it, the
 * passes keep it); the empty name (a missing optional input or output) is not indexed. Built on the
 * first lookup: a pass that finds nothing to do (no BatchNormalization, no Pad, ...) never builds it.
 */
class GraphIndex {
  private producers = new Map<string, Node>();
  /** value → node reading it → how many of that node's inputs are the value */
  private uses = new Map<string, Map<Node, number>>();
  private outputs = new Set<string>();
  private built = false;
  private readonly removed = new Set<Node>();
  /** freshConst: per base name, the first suffix not known to be taken (see freshConst) */
  readonly nextSuffix = new Map<string, number>();

  constructor(readonly g: Graph) {}

  private build(): void {
    if (this.built) return;
    this.built = true;
    this.outputs = new Set(this.g.outputs.map((o) => o.name));
    for (const n of this.g.nodes) if (!this.removed.has(n)) this.attach(n);
  }

  private attach(n: Node): void {
    for (const o of n.outputs) if (o && !this.producers.has(o)) this.producers.set(o, n);
    for (const i of n.inputs) {
      if (!i) continue;
      let m = this.uses.get(i);
      if (!m) this.uses.set(i, (m = new Map()));
      m.set(n, (m.get(n) ?? 0) + 1);
    }
  }

  private detach(n: Node): void {
    for (const o of n.outputs) if (this.producers.get(o) === n) this.producers.delete(o);
    for (const i of n.inputs) {
      const m = i ? this.uses.get(i) : undefined;
      const c = m?.get(n);
      if (!m || c === undefined) continue;
      if (c > 1) m.set(n, c - 1);
      else if (m.delete(n) && !m.size) this.uses.delete(i);
    }
  }

  isOutput(value: string): boolean { this.build(); return this.outputs.has(value); }
  producerOf(value: string): Node | undefined { this.build(); return this.producers.get(value); }
  isRemoved(n: Node): boolean { return this.removed.has(n); }

  /** The value feeds exactly one node, once, and is not a graph output. */
  singleUse(value: string): Node | undefined {
    this.build();
    if (this.outputs.has(value)) return undefined;
    const m = this.uses.get(value);
    if (!m || m.size !== 1) return undefined;
    const [[n, count]] = m;
    return count === 1 ? n : undefined;
  }

  /** The nodes reading `value` and how many of their inputs it is (empty for a graph output nobody reads). */
  readers(value: string): [Node, number][] {
    this.build();
    return [...(this.uses.get(value) ?? [])];
  }

  /** Changes a (live) node's inputs or outputs: `change` runs between unindexing and reindexing it. */
  edit<T>(n: Node, change: () => T): T {
    this.build();
    this.detach(n);
    try {
      return change();
    } finally {
      this.attach(n);
    }
  }

  /** Makes every node that reads `from` read `to` instead. */
  renameUses(from: string, to: string): void {
    this.build();
    const readers = this.uses.get(from);
    if (!readers) return;
    for (const n of [...readers.keys()]) this.edit(n, () => { n.inputs = n.inputs.map((i) => (i === from ? to : i)); });
  }

  remove(n: Node): void {
    if (this.removed.has(n)) return;
    this.build();
    this.detach(n);
    this.removed.add(n);
  }

  /** Drops the removed nodes from `g.nodes`; call once at the end of the pass. */
  commit(): void {
    const removed = this.removed;
    if (removed.size) this.g.nodes = this.g.nodes.filter((n) => !removed.has(n));
    removed.clear();
  }
}

/** Adds constant `t` under the first free name of base, base_1, base_2, ... The suffixes found taken
 * are remembered for the pass (names are only added during a pass, never freed), so n constants with
 * one base (a weight shared by n folded convs) cost O(n), not O(n²). */
function freshConst(ix: GraphIndex, dims: Map<string, number[]>, base: string, t: ConstTensor): string {
  const g = ix.g;
  let i = ix.nextSuffix.get(base) ?? 0;
  let name = i ? `${base}_${i}` : base;
  while (g.consts.has(name) || dims.has(name)) name = `${base}_${++i}`;
  ix.nextSuffix.set(base, i + 1);
  g.consts.set(name, t);
  dims.set(name, t.dims.slice());
  return name;
}

/** Removes `dead` and makes `keeper` produce `dead`'s output name (keeps graph output names). */
function absorb(ix: GraphIndex, keeper: Node, keeperOut: string, dead: Node): void {
  const newName = dead.outputs[0];
  ix.remove(dead);
  ix.edit(keeper, () => { keeper.outputs = keeper.outputs.map((o) => (o === keeperOut ? newName : o)); });
}

const f32 = (c: ConstTensor) => c.data as Float32Array;

/** Per-output-channel values of a const that broadcasts against an NCHW (or [N,C]) tensor with C
 * channels without changing its shape: [C], [C,1,1], [1,C,1,1], [1], [] ... Returns undefined otherwise. */
function perChannel(c: ConstTensor, rank: number, channels: number): Float32Array | undefined {
  if (c.dtype !== 'float32' || c.dims.length > rank) return undefined;
  const d = [...new Array(rank - c.dims.length).fill(1), ...c.dims];
  if (d.some((v, i) => i !== 1 && v !== 1)) return undefined;
  if (d[1] !== 1 && d[1] !== channels) return undefined;
  const data = f32(c);
  return d[1] === 1 ? new Float32Array(channels).fill(data[0]) : data;
}

// ---------------------------------------------------------------------------------------------
// passes

/** Batch-norm as a per-channel affine map y = x·scale + shift: scale = γ / sqrt(var + ε), shift = β − mean·scale. */
export function batchNormAffine(gamma: ArrayLike<number>, beta: ArrayLike<number>, mean: ArrayLike<number>, variance: ArrayLike<number>, epsilon: number, channels: number): { scale: Float32Array; shift: Float32Array } {
  const scale = new Float32Array(channels), shift = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = gamma[c] / Math.sqrt(variance[c] + epsilon);
    shift[c] = beta[c] - mean[c] * scale[c];
  }
  return { scale, shift };
}

/** Folds BatchNormalization into the preceding Conv, ConvTranspose or Gemm (when that output has no other use):
 * W' = W·s, b' = (b − mean)·s + beta with s = scale / sqrt(var + eps), per output channel. */
export const foldBatchNorm: Pass = (g, dims) => {
  let changed = false;
  const ix = new GraphIndex(g);
  for (const bn of g.nodes) {
    if (bn.op !== 'BatchNormalization') continue;
    const x = bn.inputs[0];
    const prod = ix.producerOf(x);
    if (!prod || (prod.op !== 'Conv' && prod.op !== 'ConvTranspose' && prod.op !== 'Gemm') || prod.attrs.act || prod.attrs.residual) continue;
    if (ix.singleUse(x) !== bn) continue;
    const [scale, beta, mean, vari] = bn.inputs.slice(1).map((i) => g.consts.get(i));
    if (!scale || !beta || !mean || !vari) continue;
    const w = g.consts.get(prod.inputs[1]);
    if (!w || w.dtype !== 'float32') continue;
    const { scale: s, shift } = batchNormAffine(f32(scale), f32(beta), f32(mean), f32(vari), bn.attrs.epsilon, dims.get(x)![1]);
    if (prod.op === 'Conv' || prod.op === 'ConvTranspose') {
      if (!scaleConv(ix, dims, prod, s, shift)) continue;
    } else {
      if (!scaleGemm(ix, dims, prod, s, shift)) continue;
    }
    absorb(ix, prod, x, bn);
    changed = true;
  }
  ix.commit();
  return changed;
};

/** Conv: W[o] *= s[o]; b[o] = b[o]·s[o] + shift[o]. ConvTranspose (W [C_in][C_out/groups][kh][kw]):
 * output channel o = g·(C_out/groups) + co scales W[ci][co] for the input channels ci of group g. */
function scaleConv(ix: GraphIndex, dims: Map<string, number[]>, conv: Node, s: Float32Array, shift: Float32Array): boolean {
  const g = ix.g;
  const w = g.consts.get(conv.inputs[1])!;
  const transposed = conv.op === 'ConvTranspose';
  const O = transposed ? w.dims[1] * conv.attrs.groups : w.dims[0], per = size(w.dims.slice(2));
  if (s.length !== O) return false;
  const nw = new Float32Array(f32(w));
  if (transposed) {
    const cinG = w.dims[0] / conv.attrs.groups, coutG = w.dims[1];
    for (let ci = 0; ci < w.dims[0]; ci++) for (let co = 0; co < coutG; co++) {
      const o = Math.floor(ci / cinG) * coutG + co;
      for (let k = 0; k < per; k++) nw[(ci * coutG + co) * per + k] *= s[o];
    }
  } else {
    const perO = size(w.dims) / O;
    for (let o = 0; o < O; o++) for (let k = 0; k < perO; k++) nw[o * perO + k] *= s[o];
  }
  const oldB = conv.inputs[2] ? g.consts.get(conv.inputs[2]) : undefined;
  const nb = new Float32Array(O);
  for (let o = 0; o < O; o++) nb[o] = (oldB ? f32(oldB)[o] : 0) * s[o] + shift[o];
  const wName = freshConst(ix, dims, `${conv.inputs[1]}__folded`, { dtype: 'float32', dims: w.dims.slice(), data: nw });
  const bName = freshConst(ix, dims, `${conv.name}__bias`, { dtype: 'float32', dims: [O], data: nb });
  ix.edit(conv, () => { conv.inputs[1] = wName; conv.inputs[2] = bName; });
  return true;
}

/** Gemm: y = alpha·A·B + beta·C; scaling output column n by s[n] and adding shift[n]. */
function scaleGemm(ix: GraphIndex, dims: Map<string, number[]>, gemm: Node, s: Float32Array, shift: Float32Array): boolean {
  const g = ix.g;
  const b = g.consts.get(gemm.inputs[1])!;
  const [r, c] = b.dims;
  const N = gemm.attrs.transB ? r : c;
  if (s.length !== N) return false;
  const oldC = gemm.inputs[2] ? g.consts.get(gemm.inputs[2]) : undefined;
  if (oldC && size(oldC.dims) !== N && size(oldC.dims) !== 1) return false;
  const nb = new Float32Array(f32(b));
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) nb[i * c + j] *= s[gemm.attrs.transB ? i : j];
  const nc = new Float32Array(N);
  for (let n = 0; n < N; n++) {
    const cv = oldC ? f32(oldC)[size(oldC.dims) === 1 ? 0 : n] * gemm.attrs.beta : 0;
    nc[n] = cv * s[n] + shift[n];
  }
  const bName = freshConst(ix, dims, `${gemm.inputs[1]}__folded`, { dtype: 'float32', dims: b.dims.slice(), data: nb });
  const cName = freshConst(ix, dims, `${gemm.name}__bias`, { dtype: 'float32', dims: [N], data: nc });
  ix.edit(gemm, () => { gemm.inputs[1] = bName; gemm.inputs[2] = cName; });
  gemm.attrs.beta = 1;
  return true;
}

/** Folds Mul/Div/Add/Sub by a per-channel constant after a Conv or ConvTranspose into its weights and bias. */
export const foldChannelAffine: Pass = (g, dims) => {
  let changed = false;
  const ix = new GraphIndex(g);
  for (const op of g.nodes) {
    if (!['Mul', 'Div', 'Add', 'Sub'].includes(op.op) || op.attrs.act) continue;
    for (const side of [0, 1]) {
      const x = op.inputs[side], k = op.inputs[1 - side];
      if ((op.op === 'Div' || op.op === 'Sub') && side !== 0) continue; // only conv / k, conv − k
      const c = g.consts.get(k);
      const conv = ix.producerOf(x);
      if (!c || !conv || (conv.op !== 'Conv' && conv.op !== 'ConvTranspose') || conv.attrs.act || conv.attrs.residual || ix.singleUse(x) !== op) continue;
      const xd = dims.get(x)!;
      const v = perChannel(c, xd.length, xd[1]);
      if (!v) continue;
      const C = xd[1];
      const s = new Float32Array(C).fill(1), shift = new Float32Array(C);
      for (let i = 0; i < C; i++) {
        if (op.op === 'Mul') s[i] = v[i];
        else if (op.op === 'Div') s[i] = 1 / v[i];
        else if (op.op === 'Add') shift[i] = v[i];
        else shift[i] = -v[i];
      }
      scaleConv(ix, dims, conv, s, shift);
      absorb(ix, conv, x, op);
      changed = true;
      break;
    }
  }
  ix.commit();
  return changed;
};

/** Fuses Add(conv_out, other) into the Conv (or Gemm) as a residual 4th input, when the shapes are
 * equal and conv_out has no other use: the epilogue computes act(acc + bias + residual). */
export const fuseResidual: Pass = (g, dims, caps) => {
  let changed = false;
  const ix = new GraphIndex(g);
  for (const add of g.nodes) {
    if (add.op !== 'Add' || add.attrs.act) continue;
    for (const side of [0, 1]) {
      const x = add.inputs[side], other = add.inputs[1 - side];
      if (x === other || g.consts.has(other)) continue;
      const p = ix.producerOf(x);
      if (!p || !caps.residualProducers.has(p.op) || p.attrs.act || p.attrs.residual || ix.singleUse(x) !== add) continue;
      const a = dims.get(x)!, b = dims.get(other)!;
      if (a.length !== b.length || a.some((d, i) => d !== b[i])) continue;
      ix.edit(p, () => {
        while (p.inputs.length < 3) p.inputs.push('');
        p.inputs[3] = other;
      });
      p.attrs.residual = true;
      absorb(ix, p, x, add);
      changed = true;
      break;
    }
  }
  ix.commit();
  if (changed) g.nodes = topoSort(g.nodes, [...g.inputs.map((i) => i.name), ...g.consts.keys()]);
  return changed;
};

/** Fuses an activation into its producer as `attrs.act`, where the backend's epilogue computes it. */
export const fuseActivation: Pass = (g, _dims, caps) => {
  let changed = false;
  const ix = new GraphIndex(g);
  for (const actNode of g.nodes) {
    const act = caps.fusableActivations.has(actNode.op) ? activationOf(actNode) : undefined;
    if (!act) continue;
    const x = actNode.inputs[0];
    const p = ix.producerOf(x);
    if (!p || !caps.activationProducers.has(p.op) || p.attrs.act || ix.singleUse(x) !== actNode) continue;
    p.attrs.act = act;
    absorb(ix, p, x, actNode);
    changed = true;
  }
  ix.commit();
  return changed;
};

/** A constant of one element (any rank up to `rank`, so it broadcasts without changing a shape) within
 * `rel` of `v`; `rel` 0 asks for the exact value. */
function scalarConst(g: Graph, name: string, rank: number, v: number, rel = 0): boolean {
  const c = g.consts.get(name);
  if (!c || c.dtype !== 'float32' || size(c.dims) !== 1 || c.dims.length > rank) return false;
  const x = (c.data as ArrayLike<number>)[0];
  return rel === 0 ? x === v : Math.abs(x - v) <= rel * Math.abs(v);
}

/** The other input of a two-input node (`value` one of them), or undefined. */
const otherInput = (n: Node, value: string): string | undefined =>
  (n.inputs.length !== 2 ? undefined : n.inputs[0] === value ? n.inputs[1] : n.inputs[1] === value ? n.inputs[0] : undefined);

/**
 * The exact GELU as exporters write it before opset 20 becomes one Gelu node (which a backend may then
 * fuse): `Erf(x / √2)` (Div by √2 or Mul by 1/√2, within 1e-6 relative), `+ 1` (either order), then
 * the product of x, that sum and 0.5 in any of the association orders exporters use:
 * `(x·a)·0.5` (PyTorch), `(x·0.5)·a` (Hugging Face), `x·(a·0.5)`; operands of a Mul in either order.
 * Every intermediate value must be single-use and not a graph output, the constants single-element,
 * and the result x's shape. Runs for every backend (it keeps the meaning: one rounding instead of five).
 */
export const recognizeGelu: Pass = (g, dims) => {
  let changed = false;
  const ix = new GraphIndex(g);
  for (const erf of g.nodes) {
    if (erf.op !== 'Erf' || ix.isRemoved(erf)) continue;
    const d = ix.producerOf(erf.inputs[0]);
    if (!d || ix.singleUse(erf.inputs[0]) !== erf) continue;
    const x = d.op === 'Div' ? d.inputs[0] : d.op === 'Mul' ? d.inputs.find((i) => !g.consts.has(i)) : undefined;
    if (!x || g.consts.has(x)) continue;
    const rank = dims.get(x)!.length;
    const k = otherInput(d, x);
    if (!k || (d.op === 'Div' ? d.inputs[1] !== k || !scalarConst(g, k, rank, Math.SQRT2, 1e-6) : !scalarConst(g, k, rank, Math.SQRT1_2, 1e-6))) continue;
    const add = ix.singleUse(erf.outputs[0]);
    const one = add?.op === 'Add' ? otherInput(add, erf.outputs[0]) : undefined;
    if (!add || !one || !scalarConst(g, one, rank, 1)) continue;
    const u = ix.singleUse(add.outputs[0]);
    const o = u?.op === 'Mul' ? otherInput(u, add.outputs[0]) : undefined;
    if (!u || !o) continue;
    const dead: Node[] = [d, erf, add];
    let last: Node | undefined;
    if (o === x) { // (x·a)·0.5
      const v = ix.singleUse(u.outputs[0]);
      const h = v?.op === 'Mul' ? otherInput(v, u.outputs[0]) : undefined;
      if (v && h && scalarConst(g, h, rank, 0.5)) { dead.push(u); last = v; }
    } else if (scalarConst(g, o, rank, 0.5)) { // x·(a·0.5)
      const v = ix.singleUse(u.outputs[0]);
      if (v?.op === 'Mul' && otherInput(v, u.outputs[0]) === x) { dead.push(u); last = v; }
    } else { // (x·0.5)·a
      const h = ix.producerOf(o);
      const half = h?.op === 'Mul' ? otherInput(h, x) : undefined;
      if (h && half && ix.singleUse(o) === u && scalarConst(g, half, rank, 0.5)) { dead.push(h); last = u; }
    }
    const xd = dims.get(x)!, yd = last ? dims.get(last.outputs[0])! : undefined;
    if (!last || !yd || yd.length !== xd.length || yd.some((v, i) => v !== xd[i])) continue;
    const y = last;
    ix.edit(y, () => { y.op = 'Gelu'; y.inputs = [x]; y.attrs = { approximate: 0 }; });
    for (const n of dead) ix.remove(n);
    changed = true;
  }
  ix.commit();
  return changed;
};

/**
 * SiLU (Swish) as exporters write it, `Mul(c, Sigmoid(c))` (operands in either order), where c comes from
 * an activation producer of the backend without an activation yet, and c is read only by that Sigmoid
 * and that Mul (not a graph output): the producer takes `Silu` as its epilogue and the Mul's output name.
 * Only where the backend's epilogues compute Silu (its fusableActivations), after fuseResidual.
 */
export const fuseSilu: Pass = (g, _dims, caps) => {
  if (!caps.fusableActivations.has('Silu')) return false;
  let changed = false;
  const ix = new GraphIndex(g);
  for (const sig of g.nodes) {
    if (sig.op !== 'Sigmoid' || ix.isRemoved(sig)) continue;
    const c = sig.inputs[0];
    const p = ix.producerOf(c);
    const mul = ix.singleUse(sig.outputs[0]);
    if (!p || !mul || mul.op !== 'Mul' || otherInput(mul, sig.outputs[0]) !== c) continue;
    if (!caps.activationProducers.has(p.op) || p.attrs.act || ix.isOutput(c)) continue;
    const readers = ix.readers(c);
    if (readers.length !== 2 || readers.some(([n, k]) => k !== 1 || (n !== sig && n !== mul))) continue;
    p.attrs.act = { op: 'Silu', attrs: {} };
    ix.remove(sig);
    absorb(ix, p, c, mul);
    changed = true;
  }
  ix.commit();
  return changed;
};

/** Folds a constant Pad on the spatial axes of a 4-D tensor into the following Conv (zero pad),
 * AveragePool (zero pad; count_include_pad semantics) or MaxPool (−∞ pad). */
export const foldPad: Pass = (g, dims) => {
  let changed = false;
  const ix = new GraphIndex(g);
  for (const pad of g.nodes) {
    if (pad.op !== 'Pad') continue;
    const x = pad.inputs[0], y = pad.outputs[0];
    const xd = dims.get(x)!;
    const p: number[] = pad.attrs.pads;
    // only a constant-mode pad with a known value (not reflect/edge/wrap, not a computed constant_value)
    if ((pad.attrs.mode ?? 'constant') !== 'constant' || pad.inputs.length !== 1) continue;
    if (xd.length !== 4 || p.some((v) => v < 0) || p[0] || p[1] || p[4] || p[5]) continue;
    const next = ix.singleUse(y);
    if (!next || next.inputs[0] !== y) continue;
    const v = pad.attrs.value;
    const ok = next.op === 'Conv' ? v === 0
      : next.op === 'AveragePool' ? v === 0 && !next.attrs.ceilMode && (next.attrs.countIncludePad || next.attrs.pads.every((q: number) => q === 0))
      : next.op === 'MaxPool' ? v === -Infinity && !next.attrs.ceilMode
      : false;
    if (!ok) continue;
    const [t, l, b, r] = next.attrs.pads;
    next.attrs.pads = [t + p[2], l + p[3], b + p[6], r + p[7]];
    if (next.op === 'AveragePool') next.attrs.countIncludePad = true;
    ix.edit(next, () => { next.inputs[0] = x; });
    ix.remove(pad);
    changed = true;
  }
  ix.commit();
  return changed;
};

/** Removes Transpose pairs whose permutations cancel; composes other back-to-back pairs into one. */
export const cancelTransposes: Pass = (g) => {
  let changed = false;
  const ix = new GraphIndex(g);
  for (const t2 of g.nodes) {
    if (t2.op !== 'Transpose' || ix.isRemoved(t2)) continue;
    const mid = t2.inputs[0];
    const t1 = ix.producerOf(mid);
    if (!t1 || t1.op !== 'Transpose' || ix.singleUse(mid) !== t2) continue;
    const p1: number[] = t1.attrs.perm, p2: number[] = t2.attrs.perm;
    const composed = p2.map((j) => p1[j]);
    const x = t1.inputs[0], z = t2.outputs[0];
    ix.remove(t1);
    if (composed.some((v, i) => v !== i)) {
      t2.attrs.perm = composed;
      ix.edit(t2, () => { t2.inputs[0] = x; });
    } else if (!ix.isOutput(z)) {
      ix.remove(t2);
      ix.renameUses(z, x);
    } else {
      const px = ix.producerOf(x);
      if (px && !ix.isOutput(x)) {
        ix.remove(t2);
        ix.edit(px, () => { px.outputs = px.outputs.map((o) => (o === x ? z : o)); });
        ix.renameUses(x, z);
      } else { // x is a graph input (or output): a copy must remain
        t2.op = 'Reshape';
        ix.edit(t2, () => { t2.inputs = [x]; });
        t2.attrs = { shape: [...(g.outputs.find((o) => o.name === z)!.dims as number[])] };
      }
    }
    changed = true;
  }
  ix.commit();
  return changed;
};

/** Operators that commute with a Reshape or a Transpose before them (element-wise unary), and batch-norm,
 * which commutes with a Reshape that keeps the batch and channel axes. */
const UNARY = new Set(['Relu', 'Clip', 'LeakyRelu', 'Sigmoid', 'Tanh', 'HardSigmoid', 'HardSwish']);

/**
 * `op(Reshape(x))` → `Reshape(op(x))` (and `op(Transpose(x))` → `Transpose(op(x))` for element-wise unary
 * operators), when the Reshape or Transpose has no other reader: the operator then runs on x's shape and
 * meets its producer (a 1-D Conv's Relu or BatchNormalization, between the Reshapes the 1-D rewrite puts
 * around each layer, or a 3-D Conv's Relu after its Reshape and Transpose, can fuse or fold into it), and a
 * Reshape reaches the next layer's, where cancelReshapes removes the pair. Repeats until nothing moves.
 */
export const sinkReshapes: Pass = (g, dims) => {
  let changed = false;
  for (let round = 0; round <= g.nodes.length && sinkOnce(g, dims); round++) changed = true;
  return changed;
};

function sinkOnce(g: Graph, dims: Map<string, number[]>): boolean {
  let changed = false;
  const ix = new GraphIndex(g);
  const pos = new Map(g.nodes.map((n, i) => [n, i]));
  for (const op of g.nodes.slice()) {
    if (!UNARY.has(op.op) && op.op !== 'BatchNormalization') continue;
    const r = ix.producerOf(op.inputs[0]);
    if (!r || (r.op !== 'Reshape' && !(r.op === 'Transpose' && UNARY.has(op.op))) || ix.singleUse(r.outputs[0]) !== op) continue;
    const x = r.inputs[0], mid = r.outputs[0], out = op.outputs[0];
    const xd = dims.get(x)!, yd = dims.get(mid)!;
    if (op.op === 'BatchNormalization' && !(xd.length >= 2 && xd[0] === yd[0] && xd[1] === yd[1])) continue;
    // op now produces `mid` (with x's dims); the reshape reads it and produces op's old output
    ix.edit(r, () => { r.outputs = ['']; });
    ix.edit(op, () => { op.inputs[0] = x; op.outputs = [mid]; });
    ix.edit(r, () => { r.inputs = [mid]; r.outputs = [out]; });
    dims.set(mid, xd.slice());
    // keep g.nodes in topological order: op takes the reshape's place and the reshape op's
    const i = pos.get(r)!, j = pos.get(op)!;
    g.nodes[i] = op; g.nodes[j] = r; pos.set(op, i); pos.set(r, j);
    changed = true;
  }
  ix.commit();
  return changed;
}

/** Reshape(Reshape(x)) back to x's own dims is removed (its readers read x): the pair the 1-D rewrite
 * leaves between two 1-D layers, so a 1-D chain stays 4-D. Other compositions are left as they are (a
 * composed 4-D → 4-D reshape may not be free on an NHWC backend). */
export const cancelReshapes: Pass = (g, dims) => {
  let changed = false;
  const ix = new GraphIndex(g);
  for (const r2 of g.nodes) {
    if (r2.op !== 'Reshape' || ix.isRemoved(r2)) continue;
    const r1 = ix.producerOf(r2.inputs[0]);
    if (!r1 || (r1.op !== 'Reshape' && r1.op !== 'Flatten')) continue;
    const x = r1.inputs[0], z = r2.outputs[0];
    const xd = dims.get(x)!, zd = dims.get(z)!;
    if (xd.length !== zd.length || xd.some((d, k) => d !== zd[k]) || ix.isOutput(z)) continue;
    ix.remove(r2);
    ix.renameUses(z, x);
    // r1, when nothing else reads it, goes in the final removeDeadNodes
    changed = true;
  }
  ix.commit();
  return changed;
};

/** Drops nodes whose outputs do not reach a graph output, and constants no node reads. */
export const removeDeadNodes: Pass = (g) => {
  // a node is kept when one of its outputs is needed; a kept node needs its inputs. A worklist from
  // the graph outputs back through producers: linear, and independent of node order (nodes may be
  // out of order after edits).
  const producers = new Map<string, Node[]>();
  for (const n of g.nodes) for (const o of n.outputs) { const p = producers.get(o); if (p) p.push(n); else producers.set(o, [n]); }
  const need = new Set<string>();
  const keep = new Set<Node>();
  const todo: string[] = [];
  const want = (v: string) => { if (!need.has(v)) { need.add(v); todo.push(v); } };
  for (const o of g.outputs) want(o.name);
  while (todo.length) {
    for (const n of producers.get(todo.pop()!) ?? []) {
      if (keep.has(n)) continue;
      keep.add(n);
      for (const x of n.inputs) if (x) want(x);
    }
  }
  const before = g.nodes.length, cBefore = g.consts.size;
  g.nodes = g.nodes.filter((n) => keep.has(n));
  for (const k of [...g.consts.keys()]) if (!need.has(k)) g.consts.delete(k);
  return g.nodes.length !== before || g.consts.size !== cBefore;
};

/** The passes `optimize` runs, in order. */
export const PASSES: { name: string; run: Pass }[] = [
  { name: 'removeDeadNodes', run: removeDeadNodes },
  { name: 'cancelTransposes', run: cancelTransposes },
  { name: 'recognizeGelu', run: recognizeGelu },
  { name: 'sinkReshapes', run: sinkReshapes },
  { name: 'cancelReshapes', run: cancelReshapes },
  { name: 'foldBatchNorm', run: foldBatchNorm },
  { name: 'foldChannelAffine', run: foldChannelAffine },
  { name: 'foldPad', run: foldPad },
  { name: 'fuseResidual', run: fuseResidual },
  { name: 'fuseSilu', run: fuseSilu },
  { name: 'fuseActivation', run: fuseActivation },
  { name: 'removeDeadNodes', run: removeDeadNodes },
];

/** Copies the graph and runs every pass with a backend's fusion capabilities. New constants' dims are added to `dims`. */
export function optimize(graph: Graph, dims: Map<string, number[]>, caps: FusionCaps = NO_FUSION): Graph {
  const g: Graph = {
    ...graph,
    inputs: graph.inputs.map((v) => ({ ...v, dims: v.dims.slice() })),
    outputs: graph.outputs.map((v) => ({ ...v, dims: v.dims.slice() })),
    nodes: graph.nodes.map((n) => ({ ...n, inputs: n.inputs.slice(), outputs: n.outputs.slice(), attrs: structuredClone(n.attrs) })),
    consts: new Map(graph.consts),
  };
  for (const p of PASSES) p.run(g, dims, caps);
  return g;
}
