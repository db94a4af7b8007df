// The wasm backend: AssemblyScript kernels in one of five binaries (the best the engine validates),
// NHWC activations in one linear memory per plan, and a worker pool over shared memory for threads.
import { BackendError, DisposedError, EdgeCnnError, InvalidArgumentError, ResourceLimitError } from '../../errors.js';
import type { Graph, Node } from '../../model/ir.js';
import { size } from '../../model/ir.js';
import type { MemoryPlan, Value } from '../../plan/plan.js';
import { unknownValue } from '../../plan/plan.js';
import type { Backend, BackendKind, BackendOptions, Capabilities, Executable, ExecutableReport, Inspection } from '../backend.js';
import { outputArray } from '../backend.js';
import { type Flavor, type WasmSources, FLAVORS, isShared, engineFlavors, loadFirst, createMemory, instantiate, compileFlavor, enableRelaxedSimdInNode, type KernelInstance } from './binaries.js';
import { bindSteps, runSerial, type BoundStep } from './executor.js';
import { WorkerPool, defaultThreadCount, sharedMemoryAvailable, type PoolPlan } from './pool/pool.js';
import { canBlock } from './pool/env.js';
import { buildProgram, type Program } from './program.js';
import { reshapeScratchBytes, wasmSupports, ptrOf, WASM_ACTIVATIONS } from './lower.js';
import { convTransposeScratchBytes } from './kernels/deconv.js';

export interface WasmOptions extends BackendOptions {
  /** Force a kernel binary (tests and benchmarks); default: the best the engine validates. */
  flavor?: Flavor;
  /** A worker pool shared with other sessions; the caller owns it. */
  pool?: WorkerPool;
  /** The kernel binaries to use instead of the package's (SessionOptions.wasm): only these flavors are considered. */
  wasm?: WasmSources;
  /** The pool worker's script instead of the package's (SessionOptions.workerUrl). */
  workerUrl?: string | URL;
  /** Winograd where it pays (default true); false: direct convolutions only (SessionOptions.winograd). */
  winograd?: boolean;
}

export const WASM_CAPS: Capabilities = {
  activationProducers: new Set(['Conv', 'ConvTranspose', 'LocallyConnected', 'Gemm', 'Add', 'Sub', 'Mul', 'Div', 'PRelu', 'Pow', 'Min', 'Max']),
  fusableActivations: WASM_ACTIVATIONS,
  residualProducers: new Set(['Conv', 'Gemm']),
  sliceWriters: new Set(['Conv', 'MaxPool', 'AveragePool']),
  sliceReaders: new Set(['Conv', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'Add', 'Sub', 'Mul', 'Div', 'PRelu', 'Pow', 'Min', 'Max', 'Concat']),
  // NHWC inside: channels innermost for the GEMM/depthwise microkernels (docs/DESIGN.md, Layout)
  layout: (dims) => (dims.length === 4 ? 'nhwc' : 'dense'),
  alignment: 64, // a cache line; keeps every tensor 16-byte aligned for v128 loads
  keepsInputs: true, // bind(): inputs written in place survive runs (costs the inputs' bytes of arena)
  // working memory: a 4-D reshape through the dense order; a strided ConvTranspose's phase outputs before the interleave (kernels/deconv.ts)
  scratchBytes: (node, dims) => (node.op === 'ConvTranspose' ? convTransposeScratchBytes(node.attrs.strides, size(dims.get(node.outputs[0])!)) : reshapeScratchBytes(node, dims)),
};

let warnedNoSharedMemory = false;

export const wasmBackend: BackendKind = {
  name: 'wasm',
  async probe() {
    if (typeof WebAssembly !== 'object') return { ok: false, reason: 'this engine has no WebAssembly' };
    await enableRelaxedSimdInNode();
    // by feature probes: nothing is fetched here (a binary that cannot be fetched is an error at create, not a fallback)
    return engineFlavors(false).length ? { ok: true } : { ok: false, reason: 'this engine has none of the WebAssembly features of the kernel binaries' };
  },
  create: (options) => WasmBackend.create(options as WasmOptions),
};

