// Entry of a pool worker (pool.ts). Runs in node:worker_threads (Node, Deno) or a module web Worker
// (Bun, browsers; bundlers may build it as a classic script: no top-level await, no static `node:`
// import). Messages in (protocol.ts ToWorker): 'init', then counted ones (Ctl.mail): 'memory'
// (instantiate the module on that memory, cache it by id), 'plan' (its `memory` names the instance),
// 'forget' (drop the instance), 'die' (tests). Messages out: 'ready' | 'fault' | 'done'. Between
// messages it serves runs: it sleeps in Atomics.wait on the control block's signal word and executes
// each run's phases; it returns to its event loop only to receive messages (the host posts them, then
// counts them, before the run that needs them). Imports no pool code: only the protocol, the thread
// loop and the runtime checks.
import { Ctl, Cmd, Abort, Phase, claimAt, claimTag, frontChunks, phaseCount, phaseDone, phaseField, CHUNK_MASK, TAG_MASK, type EncodedPlan, type FromWorker, type ToWorker } from './protocol.js';
import { SPIN, bindPlan, runPhases, raiseAbort, type ThreadStep } from './thread.js';
import { isDeno, isNode, nodeImport } from '../../../runtime.js';

const g = globalThis as any;

interface Port { post(m: FromWorker): void; on(f: (m: ToWorker) => void): void; close(): void }
/** The node:worker_threads parent port (Node, Deno) once known; messages wait in it until a listener is on. */
let nodePort: import('node:worker_threads').MessagePort | null = null;
const webPort: Port = {
  post: (m) => g.postMessage(m),
  on: (f) => g.addEventListener('message', (e: MessageEvent) => f(e.data)),
  close: () => g.close(),
};
let port: Port = webPort;

function listen(): void {
  port.on(onMessage);
}

if (isNode || isDeno) {
  nodeImport<typeof import('node:worker_threads')>('worker_threads').then(({ parentPort }) => {
    if (!parentPort) {
      if (isNode) throw new Error('edgecnn pool worker: not running in a worker thread');
      listen(); // Deno, started as a web Worker (SessionOptions.workerUrl in a custom set-up)
      return;
    }
    nodePort = parentPort;
    port = { post: (m) => parentPort.postMessage(m), on: (f) => parentPort.on('message', f), close: () => parentPort.close() };
    listen();
  }, (e) => { setTimeout(() => { throw e; }); });
} else {
  listen();
}

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
/** Tests ('die' message): exit holding a chunk of the next run that has one left. */
let dieAtNextRun = false;

function die(): never {
  closed = true;
  if (nodePort && isNode) process.exit(1); // ends this worker thread only
  if (nodePort) nodePort.close();
  else g.close();
  throw new Error('worker closed');
}

/**
 * Tests: takes a chunk of the run of generation `gen` that it will never finish, then exits, as a worker
 * that crashes mid-run would. Done before the run, so the chunk loop itself checks no test flag. A run
 * with no chunk left to take (this worker is behind: the run is over, or every chunk is taken) leaves
 * the request for the next run.
 */
function dieHoldingChunk(p: EncodedPlan, gen: number): void {
  const tag = claimTag(gen);
  for (let ph = 0; ph < phaseCount(p); ph++) {
    const at = claimAt(ph), chunks = frontChunks(phaseField(p, ph, Phase.chunks)); // a chunk of the front half
    for (;;) {
      const v = Atomics.load(sync, at);
      if ((v & TAG_MASK) !== tag) return;
      if ((v & CHUNK_MASK) >= chunks) break;
      if (Atomics.compareExchange(sync, at, v, v + 1) === v) die();
    }
  }
}

/** Serves runs until it must return to the event loop (a new plan is announced) or exit. */
function serve(): void {
  for (;;) {
    // Read the signal first: a run or message announced after this read changes it, so the wait below
    // cannot miss it.
    const sig = Atomics.load(ctl, Ctl.signal);
    // Messages are posted before they are counted: go and receive them, then come back.
    if (Atomics.load(ctl, Ctl.mail) !== mailSeen) return;
    let gen = Atomics.load(ctl, Ctl.gen);
    if (gen === lastSeen) {
      for (let k = 0; k < SPIN && gen === lastSeen; k++) gen = Atomics.load(ctl, Ctl.gen);
      if (gen === lastSeen) { Atomics.wait(ctl, Ctl.signal, sig); continue; }
    }
    if (Atomics.load(ctl, Ctl.cmd) === Cmd.exit) { closed = true; port.close(); return; }
    // (the plan of a run is always counted mail, received above; this is a safety net)
    if (!plan || Atomics.load(ctl, Ctl.plan) !== plan.id) return;
    lastSeen = gen;
    if (Atomics.load(ctl, Ctl.abort) !== Abort.none) continue;
    if (dieAtNextRun) dieHoldingChunk(plan, gen);
    const r = runPhases({ ctl, plan, steps, sync, index, gen }, 0, Infinity, (e, step) => {
      raiseAbort(ctl, sync, Abort.fault, step, index);
      port.post({ type: 'fault', step, message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    });
    if (r.state === 'done' && Atomics.load(ctl, Ctl.postDone) === 1) {
      if (phaseDone(plan, sync, phaseCount(plan) - 1)) port.post({ type: 'done' });
    }
  }
}

function onMessage(m: ToWorker): void {
  if (closed) return;
  if (m?.type === 'init') {
    ctl = new Int32Array(m.ctl);
    index = m.index;
    lastSeen = Atomics.load(ctl, Ctl.gen);
    port.post({ type: 'ready' });
    serve();
    return;
  }
  mailSeen++;
  if (m?.type === 'memory') {
    try {
      // Synchronous: messages are handled strictly in order (workers may instantiate synchronously).
      const inst = new WebAssembly.Instance(m.module, {
        env: { memory: m.memory, abort: () => { throw new Error('wasm kernel aborted'); } },
      });
      instances.set(m.id, inst.exports as Record<string, unknown>);
      Atomics.add(ctl, Ctl.instances, 1);
    } catch (e) {
      instances.set(m.id, new InstanceError(`cannot instantiate the kernels on memory ${m.id}: ${(e as Error)?.message ?? e}`));
    }
  } else if (m?.type === 'forget') {
    const had = instances.get(m.id);
    instances.delete(m.id);
    if (had && !(had instanceof InstanceError)) Atomics.sub(ctl, Ctl.instances, 1);
    if (plan && plan.memory === m.id) { plan = null; steps = []; }
  } else if (m?.type === 'plan') {
    plan = m.plan;
    sync = new Int32Array(plan.sync);
    const inst = instances.get(plan.memory);
    try {
      if (!inst) throw new Error(`no instance for memory ${plan.memory} (released?)`);
      if (inst instanceof InstanceError) throw new Error(inst.message);
      steps = bindPlan(plan, inst);
    } catch (e) {
      raiseAbort(ctl, sync, Abort.fault, 0, index);
      port.post({ type: 'fault', step: 0, message: (e as Error).message });
      steps = [];
    }
  } else if (m?.type === 'die') {
    if (m.index === index) dieAtNextRun = true;
  }
  serve();
}
