// The shared-memory protocol between a WorkerPool (pool.ts) and the threads that run its plans (thread.ts:
// the workers and, where it may block, the calling thread): the control block's fields, the encoded
// plan, its per-phase counters and the messages. Layout only; every index into these arrays is named
// here and nowhere else. docs/DESIGN.md, "Threads", describes the protocol.
import type { Step } from '../kernels/types.js';

/**
 * Fields of the control block: an Int32Array of CTL_INTS over its own SharedArrayBuffer (not wasm
 * memory). Tables of names, not accessor classes: the chunk loop indexes the arrays directly with them
 * (measured: runPhases costs the same ≈ 48 ns per chunk, no-op kernel, as with module-local literals).
 */
export const Ctl = {
  /** Run generation: workers wait for it to change between runs. */
  gen: 0,
  /** Cmd.run | Cmd.exit */
  cmd: 1,
  /** Id of the plan the current generation runs. */
  plan: 2,
  /** Abort.none, or why the run stops (the first writer wins). */
  abort: 3,
  /** Step index + 1 of the first fault. */
  faultStep: 4,
  /** Thread index + 1 of the first fault (0 = the caller). */
  faultThread: 5,
  /** 1: the thread completing the run posts {type:'done'} (a non-blocking caller without Atomics.waitAsync). */
  postDone: 6,
  /** Messages posted to the workers (each worker counts those it received). */
  mail: 7,
  /** Bumped by every run and every message: idle workers Atomics.wait on it. */
  signal: 8,
  /** Instances the workers hold, all workers together (diagnostics, tests). */
  instances: 9,
} as const;
/** Ints in the control block (64 bytes: room for more fields). */
export const CTL_INTS = 16;

export const Cmd = { run: 1, exit: 2 } as const;
/** Values of Ctl.abort. */
export const Abort = { none: 0, fault: 1, dead: 2 } as const;

/** Fields of one step in `EncodedPlan.meta` (STEP_INTS ints per step). */
export const StepMeta = { kernel: 0, firstArg: 1, argCount: 2, range: 3 } as const;
export const STEP_INTS = 4;

/** Fields of one phase in `EncodedPlan.phases` (PHASE_INTS ints per phase). */
export const Phase = {
  /** First step. */
  first: 0,
  /** End step (exclusive). */
  end: 1,
  /** 1: one step split in chunks across the threads; 0: steps [first, end) run by one thread. */
  split: 2,
  /** Items per chunk (split phases). */
  chunk: 3,
  /** Chunks in the phase (1 when not split). */
  chunks: 4,
} as const;
export const PHASE_INTS = 5;

/**
 * Fields of one phase's counters in `EncodedPlan.sync` (SYNC_INTS per phase). A split phase's chunks are two
 * halves: claim = the generation tag (claimTag) | how many of the front half [0, frontChunks) are taken (in
 * ascending order), back = the tag | how many of the back half [frontChunks, chunks) are taken (from the last
 * chunk down); both are written by the host before each run and taken with compare-exchange, so no chunk is
 * handed out twice. done = chunks finished: the phase is complete when it reaches Phase.chunks.
 * The calling thread (index 0, and other even indices) starts at the front, workers with odd indices at the
 * back, and each takes from the other half when its own is empty: consecutive phases give a thread the same
 * part of the image (a convolution's output rows are the next layer's input rows), which stays in its core's
 * caches instead of crossing to the other core's.
 */
export const Sync = { claim: 0, done: 1, back: 2 } as const;
export const SYNC_INTS = 3;
/** Chunks in the front half of a phase of `chunks` chunks (all of them when there is one). */
export const frontChunks = (chunks: number): number => (chunks + 1) >> 1;
/** Threads that start on the back half (odd indices) or the front half (even) of a phase, of `threads` with
 * indices from `first` (0 when the caller computes, else 1); at least 1. */
export function halfThreads(threads: number, back: boolean, first = 0): number {
  const odd = (threads + (first & 1)) >> 1;
  return Math.max(1, back ? odd : threads - odd);
}
/**
 * Chunks one claim takes from a half with `left` untaken that `sharers` threads start on: 1/(2·sharers) of
 * them while that is 4 or more, then one at a time (guided self-scheduling). Every claim is a kernel call
 * with its own set-up and edges: 32 one-chunk claims per thread cost the 1.6 MB depthwise fixture ≈ 15 µs
 * of a 0.26 ms run on 2 threads; the one-chunk claims at the end keep the threads level when one runs late.
 */
export const claimSize = (left: number, sharers = 1): number => (left >= 8 * sharers ? Math.floor(left / (2 * sharers)) : 1);
/**
 * When the last of `threads` threads finishes chunks of the given costs, taken as the pool takes them (even
 * indices from the front half up, odd ones from the back half down, then the other half; `claimSize` chunks
 * a claim; a free thread claims again at once): for kernels that choose their item sizes (winogradPlan).
 */
export function claimMakespan(costs: readonly number[], threads: number): number {
  const n = costs.length, nFront = frontChunks(n);
  let front = 0, back = 0, end = 0;
  const free = new Float64Array(threads);
  for (let taken = 0; taken < n;) {
    let t = 0;
    for (let i = 1; i < threads; i++) if (free[i] < free[t]) t = i;
    const fromBack = (t & 1) === 1 ? back < n - nFront : front >= nFront;
    const k = claimSize(fromBack ? n - nFront - back : nFront - front, halfThreads(threads, fromBack));
    for (let j = 0; j < k; j++) free[t] += costs[fromBack ? n - 1 - back++ : front++];
    taken += k;
    end = Math.max(end, free[t]);
  }
  return end;
}

