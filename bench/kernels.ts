// Kernel families on real layer shapes (ResNet-18 and MobileNetV2), one thread, benchmark.js.
// Reports the median ms of benchmark.js's samples, GFLOP/s and the fraction of this machine's wasm SIMD
// peak measured in the same process (bench/peak.ts); bandwidth-bound families also in GB/s. Run: npm run bench:kernels [-- --flavor simd] [-- --quick] [-- --only 'dw 3x3']
// `--winograd` runs only the 3x3 comparison: direct igemm against Winograd F(2x2,3x3) on the same shape,
// interleaved (`--tile-block N` overrides Winograd's tiles per block, to tune WINOGRAD.tileBlock).
import Benchmark from 'benchmark';
import { measurePeak } from './peak.js';
import { BenchMemory, randomWeights } from './lib.js';
import { lowerConv2d, type ConvOptions } from '../src/backends/wasm/kernels/conv.js';
import { lowerGemm } from '../src/backends/wasm/kernels/gemm.js';
import { lowerMatMul } from '../src/backends/wasm/kernels/matmul.js';
import { lowerPool, lowerGlobalPool } from '../src/backends/wasm/kernels/pool.js';
import { lowerBinary, lowerActivation } from '../src/backends/wasm/kernels/eltwise.js';
import { lowerSoftmax } from '../src/backends/wasm/kernels/softmax.js';
import { lowerNchwToNhwc, lowerNhwcToNchw } from '../src/backends/wasm/kernels/layout.js';
import { ActKind, NO_ACTIVATION, type Step } from '../src/backends/wasm/kernels/types.js';
import type { Flavor } from '../src/backends/wasm/binaries.js';

const args = process.argv.slice(2);
const flavor = (args.includes('--flavor') ? args[args.indexOf('--flavor') + 1] : 'simd') as Flavor;
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null; // substring of the case names
const RELU = { kind: ActKind.Relu, p0: 0, p1: 0 };

/** `bytes`: memory traffic per run for the bandwidth-bound families (reported as GB/s). */
interface Case { family: string; name: string; bytes?: number; build: (m: BenchMemory) => Step[] }

const conv = (name: string, cin: number, cout: number, hw: number | [number, number], k: number, s: number, p: number, groups = 1, opts: ConvOptions = {}): Case => ({
  family: groups === cin && groups > 1 ? 'dwconv' : k === 1 && s === 1 ? 'conv1x1' : 'conv',
  name,
  build: (m) => {
    const [h, w] = typeof hw === 'number' ? [hw, hw] : hw;
    const x = m.nhwc(1, h, w, cin);
    const oh = Math.floor((h + 2 * p - k) / s) + 1, ow = Math.floor((w + 2 * p - k) / s) + 1;
    const y = m.nhwc(1, oh, ow, cout);
    return lowerConv2d({
      weights: randomWeights(cout * (cin / groups) * k * k), bias: randomWeights(cout), cout,
      kernel: [k, k], strides: [s, s], pads: [p, p, p, p], dilations: [1, 1], groups, act: RELU,
    }, x, y, null, m.cw, { threads: m.threads, ...opts });
  },
});

const fc = (name: string, batch: number, k: number, n: number): Case => ({
  family: 'gemm',
  name,
  build: (m) => {
    const x = m.alloc(batch * k * 4), y = m.alloc(batch * n * 4);
    return lowerGemm({ weights: randomWeights(n * k), bias: randomWeights(n), k, n, act: NO_ACTIVATION },
      { ptr: x, rows: batch, stride: k }, { ptr: y, stride: n }, null, m.cw);
  },
});

/** Batched MatMul of two run-time operands, dense [batch, m, k] x [batch, k, n]. */
const matmul = (name: string, batch: number, m: number, k: number, n: number): Case => ({
  family: 'matmul',
  name,
  build: (m_) => {
    const a = m_.nhwc(1, batch, m, k), b = m_.nhwc(1, batch, k, n), c = m_.alloc(batch * m * n * 4);
    const op = (ptr: number, rows: number, cols: number) => ({ ptr, batchStrides: [rows * cols], rowStride: cols, colStride: 1 });
    return lowerMatMul({ batch: [batch], m, k, n, a: op(a.ptr, m, k), b: op(b.ptr, k, n), c: op(c, m, n) }, m_.cw);
  },
});

