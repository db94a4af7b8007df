// A worker pool that runs plans' Steps across threads, each plan over its own shared WebAssembly.Memory.
//
// Protocol (docs/DESIGN.md, "Threads"):
// - create: N-1 workers (N in a non-blocking caller: a browser main thread) get a small control block
//   (its own SharedArrayBuffer, not wasm memory). No memory is bound yet.
// - a memory is registered by the first `prepare(steps, { module, memory })` naming it: the host gives it
//   an id and posts {module, memory, id} once; each worker instantiates the module on it and caches the
//   instance by id until `release(plan)` / `forget(memory)` posts a 'forget' (so the memory can be freed).
// - a plan (a Step list) is encoded once (kernel names → indices, args in a Float64Array, phases, its
//   memory id) and posted once; it is cached per Step array. Messages are counted in the control block
//   (CTL_MAIL) and announced on CTL_SIGNAL, which idle workers wait on: a worker returns to its event
//   loop to receive them between runs.
// - run: the host zeroes the plan's per-phase counters and bumps the generation counter; workers
//   asleep in Atomics.wait wake, walk the phases (a large step split into dynamic chunks taken with
//   Atomics.add, or a run of small steps done by one thread), and meet at a barrier after each phase.
//   The caller (when it may block) takes chunks too.
// - faults: a trap in any thread sets the abort flag and wakes every waiter; a worker that dies
//   ('error'/'exit') does the same from the host side. The run rejects with a BackendError naming the
//   step, and the pool is broken from then on (create a new one).
import { BackendError, DisposedError } from '../../../errors.js';
import type { Step } from '../kernels/types.js';

export interface PoolOptions {
  /** Total threads including the caller (when the caller may block). */
  threads: number;
}

/** Tuning and test knobs of `WorkerPool.create` (all optional). */
export interface PoolCreateOptions {
  /** Steps with fewer flops than this run on one thread (consecutive ones share one barrier). Default 50,000. */
  minSplitFlops?: number;
  /** Dynamic chunks per thread and split step (load balance vs. one atomic claim and one call each). Default 32. */
  chunksPerThread?: number;
  /**
   * Whether the calling thread computes (it then blocks in Atomics.wait at barriers). Default: detected —
   * true where Atomics.wait is allowed (Node, Deno, Bun, workers), false on a browser main thread.
   * When false the pool has `threads` workers and `run` awaits them without blocking.
   */
  callerComputes?: boolean;
  /** Tests only: pretend Atomics.waitAsync is missing (non-blocking callers then wait for a message). */
  noWaitAsync?: boolean;
}

// ---- control block layout (Int32Array over its own SharedArrayBuffer) ----
export const CTL_GEN = 0;        // run generation: workers wait on it between runs
export const CTL_CMD = 1;        // CMD_RUN | CMD_EXIT
export const CTL_PLAN = 2;       // id of the plan the current generation runs
export const CTL_ABORT = 3;      // 0 ok; ABORT_FAULT (a kernel threw); ABORT_DEAD (a worker died)
export const CTL_FAULT_STEP = 4; // step index + 1 of the first fault
export const CTL_FAULT_THREAD = 5; // thread index + 1 of the first fault (0 = caller)
export const CTL_POST_DONE = 6;  // 1: the thread completing the run posts {type:'done'} (no waitAsync)
export const CTL_DIE = 7;        // tests: worker index + 1 that exits at its next phase
export const CTL_MAIL = 8;       // messages posted to the workers (each worker counts those it received)
export const CTL_SIGNAL = 9;     // bumped by every run and every message: idle workers Atomics.wait on it
export const CTL_INSTANCES = 10; // instances the workers hold, all workers together (diagnostics, tests)
export const CTL_INTS = 16;
export const CMD_RUN = 1, CMD_EXIT = 2;
export const ABORT_FAULT = 1, ABORT_DEAD = 2;

/** Spin iterations (Atomics.load) before a thread blocks at a barrier or between runs. */
export const SPIN = 4000;

/** Ints per phase in `EncodedPlan.phases`. */
export const PHASE_INTS = 5;
/** Most chunks in one phase (the claim counter keeps the chunk index in its low 16 bits). */
export const MAX_CHUNKS = 0xffff;

/** A plan as posted to workers: kernel names resolved to indices, args exact as float64. */
export interface EncodedPlan {
  id: number;
  /** Id of the memory (and so of each worker's instance) the plan runs on. */
  memory: number;
  kernels: string[];
  /** Per step: kernel index, first arg index, arg count, range. */
  meta: Int32Array;
  args: Float64Array;
  /** Per phase (PHASE_INTS): first step, end step, split (1) or one thread (0), chunk size in items, chunks. */
  phases: Int32Array;
  /**
   * Per phase: [claim, done]. claim = (generation & 0xffff) << 16 | next chunk index, set by the host
   * before each run; done = chunks finished. A phase is complete when done == its chunk count.
   */
  sync: SharedArrayBuffer;
}

