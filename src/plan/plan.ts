// Execution plan: decides each value's physical layout, gives every tensor its bytes in the
// activation arena, prepacks constants and lowers every node to kernel Steps. Everything here
// happens once per (model, input shape); `run` then only copies inputs in, calls the steps and
// copies outputs out.
import { LayerError, ResourceLimitError } from '../errors.js';
import type { Graph, Node, ConstTensor } from '../model/ir.js';
import { size } from '../model/ir.js';
import type { Step, NhwcRef, Activation } from '../kernels/types.js';
import { NO_ACTIVATION } from '../kernels/types.js';
import { planArena, alignUp, type BufferRequest } from './memory.js';
import { ConstRegion } from './consts.js';
import { lowerNode } from './lower.js';
import { MAX_PAGES, WASM_PAGE } from '../wasm/binaries.js';

/** Physical layout of a value. Rank-4 activations are NHWC (see docs/DESIGN.md); others dense row-major. */
export type Layout = 'nhwc' | 'dense';

export interface Buffer {
  id: number;
  bytes: number;
  first: number;
  last: number;
  offset: number; // absolute address once planned
}

export interface Value {
  name: string;
  dims: number[];
  layout: Layout;
  buffer: Buffer;
  /** element offset inside the buffer (a channel slice of a concat buffer) */
  elemOffset: number;
  /** NHWC: floats between consecutive pixels (≥ C) */
  pixelStride: number;
}

export const ptrOf = (v: Value): number => v.buffer.offset + v.elemOffset * 4;

export function nhwc(v: Value): NhwcRef {
  const [n, c, h, w] = v.dims;
  return { ptr: ptrOf(v), n, h, w, c, pixelStride: v.pixelStride };
}

export interface LayerReport {
  name: string;
  op: string;
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
  /** the whole linear memory */
  memoryBytes: number;
}

export interface PlannedIO {
  name: string;
  dims: number[];
  /** where the caller's data is written / read, dense in the model's layout (NCHW) */
  ptr: number;
}

export interface Plan {
  steps: Step[];
  inputs: PlannedIO[];
  outputs: PlannedIO[];
  consts: ConstRegion;
  memoryBytes: number;
  report: PlanReport;
}

/** What lowering code sees. */
export interface LowerContext {
  node: Node;
  inputs: (Value | null)[];
  /** const inputs by position (null when the input is an activation or omitted) */
  consts: (ConstTensor | null)[];
  outputs: Value[];
  cw: ConstRegion;
  act: Activation;
}

const RESERVED = 1024;