const pool = (name: string, kind: 'max' | 'avg', c: number, hw: number, k: number, st: number, p: number): Case => {
  const o = Math.floor((hw + 2 * p - k) / st) + 1;
  return {
    family: 'pool', name, bytes: (hw * hw + o * o) * c * 4,
    build: (m) => lowerPool({ kind, kernel: [k, k], strides: [st, st], pads: [p, p, p, p] }, m.nhwc(1, hw, hw, c), m.nhwc(1, o, o, c), m.cw),
  };
};

const elementwise: Case[] = [
  { family: 'eltwise', name: 'residual add + ReLU 56x56x64 (ResNet-18)', bytes: 3 * 56 * 56 * 64 * 4, build: (m) => {
    const a = m.nhwc(1, 56, 56, 64), b = m.nhwc(1, 56, 56, 64), y = m.nhwc(1, 56, 56, 64);
    const n = 56 * 56 * 64;
    return lowerBinary({ op: 'add', act: RELU, dims: [n], a: a.ptr, aStrides: [1], b: b.ptr, bStrides: [1], y: y.ptr, yStrides: [1] }, m.cw);
  } },
  { family: 'eltwise', name: 'sigmoid 28x28x128', bytes: 2 * 28 * 28 * 128 * 4, build: (m) => {
    const x = m.nhwc(1, 28, 28, 128), y = m.nhwc(1, 28, 28, 128);
    return lowerActivation(x.ptr, y.ptr, 28 * 28 * 128, { kind: ActKind.Sigmoid, p0: 0, p1: 0 });
  } },
  { family: 'softmax', name: 'softmax 1000 classes, batch 8', bytes: 2 * 8000 * 4, build: (m) => {
    const x = m.nhwc(1, 1, 8, 1000), y = m.nhwc(1, 1, 8, 1000);
    return lowerSoftmax(x.ptr, y.ptr, 8, 1000);
  } },
  { family: 'layout', name: 'NCHW→NHWC input 3x224x224', bytes: 2 * 3 * 224 * 224 * 4, build: (m) => {
    const src = m.alloc(3 * 224 * 224 * 4);
    return lowerNchwToNhwc(src, m.nhwc(1, 224, 224, 3), m.cw);
  } },
  { family: 'layout', name: 'NHWC→NCHW output 3x224x224', bytes: 2 * 3 * 224 * 224 * 4, build: (m) => {
    const dst = m.alloc(3 * 224 * 224 * 4);
    return lowerNhwcToNchw(m.nhwc(1, 224, 224, 3), dst, m.cw);
  } },
];

export const CASES: Case[] = [
  conv('issue: 3x3 64→64 56x56 (ResNet-18 layer1)', 64, 64, 56, 3, 1, 1),
  conv('issue: 1x1 128→256 28x28', 128, 256, 28, 1, 1, 0),
  conv('ResNet-18 conv1 7x7/2 3→64 224', 3, 64, 224, 7, 2, 3),
  conv('ResNet-18 layer2 3x3 128→128 28x28', 128, 128, 28, 3, 1, 1),
  conv('ResNet-18 layer3 3x3/2 128→256 28x28', 128, 256, 28, 3, 2, 1),
  conv('ResNet-18 layer4 3x3 512→512 7x7', 512, 512, 7, 3, 1, 1),
  conv('MobileNetV2 expand 1x1 24→144 56x56', 24, 144, 56, 1, 1, 0),
  conv('MobileNetV2 project 1x1 144→24 56x56', 144, 24, 56, 1, 1, 0),
  conv('MobileNetV2 1x1 320→1280 7x7', 320, 1280, 7, 1, 1, 0),
  conv('MobileNetV2 dw 3x3 144 56x56', 144, 144, 56, 3, 1, 1, 144),
  conv('MobileNetV2 dw 3x3/2 144 56x56', 144, 144, 56, 3, 2, 1, 144),
  conv('MobileNetV2 dw 3x3 32 112x112', 32, 32, 112, 3, 1, 1, 32),
  conv('MobileNetV2 dw 3x3 960 7x7', 960, 960, 7, 3, 1, 1, 960),
  conv('MobileNetV2 first 3x3/2 3→32 224', 3, 32, 224, 3, 2, 1),
  conv('SqueezeNet fire2 expand 3x3 16→64 55x55', 16, 64, 55, 3, 1, 1),
  conv('SqueezeNet fire6 expand 3x3 32→128 27x27', 32, 128, 27, 3, 1, 1),
  fc('FC 512→1000 batch 1 (ResNet-18)', 1, 512, 1000),
  fc('FC 1280→1000 batch 1 (MobileNetV2)', 1, 1280, 1000),
  fc('FC 1280→1000 batch 8', 8, 1280, 1000),
  matmul('MatMul 256x256 · 256x256 (activations)', 1, 256, 256, 256),
  matmul('MatMul 12 x (197x64 · 64x197) attention scores', 12, 197, 64, 197),
  pool('ResNet-18 maxpool 3x3/2 64 112x112', 'max', 64, 112, 3, 2, 1),
  pool('avgpool 3x3/1 256 28x28', 'avg', 256, 28, 3, 1, 1),
  { family: 'pool', name: 'global avgpool 1280x7x7 (MobileNetV2)', bytes: 1280 * 50 * 4, build: (m) => lowerGlobalPool('avg', m.nhwc(1, 7, 7, 1280), m.nhwc(1, 1, 1, 1280), m.cw) },
  ...elementwise,
];

