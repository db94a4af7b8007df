import { BackendError, InvalidArgumentError, ResourceLimitError } from '../../errors.js';
import { isNode, nodeImport, readLocalFile, resolveLocation } from '../../runtime.js';
import type { KernelExports } from './abi.js';

/** The compiled kernel binaries, best first. All import their memory as `env.memory`. 'relaxed' and
 * 'relaxed-threads' use relaxed SIMD's fused multiply-add (worth 1.5x on CPUs with FMA units that V8
 * uses for it, e.g. Intel Sapphire Rapids; about nothing on AMD Zen 3), so one thread gets it too. */
export type Flavor = 'relaxed-threads' | 'simd-threads' | 'relaxed' | 'simd' | 'scalar';
export const FLAVORS: readonly Flavor[] = ['relaxed-threads', 'simd-threads', 'relaxed', 'simd', 'scalar'];
/** Binaries built against a shared memory (threads). */
export const isShared = (f: Flavor): boolean => f.endsWith('threads');

/**
 * Where a flavor's binary comes from: a URL; a string (in a browser a URL, resolved against the page; in
 * Node, Deno and Bun a file path, or a URL with its scheme); its bytes; or a module compiled already.
 */
export type WasmSource = URL | string | Uint8Array | ArrayBuffer | WebAssembly.Module;
/** Binaries by flavor (`SessionOptions.wasm`): only the flavors given are considered. */
export type WasmSources = Partial<Record<Flavor, WasmSource>>;

// ---- where the binaries are -------------------------------------------------------------------------

/**
 * The package's own binaries: one literal `new URL('…', import.meta.url)` per binary, the pattern Vite,
 * webpack 5 and Rollup recognize: they emit each binary as an asset and rewrite the URL to it. Unbundled
 * (Node, Deno, Bun, a browser importing dist/ directly) each resolves inside the package. Only the one
 * that runs is fetched.
 */
function packageUrl(flavor: Flavor): URL {
  switch (flavor) {
    case 'relaxed-threads': return new URL('../../../build/edgecnn.relaxed-threads.wasm', import.meta.url);
    case 'simd-threads': return new URL('../../../build/edgecnn.simd-threads.wasm', import.meta.url);
    case 'relaxed': return new URL('../../../build/edgecnn.relaxed.wasm', import.meta.url);
    case 'simd': return new URL('../../../build/edgecnn.simd.wasm', import.meta.url);
    case 'scalar': return new URL('../../../build/edgecnn.scalar.wasm', import.meta.url);
  }
}

/**
 * This module's URL. Unbundled it is this file; webpack makes it this file's file: URL at build time;
 * Vite, Rollup and esbuild leave `import.meta.url`, the URL of the chunk that holds this code.
 */
