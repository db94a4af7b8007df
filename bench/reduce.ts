// Reductions, softmax family, normalizations and LRN (assembly/reduce.ts) on model-sized shapes, one
// thread, against a peer kernel of this project where one computes the same thing (global pooling, the
// row softmax) or a bound (instance norm's three passes against one scale+shift pass), interleaved in one process (rounds of A then B, median per kernel), plus GB/s and the
// machine's SIMD peak measured in the same run. Run: node --import tsx bench/reduce.ts [--flavor simd]
import { measurePeak } from './peak.js';
import { BenchMemory, randomWeights } from './lib.js';
import { lowerGlobalPool } from '../src/backends/wasm/kernels/pool.js';
import { lowerSoftmax } from '../src/backends/wasm/kernels/softmax.js';
import { lowerLrn, lowerNormalize, lowerReduce, lowerSoftmaxNd } from '../src/backends/wasm/kernels/reduce.js';
import { NO_ACTIVATION, type Step } from '../src/backends/wasm/kernels/types.js';
import { lowerScaleShift } from '../src/backends/wasm/kernels/eltwise.js';
import type { Flavor } from '../src/backends/wasm/binaries.js';

const args = process.argv.slice(2);
const flavor = (args.includes('--flavor') ? args[args.indexOf('--flavor') + 1] : 'simd') as Flavor;

interface Case { name: string; bytes: number; build: (m: BenchMemory) => Step[] }
const nhwcStrides = (c: number, h: number, w: number) => [h * w * c, 1, w * c, c];

