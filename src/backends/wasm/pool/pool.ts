// A worker pool that runs plans' Steps across threads, each plan over its own shared WebAssembly.Memory.
// Modules: protocol.ts (the shared-memory layout and messages), thread.ts (what every computing thread
// runs), worker.ts (the worker entry), spawn.ts (starting workers), env.ts (runtime detection),
// testing.ts (test hooks, internal).
//
// Protocol (docs/DESIGN.md, "Threads"):
// - create: N-1 workers (N in a non-blocking caller: a browser main thread) get a small control block
//   (its own SharedArrayBuffer, not wasm memory). No memory is bound yet.
// - a memory is registered by the first `prepare(steps, { module, memory })` naming it: the host gives it
//   an id and posts {module, memory, id} once; each worker instantiates the module on it and caches the
//   instance by id until `release(plan)` / `forget(memory)` posts a 'forget' (so the memory can be freed).
// - a plan (a Step list) is encoded once (kernel names → indices, args in a Float64Array, phases, its
//   memory id) and posted once; it is cached per Step array. Messages are counted in the control block
//   (Ctl.mail) and announced on Ctl.signal, which idle workers wait on: a worker returns to its event
//   loop to receive them between runs.
// - run: the host resets the plan's per-phase counters and bumps the generation counter; workers
//   asleep in Atomics.wait wake, walk the phases (a large step split into dynamic chunks taken with
//   Atomics.add, or a run of small steps done by one thread), and meet at a barrier after each phase.
//   The caller (when it may block) takes chunks too.
// - faults: a trap in any thread sets the abort flag and wakes every waiter; a worker that dies
//   ('error'/'exit') does the same from the host side. The run rejects with a BackendError naming the
//   step, and the pool is broken from then on (create a new one).
import { BackendError, DisposedError } from '../../../errors.js';
import type { Step } from '../kernels/types.js';
import { stepWork } from '../abi.js';
import {
  Ctl, CTL_INTS, Cmd, Abort, Phase, MAX_CHUNKS, encodePlan, phaseCount, phaseField, phaseDone, doneAt, resetSync,
  type EncodedPlan, type FromWorker, type PhaseSpec, type ToWorker,
} from './protocol.js';
import { bindPlan, callRange, raiseAbort, runPhases, type ThreadCtx, type ThreadStep } from './thread.js';
import { canBlock, sharedMemoryAvailable } from './env.js';
import { spawnWorker, type WorkerHandle } from './spawn.js';

export { defaultThreadCount, sharedMemoryAvailable } from './env.js';

