// Entry of a pool worker (src/wasm/pool.ts). Runs in node:worker_threads (Node) or a module web Worker
// (Deno, Bun, browsers). Messages in: {type:'init', ctl, index}, then counted ones (CTL_MAIL):
// {type:'memory', id, module, memory} (instantiate the module on that memory, cache it by id),
// {type:'plan', plan} (its `memory` names the instance), {type:'forget', id} (drop the instance).
// Messages out: 'ready' | 'fault' | 'done'. Between messages it serves runs: it sleeps in Atomics.wait
// on the control block's signal word and executes each run's phases; it returns to its event loop only
// to receive messages (the host posts them, then counts them, before the run that needs them).
import {
  CTL_GEN, CTL_CMD, CTL_PLAN, CTL_ABORT, CTL_POST_DONE, CTL_MAIL, CTL_SIGNAL, CTL_INSTANCES, CMD_EXIT, ABORT_FAULT, SPIN, PHASE_INTS,
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
/** Instances by memory id (or why instantiating on that memory failed). */
class InstanceError { constructor(readonly message: string) {} }
const instances = new Map<number, Record<string, unknown> | InstanceError>();
let mailSeen = 0;
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
    // Read the signal first: a run or message announced after this read changes it, so the wait below
    // cannot miss it.
    const sig = Atomics.load(ctl, CTL_SIGNAL);
    // Messages are posted before they are counted: go and receive them, then come back.
    if (Atomics.load(ctl, CTL_MAIL) !== mailSeen) return;
    let gen = Atomics.load(ctl, CTL_GEN);
    if (gen === lastSeen) {
      for (let k = 0; k < SPIN && gen === lastSeen; k++) gen = Atomics.load(ctl, CTL_GEN);
      if (gen === lastSeen) { Atomics.wait(ctl, CTL_SIGNAL, sig); continue; }
    }
    if (Atomics.load(ctl, CTL_CMD) === CMD_EXIT) { closed = true; port.close(); return; }
    // (the plan of a run is always counted mail, received above; this is a safety net)
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

port.on((m: any) => {
  if (closed) return;
  if (m?.type === 'init') {
    ctl = new Int32Array(m.ctl);
    index = m.index;
    lastSeen = Atomics.load(ctl, CTL_GEN);
    port.post({ type: 'ready' });
    serve();
    return;
  }
  mailSeen++;
  if (m?.type === 'memory') {
    try {
      // Synchronous: messages are handled strictly in order (workers may instantiate synchronously).
      const inst = new WebAssembly.Instance(m.module as WebAssembly.Module, {
        env: { memory: m.memory, abort: () => { throw new Error('wasm kernel aborted'); } },
      });
      instances.set(m.id, inst.exports as Record<string, unknown>);
      Atomics.add(ctl, CTL_INSTANCES, 1);
    } catch (e) {
      instances.set(m.id, new InstanceError(`cannot instantiate the kernels on memory ${m.id}: ${(e as Error)?.message ?? e}`));
    }
  } else if (m?.type === 'forget') {
    const had = instances.get(m.id);
    instances.delete(m.id);
    if (had && !(had instanceof InstanceError)) Atomics.sub(ctl, CTL_INSTANCES, 1);
    if (plan && plan.memory === m.id) { plan = null; steps = []; }
  } else if (m?.type === 'plan') {
    plan = m.plan as EncodedPlan;
    sync = new Int32Array(plan.sync);
    const inst = instances.get(plan.memory);
    try {
      if (!inst) throw new Error(`no instance for memory ${plan.memory} (released?)`);
      if (inst instanceof InstanceError) throw new Error(inst.message);
      steps = bindPlan(plan, inst);
    } catch (e) {
      raiseAbort(ctl, sync, ABORT_FAULT, 0, index);
      port.post({ type: 'fault', step: 0, message: (e as Error).message });
      steps = [];
    }
  }
  serve();
});
