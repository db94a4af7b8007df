// The backend configurations every op case runs on (test/models/ops.test.ts): the reference backend;
// the wasm backend in each kernel binary this engine validates, on one thread; and one threads binary
// on two threads. The two-thread configuration runs on a shared WorkerPool whose minSplitFlops is 0, so
// that every step is split between the threads (the default rule keeps steps under 250k flops, that is
// every op case, on one thread and would test nothing of the split).
import { enableRelaxedSimdInNode, isShared, supportedFlavors, type Flavor } from '../../src/backends/wasm/binaries.js';
import { WorkerPool } from '../../src/backends/wasm/pool/pool.js';
import type { SessionOptions } from '../../src/session.js';
import type { BackendName } from '../../src/backends/backend.js';

export interface BackendConfig {
  /** e.g. `reference`, `wasm-simd`, `wasm-relaxed-threads x2` */
  readonly key: string;
  readonly kind: BackendName;
  readonly flavor?: Flavor;
  readonly threads: number;
  /** Session.create options */
  readonly options: SessionOptions;
}

export interface BackendConfigs {
  readonly configs: readonly BackendConfig[];
  /** Frees the shared pool; call once every session on it is disposed. */
  dispose(): Promise<void>;
}

/**
 * The WebGPU configuration (test/webgpu/ops.test.ts runs the op-case table on it with its own
 * tolerance): the first adapter Dawn finds, SwiftShader on a machine without a GPU. Null, with the
 * reason printed loudly, where there is no adapter (an error under CI). Kept out of `backendConfigs()`,
 * whose configurations ops.test.ts compares at the wasm tolerance.
 */
export async function webgpuConfig(): Promise<BackendConfig | null> {
  const { gpuOrSkip } = await import('../webgpu/gpu.js');
  const gpu = await gpuOrSkip('op cases');
  return gpu ? { key: 'webgpu', kind: 'webgpu', threads: 1, options: { backend: 'webgpu', gpu } } : null;
}

export async function backendConfigs(): Promise<BackendConfigs> {
  await enableRelaxedSimdInNode();
  const flavors = await supportedFlavors();
  const configs: BackendConfig[] = [{ key: 'reference', kind: 'reference', threads: 1, options: { backend: 'reference' } }];
  for (const flavor of flavors) configs.push({ key: `wasm-${flavor}`, kind: 'wasm', flavor, threads: 1, options: { backend: 'wasm', flavor, threads: 1 } });
  const threaded = flavors.find(isShared);
  let pool: WorkerPool | null = null;
  if (threaded) {
    pool = await WorkerPool.create(2, { minSplitFlops: 0 });
    configs.push({ key: `wasm-${threaded} x2`, kind: 'wasm', flavor: threaded, threads: 2, options: { backend: 'wasm', flavor: threaded, threads: 2, pool } });
  }
  return { configs, dispose: async () => { await pool?.dispose(); } };
}
