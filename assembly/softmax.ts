// Softmax over the last axis of a contiguous [rows][n] tensor: y = exp(x - max) / sum(exp(x - max)).
// See docs/DESIGN.md, "Pooling, element-wise, softmax, layout, resize kernels".
import { exp1, exp4 } from './activation';

/**
 * Rows [begin, end) of x ([rows][n] floats, contiguous) into y (same shape; x == y allowed).
 * Three passes per row: max, exp(x - max) stored in y and summed, y /= sum. range = rows.
 */
export function f32_softmax(x: usize, y: usize, n: i32, begin: i32, end: i32): void {
  const rowB = <usize>n << 2;
  for (let r = begin; r < end; r++) {
    const xr = x + <usize>r * rowB;
    const yr = y + <usize>r * rowB;
    let j = 0;
    let m: f32 = -Infinity;
    let s: f32 = 0;
    if (ASC_FEATURE_SIMD) {
      let mv = f32x4.splat(-Infinity);
      for (; j + 4 <= n; j += 4) mv = f32x4.max(mv, v128.load(xr + (<usize>j << 2)));
      m = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    }
    for (; j < n; j++) m = max(m, load<f32>(xr + (<usize>j << 2)));
    j = 0;
    if (ASC_FEATURE_SIMD) {
      const mm = f32x4.splat(m);
      let sv = f32x4.splat(0);
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        const e = exp4(f32x4.sub(v128.load(xr + o), mm));
        v128.store(yr + o, e);
        sv = f32x4.add(sv, e);
      }
      s = (f32x4.extract_lane(sv, 0) + f32x4.extract_lane(sv, 1)) + (f32x4.extract_lane(sv, 2) + f32x4.extract_lane(sv, 3));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const e = exp1(load<f32>(xr + o) - m);
      store<f32>(yr + o, e);
      s += e;
    }
    j = 0;
    if (ASC_FEATURE_SIMD) {
      const sd = f32x4.splat(s);
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        v128.store(yr + o, f32x4.div(v128.load(yr + o), sd));
      }
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(yr + o, load<f32>(yr + o) / s);
    }
  }
}
