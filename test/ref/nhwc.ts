// Test plumbing shared by the pool/eltwise/softmax/layout/resize tests: NCHW <-> NHWC placement in a
// Harness (with pixelStride and channel offset, NaN everywhere else) and running Steps with partitions.
import type { Harness } from '../helpers/harness.js';
import type { NhwcRef, Step } from '../../src/backends/wasm/kernels/types.js';

export interface Placed { ref: NhwcRef; base: number; total: number; off: number }

/** Reserves an NHWC tensor [n,h,w,ps] (NaN) whose channels [off, off+c) are the tensor; returns its ref. */
export function allocNhwc(h: Harness, n: number, c: number, hh: number, w: number, ps = c, off = 0): Placed {
  if (off + c > ps) throw new Error('allocNhwc: off + c > pixelStride');
  const total = n * hh * w * ps;
  const base = h.alloc(Math.max(total, 1));
  return { ref: { ptr: base + off * 4, n, h: hh, w, c, pixelStride: ps }, base, total, off };
}

/** Places NCHW data as NHWC. */
export function putNhwc(h: Harness, x: ArrayLike<number>, n: number, c: number, hh: number, w: number, ps = c, off = 0): Placed {
  const p = allocNhwc(h, n, c, hh, w, ps, off);
  const f = h.f32;
  const b = p.base >> 2;
  for (let i = 0; i < n; i++) for (let ch = 0; ch < c; ch++) for (let y = 0; y < hh; y++) for (let xx = 0; xx < w; xx++) {
    f[b + ((i * hh + y) * w + xx) * ps + off + ch] = x[((i * c + ch) * hh + y) * w + xx];
  }
  return p;
}

/** Reads an NHWC tensor back as NCHW. */
export function getNhwc(h: Harness, p: Placed): Float32Array {
  const { n, c, h: hh, w, pixelStride: ps } = p.ref;
  const out = new Float32Array(n * c * hh * w);
  const f = h.f32;
  const b = p.base >> 2;
  for (let i = 0; i < n; i++) for (let ch = 0; ch < c; ch++) for (let y = 0; y < hh; y++) for (let xx = 0; xx < w; xx++) {
    out[((i * c + ch) * hh + y) * w + xx] = f[b + ((i * hh + y) * w + xx) * ps + p.off + ch];
  }
  return out;
}

/** Index of the first float of the allocation outside the tensor's channels that is not NaN, or -1. */
export function firstTouchedOutside(h: Harness, p: Placed): number {
  const f = h.f32;
  const b = p.base >> 2;
  const ps = p.ref.pixelStride;
  for (let i = 0; i < p.total; i++) {
    const ch = i % ps;
    if (ch >= p.off && ch < p.off + p.ref.c) continue;
    if (!Number.isNaN(f[b + i])) return i;
  }
  return -1;
}

/** Runs steps; each step's range is cut at the points `cuts(range)` returns (0 and range implied). */
export function runSteps(h: Harness, steps: Step[], cuts: (range: number) => number[] = () => []): void {
  for (const s of steps) {
    const pts = [0, ...cuts(s.range).filter((c) => c > 0 && c < s.range).sort((a, b) => a - b), s.range];
    for (let i = 0; i + 1 < pts.length; i++) if (pts[i] < pts[i + 1]) h.call(s.kernel, ...s.args, pts[i], pts[i + 1]);
  }
}

/** Cut generator: a few random cuts plus single-item pieces at both ends. */
export function someCuts(next: () => number): (range: number) => number[] {
  return (range) => {
    const c = [1, range - 1, 2];
    for (let i = 0; i < 4; i++) c.push(Math.floor(next() * range));
    return c;
  };
}

/** Raw bytes of `count` floats at `ptr` (for bitwise comparisons). */
export function bytesAt(h: Harness, ptr: number, count: number): Uint32Array {
  return new Uint32Array(h.k.memory.buffer.slice(ptr, ptr + count * 4));
}

export function sameBits(a: Uint32Array, b: Uint32Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** NCHW -> NHWC with `pixelStride` floats per pixel (gap filled with `fill`). */
export function nchwToNhwc(x: ArrayLike<number>, n: number, c: number, h: number, w: number, pixelStride = c, fill = NaN): Float32Array {
  const out = new Float32Array(n * h * w * pixelStride).fill(fill);
  for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) {
    out[((b * h + y) * w + xx) * pixelStride + ch] = x[((b * c + ch) * h + y) * w + xx];
  }
  return out;
}

/** NHWC (with pixelStride) -> NCHW. */
export function nhwcToNchw(x: ArrayLike<number>, n: number, c: number, h: number, w: number, pixelStride = c): Float64Array {
  const out = new Float64Array(n * c * h * w);
  for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) {
    out[((b * c + ch) * h + y) * w + xx] = x[((b * h + y) * w + xx) * pixelStride + ch];
  }
  return out;
}
