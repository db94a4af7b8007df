// The WebGPU backend: WGSL compute shaders generated per node from its shapes and attributes
// (kernels.ts), NCHW dense values in one activation storage buffer laid out by the shared planner,
// weights in one constant storage buffer uploaded at compile, one command encoder, one submit and one
// read-back (mapAsync of a staging buffer) per run.
//
// Binding: every operand is bound as a range of the arena (or of the constant buffer) at its planned
// offset, so `caps.alignment` is the device's minStorageBufferOffsetAlignment (256 on most). Shaders
// then address their operands from 0 and carry no offsets: two nodes of the same configuration share
// one pipeline whatever their place in the arena (a uniform of offsets would do the same at the price
// of one more binding and a read per access; the alignment costs < 256 bytes per planned buffer).
//
// Faults: a lost device, an uncaptured GPU error, or an error scope that catches one while a run
// executes switches the backend to wasm for good (the reference backend for a graph wasm refuses; the
// session hands both kinds in `options.fallback`): the run that saw it is redone there from the same
// optimized graph, planned again for that backend (the fusions this backend declares are exactly the
// wasm backend's, test/webgpu/fallback.test.ts checks it, so the graph is valid for both), and
// `description` says so.
import { BackendError, DisposedError, ResourceLimitError, UnsupportedError, describe } from '../../errors.js';
import type { ConstTensor, Graph, Node } from '../../model/ir.js';
import { size } from '../../model/ir.js';
import { planMemory, unknownValue, type MemoryPlan, type Value } from '../../plan/plan.js';
import type { Backend, BackendKind, Capabilities, Executable, ExecutableReport, Inspection } from '../backend.js';
import { outputArray } from '../backend.js';
import { generate, webgpuSupports, type Operand, type Step } from './kernels.js';
import { WGSL_ACTIVATIONS } from './wgsl.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type GPU = any;
type GPUAdapter = any;
type GPUDevice = any;
type GPUBuffer = any;

// GPUBufferUsage / GPUMapMode values (not every runtime defines the globals)
const MAP_READ = 0x1, COPY_SRC = 0x4, COPY_DST = 0x8, STORAGE = 0x80, QUERY_RESOLVE = 0x200; // GPUBufferUsage (no DOM types here)

import { openAdapter, softwareAdapter, type WebGpuOptions } from './adapter.js';
export type { WebGpuOptions, Opened } from './adapter.js';
export { openAdapter, softwareAdapter } from './adapter.js';

export const webgpuBackend: BackendKind = {
  name: 'webgpu',
  async probe(options) {
    const o = await openAdapter(options as WebGpuOptions);
    return o.ok ? { ok: true } : { ok: false, reason: o.reason };
  },
  create: (options) => WebGpuBackend.create(options as WebGpuOptions),
};

const adapterName = (adapter: GPUAdapter, software: string | null): string => {
  const i = adapter.info ?? {};
  return software ?? ([i.vendor, i.architecture].filter((s: string) => s).join(' ') || i.description || 'unknown adapter');
};

export class WebGpuBackend implements Backend {
  readonly name = 'webgpu' as const;
  readonly threads = 1;
  private readonly gpuCaps: Capabilities;
  /** Why the backend left the GPU (then every plan runs on `fallback`). */
  private faultReason: string | null = null;
  private fallback: Backend | null = null;
  private reference: Backend | null = null;
  private fallbackNote = '';
  private disposed = false;
  private readonly pipelines = new Map<string, Promise<any>>();
  private readonly baseDescription: string;

  private constructor(readonly device: GPUDevice, adapter: GPUAdapter, software: string | null, private readonly options: WebGpuOptions) {
    this.gpuCaps = {
      // the wasm backend's fusions, so that a graph optimized here also runs there after a fault
      activationProducers: new Set(['Conv', 'ConvTranspose', 'LocallyConnected', 'Gemm', 'Add', 'Sub', 'Mul', 'Div', 'PRelu', 'Pow', 'Min', 'Max']),
      fusableActivations: WGSL_ACTIVATIONS,
      residualProducers: new Set(['Conv', 'Gemm']),
      sliceWriters: new Set(),
      sliceReaders: new Set(),
      layout: () => 'dense',
      alignment: Math.max(16, device.limits.minStorageBufferOffsetAlignment ?? 256),
    };
    this.baseDescription = `webgpu (${adapterName(adapter, software)}${software ? ', software' : ''}, WGSL, NCHW)`;
    device.lost?.then((info: any) => { if (!this.disposed) this.fault(`device lost: ${info?.message || info?.reason || 'unknown reason'}`); });
    device.addEventListener?.('uncapturederror', (e: any) => this.fault(`uncaptured GPU error: ${e?.error?.message ?? e}`));
  }

