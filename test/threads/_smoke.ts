import { enableRelaxedSimdInNode, createMemory, compileFlavor, instantiate } from '/work/main/src/wasm/binaries.ts';
import { WorkerPool } from '/work/main/src/wasm/pool.ts';
import { lowerConv2d } from '/work/main/src/kernels/conv.ts';
import { bindSteps, runSerial } from '/work/main/src/wasm/executor.ts';
await enableRelaxedSimdInNode();
const flavor = 'simd-threads';
const memory = createMemory(flavor, 64 << 20);
const k = await instantiate(flavor, memory);
let top = 1024;
const alloc = (b: number) => { const p = top; top = (top + b + 63) & ~63; return p; };
const cw = { f32: (d: Float32Array) => { const p = alloc(d.byteLength); new Float32Array(memory.buffer, p, d.length).set(d); return p; },
  i32: (d: Int32Array) => { const p = alloc(d.byteLength); new Int32Array(memory.buffer, p, d.length).set(d); return p; },
  zeros: (b: number) => { const p = alloc(b); new Uint8Array(memory.buffer, p, b).fill(0); return p; } };
const h = 56, c = 64;
const x = { ptr: alloc(h*h*c*4), n: 1, h, w: h, c, pixelStride: c };
new Float32Array(memory.buffer, x.ptr, h*h*c).forEach((_, i, a) => a[i] = Math.sin(i));
const y = { ptr: alloc(h*h*c*4), n: 1, h, w: h, c, pixelStride: c };
const steps = lowerConv2d({ weights: new Float32Array(c*c*9).map((_, i) => Math.cos(i)*0.1), cout: c, kernel: [3,3], strides: [1,1], pads: [1,1,1,1], dilations: [1,1], groups: 1, act: { kind: 1, p0: 0, p1: 0 } }, x, y, null, cw);
runSerial(bindSteps(steps, k));
const ref = new Float32Array(memory.buffer, y.ptr, h*h*c).slice();
new Float32Array(memory.buffer, y.ptr, h*h*c).fill(NaN);
let t = performance.now();
const pool = await WorkerPool.create(k.module, memory, 2);
console.log('create ms', performance.now() - t);
await pool.run(steps);
const got = new Float32Array(memory.buffer, y.ptr, h*h*c);
let bad = 0; for (let i = 0; i < got.length; i++) if (!Object.is(got[i], ref[i])) bad++;
console.log('bad', bad);
const many = Array.from({ length: 20 }, () => steps[0]);
for (const T of [1]) { const bs = bindSteps(many, k); t = performance.now(); for (let i = 0; i < 10; i++) runSerial(bs); console.log('serial ms/run', (performance.now() - t) / 10); }
for (let i = 0; i < 3; i++) await pool.run(many);
t = performance.now(); for (let i = 0; i < 10; i++) await pool.run(many); console.log('pool ms/run', (performance.now() - t) / 10);
await pool.dispose();
console.log('disposed');
