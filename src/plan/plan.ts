// The backend-neutral memory plan: each value's physical layout (as the backend asks), its buffer and
// the buffer's lifetime, aliases (reshapes that keep the bytes, channel slices of a concat), and every
// buffer's offset in one activation arena where buffers whose lifetimes do not overlap share bytes.
// Offsets are relative to the arena: a backend places the arena where it wants (wasm: in linear
// memory after its reserved bytes; reference: a plain ArrayBuffer).
import { InvalidArgumentError } from '../errors.js';
import type { Graph, Node } from '../model/ir.js';
import { size } from '../model/ir.js';
import { planArena, alignUp, type BufferRequest } from './memory.js';

/** Physical layout of a value. 'nhwc' for rank-4 activations on backends that want it; 'dense' is
 * row-major in the logical (ONNX, NCHW) order. */
export type Layout = 'nhwc' | 'dense';

/** What the planner needs of a backend (a subset of its Capabilities). */
export interface PlanCaps {
  layout(dims: readonly number[]): Layout;
  readonly sliceWriters: ReadonlySet<string>;
  readonly sliceReaders: ReadonlySet<string>;
  readonly alignment: number;
  /** Bytes of a temporary buffer a node needs while it runs (e.g. a relayout through another order), 0 for none. */
  scratchBytes?(node: Node, dims: ReadonlyMap<string, number[]>): number;
  /** Keep each graph input's buffer (its staging buffer where it has one) live for the whole run, so what
   * a caller wrote there survives the run: the backend hands it out as the input (Executable.bind). */
  readonly keepsInputs?: boolean;
}

export interface Buffer {
  id: number;
  bytes: number;
  /** first time step that writes it (inclusive): 0 = inputs arrive, node k runs at k + 1 */
  first: number;
  /** last time step that reads it (inclusive); nodes.length + 1 = outputs leave */
  last: number;
  /** byte offset in the arena */
  offset: number;
}

export interface Value {
  name: string;
  dims: number[];
  layout: Layout;
  buffer: Buffer;
  /** element offset inside the buffer (a channel slice of a concat buffer) */
  elemOffset: number;
  /** NHWC: floats between consecutive pixels (≥ C); 0 for dense values */
  pixelStride: number;
}

export interface MemoryPlan {
  values: Map<string, Value>;
  buffers: Buffer[];
  /** Dense NCHW buffers where callers' inputs land / outputs leave, for graph inputs and outputs whose
   * layout is not dense (the backend converts); absent for dense ones (the value's own buffer). */
  stagingIn: Map<string, Buffer>;
  stagingOut: Map<string, Buffer>;
  /** Temporary buffers by node name (caps.scratchBytes), live only while that node runs. */
  scratch: Map<string, Buffer>;
  /** arena size: the peak of the plan */
  arenaBytes: number;
  /** the sum of every buffer: what the arena would need without sharing */
  unsharedBytes: number;
  /** bytes of every buffer live while node k runs (its inputs, outputs and everything kept for later) */
  liveBytes: number[];
}

export interface LayerReport {
  name: string;
  op: string;
  /** the values it produces, by name: what `run(feeds, { fetch })` can read */
  outputs: string[];
  outputDims: number[];
  params: number;
  macs: number;
  /** bytes of this layer's outputs */
  activationBytes: number;
  /** bytes of every activation live while this layer runs (its inputs, outputs and everything kept for later) */
  liveBytes: number;
  kernels: string[];
}

export interface PlanReport {
  layers: LayerReport[];
  totalParams: number;
  totalMacs: number;
  /** activation arena: the peak of the plan (what the device must hold for activations) */
  arenaBytes: number;
  /** arena bytes without sharing: the sum of every tensor */
  unsharedArenaBytes: number;
  /** prepacked weights, indirection buffers and tables */
  constBytes: number;
  /** everything the backend holds for this plan (wasm: the whole linear memory) */
  memoryBytes: number;
}