  static async create(options: WebGpuOptions): Promise<WebGpuBackend> {
    const o = options.adapter ? { ok: true as const, adapter: options.adapter as GPUAdapter, software: softwareAdapter(options.adapter) } : await openAdapter(options);
    if (!o.ok) throw new BackendError(`webgpu: ${o.reason}`);
    const lim = o.adapter.limits;
    let device: GPUDevice;
    try {
      device = await o.adapter.requestDevice({
        requiredLimits: { maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize, maxBufferSize: lim.maxBufferSize },
        // per-layer GPU time in profiles, where the adapter has it
        requiredFeatures: o.adapter.features?.has?.('timestamp-query') ? ['timestamp-query'] : [],
      });
    } catch (e) {
      throw new BackendError(`webgpu: device request failed: ${(e as Error).message}`, { cause: e });
    }
    if (!device) throw new BackendError('webgpu: device request failed: requestDevice returned null');
    return new WebGpuBackend(device, o.adapter, o.software, options);
  }

  get caps(): Capabilities { return (this.faultReason && this.fallback?.caps) || this.gpuCaps; }
  get description(): string { return this.faultReason ? `${this.fallback?.description ?? 'wasm'} (${this.fallbackNote})` : this.baseDescription; }
  /** Why the backend runs on wasm now (null while it runs on the GPU). */
  get faulted(): string | null { return this.faultReason; }

  /** Leaves the GPU for good (first reason wins); the wasm backend is made now, for the plans to come. */
  fault(reason: string): void {
    if (this.faultReason || this.disposed) return;
    this.faultReason = reason;
    this.fallbackNote = `webgpu: ${reason}; switched to wasm`;
    this.wasmEngine().catch(() => {});
  }

  private maxBinding(): number { return this.device.limits.maxStorageBufferBindingSize; }

  supports(node: Node, dims: ReadonlyMap<string, number[]>, graph: Graph): true | string {
    if (this.faultReason && this.fallback) {
      const ok = this.fallback.supports(node, dims, graph);
      return ok === true || !this.reference ? ok : this.reference.supports(node, dims, graph);
    }
    const ok = webgpuSupports(node, dims, graph, this.maxBinding());
    // 'auto': a node the GPU refuses makes the plan run on wasm (compile says so), which checks it then
    return ok === true || !this.options.fallbackOnUnsupported || !this.options.fallback?.wasm ? ok : true;
  }

  private wasmPromise: Promise<Backend> | null = null;

  /** The wasm backend (made at the first need), or the reference backend where it cannot be made. */
  private wasmEngine(): Promise<Backend> {
    return (this.wasmPromise ??= (async () => {
      const kinds = this.options.fallback ?? {};
      const { gpu: _g, fallback: _f, fallbackOnUnsupported: _u, adapter: _a, ...rest } = this.options;
      this.reference ??= kinds.reference ? await kinds.reference.create(rest) : null;
      try {
        if (!kinds.wasm) throw new BackendError('no wasm backend was given');
        this.fallback = await kinds.wasm.create(rest);
      } catch (e) {
        if (!this.reference) throw new BackendError(`webgpu: ${this.faultReason}, and there is no backend to fall back on (${(e as Error).message})`);
        this.fallback = this.reference;
        this.fallbackNote += ` (wasm: ${(e as Error).message})`;
      }
      return this.fallback;
    })());
  }

  /** The backend a graph runs on off the GPU: wasm, or the reference backend for a graph wasm refuses. */
  async fallbackFor(graph: Graph, dims: ReadonlyMap<string, number[]>): Promise<Backend> {
    if (this.disposed) throw new DisposedError('this session');
    const wasm = await this.wasmEngine();
    for (const engine of [wasm, this.reference]) {
      if (!engine) continue;
      const bad = graph.nodes.map((n) => [n, engine.supports(n, dims, graph)] as const).find(([, ok]) => ok !== true);
      if (!bad) return engine;
      if (engine === this.reference || !this.reference) throw new UnsupportedError(`${describe(bad[0].name, bad[0].op)}: ${bad[1]}`);
    }
    throw new BackendError('internal: no fallback backend');
  }

