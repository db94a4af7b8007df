// Shared by the benchmarks: a kernel instance over a bump-allocated memory, a ConstWriter over
// it, and a runner for lowered Steps (the same path a Session takes, without the graph).
import { instantiate, createMemory, enableRelaxedSimdInNode, type Flavor, type KernelInstance } from '../src/backends/wasm/binaries.js';
import type { ConstWriter, NhwcRef, Step } from '../src/backends/wasm/kernels/types.js';
import { bindSteps, runSerial } from '../src/backends/wasm/executor.js';

await enableRelaxedSimdInNode();

export class BenchMemory {
  private top = 4096;
  /** Threads the Steps will run on: kernels with per-item workspace (Winograd) split their work for them. */
  threads = 1;
  private constructor(readonly k: KernelInstance) {}
  static async create(flavor: Flavor, bytes = 512 << 20): Promise<BenchMemory> {
    return new BenchMemory(await instantiate(flavor, createMemory(flavor, bytes)));
  }
  alloc(bytes: number): number {
    const p = this.top;
    this.top = (this.top + bytes + 63) & ~63;
    if (this.top > this.k.memory.buffer.byteLength) throw new Error('bench memory exhausted');
    return p;
  }
  /** Random-filled NHWC tensor. */
  nhwc(n: number, h: number, w: number, c: number, seed = 1): NhwcRef {
    const ptr = this.alloc(n * h * w * c * 4);
    const f = new Float32Array(this.k.memory.buffer, ptr, n * h * w * c);
    for (let i = 0; i < f.length; i++) f[i] = Math.sin(i * 0.37 + seed);
    return { ptr, n, h, w, c, pixelStride: c };
  }
  readonly cw: ConstWriter = {
    f32: (d) => { const p = this.alloc(d.byteLength); new Float32Array(this.k.memory.buffer, p, d.length).set(d); return p; },
    i32: (d) => { const p = this.alloc(d.byteLength); new Int32Array(this.k.memory.buffer, p, d.length).set(d); return p; },
    zeros: (b) => { const p = this.alloc(b); new Uint8Array(this.k.memory.buffer, p, b).fill(0); return p; },
    reserve: () => { /* the bench memory is sized for its shapes */ },
  };
  /** A function running `steps` once, and their total FLOP. */
  runner(steps: Step[]): { run: () => void; flops: number } {
    const bound = bindSteps(steps, this.k);
    return { run: () => runSerial(bound), flops: steps.reduce((s, x) => s + x.flops, 0) };
  }
}

export function randomWeights(n: number, scale = 0.1): Float32Array {
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) w[i] = Math.cos(i * 1.3) * scale;
  return w;
}
