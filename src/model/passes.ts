// Graph passes over a folded graph (bindAndFold's output: planned operators, normalized attributes,
// concrete dims). Each pass is a small function `(g, dims, caps) => boolean` (true when it changed
// something) that edits `g` in place; `optimize` copies the graph first and runs them in order.
// Folds that keep the graph's meaning (batch-norm, per-channel affine, pad into conv/pool, transpose
// pairs) run for every backend; fusions into epilogues run only as far as the backend's
// capabilities say its kernels absorb them.
// Graph output names never change: when a fusion removes the node that produced an output, the fused
// node takes over that output's name. New constants get fresh names (constants may be shared between
// nodes, so they are never edited in place) and their dims are added to `dims`.
import type { ConstTensor, FusedActivation, Graph, Node } from './ir.js';
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

function consumers(g: Graph, value: string): Node[] {
  return g.nodes.filter((n) => n.inputs.includes(value));
}
const isOutput = (g: Graph, value: string) => g.outputs.some((o) => o.name === value);
/** The value feeds exactly one node, once, and is not a graph output. */
function singleUse(g: Graph, value: string): Node | undefined {
  if (isOutput(g, value)) return undefined;
  const cs = consumers(g, value);
  if (cs.length !== 1 || cs[0].inputs.filter((i) => i === value).length !== 1) return undefined;
  return cs[0];
}
const producerOf = (g: Graph, value: string) => g.nodes.find((n) => n.outputs.includes(value));

function freshConst(g: Graph, dims: Map<string, number[]>, base: string, t: ConstTensor): string {
  let name = base, i = 1;
  while (g.consts.has(name) || dims.has(name)) name = `${base}_${i++}`;
  g.consts.set(name, t);
  dims.set(name, t.dims.slice());
  return name;
}