/** A step bound to a thread's instance: `fn(...args)` with the last two slots = begin, end. */
export interface ThreadStep {
  fn: (...args: number[]) => void;
  args: number[];
  range: number;
}

export function bindPlan(plan: EncodedPlan, exports: Record<string, unknown>): ThreadStep[] {
  const fns = plan.kernels.map((k) => {
    const f = exports[k];
    if (typeof f !== 'function') throw new BackendError(`kernel '${k}' is missing from the wasm binary`);
    return f as (...args: number[]) => void;
  });
  const out: ThreadStep[] = [];
  for (let s = 0; s < plan.meta.length / 4; s++) {
    const k = plan.meta[s * 4], a0 = plan.meta[s * 4 + 1], n = plan.meta[s * 4 + 2], range = plan.meta[s * 4 + 3];
    const args = Array.from(plan.args.subarray(a0, a0 + n));
    args.push(0, range);
    out.push({ fn: fns[k], args, range });
  }
  return out;
}

/** One thread's view of a run (shared by the caller and the workers). */
export interface ThreadCtx {
  ctl: Int32Array;
  plan: EncodedPlan;
  steps: ThreadStep[];
  sync: Int32Array;
  /** 0 = the caller, 1.. = workers. */
  index: number;
  /** The generation being run. */
  gen: number;
}

/**
 * 'done': nothing left for this thread; 'abort': the run faulted; 'stale': this thread woke so late
 * that its run is over and another began (it re-reads the generation); 'wait': (caller) the barrier
 * of `phase` is pending for longer than the caller may block.
 */
export type PhaseResult = { state: 'done' | 'abort' | 'stale' } | { state: 'wait'; phase: number };

function callRange(st: ThreadStep, begin: number, end: number): void {
  const a = st.args;
  a[a.length - 2] = begin;
  a[a.length - 1] = end;
  st.fn.apply(null, a);
}

/** Records the first fault in the control block and wakes every waiter. */
export function raiseAbort(ctl: Int32Array, sync: Int32Array | null, kind: number, step: number, thread: number): boolean {
  const first = Atomics.compareExchange(ctl, CTL_ABORT, 0, kind) === 0;
  if (first) {
    Atomics.store(ctl, CTL_FAULT_STEP, step + 1);
    Atomics.store(ctl, CTL_FAULT_THREAD, thread + 1);
  }
  if (sync) for (let i = 0; i < sync.length; i++) Atomics.notify(sync, i);
  return first;
}

/**
 * Executes phases from `from` on. In each phase a thread claims chunks (a compare-exchange on the
 * phase's generation-tagged claim counter) until none is left, then waits until every chunk is done
 * (the barrier waits for work, not for threads: a thread that wakes late finds nothing to claim and
 * delays nobody). Waits spin, then Atomics.wait; the caller (`maxBlockMs` finite) gives up after that
 * long and returns 'wait' so it can wait asynchronously. Kernel exceptions become aborts (`onFault`).
 */
export function runPhases(cx: ThreadCtx, from: number, maxBlockMs: number, onFault: (e: unknown, step: number) => void): PhaseResult {
  const { ctl, plan, steps, sync } = cx;
  const phases = plan.phases;
  const nPhases = phases.length / PHASE_INTS;
  const tag = (cx.gen & 0xffff) << 16;
  for (let p = from; p < nPhases; p++) {
    const q = p * PHASE_INTS;
    const s0 = phases[q], s1 = phases[q + 1], split = phases[q + 2], chunk = phases[q + 3], nChunks = phases[q + 4];
    const claim = p * 2, done = p * 2 + 1;
    let cur = s0;
    try {
      for (;;) {
        if (Atomics.load(ctl, CTL_ABORT) !== 0) return { state: 'abort' };
        const v = Atomics.load(sync, claim);
        if ((v & 0xffff0000) !== tag) return { state: 'stale' };
        const c = v & 0xffff;
        if (c >= nChunks) break;
        if (Atomics.compareExchange(sync, claim, v, v + 1) !== v) continue;
        if (cx.index > 0 && ctl[CTL_DIE] === cx.index) throw new DieRequest();
        if (split) {
          const begin = c * chunk;
          callRange(steps[s0], begin, Math.min(steps[s0].range, begin + chunk));
        } else {
          for (cur = s0; cur < s1; cur++) {
            const st = steps[cur];
            if (st.range > 0) callRange(st, 0, st.range);
          }
        }
        if (Atomics.add(sync, done, 1) + 1 === nChunks) Atomics.notify(sync, done);
      }
    } catch (e) {
      if (e instanceof DieRequest) throw e;
      onFault(e, cur);
      return { state: 'abort' };
    }
    // Workers never wait on the last phase: the caller does, and they have nothing left to do.
    if (p === nPhases - 1 && cx.index > 0) return { state: 'done' };
    const w = barrierWait(cx, done, nChunks, maxBlockMs);
    if (w === 'ok') continue;
    if (w === 'timeout') return { state: 'wait', phase: p };
    return { state: w };
  }
  return { state: 'done' };
}

