// One tester for the kernel families (test/kernels/*.test.ts), in the manner of XNNPACK's per-kernel
// testers: a test body gets a KernelTester on a fresh Harness for one kernel binary, places its inputs
// (NHWC with a pixel stride and channel offset, rows with a stride, dense), lowers the operation to Steps
// and hands them to `check`, which
//   1. runs the steps over their whole ranges,
//   2. compares the output with the expected values (the reference kernels, src/backends/reference/
//      kernels/*, in float64) within a tolerance — or exactly, against the float32-rounded expectation,
//   3. asserts that nothing outside the output's elements changed (every other float of its allocation,
//      gaps between pixels, channels outside a slice, a guard float past a dense output, stays NaN),
//   4. fills the output with NaN again and reruns the steps with each range cut in pieces (1-item pieces
//      at both ends, cuts at GEMM tile edges and random ones): the bytes must be identical, since the
//      worker pool may split any step anywhere.
// `KernelTester.each` registers one uvu test per binary the engine validates, and fails a test that
// checked no case (a sweep that silently became empty).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { flavors, Harness, assertClose, type Flavor } from './harness.js';
import { HarnessConstWriter } from './const-writer.js';
import { rng } from './rng.js';
import type { NhwcRef, Step } from '../../src/backends/wasm/kernels/types.js';

export { flavors, type Flavor };
export type Rng = ReturnType<typeof rng>;

/** |got - expected| ≤ atol + rtol·|expected|; EXACT compares with the expectation rounded to float32.
 * `nonFinite`: compares with the expectation rounded to float32 (overflowing to ±Infinity as float32 does), and
 * equal values (±Infinity) and NaN where NaN is expected pass (functions with poles and domains). */
export interface Tol { atol: number; rtol: number; nonFinite?: boolean }
export const EXACT: Tol = { atol: 0, rtol: 0 };

/**
 * Floats of the harness memory holding one tensor: `total` floats from `base`, of which the tensor's
 * elements (logical, row-major `dims`) sit at `offset + Σ index[k]·strides[k]`; every other float of the
 * allocation is NaN and must stay so.
 */
export class View {
  constructor(private readonly h: Harness, readonly base: number, readonly total: number,
    readonly dims: readonly number[], readonly strides: readonly number[], readonly offset = 0) {}

  /** Address of the element at index 0 (a kernel argument). */
  get ptr(): number { return this.base + this.offset * 4; }
  get size(): number { return this.dims.reduce((a, b) => a * b, 1); }

  /** The NhwcRef of a view made by allocNhwc/putNhwc (dims [n, c, h, w], channels innermost). */
  get ref(): NhwcRef {
    if (this.dims.length !== 4 || this.strides[1] !== 1) throw new Error('View.ref: not an NHWC view');
    const [n, c, hh, w] = this.dims;
    return { ptr: this.ptr, n, h: hh, w, c, pixelStride: this.strides[3] };
  }

  private pos: Int32Array | null = null;
  /** Float offsets (from base) of the elements, in logical order. */
  private positions(): Int32Array {
    if (this.pos) return this.pos;
    const out = this.pos = new Int32Array(this.size);
    const idx = new Array(this.dims.length).fill(0);
    for (let k = 0; k < out.length; k++) {
      let p = this.offset;
      for (let d = 0; d < idx.length; d++) p += idx[d] * this.strides[d];
      out[k] = p;
      for (let d = idx.length - 1; d >= 0; d--) { if (++idx[d] < this.dims[d]) break; idx[d] = 0; }
    }
    return out;
  }

  /** The elements in logical order (NCHW for an NHWC view). */
  read(): Float32Array {
    const f = this.h.f32, b = this.base >> 2, pos = this.positions();
    const out = new Float32Array(pos.length);
    for (let k = 0; k < pos.length; k++) out[k] = f[b + pos[k]];
    return out;
  }

