// Depthwise 3x3 layers of mobilenet_v2 (every distinct shape): 1 thread (serial executor) vs the pool, interleaved
// rounds in one process (this shared machine is noisy: ratios of medians of interleaved samples).
//   node --import tsx bench/dw-threads.ts [--flavor relaxed-threads] [--threads 2] [--rounds 15]
import { BenchMemory, randomWeights } from './lib.js';
import { lowerConv2d } from '../src/backends/wasm/kernels/conv.js';
import { ActKind } from '../src/backends/wasm/kernels/types.js';
import type { Flavor } from '../src/backends/wasm/binaries.js';
import { WorkerPool } from '../src/backends/wasm/pool/pool.js';

const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const flavor = (opt('--flavor') ?? 'relaxed-threads') as Flavor;
const threads = Number(opt('--threads') ?? 2);
const rounds = Number(opt('--rounds') ?? 15);

/** [input hw, channels, stride] of every depthwise 3x3 layer shape in torchvision's mobilenet_v2 (ReLU6 epilogue). */
export const MOBILENET_V2_DW: [number, number, number][] = [
  [112, 32, 1], [112, 96, 2], [56, 144, 1], [56, 144, 2], [28, 192, 1], [28, 192, 2],
  [14, 384, 1], [14, 576, 1], [14, 576, 2], [7, 960, 1],
];
const RELU6 = { kind: ActKind.Clip, p0: 0, p1: 6 };
const median = (xs: number[]) => { const a = [...xs].sort((x, y) => x - y); return a[a.length >> 1]; };

if (import.meta.url === `file://${process.argv[1]}`) {
console.log(`depthwise 3x3, mobilenet_v2 shapes, ${flavor}: 1 thread vs ${threads}, Node ${process.versions.node}`);
for (const [hw, c, s] of MOBILENET_V2_DW) {
  const m = await BenchMemory.create(flavor, 64 << 20);
  const x = m.nhwc(1, hw, hw, c);
  const o = Math.floor((hw + 2 - 3) / s) + 1;
  const y = m.nhwc(1, o, o, c);
  const steps = lowerConv2d({ weights: randomWeights(c * 9), bias: randomWeights(c), cout: c, kernel: [3, 3], strides: [s, s],
    pads: [1, 1, 1, 1], dilations: [1, 1], groups: c, act: RELU6 }, x, y, null, m.cw);
  const { run, flops } = m.runner(steps);
  const pool = await WorkerPool.create(threads);
  const plan = pool.prepare(steps, m.k);
  // enough calls per sample for ≈ 2 ms; V8 tiers up first
  for (let t0 = performance.now(); performance.now() - t0 < 300;) { run(); await pool.run(plan); }
  let t = performance.now(); run(); const reps = Math.max(1, Math.round(2 / (performance.now() - t)));
  const a: number[] = [], b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    t = performance.now(); for (let i = 0; i < reps; i++) run(); a.push((performance.now() - t) / reps);
    t = performance.now(); for (let i = 0; i < reps; i++) await pool.run(plan); b.push((performance.now() - t) / reps);
  }
  await pool.dispose();
  const t1 = median(a), tn = median(b);
  console.log(`dw 3x3/${s} ${hw}x${hw}x${c}`.padEnd(24) + ` 1 thread ${t1.toFixed(3)} ms (${(flops / t1 / 1e6).toFixed(1)} GFLOP/s) | ${threads} threads ${tn.toFixed(3)} ms | speed-up ${(t1 / tn).toFixed(2)}x`);
}
}