/** Waits until sync[i] >= target: spin, then Atomics.wait in slices (abort and staleness re-checked). */
export function barrierWait(cx: ThreadCtx, i: number, target: number, maxBlockMs: number): 'ok' | 'abort' | 'stale' | 'timeout' {
  const { ctl, sync } = cx;
  for (let k = 0; k < SPIN; k++) {
    if (Atomics.load(sync, i) >= target) return 'ok';
  }
  const t0 = maxBlockMs === Infinity ? 0 : performance.now();
  for (;;) {
    const v = Atomics.load(sync, i);
    if (v >= target) return 'ok';
    if (Atomics.load(ctl, CTL_ABORT) !== 0) return 'abort';
    if (Atomics.load(ctl, CTL_GEN) !== cx.gen) return 'stale';
    let slice = 50;
    if (maxBlockMs !== Infinity) {
      const left = maxBlockMs - (performance.now() - t0);
      if (left <= 0) return 'timeout';
      slice = Math.min(slice, left);
    }
    Atomics.wait(sync, i, v, slice);
  }
}

/** Thrown inside a worker asked to die by a test (CTL_DIE). */
export class DieRequest extends Error {}

// ---- environment ----

const g = globalThis as any;
const isDeno = typeof g.Deno !== 'undefined';
const isBun = typeof g.Bun !== 'undefined';
const isNode = typeof process !== 'undefined' && !!process.versions?.node && !isDeno && !isBun;

let nodeOs: typeof import('node:os') | null = null;
if (isNode) {
  try { nodeOs = await import('node:os'); } catch { /* not Node after all */ }
}

/** Threads for threads: 'auto': the machine's parallelism, capped at 8 (more rarely pays for CNN layers). */
export function defaultThreadCount(): number {
  let n = 1;
  if (nodeOs && typeof nodeOs.availableParallelism === 'function') n = nodeOs.availableParallelism();
  else if (nodeOs) n = nodeOs.cpus().length;
  else if (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) n = navigator.hardwareConcurrency;
  return Math.max(1, Math.min(8, n | 0));
}

const ISOLATION_HINT = 'serve the page cross-origin isolated, with the headers `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`';

/** Whether shared wasm memory (and so the pool) can work here; `reason` says why not. */
export function sharedMemoryAvailable(): { ok: boolean; reason?: string } {
  if (g.crossOriginIsolated === false) {
    return { ok: false, reason: `this page is not cross-origin isolated, so SharedArrayBuffer is unavailable: ${ISOLATION_HINT}` };
  }
  if (typeof SharedArrayBuffer === 'undefined') {
    return { ok: false, reason: `SharedArrayBuffer is not available in this environment (in a browser: ${ISOLATION_HINT})` };
  }
  if (typeof Atomics === 'undefined') return { ok: false, reason: 'Atomics is not available in this environment' };
  if (!isNode && typeof g.Worker === 'undefined') return { ok: false, reason: 'this environment has no Worker' };
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true } as WebAssembly.MemoryDescriptor);
  } catch (e) {
    return { ok: false, reason: `this engine cannot create a shared WebAssembly.Memory: ${(e as Error).message}` };
  }
  return { ok: true };
}

/** Whether this thread may block in Atomics.wait (false on a browser main thread). */
export function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 0);
    return true;
  } catch {
    return false;
  }
}

// ---- worker handles (node:worker_threads or web Worker) ----

interface WorkerHandle {
  post(msg: unknown): void;
  terminate(): Promise<void>;
  ref(): void;
  unref(): void;
}

type WorkerEvents = {
  message: (m: any) => void;
  /** The worker is gone or broke: exited, uncaught error, or a message it could not decode. */
  dead: (why: string) => void;
};

function workerUrl(): { url: URL; ts: boolean } {
  const here = import.meta.url;
  const ts = /\.[mc]?ts$/.test(new URL(here).pathname);
  return { url: new URL(ts ? './worker.ts' : './worker.js', here), ts };
}