export class WasmBackend implements Backend {
  readonly name = 'wasm' as const;
  readonly caps = WASM_CAPS;
  /** The workers every plan runs on (threads > 1): this backend's own, or `options.pool`. */
  private pool: WorkerPool | null;
  private disposed = false;

  private constructor(
    private kernelFlavor: Flavor, private threadCount: number, private text: string, private readonly sharedPool: WorkerPool | null,
    private readonly sources: { wasm?: WasmSources; workerUrl?: string | URL },
    /** threads 'auto' where the caller computes: a small plan runs on the calling thread (MIN_THREADED_FLOPS). */
    private readonly autoThreads = false,
    /** Winograd where it pays (SessionOptions.winograd). */
    private readonly winograd = true,
  ) {
    this.pool = sharedPool;
  }

  /** The kernel binary new plans use. */
  get flavor(): Flavor { return this.kernelFlavor; }
  get threads(): number { return this.threadCount; }
  get description(): string { return this.text; }

  static async create(options: WasmOptions): Promise<WasmBackend> {
    if (options.flavor && !FLAVORS.includes(options.flavor)) throw new InvalidArgumentError(`flavor must be one of ${FLAVORS.join(', ')}, got '${options.flavor}'`);
    await enableRelaxedSimdInNode();
    const { flavor, threads, notes } = options.pool !== undefined ? await onSharedPool(options) : await choose(options);
    const autoThreads = options.pool === undefined && (options.threads ?? 'auto') === 'auto' && threads > 1 && canBlock();
    if (autoThreads) notes[notes.length - 1] += ` (1 for plans under ${MIN_THREADED_FLOPS / 1e6} MFLOP)`;
    return new WasmBackend(flavor, threads, `wasm-${flavor}, ${notes.join(', ')}`, options.pool ?? null, { wasm: options.wasm, workerUrl: options.workerUrl }, autoThreads, options.winograd !== false);
  }

  supports(node: Node, dims: ReadonlyMap<string, number[]>, graph: Graph): true | string {
    return wasmSupports(node, (n) => dims.get(n)!, graph);
  }

  estimate(graph: Graph, dims: ReadonlyMap<string, number[]>, plan: MemoryPlan): ExecutableReport {
    const p = buildProgram(graph, dims, plan, { threads: this.threads, winograd: this.winograd });
    return { kernels: p.kernels, constBytes: p.consts.bytes, memoryBytes: p.memoryBytes };
  }

  async compile(graph: Graph, dims: ReadonlyMap<string, number[]>, plan: MemoryPlan): Promise<Executable> {
    const program = buildProgram(graph, dims, plan, { threads: this.threads, winograd: this.winograd });
    const memory = await this.memoryFor(program.memoryBytes);
    const kernels = await instantiate(this.flavor, memory, this.sources.wasm);
    program.consts.writeTo(memory);
    const exec = new WasmExecutable(this, kernels, program);
    if ((this.threads > 1 || this.sharedPool) && !(this.autoThreads && programFlops(program) < MIN_THREADED_FLOPS)) await exec.poolPlan();
    else exec.report.threads = 1;
    return exec;
  }

  /**
   * A memory for a plan. When the engine refuses a shared one (a device short of address space) and this
   * backend owns its threads, it goes on with one thread on a plain memory and a non-threads binary, for
   * this plan and the next ones, and says why; plans made before keep their threads.
   */
  private async memoryFor(bytes: number): Promise<WebAssembly.Memory> {
    try {
      return createMemory(this.kernelFlavor, bytes);
    } catch (e) {
      if (!isShared(this.kernelFlavor) || this.sharedPool || !(e instanceof ResourceLimitError)) throw e;
      const single = engineFlavors(false, this.sources.wasm)[0];
      if (!single) throw e;
      const memory = createMemory(single, bytes); // the same error when a plain memory is refused too
      await compileFlavor(single, this.sources.wasm);
      this.text = `wasm-${single}, 1 thread (a shared memory of ${(bytes / 2 ** 20).toFixed(1)} MiB was refused: ${e.message.replace(/^cannot allocate [^:]*: /, '')})`;
      this.kernelFlavor = single;
      this.threadCount = 1;
      return memory;
    }
  }