  private build(graph: Graph, dims: ReadonlyMap<string, number[]>, plan: MemoryPlan): Built {
    return buildSteps(graph, plan, this.gpuCaps.alignment);
  }

  estimate(graph: Graph, dims: ReadonlyMap<string, number[]>, plan: MemoryPlan): ExecutableReport {
    const engine = this.faultReason || !this.gpuRunsNoFault(graph, dims) ? this.fallback : null;
    if (engine) return engine.estimate(graph, dims, planMemory(graph, dims, engine.caps));
    const b = this.build(graph, dims, plan);
    return { kernels: b.kernels, constBytes: b.constBytes, memoryBytes: gpuBytes(graph, plan, b) };
  }

  private gpuRunsNoFault(graph: Graph, dims: ReadonlyMap<string, number[]>): boolean {
    const m = this.maxBinding();
    return graph.nodes.every((n) => webgpuSupports(n, dims, graph, m) === true);
  }

  private gpuRuns(graph: Graph, dims: ReadonlyMap<string, number[]>): boolean {
    const m = this.maxBinding();
    const bad = graph.nodes.find((n) => webgpuSupports(n, dims, graph, m) !== true);
    if (bad && !this.faultReason) this.fault(`node '${bad.name}' (${bad.op}): ${webgpuSupports(bad, dims, graph, m)}`);
    return !bad;
  }

  async compile(graph: Graph, dims: ReadonlyMap<string, number[]>, plan: MemoryPlan): Promise<Executable> {
    if (this.faultReason || !this.gpuRuns(graph, dims)) return compileOn(await this.fallbackFor(graph, dims), graph, dims);
    const built = this.build(graph, dims, plan);
    const limits = this.device.limits;
    if (plan.arenaBytes > limits.maxBufferSize) throw new ResourceLimitError(`the activation arena (${plan.arenaBytes} bytes) exceeds the device's largest buffer (${limits.maxBufferSize} bytes)`);
    const exec = new GpuExecutable(this, graph, dims, plan, built);
    try {
      await exec.upload();
    } catch (e) {
      // a shader this device's compiler rejects, buffers it cannot allocate, a device lost meanwhile
      this.fault((e as Error).message.replace(/^webgpu: /, ''));
      return compileOn(await this.fallbackFor(graph, dims), graph, dims);
    }
    return exec;
  }

  /** The compute pipeline of a step, shared by every step of the same key. */
  pipeline(step: Step): Promise<any> {
    const hit = this.pipelines.get(step.key);
    if (hit) return hit;
    const module = this.device.createShaderModule({ code: step.wgsl(), label: step.kernel });
    const p: Promise<any> = this.device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: step.kernel });
    this.pipelines.set(step.key, p);
    p.catch(() => this.pipelines.delete(step.key));
    return p;
  }

  get pipelineCount(): number { return this.pipelines.size; }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.pipelines.clear();
    try { this.device.destroy(); } catch { /* already lost */ }
    await this.fallback?.dispose();
  }
}

/** A graph planned again for `engine` (its layout and alignment) and compiled there. */
async function compileOn(engine: Backend, graph: Graph, dims: ReadonlyMap<string, number[]>): Promise<Executable> {
  return engine.compile(graph, dims, planMemory(graph, dims, engine.caps));
}

interface Built {
  /** steps of every node, in graph order */
  steps: Step[];
  /** node name → its steps [from, to) */
  nodeSteps: Map<string, [number, number]>;
  kernels: Map<string, string[]>;
  /** constant data → its byte offset in the constant buffer */
  constOffsets: Map<Float32Array, number>;
  constBytes: number;
}

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

function buildSteps(graph: Graph, plan: MemoryPlan, alignment: number): Built {
  const steps: Step[] = [];
  const kernels = new Map<string, string[]>();
  const constOffsets = new Map<Float32Array, number>();
  const nodeSteps = new Map<string, [number, number]>();
  let constBytes = 0;
  for (const node of graph.nodes) {
    const from = steps.length;
    const inputs = node.inputs.map((n) => (n ? plan.values.get(n) ?? null : null));
    const consts = node.inputs.map((n): ConstTensor | null => (n ? graph.consts.get(n) ?? null : null));
    const outputs = node.outputs.filter((o) => o).map((o) => plan.values.get(o)!);
    const s = generate(node, inputs, consts, outputs);
    kernels.set(node.name, s.length ? [...new Set(s.map((x) => x.kernel))] : ['(aliased: no kernel)']);
    for (const st of s) {
      for (const op of st.operands) {
        if ('data' in op && !constOffsets.has(op.data)) {
          constOffsets.set(op.data, constBytes);
          constBytes = alignUp(constBytes + Math.max(4, op.data.byteLength), alignment);
        }
      }
      steps.push(st);
    }
    nodeSteps.set(node.name, [from, steps.length]);
  }
  return { steps, nodeSteps, kernels, constOffsets, constBytes };
}

