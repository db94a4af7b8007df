// The public Session: load a model, plan it for an input shape, run it.
import { BackendError, DisposedError, EdgeCnnError, InvalidArgumentError, UnsupportedError } from './errors.js';
import { Tensor } from './tensor.js';
import type { Graph, Dim } from './model/ir.js';
import { size } from './model/ir.js';
import { loadOnnx } from './model/onnx/loader.js';
import { bindAndFold } from './model/fold.js';
import { optimize } from './model/passes.js';
import { buildPlan, type Plan, type PlanReport } from './plan/plan.js';
import { formatSummary } from './plan/summary.js';
import { type Flavor, FLAVORS, isShared, supportedFlavors, createMemory, instantiate, enableRelaxedSimdInNode, type KernelInstance } from './wasm/binaries.js';
import { bindSteps, runSerial, type BoundStep } from './wasm/executor.js';
import { WorkerPool, defaultThreadCount, sharedMemoryAvailable, type PoolPlan } from './wasm/pool.js';

export type ModelSource = Uint8Array | ArrayBuffer | string | URL | Graph;

export interface Progress {
  stage: 'download' | 'parse' | 'optimize' | 'plan' | 'prepack' | 'ready';
  loaded: number;
  total: number;
}

export interface SessionOptions {
  backend?: 'auto' | 'wasm' | 'webgpu';
  threads?: 'auto' | number;
  /** Force a kernel binary (tests and benchmarks); default: the best the engine validates. */
  flavor?: Flavor;
  /** Concrete shapes for inputs with symbolic dims (e.g. batch); plans eagerly at create. */
  inputShapes?: Record<string, number[]>;
  onProgress?: (p: Progress) => void;
  /** Plans kept per input shape (least recently used dropped first). Default 4. */
  planCacheSize?: number;
  /**
   * A worker pool to run on, shared with other sessions (`WorkerPool.create(threads)`). The caller owns
   * it: the session never disposes it (its `dispose()` only releases its memories from it), and after a
   * fault the caller must dispose it and create a new one (runs on a broken or disposed shared pool
   * reject with a BackendError). Its thread count wins over `threads`. Without it a session with more
   * than one thread creates (and owns) one pool, at its first plan, used by all its plans.
   */
  pool?: WorkerPool;
}

export interface IOInfo {
  name: string;
  dims: Dim[];
  type: 'float32';
}

export interface SummaryResult extends PlanReport {
  inputDims: Record<string, number[]>;
  /** the printable table */
  text: string;
}

interface Prepared {
  key: string;
  plan: Plan;
  kernels: KernelInstance;
  bound: BoundStep[];
  inputs: Map<string, { ptr: number; dims: number[] }>;
  /** this plan as prepared for `poolOf` (re-prepared after the session rebuilt its pool); null on one thread */
  poolPlan: PoolPlan | null;
  poolOf: WorkerPool | null;
}

export class Session {
  readonly inputs: readonly IOInfo[];
  readonly outputs: readonly IOInfo[];
  /** What runs, and why: e.g. "wasm-relaxed-threads, 2 threads" or "wasm-simd, 1 thread (no SharedArrayBuffer: …)". */
  backend: string;
  /** Threads each run uses (the calling thread included). */
  readonly threads: number;
  private readonly graph: Graph;
  /** The model's input dims are all fixed: one plan serves every run, the graph's weights are released. */
  private weightsReleased = false;
  private readonly flavor: Flavor;
  private readonly options: SessionOptions;
  private plans = new Map<string, Prepared>();
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  /** The workers every plan of this session runs on (threads > 1): the session's own, or `options.pool`. */
  private pool: WorkerPool | null = null;
  /** Whether `pool` is `options.pool` (not this session's to dispose or rebuild). */
  private readonly sharedPool: boolean;

  private constructor(graph: Graph, flavor: Flavor, threads: number, backend: string, options: SessionOptions) {
    this.sharedPool = !!options.pool;
    if (options.pool) this.pool = options.pool;
    this.graph = graph;
    this.flavor = flavor;
    this.threads = threads;
    this.backend = backend;
    this.options = options;
    this.inputs = graph.inputs.map((i) => ({ name: i.name, dims: [...i.dims], type: 'float32' as const }));
    this.outputs = graph.outputs.map((o) => ({ name: o.name, dims: [...o.dims], type: 'float32' as const }));
  }

