// Runs single kernels in every binary the engine validates, over a bump-allocated memory.
import { FLAVORS, type Flavor, createMemory, instantiate, compileFlavor, enableRelaxedSimdInNode, type KernelInstance } from '../../src/backends/wasm/binaries.js';
import * as assert from 'uvu/assert';

export { FLAVORS, type Flavor };

await enableRelaxedSimdInNode();

/** Flavors the current engine can run; every kernel test loops over these. */
export const flavors: Flavor[] = [];
for (const f of FLAVORS) {
  try { await compileFlavor(f); flavors.push(f); } catch { /* engine lacks it */ }
}

export class Harness {
  readonly k: KernelInstance;
  private top = 1024; // 0 is never a tensor address (null pointer), keep low bytes free
  private constructor(k: KernelInstance) { this.k = k; }
  static async create(flavor: Flavor, bytes = 64 << 20): Promise<Harness> {
    const memory = createMemory(flavor, bytes);
    return new Harness(await instantiate(flavor, memory));
  }
  get f32(): Float32Array { return new Float32Array(this.k.memory.buffer); }
  get i32(): Int32Array { return new Int32Array(this.k.memory.buffer); }
  reset(): void { this.top = 1024; }
  /** Reserves `n` floats (16-byte aligned) and fills them with `fill` (default NaN, to catch unwritten reads). */
  alloc(n: number, fill = NaN): number {
    const p = this.top;
    this.top = (this.top + n * 4 + 15 + 16) & ~15; // 16-byte guard gap
    if (this.top > this.k.memory.buffer.byteLength) throw new Error('harness memory exhausted');
    this.f32.fill(fill, p >> 2, (p >> 2) + n);
    return p;
  }
  put(data: ArrayLike<number>): number {
    const p = this.alloc(data.length);
    this.f32.set(data, p >> 2);
    return p;
  }
  putI32(data: ArrayLike<number>): number {
    const p = this.alloc(data.length);
    this.i32.set(data, p >> 2);
    return p;
  }
  get(p: number, n: number): Float32Array { return this.f32.slice(p >> 2, (p >> 2) + n); }
  call(name: string, ...args: number[]): void {
    const fn = this.k.exports[name];
    if (typeof fn !== 'function') throw new Error(`kernel '${name}' is not exported by ${this.k.flavor}`);
    fn(...args);
  }
}

/** |a - b| <= atol + rtol * |b| elementwise, with a message naming the first bad index. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number, what: string, nonFinite = false): void {
  assert.is(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (nonFinite && (a === e || (Number.isNaN(a) && Number.isNaN(e)))) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      assert.unreachable(`${what}: index ${i}: got ${a}, expected ${e} (atol ${atol}, rtol ${rtol})`);
    }
  }
}