/** Output read-back layout: each graph output at a 4-byte offset of the staging buffer. */
function stagingLayout(graph: Graph, plan: MemoryPlan): { name: string; value: Value; at: number; bytes: number }[] {
  let at = 0;
  return graph.outputs.map((o) => {
    const value = plan.values.get(o.name)!, bytes = size(value.dims) * 4, r = { name: o.name, value, at, bytes };
    at += bytes;
    return r;
  });
}

/** GPU buffer bytes of a plan: the arena, the constants and the read-back buffer. */
function gpuBytes(graph: Graph, plan: MemoryPlan, b: Built): number {
  const staging = Math.max(4, stagingLayout(graph, plan).reduce((s, o) => s + o.bytes, 0));
  return alignUp(Math.max(plan.arenaBytes, 4), 4) + Math.max(b.constBytes, 4) + staging;
}

const valueOffset = (v: Value): number => v.buffer.offset + v.elemOffset * 4;

class GpuExecutable implements Executable {
  readonly report: ExecutableReport;
  private arena: GPUBuffer = null;
  private constBuf: GPUBuffer = null;
  private staging: GPUBuffer = null;
  private stagingBytes = 0;
  private passes: { pipeline: any; bindGroup: any; groups: [number, number, number] }[] = [];
  private readonly outputs: { name: string; value: Value; at: number; bytes: number }[];
  private fallbackExec: Executable | null = null;
  private released = false;

  constructor(private readonly backend: WebGpuBackend, private readonly graph: Graph, private readonly dims: ReadonlyMap<string, number[]>,
    private readonly plan: MemoryPlan, private readonly built: Built) {
    this.outputs = stagingLayout(graph, plan);
    this.stagingBytes = Math.max(4, this.outputs.reduce((s, o) => s + o.bytes, 0));
    this.report = { kernels: built.kernels, constBytes: built.constBytes, memoryBytes: gpuBytes(graph, plan, built) };
  }

  /** Creates the buffers, uploads the weights once, and makes every pipeline and bind group. */
  async upload(): Promise<void> {
    const device = this.backend.device;
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    try {
      this.arena = device.createBuffer({ size: alignUp(Math.max(this.plan.arenaBytes, 4), 4), usage: STORAGE | COPY_SRC | COPY_DST, label: 'edgecnn arena' });
      this.constBuf = device.createBuffer({ size: Math.max(this.built.constBytes, 4), usage: STORAGE | COPY_DST, label: 'edgecnn constants' });
      this.staging = device.createBuffer({ size: this.stagingBytes, usage: MAP_READ | COPY_DST, label: 'edgecnn read-back' });
      for (const [data, at] of this.built.constOffsets) if (data.byteLength) device.queue.writeBuffer(this.constBuf, at, data.buffer, data.byteOffset, data.byteLength);
      const pipelines = await Promise.all(this.built.steps.map((s) => this.backend.pipeline(s)));
      this.passes = this.built.steps.map((s, k) => ({
        pipeline: pipelines[k],
        groups: s.groups,
        bindGroup: device.createBindGroup({
          layout: pipelines[k].getBindGroupLayout(0),
          entries: s.operands.map((op, b) => ({ binding: b, resource: this.range(op) })),
        }),
      }));
    } catch (e) {
      this.release();
      throw e;
    } finally {
      const [validation, oom] = [await device.popErrorScope(), await device.popErrorScope()];
      const err = validation ?? oom;
      if (err) {
        this.release();
        throw new BackendError(`webgpu: compiling the plan failed: ${err.message}`);
      }
    }
  }

  private range(op: Operand): { buffer: GPUBuffer; offset: number; size: number } {
    if ('data' in op) return { buffer: this.constBuf, offset: this.built.constOffsets.get(op.data)!, size: Math.max(4, op.data.byteLength) };
    return { buffer: this.arena, offset: valueOffset(op.value), size: Math.max(4, size(op.value.dims) * 4) };
  }

