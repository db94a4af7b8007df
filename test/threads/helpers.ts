// Shared by the thread-pool tests: a bump-allocated shared memory with a ConstWriter, and a
// "network" of Steps from every kernel family whose lower* exists, chained so later steps read
// earlier outputs (barriers matter).
import { createMemory, instantiate, compileFlavor, enableRelaxedSimdInNode, type Flavor, type KernelInstance } from '../../src/backends/wasm/binaries.js';
import type { ConstWriter, NhwcRef, Step } from '../../src/backends/wasm/kernels/types.js';
import { ActKind } from '../../src/backends/wasm/kernels/types.js';
import { lowerConv2d, type Conv2dDesc, type ConvOptions } from '../../src/backends/wasm/kernels/conv.js';
import { lowerGemm } from '../../src/backends/wasm/kernels/gemm.js';
import { bindSteps, runSerial } from '../../src/backends/wasm/executor.js';
import type { WorkerPool } from '../../src/backends/wasm/pool/pool.js';
import { rng } from '../helpers/rng.js';

await enableRelaxedSimdInNode();

/** The threads flavors this engine runs. */
export const threadFlavors: Flavor[] = [];
for (const f of ['simd-threads', 'relaxed-threads'] as Flavor[]) {
  try { await compileFlavor(f); threadFlavors.push(f); } catch { /* engine lacks it */ }
}

export class SharedArena {
  top = 1024;
  /** [ptr, bytes] of every buffer a step writes (reset to garbage before each run). */
  readonly outputs: [number, number][] = [];
  private constructor(readonly k: KernelInstance) {}
  static async create(flavor: Flavor, bytes = 32 << 20): Promise<SharedArena> {
    return new SharedArena(await instantiate(flavor, createMemory(flavor, bytes)));
  }
  get memory(): WebAssembly.Memory { return this.k.memory; }
  alloc(bytes: number): number {
    const p = this.top;
    this.top = (this.top + bytes + 16 + 15) & ~15;
    if (this.top > this.memory.buffer.byteLength) throw new Error('arena exhausted');
    return p;
  }
  f32(data: ArrayLike<number>): number {
    const p = this.alloc(data.length * 4);
    new Float32Array(this.memory.buffer, p, data.length).set(data);
    return p;
  }
  out(floats: number): number {
    const p = this.alloc(floats * 4);
    this.outputs.push([p, floats * 4]);
    return p;
  }
  nhwc(n: number, h: number, w: number, c: number, data?: Float32Array, pixelStride = c): NhwcRef {
    const floats = n * h * w * pixelStride;
    const ptr = data ? this.f32(data) : this.out(floats);
    return { ptr, n, h, w, c, pixelStride };
  }
  readonly cw: ConstWriter = {
    f32: (d) => this.f32(d),
    i32: (d) => { const p = this.alloc(d.byteLength); new Int32Array(this.memory.buffer, p, d.length).set(d); return p; },
    reserve: () => { /* alloc throws on its own when the arena is exhausted */ },
    zeros: (b) => { const p = this.alloc(b); new Uint8Array(this.memory.buffer, p, b).fill(0); return p; },
  };
  /** Fills every output buffer with a NaN pattern (unwritten bytes then show up in comparisons). */
  scramble(): void {
    const u = new Uint32Array(this.memory.buffer);
    for (const [p, b] of this.outputs) u.fill(0x7fc0dead, p >> 2, (p + b) >> 2);
  }
  /** Bytes of every output buffer, concatenated. */
  snapshot(): Uint8Array {
    const total = this.outputs.reduce((s, [, b]) => s + b, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const [p, b] of this.outputs) { out.set(new Uint8Array(this.memory.buffer, p, b), at); at += b; }
    return out;
  }
  runSerial(steps: readonly Step[]): void { runSerial(bindSteps(steps, this.k)); }
  /** Runs `steps` on `pool` over this arena's memory (async: a refused prepare rejects, like a refused run). */
  async runOn(pool: WorkerPool, steps: readonly Step[]): Promise<void> { await pool.run(pool.prepare(steps, this.k)); }
}

export function firstDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function conv(a: SharedArena, r: ReturnType<typeof rng>, x: NhwcRef, cout: number, k: number, opts: Partial<Conv2dDesc> = {}, residual: NhwcRef | null = null, conv: ConvOptions = { winograd: false }): { steps: Step[]; y: NhwcRef } {
  const groups = opts.groups ?? 1;
  const s = opts.strides ?? [1, 1];
  const pads = opts.pads ?? [k >> 1, k >> 1, k >> 1, k >> 1];
  const oh = Math.floor((x.h + pads[0] + pads[2] - k) / s[0]) + 1, ow = Math.floor((x.w + pads[1] + pads[3] - k) / s[1]) + 1;
  const y = a.nhwc(x.n, oh, ow, cout);
  const desc: Conv2dDesc = {
    weights: r.floats(cout * (x.c / groups) * k * k, 0.3), bias: r.floats(cout, 0.1), cout,
    kernel: [k, k], strides: s as [number, number], pads: pads as [number, number, number, number], dilations: [1, 1], groups,
    act: opts.act ?? { kind: ActKind.Relu, p0: 0, p1: 0 },
  };
  return { steps: lowerConv2d(desc, x, y, residual, a.cw, conv), y };
}