  static async create(model: ModelSource, options: SessionOptions = {}): Promise<Session> {
    const progress = options.onProgress ?? (() => {});
    let graph: Graph;
    if (isGraph(model)) {
      graph = { ...model, consts: new Map(model.consts) }; // the session may release its weights; the caller's graph stays whole
    } else {
      const bytes = await readModel(model, progress);
      progress({ stage: 'parse', loaded: 0, total: bytes.byteLength });
      graph = loadOnnx(bytes);
      progress({ stage: 'parse', loaded: bytes.byteLength, total: bytes.byteLength });
    }
    const { flavor, threads, backend } = await chooseBackend(options);
    const session = new Session(graph, flavor, threads, backend, options);
    const shapes = session.concreteShapes(options.inputShapes ?? {});
    if (shapes) await session.prepare(shapes);
    else session.validateSymbolic();
    if (shapes && session.concreteShapes({})) session.releaseWeights();
    progress({ stage: 'ready', loaded: 1, total: 1 });
    return session;
  }

  /** Runs the model; concurrent calls are queued. Returns outputs by name in the model's layout (NCHW). */
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    const job = this.queue.then(() => this.runNow(feeds));
    this.queue = job.catch(() => {});
    return job;
  }

  /** The layer table for the planned shape, or for `inputShapes` (planned now, not run). */
  summary(inputShapes?: Record<string, number[]>): SummaryResult {
    this.checkAlive();
    let report: PlanReport, dims: Record<string, number[]>;
    const shapes = this.concreteShapes(inputShapes ?? {}) ?? this.lastShapes();
    if (!shapes) throw new InvalidArgumentError(`the model has symbolic input dims (${this.inputs.map((i) => `${i.name}: [${i.dims.join(', ')}]`).join('; ')}); pass inputShapes to summary()`);
    const cached = this.plans.get(shapeKey(shapes));
    report = cached ? cached.plan.report : this.makePlan(shapes).report;
    dims = shapes;
    return { ...report, inputDims: dims, text: formatSummary(report, dims) };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    await this.queue.catch(() => {});
    this.disposed = true;
    const plans = [...this.plans.values()];
    this.plans.clear(); // drops the memories: the only references to them live here (and in the pool)
    const pool = this.pool;
    this.pool = null;
    if (!pool) return;
    if (this.sharedPool) {
      for (const p of plans) if (p.poolPlan && p.poolOf === pool) pool.release(p.poolPlan);
    } else {
      await pool.dispose();
    }
  }

  // ---- internals ----

  private checkAlive(): void {
    if (this.disposed) throw new DisposedError('this session');
  }

  private lastShapes(): Record<string, number[]> | null {
    const last = [...this.plans.values()].pop();
    return last ? Object.fromEntries([...last.inputs].map(([n, v]) => [n, v.dims])) : null;
  }

  /** Input dims with every symbol bound, or null when a symbol is left. */
  private concreteShapes(given: Record<string, number[]>): Record<string, number[]> | null {
    for (const name of Object.keys(given)) {
      if (!this.inputs.some((i) => i.name === name)) throw new InvalidArgumentError(`inputShapes names '${name}', which is not an input of the model (inputs: ${this.inputs.map((i) => i.name).join(', ')})`);
    }
    const out: Record<string, number[]> = {};
    for (const inp of this.inputs) {
      const d = given[inp.name];
      if (d) { out[inp.name] = d; continue; }
      if (inp.dims.some((x) => typeof x !== 'number' || x <= 0)) return null;
      out[inp.name] = inp.dims as number[];
    }
    return out;
  }

  /**
   * With symbolic input dims planning waits for the first run; plan once now with every symbol bound
   * to 1 so an operator configuration edgecnn does not implement fails at create, not at run. Shape
   * errors caused by the stand-in 1s (a symbolic image size) are not the model's fault: ignored.
   */
  private validateSymbolic(): void {
    const shapes = Object.fromEntries(this.inputs.map((i) => [i.name, i.dims.map((d) => (typeof d === 'number' && d > 0 ? d : 1))]));
    try {
      this.makePlan(shapes, false);
    } catch (e) {
      if (e instanceof UnsupportedError) throw e;
    }
  }

  /**
   * A model whose input dims are all fixed never plans again, and its weights now live prepacked in
   * wasm memory: drop the graph's float copies so they are not held twice (mobilenet_v2: 13 MiB).
   */
  private releaseWeights(): void {
    for (const [name, c] of this.graph.consts) if (c.dtype === 'float32') this.graph.consts.delete(name);
    this.weightsReleased = true;
  }

  private makePlan(shapes: Record<string, number[]>, report = true): Plan {
    if (this.weightsReleased) {
      throw new InvalidArgumentError(`the model's inputs have fixed dims (${this.inputs.map((i) => `${i.name} [${i.dims.join(', ')}]`).join('; ')}); it cannot be planned for [${Object.values(shapes).map((d) => d.join('x')).join(', ')}]`);
    }
    const progress = report && this.options.onProgress ? this.options.onProgress : () => {};
    progress({ stage: 'optimize', loaded: 0, total: 1 });
    const folded = bindAndFold(this.graph, shapes);
    const g = optimize(folded.graph, folded.dims);
    progress({ stage: 'plan', loaded: 0, total: 1 });
    return buildPlan(g, folded.dims);
  }

  private async prepare(shapes: Record<string, number[]>): Promise<Prepared> {
    const key = shapeKey(shapes);
    const hit = this.plans.get(key);
    if (hit) {
      this.plans.delete(key);
      this.plans.set(key, hit); // most recent last
      return hit;
    }
    const plan = this.makePlan(shapes);
    const progress = this.options.onProgress ?? (() => {});
    progress({ stage: 'prepack', loaded: 0, total: plan.consts.bytes });
    const memory = createMemory(this.flavor, plan.memoryBytes);
    const kernels = await instantiate(this.flavor, memory);
    plan.consts.writeTo(memory);
    progress({ stage: 'prepack', loaded: plan.consts.bytes, total: plan.consts.bytes });
    const prepared: Prepared = {
      key, plan, kernels,
      bound: bindSteps(plan.steps, kernels),
      inputs: new Map(plan.inputs.map((i) => [i.name, { ptr: i.ptr, dims: i.dims }])),
      poolPlan: null,
      poolOf: null,
    };
    if (this.threads > 1 || this.sharedPool) await this.poolPlan(prepared);
    this.plans.set(key, prepared);
    const limit = Math.max(1, this.options.planCacheSize ?? 4);
    while (this.plans.size > limit) {
      const oldest = this.plans.keys().next().value!;
      const old = this.plans.get(oldest)!;
      this.plans.delete(oldest);
      // the workers drop their instances on its memory, so the memory can be collected
      if (old.poolPlan && old.poolOf && !old.poolOf.isDisposed) old.poolOf.release(old.poolPlan);
    }
    return prepared;
  }

  /**
   * The session's pool, ready to run: created at the first plan (threads > 1); an owned pool broken by
   * a fault is rebuilt; a shared one broken or disposed by its owner is an error.
   */
  private async livePool(): Promise<WorkerPool> {
    const pool = this.pool;
    if (this.sharedPool) {
      if (!pool || pool.isDisposed) throw new BackendError('the shared worker pool (SessionOptions.pool) was disposed by its owner; create a new pool and a new session on it');
      if (pool.brokenReason) throw new BackendError(`the shared worker pool (SessionOptions.pool) is broken (${pool.brokenReason}); its owner must dispose it and create a new pool for new sessions`);
      return pool;
    }
    if (pool && !pool.brokenReason && !pool.isDisposed) return pool;
    // an earlier run's worker died or trapped: rebuild (kernels never write constants, memories are intact)
    if (pool) { this.pool = null; await pool.dispose(); }
    this.pool = await WorkerPool.create(this.threads);
    return this.pool;
  }

  /** `p`'s plan on the session's live pool (prepared again when the pool was rebuilt). */
  private async poolPlan(p: Prepared): Promise<{ pool: WorkerPool; plan: PoolPlan }> {
    const pool = await this.livePool();
    if (!p.poolPlan || p.poolOf !== pool) {
      p.poolPlan = pool.prepare(p.plan.steps, p.kernels);
      p.poolOf = pool;
    }
    return { pool, plan: p.poolPlan };
  }

  private async runNow(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    this.checkAlive();
    if (!feeds || typeof feeds !== 'object') throw new InvalidArgumentError('run() takes an object of input tensors by name');
    for (const name of Object.keys(feeds)) {
      if (!this.inputs.some((i) => i.name === name)) throw new InvalidArgumentError(`unknown input '${name}' (the model's inputs: ${this.inputs.map((i) => i.name).join(', ')})`);
    }
    const shapes: Record<string, number[]> = {};
    for (const inp of this.inputs) {
      const t = feeds[inp.name];
      if (!t) throw new InvalidArgumentError(`missing input '${inp.name}' (dims [${inp.dims.join(', ')}])`);
      if (!(t.data instanceof Float32Array) || t.type !== 'float32') throw new InvalidArgumentError(`input '${inp.name}' must be a float32 Tensor, got ${t.type ?? typeof t}`);
      const dims = [...t.dims];
      if (dims.length !== inp.dims.length || dims.some((d, i) => typeof inp.dims[i] === 'number' && (inp.dims[i] as number) > 0 && d !== inp.dims[i])) {
        throw new InvalidArgumentError(`input '${inp.name}' has dims [${dims.join(', ')}], the model expects [${inp.dims.join(', ')}]`);
      }
      if (size(dims) !== t.data.length) throw new InvalidArgumentError(`input '${inp.name}' has ${t.data.length} elements for dims [${dims.join(', ')}]`);
      if (dims.some((d) => d <= 0)) throw new InvalidArgumentError(`input '${inp.name}' has an empty dimension: [${dims.join(', ')}]`);
      shapes[inp.name] = dims;
    }
    const p = await this.prepare(shapes);
    const heap = new Float32Array(p.kernels.memory.buffer);
    for (const [name, io] of p.inputs) heap.set(feeds[name].data, io.ptr >> 2);
    try {
      if (p.poolPlan) {
        const { pool, plan } = await this.poolPlan(p);
        try {
          // queued: sessions sharing the pool take turns
          await pool.runQueued(plan);
        } catch (e) {
          if (this.sharedPool && (pool.isDisposed || e instanceof DisposedError)) {
            throw new BackendError('the shared worker pool (SessionOptions.pool) was disposed by its owner; create a new pool and a new session on it', { cause: e });
          }
          throw e;
        }
      } else {
        runSerial(p.bound);
      }
    } catch (e) {
      if (e instanceof EdgeCnnError) throw e;
      throw new BackendError(`wasm kernel failed: ${(e as Error).message}`, { cause: e });
    }
    const out: Record<string, Tensor> = {};
    for (const o of p.plan.outputs) {
      out[o.name] = new Tensor('float32', heap.slice(o.ptr >> 2, (o.ptr >> 2) + size(o.dims)), o.dims);
    }
    return out;
  }
}