/** Tuning knobs of `WorkerPool.create` (all optional). */
export interface PoolCreateOptions {
  /** Steps with fewer flops than this run on one thread (consecutive ones share one barrier). Default 250,000. */
  minSplitFlops?: number;
  /** Chunks per thread and split step: the finest piece a thread claims (claims take runs of chunks, fewer as
   * they run out: protocol.ts `claimSize`). Default 32. */
  chunksPerThread?: number;
  /**
   * Least work per chunk, in flops (default 25,000, ≈ 1 µs): a claim, the kernel call and the cache lines
   * that cross cores at a chunk's edges cost ≈ 0.1 µs, so a layer of few, cheap items (a 7x7 depthwise
   * layer: 49 pixels of ≈ 10k flops) gets fewer, larger chunks instead of 1-item ones.
   */
  minChunkFlops?: number;
  /**
   * Whether the calling thread computes (it then blocks in Atomics.wait at barriers). Default: detected —
   * true where Atomics.wait is allowed (Node, Deno, Bun, workers), false on a browser main thread.
   * When false the pool has `threads` workers and `run` awaits them without blocking.
   */
  callerComputes?: boolean;
  /**
   * The worker script (the package's `edgecnn/worker`, built or copied where you serve it) instead of
   * the package's own; a string is resolved against the page in a browser. Default: the package's, by a
   * literal `new Worker(new URL('./worker.js', import.meta.url))` that Vite and webpack bundle.
   */
  workerUrl?: string | URL;
}

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
  /** @internal */
  readonly encoded: EncodedPlan;
  /** @internal */
  readonly steps: readonly Step[];
  /** Caller-thread bindings (absent when the caller does not compute). @internal */
  readonly bound: ThreadStep[] | null;
  /** The plan's counters (views over encoded.sync). @internal */
  readonly sync: Int32Array;
  /** No step is split (one phase of small steps): a calling thread that computes runs it alone. @internal */
  readonly serial: boolean;
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
  private readonly minSplitFlops: number;
  private readonly chunksPerThread: number;
  private readonly minChunkFlops: number;
  /** Not readonly: tests turn it off to take the no-waitAsync path (testing.ts). */
  private useWaitAsync: boolean;
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
    this.minChunkFlops = Math.max(0, opts.minChunkFlops ?? 25_000);
    this.useWaitAsync = typeof (Atomics as any).waitAsync === 'function';
    this.workerUrl = opts.workerUrl;
  }

  private readonly workerUrl: string | URL | undefined;

  /**
   * Starts the pool: `threads` computing threads in all. Where the caller may block it computes too
   * (threads - 1 workers); on a browser main thread `threads` workers do all the work. The pool binds
   * no memory: each `prepare(steps, { module, memory })` names its own, and one pool serves any number
   * of memories.
   */
  static async create(threads: number, opts: PoolCreateOptions = {}): Promise<WorkerPool> {
    if (!(Number.isInteger(threads) && threads >= 1)) throw new BackendError(`worker pool: threads must be a positive integer, got ${threads}`);
    const avail = sharedMemoryAvailable();
    if (!avail.ok) throw new BackendError(`worker pool: ${avail.reason}`);
    const callerComputes = opts.callerComputes ?? canBlock();
    const pool = new WorkerPool(threads, callerComputes, opts);
    const nWorkers = callerComputes ? threads - 1 : threads;
    try {
      await pool.startWorkers(nWorkers);
    } catch (e) {
      await pool.dispose();
      throw e instanceof BackendError ? e : new BackendError(`worker pool: cannot start workers: ${(e as Error)?.message ?? e}`, { cause: e });
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
          else this.onWorkerMessage(index, m);
        },
        dead: (why) => {
          if (!started) onFail(new BackendError(`worker pool: worker ${index} failed to start: ${why}`));
          this.onWorkerDead(index, why);
        },
      }, this.workerUrl);
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

  private onWorkerMessage(index: number, m: FromWorker): void {
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
    raiseAbort(this.ctl, this.currentSync, Abort.dead, -1, index);
    this.wake();
  }

  private currentSync: Int32Array | null = null;

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Posts a message to every worker and counts it (they receive it between runs). */
  private post(msg: ToWorker): void {
    for (const w of this.workers) w.post(msg);
    Atomics.add(this.ctl, Ctl.mail, 1);
  }

  /** Wakes idle workers (a run or a message is pending). */
  private signal(): void {
    Atomics.add(this.ctl, Ctl.signal, 1);
    Atomics.notify(this.ctl, Ctl.signal);
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
   * memory registers it: the workers instantiate `kernels.module` on it.
   * @internal the wasm backend's; sessions call it
   */
  prepare(steps: readonly Step[], kernels: PoolKernels): PoolPlan {
    if (this.disposed) throw new DisposedError('this worker pool');
    const entry = this.register(kernels);
    const hit = this.plans.get(steps);
    if (hit && hit.memoryId === entry.id) return hit;
    const encoded = encodePlan(++this.planIds, entry.id, steps, this.phasesOf(steps), this.threads, this.callerComputes ? 0 : 1);
    let bound: ThreadStep[] | null = null;
    if (entry.exports) bound = bindPlan(encoded, entry.exports);
    const serial = phaseCount(encoded) <= 1 && !(encoded.phases.length && phaseField(encoded, 0, Phase.split));
    const plan: PoolPlan = { memoryId: entry.id, poolId: this.poolId, encoded, steps, bound, sync: new Int32Array(encoded.sync), serial };
    this.plans.set(steps, plan);
    return plan;
  }

  /** Phases: a large step alone, split in chunks; a run of small steps on one thread, one barrier. */
  private phasesOf(steps: readonly Step[]): PhaseSpec[] {
    const out: PhaseSpec[] = [];
    const T = this.threads;
    const splits = (st: Step) => T > 1 && stepWork(st) >= this.minSplitFlops && st.range >= 2 * Math.max(1, st.grain ?? 1);
    let i = 0;
    while (i < steps.length) {
      const s = steps[i];
      if (splits(s)) {
        // Chunks are whole multiples of the step's grain (a GEMM's 4-row tile): a partial tile costs a
        // whole one, and a 1-row chunk of a small-M GEMM would stream all its weights for one row.
        const grain = Math.max(1, s.grain ?? 1);
        let chunk = Math.ceil(s.range / (T * this.chunksPerThread));
        chunk = Math.max(chunk, Math.min(Math.ceil(s.range / T), Math.ceil(this.minChunkFlops * s.range / Math.max(1, stepWork(s)))));
        chunk = Math.max(chunk, Math.ceil(s.range / MAX_CHUNKS));
        chunk = Math.ceil(chunk / grain) * grain;
        out.push({ first: i, end: i + 1, split: true, chunk, chunks: Math.ceil(s.range / chunk) });
        i++;
      } else {
        let j = i + 1;
        while (j < steps.length && !splits(steps[j])) j++;
        out.push({ first: i, end: j, split: false, chunk: 0, chunks: 1 });
        i = j;
      }
    }
    return out;
  }

  /**
   * Runs `plan` after every run queued before it by `runQueued` (callers sharing one pool, e.g.
   * several Sessions, queue their runs here instead of being refused). A failed run does not stop the queue.
   * @internal the wasm backend's; sessions call it
   */
  runQueued(plan: PoolPlan): Promise<void> {
    const job = this.queueTail.then(() => this.run(plan));
    this.queueTail = job.catch(() => {});
    return job;
  }
  private queueTail: Promise<unknown> = Promise.resolve();

  /** Runs every step of `plan` in order, each split across the threads. One run at a time (see `runQueued`). @internal */
  async run(plan: PoolPlan): Promise<void> {
    if (this.disposed) throw new DisposedError('this worker pool');
    if (this.broken) throw new BackendError(`worker pool is broken (${this.broken}); create a new pool`);
    if (this.running) throw new BackendError('worker pool: run() called while a run is in progress (await the previous run)');
    if (plan.poolId !== this.poolId) throw new BackendError('worker pool: this plan was prepared by another pool');
    if (!this.memById.has(plan.memoryId)) throw new BackendError('worker pool: this plan\'s memory was released (release/forget); prepare the plan again');
    const enc = plan.encoded;
    const nPhases = phaseCount(enc);
    if (nPhases === 0) return;
    this.running = true;
    for (const w of this.workers) w.ref();
    try {
      if (this.workers.length === 0 || (plan.serial && plan.bound)) {
        // One thread, or nothing to split (a profile's run of one small node): plain serial execution on
        // the caller, no worker woken (a wake-up and a barrier would cost more than the steps).
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
      const gen = (Atomics.load(ctl, Ctl.gen) + 1) | 0;
      resetSync(sync, nPhases, gen);
      this.currentSync = sync;
      if (this.postedPlan !== enc.id) {
        this.post({ type: 'plan', plan: enc });
        this.postedPlan = enc.id;
        this.postedMem = enc.memory;
      }
      this.faultMessages.clear();
      Atomics.store(ctl, Ctl.plan, enc.id);
      Atomics.store(ctl, Ctl.cmd, Cmd.run);
      Atomics.store(ctl, Ctl.postDone, !this.callerComputes && !this.useWaitAsync ? 1 : 0);
      Atomics.store(ctl, Ctl.gen, gen); // publishes the counters above (seq-cst store)
      this.signal();

      let callerFault: { e: unknown; step: number } | null = null;
      const onFault = (e: unknown, step: number) => {
        callerFault = { e, step };
        raiseAbort(ctl, sync, Abort.fault, step, 0);
      };
      const last = nPhases - 1;
      if (this.callerComputes) {
        const cx: ThreadCtx = { ctl, plan: enc, steps: plan.bound!, sync, index: 0, gen };
        let from = 0;
        for (;;) {
          const r = runPhases(cx, from, 20, onFault);
          if (r.state !== 'wait') break;
          // A long wait: yield to the event loop (worker 'exit'/'error' events must be able to arrive).
          await this.waitAsync(sync, doneAt(r.phase), phaseField(enc, r.phase, Phase.chunks));
          if (Atomics.load(ctl, Ctl.abort) !== Abort.none) break;
          from = r.phase + 1;
        }
      } else {
        await this.waitAsync(sync, doneAt(last), phaseField(enc, last, Phase.chunks));
      }
      if (Atomics.load(ctl, Ctl.abort) !== Abort.none) {
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
      if (v >= target || Atomics.load(ctl, Ctl.abort) !== Abort.none || this.disposed) return;
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
    const kind = Atomics.load(ctl, Ctl.abort);
    const thread = Atomics.load(ctl, Ctl.faultThread) - 1;
    let step = Atomics.load(ctl, Ctl.faultStep) - 1;
    if (kind === Abort.fault && thread === 0 && callerFault) {
      this.broken ??= `a kernel trapped in step ${step}`;
      return this.faultError(plan, step, 0, (callerFault as { e: unknown }).e);
    }
    if (kind === Abort.fault) {
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
    const enc = plan.encoded;
    step = -1;
    for (let p = 0; p < phaseCount(enc); p++) {
      if (!phaseDone(enc, sync, p)) { step = phaseField(enc, p, Phase.first); break; }
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
    Atomics.store(this.ctl, Ctl.cmd, Cmd.exit);
    Atomics.add(this.ctl, Ctl.gen, 1);
    this.signal();
    raiseAbort(this.ctl, this.currentSync, Abort.dead, -1, -1);
    this.wake();
    const ws = this.workers;
    this.workers = [];
    this.memOf.clear();
    this.memById.clear();
    await Promise.all(ws.map((w) => w.terminate().catch(() => {})));
  }

  /** Whether `dispose()` was called. */
  get isDisposed(): boolean { return this.disposed; }
  /** Live workers (threads − 1 where the caller computes, else threads; 0 once disposed). */
  get workerCount(): number { return this.workers.length; }
  /** Memories registered (each with an instance in every worker, and one on the caller). */
  get memoryCount(): number { return this.memById.size; }
}

function abortImport(): never {
  throw new BackendError('wasm kernel aborted');
}

function checkShared(memory: WebAssembly.Memory): void {
  if (!(memory.buffer instanceof SharedArrayBuffer)) throw new BackendError('worker pool: the memory is not shared (create it with a threads flavor: createMemory(\'simd-threads\', bytes))');
}