export interface Net { steps: Step[]; families: string[]; skipped: string[] }

/**
 * A small network: big and small convolutions (gemm, igemm, dwconv, grouped), a residual, a gemm
 * classifier, and — when their lower* functions exist and the binary exports their kernels — pooling,
 * element-wise, softmax, layout and resize steps.
 */
export async function buildNet(a: SharedArena, seed = 7): Promise<Net> {
  const r = rng(seed);
  const steps: Step[] = [];
  const families = ['conv', 'gemm'];
  const skipped: string[] = [];
  const x = a.nhwc(1, 20, 20, 8, r.floats(20 * 20 * 8));
  const c1 = conv(a, r, x, 16, 3, { strides: [2, 2], pads: [1, 1, 1, 1] }); steps.push(...c1.steps);          // igemm 10x10
  const c2 = conv(a, r, c1.y, 16, 3, { groups: 16 }); steps.push(...c2.steps);                                // dwconv
  const c3 = conv(a, r, c2.y, 32, 1, {}); steps.push(...c3.steps);                                           // gemm
  const c4 = conv(a, r, c3.y, 32, 3, { groups: 4, act: { kind: ActKind.Clip, p0: -0.5, p1: 0.75 } }); steps.push(...c4.steps); // grouped: 4 steps
  const c5 = conv(a, r, c4.y, 32, 1, { act: { kind: ActKind.LeakyRelu, p0: 0.1, p1: 0 } }, c3.y); steps.push(...c5.steps); // residual
  const tiny = conv(a, r, a.nhwc(1, 2, 2, 3, r.floats(12)), 5, 1, {}); steps.push(...tiny.steps);             // a tiny step
  const big = conv(a, r, c5.y, 48, 3, { act: { kind: ActKind.HardSwish, p0: 0, p1: 0 } }); steps.push(...big.steps); // igemm: faults.test.ts times 200 of it
  // Winograd F(2x2,3x3) (10x10, 32→32 picks it) planned for 4 threads: 12 items, each with its own workspace slot, with a residual
  const wino = conv(a, r, c4.y, 32, 3, { act: { kind: ActKind.Sigmoid, p0: 0, p1: 0 } }, c3.y, { winograd: true, threads: 4, tileBlock: 6 });
  steps.push(...wino.steps);
  const wino4 = conv(a, r, c4.y, 20, 3, {}, null, { winograd: 4, threads: 3, tileBlock: 1 }); // F(4x4): 9 tiles, 9 items
  steps.push(...wino4.steps);
  let last: NhwcRef = big.y;

  // Optional families (written in parallel by others): included when they load and lower.
  const tryFamily = async (name: string, f: () => Promise<Step[]>) => {
    try {
      const s = await f();
      for (const st of s) if (typeof a.k.exports[st.kernel] !== 'function') throw new Error(`kernel ${st.kernel} not in binary`);
      steps.push(...s);
      families.push(name);
    } catch (e) {
      skipped.push(`${name} (${(e as Error).message.split('\n')[0]})`);
    }
  };
  await tryFamily('pool', async () => {
    const m = await import('../../src/backends/wasm/kernels/pool.js');
    const y = a.nhwc(1, 5, 5, 48);
    const s = [...m.lowerPool({ kind: 'max', kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, last, y, a.cw)];
    const y2 = a.nhwc(1, 5, 5, 48);
    s.push(...m.lowerPool({ kind: 'avg', kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], countIncludePad: false }, y, y2, a.cw));
    const g = a.nhwc(1, 1, 1, 48);
    s.push(...m.lowerGlobalPool('avg', y2, g, a.cw));
    last = y2;
    return s;
  });
  await tryFamily('eltwise', async () => {
    const m: any = await import('../../src/backends/wasm/kernels/eltwise.js');
    const n = last.n * last.h * last.w * last.pixelStride;
    const y = a.out(n);
    const s: Step[] = [...m.lowerActivation(last.ptr, y, n, { kind: ActKind.Sigmoid, p0: 0, p1: 0 })];
    const sc = a.nhwc(last.n, last.h, last.w, last.c);
    s.push(...m.lowerScaleShift({ ...last, ptr: y }, sc, r.floats(last.c), r.floats(last.c), { kind: ActKind.Tanh, p0: 0, p1: 0 }, a.cw));
    const z = a.out(n);
    const dims = [last.n * last.h * last.w, last.c];
    s.push(...m.lowerBinary({ op: 2, act: { kind: ActKind.None, p0: 0, p1: 0 }, dims, a: sc.ptr, aStrides: [last.c, 1], b: a.f32(r.floats(last.c)), bStrides: [0, 1], y: z, yStrides: [last.c, 1] }, a.cw));
    const f = a.out(1000);
    s.push(...m.lowerFill(f, 1000, 0.25));
    last = { ...sc, ptr: z };
    return s;
  });
  await tryFamily('layout', async () => {
    const m: any = await import('../../src/backends/wasm/kernels/layout.js');
    const nchw = a.out(last.n * last.c * last.h * last.w);
    const s: Step[] = [...m.lowerNhwcToNchw(last, nchw, a.cw)];
    const back = a.nhwc(last.n, last.h, last.w, last.c);
    s.push(...m.lowerNchwToNhwc(nchw, back, a.cw));
    const perm = a.out(last.n * last.c * last.h * last.w);
    { // NCHW → NHWC as a strided copy
      const dims = [last.n, last.c, last.h, last.w], xs = m.denseStrides(dims), ydims = [last.n, last.h, last.w, last.c];
      s.push(...m.lowerStridedCopy({ dims: ydims, src: nchw, srcStrides: [xs[0], xs[2], xs[3], xs[1]], dst: perm, dstStrides: m.denseStrides(ydims) }, a.cw));
    }
    return s;
  });
  await tryFamily('resize', async () => {
    const m: any = await import('../../src/backends/wasm/kernels/resize.js');
    const y = a.nhwc(last.n, last.h * 2, last.w * 2, last.c);
    const s: Step[] = [...m.lowerResize({ mode: 'linear', coordMode: 'half_pixel' }, last, y, a.cw)];
    const y2 = a.nhwc(last.n, last.h * 3, last.w * 2, last.c);
    s.push(...m.lowerResize({ mode: 'nearest', coordMode: 'asymmetric', nearestMode: 'floor' }, last, y2, a.cw));
    return s;
  });
  await tryFamily('softmax', async () => {
    const m: any = await import('../../src/backends/wasm/kernels/softmax.js');
    const rows = last.n * last.h * last.w;
    const y = a.out(rows * last.c);
    return m.lowerSoftmax(last.ptr, y, rows, last.c);
  });
  await tryFamily('reduce', async () => {
    const m: any = await import('../../src/backends/wasm/kernels/reduce.js');
    const dims = [last.n, last.c, last.h, last.w], ps = last.pixelStride;
    const xs = [last.h * last.w * ps, 1, last.w * ps, ps], n = last.n * last.h * last.w * last.c;
    const s: Step[] = [...m.lowerReduce('ReduceLogSumExp', last.ptr, a.out(last.n * last.c), { dims, reduced: new Set([2, 3]), x: xs, y: [last.c, 1, 0, 0] }, a.cw)];
    s.push(...m.lowerReduce('ReduceSum', last.ptr, a.out(last.n * last.h * last.w), { dims, reduced: new Set([1]), x: xs, y: [last.h * last.w, 0, last.w, 1] }, a.cw));
    s.push(...m.lowerSoftmaxNd('LogSoftmax', last.ptr, a.out(n), { dims, reduced: new Set([2]), x: xs, y: xs.map((v) => (v / ps) * last.c) }, a.cw));
    const c1 = xs.map((_, d) => (d === 1 ? 1 : 0));
    s.push(...m.lowerNormalize(last.ptr, a.out(n), { dims, reduced: new Set([2, 3]), x: xs, y: xs.map((v) => (v / ps) * last.c), s: c1, b: c1 }, a.f32(r.floats(last.c)), a.f32(r.floats(last.c)), 1e-5, false, a.cw));
    s.push(...m.lowerLrn(last.ptr, a.out(n), { dims, reduced: new Set([1]), x: xs, y: xs.map((v) => (v / ps) * last.c) }, 3, 0.1, 0.75, 1, a.cw));
    return s;
  });
  // classifier: gemm over the flattened last 1x1-ish tensor
  const fcIn = a.f32(r.floats(3 * 200));
  const fcOut = a.out(3 * 10);
  steps.push(...lowerGemm({ weights: r.floats(10 * 200, 0.1), bias: r.floats(10), k: 200, n: 10, act: { kind: ActKind.None, p0: 0, p1: 0 } }, { ptr: fcIn, rows: 3, stride: 200 }, { ptr: fcOut, stride: 10 }, null, a.cw));
  return { steps, families, skipped };
}
