// Batch-1 fully-connected layers: f32_gemv (lowerGemm's one-row path) against the 4x8 GEMM tile on the same
// row (the path before it), interleaved rounds in one process; GFLOP/s and weight-stream GB/s, 1 thread, and
// f32_gemv on the pool. The machine's SIMD peak is measured in the same run.
//   node --import tsx bench/gemv.ts [--flavor relaxed-threads] [--threads 2] [--rounds 15]
import { BenchMemory, randomWeights } from './lib.js';
import { measurePeak } from './peak.js';
import { lowerGemm, packGemmWeights, GEMM } from '../src/backends/wasm/kernels/gemm.js';
import { step } from '../src/backends/wasm/abi.js';
import { NO_ACTIVATION } from '../src/backends/wasm/kernels/types.js';
import type { Flavor } from '../src/backends/wasm/binaries.js';
import { WorkerPool } from '../src/backends/wasm/pool/pool.js';

const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const flavor = (opt('--flavor') ?? 'relaxed-threads') as Flavor;
const threads = Number(opt('--threads') ?? 2);
const rounds = Number(opt('--rounds') ?? 15);
const median = (xs: number[]) => { const a = [...xs].sort((x, y) => x - y); return a[a.length >> 1]; };

const peak = await measurePeak();
console.log(`batch-1 FC, ${flavor}, Node ${process.versions.node}; wasm SIMD peak (1 thread, same run) ${peak.mulAdd.toFixed(1)} GFLOP/s`);
const pool = await WorkerPool.create(threads);
for (const [k, n] of [[512, 1000], [1280, 1000], [1024, 10], [2048, 1000], [4096, 4096]]) {
  const m = await BenchMemory.create(flavor, 160 << 20);
  const x = m.alloc(k * 4), y = m.alloc(n * 4);
  new Float32Array(m.k.memory.buffer, x, k).set(randomWeights(k, 1));
  const weights = randomWeights(n * k), bias = randomWeights(n);
  const gemv = lowerGemm({ weights, bias, k, n, act: NO_ACTIVATION }, { ptr: x, rows: 1, stride: k }, { ptr: y, stride: n }, null, m.cw);
  const w6 = m.cw.f32(packGemmWeights(weights, k, n, bias));
  const tile = [step(GEMM.direct, { a: x, aStride: k, w: w6, c: y, cStride: n, r: 0, rStride: 0, k, n, act: 0, p0: 0, p1: 0 }, 1, 2 * k * n, GEMM.mr)];
  const runs = [m.runner(tile).run, m.runner(gemv).run];
  const plan = pool.prepare(gemv, m.k);
  const pooled = () => pool.run(plan);
  for (let t0 = performance.now(); performance.now() - t0 < 300;) { runs[0](); runs[1](); await pooled(); }
  let t = performance.now(); runs[0](); const reps = Math.max(1, Math.round(2 / (performance.now() - t)));
  const r: number[][] = [[], [], []];
  for (let i = 0; i < rounds; i++) {
    for (const j of [0, 1]) { t = performance.now(); for (let q = 0; q < reps; q++) runs[j](); r[j].push((performance.now() - t) / reps); }
    t = performance.now(); for (let q = 0; q < reps; q++) await pooled(); r[2].push((performance.now() - t) / reps);
  }
  const [t6, tv, tp] = r.map(median);
  const flops = 2 * k * n, bytes = 4 * (k + 1) * n;
  const f = (ms: number) => `${ms.toFixed(4)} ms ${(flops / ms / 1e6).toFixed(1)} GFLOP/s ${(bytes / ms / 1e6).toFixed(1)} GB/s`;
  console.log(`FC ${k}→${n}`.padEnd(14), `4x8 tile: ${f(t6)} | gemv: ${f(tv)} (${(t6 / tv).toFixed(2)}x) | gemv ${threads} threads: ${f(tp)} (${(tv / tp).toFixed(2)}x over 1)`);
  pool.forget(m.k.memory);
}
await pool.dispose();