const here: string = import.meta.url;
/** Whether this code sits in its own file (not merged into a bundle). */
const inOwnFile = /\/backends\/wasm\/binaries\.[cm]?[jt]s(?:[?#].*)?$/.test(here);

/**
 * The default URL of a flavor's binary. Merged into a bundle, a bundler that rewrote the literal
 * (Vite, webpack, Rollup) gave another URL than the literal resolves to from the bundle; one that left it
 * as it was (esbuild, which does not handle `new URL(…, import.meta.url)`) makes it point nowhere: then
 * the binaries are looked for next to the bundle (README, "Bundlers": esbuild copies them there).
 */
export function defaultWasmUrl(flavor: Flavor): { url: URL; besideBundle: boolean } {
  const url = packageUrl(flavor);
  if (inOwnFile) return { url, besideBundle: false };
  const unrewritten = new URL(`../../../build/edgecnn.${flavor}.wasm`, here);
  if (url.href !== unrewritten.href) return { url, besideBundle: false };
  return { url: new URL(`edgecnn.${flavor}.wasm`, here), besideBundle: true };
}

const describeLocation = (loc: URL | string): string => (typeof loc === 'string' ? loc : loc.href);

// ---- loading ----------------------------------------------------------------------------------------

/**
 * The binary could not be read (HTTP status, network or file error, not a wasm file), as opposed to an
 * engine that cannot validate it. Internal: users see a BackendError (its name and code).
 */
export class BinaryLoadError extends BackendError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackendError';
  }
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

async function readBinary(flavor: Flavor, loc: URL | string, hint: string): Promise<Uint8Array> {
  const where = describeLocation(loc);
  let bytes: Uint8Array;
  let contentType: string | null = null;
  try {
    if (typeof loc === 'string' || loc.protocol === 'file:') {
      bytes = await readLocalFile(loc);
    } else {
      const res = await fetch(loc);
      if (!res.ok) throw new Error(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
      contentType = res.headers.get('content-type');
      bytes = new Uint8Array(await res.arrayBuffer());
    }
  } catch (e) {
    throw new BinaryLoadError(`cannot load kernel binary ${where}: ${(e as Error)?.message ?? e}${hint}`, { cause: e });
  }
  if (bytes.length < 8 || WASM_MAGIC.some((b, i) => bytes[i] !== b)) {
    const start = new TextDecoder().decode(bytes.subarray(0, 24)).replace(/\s+/g, ' ');
    throw new BinaryLoadError(`cannot load kernel binary ${where}: not a WebAssembly binary (${bytes.length} bytes${contentType ? `, Content-Type ${contentType}` : ''}, starting ${JSON.stringify(start)})${hint}`);
  }
  return bytes;
}

function loadHint(flavor: Flavor, loc: URL | string, besideBundle: boolean): string {
  if (besideBundle) {
    return ` — edgecnn is inside a bundle whose bundler did not emit the files it references with new URL(…, import.meta.url) (esbuild does not): copy node_modules/edgecnn/build/edgecnn.*.wasm next to the bundle, or pass SessionOptions.wasm (README, "Bundlers")`;
  }
  if (typeof loc !== 'string' && loc.protocol === 'file:') return ` (was 'npm run build' run?)`;
  return ` (the kernel binary '${flavor}' must be served at that URL, or passed as SessionOptions.wasm)`;
}

function sourceOf(flavor: Flavor, sources: WasmSources | undefined): { src: WasmSource; loc?: URL | string; hint: string } {
  if (sources) {
    const src = sources[flavor];
    if (src === undefined) throw new InvalidArgumentError(`SessionOptions.wasm has no binary for the '${flavor}' kernels (it has: ${Object.keys(sources).join(', ') || 'none'})`);
    if (typeof src === 'string' || src instanceof URL) {
      const loc = resolveLocation(src);
      return { src, loc, hint: ` (SessionOptions.wasm['${flavor}'])` };
    }
    return { src, hint: '' };
  }
  const { url, besideBundle } = defaultWasmUrl(flavor);
  return { src: url, loc: url, hint: loadHint(flavor, url, besideBundle) };
}

/** Compiled modules, per flavor for the package's binaries, per source for given ones. */
const byKey = new Map<string, Promise<WebAssembly.Module>>();
const byObject = new WeakMap<object, Promise<WebAssembly.Module>>();

/**
 * Compiles (once per process and source) the binary of a flavor: the package's own, or `sources[flavor]`
 * when `sources` is given. Rejects with a BinaryLoadError naming the URL or path and why (HTTP status,
 * file error, not a wasm file) when it cannot be read, with a BackendError when this engine cannot
 * validate it.
 */
export function compileFlavor(flavor: Flavor, sources?: WasmSources): Promise<WebAssembly.Module> {
  if (!FLAVORS.includes(flavor)) return Promise.reject(new InvalidArgumentError(`flavor must be one of ${FLAVORS.join(', ')}, got '${flavor}'`));
  let where: { src: WasmSource; loc?: URL | string; hint: string };
  try { where = sourceOf(flavor, sources); } catch (e) { return Promise.reject(e); }
  const { src, loc, hint } = where;
  if (typeof WebAssembly === 'object' && src instanceof WebAssembly.Module) return Promise.resolve(src);
  const isObject = typeof src === 'object' && !(src instanceof URL);
  const key = `${flavor} ${loc ? describeLocation(loc) : ''}`;
  let p = isObject ? byObject.get(src as object) : byKey.get(key);
  if (!p) {
    p = (async () => {
      const bytes = loc ? await readBinary(flavor, loc, hint) : src instanceof ArrayBuffer ? new Uint8Array(src) : src as Uint8Array;
      if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) throw new BackendError(`this engine cannot run the '${flavor}' kernels (WebAssembly.validate failed)`);
      return WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
    })();
    if (isObject) byObject.set(src as object, p); else byKey.set(key, p);
    p.catch(() => { if (isObject) byObject.delete(src as object); else byKey.delete(key); });
  }
  return p;
}

// ---- choosing without fetching ----------------------------------------------------------------------

// Tiny modules that validate only where an engine has a feature (the same tests as wasm-feature-detect):
// a flavor is tried only where its features validate, so a page fetches the one binary that runs.
const SIMD_PROBE = [0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11];
/** f32x4.relaxed_madd, the one relaxed instruction the kernels use. */
const RELAXED_PROBE = [0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 19, 1, 17, 0, 65, 0, 253, 15, 65, 0, 253, 15, 65, 0, 253, 15, 253, 133, 2, 11];
/** A shared memory and an atomic load. */
const THREADS_PROBE = [0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 5, 4, 1, 3, 1, 1, 10, 11, 1, 9, 0, 65, 0, 254, 16, 2, 0, 26, 11];

function validates(probe: number[]): boolean {
  try { return WebAssembly.validate(new Uint8Array(probe)); } catch { return false; }
}

/** Whether the engine has the features of a flavor (checked on tiny probes; nothing fetched). */
export function engineHasFeatures(flavor: Flavor): boolean {
  if (typeof WebAssembly !== 'object') return false;
  switch (flavor) {
    case 'scalar': return true;
    case 'simd': return validates(SIMD_PROBE);
    case 'simd-threads': return validates(SIMD_PROBE) && validates(THREADS_PROBE);
    case 'relaxed': return validates(SIMD_PROBE) && validates(RELAXED_PROBE);
    case 'relaxed-threads': return validates(SIMD_PROBE) && validates(THREADS_PROBE) && validates(RELAXED_PROBE);
  }
}

/** Flavors whose features this engine has, best first; `sharedMemory` false drops the threads binaries. */
export function engineFlavors(sharedMemory: boolean, sources?: WasmSources): Flavor[] {
  return FLAVORS.filter((f) => (sharedMemory || !isShared(f)) && (!sources || sources[f] !== undefined) && engineHasFeatures(f));
}

/**
 * Compiles the first of `candidates` this engine validates, fetching them in order and stopping at the
 * first that compiles (normally the first). A binary that cannot be read is an error (BinaryLoadError,
 * naming its URL and why), never a reason to try the next one.
 */
export async function loadFirst(candidates: readonly Flavor[], sources?: WasmSources): Promise<{ flavor: Flavor; module: WebAssembly.Module } | { flavor: null; why: string }> {
  const why: string[] = [];
  for (const flavor of candidates) {
    try {
      return { flavor, module: await compileFlavor(flavor, sources) };
    } catch (e) {
      if (!(e instanceof BackendError) || e instanceof BinaryLoadError) throw e;
      why.push((e as Error).message);
    }
  }
  return { flavor: null, why: why.join('; ') };
}

/**
 * Flavors this engine validates, best first (every binary of the package compiled: tests and
 * benchmarks). `sharedMemory` false drops the threads binaries.
 */
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
    const v8 = await nodeImport<typeof import('node:v8')>('v8');
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch { /* not V8 */ }
}