/** Removes `dead` and makes `keeper` produce `dead`'s output name (keeps graph output names). */
function absorb(g: Graph, keeper: Node, keeperOut: string, dead: Node): void {
  const newName = dead.outputs[0];
  keeper.outputs = keeper.outputs.map((o) => (o === keeperOut ? newName : o));
  g.nodes = g.nodes.filter((n) => n !== dead);
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

/** Folds BatchNormalization into the preceding Conv or Gemm (when that output has no other use):
 * W' = W·s, b' = (b − mean)·s + beta with s = scale / sqrt(var + eps), per output channel. */
export const foldBatchNorm: Pass = (g, dims) => {
  let changed = false;
  for (const bn of g.nodes.slice()) {
    if (bn.op !== 'BatchNormalization') continue;
    const x = bn.inputs[0];
    const prod = producerOf(g, x);
    if (!prod || (prod.op !== 'Conv' && prod.op !== 'Gemm') || prod.attrs.act || prod.attrs.residual) continue;
    if (singleUse(g, x) !== bn) continue;
    const [scale, beta, mean, vari] = bn.inputs.slice(1).map((i) => g.consts.get(i));
    if (!scale || !beta || !mean || !vari) continue;
    const w = g.consts.get(prod.inputs[1]);
    if (!w || w.dtype !== 'float32') continue;
    const { scale: s, shift } = batchNormAffine(f32(scale), f32(beta), f32(mean), f32(vari), bn.attrs.epsilon, dims.get(x)![1]);
    if (prod.op === 'Conv') {
      if (!scaleConv(g, dims, prod, s, shift)) continue;
    } else {
      if (!scaleGemm(g, dims, prod, s, shift)) continue;
    }
    absorb(g, prod, x, bn);
    changed = true;
  }
  return changed;
};

/** Conv: W[o] *= s[o]; b[o] = b[o]·s[o] + shift[o]. */
function scaleConv(g: Graph, dims: Map<string, number[]>, conv: Node, s: Float32Array, shift: Float32Array): boolean {
  const w = g.consts.get(conv.inputs[1])!;
  const O = w.dims[0], per = size(w.dims) / O;
  if (s.length !== O) return false;
  const nw = new Float32Array(f32(w));
  for (let o = 0; o < O; o++) for (let k = 0; k < per; k++) nw[o * per + k] *= s[o];
  const oldB = conv.inputs[2] ? g.consts.get(conv.inputs[2]) : undefined;
  const nb = new Float32Array(O);
  for (let o = 0; o < O; o++) nb[o] = (oldB ? f32(oldB)[o] : 0) * s[o] + shift[o];
  conv.inputs[1] = freshConst(g, dims, `${conv.inputs[1]}__folded`, { dtype: 'float32', dims: w.dims.slice(), data: nw });
  conv.inputs[2] = freshConst(g, dims, `${conv.name}__bias`, { dtype: 'float32', dims: [O], data: nb });
  return true;
}

/** Gemm: y = alpha·A·B + beta·C; scaling output column n by s[n] and adding shift[n]. */
function scaleGemm(g: Graph, dims: Map<string, number[]>, gemm: Node, s: Float32Array, shift: Float32Array): boolean {
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
  gemm.inputs[1] = freshConst(g, dims, `${gemm.inputs[1]}__folded`, { dtype: 'float32', dims: b.dims.slice(), data: nb });
  gemm.inputs[2] = freshConst(g, dims, `${gemm.name}__bias`, { dtype: 'float32', dims: [N], data: nc });
  gemm.attrs.beta = 1;
  return true;
}

/** Folds Mul/Div/Add/Sub by a per-channel constant after a Conv into its weights and bias. */
export const foldChannelAffine: Pass = (g, dims) => {
  let changed = false;
  for (const op of g.nodes.slice()) {
    if (!['Mul', 'Div', 'Add', 'Sub'].includes(op.op) || op.attrs.act) continue;
    for (const side of [0, 1]) {
      const x = op.inputs[side], k = op.inputs[1 - side];
      if ((op.op === 'Div' || op.op === 'Sub') && side !== 0) continue; // only conv / k, conv − k
      const c = g.consts.get(k);
      const conv = producerOf(g, x);
      if (!c || !conv || conv.op !== 'Conv' || conv.attrs.act || conv.attrs.residual || singleUse(g, x) !== op) continue;
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
      scaleConv(g, dims, conv, s, shift);
      absorb(g, conv, x, op);
      changed = true;
      break;
    }
  }
  return changed;
};

/** Fuses Add(conv_out, other) into the Conv (or Gemm) as a residual 4th input, when the shapes are
 * equal and conv_out has no other use: the epilogue computes act(acc + bias + residual). */
export const fuseResidual: Pass = (g, dims, caps) => {
  let changed = false;
  for (const add of g.nodes.slice()) {
    if (add.op !== 'Add' || add.attrs.act) continue;
    for (const side of [0, 1]) {
      const x = add.inputs[side], other = add.inputs[1 - side];
      if (x === other || g.consts.has(other)) continue;
      const p = producerOf(g, x);
      if (!p || !caps.residualProducers.has(p.op) || p.attrs.act || p.attrs.residual || singleUse(g, x) !== add) continue;
      const a = dims.get(x)!, b = dims.get(other)!;
      if (a.length !== b.length || a.some((d, i) => d !== b[i])) continue;
      while (p.inputs.length < 3) p.inputs.push('');
      p.inputs[3] = other;
      p.attrs.residual = true;
      absorb(g, p, x, add);
      changed = true;
      break;
    }
  }
  if (changed) g.nodes = topoSort(g.nodes, [...g.inputs.map((i) => i.name), ...g.consts.keys()]);
  return changed;
};

const ACTIVATION_ATTRS: Record<string, readonly string[]> = {
  Relu: [], Clip: ['min', 'max'], LeakyRelu: ['alpha'], Sigmoid: [], Tanh: [], HardSigmoid: ['alpha', 'beta'], HardSwish: [],
};

/** The fused form of an activation node (its operator and attributes), or undefined when the node is not one. */
export function activationOf(n: Node): FusedActivation | undefined {
  const names = ACTIVATION_ATTRS[n.op];
  if (!names) return undefined;
  return { op: n.op, attrs: Object.fromEntries(names.map((k) => [k, n.attrs[k]])) };
}

/** Fuses an activation into its producer as `attrs.act`, where the backend's epilogue computes it. */
export const fuseActivation: Pass = (g, _dims, caps) => {
  let changed = false;
  for (const actNode of g.nodes.slice()) {
    const act = caps.fusableActivations.has(actNode.op) ? activationOf(actNode) : undefined;
    if (!act) continue;
    const x = actNode.inputs[0];
    const p = producerOf(g, x);
    if (!p || !caps.activationProducers.has(p.op) || p.attrs.act || singleUse(g, x) !== actNode) continue;
    p.attrs.act = act;
    absorb(g, p, x, actNode);
    changed = true;
  }
  return changed;
};

/** Folds a constant Pad on the spatial axes of a 4-D tensor into the following Conv (zero pad),
 * AveragePool (zero pad; count_include_pad semantics) or MaxPool (−∞ pad). */
export const foldPad: Pass = (g, dims) => {
  let changed = false;
  for (const pad of g.nodes.slice()) {
    if (pad.op !== 'Pad') continue;
    const x = pad.inputs[0], y = pad.outputs[0];
    const xd = dims.get(x)!;
    const p: number[] = pad.attrs.pads;
    if (xd.length !== 4 || p.some((v) => v < 0) || p[0] || p[1] || p[4] || p[5]) continue;
    const next = singleUse(g, y);
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
    next.inputs[0] = x;
    g.nodes = g.nodes.filter((n) => n !== pad);
    changed = true;
  }
  return changed;
};

/** Removes Transpose pairs whose permutations cancel; composes other back-to-back pairs into one. */
export const cancelTransposes: Pass = (g) => {
  let changed = false;
  for (const t2 of g.nodes.slice()) {
    if (t2.op !== 'Transpose' || !g.nodes.includes(t2)) continue;
    const mid = t2.inputs[0];
    const t1 = producerOf(g, mid);
    if (!t1 || t1.op !== 'Transpose' || singleUse(g, mid) !== t2) continue;
    const p1: number[] = t1.attrs.perm, p2: number[] = t2.attrs.perm;
    const composed = p2.map((j) => p1[j]);
    const x = t1.inputs[0], z = t2.outputs[0];
    g.nodes = g.nodes.filter((n) => n !== t1);
    if (composed.some((v, i) => v !== i)) {
      t2.attrs.perm = composed; t2.inputs[0] = x;
    } else if (!isOutput(g, z)) {
      g.nodes = g.nodes.filter((n) => n !== t2);
      for (const n of g.nodes) n.inputs = n.inputs.map((i) => (i === z ? x : i));
    } else {
      const px = producerOf(g, x);
      if (px && !isOutput(g, x)) {
        g.nodes = g.nodes.filter((n) => n !== t2);
        px.outputs = px.outputs.map((o) => (o === x ? z : o));
        for (const n of g.nodes) n.inputs = n.inputs.map((i) => (i === x ? z : i));
      } else { // x is a graph input (or output): a copy must remain
        t2.op = 'Reshape'; t2.inputs = [x]; t2.attrs = { shape: [...(g.outputs.find((o) => o.name === z)!.dims as number[])] };
      }
    }
    changed = true;
  }
  return changed;
};

/** Drops nodes whose outputs do not reach a graph output, and constants no node reads. */
export const removeDeadNodes: Pass = (g) => {
  const need = new Set(g.outputs.map((o) => o.name));
  const keep = new Set<Node>();
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i];
    if (n.outputs.some((o) => need.has(o))) { keep.add(n); n.inputs.forEach((x) => x && need.add(x)); }
  }
  // nodes may be out of order after edits: iterate to a fixed point
  for (let grew = true; grew;) {
    grew = false;
    for (const n of g.nodes) {
      if (!keep.has(n) && n.outputs.some((o) => need.has(o))) { keep.add(n); n.inputs.forEach((x) => x && need.add(x)); grew = true; }
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
  { name: 'foldBatchNorm', run: foldBatchNorm },
  { name: 'foldChannelAffine', run: foldChannelAffine },
  { name: 'foldPad', run: foldPad },
  { name: 'fuseResidual', run: fuseResidual },
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