const CASES: [Case, Case | null][] = [
  [{ name: 'ReduceMean H,W of NHWC 1280x7x7 (f32_reduce)', bytes: 1280 * 50 * 4, build: (m) => {
    const x = m.nhwc(1, 7, 7, 1280), y = m.nhwc(1, 1, 1, 1280);
    return lowerReduce('ReduceMean', x.ptr, y.ptr, { dims: [1, 1280, 7, 7], reduced: new Set([2, 3]), x: nhwcStrides(1280, 7, 7), y: [0, 1, 0, 0] }, m.cw);
  } }, { name: '  peer: global avgpool (f32_global_pool_nhwc)', bytes: 1280 * 50 * 4, build: (m) => lowerGlobalPool('avg', m.nhwc(1, 7, 7, 1280), m.nhwc(1, 1, 1, 1280), m.cw) }],
  [{ name: 'Softmax 1000 classes batch 8 (f32_softmax_nd, forced)', bytes: 2 * 8000 * 4, build: (m) => {
    const x = m.nhwc(1, 1, 8, 1000), y = m.nhwc(1, 1, 8, 1001); // y rows 1001 apart: not the row kernel
    return lowerSoftmaxNd('Softmax', x.ptr, y.ptr, { dims: [8, 1000], reduced: new Set([1]), x: [1000, 1], y: [1001, 1] }, m.cw);
  } }, { name: '  peer: row softmax (f32_softmax)', bytes: 2 * 8000 * 4, build: (m) => {
    const x = m.nhwc(1, 1, 8, 1000), y = m.nhwc(1, 1, 8, 1000);
    return lowerSoftmax(x.ptr, y.ptr, 8, 1000);
  } }],
  [{ name: 'LogSoftmax 1000 classes batch 8', bytes: 2 * 8000 * 4, build: (m) => {
    const x = m.nhwc(1, 1, 8, 1000), y = m.nhwc(1, 1, 8, 1000);
    return lowerSoftmaxNd('LogSoftmax', x.ptr, y.ptr, { dims: [8, 1000], reduced: new Set([1]), x: [1000, 1], y: [1000, 1] }, m.cw);
  } }, null],
  [{ name: 'Softmax over H of NHWC 64x56x56 (4 channels/vector)', bytes: 2 * 64 * 56 * 56 * 4, build: (m) => {
    const x = m.nhwc(1, 56, 56, 64), y = m.nhwc(1, 56, 56, 64);
    return lowerSoftmaxNd('Softmax', x.ptr, y.ptr, { dims: [1, 64, 56, 56], reduced: new Set([2]), x: nhwcStrides(64, 56, 56), y: nhwcStrides(64, 56, 56) }, m.cw);
  } }, null],
  [{ name: 'LayerNorm last axis [197, 768] (ViT-B)', bytes: 2 * 197 * 768 * 4, build: (m) => {
    const x = m.nhwc(1, 1, 197, 768), y = m.nhwc(1, 1, 197, 768);
    const s = m.cw.f32(randomWeights(768, 1)), b = m.cw.f32(randomWeights(768, 1));
    return lowerNormalize(x.ptr, y.ptr, { dims: [197, 768], reduced: new Set([1]), x: [768, 1], y: [768, 1], s: [0, 1], b: [0, 1] }, s, b, 1e-5, false, m.cw);
  } }, null],
  [{ name: 'InstanceNorm NHWC 64x56x56', bytes: 2 * 64 * 56 * 56 * 4, build: (m) => {
    const x = m.nhwc(1, 56, 56, 64), y = m.nhwc(1, 56, 56, 64);
    const s = m.cw.f32(randomWeights(64, 1)), b = m.cw.f32(randomWeights(64, 1)), st = nhwcStrides(64, 56, 56);
    return lowerNormalize(x.ptr, y.ptr, { dims: [1, 64, 56, 56], reduced: new Set([2, 3]), x: st, y: st, s: [0, 1, 0, 0], b: [0, 1, 0, 0] }, s, b, 1e-5, false, m.cw);
  } }, { name: '  peer: one pass of scale+shift (BatchNorm, f32_scale_shift_nhwc)', bytes: 2 * 64 * 56 * 56 * 4, build: (m) =>
    lowerScaleShift(m.nhwc(1, 56, 56, 64), m.nhwc(1, 56, 56, 64), randomWeights(64, 1), randomWeights(64, 1), NO_ACTIVATION, m.cw) }],
  [{ name: 'LRN size 5 NHWC 96x55x55 (AlexNet)', bytes: 2 * 96 * 55 * 55 * 4, build: (m) => {
    const x = m.nhwc(1, 55, 55, 96), y = m.nhwc(1, 55, 55, 96), st = nhwcStrides(96, 55, 55);
    return lowerLrn(x.ptr, y.ptr, { dims: [1, 96, 55, 55], reduced: new Set([1]), x: st, y: st }, 5, 1e-4, 0.75, 1, m.cw);
  } }, null],
];

function median(a: number[]): number { const s = [...a].sort((p, q) => p - q); return s[s.length >> 1]; }

const peak = await measurePeak();
console.log(`flavor ${flavor}; wasm SIMD peak (1 thread, this run): ${peak.mulAdd.toFixed(1)} GFLOP/s`);
for (const pair of CASES) {
  const runs = await Promise.all(pair.filter((c): c is Case => !!c).map(async (c) => {
    const m = await BenchMemory.create(flavor, 64 << 20);
    return { c, run: m.runner(c.build(m)).run, t: [] as number[] };
  }));
  for (const r of runs) for (let t0 = performance.now(); performance.now() - t0 < 300;) r.run(); // tier up
  for (let round = 0; round < 15; round++) for (const r of runs) {
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 20) { r.run(); n++; }
    r.t.push((performance.now() - t0) / n);
  }
  const ms = runs.map((r) => median(r.t));
  runs.forEach((r, k) => console.log(`${r.c.name.padEnd(58)} ${ms[k].toFixed(4).padStart(8)} ms ${(r.c.bytes / ms[k] / 1e6).toFixed(1).padStart(6)} GB/s${k ? `   ratio ours/peer ${(ms[0] / ms[k]).toFixed(2)}` : ''}`));
}