async function spawnWorker(ev: WorkerEvents): Promise<WorkerHandle> {
  const { url, ts } = workerUrl();
  if (isNode) {
    const { Worker } = await import('node:worker_threads');
    // Workers inherit the parent's execArgv; flags that only make sense for the main entry
    // (`node --input-type=module -e …`) make a worker fail to start, so leave them out.
    const execArgv = process.execArgv.filter((a) => !/^--(input-type|eval|print)\b|^-[ep]$/.test(a));
    let w: import('node:worker_threads').Worker;
    if (ts) {
      // Running from the .ts sources (tests, under tsx): Node 20 applies no --import loader hooks to a
      // worker's entry, so a tiny script entry loads the worker through tsx's own API.
      let api = 'tsx/esm/api';
      try { api = import.meta.resolve('tsx/esm/api'); } catch { /* resolved from the cwd */ }
      const code = `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(import.meta.url)}))`
        + `.catch((e) => { setTimeout(() => { throw e; }); });`;
      w = new Worker(code, { eval: true, execArgv, stdout: false, stderr: false });
    } else {
      w = new Worker(url, { execArgv, stdout: false, stderr: false });
    }
    let gone = false;
    w.on('message', ev.message);
    w.on('error', (e) => { if (!gone) { gone = true; ev.dead(`worker error: ${e?.message ?? e}`); } });
    w.on('messageerror', (e) => ev.dead(`worker message error: ${e}`));
    w.on('exit', (code) => { if (!gone) { gone = true; ev.dead(`worker exited (code ${code})`); } });
    return {
      post: (m) => w.postMessage(m),
      terminate: async () => { gone = true; await w.terminate(); },
      ref: () => w.ref(),
      unref: () => w.unref(),
    };
  }
  const w: Worker = new g.Worker(url, { type: 'module', name: 'edgecnn-pool' });
  let gone = false;
  w.addEventListener('message', (e: MessageEvent) => ev.message(e.data));
  w.addEventListener('error', (e: ErrorEvent) => { e.preventDefault?.(); if (!gone) { gone = true; ev.dead(`worker error: ${e.message ?? e}`); } });
  w.addEventListener('messageerror', () => ev.dead('worker message error'));
  // Bun fires 'close' when a worker exits.
  w.addEventListener('close' as any, () => { if (!gone) { gone = true; ev.dead('worker closed'); } });
  return {
    post: (m) => w.postMessage(m),
    terminate: async () => { gone = true; w.terminate(); },
    ref: () => (w as any).ref?.(),
    unref: () => (w as any).unref?.(),
  };
}

// ---- the pool ----

/** What a plan runs on: a compiled threads binary and the shared memory to instantiate it on. */
export interface PoolKernels {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /**
   * The calling thread's instance of `module` on `memory` (a Session's KernelInstance has one). Without
   * it a pool whose caller computes instantiates one itself (synchronously, at prepare).
   */
  exports?: Record<string, unknown>;
}

/** A plan prepared for a pool (`pool.prepare(steps, kernels)`), bound to that pool and memory. */
export interface PoolPlan {
  /** Id (in this pool) of the plan's memory: `forget(memoryId)` releases it. */
  readonly memoryId: number;
  readonly encoded: EncodedPlan;
  readonly steps: readonly Step[];
  /** Caller-thread bindings (absent when the caller does not compute). */
  readonly bound: ThreadStep[] | null;
  /** The plan's counters (views over encoded.sync). */
  readonly sync: Int32Array;
  /** The pool that prepared it. */
  readonly poolId: number;
}

interface MemEntry {
  id: number;
  kernels: PoolKernels;
  /** The caller's instance (null when the caller does not compute). */
  exports: Record<string, unknown> | null;
}

let nextPoolId = 1;
const START_TIMEOUT_MS = 60_000;

export class WorkerPool {
  /** Computing threads (including the caller when it computes). */
  readonly threads: number;
  /** Whether the calling thread takes a share of each step. */
  readonly callerComputes: boolean;
  private readonly ctlBuf = new SharedArrayBuffer(CTL_INTS * 4);
  private readonly ctl = new Int32Array(this.ctlBuf);
  private workers: WorkerHandle[] = [];
  /** Registered memories, by object and by id (strong: the workers hold instances on them until forget). */
  private memOf = new Map<WebAssembly.Memory, MemEntry>();
  private memById = new Map<number, MemEntry>();
  private memIds = 0;
  /** Kernels of `create(module, memory, threads)`: what `prepare(steps)` / `run(steps)` use. */
  private defaultKernels: PoolKernels | null = null;
  private readonly minSplitFlops: number;
  private readonly chunksPerThread: number;
  private readonly useWaitAsync: boolean;
  private plans = new WeakMap<readonly Step[], PoolPlan>();
  private planIds = 0;
  private postedPlan = 0;
  private postedMem = 0;
  private running = false;
  private disposed = false;
  private broken: string | null = null;
  private deadDetail: string | null = null;
  private faultMessages = new Map<number, string>();
  private waiters = new Set<() => void>();
  private readonly poolId = nextPoolId++;

  private constructor(threads: number, callerComputes: boolean, opts: PoolCreateOptions) {
    this.threads = threads;
    this.callerComputes = callerComputes;
    this.minSplitFlops = opts.minSplitFlops ?? 250_000; // ≈ 5–10 µs of work: below that a split costs more than it saves
    this.chunksPerThread = Math.max(1, opts.chunksPerThread ?? 32);
    this.useWaitAsync = typeof (Atomics as any).waitAsync === 'function' && !opts.noWaitAsync;
  }