export function planMemory(graph: Graph, dims: ReadonlyMap<string, number[]>, caps: PlanCaps): MemoryPlan {
  const values = new Map<string, Value>();
  const buffers: Buffer[] = [];
  const newBuffer = (bytes: number, t: number): Buffer => {
    const b = { id: buffers.length, bytes, first: t, last: t, offset: 0 };
    buffers.push(b);
    return b;
  };
  const dimsOf = (name: string): number[] => {
    const d = dims.get(name);
    if (!d) throw new Error(`internal: no dims for value '${name}'`);
    return d;
  };
  const valueOn = (name: string, buffer: Buffer, elemOffset: number, pixelStride?: number): Value => {
    const d = dimsOf(name);
    const layout = caps.layout(d);
    const v: Value = { name, dims: d, layout, buffer, elemOffset, pixelStride: layout === 'nhwc' ? pixelStride ?? d[1] : 0 };
    values.set(name, v);
    return v;
  };
  const newValue = (name: string, t: number): Value => valueOn(name, newBuffer(size(dimsOf(name)) * 4, t), 0);
  const use = (v: Value, t: number) => { v.buffer.last = Math.max(v.buffer.last, t); };
  const views = concatViews(graph, dims, caps);

  const stagingIn = new Map<string, Buffer>();
  for (const inp of graph.inputs) {
    const v = newValue(inp.name, 0);
    if (v.layout !== 'dense') stagingIn.set(inp.name, newBuffer(size(v.dims) * 4, 0));
  }
  const scratch = new Map<string, Buffer>();
  graph.nodes.forEach((node, k) => {
    const t = k + 1;
    const sb = caps.scratchBytes?.(node, dims) ?? 0;
    if (sb > 0) scratch.set(node.name, newBuffer(sb, t));
    for (const name of node.inputs) {
      const v = name ? values.get(name) : undefined;
      if (v) use(v, t);
    }
    for (const name of node.outputs) {
      if (!name) continue;
      const known = values.get(name);
      if (known) { use(known, t); continue; } // a concat whose inputs were written in place
      const view = views.get(name);
      const alias = view ? null : aliasSource(node, values, dimsOf(name), caps);
      if (view) {
        const whole = values.get(view.concat) ?? newValue(view.concat, t);
        valueOn(name, whole.buffer, view.offset, whole.pixelStride);
      } else if (alias) {
        valueOn(name, alias.buffer, alias.elemOffset);
        use(alias, t);
      } else {
        newValue(name, t);
      }
    }
  });
  const tEnd = graph.nodes.length + 1;
  if (caps.keepsInputs) {
    for (const inp of graph.inputs) {
      const staging = stagingIn.get(inp.name);
      if (staging) staging.last = tEnd; else use(values.get(inp.name)!, tEnd);
    }
  }
  const stagingOut = new Map<string, Buffer>();
  for (const out of graph.outputs) {
    const v = values.get(out.name);
    if (!v) throw new Error(`internal: graph output '${out.name}' is not produced`);
    use(v, tEnd);
    if (v.layout !== 'dense' && !stagingOut.has(out.name)) stagingOut.set(out.name, newBuffer(size(v.dims) * 4, tEnd));
  }

  const align = Math.max(16, caps.alignment);
  const requests: BufferRequest[] = buffers.map((b) => ({ id: b.id, bytes: b.bytes, first: b.first, last: b.last }));
  const arena = planArena(requests, align);
  for (const b of buffers) b.offset = arena.offsets.get(b.id)!;
  return {
    values, buffers, stagingIn, stagingOut, scratch,
    arenaBytes: arena.bytes, unsharedBytes: arena.unsharedBytes,
    liveBytes: liveBytesPerStep(buffers, graph.nodes.length, align),
  };
}

/** Live bytes at each node's step (k + 1), by a sweep over lifetime starts and ends. */
function liveBytesPerStep(buffers: readonly Buffer[], nodes: number, align: number): number[] {
  const delta = new Float64Array(nodes + 3);
  for (const b of buffers) {
    const bytes = alignUp(Math.max(b.bytes, 1), align);
    delta[b.first] += bytes;
    delta[b.last + 1] -= bytes;
  }
  const out: number[] = new Array(nodes);
  let live = delta[0];
  for (let t = 1; t <= nodes; t++) { live += delta[t]; out[t - 1] = live; }
  return out;
}

/**
 * Zero-copy concat: for a channel Concat of 4-D values, each input produced by a slice writer and
 * read only by slice readers is planned as a view into the concat's buffer, so its producer writes
 * straight into place (SqueezeNet's fire modules, Inception branches). Returns value → its slot.
 */
function concatViews(graph: Graph, dims: ReadonlyMap<string, number[]>, caps: PlanCaps): Map<string, { concat: string; offset: number }> {
  const views = new Map<string, { concat: string; offset: number }>();
  if (!caps.sliceWriters.size) return views;
  const producer = new Map<string, Node>();
  const consumers = new Map<string, Node[]>();
  for (const n of graph.nodes) {
    for (const o of n.outputs) producer.set(o, n);
    for (const i of n.inputs) if (i) { const c = consumers.get(i); if (c) c.push(n); else consumers.set(i, [n]); }
  }
  const outputs = new Set(graph.outputs.map((o) => o.name));
  for (const n of graph.nodes) {
    const out = dims.get(n.outputs[0]);
    if (n.op !== 'Concat' || !out || out.length !== 4 || caps.layout(out) !== 'nhwc' || n.attrs.axis !== 1 || outputs.has(n.outputs[0])) continue;
    let offset = 0;
    const times = new Map<string, number>(); // how often each input appears (a repeated one cannot be a view)
    for (const i of n.inputs) times.set(i, (times.get(i) ?? 0) + 1);
    for (const i of n.inputs) {
      const d = dims.get(i)!;
      const p = producer.get(i);
      const ok = p && caps.sliceWriters.has(p.op) && p.outputs.length === 1 && !outputs.has(i) && !views.has(i)
        && times.get(i) === 1
        && (consumers.get(i) ?? []).every((c) => caps.sliceReaders.has(c.op) && (c.op !== 'Concat' || c === n));
      if (ok) views.set(i, { concat: n.outputs[0], offset });
      offset += d[1];
    }
  }
  return views;
}