  /**
   * The pool, ready to run: created at the first plan (threads > 1); an owned pool broken by a fault is
   * rebuilt (kernels never write constants, memories are intact); a shared one broken or disposed by
   * its owner is an error.
   */
  async livePool(): Promise<WorkerPool> {
    if (this.disposed) throw new DisposedError('this session');
    const pool = this.pool;
    if (this.sharedPool) {
      if (pool!.isDisposed) throw sharedPoolDisposed();
      if (pool!.brokenReason) throw new BackendError(`the shared worker pool (SessionOptions.pool) is broken (${pool!.brokenReason}); its owner must dispose it and create a new pool for new sessions`);
      return pool!;
    }
    if (pool && !pool.brokenReason && !pool.isDisposed) return pool;
    if (pool) { this.pool = null; await pool.dispose(); }
    this.pool = await WorkerPool.create(this.threads, { workerUrl: this.sources.workerUrl });
    return this.pool;
  }

  get isSharedPool(): boolean { return !!this.sharedPool; }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const pool = this.pool;
    this.pool = null;
    if (pool && !this.sharedPool) await pool.dispose();
  }
}

const sharedPoolDisposed = (cause?: unknown) => new BackendError('the shared worker pool (SessionOptions.pool) was disposed by its owner; create a new pool and a new session on it', cause ? { cause } : undefined);

/**
 * With threads 'auto' (the default) and a caller that computes (not a browser main thread), a plan under this
 * many flops runs on the calling thread: waking the workers and moving the activations between the cores'
 * caches cost more than the split saves. An explicit thread count is always honoured. Measured on a 2-core
 * AMD EPYC VM, 2 threads against 1: the 32-channel 112x112 depthwise fixture (7.2 MFLOP, 3.2 MB of
 * activations) 0.80 ms against 0.63 ms; the 1x1 fixture (51 MFLOP) 0.65 ms against 0.96 ms.
 */
export const MIN_THREADED_FLOPS = 20e6;

const programFlops = (p: Program) => p.steps.reduce((a, s) => a + s.flops, 0);

class WasmExecutable implements Executable {
  readonly report: Executable['report'];
  private readonly bound: BoundStep[];
  private plan: PoolPlan | null = null;
  private planPool: WorkerPool | null = null;
  private pieces: { name: string; bound: BoundStep[]; plan: PoolPlan | null; produces: string[] }[] | null = null;
  private piecesPool: WorkerPool | null = null;
  private readonly heap: Float32Array;

  constructor(private readonly backend: WasmBackend, private readonly kernels: KernelInstance, private readonly program: Program) {
    this.heap = new Float32Array(kernels.memory.buffer);
    this.bound = bindSteps(program.steps, kernels);
    this.report = { kernels: program.kernels, constBytes: program.consts.bytes, memoryBytes: program.memoryBytes };
  }

  /** This plan on the backend's live pool (prepared again when the pool was rebuilt). */
  async poolPlan(): Promise<{ pool: WorkerPool; plan: PoolPlan }> {
    const pool = await this.backend.livePool();
    if (!this.plan || this.planPool !== pool) {
      this.plan = pool.prepare(this.program.steps, this.kernels);
      this.planPool = pool;
    }
    return { pool, plan: this.plan };
  }

  async run(inputs: ReadonlyMap<string, Float32Array>, into?: ReadonlyMap<string, Float32Array>): Promise<Map<string, Float32Array>> {
    this.write(inputs);
    await this.guard(async () => {
      if (this.plan) {
        const { pool, plan } = await this.poolPlan();
        await this.onPool(pool, plan);
      } else {
        runSerial(this.bound);
      }
    });
    return this.outputs(into);
  }

