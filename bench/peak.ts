// This machine's single-thread wasm SIMD peak: 12 independent f32x4 multiply-add chains with no
// memory traffic (build/peak.*.wasm, assembly/bench/peak.ts). Kernel benchmarks report their
// GFLOP/s as a fraction of this figure, measured in the same process.
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { enableRelaxedSimdInNode } from '../src/backends/wasm/binaries.js';

export interface Peak { mulAdd: number; relaxedMadd: number | null }

async function load(name: string): Promise<any | null> {
  const bytes = await readFile(new URL(`../build/${name}`, import.meta.url));
  if (!WebAssembly.validate(bytes)) return null;
  const ex: any = (await WebAssembly.instantiate(bytes, { env: { abort() {} } })).instance.exports;
  new Float32Array(ex.memory.buffer, 1024, 8).set([0.999, 0.999, 0.999, 0.999, 1e-3, 1e-3, 1e-3, 1e-3]); // m, a
  return ex;
}

function measure(fn: (iters: number, ops: number) => number): number {
  const iters = 2_000_000; // 192 MFLOP per call
  // V8 starts wasm in its baseline compiler (Liftoff) and tiers hot functions up to TurboFan in the
  // background; one long call never switches, so warm up with many short calls first.
  for (let i = 0; i < 200; i++) fn(20000, 1024);
  let best = Infinity;
  for (let r = 0; r < 7; r++) {
    const t = performance.now();
    fn(iters, 1024);
    best = Math.min(best, performance.now() - t);
  }
  return (iters * 96) / (best * 1e6); // GFLOP/s, best of 7
}

export async function measurePeak(): Promise<Peak> {
  await enableRelaxedSimdInNode();
  const simd = await load('peak.simd.wasm');
  const relaxed = await load('peak.relaxed.wasm');
  return {
    mulAdd: measure(simd.peak_f32x4_mul_add),
    relaxedMadd: relaxed ? measure(relaxed.peak_f32x4_relaxed_madd) : null,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const p = await measurePeak();
  console.log(`wasm SIMD peak, 1 thread: f32x4.mul+add ${p.mulAdd.toFixed(1)} GFLOP/s; relaxed_madd ${p.relaxedMadd?.toFixed(1) ?? 'n/a'} GFLOP/s`);
}
