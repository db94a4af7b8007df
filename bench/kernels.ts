// Kernel families on real layer shapes (ResNet-18 and MobileNetV2), one thread, benchmark.js.
// Reports ms, GFLOP/s and the fraction of this machine's wasm SIMD peak measured in the same
// process (bench/peak.ts). Run: npm run bench:kernels [-- --flavor simd] [-- --quick]
import Benchmark from 'benchmark';
import { measurePeak } from './peak.js';
import { BenchMemory, randomWeights } from './lib.js';
import { lowerConv2d } from '../src/kernels/conv.js';
import { lowerGemm } from '../src/kernels/gemm.js';
import { ActKind, NO_ACTIVATION, type Step } from '../src/kernels/types.js';
import type { Flavor } from '../src/wasm/binaries.js';

const args = process.argv.slice(2);
const flavor = (args.includes('--flavor') ? args[args.indexOf('--flavor') + 1] : 'simd') as Flavor;
const quick = args.includes('--quick');
const RELU = { kind: ActKind.Relu, p0: 0, p1: 0 };

interface Case { family: string; name: string; build: (m: BenchMemory) => Step[] }

const conv = (name: string, cin: number, cout: number, hw: number, k: number, s: number, p: number, groups = 1): Case => ({
  family: groups === cin && groups > 1 ? 'dwconv' : k === 1 && s === 1 ? 'conv1x1' : 'conv',
  name,
  build: (m) => {
    const x = m.nhwc(1, hw, hw, cin);
    const o = Math.floor((hw + 2 * p - k) / s) + 1;
    const y = m.nhwc(1, o, o, cout);
    return lowerConv2d({
      weights: randomWeights(cout * (cin / groups) * k * k), bias: randomWeights(cout), cout,
      kernel: [k, k], strides: [s, s], pads: [p, p, p, p], dilations: [1, 1], groups, act: RELU,
    }, x, y, null, m.cw);
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
  conv('MobileNetV2 first 3x3/2 3→32 224', 3, 32, 224, 3, 2, 1),
  fc('FC 512→1000 batch 1 (ResNet-18)', 1, 512, 1000),
  fc('FC 1280→1000 batch 1 (MobileNetV2)', 1, 1280, 1000),
  fc('FC 1280→1000 batch 8', 8, 1280, 1000),
];

export interface Row { family: string; name: string; ms: number; gflops: number; peakFraction: number; kernel: string }

export async function benchKernels(cases = CASES, fl: Flavor = flavor): Promise<{ rows: Row[]; peak: number; relaxedPeak: number | null }> {
  const peak = await measurePeak();
  const rows: Row[] = [];
  for (const c of cases) {
    const m = await BenchMemory.create(fl);
    const steps = c.build(m);
    const { run, flops } = m.runner(steps);
    for (let i = 0; i < 30; i++) run(); // V8 tiers the kernels up from Liftoff to TurboFan
    const b = new Benchmark(c.name, run, { minSamples: quick ? 5 : 20, maxTime: quick ? 0.5 : 2 });
    b.run();
    const sec = (b as any).stats.mean as number;
    const gflops = flops / sec / 1e9;
    rows.push({ family: c.family, name: c.name, ms: sec * 1e3, gflops, peakFraction: gflops / peak.mulAdd, kernel: steps[0]?.kernel ?? '' });
  }
  return { rows, peak: peak.mulAdd, relaxedPeak: peak.relaxedMadd };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { rows, peak, relaxedPeak } = await benchKernels();
  console.log(`flavor ${flavor}; measured wasm SIMD peak (1 thread): ${peak.toFixed(1)} GFLOP/s mul+add, ${relaxedPeak?.toFixed(1) ?? 'n/a'} relaxed_madd`);
  console.log(`${'kernel shape'.padEnd(44)} ${'kernel'.padEnd(16)} ${'ms'.padStart(9)} ${'GFLOP/s'.padStart(8)} ${'of peak'.padStart(8)}`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(44)} ${r.kernel.padEnd(16)} ${r.ms.toFixed(3).padStart(9)} ${r.gflops.toFixed(1).padStart(8)} ${(r.peakFraction * 100).toFixed(0).padStart(7)}%`);
  }
}
