// Starting a pool worker: node:worker_threads in Node, a module web Worker elsewhere (Deno, Bun, browsers).
import { isNode } from './env.js';
import type { FromWorker, ToWorker } from './protocol.js';

const g = globalThis as any;

export interface WorkerHandle {
  post(msg: ToWorker): void;
  /** Terminates the worker without reporting it as dead (an expected end). */
  terminate(): Promise<void>;
  ref(): void;
  unref(): void;
}

export type WorkerEvents = {
  message: (m: FromWorker) => void;
  /** The worker is gone or broke: exited, uncaught error, or a message it could not decode. */
  dead: (why: string) => void;
};

function workerUrl(): { url: URL; ts: boolean } {
  const here = import.meta.url;
  const ts = /\.[mc]?ts$/.test(new URL(here).pathname);
  return { url: new URL(ts ? './worker.ts' : './worker.js', here), ts };
}

/**
 * The parent's Node options for a worker, less those of the main entry alone (`node --input-type=module
 * -e …`, `node -p …`: a worker given them fails to start), with the value that follows them.
 */
function entrylessExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (/^--(input-type|eval|print)=/.test(a)) continue;
    if (/^(--(input-type|eval|print)|-[ep]|-pe|-ep)$/.test(a)) { i++; continue; }
    out.push(a);
  }
  return out;
}

/**
 * Whether Node refused the parent's options in a worker's explicit execArgv. Per-isolate V8 flags
 * (--max-old-space-size, --expose-gc, --stack-size) and per-process options (--title) are accepted by
 * inheritance only, never listed (ERR_WORKER_INVALID_EXEC_ARGV), and Node offers no way to tell them
 * from its own options. Once refused, workers get none: the pool worker needs no Node option (it
 * imports only relative modules, and tsx through its API), and V8 flags are process-wide anyway.
 */
let execArgvRefused = false;

function newNodeWorker(
  Worker: typeof import('node:worker_threads').Worker, entry: string | URL, eval_: boolean,
): import('node:worker_threads').Worker {
  const opts = { eval: eval_, stdout: false, stderr: false };
  if (!execArgvRefused) {
    try {
      return new Worker(entry, { ...opts, execArgv: entrylessExecArgv() });
    } catch (e) {
      if ((e as { code?: string })?.code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
      execArgvRefused = true;
    }
  }
  return new Worker(entry, { ...opts, execArgv: [] });
}

export async function spawnWorker(ev: WorkerEvents): Promise<WorkerHandle> {
  const { url, ts } = workerUrl();
  if (isNode) {
    const { Worker } = await import('node:worker_threads');
    let w: import('node:worker_threads').Worker;
    if (ts) {
      // Running from the .ts sources (tests, under tsx): Node 20 applies no --import loader hooks to a
      // worker's entry, so a tiny script entry loads the worker through tsx's own API.
      let api = 'tsx/esm/api';
      try { api = import.meta.resolve('tsx/esm/api'); } catch { /* resolved from the cwd */ }
      const code = `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(import.meta.url)}))`
        + `.catch((e) => { setTimeout(() => { throw e; }); });`;
      w = newNodeWorker(Worker, code, true);
    } else {
      w = newNodeWorker(Worker, url, false);
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