  async inspect(inputs: ReadonlyMap<string, Float32Array>, options: { time?: boolean; fetch?: ReadonlySet<string> }): Promise<Inspection> {
    const fetch = options.fetch ?? new Set<string>();
    for (const name of fetch) if (!this.program.values.has(name)) throw unknownValue(name, this.program.values.keys());
    this.write(inputs);
    const ms = new Map<string, number>(), fetched = new Map<string, Float32Array>();
    await this.guard(async () => {
      const pool = this.plan ? (await this.poolPlan()).pool : null;
      for (const piece of this.piecesOn(pool)) {
        const t0 = performance.now();
        if (piece.plan) await this.onPool(pool!, piece.plan); else runSerial(piece.bound);
        if (options.time) ms.set(piece.name, performance.now() - t0);
        for (const v of piece.produces) if (fetch.has(v)) fetched.set(v, this.read(this.program.values.get(v)!));
      }
    });
    return { outputs: this.outputs(), ms, fetched };
  }

  /** Each node's Steps, bound for this thread or prepared on `pool` (made once per pool). */
  private piecesOn(pool: WorkerPool | null) {
    if (!this.pieces || this.piecesPool !== pool) {
      this.pieces = [...this.program.nodeSteps].map(([name, [a, b]]) => ({
        name,
        bound: this.bound.slice(a, b),
        plan: pool && b > a ? pool.prepare(this.program.steps.slice(a, b), this.kernels) : null,
        produces: this.program.produces.get(name) ?? [],
      }));
      this.piecesPool = pool;
    }
    return this.pieces;
  }

  private write(inputs: ReadonlyMap<string, Float32Array>): void {
    for (const io of this.program.inputs) {
      const src = inputs.get(io.name)!; // the session checked its size
      if (src.buffer !== this.heap.buffer || src.byteOffset !== io.ptr) this.heap.set(src, io.ptr >> 2); // else bind()'s own view
    }
  }

  private view(io: { ptr: number; dims: number[] }): Float32Array {
    return this.heap.subarray(io.ptr >> 2, (io.ptr >> 2) + size(io.dims));
  }

  bind(): { inputs: Map<string, Float32Array>; outputs: Map<string, Float32Array> } {
    return {
      inputs: new Map(this.program.inputs.map((io) => [io.name, this.view(io)])),
      outputs: new Map(this.program.outputs.map((o) => [o.name, this.view(o)])),
    };
  }

  private outputs(into?: ReadonlyMap<string, Float32Array>): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const o of this.program.outputs) out.set(o.name, outputArray(this.view(o), o.name, into));
    return out;
  }

  /** A planned value as dense NCHW (NHWC values are gathered from their pixels). */
  private read(v: Value): Float32Array {
    const at = ptrOf(v) >> 2;
    if (v.layout === 'dense') return this.heap.slice(at, at + size(v.dims));
    const [n, c, h, w] = v.dims, ps = v.pixelStride, out = new Float32Array(n * c * h * w);
    for (let b = 0, i = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let p = 0; p < h * w; p++) out[i++] = this.heap[at + (b * h * w + p) * ps + ch];
    return out;
  }

  private async onPool(pool: WorkerPool, plan: PoolPlan): Promise<void> {
    try {
      await pool.runQueued(plan); // queued: sessions sharing the pool take turns
    } catch (e) {
      if (this.backend.isSharedPool && (pool.isDisposed || e instanceof DisposedError)) throw sharedPoolDisposed(e);
      throw e;
    }
  }

  /** Kernel traps and worker faults as BackendErrors. */
  private async guard(f: () => Promise<void>): Promise<void> {
    try {
      await f();
    } catch (e) {
      if (e instanceof EdgeCnnError) throw e;
      throw new BackendError(`wasm kernel failed: ${(e as Error).message}`, { cause: e });
    }
  }

  release(): void {
    // the workers drop their instances on this memory, so the memory can be collected
    if (this.plan && this.planPool && !this.planPool.isDisposed) this.planPool.release(this.plan);
    this.plan = null;
    this.pieces = null;
  }
}