function isGraph(m: ModelSource): m is Graph {
  return typeof m === 'object' && m !== null && !(m instanceof Uint8Array) && !(m instanceof ArrayBuffer) && !(m instanceof URL) && Array.isArray((m as Graph).nodes);
}

const shapeKey = (s: Record<string, number[]>): string => Object.keys(s).sort().map((k) => `${k}:${s[k].join('x')}`).join(';');

let warnedNoSharedMemory = false;

async function chooseBackend(options: SessionOptions): Promise<{ flavor: Flavor; threads: number; backend: string }> {
  if (options.pool !== undefined) return chooseSharedPoolBackend(options);
  const wanted = options.backend ?? 'auto';
  if (!['auto', 'wasm', 'webgpu'].includes(wanted)) throw new InvalidArgumentError(`backend must be 'auto', 'wasm' or 'webgpu', got '${wanted}'`);
  const asked = options.threads ?? 'auto';
  if (asked !== 'auto' && !(Number.isInteger(asked) && asked >= 1 && asked <= 64)) throw new InvalidArgumentError(`threads must be 'auto' or an integer from 1 to 64, got ${asked}`);
  if (options.flavor && !FLAVORS.includes(options.flavor)) throw new InvalidArgumentError(`flavor must be one of ${FLAVORS.join(', ')}, got '${options.flavor}'`);
  await enableRelaxedSimdInNode();
  const notes: string[] = [];
  if (wanted === 'webgpu') notes.push('WebGPU backend not available in this version, using wasm');
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
  const ok = await supportedFlavors(shared.ok);
  let flavor: Flavor;
  if (options.flavor) {
    if (!ok.includes(options.flavor)) throw new BackendError(`this engine cannot run the '${options.flavor}' kernels`);
    flavor = options.flavor;
  } else {
    if (!ok.length) throw new BackendError('this engine runs none of the kernel binaries (no WebAssembly?)');
    // threads need a shared-memory binary; one thread runs best on a plain memory
    flavor = (threads > 1 ? ok.find(isShared) : ok.find((f) => !isShared(f))) ?? ok[0];
    if (threads > 1 && !isShared(flavor)) { notes.push('1 thread (no threads binary validates here)'); threads = 1; }
  }
  if (!notes.some((n) => n.startsWith('1 thread'))) notes.push(threads === 1 ? '1 thread' : `${threads} threads`);
  return { flavor, threads, backend: `wasm-${flavor}, ${notes.join(', ')}` };
}