export function buildPlan(graph: Graph, dims: Map<string, number[]>): Plan {
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
  const layoutOf = (d: number[]): Layout => (d.length === 4 ? 'nhwc' : 'dense');
  const newValue = (name: string, t: number): Value => {
    const d = dimsOf(name);
    const v: Value = { name, dims: d, layout: layoutOf(d), buffer: newBuffer(size(d) * 4, t), elemOffset: 0, pixelStride: d.length === 4 ? d[1] : 0 };
    values.set(name, v);
    return v;
  };
  const use = (v: Value, t: number) => { v.buffer.last = Math.max(v.buffer.last, t); };
  const views = concatViews(graph, dims);

  // Time 0: inputs arrive (NCHW staging, then a transform into NHWC for rank-4 inputs).
  // Node k runs at time k + 1. Time nodes + 1: outputs leave (NHWC → NCHW staging).
  const stagingIn = new Map<string, Buffer>();
  for (const inp of graph.inputs) {
    const v = newValue(inp.name, 0);
    if (v.layout === 'nhwc') stagingIn.set(inp.name, newBuffer(size(v.dims) * 4, 0));
  }
  graph.nodes.forEach((node, k) => {
    const t = k + 1;
    for (const name of node.inputs) {
      const v = name ? values.get(name) : undefined;
      if (v) use(v, t);
    }
    for (const name of node.outputs) {
      if (!name) continue;
      if (values.has(name)) { use(values.get(name)!, t); continue; } // a concat whose inputs were written in place
      const view = views.get(name);
      const alias = aliasSource(node, values, dimsOf(name));
      if (view) {
        const whole = values.get(view.concat) ?? newValue(view.concat, t);
        const d = dimsOf(name);
        values.set(name, { name, dims: d, layout: 'nhwc', buffer: whole.buffer, elemOffset: view.offset, pixelStride: whole.pixelStride });
      } else if (alias) {
        const d = dimsOf(name);
        values.set(name, { name, dims: d, layout: layoutOf(d), buffer: alias.buffer, elemOffset: alias.elemOffset, pixelStride: d.length === 4 ? d[1] : 0 });
        use(alias, t);
      } else {
        newValue(name, t);
      }
    }
  });
  const tEnd = graph.nodes.length + 1;
  const stagingOut = new Map<string, Buffer>();
  for (const out of graph.outputs) {
    const v = values.get(out.name);
    if (!v) throw new Error(`internal: graph output '${out.name}' is not produced`);
    use(v, tEnd);
    if (v.layout === 'nhwc') {
      const b = newBuffer(size(v.dims) * 4, tEnd);
      stagingOut.set(out.name, b);
    }
  }

  // Activation arena after the reserved low bytes and the shared zero buffer (convolution padding).
  let maxChannels = 4;
  for (const v of values.values()) maxChannels = Math.max(maxChannels, v.dims.length === 4 ? v.dims[1] : v.dims[v.dims.length - 1] ?? 1);
  const zeroBytes = alignUp(maxChannels * 4 + 64);
  const arenaBase = alignUp(RESERVED + zeroBytes);
  const requests: BufferRequest[] = buffers.map((b) => ({ id: b.id, bytes: b.bytes, first: b.first, last: b.last }));
  const arena = planArena(requests);
  for (const b of buffers) b.offset = arenaBase + arena.offsets.get(b.id)!;
  const tooBig = (need: number, what: string) => new ResourceLimitError(`model needs ${fmtBytes(need)} of wasm memory (${what}) at input [${graph.inputs.map((i) => dimsOf(i.name).join('x')).join(', ')}]; the wasm memory limit is 4 GiB per instance — lower the batch size or the input resolution`);
  if (arenaBase + arena.bytes > MAX_PAGES * WASM_PAGE) throw tooBig(arenaBase + arena.bytes, `${fmtBytes(arena.bytes)} of activations`);

  const cw = new ConstRegion(alignUp(arenaBase + arena.bytes), RESERVED, zeroBytes);
  const steps: Step[] = [];
  const inputs: PlannedIO[] = [];
  for (const inp of graph.inputs) {
    const v = values.get(inp.name)!;
    const staging = stagingIn.get(inp.name);
    if (staging) {
      steps.push(...lowerLayout('nchw_to_nhwc', staging.offset, nhwc(v), cw));
      inputs.push({ name: inp.name, dims: v.dims, ptr: staging.offset });
    } else {
      inputs.push({ name: inp.name, dims: v.dims, ptr: ptrOf(v) });
    }
  }

  const layers: LayerReport[] = [];
  const liveAt = (t: number) => buffers.filter((b) => b.first <= t && t <= b.last).reduce((s, b) => s + alignUp(b.bytes), 0);
  graph.nodes.forEach((node, k) => {
    const ctx: LowerContext = {
      node,
      inputs: node.inputs.map((n) => (n ? values.get(n) ?? null : null)),
      consts: node.inputs.map((n) => (n ? graph.consts.get(n) ?? null : null)),
      outputs: node.outputs.filter((n) => n).map((n) => values.get(n)!),
      cw,
      act: node.attrs.act ?? NO_ACTIVATION,
    };
    for (let i = 0; i < node.inputs.length; i++) {
      if (node.inputs[i] && !ctx.inputs[i] && !ctx.consts[i]) throw new LayerError(node.name, node.op, `input '${node.inputs[i]}' is neither computed nor constant`);
    }
    const before = steps.length;
    try {
      steps.push(...lowerNode(ctx));
    } catch (e) {
      // a table (indirection buffer) too large for a JS array: the same limit, met while lowering
      if (e instanceof RangeError) throw tooBig(cw.end, `at node '${node.name}' (${node.op}): ${e.message}`);
      throw e;
    }
    layers.push({
      name: node.name,
      op: node.op + (node.attrs.act && node.attrs.act.kind ? '+act' : '') + (node.attrs.residual ? '+add' : ''),
      outputDims: ctx.outputs[0]?.dims ?? [],
      params: ctx.consts.reduce((s, c) => s + (c && c.dtype === 'float32' ? c.data.length : 0), 0),
      macs: macsOf(node, ctx),
      activationBytes: ctx.outputs.reduce((s, v) => s + size(v.dims) * 4, 0),
      liveBytes: liveAt(k + 1),
      kernels: [...new Set(steps.slice(before).map((s) => s.kernel))],
    });
  });

  const outputs: PlannedIO[] = [];
  for (const out of graph.outputs) {
    const v = values.get(out.name)!;
    const staging = stagingOut.get(out.name);
    if (staging) {
      steps.push(...lowerLayout('nhwc_to_nchw', staging.offset, nhwc(v), cw));
      outputs.push({ name: out.name, dims: v.dims, ptr: staging.offset });
    } else {
      outputs.push({ name: out.name, dims: v.dims, ptr: ptrOf(v) });
    }
  }

  const memoryBytes = alignUp(cw.end, WASM_PAGE);
  if (memoryBytes > MAX_PAGES * WASM_PAGE) throw tooBig(memoryBytes, `${fmtBytes(arena.bytes)} of activations, ${fmtBytes(cw.bytes)} of weights and tables`);
  const totalParams = layers.reduce((s, l) => s + l.params, 0);
  return {
    steps,
    inputs,
    outputs,
    consts: cw,
    memoryBytes,
    report: {
      layers,
      totalParams,
      totalMacs: layers.reduce((s, l) => s + l.macs, 0),
      arenaBytes: arena.bytes,
      unsharedArenaBytes: arena.unsharedBytes,
      constBytes: cw.bytes,
      memoryBytes,
    },
  };
}