// ---- memories and instances -------------------------------------------------------------------------

export const WASM_PAGE = 65536;
export const MAX_PAGES = 65536; // 4 GiB, the wasm32 limit and the threads binaries' declared maximum

/** A memory suitable for `flavor`, `bytes` long (rounded up to pages). */
export function createMemory(flavor: Flavor, bytes: number): WebAssembly.Memory {
  const pages = Math.ceil(bytes / WASM_PAGE);
  if (pages > MAX_PAGES) throw new ResourceLimitError(`needs ${bytes} bytes of wasm memory; the limit is 4 GiB per instance`);
  try {
    // A shared memory reserves its maximum up front: sized to the plan (it never grows), not 4 GiB, which
    // mobile Safari and 32-bit Chrome refuse. The binaries import up to 65536 pages, so any maximum links.
    return isShared(flavor)
      ? new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true } as WebAssembly.MemoryDescriptor)
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

/** An instance of `flavor` (the package's binary, or `sources[flavor]`) on `memory`. */
export async function instantiate(flavor: Flavor, memory: WebAssembly.Memory, sources?: WasmSources): Promise<KernelInstance> {
  const module = await compileFlavor(flavor, sources);
  const instance = await WebAssembly.instantiate(module, { env: { memory, abort: abortImport } });
  return { flavor, module, memory, exports: instance.exports as any };
}

function abortImport(): never {
  throw new BackendError('wasm kernel aborted');
}
