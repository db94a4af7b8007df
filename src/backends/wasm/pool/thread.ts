// The per-thread side of a run, shared by the workers (worker.ts) and a calling thread that computes
// (pool.ts): binding a plan to an instance, walking its phases, the barrier, faults.
import { BackendError } from '../../../errors.js';
import {
  Ctl, Abort, Phase, PHASE_INTS, StepMeta, STEP_INTS, CHUNK_MASK, TAG_MASK, claimTag, claimAt, backAt, doneAt, frontChunks, claimSize, halfThreads, phaseCount,
  type EncodedPlan,
} from './protocol.js';

/** Spin iterations (Atomics.load) before a thread blocks at a barrier or between runs. */
export const SPIN = 4000;

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
  const meta = plan.meta;
  for (let m = 0; m < meta.length; m += STEP_INTS) {
    const a0 = meta[m + StepMeta.firstArg], range = meta[m + StepMeta.range];
    const args = Array.from(plan.args.subarray(a0, a0 + meta[m + StepMeta.argCount]));
    args.push(0, range);
    out.push({ fn: fns[meta[m + StepMeta.kernel]], args, range });
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

export function callRange(st: ThreadStep, begin: number, end: number): void {
  const a = st.args;
  a[a.length - 2] = begin;
  a[a.length - 1] = end;
  st.fn.apply(null, a);
}

/** Records the first fault in the control block and wakes every waiter. */
export function raiseAbort(ctl: Int32Array, sync: Int32Array | null, kind: number, step: number, thread: number): boolean {
  const first = Atomics.compareExchange(ctl, Ctl.abort, Abort.none, kind) === Abort.none;
  if (first) {
    Atomics.store(ctl, Ctl.faultStep, step + 1);
    Atomics.store(ctl, Ctl.faultThread, thread + 1);
  }
  if (sync) for (let i = 0; i < sync.length; i++) Atomics.notify(sync, i);
  return first;
}

/**
 * Executes phases from `from` on. In each phase a thread claims runs of chunks (`claimSize`; a compare-exchange on the
 * phase's generation-tagged claim counter) until none is left, then waits until every chunk is done
 * (the barrier waits for work, not for threads: a thread that wakes late finds nothing to claim and
 * delays nobody). Waits spin, then Atomics.wait; the caller (`maxBlockMs` finite) gives up after that
 * long and returns 'wait' so it can wait asynchronously. Kernel exceptions become aborts (`onFault`).
 */
export function runPhases(cx: ThreadCtx, from: number, maxBlockMs: number, onFault: (e: unknown, step: number) => void): PhaseResult {
  const { ctl, plan, steps, sync } = cx;
  const phases = plan.phases;
  const nPhases = phaseCount(plan);
  const tag = claimTag(cx.gen);
  for (let p = from; p < nPhases; p++) {
    const q = p * PHASE_INTS;
    const s0 = phases[q + Phase.first], s1 = phases[q + Phase.end], split = phases[q + Phase.split];
    const chunk = phases[q + Phase.chunk], nChunks = phases[q + Phase.chunks];
    const done = doneAt(p), nFront = frontChunks(nChunks);
    // own half first (front: the caller and even indices; back: odd indices), then the other one
    const back = (cx.index & 1) === 1;
    let side = back, switched = false;
    let cur = s0;
    try {
      for (;;) {
        if (Atomics.load(ctl, Ctl.abort) !== Abort.none) return { state: 'abort' };
        const at = side ? backAt(p) : claimAt(p);
        const v = Atomics.load(sync, at);
        if ((v & TAG_MASK) !== tag) return { state: 'stale' };
        const k = v & CHUNK_MASK, left = (side ? nChunks - nFront : nFront) - k;
        if (left <= 0) {
          if (switched) break;
          side = !side; switched = true;
          continue;
        }
        const take = claimSize(left, halfThreads(plan.threads, side, plan.firstIndex));
        if (Atomics.compareExchange(sync, at, v, v + take) !== v) continue;
        if (split) {
          // chunks [k, k + take) of the front half, or the same count down from the end of the back half
          const c = side ? nChunks - k - take : k;
          callRange(steps[s0], c * chunk, Math.min(steps[s0].range, (c + take) * chunk));
        } else {
          for (cur = s0; cur < s1; cur++) {
            const st = steps[cur];
            if (st.range > 0) callRange(st, 0, st.range);
          }
        }
        if (Atomics.add(sync, done, take) + take === nChunks) Atomics.notify(sync, done);
      }
    } catch (e) {
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
    if (Atomics.load(ctl, Ctl.abort) !== Abort.none) return 'abort';
    if (Atomics.load(ctl, Ctl.gen) !== cx.gen) return 'stale';
    let slice = 50;
    if (maxBlockMs !== Infinity) {
      const left = maxBlockMs - (performance.now() - t0);
      if (left <= 0) return 'timeout';
      slice = Math.min(slice, left);
    }
    Atomics.wait(sync, i, v, slice);
  }
}