/** Reshape-like nodes whose output has the same bytes as their input share its buffer. */
function aliasSource(node: Node, values: Map<string, Value>, outDims: number[], caps: PlanCaps): Value | null {
  if (node.op !== 'Reshape' && node.op !== 'Flatten') return null;
  const x = values.get(node.inputs[0]);
  if (!x) return null;
  // bytes in logical (NCHW) order: dense, or NHWC with H=W=1 or C=1 and no slice stride
  const logicalOrder = (layout: Layout, d: readonly number[], pixelStride: number) => layout === 'dense'
    || (d[2] === 1 && d[3] === 1 && pixelStride === d[1]) || (d[1] === 1 && pixelStride === 1);
  const outLayout = caps.layout(outDims);
  return logicalOrder(x.layout, x.dims, x.pixelStride) && logicalOrder(outLayout, outDims, outDims[1]) ? x : null;
}

/** Multiply-accumulates of a node (Conv, Gemm and MatMul; 0 for the rest). */
export function macsOf(node: Node, dims: ReadonlyMap<string, number[]>): number {
  const out = dims.get(node.outputs[0]);
  if (!out) return 0;
  if (node.op === 'Conv') {
    const w = dims.get(node.inputs[1])!;
    return size(out) * w[1] * w[2] * w[3];
  }
  if (node.op === 'ConvTranspose') { // every input value times its C_out/groups·kh·kw weights, minus what the crop drops
    const x = dims.get(node.inputs[0])!, w = dims.get(node.inputs[1])!, a = node.attrs;
    let taps = 1;
    for (let i = 0; i < 2; i++) { // per axis: (input, tap) pairs whose output lands inside [0, out)
      let t = 0;
      for (let ix = 0; ix < x[2 + i]; ix++) for (let k = 0; k < w[2 + i]; k++) {
        const o = ix * a.strides[i] - a.pads[i] + k * a.dilations[i];
        if (o >= 0 && o < out[2 + i]) t++;
      }
      taps *= t;
    }
    return x[0] * x[1] * w[1] * taps;
  }
  if (node.op === 'LocallyConnected') { const w = dims.get(node.inputs[1])!; return out[0] * size(w); }
  if (node.op === 'Gemm') return out[0] * out[1] * dims.get(node.inputs[0])![1];
  if (node.op === 'MatMul') { const a = dims.get(node.inputs[0])!; return size(out) * a[a.length - 1]; }
  return 0;
}

/** The layer table of a planned graph; `kernels` and the byte totals come from the backend. */
export function planReport(graph: Graph, dims: ReadonlyMap<string, number[]>, plan: MemoryPlan,
  backend: { kernels: Map<string, string[]>; constBytes: number; memoryBytes: number }): PlanReport {
  const layers: LayerReport[] = graph.nodes.map((node, k) => {
    const outs = node.outputs.filter((o) => o);
    return {
      name: node.name,
      op: node.op + (node.attrs.act ? '+act' : '') + (node.attrs.residual ? '+add' : ''),
      outputs: outs,
      outputDims: dims.get(outs[0])?.slice() ?? [],
      params: node.inputs.reduce((s, i) => { const c = i ? graph.consts.get(i) : undefined; return s + (c && c.dtype === 'float32' ? c.data.length : 0); }, 0),
      macs: macsOf(node, dims),
      activationBytes: outs.reduce((s, o) => s + size(dims.get(o)!) * 4, 0),
      liveBytes: plan.liveBytes[k],
      kernels: backend.kernels.get(node.name) ?? [],
    };
  });
  return {
    layers,
    totalParams: layers.reduce((s, l) => s + l.params, 0),
    totalMacs: layers.reduce((s, l) => s + l.macs, 0),
    arenaBytes: plan.arenaBytes,
    unsharedArenaBytes: plan.unsharedBytes,
    constBytes: backend.constBytes,
    memoryBytes: backend.memoryBytes,
  };
}

/** A value name `inspect` cannot fetch: not in the planned graph (fused away, folded, or misspelled). */
export function unknownValue(name: string, known: Iterable<string>): InvalidArgumentError {
  const names = [...known];
  return new InvalidArgumentError(`no value '${name}' in the planned graph (values fused into a kernel or folded to constants do not exist; ${names.length} values, e.g. ${names.slice(0, 6).map((n) => `'${n}'`).join(', ')})`);
}

export function fmtBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(2)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}