export interface Row { family: string; name: string; ms: number; gflops: number; peakFraction: number; gbps: number | null; kernel: string }

export async function benchKernels(cases = CASES, fl: Flavor = flavor): Promise<{ rows: Row[]; peak: number; relaxedPeak: number | null }> {
  const peak = await measurePeak();
  const rows: Row[] = [];
  for (const c of cases) {
    const m = await BenchMemory.create(fl);
    const steps = c.build(m);
    const { run, flops } = m.runner(steps);
    for (let t0 = performance.now(), i = 0; i < 30 || performance.now() - t0 < 300; i++) run(); // V8 tiers the kernels up from Liftoff to TurboFan
    const b = new Benchmark(c.name, run, { minSamples: quick ? 5 : 20, maxTime: quick ? 0.5 : 2 });
    b.run();
    // median of benchmark.js's samples: robust to other work on this shared machine (the mean is not)
    const samples = [...((b as any).stats.sample as number[])].sort((p, q) => p - q);
    const sec = samples[samples.length >> 1];
    const gflops = flops / sec / 1e9;
    rows.push({ family: c.family, name: c.name, ms: sec * 1e3, gflops, peakFraction: gflops / peak.mulAdd, gbps: c.bytes ? c.bytes / sec / 1e9 : null, kernel: steps[0]?.kernel ?? '' });
  }
  return { rows, peak: peak.mulAdd, relaxedPeak: peak.relaxedMadd };
}

/** 3x3 stride-1 pad-1 shapes of the Winograd comparison: [cin, cout, h, w]. */
export const WINOGRAD_SHAPES: [number, number, number, number][] = [
  [64, 64, 56, 56], [128, 128, 28, 28], [256, 256, 14, 14], [512, 512, 7, 7],
  [32, 32, 56, 56], [16, 16, 56, 56], [8, 8, 56, 56], [3, 16, 64, 64], [64, 64, 8, 8], [64, 64, 6, 6], [128, 128, 4, 4],
  [24, 40, 31, 29], [37, 61, 15, 17], [256, 512, 5, 5],
];

/** Direct igemm vs Winograd F(2x2) and F(4x4) on each shape, one thread, interleaved rounds; median ms per run;
 * GFLOP/s of the direct algorithm's FLOP count (2·MACs) so the columns compare; the chosen kernel (auto). */
