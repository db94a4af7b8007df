// f32 matrix-vector product with a fused epilogue, for one-row GEMMs (batch-1 fully-connected layers):
//   y[0:n] = act(x[0:k] · W + bias + r[0:n]).
// The 4x8 GEMM tile would compute 4 rows of which 3 are copies of the one row (a row tail reuses the last
// row's pointer), so a one-row FC spends 6x the multiply-adds its weights need; this kernel does one
// multiply-add per weight and is bound by streaming the weights.
//
// Packed weights (src/backends/wasm/kernels/gemm.ts packGemv): groups of 32 output columns; group g covers
// columns [32g, min(32g + 32, n)) and is packed `wg` floats wide, wg = min(32, roundUp8(n - 32g)) (only the
// last group is narrower): a row of wg bias floats, then k rows of wg weights, W[kk][32g + j] at
// (1 + kk) * wg + j; columns ≥ n are zero. Every group but the last is (k + 1) * 32 floats, so group g starts
// at g * (k + 1) * 32 floats: one contiguous stream per group, read once.
// Each column is summed from its bias in k order, as the GEMM microkernel sums it, whatever range of groups
// a call computes: any partition gives the same bytes.
import { activate1, activate4 } from './activation';
import { madd, loadPartial, storePartial } from './simd';

/** Epilogue of 4 lanes holding columns [col, col + 4) of which `cnt` (1..4) are < n: + residual, act, store. */
@inline function finishLanes(v: v128, y: usize, r: usize, cnt: i32, act: i32, p0: f32, p1: f32): void {
  if (cnt >= 4) {
    if (r != 0) v = f32x4.add(v, v128.load(r));
    v128.store(y, activate4(v, act, p0, p1));
  } else {
    if (r != 0) v = f32x4.add(v, loadPartial(r, cnt));
    storePartial(y, activate4(v, act, p0, p1), cnt);
  }
}

function gemvSimd(x: usize, w: usize, y: usize, r: usize, k: i32, n: i32, act: i32, p0: f32, p1: f32, begin: i32, end: i32): void {
  const groupB = <usize>(k + 1) << 7; // bytes of a full group: (k + 1) rows of 32 floats
  for (let g = begin; g < end; g++) {
    const col = g << 5;
    const wg = min(32, (n - col + 7) & ~7);
    const wb = w + <usize>g * groupB;
    const yc = y + (<usize>col << 2), rc = r != 0 ? r + (<usize>col << 2) : 0;
    if (wg == 32) {
      // 8 accumulators: one x splat and 8 weight loads per k, 8 independent add chains
      let a0 = v128.load(wb), a1 = v128.load(wb, 16), a2 = v128.load(wb, 32), a3 = v128.load(wb, 48);
      let a4 = v128.load(wb, 64), a5 = v128.load(wb, 80), a6 = v128.load(wb, 96), a7 = v128.load(wb, 112);
      let wp = wb + 128, xp = x;
      for (let kk = 0; kk < k; kk++) {
        const xv = v128.load32_splat(xp);
        a0 = madd(xv, v128.load(wp), a0); a1 = madd(xv, v128.load(wp, 16), a1);
        a2 = madd(xv, v128.load(wp, 32), a2); a3 = madd(xv, v128.load(wp, 48), a3);
        a4 = madd(xv, v128.load(wp, 64), a4); a5 = madd(xv, v128.load(wp, 80), a5);
        a6 = madd(xv, v128.load(wp, 96), a6); a7 = madd(xv, v128.load(wp, 112), a7);
        wp += 128; xp += 4;
      }
      const left = n - col; // ≥ 25 here: only the last 8 columns may be partial
      finishLanes(a0, yc, rc, 4, act, p0, p1);
      finishLanes(a1, yc + 16, rc != 0 ? rc + 16 : 0, 4, act, p0, p1);
      finishLanes(a2, yc + 32, rc != 0 ? rc + 32 : 0, 4, act, p0, p1);
      finishLanes(a3, yc + 48, rc != 0 ? rc + 48 : 0, 4, act, p0, p1);
      finishLanes(a4, yc + 64, rc != 0 ? rc + 64 : 0, 4, act, p0, p1);
      finishLanes(a5, yc + 80, rc != 0 ? rc + 80 : 0, 4, act, p0, p1);
      finishLanes(a6, yc + 96, rc != 0 ? rc + 96 : 0, min(4, left - 24), act, p0, p1);
      if (left > 28) finishLanes(a7, yc + 112, rc != 0 ? rc + 112 : 0, left - 28, act, p0, p1);
    } else {
      // the last, narrower group: 8 columns at a time, rows wg floats apart
      const rowB = <usize>wg << 2;
      for (let j = 0; j < wg; j += 8) {
        const jb = <usize>j << 2;
        let a0 = v128.load(wb + jb), a1 = v128.load(wb + jb, 16);
        let wp = wb + rowB + jb, xp = x;
        for (let kk = 0; kk < k; kk++) {
          const xv = v128.load32_splat(xp);
          a0 = madd(xv, v128.load(wp), a0); a1 = madd(xv, v128.load(wp, 16), a1);
          wp += rowB; xp += 4;
        }
        const left = n - col - j;
        finishLanes(a0, yc + jb, rc != 0 ? rc + jb : 0, min(4, left), act, p0, p1);
        if (left > 4) finishLanes(a1, yc + jb + 16, rc != 0 ? rc + jb + 16 : 0, min(4, left - 4), act, p0, p1);
      }
    }
  }
}

function gemvScalar(x: usize, w: usize, y: usize, r: usize, k: i32, n: i32, act: i32, p0: f32, p1: f32, begin: i32, end: i32): void {
  const groupB = <usize>(k + 1) << 7;
  for (let g = begin; g < end; g++) {
    const col = g << 5;
    const wg = min(32, (n - col + 7) & ~7);
    const rowB = <usize>wg << 2;
    const wb = w + <usize>g * groupB;
    const cols = min(wg, n - col);
    for (let j = 0; j < cols; j++) {
      const jb = <usize>j << 2;
      let s = load<f32>(wb + jb);
      let wp = wb + rowB + jb, xp = x;
      for (let kk = 0; kk < k; kk++) { s += load<f32>(xp) * load<f32>(wp); wp += rowB; xp += 4; }
      const o = (<usize>(col + j)) << 2;
      if (r != 0) s += load<f32>(r + o);
      store<f32>(y + o, activate1(s, act, p0, p1));
    }
  }
}

/**
 * y[0:n] = act(x[0:k] · W + bias + r[0:n]) for output column groups g in [begin, end) (range: ceil(n/32)
 * groups of 32 columns). x: k floats; w: packed (top of file); y: n floats; r: residual (0 = none), n floats.
 * k ≥ 1, n ≥ 1. act/p0/p1: activation code and parameters (assembly/activation.ts).
 */
export function f32_gemv(x: i32, w: i32, y: i32, r: i32, k: i32, n: i32, act: i32, p0: f32, p1: f32, begin: i32, end: i32): void {
  if (ASC_FEATURE_SIMD) gemvSimd(<usize>x, <usize>w, <usize>y, <usize>r, k, n, act, p0, p1, begin, end);
  else gemvScalar(<usize>x, <usize>w, <usize>y, <usize>r, k, n, act, p0, p1, begin, end);
}
