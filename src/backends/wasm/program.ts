// A planned graph as a wasm program: the activation arena placed in linear memory, constants
// prepacked into the region after it, and every node lowered to kernel Steps on absolute addresses.
// Linear memory: [0, 1 KiB) reserved (0 is never a tensor address) | the shared zero buffer
// (convolution padding) | the kernels' workspace (Winograd's transformed tiles; one region, sized for the
// largest user, shared since Steps run one at a time) | the activation arena | prepacked constants and tables.
import { ResourceLimitError } from '../../errors.js';
import type { Graph } from '../../model/ir.js';
import type { Buffer, MemoryPlan, Value } from '../../plan/plan.js';
import { fmtBytes } from '../../plan/plan.js';
import { alignUp } from '../../plan/memory.js';
import type { Step } from './kernels/types.js';
import { ConstRegion } from './consts.js';
import { lowerNode, lowerLayout, nhwc, ptrOf, workspaceBytes, zeroBufferBytes, toActivation, type LowerContext, type LowerOptions } from './lower.js';
import { MAX_PAGES, WASM_PAGE } from './binaries.js';

const RESERVED = 1024;

export interface ProgramIO {
  name: string;
  dims: number[];
  /** where the caller's data is written / read, dense in the model's layout (NCHW) */
  ptr: number;
}

export interface Program {
  steps: Step[];
  inputs: ProgramIO[];
  outputs: ProgramIO[];
  consts: ConstRegion;
  memoryBytes: number;
  /** kernels per node name */
  kernels: Map<string, string[]>;
  /** The Steps of each node, [first, end) in `steps`, in graph order; '(inputs)' and '(outputs)' are the
   * layout conversions at the graph boundary. */
  nodeSteps: Map<string, [number, number]>;
  /** The planned values at their absolute addresses (read by inspection runs). */
  values: Map<string, Value>;
  /** The values each entry of `nodeSteps` produces. */
  produces: Map<string, string[]>;
}

/** `threads`: how many threads will run the Steps (kernels with per-item workspace give each thread a few items);
 * `winograd`: Winograd where it pays (default), or direct convolutions only. */
export function buildProgram(graph: Graph, dims: ReadonlyMap<string, number[]>, plan: MemoryPlan, opts: LowerOptions = {}): Program {
  const threads = opts.threads ?? 1, winograd = opts.winograd ?? true;
  // The zero buffer must cover the widest pixel a padding tap reads, and a row-tap convolution's kernel row.
  let maxChannels = 4;
  for (const v of plan.values.values()) maxChannels = Math.max(maxChannels, v.dims.length === 4 ? v.dims[1] : v.dims[v.dims.length - 1] ?? 1);
  let zero = maxChannels * 4;
  for (const node of graph.nodes) zero = Math.max(zero, zeroBufferBytes(node, graph, plan.values));
  const zeroBytes = alignUp(zero + 64);
  let workspace = 0;
  for (const node of graph.nodes) workspace = Math.max(workspace, workspaceBytes(node, graph, plan.values, { threads, winograd }));
  const workspaceBase = alignUp(RESERVED + zeroBytes);
  const arenaBase = alignUp(workspaceBase + workspace);
  const shape = `input [${graph.inputs.map((i) => dims.get(i.name)!.join('x')).join(', ')}]`;
  const tooBig = (need: number, what: string) => new ResourceLimitError(`model needs ${fmtBytes(need)} of wasm memory (${what}) at ${shape}; the wasm memory limit is 4 GiB per instance — lower the batch size or the input resolution`);
  const limit = MAX_PAGES * WASM_PAGE;
  if (arenaBase + plan.arenaBytes > limit) throw tooBig(arenaBase + plan.arenaBytes, `${fmtBytes(plan.arenaBytes)} of activations`);

  // The plan's buffers at absolute addresses.
  const abs = plan.buffers.map((b): Buffer => ({ ...b, offset: arenaBase + b.offset }));
  const values = new Map<string, Value>();
  for (const [name, v] of plan.values) values.set(name, { ...v, buffer: abs[v.buffer.id] });
  const at = (m: Map<string, Buffer>, name: string) => { const b = m.get(name); return b ? abs[b.id].offset : null; };

  // Tables that would pass the 4 GiB limit fail before they are built (ConstRegion.reserve).
  const cw = new ConstRegion(alignUp(arenaBase + plan.arenaBytes), RESERVED, zeroBytes, limit,
    (need) => tooBig(need, `${fmtBytes(plan.arenaBytes)} of activations and the weights and tables`));
  const steps: Step[] = [];
  /** Where a graph input/output is read or written: its staging buffer (converted here), or the value itself. */
  const boundary = (name: string, staging: Map<string, Buffer>, dir: 'nchw_to_nhwc' | 'nhwc_to_nchw'): ProgramIO => {
    const v = values.get(name)!;
    const ptr = at(staging, name);
    if (ptr === null) return { name, dims: v.dims, ptr: ptrOf(v) };
    steps.push(...lowerLayout(dir, ptr, nhwc(v), cw));
    return { name, dims: v.dims, ptr };
  };
  const inputs = graph.inputs.map((i) => boundary(i.name, plan.stagingIn, 'nchw_to_nhwc'));
  const nodeSteps = new Map<string, [number, number]>([['(inputs)', [0, steps.length]]]);
  const produces = new Map<string, string[]>([['(inputs)', graph.inputs.map((i) => i.name)]]);

  const kernels = new Map<string, string[]>();
  for (const node of graph.nodes) {
    const ctx: LowerContext = {
      node,
      inputs: node.inputs.map((n) => (n ? values.get(n) ?? null : null)),
      consts: node.inputs.map((n) => (n ? graph.consts.get(n) ?? null : null)),
      outputs: node.outputs.filter((n) => n).map((n) => values.get(n)!),
      cw,
      act: toActivation(node.attrs.act),
      scratch: plan.scratch.has(node.name) ? abs[plan.scratch.get(node.name)!.id].offset : null,
      threads,
      winograd,
      workspace: workspaceBase,
    };
    const before = steps.length;
    try {
      steps.push(...lowerNode(ctx));
    } catch (e) {
      // a table too large for a JS array: the same limit, met while lowering
      if (e instanceof RangeError) throw tooBig(cw.end, `at node '${node.name}' (${node.op}): ${e.message}`);
      throw e;
    }
    kernels.set(node.name, [...new Set(steps.slice(before).map((s) => s.kernel))]);
    nodeSteps.set(node.name, [before, steps.length]);
    produces.set(node.name, node.outputs.filter((o) => o));
  }

  const beforeOutputs = steps.length;
  const outputs = graph.outputs.map((o) => boundary(o.name, plan.stagingOut, 'nhwc_to_nchw'));
  nodeSteps.set('(outputs)', [beforeOutputs, steps.length]);

  const memoryBytes = alignUp(cw.end, WASM_PAGE);
  if (memoryBytes > limit) throw tooBig(memoryBytes, `${fmtBytes(plan.arenaBytes)} of activations, ${fmtBytes(cw.bytes)} of weights and tables`);
  return { steps, inputs, outputs, consts: cw, memoryBytes, kernels, nodeSteps, values, produces };
}
