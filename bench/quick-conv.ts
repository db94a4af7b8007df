// Quick single-thread timing of the benchmark convolutions and one FC layer (not a test):
//   node --import tsx bench/quick-conv.ts [flavor...]   (ACT=<code> picks the epilogue activation, default ReLU)
import { enableRelaxedSimdInNode, instantiate, createMemory, type Flavor } from '../src/backends/wasm/binaries.js';
import { lowerConv2d, type Conv2dDesc } from '../src/backends/wasm/kernels/conv.js';
import { lowerGemm } from '../src/backends/wasm/kernels/gemm.js';
import { ActKind, type ConstWriter, type NhwcRef, type Step } from '../src/backends/wasm/kernels/types.js';

await enableRelaxedSimdInNode();

const shapes = [
  { name: '3x3 conv 64->64 56x56 pad1', cin: 64, cout: 64, h: 56, w: 56, k: 3, pad: 1 },
  { name: '1x1 conv 128->256 28x28', cin: 128, cout: 256, h: 28, w: 28, k: 1, pad: 0 },
  { name: 'dw 3x3 128 56x56 pad1', cin: 128, cout: 128, h: 56, w: 56, k: 3, pad: 1, groups: 128 },
  // FC (a classifier head): M = 1, K = 1280, N = 1000, lowered with lowerGemm.
  { name: 'FC 1x1280 -> 1000', cin: 1280, cout: 1000, h: 1, w: 1, k: 1, pad: 0, fc: true },
];
const flavors = (process.argv.slice(2).length ? process.argv.slice(2) : ['simd', 'relaxed-threads']) as Flavor[];

for (const flavor of flavors) {
  const memory = createMemory(flavor, 256 << 20);
  const k = await instantiate(flavor, memory);
  let top = 1024;
  const alloc = (bytes: number) => { const p = top; top = (top + bytes + 63) & ~63; return p; };
  const f32 = () => new Float32Array(memory.buffer);
  const cw: ConstWriter = {
    f32: (d) => { const p = alloc(d.byteLength); f32().set(d, p >> 2); return p; },
    i32: (d) => { const p = alloc(d.byteLength); new Int32Array(memory.buffer).set(d, p >> 2); return p; },
    zeros: (b) => { const p = alloc(b); f32().fill(0, p >> 2, (p + b) >> 2); return p; },
  };
  for (const s of shapes) {
    const groups = s.groups ?? 1;
    const x: NhwcRef = { ptr: 0, n: 1, h: s.h, w: s.w, c: s.cin, pixelStride: s.cin };
    x.ptr = alloc(s.h * s.w * s.cin * 4);
    const oh = s.h + 2 * s.pad - s.k + 1, ow = s.w + 2 * s.pad - s.k + 1;
    const y: NhwcRef = { ptr: alloc(oh * ow * s.cout * 4), n: 1, h: oh, w: ow, c: s.cout, pixelStride: s.cout };
    const xs = f32();
    for (let i = 0; i < s.h * s.w * s.cin; i++) xs[(x.ptr >> 2) + i] = Math.sin(i);
    const weights = new Float32Array(s.cout * (s.cin / groups) * s.k * s.k).map((_, i) => Math.cos(i) * 0.1);
    const desc: Conv2dDesc = {
      weights, bias: new Float32Array(s.cout).fill(0.5), cout: s.cout, kernel: [s.k, s.k], strides: [1, 1],
      pads: [s.pad, s.pad, s.pad, s.pad], dilations: [1, 1], groups, act: { kind: Number(process.env.ACT ?? ActKind.Relu), p0: 0, p1: 6 },
    };
    const steps: Step[] = s.fc
      ? lowerGemm({ weights, bias: desc.bias, k: s.cin, n: s.cout, act: desc.act }, { ptr: x.ptr, rows: 1, stride: s.cin },
        { ptr: y.ptr, stride: s.cout }, null, cw)
      : lowerConv2d(desc, x, y, null, cw);
    const run = () => { for (const st of steps) k.exports[st.kernel](...st.args, 0, st.range); };
    const flops = steps.reduce((a, st) => a + st.flops, 0);
    for (let i = 0; i < 5; i++) run();
    let best = Infinity;
    for (let rep = 0; rep < 7; rep++) {
      let iters = 0;
      const t0 = performance.now();
      let t1 = t0;
      while (t1 - t0 < 150) { run(); iters++; t1 = performance.now(); }
      best = Math.min(best, (t1 - t0) / iters);
    }
    console.log(`${flavor.padEnd(16)} ${s.name.padEnd(30)} ${steps[0].kernel.padEnd(16)} ${(best).toFixed(3)} ms  ${(flops / best / 1e6).toFixed(1)} GFLOP/s`);
  }
}