/** With `options.pool`: its thread count, and a threads binary (the pool's workers share memory). */
async function chooseSharedPoolBackend(options: SessionOptions): Promise<{ flavor: Flavor; threads: number; backend: string }> {
  const pool = options.pool!;
  if (!(pool instanceof WorkerPool)) throw new InvalidArgumentError('pool must be a WorkerPool (WorkerPool.create(threads))');
  if (pool.isDisposed) throw new BackendError('the shared worker pool (SessionOptions.pool) was disposed by its owner; create a new pool');
  const wanted = options.backend ?? 'auto';
  if (!['auto', 'wasm', 'webgpu'].includes(wanted)) throw new InvalidArgumentError(`backend must be 'auto', 'wasm' or 'webgpu', got '${wanted}'`);
  if (options.flavor && !FLAVORS.includes(options.flavor)) throw new InvalidArgumentError(`flavor must be one of ${FLAVORS.join(', ')}, got '${options.flavor}'`);
  if (options.flavor && !isShared(options.flavor)) throw new InvalidArgumentError(`a shared pool runs a threads binary; the '${options.flavor}' kernels cannot share memory`);
  await enableRelaxedSimdInNode();
  const ok = await supportedFlavors(true);
  const flavor = options.flavor ?? ok.find(isShared);
  if (!flavor || !ok.includes(flavor)) throw new BackendError(`this engine cannot run the ${flavor ? `'${flavor}'` : 'threads'} kernels a shared pool needs`);
  const notes = wanted === 'webgpu' ? ['WebGPU backend not available in this version, using wasm'] : [];
  notes.push(pool.threads === 1 ? '1 thread' : `${pool.threads} threads`, 'shared pool');
  return { flavor, threads: pool.threads, backend: `wasm-${flavor}, ${notes.join(', ')}` };
}

