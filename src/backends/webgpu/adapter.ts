// Finding a WebGPU adapter and telling software ones apart: small and dependency-free, so the session
// can decide on WebGPU before it loads the backend itself (src/backends/webgpu/index.ts).
import type { BackendKind, BackendOptions } from '../backend.js';

type GPU = any;
type GPUAdapter = any;

export interface WebGpuOptions extends BackendOptions {
  /** A GPU object (navigator.gpu's interface); Node and Bun pass `create([])` from the `webgpu` package. */
  gpu?: unknown;
  /** Set by the session for backend 'auto': a plan with a node this backend refuses runs on wasm instead (said in `description`). */
  fallbackOnUnsupported?: boolean;
  /** An adapter already requested (the session's 'auto' choice looked at it); default: requested from the GPU object. */
  adapter?: unknown;
  /** The backends to leave the GPU for (the session passes its table: backends do not import each other);
   * without them a fault is a BackendError. The other options (threads, flavor, pool) go to them. */
  fallback?: { wasm?: BackendKind; reference?: BackendKind };
  [key: string]: unknown;
}

/** The GPU object: options.gpu, else navigator.gpu (Deno, browsers), else null. */
export function gpuObject(options: WebGpuOptions): GPU | null {
  if (options.gpu) return options.gpu;
  const nav = (globalThis as any).navigator;
  return nav && nav.gpu ? nav.gpu : null;
}

/** Software rasterizers that expose WebGPU: slower than the wasm kernels for these models. */
const SOFTWARE = /swiftshader|lavapipe|llvmpipe|softpipe|warp|basic render/i;

/** The name of a software adapter ('SwiftShader'), or null for a hardware one. */
export function softwareAdapter(adapter: GPUAdapter): string | null {
  const info = adapter.info ?? {};
  const text = [info.vendor, info.architecture, info.device, info.description].filter((s) => typeof s === 'string').join(' ');
  const m = SOFTWARE.exec(text);
  if (m) return ({ swiftshader: 'SwiftShader', lavapipe: 'lavapipe', llvmpipe: 'llvmpipe' } as Record<string, string>)[m[0].toLowerCase()] ?? m[0];
  if (info.isFallbackAdapter || adapter.isFallbackAdapter) return info.description || info.vendor || 'fallback adapter';
  return null;
}

export type Opened = { ok: true; adapter: GPUAdapter; software: string | null } | { ok: false; reason: string };

/** The adapter, or why there is none. */
export async function openAdapter(options: WebGpuOptions): Promise<Opened> {
  const gpu = gpuObject(options);
  if (!gpu) return { ok: false, reason: 'not available in this runtime (no navigator.gpu; in Node or Bun pass options.gpu, e.g. create([]) from the webgpu package)' };
  let adapter: GPUAdapter;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { ok: false, reason: `requestAdapter failed: ${(e as Error).message}` };
  }
  if (!adapter) return { ok: false, reason: 'no adapter (requestAdapter returned null)' };
  return { ok: true, adapter, software: softwareAdapter(adapter) };
}
