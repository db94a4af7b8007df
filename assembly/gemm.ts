// f32 GEMM with a fused epilogue: C[m, :] = act(A[m, :] · W + bias + R[m, :]).
// A 1x1 stride-1 unpadded convolution over NHWC is this GEMM (M = N*H*W, K = Cin, N = Cout), FC is M = batch.
//
// Packed weights (src/kernels/gemm.ts packGemmWeights): ceil(N/8) blocks of 8 output columns; block b holds
// 8 bias floats then K rows of 8 weights: w[b][0][j] = bias[8b+j], w[b][1+k][j] = W[k][8b+j]; columns ≥ N
// are zero. A block is (K + 1) * 8 floats long.
//
// Microkernel: 6 rows x 8 columns = 12 v128 accumulators (V8 keeps ~12 accumulators + 2 operands in
// registers); per k: 2 weight loads, 6 v128.load32_splat of A, 12 multiply-adds. Row tails reuse the last
// valid row's pointer (computed, not stored); column tails store only the valid lanes.
import { activate1, activate4 } from './activation';

// ---------------------------------------------------------------- shared SIMD helpers (file-local)

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** Loads `cnt` (0..4) floats into the low lanes; the other lanes are 0. Never reads past p + cnt*4. */
@inline function loadPartial(p: usize, cnt: i32): v128 {
  let v = f32x4.splat(0);
  if (cnt > 0) v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (cnt > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (cnt > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  if (cnt > 3) v = f32x4.replace_lane(v, 3, load<f32>(p, 12));
  return v;
}

@inline function storePartial(p: usize, v: v128, cnt: i32): void {
  if (cnt > 0) store<f32>(p, f32x4.extract_lane(v, 0));
  if (cnt > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (cnt > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
  if (cnt > 3) store<f32>(p, f32x4.extract_lane(v, 3), 12);
}

/** Epilogue of one row of 8 columns (bias already in the accumulators): + residual, act, store `nr` lanes. */
function finish8(v0: v128, v1: v128, c: usize, r: usize, nr: i32, act: i32, p0: f32, p1: f32): void {
  if (nr >= 8) {
    if (r != 0) {
      v0 = f32x4.add(v0, v128.load(r));
      v1 = f32x4.add(v1, v128.load(r, 16));
    }
    v128.store(c, activate4(v0, act, p0, p1));
    v128.store(c, activate4(v1, act, p0, p1), 16);
  } else if (nr >= 4) {
    if (r != 0) {
      v0 = f32x4.add(v0, v128.load(r));
      v1 = f32x4.add(v1, loadPartial(r + 16, nr - 4));
    }
    v128.store(c, activate4(v0, act, p0, p1));
    storePartial(c + 16, activate4(v1, act, p0, p1), nr - 4);
  } else {
    if (r != 0) v0 = f32x4.add(v0, loadPartial(r, nr));
    storePartial(c, activate4(v0, act, p0, p1), nr);
  }
}

// ---------------------------------------------------------------- SIMD path

function gemm6x8Simd(
  a: usize, aStride: usize, w: usize, c: usize, cStride: usize, r: usize, rStride: usize,
  k: i32, n: i32, act: i32, p0: f32, p1: f32, begin: i32, end: i32,
): void {
  const wBlock = <usize>(k + 1) << 5; // bytes per packed block of 8 columns
  let m = begin;
  while (m < end) {
    const mr = min(6, end - m);
    const a0 = a + <usize>m * aStride;
    const a1 = mr > 1 ? a0 + aStride : a0;
    const a2 = mr > 2 ? a1 + aStride : a1;
    const a3 = mr > 3 ? a2 + aStride : a2;
    const a4 = mr > 4 ? a3 + aStride : a3;
    const a5 = mr > 5 ? a4 + aStride : a4;
    const c0 = c + <usize>m * cStride;
    const r0 = r != 0 ? r + <usize>m * rStride : 0;
    let wb = w;
    for (let nb = 0; nb < n; nb += 8) {
      let v00 = v128.load(wb), v01 = v128.load(wb, 16);
      let v10 = v00, v11 = v01, v20 = v00, v21 = v01, v30 = v00, v31 = v01, v40 = v00, v41 = v01, v50 = v00, v51 = v01;
      let wp = wb + 32;
      let q0 = a0, q1 = a1, q2 = a2, q3 = a3, q4 = a4, q5 = a5;
      let kk = k;
      while (kk >= 4) {
        let w0: v128, w1: v128, x: v128;
        w0 = v128.load(wp, 0); w1 = v128.load(wp, 16);
        x = v128.load32_splat(q0, 0); v00 = madd(x, w0, v00); v01 = madd(x, w1, v01);
        x = v128.load32_splat(q1, 0); v10 = madd(x, w0, v10); v11 = madd(x, w1, v11);
        x = v128.load32_splat(q2, 0); v20 = madd(x, w0, v20); v21 = madd(x, w1, v21);
        x = v128.load32_splat(q3, 0); v30 = madd(x, w0, v30); v31 = madd(x, w1, v31);
        x = v128.load32_splat(q4, 0); v40 = madd(x, w0, v40); v41 = madd(x, w1, v41);
        x = v128.load32_splat(q5, 0); v50 = madd(x, w0, v50); v51 = madd(x, w1, v51);
        w0 = v128.load(wp, 32); w1 = v128.load(wp, 48);
        x = v128.load32_splat(q0, 4); v00 = madd(x, w0, v00); v01 = madd(x, w1, v01);
        x = v128.load32_splat(q1, 4); v10 = madd(x, w0, v10); v11 = madd(x, w1, v11);
        x = v128.load32_splat(q2, 4); v20 = madd(x, w0, v20); v21 = madd(x, w1, v21);
        x = v128.load32_splat(q3, 4); v30 = madd(x, w0, v30); v31 = madd(x, w1, v31);
        x = v128.load32_splat(q4, 4); v40 = madd(x, w0, v40); v41 = madd(x, w1, v41);
        x = v128.load32_splat(q5, 4); v50 = madd(x, w0, v50); v51 = madd(x, w1, v51);
        w0 = v128.load(wp, 64); w1 = v128.load(wp, 80);
        x = v128.load32_splat(q0, 8); v00 = madd(x, w0, v00); v01 = madd(x, w1, v01);
        x = v128.load32_splat(q1, 8); v10 = madd(x, w0, v10); v11 = madd(x, w1, v11);
        x = v128.load32_splat(q2, 8); v20 = madd(x, w0, v20); v21 = madd(x, w1, v21);
        x = v128.load32_splat(q3, 8); v30 = madd(x, w0, v30); v31 = madd(x, w1, v31);
        x = v128.load32_splat(q4, 8); v40 = madd(x, w0, v40); v41 = madd(x, w1, v41);
        x = v128.load32_splat(q5, 8); v50 = madd(x, w0, v50); v51 = madd(x, w1, v51);
        w0 = v128.load(wp, 96); w1 = v128.load(wp, 112);
        x = v128.load32_splat(q0, 12); v00 = madd(x, w0, v00); v01 = madd(x, w1, v01);
        x = v128.load32_splat(q1, 12); v10 = madd(x, w0, v10); v11 = madd(x, w1, v11);
        x = v128.load32_splat(q2, 12); v20 = madd(x, w0, v20); v21 = madd(x, w1, v21);
        x = v128.load32_splat(q3, 12); v30 = madd(x, w0, v30); v31 = madd(x, w1, v31);
        x = v128.load32_splat(q4, 12); v40 = madd(x, w0, v40); v41 = madd(x, w1, v41);
        x = v128.load32_splat(q5, 12); v50 = madd(x, w0, v50); v51 = madd(x, w1, v51);
        q0 += 16; q1 += 16; q2 += 16; q3 += 16; q4 += 16; q5 += 16;
        wp += 128;
        kk -= 4;
      }
      while (kk != 0) {
        let w0: v128, w1: v128, x: v128;
        w0 = v128.load(wp, 0); w1 = v128.load(wp, 16);
        x = v128.load32_splat(q0, 0); v00 = madd(x, w0, v00); v01 = madd(x, w1, v01);
        x = v128.load32_splat(q1, 0); v10 = madd(x, w0, v10); v11 = madd(x, w1, v11);
        x = v128.load32_splat(q2, 0); v20 = madd(x, w0, v20); v21 = madd(x, w1, v21);
        x = v128.load32_splat(q3, 0); v30 = madd(x, w0, v30); v31 = madd(x, w1, v31);
        x = v128.load32_splat(q4, 0); v40 = madd(x, w0, v40); v41 = madd(x, w1, v41);
        x = v128.load32_splat(q5, 0); v50 = madd(x, w0, v50); v51 = madd(x, w1, v51);
        q0 += 4; q1 += 4; q2 += 4; q3 += 4; q4 += 4; q5 += 4;
        wp += 32;
        kk--;
      }
      const nr = n - nb;
      const cc = c0 + (<usize>nb << 2);
      const rr = r0 != 0 ? r0 + (<usize>nb << 2) : 0;
      finish8(v00, v01, cc, rr, nr, act, p0, p1);
      if (mr > 1) finish8(v10, v11, cc + cStride, rr != 0 ? rr + rStride : 0, nr, act, p0, p1);
      if (mr > 2) finish8(v20, v21, cc + 2 * cStride, rr != 0 ? rr + 2 * rStride : 0, nr, act, p0, p1);
      if (mr > 3) finish8(v30, v31, cc + 3 * cStride, rr != 0 ? rr + 3 * rStride : 0, nr, act, p0, p1);
      if (mr > 4) finish8(v40, v41, cc + 4 * cStride, rr != 0 ? rr + 4 * rStride : 0, nr, act, p0, p1);
      if (mr > 5) finish8(v50, v51, cc + 5 * cStride, rr != 0 ? rr + 5 * rStride : 0, nr, act, p0, p1);
      wb += wBlock;
    }
    m += mr;
  }
}

// ---------------------------------------------------------------- scalar path (no v128 anywhere)

function gemmScalar(
  a: usize, aStride: usize, w: usize, c: usize, cStride: usize, r: usize, rStride: usize,
  k: i32, n: i32, act: i32, p0: f32, p1: f32, begin: i32, end: i32,
): void {
  const wBlock = <usize>(k + 1) << 5;
  for (let m = begin; m < end; m++) {
    const am = a + <usize>m * aStride;
    const cm = c + <usize>m * cStride;
    const rm = r != 0 ? r + <usize>m * rStride : 0;
    let wb = w;
    for (let nb = 0; nb < n; nb += 8) {
      let s0 = load<f32>(wb), s1 = load<f32>(wb, 4), s2 = load<f32>(wb, 8), s3 = load<f32>(wb, 12);
      let s4 = load<f32>(wb, 16), s5 = load<f32>(wb, 20), s6 = load<f32>(wb, 24), s7 = load<f32>(wb, 28);
      let wp = wb + 32;
      let q = am;
      for (let kk = 0; kk < k; kk++) {
        const x = load<f32>(q);
        s0 += x * load<f32>(wp); s1 += x * load<f32>(wp, 4); s2 += x * load<f32>(wp, 8); s3 += x * load<f32>(wp, 12);
        s4 += x * load<f32>(wp, 16); s5 += x * load<f32>(wp, 20); s6 += x * load<f32>(wp, 24); s7 += x * load<f32>(wp, 28);
        q += 4; wp += 32;
      }
      const nr = min(8, n - nb);
      const cc = cm + (<usize>nb << 2);
      const rr = rm != 0 ? rm + (<usize>nb << 2) : 0;
      for (let j = 0; j < nr; j++) {
        let s = j == 0 ? s0 : j == 1 ? s1 : j == 2 ? s2 : j == 3 ? s3 : j == 4 ? s4 : j == 5 ? s5 : j == 6 ? s6 : s7;
        if (rr != 0) s += load<f32>(rr + (<usize>j << 2));
        store<f32>(cc + (<usize>j << 2), activate1(s, act, p0, p1));
      }
      wb += wBlock;
    }
  }
}

/**
 * C[m, 0:n] = act(A[m, 0:k] · W + bias + R[m, 0:n]) for rows m in [begin, end) (range: M rows).
 * a: A, row m at a + m*aStride floats; w: packed weights+bias (see top of file); c: output, row stride cStride
 * floats; r: residual (0 = none), row stride rStride floats. k ≥ 1, n ≥ 1. act/p0/p1: activation code and
 * parameters (assembly/activation.ts).
 */
export function f32_gemm_6x8(
  a: i32, aStride: i32, w: i32, c: i32, cStride: i32, r: i32, rStride: i32,
  k: i32, n: i32, act: i32, p0: f32, p1: f32, begin: i32, end: i32,
): void {
  if (ASC_FEATURE_SIMD) {
    gemm6x8Simd(<usize>a, <usize>aStride << 2, <usize>w, <usize>c, <usize>cStride << 2, <usize>r, <usize>rStride << 2,
      k, n, act, p0, p1, begin, end);
  } else {
    gemmScalar(<usize>a, <usize>aStride << 2, <usize>w, <usize>c, <usize>cStride << 2, <usize>r, <usize>rStride << 2,
      k, n, act, p0, p1, begin, end);
  }
}