  async run(given: ReadonlyMap<string, Float32Array>, into?: ReadonlyMap<string, Float32Array>): Promise<Map<string, Float32Array>> {
    // our copy: the caller may reuse its arrays once run returns its promise, and a fault re-runs on wasm later
    const inputs = copied(given);
    if (this.backend.faulted) return this.runFallback(inputs, into);
    const device = this.backend.device;
    let done: Promise<unknown>;
    try {
      device.pushErrorScope('out-of-memory');
      device.pushErrorScope('internal');
      device.pushErrorScope('validation');
      this.writeInputs(inputs);
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      this.encode(pass);
      pass.end();
      for (const o of this.outputs) if (o.bytes) enc.copyBufferToBuffer(this.arena, valueOffset(o.value), this.staging, o.at, o.bytes);
      device.queue.submit([enc.finish()]);
      const scopes = [device.popErrorScope(), device.popErrorScope(), device.popErrorScope()];
      done = Promise.all([this.staging.mapAsync(MAP_READ), ...scopes]);
    } catch (e) {
      this.backend.fault(`run failed: ${(e as Error).message}`);
      return this.runFallback(inputs, into);
    }
    try {
      const [, ...errors] = (await done) as [unknown, ...(any | null)[]];
      const err = errors.find((x) => x);
      if (err) this.backend.fault(`GPU error during a run: ${err.message}`);
      if (this.backend.faulted) {
        try { this.staging.unmap(); } catch { /* lost */ }
        return this.runFallback(inputs, into);
      }
      const bytes = this.staging.getMappedRange();
      const out = new Map<string, Float32Array>();
      for (const o of this.outputs) out.set(o.name, outputArray(new Float32Array(bytes, o.at, o.bytes >> 2), o.name, into));
      this.staging.unmap();
      return out;
    } catch (e) {
      this.backend.fault(`read-back failed: ${(e as Error).message}`);
      return this.runFallback(inputs, into);
    }
  }

  /**
   * Node by node: one submit per node, timed to its completion (onSubmittedWorkDone, so each time holds
   * the submit's overhead too), and each fetched value read back after its producer.
   */
  async inspect(given: ReadonlyMap<string, Float32Array>, options: { time?: boolean; fetch?: ReadonlySet<string> }): Promise<Inspection> {
    const inputs = copied(given); // as in run
    const fetch = options.fetch ?? new Set<string>();
    for (const name of fetch) if (!this.plan.values.has(name)) throw unknownValue(name, this.plan.values.keys());
    if (this.backend.faulted) return (await this.fallback()).inspect(inputs, options);
    const device = this.backend.device;
    const ms = new Map<string, number>(), fetched = new Map<string, Float32Array>();
    device.pushErrorScope('validation');
    try {
      this.writeInputs(inputs);
      for (const i of this.graph.inputs) if (fetch.has(i.name)) fetched.set(i.name, await this.readValue(this.plan.values.get(i.name)!));
      if (options.time && !fetch.size && device.features?.has?.('timestamp-query')) {
        for (const [name, t] of await this.gpuTimes()) ms.set(name, t);
        const outputs = new Map<string, Float32Array>();
        for (const o of this.outputs) outputs.set(o.name, await this.readValue(o.value));
        const err = await device.popErrorScope();
        if (err) throw new BackendError(`webgpu: GPU error during inspect: ${err.message}`);
        if (this.backend.faulted) return (await this.fallback()).inspect(inputs, options);
        return { outputs, ms, fetched, timing: 'gpu-timestamps' };
      }
      for (const node of this.graph.nodes) {
        const [a, b] = this.built.nodeSteps.get(node.name)!;
        const t0 = performance.now();
        const enc = device.createCommandEncoder();
        const pass = enc.beginComputePass();
        this.encode(pass, a, b);
        pass.end();
        device.queue.submit([enc.finish()]);
        await device.queue.onSubmittedWorkDone();
        if (options.time) ms.set(node.name, performance.now() - t0);
        for (const o of node.outputs) if (o && fetch.has(o)) fetched.set(o, await this.readValue(this.plan.values.get(o)!));
      }
      const outputs = new Map<string, Float32Array>();
      for (const o of this.outputs) outputs.set(o.name, await this.readValue(o.value));
      const err = await device.popErrorScope();
      if (err) throw new BackendError(`webgpu: GPU error during inspect: ${err.message}`);
      if (this.backend.faulted) return (await this.fallback()).inspect(inputs, options);
      return { outputs, ms, fetched };
    } catch (e) {
      if (e instanceof BackendError) throw e;
      this.backend.fault(`inspect failed: ${(e as Error).message}`);
      return (await this.fallback()).inspect(inputs, options);
    }
  }