  /**
   * Starts the pool: `threads` computing threads in all. Where the caller may block it computes too
   * (threads - 1 workers); on a browser main thread `threads` workers do all the work.
   * `create(threads)` binds no memory: each `prepare(steps, { module, memory })` names its own, and one
   * pool serves any number of memories. `create(module, memory, threads)` also makes that memory the
   * default of `prepare(steps)` / `run(steps)`.
   */
  static async create(threads: number, opts?: PoolCreateOptions): Promise<WorkerPool>;
  static async create(module: WebAssembly.Module, memory: WebAssembly.Memory, threads: number, opts?: PoolCreateOptions): Promise<WorkerPool>;
  static async create(a: number | WebAssembly.Module, b?: WebAssembly.Memory | PoolCreateOptions, c?: number, d?: PoolCreateOptions): Promise<WorkerPool> {
    const legacy = typeof a !== 'number';
    const threads = legacy ? c! : a as number;
    const opts: PoolCreateOptions = (legacy ? d : b as PoolCreateOptions | undefined) ?? {};
    if (!(Number.isInteger(threads) && threads >= 1)) throw new BackendError(`worker pool: threads must be a positive integer, got ${threads}`);
    const avail = sharedMemoryAvailable();
    if (!avail.ok) throw new BackendError(`worker pool: ${avail.reason}`);
    let kernels: PoolKernels | null = null;
    if (legacy) {
      kernels = { module: a as WebAssembly.Module, memory: b as WebAssembly.Memory };
      checkShared(kernels.memory);
    }
    const callerComputes = opts.callerComputes ?? canBlock();
    if (kernels && callerComputes) {
      const inst = await WebAssembly.instantiate(kernels.module, { env: { memory: kernels.memory, abort: abortImport } });
      kernels.exports = inst.exports as Record<string, unknown>;
    }
    const pool = new WorkerPool(threads, callerComputes, opts);
    const nWorkers = callerComputes ? threads - 1 : threads;
    try {
      await pool.startWorkers(nWorkers);
    } catch (e) {
      await pool.dispose();
      throw e instanceof BackendError ? e : new BackendError(`worker pool: cannot start workers: ${(e as Error)?.message ?? e}`, { cause: e });
    }
    if (kernels) {
      pool.defaultKernels = kernels;
      pool.register(kernels);
    }
    return pool;
  }