/** Bits of the claim word that hold the chunk index; the rest hold the generation tag. */
export const CHUNK_MASK = 0xffff;
/** The bits of the claim word that hold the generation tag. */
export const TAG_MASK = ~CHUNK_MASK;
/** Most chunks in one phase. */
export const MAX_CHUNKS = CHUNK_MASK;
/** The claim word's tag for generation `gen`: a thread still on an older run fails its claims. */
export const claimTag = (gen: number): number => (gen & CHUNK_MASK) << 16;

/** A plan as posted to workers: kernel names resolved to indices, args exact as float64. */
export interface EncodedPlan {
  id: number;
  /** Id of the memory (and so of each worker's instance) the plan runs on. */
  memory: number;
  kernels: string[];
  /** Per step (StepMeta): kernel index, first arg index, arg count, range. */
  meta: Int32Array;
  args: Float64Array;
  /** Per phase (Phase): first step, end step, split, chunk size in items, chunks. */
  phases: Int32Array;
  /** Per phase (Sync): claim, done. */
  sync: SharedArrayBuffer;
  /** Threads that compute it, indices from `firstIndex` (the claims' sizes depend on them). */
  threads: number;
  firstIndex: number;
}

/** One phase as the pool groups steps (see `Phase`). */
export interface PhaseSpec { first: number; end: number; split: boolean; chunk: number; chunks: number }

/** Packs `steps` and their grouping into phases into an EncodedPlan. */
export function encodePlan(id: number, memory: number, steps: readonly Step[], phaseSpecs: readonly PhaseSpec[], threads: number, firstIndex: number): EncodedPlan {
  const kernels: string[] = [];
  const kidx = new Map<string, number>();
  const meta = new Int32Array(steps.length * STEP_INTS);
  let nargs = 0;
  for (const s of steps) nargs += s.args.length;
  const args = new Float64Array(nargs);
  let a = 0;
  steps.forEach((s, i) => {
    let ki = kidx.get(s.kernel);
    if (ki === undefined) { ki = kernels.length; kernels.push(s.kernel); kidx.set(s.kernel, ki); }
    const m = i * STEP_INTS;
    meta[m + StepMeta.kernel] = ki;
    meta[m + StepMeta.firstArg] = a;
    meta[m + StepMeta.argCount] = s.args.length;
    meta[m + StepMeta.range] = s.range;
    args.set(s.args, a);
    a += s.args.length;
  });
  const phases = new Int32Array(phaseSpecs.length * PHASE_INTS);
  phaseSpecs.forEach((p, i) => {
    const q = i * PHASE_INTS;
    phases[q + Phase.first] = p.first;
    phases[q + Phase.end] = p.end;
    phases[q + Phase.split] = p.split ? 1 : 0;
    phases[q + Phase.chunk] = p.chunk;
    phases[q + Phase.chunks] = p.chunks;
  });
  const sync = new SharedArrayBuffer(Math.max(1, phaseSpecs.length) * SYNC_INTS * 4);
  return { id, memory, kernels, meta, args, phases, sync, threads, firstIndex };
}

export const phaseCount = (plan: EncodedPlan): number => plan.phases.length / PHASE_INTS;
/** Field `f` of phase `p`. */
export const phaseField = (plan: EncodedPlan, p: number, f: number): number => plan.phases[p * PHASE_INTS + f];

/** Indices in `sync` of phase `p`'s counters: front claims, done, back claims. */
export const claimAt = (p: number): number => p * SYNC_INTS + Sync.claim;
export const doneAt = (p: number): number => p * SYNC_INTS + Sync.done;
export const backAt = (p: number): number => p * SYNC_INTS + Sync.back;
/** Whether every chunk of phase `p` is done. */
export const phaseDone = (plan: EncodedPlan, sync: Int32Array, p: number): boolean =>
  Atomics.load(sync, doneAt(p)) >= phaseField(plan, p, Phase.chunks);

/** Resets a plan's counters for the run of generation `gen`. */
export function resetSync(sync: Int32Array, phases: number, gen: number): void {
  const tag = claimTag(gen);
  for (let p = 0; p < phases; p++) {
    sync[claimAt(p)] = tag;
    sync[backAt(p)] = tag;
    sync[doneAt(p)] = 0;
  }
}

/** Messages from the host to a worker. All but 'init' are counted in Ctl.mail. */
export type ToWorker =
  | { type: 'init'; ctl: SharedArrayBuffer; index: number }
  /** Instantiate `module` on `memory`, cached as `id`. */
  | { type: 'memory'; id: number; module: WebAssembly.Module; memory: WebAssembly.Memory }
  /** The plan the next runs use (its `memory` names the instance). */
  | { type: 'plan'; plan: EncodedPlan }
  /** Drop the instance on memory `id`. */
  | { type: 'forget'; id: number }
  /** Tests only (testing.ts): worker `index` takes a chunk of its next run and exits, as if it crashed. */
  | { type: 'die'; index: number };

/** Messages from a worker to the host. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'fault'; step: number; message: string }
  | { type: 'done' };