  /** One submit, one compute pass per node with timestamps at its start and end: GPU ms per node. */
  private async gpuTimes(): Promise<Map<string, number>> {
    const device = this.backend.device, nodes = this.graph.nodes;
    const querySet = device.createQuerySet({ type: 'timestamp', count: 2 * nodes.length });
    const resolve = device.createBuffer({ size: 16 * nodes.length, usage: QUERY_RESOLVE | COPY_SRC });
    const read = device.createBuffer({ size: 16 * nodes.length, usage: MAP_READ | COPY_DST });
    try {
      const enc = device.createCommandEncoder();
      nodes.forEach((node, k) => {
        const [a, b] = this.built.nodeSteps.get(node.name)!;
        const pass = enc.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * k, endOfPassWriteIndex: 2 * k + 1 } });
        this.encode(pass, a, b);
        pass.end();
      });
      enc.resolveQuerySet(querySet, 0, 2 * nodes.length, resolve, 0);
      enc.copyBufferToBuffer(resolve, 0, read, 0, 16 * nodes.length);
      device.queue.submit([enc.finish()]);
      await read.mapAsync(MAP_READ); // GPUMapMode.READ === GPUBufferUsage.MAP_READ === 1
      const t = new BigUint64Array(read.getMappedRange().slice(0));
      read.unmap();
      // nanoseconds; a pass the driver did not time reads 0 → 0 ms
      return new Map(nodes.map((n, k) => [n.name, t[2 * k + 1] > t[2 * k] ? Number(t[2 * k + 1] - t[2 * k]) / 1e6 : 0]));
    } finally {
      querySet.destroy(); resolve.destroy(); read.destroy();
    }
  }

  private writeInputs(inputs: ReadonlyMap<string, Float32Array>): void {
    for (const inp of this.graph.inputs) {
      const data = inputs.get(inp.name)!;
      this.backend.device.queue.writeBuffer(this.arena, valueOffset(this.plan.values.get(inp.name)!), data.buffer, data.byteOffset, data.byteLength);
    }
  }

  private encode(pass: any, from = 0, to = this.passes.length): void {
    for (let k = from; k < to; k++) {
      const p = this.passes[k];
      pass.setPipeline(p.pipeline);
      pass.setBindGroup(0, p.bindGroup);
      pass.dispatchWorkgroups(p.groups[0], p.groups[1], p.groups[2]);
    }
  }

  /** One value copied out of the arena (a buffer of its own; inspect only). */
  private async readValue(v: Value): Promise<Float32Array> {
    const bytes = size(v.dims) * 4;
    if (!bytes) return new Float32Array(0);
    const device = this.backend.device;
    const buf = device.createBuffer({ size: bytes, usage: MAP_READ | COPY_DST });
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(this.arena, valueOffset(v), buf, 0, bytes);
    device.queue.submit([enc.finish()]);
    await buf.mapAsync(MAP_READ);
    const out = new Float32Array(buf.getMappedRange().slice(0));
    buf.unmap();
    buf.destroy();
    return out;
  }

  private async fallback(): Promise<Executable> {
    if (!this.fallbackExec) {
      this.fallbackExec = await compileOn(await this.backend.fallbackFor(this.graph, this.dims), this.graph, this.dims);
      this.freeGpu();
    }
    return this.fallbackExec;
  }

  /** The same graph on the fallback backend (planned and compiled at the first need). */
  private async runFallback(inputs: ReadonlyMap<string, Float32Array>, into?: ReadonlyMap<string, Float32Array>): Promise<Map<string, Float32Array>> {
    return (await this.fallback()).run(inputs, into);
  }

  private freeGpu(): void {
    for (const b of [this.arena, this.constBuf, this.staging]) { try { b?.destroy(); } catch { /* lost */ } }
    this.arena = this.constBuf = this.staging = null;
    this.passes = [];
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.freeGpu();
    this.fallbackExec?.release();
  }
}

const copied = (m: ReadonlyMap<string, Float32Array>) => new Map([...m].map(([k, v]) => [k, v.slice()] as const));