  private async startWorkers(n: number): Promise<void> {
    const ready: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const index = i + 1;
      let onReady!: () => void, onFail!: (e: Error) => void;
      ready.push(new Promise<void>((res, rej) => { onReady = res; onFail = rej; }));
      let started = false;
      const h = await spawnWorker({
        message: (m) => {
          if (m?.type === 'ready') { started = true; onReady(); }
          else if (m?.type === 'init-error') onFail(new BackendError(`worker pool: worker ${index} cannot instantiate the kernels: ${m.message}`));
          else this.onWorkerMessage(index, m);
        },
        dead: (why) => {
          if (!started) onFail(new BackendError(`worker pool: worker ${index} failed to start: ${why}`));
          this.onWorkerDead(index, why);
        },
      });
      this.workers.push(h);
      h.post({ type: 'init', ctl: this.ctlBuf, index });
    }
    // Last resort against a worker that neither starts nor fails (its errors are reported above).
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<never>((_, rej) => {
      timer = setTimeout(() => rej(new BackendError(`worker pool: workers did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    });
    try {
      await Promise.race([Promise.all(ready), limit]);
    } finally {
      clearTimeout(timer);
    }
    for (const w of this.workers) w.unref();
  }

  private onWorkerMessage(index: number, m: any): void {
    if (m?.type === 'fault') {
      this.faultMessages.set(index, String(m.message));
      this.wake();
    } else if (m?.type === 'done') {
      this.wake();
    }
  }

  private onWorkerDead(index: number, why: string): void {
    if (this.disposed) return;
    const detail = `worker ${index} ${why.replace(/^worker /, '')}`;
    if (!this.broken) this.broken = detail;
    this.deadDetail ??= detail;
    raiseAbort(this.ctl, this.currentSync, ABORT_DEAD, -1, index);
    this.wake();
  }

  private currentSync: Int32Array | null = null;

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Posts a message to every worker and counts it (they receive it between runs). */
  private post(msg: unknown): void {
    for (const w of this.workers) w.post(msg);
    Atomics.add(this.ctl, CTL_MAIL, 1);
  }

  /** Wakes idle workers (a run or a message is pending). */
  private signal(): void {
    Atomics.add(this.ctl, CTL_SIGNAL, 1);
    Atomics.notify(this.ctl, CTL_SIGNAL);
  }

  /** The entry of `kernels.memory`, registered (and posted to the workers) the first time. */
  private register(kernels: PoolKernels): MemEntry {
    const hit = this.memOf.get(kernels.memory);
    if (hit) return hit;
    if (this.disposed) throw new DisposedError('this worker pool');
    checkShared(kernels.memory);
    let exports: Record<string, unknown> | null = null;
    if (this.callerComputes) {
      exports = kernels.exports ?? null;
      if (!exports) {
        try {
          exports = new WebAssembly.Instance(kernels.module, { env: { memory: kernels.memory, abort: abortImport } }).exports as Record<string, unknown>;
        } catch (e) {
          throw new BackendError(`worker pool: cannot instantiate the kernels on this memory: ${(e as Error)?.message ?? e}`, { cause: e });
        }
      }
    }
    const entry: MemEntry = { id: ++this.memIds, kernels, exports };
    this.memOf.set(kernels.memory, entry);
    this.memById.set(entry.id, entry);
    if (this.workers.length) {
      this.post({ type: 'memory', id: entry.id, module: kernels.module, memory: kernels.memory });
      this.signal();
    }
    return entry;
  }

  /**
   * Drops a memory: the workers (and the caller) release their instances on it, so once its owner lets
   * go of it the memory can be garbage-collected. Plans on it can no longer run (prepare them again).
   * Returns whether the memory was registered. Safe while another memory's plan runs.
   */
  forget(memory: WebAssembly.Memory | number): boolean {
    const entry = typeof memory === 'number' ? this.memById.get(memory) : this.memOf.get(memory);
    if (!entry) return false;
    this.memById.delete(entry.id);
    this.memOf.delete(entry.kernels.memory);
    if (this.defaultKernels?.memory === entry.kernels.memory) this.defaultKernels = null;
    if (this.postedMem === entry.id) { this.postedPlan = 0; this.postedMem = 0; }
    if (!this.disposed && this.workers.length) {
      this.post({ type: 'forget', id: entry.id });
      this.signal();
    }
    return true;
  }

  /** `forget` the memory of `plan` (every plan on that memory is released with it). */
  release(plan: PoolPlan): boolean {
    if (plan.poolId !== this.poolId) return false;
    return this.forget(plan.memoryId);
  }

  /**
   * Encodes `steps` for this pool on `kernels.memory` (cached per Step array). The first plan on a
   * memory registers it: the workers instantiate `kernels.module` on it. Without `kernels`, the memory
   * given to `create(module, memory, threads)`.
   */
  prepare(steps: readonly Step[], kernels?: PoolKernels): PoolPlan {
    if (this.disposed) throw new DisposedError('this worker pool');
    const k = kernels ?? this.defaultKernels;
    if (!k) throw new BackendError('worker pool: prepare(steps, { module, memory }) needs the kernels to run on (this pool has no default memory)');
    const entry = this.register(k);
    const hit = this.plans.get(steps);
    if (hit && hit.memoryId === entry.id) return hit;
    const kernelNames: string[] = [];
    const kidx = new Map<string, number>();
    const meta = new Int32Array(steps.length * 4);
    let nargs = 0;
    for (const s of steps) nargs += s.args.length;
    const args = new Float64Array(nargs);
    let a = 0;
    steps.forEach((s, i) => {
      let ki = kidx.get(s.kernel);
      if (ki === undefined) { ki = kernelNames.length; kernelNames.push(s.kernel); kidx.set(s.kernel, ki); }
      meta.set([ki, a, s.args.length, s.range], i * 4);
      args.set(s.args, a);
      a += s.args.length;
    });
    // Phases: a large step alone, split in chunks; a run of small steps on one thread, one barrier.
    const ph: number[] = [];
    const T = this.threads;
    const splits = (st: Step) => T > 1 && st.flops >= this.minSplitFlops && st.range >= 2 * Math.max(1, st.grain ?? 1);
    let i = 0;
    while (i < steps.length) {
      const s = steps[i];
      if (splits(s)) {
        // Chunks are whole multiples of the step's grain (a GEMM's 6-row tile): a partial tile costs a
        // whole one, and a 1-row chunk of a small-M GEMM would stream all its weights for one row.
        const grain = Math.max(1, s.grain ?? 1);
        let chunk = Math.ceil(s.range / (T * this.chunksPerThread));
        chunk = Math.max(chunk, Math.ceil(s.range / MAX_CHUNKS));
        chunk = Math.ceil(chunk / grain) * grain;
        ph.push(i, i + 1, 1, chunk, Math.ceil(s.range / chunk));
        i++;
      } else {
        let j = i + 1;
        while (j < steps.length && !splits(steps[j])) j++;
        ph.push(i, j, 0, 0, 1);
        i = j;
      }
    }
    const phases = new Int32Array(ph);
    const encoded: EncodedPlan = {
      id: ++this.planIds, memory: entry.id, kernels: kernelNames, meta, args, phases,
      sync: new SharedArrayBuffer(Math.max(1, phases.length / PHASE_INTS) * 2 * 4),
    };
    let bound: ThreadStep[] | null = null;
    if (entry.exports) bound = bindPlan(encoded, entry.exports);
    const plan: PoolPlan = { memoryId: entry.id, poolId: this.poolId, encoded, steps, bound, sync: new Int32Array(encoded.sync) };
    this.plans.set(steps, plan);
    return plan;
  }

  /**
   * Runs `stepsOrPlan` after every run queued before it by `runQueued` (callers sharing one pool, e.g.
   * several Sessions, queue their runs here instead of being refused). A failed run does not stop the queue.
   */
  runQueued(plan: PoolPlan): Promise<void> {
    const job = this.queueTail.then(() => this.run(plan));
    this.queueTail = job.catch(() => {});
    return job;
  }
  private queueTail: Promise<unknown> = Promise.resolve();

  /** Runs every step in order, each split across the threads. One run at a time (see `runQueued`). */
  async run(stepsOrPlan: readonly Step[] | PoolPlan): Promise<void> {
    if (this.disposed) throw new DisposedError('this worker pool');
    if (this.broken) throw new BackendError(`worker pool is broken (${this.broken}); create a new pool`);
    if (this.running) throw new BackendError('worker pool: run() called while a run is in progress (await the previous run)');
    const plan = Array.isArray(stepsOrPlan) ? this.prepare(stepsOrPlan as readonly Step[]) : stepsOrPlan as PoolPlan;
    if (plan.poolId !== this.poolId) throw new BackendError('worker pool: this plan was prepared by another pool');
    if (!this.memById.has(plan.memoryId)) throw new BackendError('worker pool: this plan\'s memory was released (release/forget); prepare the plan again');
    const enc = plan.encoded;
    const nPhases = enc.phases.length / PHASE_INTS;
    if (nPhases === 0) return;
    this.running = true;
    for (const w of this.workers) w.ref();
    try {
      if (this.workers.length === 0) {
        // One thread: plain serial execution on the caller.
        let s = 0;
        try {
          for (; s < plan.bound!.length; s++) {
            const st = plan.bound![s];
            if (st.range > 0) callRange(st, 0, st.range);
          }
        } catch (e) {
          throw this.faultError(plan, s, 0, e);
        }
        return;
      }
      const ctl = this.ctl;
      const sync = plan.sync;
      const ph = enc.phases;
      const gen = (Atomics.load(ctl, CTL_GEN) + 1) | 0;
      const tag = (gen & 0xffff) << 16;
      for (let p = 0; p < nPhases; p++) { sync[p * 2] = tag; sync[p * 2 + 1] = 0; }
      this.currentSync = sync;
      if (this.postedPlan !== enc.id) {
        this.post({ type: 'plan', plan: enc });
        this.postedPlan = enc.id;
        this.postedMem = enc.memory;
      }
      this.faultMessages.clear();
      Atomics.store(ctl, CTL_PLAN, enc.id);
      Atomics.store(ctl, CTL_CMD, CMD_RUN);
      Atomics.store(ctl, CTL_POST_DONE, !this.callerComputes && !this.useWaitAsync ? 1 : 0);
      Atomics.store(ctl, CTL_GEN, gen); // publishes the counters above (seq-cst store)
      this.signal();

      let callerFault: { e: unknown; step: number } | null = null;
      const onFault = (e: unknown, step: number) => {
        callerFault = { e, step };
        raiseAbort(ctl, sync, ABORT_FAULT, step, 0);
      };
      const last = nPhases - 1;
      if (this.callerComputes) {
        const cx: ThreadCtx = { ctl, plan: enc, steps: plan.bound!, sync, index: 0, gen };
        let from = 0;
        for (;;) {
          const r = runPhases(cx, from, 20, onFault);
          if (r.state !== 'wait') break;
          // A long wait: yield to the event loop (worker 'exit'/'error' events must be able to arrive).
          await this.waitAsync(sync, r.phase * 2 + 1, ph[r.phase * PHASE_INTS + 4]);
          if (Atomics.load(ctl, CTL_ABORT) !== 0) break;
          from = r.phase + 1;
        }
      } else {
        await this.waitAsync(sync, last * 2 + 1, ph[last * PHASE_INTS + 4]);
      }
      if (Atomics.load(ctl, CTL_ABORT) !== 0) {
        this.currentSync = null;
        throw await this.abortError(plan, sync, callerFault);
      }
      this.currentSync = null;
    } finally {
      this.running = false;
      if (!this.disposed) for (const w of this.workers) w.unref();
    }
  }

  /** Resolves when sync[i] >= target or the run aborted; never blocks the thread. */
  private async waitAsync(sync: Int32Array, i: number, target: number): Promise<void> {
    const ctl = this.ctl;
    const AW = (Atomics as any).waitAsync as ((a: Int32Array, i: number, v: number, t?: number) => { async: boolean; value: any }) | undefined;
    for (;;) {
      const v = Atomics.load(sync, i);
      if (v >= target || Atomics.load(ctl, CTL_ABORT) !== 0 || this.disposed) return;
      if (this.useWaitAsync && AW) {
        const r = AW(sync, i, v, 1000);
        if (r.async) {
          // Also wake on host-side events (worker death), which notify through `wake`.
          await new Promise<void>((res) => {
            const done = () => { this.waiters.delete(done); res(); };
            this.waiters.add(done);
            r.value.then(done, done);
          });
        }
      } else {
        await new Promise<void>((res) => {
          const done = () => { this.waiters.delete(done); clearTimeout(t); res(); };
          // A 'done' message wakes us; the timer is a last resort against a lost message.
          const t = setTimeout(done, 50);
          this.waiters.add(done);
        });
      }
    }
  }

  private async abortError(plan: PoolPlan, sync: Int32Array, callerFault: { e: unknown; step: number } | null): Promise<BackendError> {
    const ctl = this.ctl;
    if (this.disposed) return new BackendError('worker pool: the pool was disposed during the run');
    const kind = Atomics.load(ctl, CTL_ABORT);
    const thread = Atomics.load(ctl, CTL_FAULT_THREAD) - 1;
    let step = Atomics.load(ctl, CTL_FAULT_STEP) - 1;
    if (kind === ABORT_FAULT && thread === 0 && callerFault) {
      this.broken ??= `a kernel trapped in step ${step}`;
      return this.faultError(plan, step, 0, (callerFault as { e: unknown }).e);
    }
    if (kind === ABORT_FAULT) {
      // The faulting worker posts its error text; give it a moment to arrive.
      if (!this.faultMessages.has(thread)) {
        await new Promise<void>((res) => {
          const done = () => { if (this.faultMessages.has(thread) || this.broken) { this.waiters.delete(done); clearTimeout(t); res(); } };
          const t = setTimeout(() => { this.waiters.delete(done); res(); }, 500);
          this.waiters.add(done);
        });
      }
      this.broken ??= `a kernel trapped in step ${step}`;
      return this.faultError(plan, step, thread, this.faultMessages.get(thread) ?? 'unknown error');
    }
    // A worker died: name the step of the first phase not everyone finished.
    const ph = plan.encoded.phases;
    step = -1;
    for (let p = 0; p < ph.length / PHASE_INTS; p++) {
      if (Atomics.load(sync, p * 2 + 1) < ph[p * PHASE_INTS + 4]) { step = ph[p * PHASE_INTS]; break; }
    }
    const where = step >= 0 ? ` during step ${step} (${plan.steps[step].kernel})` : '';
    return new BackendError(`worker pool: ${this.deadDetail ?? 'a worker died'}${where}; the pool is broken, create a new one`);
  }

  private faultError(plan: PoolPlan, step: number, thread: number, e: unknown): BackendError {
    const kernel = plan.steps[step]?.kernel ?? '?';
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    if (this.workers.length) this.broken ??= `step ${step} (${kernel}) failed`;
    return new BackendError(`wasm kernel failed in step ${step} (${kernel}) on thread ${thread}: ${msg}`, { cause: e });
  }

  /** Why the pool cannot run any more (after a fault), or null. */
  get brokenReason(): string | null { return this.broken; }

  /** Terminates every worker. Idempotent; a run in progress is aborted. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    Atomics.store(this.ctl, CTL_CMD, CMD_EXIT);
    Atomics.add(this.ctl, CTL_GEN, 1);
    this.signal();
    raiseAbort(this.ctl, this.currentSync, ABORT_DEAD, -1, -1);
    this.wake();
    const ws = this.workers;
    this.workers = [];
    this.memOf.clear();
    this.memById.clear();
    this.defaultKernels = null;
    await Promise.all(ws.map((w) => w.terminate().catch(() => {})));
  }

  /** Whether `dispose()` was called. */
  get isDisposed(): boolean { return this.disposed; }
  /** Live workers (threads − 1 where the caller computes, else threads; 0 once disposed). */
  get workerCount(): number { return this.workers.length; }
  /** Memories registered (each with an instance in every worker, and one on the caller). */
  get memoryCount(): number { return this.memById.size; }

  /** Tests only: makes worker `index` (1-based) exit at its next phase, as if it crashed. */
  _testDie(index: number): void { Atomics.store(this.ctl, CTL_DIE, index); }
  /** Tests only: terminates worker `index` (1-based) from the host. */
  async _testTerminate(index: number): Promise<void> {
    const w = this.workers[index - 1];
    // terminate() through the handle would mark it as expected; emulate an external kill instead.
    await (w as any).terminate();
    this.onWorkerDead(index, 'worker was terminated');
  }
  /** Tests only: live worker count. */
  get _workerCount(): number { return this.workers.length; }
  /** Tests only: instances the workers hold, all together (updated by each worker as it receives messages). */
  get _workerInstances(): number { return Atomics.load(this.ctl, CTL_INSTANCES); }
  /** Tests only. */
  get _id(): number { return this.poolId; }
}

function abortImport(): never {
  throw new BackendError('wasm kernel aborted');
}

function checkShared(memory: WebAssembly.Memory): void {
  if (!(memory.buffer instanceof SharedArrayBuffer)) throw new BackendError('worker pool: the memory is not shared (create it with a threads flavor: createMemory(\'simd-threads\', bytes))');
}
