// Standalone activation kernel (f32_activation) throughput per code, one thread, 1 MiB of input (in L2):
// interleaved rounds in one process, median per code. Relu is the memory-bound ceiling.
//   node --import tsx bench/activations.ts [--flavor simd]
import { BenchMemory } from './lib.js';
import { lowerActivation } from '../src/backends/wasm/kernels/eltwise.js';
import { ActKind } from '../src/backends/wasm/kernels/types.js';
import type { Flavor } from '../src/backends/wasm/binaries.js';

const args = process.argv.slice(2);
const flavor = (args.includes('--flavor') ? args[args.indexOf('--flavor') + 1] : 'simd') as Flavor;
const m = await BenchMemory.create(flavor, 64 << 20);
const n = 1 << 18;
const x = m.nhwc(1, 1, n, 1).ptr, y = m.alloc(n * 4);
const kinds = Object.keys(ActKind).filter((k) => Number.isNaN(Number(k)) && k !== 'None') as (keyof typeof ActKind)[];
const runs = kinds.map((k) => m.runner(lowerActivation(x, y, n, { kind: ActKind[k], p0: 1, p1: 1 })).run);
const median = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];
for (const r of runs) for (let i = 0; i < 200; i++) r(); // V8 tiers the kernel up
const t = kinds.map(() => [] as number[]);
for (let round = 0; round < 15; round++) runs.forEach((r, k) => { const t0 = performance.now(); for (let i = 0; i < 20; i++) r(); t[k].push((performance.now() - t0) / 20); });
kinds.forEach((k, i) => console.log(`${k.padEnd(16)} ${(n / median(t[i]) / 1e3).toFixed(0).padStart(6)} Melem/s`));
