// Thread pool speed-up (benchmark.js): 1 thread (serial executor) vs the pool with N threads on every
// kernel family's real layer shapes (bench/kernels.ts), plus the pool's fixed cost per run and per
// barrier. Models at 1 and 2 threads beside onnxruntime-web: bench/models.ts --threads N.
//   node --import tsx bench/threads.ts [--flavor simd-threads|relaxed-threads] [--threads N] [--chunks per-thread] [--only NAME] [--quick]
import Benchmark from 'benchmark';
import { BenchMemory, randomWeights } from './lib.js';
import { CASES as KERNEL_CASES } from './kernels.js';
import { lowerGemm } from '../src/backends/wasm/kernels/gemm.js';
import { NO_ACTIVATION } from '../src/backends/wasm/kernels/types.js';
import type { Flavor } from '../src/backends/wasm/binaries.js';
import { WorkerPool, defaultThreadCount } from '../src/backends/wasm/pool/pool.js';

const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const flavors = (opt('--flavor') ? [opt('--flavor')] : ['relaxed-threads']) as Flavor[];
const only = opt('--only');
const threads = Number(opt('--threads') ?? Math.max(2, defaultThreadCount()));
const quick = args.includes('--quick');
const chunksPerThread = opt('--chunks') ? Number(opt('--chunks')) : undefined;

// every kernel family on its real layer shapes (the single-thread kernel benchmark's cases)
const CASES = KERNEL_CASES.filter((c) => !only || c.name.includes(only));

/** Median of benchmark.js's samples: robust to other processes on this shared 2-core machine (the mean is not). */
const median = (xs: number[]) => { const a = [...xs].sort((x, y) => x - y); return a[a.length >> 1]; };

function measure(name: string, fn: (() => void) | (() => Promise<void>), async: boolean): number {
  for (let i = 0; i < 20; i++) (fn as () => void)(); // warm-up (V8 tiers kernels up); async ones settle below
  const b = async
    ? new Benchmark(name, (d: any) => { (fn() as Promise<void>).then(() => d.resolve()); }, { defer: true, minSamples: quick ? 5 : 30, maxTime: quick ? 0.5 : 2 })
    : new Benchmark(name, fn, { minSamples: quick ? 5 : 30, maxTime: quick ? 0.5 : 2 });
  return new Promise<number>((resolve) => { b.on('complete', () => resolve(median((b as any).stats.sample))); b.run({ async: true }); }) as unknown as number;
}

console.log(`threads bench: ${threads} threads vs 1 (serial executor), Node ${process.versions.node}`);
for (const flavor of flavors) {
  for (const c of CASES) {
    const m = await BenchMemory.create(flavor, 128 << 20);
    m.threads = threads; // the same (split) Steps on both sides
    const steps = c.build(m);
    const { run, flops } = m.runner(steps);
    const pool = await WorkerPool.create(threads, { chunksPerThread });
    const plan = pool.prepare(steps, m.k);
    for (let i = 0; i < 20; i++) await pool.run(plan);
    const t1 = await measure('serial', run, false);
    const tn = await measure('pool', () => pool.run(plan), true);
    await pool.dispose();
    const g1 = flops / t1 / 1e9, gn = flops / tn / 1e9;
    console.log(`${flavor.padEnd(16)} ${c.name.padEnd(44)} 1 thread ${(t1 * 1e3).toFixed(3)} ms ${g1.toFixed(1)} GFLOP/s | ${threads} threads ${(tn * 1e3).toFixed(3)} ms ${gn.toFixed(1)} GFLOP/s | speed-up ${(t1 / tn).toFixed(2)}x`);
  }
}

// Fixed costs: 100 tiny steps (an FC 8→8 on 12 rows: ~1.5k flops each), run on one thread in one phase
// (default rule) or each split across the threads with a barrier after it (minSplitFlops 0).
{
  const m = await BenchMemory.create(flavors[0], 16 << 20);
  const x = m.alloc(12 * 8 * 4), y = m.alloc(12 * 8 * 4);
  const tiny = lowerGemm({ weights: randomWeights(64), k: 8, n: 8, act: NO_ACTIVATION }, { ptr: x, rows: 12, stride: 8 }, { ptr: y, stride: 8 }, null, m.cw);
  const steps = Array.from({ length: 100 }, () => tiny[0]);
  const { run } = m.runner(steps);
  const loop = async (f: () => unknown, n = 2000) => {
    for (let i = 0; i < 200; i++) await f();
    let best = Infinity;
    for (let rep = 0; rep < 5; rep++) {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await f();
      best = Math.min(best, (performance.now() - t0) / n / 1e3);
    }
    return best;
  };
  const ts = await loop(run);
  const p1 = await WorkerPool.create(threads);
  const plan1 = p1.prepare(steps, m.k);
  const tp = await loop(() => p1.run(plan1));
  await p1.dispose();
  const p2 = await WorkerPool.create(threads, { minSplitFlops: 0 });
  const plan2 = p2.prepare(steps, m.k);
  const tb = await loop(() => p2.run(plan2));
  await p2.dispose();
  console.log(`100 tiny steps, back-to-back runs: serial ${(ts * 1e6).toFixed(1)} µs | pool, one phase ${(tp * 1e6).toFixed(1)} µs (fixed cost per run ${((tp - ts) * 1e6).toFixed(1)} µs) | pool, every step split + barrier ${(tb * 1e6).toFixed(1)} µs (≈ ${((tb - tp) / 99 * 1e6).toFixed(2)} µs per barrier)`);
}
