// Code shared by the gemm, igemm and dwconv kernels: SIMD helpers, epilogues and the one 4x8 microkernel.
//
// This file is imported by assembly/gemm.ts, conv.ts and dwconv.ts but NOT re-exported by assembly/index.ts:
// several functions here take or return v128, and the binaries' exports must be plain i32/f32 (Kernel ABI).
// @inline functions are inlined into each importing kernel; the rest are compiled once and called.
// Everything with a v128 in it is reached only from `if (ASC_FEATURE_SIMD)` branches, so the scalar binary
// contains none of it.
//
// Alignment: none of these helpers needs aligned addresses. WebAssembly loads and stores never trap on
// misalignment (an alignment immediate is only a hint), and every kernel accepts arbitrary float-aligned
// pointers and strides (channel slices, padded rows).
// Bounds: every helper touches exactly the floats its comment names, never a byte past them, so a kernel
// that stores only its valid lanes may write into a slice of a wider tensor and read residuals at the very
// end of memory.
import {
  activate1, activate4, activateRows, ACT_NONE, ACT_RELU, ACT_CLIP,
} from './activation';
import { madd } from './fma';
export { madd };

// ---------------------------------------------------------------- SIMD helpers

/** Loads `cnt` (0..4) floats from p, p+4, ... into the low lanes; the other lanes are 0.
 *  Reads exactly [p, p + cnt*4): never past the last valid float. */
