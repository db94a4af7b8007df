// Element-wise kernels: standalone activation, broadcasting binary ops with a fused activation,
// per-channel scale+shift (standalone batch-norm), fill, strided 2-D copy.
// See docs/DESIGN.md, "Pooling, element-wise, softmax, layout, resize kernels".
//
// Element-range kernels (activation, fill) split on single elements: the scalar tail computes exactly
// what a vector lane computes (activation.ts mirrors every operation), so any cut gives the same bytes.
// No fused multiply-add anywhere (the relaxed build gives the same bytes as the simd build).
import { activate1, activate4, activateRows, pow1, pow4 } from './activation';

/** Elements per column chunk of the row kernels (binary, copy2d): a long row is several range items. */
const CHUNK: i32 = 1024;

/** y[i] = act(x[i]) over [begin, end): activateRows' loop per code, or the scalar binary's one loop. */
@inline function actRange(x: usize, y: usize, begin: i32, end: i32, act: i32, p0: f32, p1: f32): void {
  if (ASC_FEATURE_SIMD) {
    const o = <usize>begin << 2;
    activateRows(x + o, y + o, 1, end - begin, 0, act, p0, p1);
  } else if (act != 0 || x != y) {
    for (let i = begin; i < end; i++) { const o = <usize>i << 2; store<f32>(y + o, activate1(load<f32>(x + o), act, p0, p1)); }
  }
}

/** y[i] = act(x[i]) for i in [begin, end); x == y allowed. range = element count. */
export function f32_activation(x: usize, y: usize, act: i32, p0: f32, p1: f32, begin: i32, end: i32): void {
  actRange(x, y, begin, end, act, p0, p1);
}

/** y[i] = value for i in [begin, end). range = element count. */
export function f32_fill(y: usize, value: f32, begin: i32, end: i32): void {
  let i = begin;
  if (ASC_FEATURE_SIMD) {
    const v = f32x4.splat(value);
    for (; i + 4 <= end; i += 4) v128.store(y + (<usize>i << 2), v);
  }
  for (; i < end; i++) store<f32>(y + (<usize>i << 2), value);
}

// ------------------------------------------------------------------ binary ops

@inline function op1(op: i32, a: f32, b: f32): f32 {
  switch (op) {
    case 0: return a + b;
    case 1: return a - b;
    case 2: return a * b;
    case 3: return a / b;
    case 4: return a < 0 ? a * b : a;
    case 5: return pow1(a, b);
    case 6: return min<f32>(a, b);
    default: return max<f32>(a, b);
  }
}
@inline function op4(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case 0: return f32x4.add(a, b);
    case 1: return f32x4.sub(a, b);
    case 2: return f32x4.mul(a, b);
    case 3: return f32x4.div(a, b);
    case 4: return v128.bitselect(f32x4.mul(a, b), a, f32x4.lt(a, f32x4.splat(0)));
    case 5: return pow4(a, b);
    case 6: return f32x4.min(a, b);
    default: return f32x4.max(a, b);
  }
}

/** One row segment of `len` elements: y[j] = a[j*as] op b[j*bs], y contiguous. */
@inline function binRow(op: i32, a: usize, as: i32, b: usize, bs: i32, y: usize, len: i32): void {
  let j = 0;
  if (as == 1 && bs == 1) {
    if (ASC_FEATURE_SIMD) {
      for (; j + 4 <= len; j += 4) {
        const o = <usize>j << 2;
        v128.store(y + o, op4(op, v128.load(a + o), v128.load(b + o)));
      }
    }
    for (; j < len; j++) {
      const o = <usize>j << 2;
      store<f32>(y + o, op1(op, load<f32>(a + o), load<f32>(b + o)));
    }
  } else if (as == 1 && bs == 0) {
    const bv = load<f32>(b);
    if (ASC_FEATURE_SIMD) {
      const bb = f32x4.splat(bv);
      for (; j + 4 <= len; j += 4) {
        const o = <usize>j << 2;
        v128.store(y + o, op4(op, v128.load(a + o), bb));
      }
    }
    for (; j < len; j++) {
      const o = <usize>j << 2;
      store<f32>(y + o, op1(op, load<f32>(a + o), bv));
    }
  } else if (as == 0 && bs == 1) {
    const av = load<f32>(a);
    if (ASC_FEATURE_SIMD) {
      const aa = f32x4.splat(av);
      for (; j + 4 <= len; j += 4) {
        const o = <usize>j << 2;
        v128.store(y + o, op4(op, aa, v128.load(b + o)));
      }
    }
    for (; j < len; j++) {
      const o = <usize>j << 2;
      store<f32>(y + o, op1(op, av, load<f32>(b + o)));
    }
  } else {
    const asB = <isize>as << 2, bsB = <isize>bs << 2;
    for (; j < len; j++) {
      store<f32>(y + (<usize>j << 2), op1(op, load<f32>(a + <usize>(<isize>j * asB)), load<f32>(b + <usize>(<isize>j * bsB))));
    }
  }
}