  /** Writes `data` (logical order) into the elements. */
  write(data: ArrayLike<number>): this {
    const f = this.h.f32, b = this.base >> 2, pos = this.positions();
    if (data.length !== pos.length) throw new Error(`View.write: ${data.length} values for ${pos.length} elements`);
    for (let k = 0; k < pos.length; k++) f[b + pos[k]] = data[k];
    return this;
  }

  /** Index (from base, in floats) of the first float outside the elements that is not NaN, or -1. */
  firstTouchedOutside(): number {
    const f = this.h.f32, b = this.base >> 2;
    const mine = new Uint8Array(this.total);
    for (const p of this.positions()) mine[p] = 1;
    for (let i = 0; i < this.total; i++) if (!mine[i] && !Number.isNaN(f[b + i])) return i;
    return -1;
  }

  /** Raw bytes of the whole allocation (bitwise comparisons). */
  bytes(): Uint32Array { return new Uint32Array(this.h.k.memory.buffer.slice(this.base, this.base + this.total * 4)); }
  fillNaN(): void { this.h.f32.fill(NaN, this.base >> 2, (this.base >> 2) + this.total); }
}

const denseStrides = (dims: readonly number[]): number[] => {
  const s = new Array(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1] * dims[i + 1];
  return s;
};

/** Index of the first differing word, or -1 (lengths differing: 0). */
export function sameBits(a: Uint32Array, b: Uint32Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** Runs steps; each step's range is cut at the points `cuts(range)` returns (0 and range implied). */
export function runSteps(h: Harness, steps: readonly Step[], cuts: (range: number) => number[] = () => []): void {
  for (const s of steps) {
    const pts = [0, ...cuts(s.range).filter((c) => c > 0 && c < s.range).sort((a, b) => a - b), s.range];
    for (let i = 0; i + 1 < pts.length; i++) if (pts[i] < pts[i + 1]) h.call(s.kernel, ...s.args, pts[i], pts[i + 1]);
  }
}

/** Cut points: 1-item pieces at both ends, the edges of the first GEMM tiles (5, 6, 7, 13: 4-row tiles, and the 6-row ones of earlier builds), four random ones. */
export function someCuts(next: () => number): (range: number) => number[] {
  return (range) => {
    const c = [1, 2, 5, 6, 7, 13, range - 1];
    for (let i = 0; i < 4; i++) c.push(Math.floor(next() * range));
    return c;
  };
}

let checkedInProcess = 0;
/** Cases checked by every KernelTester of this process (for counting a sweep). */
export const casesChecked = (): number => checkedInProcess;

export class KernelTester {
  /** Constants of the current case (weights, tables); a new writer per reset, since reset reuses memory. */
  cw: HarnessConstWriter;
  /** Cases this tester checked. */
  checked = 0;
  /** Cut points of the partition reruns. */
  readonly cuts: (range: number) => number[];

  private constructor(readonly h: Harness, readonly r: Rng) {
    this.cw = new HarnessConstWriter(h);
    this.cuts = someCuts(r.next);
  }

  get flavor(): Flavor { return this.h.k.flavor; }

  static async create(flavor: Flavor, seed = 1): Promise<KernelTester> {
    return new KernelTester(await Harness.create(flavor), rng(seed));
  }

  /**
   * One uvu test per kernel binary: `${family} ${flavor}: ${title}`, its body given a tester seeded with
   * `seed`. The test fails when the body checked no case; registering fails when no binary validates.
   */
  static each(family: string, title: string, body: (t: KernelTester) => void | Promise<void>, seed = 1): void {
    if (!flavors.length) test(`${family}: ${title}`, () => assert.unreachable('this engine validates no kernel binary'));
    for (const flavor of flavors) {
      const name = `${family} ${flavor}: ${title}`;
      test(name, async () => {
        const t = await KernelTester.create(flavor, seed);
        await body(t);
        assert.ok(t.checked > 0, `${name}: checked no case`);
      });
    }
  }

  /** Frees the harness memory for the next case. */
  reset(): this {
    this.h.reset();
    this.cw = new HarnessConstWriter(this.h);
    return this;
  }

  /** Counts a case checked by the caller's own assertions. */
  count(n = 1): void { this.checked += n; checkedInProcess += n; }

  // ---- placement: every float of an allocation not holding an element is NaN ----

  /** Dense data; its address. */
  put(data: ArrayLike<number>): number { return this.h.put(data); }

  /** `n` dense floats (NaN) and a guard float after them. */
  allocDense(n: number): View { return new View(this.h, this.h.alloc(n + 1), n + 1, [n], [1]); }
  putDense(data: ArrayLike<number>): View { return this.allocDense(data.length).write(data); }

  /** An NHWC tensor [n,h,w,ps] (NaN) whose channels [off, off + c) are the tensor (logical dims NCHW). */
  allocNhwc(n: number, c: number, h: number, w: number, ps = c, off = 0): View {
    if (off + c > ps) throw new Error('allocNhwc: off + c > pixelStride');
    const total = n * h * w * ps;
    return new View(this.h, this.h.alloc(Math.max(total, 1)), total, [n, c, h, w], [h * w * ps, 1, w * ps, ps], off);
  }
  /** NCHW data placed as NHWC. */
  putNhwc(x: ArrayLike<number>, n: number, c: number, h: number, w: number, ps = c, off = 0): View {
    return this.allocNhwc(n, c, h, w, ps, off).write(x);
  }

  /** `rows` rows of `cols` floats, `stride` floats apart, starting `off` floats into each row. */
  allocRows(rows: number, cols: number, stride = cols, off = 0): View {
    if (off + cols > stride) throw new Error('allocRows: off + cols > stride');
    return new View(this.h, this.h.alloc(Math.max(rows * stride, 1)), rows * stride, [rows, cols], [stride, 1], off);
  }
  putRows(x: ArrayLike<number>, rows: number, cols: number, stride = cols, off = 0): View {
    return this.allocRows(rows, cols, stride, off).write(x);
  }

  /** `total` floats (NaN) of which the elements of `dims` at `offset + Σ index·strides` are the tensor. */
  allocStrided(total: number, dims: number[], strides = denseStrides(dims), offset = 0): View {
    return new View(this.h, this.h.alloc(total), total, dims, strides, offset);
  }

  // ---- running and checking ----

  run(steps: readonly Step[], cuts?: (range: number) => number[]): void { runSteps(this.h, steps, cuts); }

  /**
   * Runs `steps` whole; compares `y` with `expected` (logical order) within `tol`; asserts nothing
   * outside `y`'s elements changed; reruns with cut ranges and asserts the same bytes. Returns the
   * output's bytes (for in-place comparisons).
   */
  check(steps: readonly Step[], y: View, expected: ArrayLike<number>, tol: Tol, what: string): Uint32Array {
    this.count();
    this.run(steps);
    const want = (tol.atol === 0 && tol.rtol === 0) || tol.nonFinite ? Float32Array.from(expected) : expected;
    assertClose(y.read(), want, tol.atol, tol.rtol, what, tol.nonFinite);
    const outside = y.firstTouchedOutside();
    assert.is(outside, -1, `${what}: wrote outside its output (float ${outside} of its allocation)`);
    const full = y.bytes();
    y.fillNaN();
    this.run(steps, this.cuts);
    const at = sameBits(y.bytes(), full);
    assert.is(at, -1, `${what}: a partition of the ranges changed the bytes (at float ${at})`);
    return full;
  }

  /** Asserts that `view`'s bytes are `want` (an in-place run against `check`'s result). */
  assertBytes(view: View, want: Uint32Array, what: string): void {
    const at = sameBits(view.bytes(), want);
    assert.is(at, -1, `${what} (at float ${at})`);
  }
}