@inline export function loadPartial(p: usize, cnt: i32): v128 {
  let v = f32x4.splat(0);
  if (cnt > 0) v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (cnt > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (cnt > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  if (cnt > 3) v = f32x4.replace_lane(v, 3, load<f32>(p, 12));
  return v;
}

/** Stores the low `cnt` (0..4) lanes of v at p, p+4, ...; writes exactly [p, p + cnt*4), nothing else. */
@inline export function storePartial(p: usize, v: v128, cnt: i32): void {
  if (cnt > 0) store<f32>(p, f32x4.extract_lane(v, 0));
  if (cnt > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (cnt > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
  if (cnt > 3) store<f32>(p, f32x4.extract_lane(v, 3), 12);
}

// ---------------------------------------------------------------- epilogues: y = act(acc + residual)

/**
 * Epilogue of one row of 8 columns whose accumulators (v0 = columns 0..3, v1 = 4..7) already hold the bias:
 * adds the residual row at r (r = 0: none), applies the activation and stores min(nr, 8) floats at c.
 * Reads at most min(nr, 8) floats at r and writes exactly min(nr, 8) floats at c (partial lanes through
 * loadPartial/storePartial). Called, not inlined: inlining it into the 4 rows of each kernel grew the binary by 29 KB (44%) for
 * 3–15% on 1x1 convolutions with few input channels.
 * Not exported: only gemm4x8Simd calls it (and AssemblyScript warns on any exported non-inline function with
 * v128 parameters, AS112, even from a file the entry does not re-export).
 */
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

/** Epilogue of 4 full lanes (bias already in v): + 4 residual floats at r (r = 0: none), act, store 4 floats
 *  at c. The caller guarantees 4 valid floats at c (and r). */
@inline export function finish4(v: v128, c: usize, r: usize, act: i32, p0: f32, p1: f32): void {
  if (r != 0) v = f32x4.add(v, v128.load(r));
  v128.store(c, activate4(v, act, p0, p1));
}

/** Activations computed after a row block's tiles are stored, in place over its rows (still in L1), instead
 *  of in the tile epilogue: every one but the clamps (none, ReLU, Clip), which the tile stores inline. A
 *  tight loop per row and code ran SiLU at 1450 Melem/s where the per-tile `finish8` calls ran 780, and
 *  HardSwish at 7 Gelem/s where they ran 2.9 (1x1 16→96 on 112x112). */
@inline export function lateActivation(act: i32): bool {
  return act > ACT_CLIP;
}

// ---------------------------------------------------------------- the 4x8 (indirect) GEMM microkernel

/**
 * The one microkernel of f32_gemm_4x8 and f32_igemm_4x8: a GEMM is an indirect GEMM with one tap whose
 * "indirection" is the A row itself. Rows m in [begin, end) of
 *   C[m, 0:n] = act(sum_t sum_k A_t[m][k] * W[t*kc + k][:] + bias + R[m, 0:n])
 * `indirect` must be a constant at each call site (the inlined branch folds away):
 * - false (GEMM): row m's K floats are at `src + m*srcStride` (srcStride in bytes); pass taps = 1, inOffset = 0.
 * - true (igemm): `src` is the indirection buffer, srcStride = taps*4 bytes; tap t of row m reads kc floats at
 *   `ind[m*taps + t] + inOffset`.
 * w: packed blocks of 8 columns, each 8 bias floats then taps*kc rows of 8 weights (zero past n);
 * c/r: output and residual (r = 0: none), row strides cStride/rStride in bytes. Reads exactly kc floats per
 * row pointer and writes only columns < n of rows < end.
 *
 * Tile: 4 rows x 8 columns = 8 v128 accumulators; per k: 2 weight loads, 4 v128.load32_splat, 8 multiply-adds,
 * one k per iteration. Row tails (end - m < 4) reuse the last valid row's pointer (computed, never stored), so
 * one code path serves every M. Measured on an AMD EPYC (V8, Node 20; bench/kernels.ts, relaxed, 1 thread):
 * the former 6x8 tile with k unrolled by 4 ran 1x1 convolutions at 41–57% of the peak and a 3x3/2 igemm at 51%;
 * this tile runs them at 65–85% and 85% (7x7/2 3→64: 36% → 67%; Winograd's GEMMs 1.4x faster too). 4 rows
 * with the unroll, or 6 rows without it, changed nothing: the win needs both, i.e. few enough live values
 * that V8 keeps the accumulators, operands and row pointers in registers.
 */
@inline export function gemm4x8Simd(
  indirect: bool, src: usize, srcStride: usize, taps: i32, inOffset: usize, kc: i32,
  w: usize, c: usize, cStride: usize, r: usize, rStride: usize,
  n: i32, act: i32, p0: f32, p1: f32, begin: i32, end: i32,
): void {
  const wBlock = (<usize>(taps * kc + 1)) << 5; // bytes per packed block of 8 columns
  const tapsB = <usize>taps << 2;
  // None, ReLU and Clip are one clamp [lo, hi] (the same max-then-min as activate4): full 8-column tiles
  // store inline, column tails go through finish8; other activations run late, over the block's rows.
  const late = lateActivation(act);
  const tileAct = late ? ACT_NONE : act;
  const clamp = tileAct <= ACT_CLIP;
  const lo = f32x4.splat(tileAct == ACT_RELU ? 0 : tileAct == ACT_CLIP ? p0 : -Infinity);
  const hi = f32x4.splat(tileAct == ACT_CLIP ? p1 : Infinity);
  let m = begin;
  while (m < end) {
    const mr = min(4, end - m);
    const s0 = src + <usize>m * srcStride;
    const s1 = mr > 1 ? s0 + srcStride : s0;
    const s2 = mr > 2 ? s1 + srcStride : s1;
    const s3 = mr > 3 ? s2 + srcStride : s2;
    const c0 = c + <usize>m * cStride;
    const r0 = r != 0 ? r + <usize>m * rStride : 0;
    let wb = w;
    for (let nb = 0; nb < n; nb += 8) {
      let v00 = v128.load(wb), v01 = v128.load(wb, 16);
      let v10 = v00, v11 = v01, v20 = v00, v21 = v01, v30 = v00, v31 = v01;
      let wp = wb + 32;
      for (let t: usize = 0; t < tapsB; t += 4) {
        let q0 = s0, q1 = s1, q2 = s2, q3 = s3;
        if (indirect) {
          q0 = <usize>load<i32>(s0 + t) + inOffset;
          q1 = <usize>load<i32>(s1 + t) + inOffset;
          q2 = <usize>load<i32>(s2 + t) + inOffset;
          q3 = <usize>load<i32>(s3 + t) + inOffset;
        }
        let kk = kc;
        while (kk != 0) {
          const w0 = v128.load(wp, 0), w1 = v128.load(wp, 16);
          let x: v128;
          x = v128.load32_splat(q0, 0); v00 = madd(x, w0, v00); v01 = madd(x, w1, v01);
          x = v128.load32_splat(q1, 0); v10 = madd(x, w0, v10); v11 = madd(x, w1, v11);
          x = v128.load32_splat(q2, 0); v20 = madd(x, w0, v20); v21 = madd(x, w1, v21);
          x = v128.load32_splat(q3, 0); v30 = madd(x, w0, v30); v31 = madd(x, w1, v31);
          q0 += 4; q1 += 4; q2 += 4; q3 += 4;
          wp += 32;
          kk--;
        }
      }
      const nr = n - nb;
      const cc = c0 + (<usize>nb << 2);
      const rr = r0 != 0 ? r0 + (<usize>nb << 2) : 0;
      if (clamp && nr >= 8) {
        if (rr != 0) {
          v00 = f32x4.add(v00, v128.load(rr)); v01 = f32x4.add(v01, v128.load(rr, 16));
          if (mr > 1) { const q = rr + rStride; v10 = f32x4.add(v10, v128.load(q)); v11 = f32x4.add(v11, v128.load(q, 16)); }
          if (mr > 2) { const q = rr + 2 * rStride; v20 = f32x4.add(v20, v128.load(q)); v21 = f32x4.add(v21, v128.load(q, 16)); }
          if (mr > 3) { const q = rr + 3 * rStride; v30 = f32x4.add(v30, v128.load(q)); v31 = f32x4.add(v31, v128.load(q, 16)); }
        }
        v128.store(cc, f32x4.pmin(f32x4.pmax(v00, lo), hi)); v128.store(cc, f32x4.pmin(f32x4.pmax(v01, lo), hi), 16);
        if (mr > 1) { const q = cc + cStride; v128.store(q, f32x4.pmin(f32x4.pmax(v10, lo), hi)); v128.store(q, f32x4.pmin(f32x4.pmax(v11, lo), hi), 16); }
        if (mr > 2) { const q = cc + 2 * cStride; v128.store(q, f32x4.pmin(f32x4.pmax(v20, lo), hi)); v128.store(q, f32x4.pmin(f32x4.pmax(v21, lo), hi), 16); }
        if (mr > 3) { const q = cc + 3 * cStride; v128.store(q, f32x4.pmin(f32x4.pmax(v30, lo), hi)); v128.store(q, f32x4.pmin(f32x4.pmax(v31, lo), hi), 16); }
        wb += wBlock;
        continue;
      }
      finish8(v00, v01, cc, rr, nr, tileAct, p0, p1);
      if (mr > 1) finish8(v10, v11, cc + cStride, rr != 0 ? rr + rStride : 0, nr, tileAct, p0, p1);
      if (mr > 2) finish8(v20, v21, cc + 2 * cStride, rr != 0 ? rr + 2 * rStride : 0, nr, tileAct, p0, p1);
      if (mr > 3) finish8(v30, v31, cc + 3 * cStride, rr != 0 ? rr + 3 * rStride : 0, nr, tileAct, p0, p1);
      wb += wBlock;
    }
    if (late) activateRows(c0, c0, mr, n, cStride, act, p0, p1);
    m += mr;
  }
}

/**
 * Scalar twin of gemm4x8Simd (same arguments and packing, no v128): one row at a time, 8 scalar accumulators
 * per block of 8 columns, summed in the same order (bias, then taps, then k). Writes only columns < n.
 */
@inline export function gemm8Scalar(
  indirect: bool, src: usize, srcStride: usize, taps: i32, inOffset: usize, kc: i32,
  w: usize, c: usize, cStride: usize, r: usize, rStride: usize,
  n: i32, act: i32, p0: f32, p1: f32, begin: i32, end: i32,
): void {
  const wBlock = (<usize>(taps * kc + 1)) << 5;
  const tapsB = <usize>taps << 2;
  for (let m = begin; m < end; m++) {
    const sm = src + <usize>m * srcStride;
    const cm = c + <usize>m * cStride;
    const rm = r != 0 ? r + <usize>m * rStride : 0;
    let wb = w;
    for (let nb = 0; nb < n; nb += 8) {
      let s0 = load<f32>(wb), s1 = load<f32>(wb, 4), s2 = load<f32>(wb, 8), s3 = load<f32>(wb, 12);
      let s4 = load<f32>(wb, 16), s5 = load<f32>(wb, 20), s6 = load<f32>(wb, 24), s7 = load<f32>(wb, 28);
      let wp = wb + 32;
      for (let t: usize = 0; t < tapsB; t += 4) {
        let q = indirect ? <usize>load<i32>(sm + t) + inOffset : sm;
        for (let kk = 0; kk < kc; kk++) {
          const x = load<f32>(q);
          s0 += x * load<f32>(wp); s1 += x * load<f32>(wp, 4); s2 += x * load<f32>(wp, 8); s3 += x * load<f32>(wp, 12);
          s4 += x * load<f32>(wp, 16); s5 += x * load<f32>(wp, 20); s6 += x * load<f32>(wp, 24); s7 += x * load<f32>(wp, 28);
          q += 4; wp += 32;
        }
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