/** Ops that can write their NHWC output into a channel slice (pixelStride > C), and ops that can read one. */
const SLICE_WRITERS = new Set(['Conv', 'MaxPool', 'AveragePool']);
const SLICE_READERS = new Set(['Conv', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'Add', 'Sub', 'Mul', 'Div', 'Concat']);

/**
 * Zero-copy concat: for a channel Concat of 4-D values, each input produced by a slice writer and
 * read only by slice readers is planned as a view into the concat's buffer, so its producer writes
 * straight into place (SqueezeNet's fire modules, Inception branches). Returns value → its slot.
 */
function concatViews(graph: Graph, dims: Map<string, number[]>): Map<string, { concat: string; offset: number }> {
  const producer = new Map<string, Node>();
  const consumers = new Map<string, Node[]>();
  for (const n of graph.nodes) {
    for (const o of n.outputs) producer.set(o, n);
    for (const i of n.inputs) if (i) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  }
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const views = new Map<string, { concat: string; offset: number }>();
  for (const n of graph.nodes) {
    const out = dims.get(n.outputs[0]);
    if (n.op !== 'Concat' || !out || out.length !== 4 || n.attrs.axis !== 1 || outputs.has(n.outputs[0])) continue;
    let offset = 0;
    for (const i of n.inputs) {
      const d = dims.get(i)!;
      const p = producer.get(i);
      const ok = p && SLICE_WRITERS.has(p.op) && p.outputs.length === 1 && !outputs.has(i) && !views.has(i)
        && n.inputs.filter((x) => x === i).length === 1
        && (consumers.get(i) ?? []).every((c) => SLICE_READERS.has(c.op) && (c.op !== 'Concat' || c === n));
      if (ok) views.set(i, { concat: n.outputs[0], offset });
      offset += d[1];
    }
  }
  return views;
}

/** Reshape-like nodes whose output has the same bytes as their input share its buffer. */
function aliasSource(node: Node, values: Map<string, Value>, outDims: number[]): Value | null {
  if (!['Reshape', 'Flatten'].includes(node.op)) return null;
  const x = values.get(node.inputs[0]);
  if (!x) return null;
  const dense = (v: Value) => v.layout === 'dense' || (v.dims[2] === 1 && v.dims[3] === 1 && v.pixelStride === v.dims[1]) || v.dims[1] === 1 && v.pixelStride === 1;
  // NHWC with H=W=1 or C=1 has NCHW byte order too.
  const outDenseOk = outDims.length !== 4 || (outDims[2] === 1 && outDims[3] === 1) || outDims[1] === 1;
  return dense(x) && outDenseOk ? x : null;
}

function macsOf(node: Node, ctx: LowerContext): number {
  const out = ctx.outputs[0]?.dims;
  if (!out) return 0;
  if (node.op === 'Conv') {
    const w = ctx.consts[1]!.dims;
    return size(out) * w[1] * w[2] * w[3];
  }
  if (node.op === 'Gemm') {
    const x = ctx.inputs[0]!.dims;
    return out[0] * out[1] * x[1];
  }
  return 0;
}

export function fmtBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(2)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

import { lowerLayout } from './lower.js';