async function choose(options: WasmOptions): Promise<{ flavor: Flavor; threads: number; notes: string[] }> {
  const asked = options.threads ?? 'auto';
  if (asked !== 'auto' && !(Number.isInteger(asked) && asked >= 1 && asked <= 64)) throw new InvalidArgumentError(`threads must be 'auto' or an integer from 1 to 64, got ${asked}`);
  const notes: string[] = [];
  let threads = asked === 'auto' ? defaultThreadCount() : asked;
  const shared = sharedMemoryAvailable();
  if (threads > 1 && !shared.ok) {
    notes.push(`1 thread (${shared.reason})`);
    if (!warnedNoSharedMemory) {
      warnedNoSharedMemory = true;
      console.warn(`edgecnn: running on one thread: ${shared.reason}`);
    }
    threads = 1;
  }
  if (threads > 1 && options.flavor && !isShared(options.flavor)) {
    notes.push(`1 thread (the '${options.flavor}' kernels cannot share memory)`);
    threads = 1;
  }
  let flavor: Flavor;
  if (options.flavor) {
    if (options.wasm && options.wasm[options.flavor] === undefined) throw new InvalidArgumentError(`SessionOptions.wasm has no binary for the '${options.flavor}' kernels (it has: ${Object.keys(options.wasm).join(', ') || 'none'})`);
    if (!engineFlavors(shared.ok || !isShared(options.flavor)).includes(options.flavor)) throw new BackendError(`this engine cannot run the '${options.flavor}' kernels`);
    const got = await loadFirst([options.flavor], options.wasm);
    if (!got.flavor) throw new BackendError(got.why);
    flavor = options.flavor;
  } else {
    // Chosen by feature probes, then fetched: only the binary that runs is downloaded. Threads need a
    // shared-memory binary; one thread runs best on a plain memory.
    const able = engineFlavors(shared.ok, options.wasm);
    const order = threads > 1 ? [...able.filter(isShared), ...able.filter((f) => !isShared(f))] : [...able.filter((f) => !isShared(f)), ...able.filter(isShared)];
    if (!order.length) throw new BackendError(options.wasm ? `this engine runs none of the kernel binaries given in SessionOptions.wasm (${Object.keys(options.wasm).join(', ')})` : 'this engine has none of the WebAssembly features of the kernel binaries');
    const got = await loadFirst(order, options.wasm);
    if (!got.flavor) throw new BackendError(`this engine runs none of the kernel binaries: ${got.why}`);
    flavor = got.flavor;
    if (threads > 1 && !isShared(flavor)) { notes.push('1 thread (no threads binary validates here)'); threads = 1; }
  }
  if (!notes.some((n) => n.startsWith('1 thread'))) notes.push(threads === 1 ? '1 thread' : `${threads} threads`);
  return { flavor, threads, notes };
}

/** With `options.pool`: its thread count, and a threads binary (the pool's workers share memory). */
async function onSharedPool(options: WasmOptions): Promise<{ flavor: Flavor; threads: number; notes: string[] }> {
  const pool = options.pool!;
  if (!(pool instanceof WorkerPool)) throw new InvalidArgumentError('pool must be a WorkerPool (WorkerPool.create(threads))');
  if (pool.isDisposed) throw new BackendError('the shared worker pool (SessionOptions.pool) was disposed by its owner; create a new pool');
  if (options.flavor && !isShared(options.flavor)) throw new InvalidArgumentError(`a shared pool runs a threads binary; the '${options.flavor}' kernels cannot share memory`);
  const able = engineFlavors(true, options.wasm).filter(isShared);
  const got = await loadFirst(options.flavor ? able.filter((f) => f === options.flavor) : able, options.wasm);
  const flavor = got.flavor;
  if (!flavor) throw new BackendError(`this engine cannot run the ${options.flavor ? `'${options.flavor}'` : 'threads'} kernels a shared pool needs${got.why ? `: ${got.why}` : ''}`);
  return { flavor, threads: pool.threads, notes: [pool.threads === 1 ? '1 thread' : `${pool.threads} threads`, 'shared pool'] };
}
