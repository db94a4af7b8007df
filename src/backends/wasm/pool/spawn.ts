// Starting a pool worker: node:worker_threads in Node and Deno (its workers can be unref'ed there, so a
// process that forgets dispose() still exits), a module web Worker elsewhere (Bun, browsers).
//
// The web Worker is created by the literal `new Worker(new URL('./worker.js', import.meta.url), { type:
// 'module', … })`, the pattern Vite and webpack 5 recognize: they bundle the worker entry as a worker
// chunk and rewrite the URL. It appears once; every other URL here is computed from `base` (not
// `import.meta.url` itself), so no bundler takes it for a second worker or an asset.
import { isDeno, isNode, nodeImport, resolveLocation } from '../../../runtime.js';
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

/** This module's URL (the chunk's, once bundled; webpack: this file's file: URL). */
const base: string = import.meta.url;
/** Running from the .ts sources (tests under tsx): the worker entry is worker.ts. */
const fromSources = /\.[mc]?ts$/.test(new URL(base).pathname);
/** Whether this code sits in its own file (not merged into a bundle). */
const inOwnFile = /\/pool\/spawn\.[cm]?[jt]s(?:[?#].*)?$/.test(base);

/** The worker entry next to this module, as the literal resolves where no bundler rewrote it. */
const siblingWorker = (): URL => new URL(fromSources ? './worker.ts' : './worker.js', base);

/**
 * Spawns one pool worker: the package's entry, or `workerUrl` (a URL; a string is a URL resolved
 * against the page in a browser, a path or URL in Node and Deno).
 */
export async function spawnWorker(ev: WorkerEvents, workerUrl?: string | URL): Promise<WorkerHandle> {
  if (isNode || isDeno) return spawnNodeWorker(ev, workerUrl);
  return spawnWebWorker(ev, workerUrl);
}

// ---- node:worker_threads (Node, Deno) ---------------------------------------------------------------

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

type NodeWorker = import('node:worker_threads').Worker;

function newNodeWorker(Worker: typeof import('node:worker_threads').Worker, entry: string | URL, eval_: boolean): NodeWorker {
  if (isDeno) return new Worker(entry); // Deno: no execArgv, no eval; ES module workers
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

async function spawnNodeWorker(ev: WorkerEvents, workerUrl?: string | URL): Promise<WorkerHandle> {
  const { Worker } = await nodeImport<typeof import('node:worker_threads')>('worker_threads');
  let w: NodeWorker;
  if (workerUrl !== undefined) {
    w = newNodeWorker(Worker, resolveLocation(workerUrl), false);
  } else if (fromSources && isNode) {
    // Running from the .ts sources (tests, under tsx): Node 20 applies no --import loader hooks to a
    // worker's entry, so a tiny script entry loads the worker through tsx's own API.
    let api = 'tsx/esm/api';
    const meta: any = import.meta; // (not `import.meta.resolve(…)` literally: webpack would resolve tsx for the browser)
    try { api = meta.resolve('tsx/esm/api'); } catch { /* resolved from the cwd */ }
    const code = `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(siblingWorker().href)}, ${JSON.stringify(base)}))`
      + `.catch((e) => { setTimeout(() => { throw e; }); });`;
    w = newNodeWorker(Worker, code, true);
  } else {
    w = newNodeWorker(Worker, siblingWorker(), false);
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

// ---- web Worker (browsers, Bun) ---------------------------------------------------------------------

function newWebWorker(workerUrl?: string | URL): { w: Worker; url: URL | string } {
  if (workerUrl !== undefined) {
    const url = resolveLocation(workerUrl);
    return { w: new Worker(url, { type: 'module', name: 'edgecnn-pool' }), url };
  }
  if (fromSources) {
    const url = siblingWorker();
    return { w: new Worker(url, { type: 'module', name: 'edgecnn-pool' }), url };
  }
  // The one literal bundlers look for (see the top of this file).
  const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'edgecnn-pool' });
  return { w, url: siblingWorker() };
}

/**
 * Why a worker's script did not start: a load failure fires a bare 'error' Event (no message, no
 * status), so fetch the script to name its URL and HTTP status.
 */
async function diagnoseLoad(url: URL | string, given: boolean): Promise<string> {
  const where = typeof url === 'string' ? url : url.href;
  const hint = given
    ? ' (SessionOptions.workerUrl)'
    : inOwnFile
      ? ''
      : ` — edgecnn is inside a bundle, and this is where its worker is when the bundler did not emit it (esbuild does not handle new Worker(new URL(…, import.meta.url))): bundle 'edgecnn/worker' as worker.js next to your bundle, or pass SessionOptions.workerUrl (README, "Bundlers"); a bundler that emits workers (Vite, webpack) named it otherwise, and the browser's console says why that file failed`;
  try {
    const res = await fetch(url);
    if (!res.ok) return `cannot load the pool worker script ${where}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${hint}`;
    const type = res.headers.get('content-type') ?? '';
    if (type && !/javascript|ecmascript/i.test(type)) return `cannot start the pool worker script ${where}: it is served as '${type}', not JavaScript${hint}`;
    return `the pool worker script ${where} failed to load (HTTP ${res.status}; the browser's console has the error)`;
  } catch (e) {
    return `cannot load the pool worker script ${where}: ${(e as Error)?.message ?? e}${hint}`;
  }
}

async function spawnWebWorker(ev: WorkerEvents, workerUrl?: string | URL): Promise<WorkerHandle> {
  if (typeof g.Worker !== 'function') throw new Error('this environment has no Worker');
  const { w, url } = newWebWorker(workerUrl);
  let gone = false;
  w.addEventListener('message', (e: MessageEvent) => ev.message(e.data));
  w.addEventListener('error', (e: Event) => {
    e.preventDefault?.();
    if (gone) return;
    gone = true;
    const message = (e as ErrorEvent).message;
    if (message) ev.dead(`worker error: ${message}`);
    else void diagnoseLoad(url, workerUrl !== undefined).then((why) => ev.dead(why));
  });
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
