// What the running engine offers the pool: which runtime, how many cores, shared memory, blocking waits.
import { isNode, nodeImport } from '../../../runtime.js';

const g = globalThis as any;

/** Node.js itself (not Deno or Bun, which also define `process.versions.node`): see src/runtime.ts. */
export { isNode };

let nodeOs: typeof import('node:os') | null = null;
if (isNode) {
  try { nodeOs = await nodeImport<typeof import('node:os')>('os'); } catch { /* not Node after all */ }
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
