import { BackendError, ResourceLimitError } from '../../errors.js';
import { isNode } from './pool/env.js';
import type { KernelExports } from './abi.js';

/** The compiled kernel binaries, best first. All import their memory as `env.memory`. */
export type Flavor = 'relaxed-threads' | 'simd-threads' | 'simd' | 'scalar';
export const FLAVORS: readonly Flavor[] = ['relaxed-threads', 'simd-threads', 'simd', 'scalar'];
/** Binaries built against a shared memory (threads). */
export const isShared = (f: Flavor): boolean => f.endsWith('threads');

const modules = new Map<Flavor, Promise<WebAssembly.Module>>();

async function readBinary(flavor: Flavor): Promise<Uint8Array<ArrayBuffer>> {
  const url = new URL(`../../../build/edgecnn.${flavor}.wasm`, import.meta.url);
  try {
    if (url.protocol === 'file:') {
      if (typeof (globalThis as any).Deno !== 'undefined') return (await (globalThis as any).Deno.readFile(url)) as Uint8Array<ArrayBuffer>;
      const fs = await import('node:fs/promises');
      return new Uint8Array(await fs.readFile(url));
    }
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    throw new BackendError(`cannot load kernel binary ${url.href}: ${(e as Error).message} (was 'npm run build' run?)`, { cause: e });
  }
}

/** Compiles (once per process) the binary of a flavor; rejects when the engine cannot validate it. */
export function compileFlavor(flavor: Flavor): Promise<WebAssembly.Module> {
  let p = modules.get(flavor);
  if (!p) {
    p = readBinary(flavor).then((bytes) => {
      if (!WebAssembly.validate(bytes)) throw new BackendError(`this engine cannot run the '${flavor}' kernels (WebAssembly.validate failed)`);
      return WebAssembly.compile(bytes);
    });
    p.catch(() => modules.delete(flavor));
    modules.set(flavor, p);
  }
  return p;
}

/** Flavors this engine validates, best first. `sharedMemory` false drops the threads binaries. */
export async function supportedFlavors(sharedMemory = typeof SharedArrayBuffer !== 'undefined'): Promise<Flavor[]> {
  const out: Flavor[] = [];
  for (const f of FLAVORS) {
    if (isShared(f) && !sharedMemory) continue;
    try { await compileFlavor(f); out.push(f); } catch { /* not supported here */ }
  }
  return out;
}

/** V8 in Node 20 ships relaxed SIMD behind a flag; turning it on before compiling is harmless elsewhere. */
export async function enableRelaxedSimdInNode(): Promise<void> {
  if (!isNode) return;
  try {
    const v8 = await import('node:v8');
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch { /* not V8 */ }
}

export const WASM_PAGE = 65536;
export const MAX_PAGES = 65536; // 4 GiB, the wasm32 limit and the threads binaries' declared maximum

/** A memory suitable for `flavor`, `bytes` long (rounded up to pages). */
export function createMemory(flavor: Flavor, bytes: number): WebAssembly.Memory {
  const pages = Math.ceil(bytes / WASM_PAGE);
  if (pages > MAX_PAGES) throw new ResourceLimitError(`needs ${bytes} bytes of wasm memory; the limit is 4 GiB per instance`);
  try {
    return isShared(flavor)
      ? new WebAssembly.Memory({ initial: pages, maximum: MAX_PAGES, shared: true } as WebAssembly.MemoryDescriptor)
      : new WebAssembly.Memory({ initial: pages });
  } catch (e) {
    throw new ResourceLimitError(`cannot allocate ${(bytes / 2 ** 20).toFixed(1)} MiB of wasm memory on this device: ${(e as Error).message} — lower the batch size or the input resolution`);
  }
}

export interface KernelInstance {
  flavor: Flavor;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Kernel exports: every argument is an i32 pointer/size or an f32 parameter (abi.ts). */
  exports: KernelExports;
}

export async function instantiate(flavor: Flavor, memory: WebAssembly.Memory): Promise<KernelInstance> {
  const module = await compileFlavor(flavor);
  const instance = await WebAssembly.instantiate(module, { env: { memory, abort: abortImport } });
  return { flavor, module, memory, exports: instance.exports as any };
}

function abortImport(): never {
  throw new BackendError('wasm kernel aborted');
}