async function readModel(src: Uint8Array | ArrayBuffer | string | URL, progress: (p: Progress) => void): Promise<Uint8Array> {
  if (src instanceof Uint8Array) return src;
  if (src instanceof ArrayBuffer) return new Uint8Array(src);
  const s = typeof src === 'string' ? src : src.href;
  if (/^(https?|blob|data):/i.test(s)) return download(s, progress);
  const path = s.startsWith('file:') ? new URL(s) : s;
  try {
    if (typeof (globalThis as any).Deno !== 'undefined') return await (globalThis as any).Deno.readFile(path);
    const fs = await import('node:fs/promises');
    const bytes = new Uint8Array(await fs.readFile(path));
    progress({ stage: 'download', loaded: bytes.byteLength, total: bytes.byteLength });
    return bytes;
  } catch (e) {
    throw new InvalidArgumentError(`cannot read model file '${s}': ${(e as Error).message}`, { cause: e });
  }
}

async function download(url: string, progress: (p: Progress) => void): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new InvalidArgumentError(`cannot fetch model '${url}': ${(e as Error).message}`, { cause: e });
  }
  if (!res.ok) throw new InvalidArgumentError(`cannot fetch model '${url}': HTTP ${res.status}`);
  const total = Number(res.headers.get('content-length') ?? 0);
  if (!res.body) {
    const b = new Uint8Array(await res.arrayBuffer());
    progress({ stage: 'download', loaded: b.byteLength, total: b.byteLength });
    return b;
  }
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    progress({ stage: 'download', loaded, total });
  }
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.byteLength; }
  return out;
}
