// Entry of a pool worker (src/wasm/pool.ts). Runs in node:worker_threads (Node) or a module web Worker
// (Deno, Bun, browsers). Messages in: {type:'init', module, memory, ctl, index}, {type:'plan', plan}.
// Messages out: 'ready' | 'init-error' | 'fault' | 'done'. Between messages it serves runs: it sleeps
// in Atomics.wait on the control block's generation counter and executes each run's phases; it
// returns to its event loop only to receive a new plan (the host posts it before the run that uses it).
import {
  CTL_GEN, CTL_CMD, CTL_PLAN, CTL_ABORT, CTL_POST_DONE, CMD_EXIT, ABORT_FAULT, SPIN, PHASE_INTS,
  bindPlan, runPhases, raiseAbort, DieRequest,
  type EncodedPlan, type ThreadStep,
} from './pool.js';

const g = globalThis as any;
const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof g.Deno === 'undefined' && typeof g.Bun === 'undefined';
const port: { post(m: unknown): void; on(f: (m: any) => void): void; close(): void } = await (async () => {
  if (isNode) {
    const { parentPort } = await import('node:worker_threads');
    if (!parentPort) throw new Error('edgecnn pool worker: not running in a worker thread');
    return { post: (m) => parentPort.postMessage(m), on: (f) => parentPort.on('message', f), close: () => parentPort.close() };
  }
  return {
    post: (m) => g.postMessage(m),
    on: (f) => g.addEventListener('message', (e: MessageEvent) => f(e.data)),
    close: () => g.close(),
  };
})();

let ctl: Int32Array;
let index = 0;
let exports: Record<string, unknown> | null = null;
let plan: EncodedPlan | null = null;
let steps: ThreadStep[] = [];
let sync: Int32Array;
let lastSeen = 0;
let closed = false;

function die(): never {
  closed = true;
  if (isNode) process.exit(1);
  g.close();
  throw new Error('worker closed');
}

/** Serves runs until it must return to the event loop (a new plan is announced) or exit. */
function serve(): void {
  for (;;) {
    let gen = Atomics.load(ctl, CTL_GEN);
    if (gen === lastSeen) {
      for (let k = 0; k < SPIN && gen === lastSeen; k++) gen = Atomics.load(ctl, CTL_GEN);
      if (gen === lastSeen) { Atomics.wait(ctl, CTL_GEN, lastSeen); continue; }
    }
    if (Atomics.load(ctl, CTL_CMD) === CMD_EXIT) { closed = true; port.close(); return; }
    // The plan message is queued before the generation moves: go and receive it, then come back.
    if (!plan || Atomics.load(ctl, CTL_PLAN) !== plan.id) return;
    lastSeen = gen;
    if (Atomics.load(ctl, CTL_ABORT) !== 0) continue;
    let r;
    try {
      r = runPhases({ ctl, plan, steps, sync, index, gen }, 0, Infinity, (e, step) => {
        raiseAbort(ctl, sync, ABORT_FAULT, step, index);
        port.post({ type: 'fault', step, message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
      });
    } catch (e) {
      if (e instanceof DieRequest) die();
      throw e;
    }
    if (r.state === 'done' && Atomics.load(ctl, CTL_POST_DONE) === 1) {
      const q = plan.phases.length - PHASE_INTS;
      if (Atomics.load(sync, (q / PHASE_INTS) * 2 + 1) >= plan.phases[q + 4]) port.post({ type: 'done' });
    }
  }
}

port.on(async (m: any) => {
  if (closed) return;
  if (m?.type === 'init') {
    try {
      ctl = new Int32Array(m.ctl);
      index = m.index;
      const inst = await WebAssembly.instantiate(m.module as WebAssembly.Module, {
        env: { memory: m.memory, abort: () => { throw new Error('wasm kernel aborted'); } },
      });
      exports = inst.exports as Record<string, unknown>;
      lastSeen = Atomics.load(ctl, CTL_GEN);
    } catch (e) {
      port.post({ type: 'init-error', message: (e as Error)?.message ?? String(e) });
      return;
    }
    port.post({ type: 'ready' });
    serve();
  } else if (m?.type === 'plan') {
    plan = m.plan as EncodedPlan;
    sync = new Int32Array(plan.sync);
    try {
      steps = bindPlan(plan, exports!);
    } catch (e) {
      raiseAbort(ctl, sync, ABORT_FAULT, 0, index);
      port.post({ type: 'fault', step: 0, message: (e as Error).message });
      return;
    }
    serve();
  }
});
