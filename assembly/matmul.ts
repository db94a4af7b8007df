// f32 batched matrix product of two run-time operands (ONNX MatMul with numpy batch broadcasting, and the
// Gemm configurations that are not a constant-weights GEMM): C[b] = A[b] · B[b], no epilogue.
// Every operand is addressed through element strides (row, column and two batch levels; a broadcast batch
// dim has stride 0), so any layout and any broadcast works without copies. prm (i32, in the constants):
//   [d0, d1, aB0, aB1, bB0, bB1, cB0, cB1, aM, aK, bK, bN, cM, cN]
// (batch extents d0 x d1, then per operand the strides of the batch levels, then of its two matrix dims).
// Where B and C are contiguous along n (bN = cN = 1: dense operands) tiles of 4 rows x 8 columns run in SIMD
// (per k: 2 loads of B's row, 4 splats of A, 8 multiply-adds); otherwise one element at a time. Both sum each
// element from 0 in k order, so any partition of the range gives the same bytes.
import { madd, loadPartial, storePartial } from './simd';

@inline function prmAt(prm: usize, i: i32): usize { return <usize>load<i32>(prm + (<usize>i << 2)); }

/** Stores the low `cnt` (0..8) floats of (v0, v1) at p. */
@inline function store8(p: usize, v0: v128, v1: v128, cnt: i32): void {
  if (cnt >= 8) { v128.store(p, v0); v128.store(p, v1, 16); }
  else if (cnt >= 4) { v128.store(p, v0); storePartial(p + 16, v1, cnt - 4); }
  else storePartial(p, v0, cnt);
}

function matmulTile(a: usize, b: usize, c: usize, m0: i32, mr: i32, k: i32, n: i32,
  aM: usize, aK: usize, bK: usize, bN: usize, cM: usize, cN: usize): void {
  if (ASC_FEATURE_SIMD) {
    if (bN == 4 && cN == 4) { // byte strides: B and C contiguous along n
      // rows past mr reuse the last valid row (computed, never stored)
      const a0 = a + <usize>m0 * aM;
      const a1 = mr > 1 ? a0 + aM : a0, a2 = mr > 2 ? a1 + aM : a1, a3 = mr > 3 ? a2 + aM : a2;
      const c0 = c + <usize>m0 * cM;
      for (let j = 0; j < n; j += 8) {
        const cnt = min(8, n - j);
        const jb = <usize>j << 2;
        let v00 = f32x4.splat(0), v01 = v00, v10 = v00, v11 = v00, v20 = v00, v21 = v00, v30 = v00, v31 = v00;
        let bp = b + jb, q0 = a0, q1 = a1, q2 = a2, q3 = a3;
        if (cnt == 8) {
          for (let kk = 0; kk < k; kk++) {
            const w0 = v128.load(bp), w1 = v128.load(bp, 16);
            let x = v128.load32_splat(q0); v00 = madd(x, w0, v00); v01 = madd(x, w1, v01);
            x = v128.load32_splat(q1); v10 = madd(x, w0, v10); v11 = madd(x, w1, v11);
            x = v128.load32_splat(q2); v20 = madd(x, w0, v20); v21 = madd(x, w1, v21);
            x = v128.load32_splat(q3); v30 = madd(x, w0, v30); v31 = madd(x, w1, v31);
            bp += bK; q0 += aK; q1 += aK; q2 += aK; q3 += aK;
          }
        } else {
          const lo = min(4, cnt), hi = cnt - lo;
          for (let kk = 0; kk < k; kk++) {
            const w0 = loadPartial(bp, lo), w1 = loadPartial(bp + 16, hi);
            let x = v128.load32_splat(q0); v00 = madd(x, w0, v00); v01 = madd(x, w1, v01);
            x = v128.load32_splat(q1); v10 = madd(x, w0, v10); v11 = madd(x, w1, v11);
            x = v128.load32_splat(q2); v20 = madd(x, w0, v20); v21 = madd(x, w1, v21);
            x = v128.load32_splat(q3); v30 = madd(x, w0, v30); v31 = madd(x, w1, v31);
            bp += bK; q0 += aK; q1 += aK; q2 += aK; q3 += aK;
          }
        }
        const cc = c0 + jb;
        store8(cc, v00, v01, cnt);
        if (mr > 1) store8(cc + cM, v10, v11, cnt);
        if (mr > 2) store8(cc + 2 * cM, v20, v21, cnt);
        if (mr > 3) store8(cc + 3 * cM, v30, v31, cnt);
      }
      return;
    }
  }
  for (let r = m0; r < m0 + mr; r++) {
    const ar = a + <usize>r * aM, cr = c + <usize>r * cM;
    for (let j = 0; j < n; j++) {
      let s: f32 = 0;
      let ap = ar, bp = b + <usize>j * bN;
      for (let kk = 0; kk < k; kk++) { s += load<f32>(ap) * load<f32>(bp); ap += aK; bp += bK; }
      store<f32>(cr + <usize>j * cN, s);
    }
  }
}

/**
 * C[i0, i1] = A[i0, i1] · B[i0, i1] (m x k times k x n) for items in [begin, end); item = (i0·d1 + i1)·ceil(m/4) + tile,
 * a tile = 4 output rows (range: d0·d1·ceil(m/4)). a, b, c: byte addresses; prm: strides (top of file). m, k, n ≥ 1.
 */
export function f32_matmul(a: i32, b: i32, c: i32, prm: i32, m: i32, k: i32, n: i32, begin: i32, end: i32): void {
  const p = <usize>prm;
  const d1 = <i32>prmAt(p, 1);
  const aB0 = prmAt(p, 2) << 2, aB1 = prmAt(p, 3) << 2, bB0 = prmAt(p, 4) << 2, bB1 = prmAt(p, 5) << 2;
  const cB0 = prmAt(p, 6) << 2, cB1 = prmAt(p, 7) << 2;
  const aM = prmAt(p, 8) << 2, aK = prmAt(p, 9) << 2, bK = prmAt(p, 10) << 2, bN = prmAt(p, 11) << 2;
  const cM = prmAt(p, 12) << 2, cN = prmAt(p, 13) << 2;
  const tiles = (m + 3) >> 2;
  for (let it = begin; it < end; it++) {
    const t = it % tiles, bi = it / tiles;
    const i1 = <usize>(bi % d1), i0 = <usize>(bi / d1);
    const m0 = t << 2;
    matmulTile(<usize>a + i0 * aB0 + i1 * aB1, <usize>b + i0 * bB0 + i1 * bB1, <usize>c + i0 * cB0 + i1 * cB1,
      m0, min(4, m - m0), k, n, aM, aK, bK, bN, cM, cN);
  }
}