export async function compareWinograd(shapes = WINOGRAD_SHAPES, fl: Flavor = flavor, tileBlock?: number) {
  const peak = await measurePeak();
  const variants: ConvOptions[] = [{ winograd: false }, { winograd: 2, tileBlock }, { winograd: 4, tileBlock }];
  const out: { name: string; ms: number[]; gflops: number[]; auto: string }[] = [];
  for (const [cin, cout, h, w] of shapes) {
    const name = `3x3 ${cin}→${cout} ${h}x${w}`;
    const runs = [] as { run: () => void; flops: number }[];
    for (const opts of variants) {
      const m = await BenchMemory.create(fl, 256 << 20);
      runs.push(m.runner(conv(name, cin, cout, [h, w], 3, 1, 1, 1, opts).build(m)));
    }
    const probe = await BenchMemory.create(fl, 256 << 20);
    const auto = conv(name, cin, cout, [h, w], 3, 1, 1).build(probe)[0].kernel.replace('f32_', '');
    for (const r of runs) for (let t0 = performance.now(), i = 0; i < 20 || performance.now() - t0 < 300; i++) r.run();
    const times: number[][] = variants.map(() => []);
    for (let round = 0; round < (quick ? 5 : 9); round++) {
      for (let k = 0; k < variants.length; k++) {
        const v = (k + round) % variants.length; // rotate the order each round
        let n = 0;
        const t0 = performance.now();
        while (performance.now() - t0 < 50 || n < 3) { runs[v].run(); n++; }
        times[v].push((performance.now() - t0) / n);
      }
    }
    const med = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];
    const ms = times.map(med);
    out.push({ name, ms, gflops: ms.map((t) => runs[0].flops / t / 1e6), auto });
  }
  return { rows: out, peak: peak.mulAdd, relaxedPeak: peak.relaxedMadd };
}

if (import.meta.url === `file://${process.argv[1]}` && args.includes('--winograd')) {
  const tb = args.includes('--tile-block') ? Number(args[args.indexOf('--tile-block') + 1]) : undefined;
  const { rows, peak, relaxedPeak } = await compareWinograd(WINOGRAD_SHAPES, flavor, tb);
  console.log(`flavor ${flavor}; measured wasm SIMD peak (1 thread): ${peak.toFixed(1)} GFLOP/s mul+add, ${relaxedPeak?.toFixed(1) ?? 'n/a'} relaxed_madd; tile block ${tb ?? 'default'}`);
  console.log('GFLOP/s: the direct algorithm\'s 2·MACs over the time (effective rate), and % of the mul+add peak; speedups over direct');
  console.log(`${'shape'.padEnd(22)} ${'direct ms'.padStart(10)} ${'F2 ms'.padStart(8)} ${'F4 ms'.padStart(8)} ${'F2 x'.padStart(6)} ${'F4 x'.padStart(6)}  ${'GFLOP/s (% peak): direct / F2 / F4'.padEnd(36)} chosen`);
  for (const r of rows) {
    const g = r.gflops.map((x) => `${x.toFixed(1)} (${(100 * x / peak).toFixed(0)}%)`).join(' / ');
    console.log(`${r.name.padEnd(22)} ${r.ms[0].toFixed(3).padStart(10)} ${r.ms[1].toFixed(3).padStart(8)} ${r.ms[2].toFixed(3).padStart(8)} ${(r.ms[0] / r.ms[1]).toFixed(2).padStart(6)} ${(r.ms[0] / r.ms[2]).toFixed(2).padStart(6)}  ${g.padEnd(36)} ${r.auto}`);
  }
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const { rows, peak, relaxedPeak } = await benchKernels(CASES.filter((c) => !only || c.name.includes(only)));
  console.log(`flavor ${flavor}; measured wasm SIMD peak (1 thread): ${peak.toFixed(1)} GFLOP/s mul+add, ${relaxedPeak?.toFixed(1) ?? 'n/a'} relaxed_madd`);
  console.log(`${'kernel shape'.padEnd(44)} ${'kernel'.padEnd(24)} ${'ms'.padStart(9)} ${'GFLOP/s'.padStart(8)} ${'of peak'.padStart(8)} ${'GB/s'.padStart(6)}`);
  for (const r of rows) {
    const compute = r.gbps === null;
    console.log(`${r.name.padEnd(44)} ${r.kernel.padEnd(24)} ${r.ms.toFixed(3).padStart(9)} ${r.gflops.toFixed(1).padStart(8)} ${(compute ? (r.peakFraction * 100).toFixed(0) + '%' : '').padStart(8)} ${(r.gbps?.toFixed(1) ?? '').padStart(6)}`);
  }
}