@inline function binLoop(op: i32, a: usize, b: usize, y: usize, prm: usize, act: i32, p0: f32, p1: f32, begin: i32, end: i32): void {
  const d1 = load<i32>(prm, 4), d2 = load<i32>(prm, 8), d3 = load<i32>(prm, 12);
  const a0 = load<i32>(prm, 16), a1 = load<i32>(prm, 20), a2 = load<i32>(prm, 24), a3 = load<i32>(prm, 28);
  const b0 = load<i32>(prm, 32), b1 = load<i32>(prm, 36), b2 = load<i32>(prm, 40), b3 = load<i32>(prm, 44);
  const y0 = load<i32>(prm, 48), y1 = load<i32>(prm, 52), y2 = load<i32>(prm, 56);
  const nck = (d3 + CHUNK - 1) / CHUNK;
  for (let it = begin; it < end; it++) {
    const row = it / nck;
    const ck = it - row * nck;
    const i2 = row % d2;
    const r01 = row / d2;
    const i1 = r01 % d1;
    const i0 = r01 / d1;
    const j0 = ck * CHUNK;
    const len = min(CHUNK, d3 - j0);
    const ao = <isize>i0 * a0 + <isize>i1 * a1 + <isize>i2 * a2 + <isize>j0 * a3;
    const bo = <isize>i0 * b0 + <isize>i1 * b1 + <isize>i2 * b2 + <isize>j0 * b3;
    const yo = <isize>i0 * y0 + <isize>i1 * y1 + <isize>i2 * y2 + <isize>j0;
    const yp = y + <usize>(yo << 2);
    binRow(op, a + <usize>(ao << 2), a3, b + <usize>(bo << 2), b3, yp, len);
    if (act != 0) actRange(yp, yp, 0, len, act, p0, p1);
  }
}

/**
 * y = act(a op b) with 4-D broadcasting; op 0 add, 1 sub, 2 mul, 3 div, 4 prelu (a < 0 ? a*b : a),
 * 5 pow (activation.ts pow1), 6 min, 7 max (wasm f32.min/max: NaN propagates).
 * prm: 16 i32 at a 4-byte aligned address: dims d0..d3 of the output, element strides of a (4), of b (4)
 * and of y (4; y's innermost stride must be 1). Stride 0 broadcasts. range = d0*d1*d2 * ceil(d3/1024)
 * items: output row (i0,i1,i2) split in column chunks of 1024 elements. y may alias a or b when that
 * operand is not broadcast.
 */
export function f32_binary(op: i32, a: usize, b: usize, y: usize, prm: usize, act: i32, p0: f32, p1: f32, begin: i32, end: i32): void {
  switch (op) {
    case 0: binLoop(0, a, b, y, prm, act, p0, p1, begin, end); break;
    case 1: binLoop(1, a, b, y, prm, act, p0, p1, begin, end); break;
    case 2: binLoop(2, a, b, y, prm, act, p0, p1, begin, end); break;
    case 3: binLoop(3, a, b, y, prm, act, p0, p1, begin, end); break;
    case 4: binLoop(4, a, b, y, prm, act, p0, p1, begin, end); break;
    case 5: binLoop(5, a, b, y, prm, act, p0, p1, begin, end); break;
    case 6: binLoop(6, a, b, y, prm, act, p0, p1, begin, end); break;
    default: binLoop(7, a, b, y, prm, act, p0, p1, begin, end); break;
  }
}

// ------------------------------------------------------------------ scale + shift

/**
 * y[p][c] = act(x[p][c] * scale[c] + shift[c]) over pixels p (NHWC, x pixels xStride floats apart,
 * y pixels yStride floats apart), c < channels. scale, shift: `channels` floats each.
 * range = pixels (N*H*W). x == y allowed.
 */
export function f32_scale_shift_nhwc(
  x: usize, xStride: i32, y: usize, yStride: i32, channels: i32, scale: usize, shift: usize,
  act: i32, p0: f32, p1: f32, begin: i32, end: i32,
): void {
  for (let p = begin; p < end; p++) {
    const xp = x + (<usize>p * <usize>xStride << 2);
    const yp = y + (<usize>p * <usize>yStride << 2);
    let ch = 0;
    if (ASC_FEATURE_SIMD) {
      for (; ch + 4 <= channels; ch += 4) {
        const o = <usize>ch << 2;
        const v = f32x4.add(f32x4.mul(v128.load(xp + o), v128.load(scale + o)), v128.load(shift + o));
        v128.store(yp + o, activate4(v, act, p0, p1));
      }
    }
    for (; ch < channels; ch++) {
      const o = <usize>ch << 2;
      store<f32>(yp + o, activate1(load<f32>(xp + o) * load<f32>(scale + o) + load<f32>(shift + o), act, p0, p1));
    }
  }
}

// ------------------------------------------------------------------ copy

/**
 * dst[r*dstStride + j] = src[r*srcStride + j] for r < rows, j < cols (strides in floats).
 * range = rows * ceil(cols/1024) items (row r, column chunk k). Regions must not overlap.
 */
export function f32_copy2d(src: usize, srcStride: i32, dst: usize, dstStride: i32, rows: i32, cols: i32, begin: i32, end: i32): void {
  const nck = (cols + CHUNK - 1) / CHUNK;
  for (let it = begin; it < end; it++) {
    const r = it / nck;
    const j0 = (it - r * nck) * CHUNK;
    const len = min(CHUNK, cols - j0);
    const s = src + ((<usize>r * <usize>srcStride + <usize>j0) << 2);
    const d = dst + ((<usize>r * <usize>dstStride + <usize>j0) << 2);
    memory.copy(d, s, <usize>len << 2);
  }
  void rows;
}
