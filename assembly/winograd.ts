// Winograd convolution F(2x2,3x3) and F(4x4,3x3) over NHWC: stride 1, dilation 1, groups 1, any padding.
//
// Each output tile of m x m pixels (m = 2 or 4) reads an a x a input patch d (a = m + 2; rows oy-pt ..
// oy-pt+a-1; padding and rows/columns past the image read the zero buffer):
//   V = Bᵀ d B            (input transform, per input channel)
//   M[pos] = V[pos] · U[pos]  for the P = a² positions pos = a*i + j: a GEMM over channels
//   Y = Aᵀ M A            (output transform, per output channel), then + bias + residual, activation.
//   F(2x2): Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]   Aᵀ = [1 1 1 0; 0 1 -1 -1]  (F(4x4): see its export)
// U = G g Gᵀ is computed on the host at prepack (src/backends/wasm/kernels/conv.ts packWinogradWeights).
//
// Work: tiles are numbered (n, ty, tx) row-major, grouped in blocks of `tileBlock` tiles; output channels
// in `coutGroups` groups of ceil(ceil(cout/8)/coutGroups)*8. The range is `items`: item i computes group
// i % coutGroups of blocks [ti*blocksPerItem, (ti+1)*blocksPerItem), ti = i / coutGroups, with its own
// workspace slot at workspace + i*slotBytes (reserved at plan time, see src/backends/wasm/kernels/conv.ts):
// per block,
//   1. input transform of its tiles, all channels -> V[P][tileBlock][cin4] (cin4 = ceil(cin/4)*4),
//   2. per block of 8 output channels of the group: P GEMMs (the 4x8 microkernel of assembly/simd.ts, rows =
//      tiles, k = cin) -> M[P][tileBlock][8], then the output transform of those 8 channels with the epilogue.
// Channel groups let threads share a layer with few tiles (a 13x13 output is 16 F(4x4) tiles: one block);
// each group repeats the input transform, O(cin) per tile against the GEMMs' O(cin·cout/groups).
// A tile's result does not depend on the block, group, item or workspace slot it lands in, so any partition
// of [0, items) gives identical bytes.
//
// Packed weights u: ceil(cout/8) blocks of 8 output channels; block b holds, for pos = 0..P-1, the
// microkernel's block format: 8 zero floats (bias row, unused) then cin rows of 8 weights U[pos][ci][8b+j]
// (zero past cout). Bias (cout floats) is added after the output transform (it is not a transform-domain
// quantity). Transforms use plain mul/add (no fused multiply-add): only the GEMMs differ between the simd
// and relaxed binaries.
import { gemm4x8Simd, gemm8Scalar, loadPartial, storePartial } from './simd';
import { activate1, activate4 } from './activation';

/** Address of input pixel (row base rb, column ix), or the zero buffer where the tap is padding. */
@inline function px(rb: usize, rowOk: bool, ix: i32, iw: i32, xs: usize, zero: usize): usize {
  return rowOk && ix >= 0 && ix < iw ? rb + <usize>ix * xs : zero;
}

/**
 * Winograd F(2x2,3x3), items [begin, end) of `items` (see top of file).
 * x: input NHWC (n, ih, iw, cin) with pixel stride xStride floats; pt, pl: top/left padding (bottom/right
 * padding is implied by oh, ow: rows and columns past the input read zeros); zero: a zero buffer of ≥ cin
 * floats; u: packed transformed weights; bias: cout floats (or 0: none); y: output (n, oh, ow, cout),
 * pixel stride yStride; r: residual (0 = none), pixel stride rStride; workspace: item slots of slotBytes
 * bytes (V then M); tileBlock: tiles per block (≥ 1); blocksPerItem ≥ 1; coutGroups ≥ 1 (top of file).
 */
export function f32_winograd_2x2(
  x: i32, n: i32, ih: i32, iw: i32, xStride: i32, cin: i32, pt: i32, pl: i32, zero: i32,
  u: i32, bias: i32, y: i32, oh: i32, ow: i32, yStride: i32, cout: i32, r: i32, rStride: i32,
  act: i32, p0: f32, p1: f32, workspace: i32, slotBytes: i32, tileBlock: i32, blocksPerItem: i32, coutGroups: i32,
  begin: i32, end: i32,
): void {
  winograd(false, x, n, ih, iw, xStride, cin, pt, pl, zero, u, bias, y, oh, ow, yStride, cout, r, rStride,
    act, p0, p1, workspace, slotBytes, tileBlock, blocksPerItem, coutGroups, begin, end);
}

/**
 * Winograd F(4x4,3x3): the same arguments and layout as f32_winograd_2x2 with 4x4-output tiles over 6x6
 * input patches and 36 positions (pos = 6i + j): 4x fewer multiply-adds than direct (2.25x for F(2x2)),
 * larger transforms and 4x the weights (U is 36 x cin x cout).
 *   Bᵀ = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
 *   Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
 * Both transforms run in two passes through the (L1-resident) workspace: rows, then columns in place.
 */
export function f32_winograd_4x4(
  x: i32, n: i32, ih: i32, iw: i32, xStride: i32, cin: i32, pt: i32, pl: i32, zero: i32,
  u: i32, bias: i32, y: i32, oh: i32, ow: i32, yStride: i32, cout: i32, r: i32, rStride: i32,
  act: i32, p0: f32, p1: f32, workspace: i32, slotBytes: i32, tileBlock: i32, blocksPerItem: i32, coutGroups: i32,
  begin: i32, end: i32,
): void {
  winograd(true, x, n, ih, iw, xStride, cin, pt, pl, zero, u, bias, y, oh, ow, yStride, cout, r, rStride,
    act, p0, p1, workspace, slotBytes, tileBlock, blocksPerItem, coutGroups, begin, end);
}

/** The block/item driver of both tile sizes; `f4` is a constant at each call site (the branches fold). */
@inline function winograd(
  f4: bool, x: i32, n: i32, ih: i32, iw: i32, xStride: i32, cin: i32, pt: i32, pl: i32, zero: i32,
  u: i32, bias: i32, y: i32, oh: i32, ow: i32, yStride: i32, cout: i32, r: i32, rStride: i32,
  act: i32, p0: f32, p1: f32, workspace: i32, slotBytes: i32, tileBlock: i32, blocksPerItem: i32, coutGroups: i32,
  begin: i32, end: i32,
): void {
  const m = f4 ? 4 : 2, P = f4 ? 36 : 16;                // outputs per tile side, positions
  const th = (oh + m - 1) / m, tw = (ow + m - 1) / m;
  const tiles = n * th * tw;
  const cin4 = (cin + 3) & ~3;
  const vBytes = <usize>(P * tileBlock * cin4) << 2;      // V: P x tileBlock rows of cin4 floats
  const posV = <usize>(tileBlock * cin4) << 2;           // bytes between positions in V
  const posM = <usize>tileBlock << 5;                    // bytes between positions in M (rows of 8)
  const uBlock = <usize>(P * (cin + 1)) << 5;            // bytes per packed block of 8 output channels
  const uPos = <usize>(cin + 1) << 5;
  const xs = <usize>xStride << 2;
  const groupCh = (((cout + 7) >> 3) + coutGroups - 1) / coutGroups << 3; // output channels per group
  for (let item = begin; item < end; item++) {
    const vb = <usize>workspace + <usize>item * <usize>slotBytes;
    const mb = vb + vBytes;
    const ti = item / coutGroups, g = item % coutGroups;
    const n0 = g * groupCh, n1 = min(cout, n0 + groupCh);
    const t1 = min(tiles, (ti + 1) * blocksPerItem * tileBlock);
    for (let t0 = ti * blocksPerItem * tileBlock; t0 < t1; t0 += tileBlock) {
      const nt = min(tileBlock, t1 - t0);
      // 1. input transform: V[pos][j][0:cin]
      for (let j = 0; j < nt; j++) {
        const t = t0 + j;
        const b = t / (th * tw), rem = t % (th * tw);
        const iy = (rem / tw) * m - pt, ix = (rem % tw) * m - pl;
        const img = <usize>x + <usize>(b * ih) * <usize>iw * xs;
        if (f4) {
          input6(img, iy, ix, ih, iw, xs, <usize>zero, vb + (<usize>(j * cin4) << 2), posV, cin);
          continue;
        }
        const r0 = img + <usize>(iy * iw) * xs, r1 = r0 + <usize>iw * xs, r2 = r1 + <usize>iw * xs, r3 = r2 + <usize>iw * xs;
        const k0 = iy >= 0 && iy < ih, k1 = iy + 1 >= 0 && iy + 1 < ih, k2 = iy + 2 >= 0 && iy + 2 < ih, k3 = iy + 3 >= 0 && iy + 3 < ih;
        const z = <usize>zero;
        const d00 = px(r0, k0, ix, iw, xs, z), d01 = px(r0, k0, ix + 1, iw, xs, z), d02 = px(r0, k0, ix + 2, iw, xs, z), d03 = px(r0, k0, ix + 3, iw, xs, z);
        const d10 = px(r1, k1, ix, iw, xs, z), d11 = px(r1, k1, ix + 1, iw, xs, z), d12 = px(r1, k1, ix + 2, iw, xs, z), d13 = px(r1, k1, ix + 3, iw, xs, z);
        const d20 = px(r2, k2, ix, iw, xs, z), d21 = px(r2, k2, ix + 1, iw, xs, z), d22 = px(r2, k2, ix + 2, iw, xs, z), d23 = px(r2, k2, ix + 3, iw, xs, z);
        const d30 = px(r3, k3, ix, iw, xs, z), d31 = px(r3, k3, ix + 1, iw, xs, z), d32 = px(r3, k3, ix + 2, iw, xs, z), d33 = px(r3, k3, ix + 3, iw, xs, z);
        const v0 = vb + (<usize>(j * cin4) << 2);
        if (ASC_FEATURE_SIMD) {
          for (let c = 0; c < cin; c += 4) {
            const o = <usize>c << 2;
            const cnt = cin - c;
            let a0: v128, a1: v128, a2: v128, a3: v128;
            // rows: w_i = d_i B (w0 = d0 - d2, w1 = d1 + d2, w2 = d2 - d1, w3 = d1 - d3)
            if (cnt >= 4) { a0 = v128.load(d00 + o); a1 = v128.load(d01 + o); a2 = v128.load(d02 + o); a3 = v128.load(d03 + o); }
            else { a0 = loadPartial(d00 + o, cnt); a1 = loadPartial(d01 + o, cnt); a2 = loadPartial(d02 + o, cnt); a3 = loadPartial(d03 + o, cnt); }
            const w00 = f32x4.sub(a0, a2), w01 = f32x4.add(a1, a2), w02 = f32x4.sub(a2, a1), w03 = f32x4.sub(a1, a3);
            if (cnt >= 4) { a0 = v128.load(d10 + o); a1 = v128.load(d11 + o); a2 = v128.load(d12 + o); a3 = v128.load(d13 + o); }
            else { a0 = loadPartial(d10 + o, cnt); a1 = loadPartial(d11 + o, cnt); a2 = loadPartial(d12 + o, cnt); a3 = loadPartial(d13 + o, cnt); }
            const w10 = f32x4.sub(a0, a2), w11 = f32x4.add(a1, a2), w12 = f32x4.sub(a2, a1), w13 = f32x4.sub(a1, a3);
            if (cnt >= 4) { a0 = v128.load(d20 + o); a1 = v128.load(d21 + o); a2 = v128.load(d22 + o); a3 = v128.load(d23 + o); }
            else { a0 = loadPartial(d20 + o, cnt); a1 = loadPartial(d21 + o, cnt); a2 = loadPartial(d22 + o, cnt); a3 = loadPartial(d23 + o, cnt); }
            const w20 = f32x4.sub(a0, a2), w21 = f32x4.add(a1, a2), w22 = f32x4.sub(a2, a1), w23 = f32x4.sub(a1, a3);
            if (cnt >= 4) { a0 = v128.load(d30 + o); a1 = v128.load(d31 + o); a2 = v128.load(d32 + o); a3 = v128.load(d33 + o); }
            else { a0 = loadPartial(d30 + o, cnt); a1 = loadPartial(d31 + o, cnt); a2 = loadPartial(d32 + o, cnt); a3 = loadPartial(d33 + o, cnt); }
            const w30 = f32x4.sub(a0, a2), w31 = f32x4.add(a1, a2), w32 = f32x4.sub(a2, a1), w33 = f32x4.sub(a1, a3);
            // columns: V_k = Bᵀ w_k, stored at position 4i + k
            const q = v0 + o;
            v128.store(q, f32x4.sub(w00, w20)); v128.store(q + posV, f32x4.sub(w01, w21));
            v128.store(q + 2 * posV, f32x4.sub(w02, w22)); v128.store(q + 3 * posV, f32x4.sub(w03, w23));
            v128.store(q + 4 * posV, f32x4.add(w10, w20)); v128.store(q + 5 * posV, f32x4.add(w11, w21));
            v128.store(q + 6 * posV, f32x4.add(w12, w22)); v128.store(q + 7 * posV, f32x4.add(w13, w23));
            v128.store(q + 8 * posV, f32x4.sub(w20, w10)); v128.store(q + 9 * posV, f32x4.sub(w21, w11));
            v128.store(q + 10 * posV, f32x4.sub(w22, w12)); v128.store(q + 11 * posV, f32x4.sub(w23, w13));
            v128.store(q + 12 * posV, f32x4.sub(w10, w30)); v128.store(q + 13 * posV, f32x4.sub(w11, w31));
            v128.store(q + 14 * posV, f32x4.sub(w12, w32)); v128.store(q + 15 * posV, f32x4.sub(w13, w33));
          }
        } else {
          for (let c = 0; c < cin; c++) {
            const o = <usize>c << 2;
            let a0 = load<f32>(d00 + o), a1 = load<f32>(d01 + o), a2 = load<f32>(d02 + o), a3 = load<f32>(d03 + o);
            const w00 = a0 - a2, w01 = a1 + a2, w02 = a2 - a1, w03 = a1 - a3;
            a0 = load<f32>(d10 + o); a1 = load<f32>(d11 + o); a2 = load<f32>(d12 + o); a3 = load<f32>(d13 + o);
            const w10 = a0 - a2, w11 = a1 + a2, w12 = a2 - a1, w13 = a1 - a3;
            a0 = load<f32>(d20 + o); a1 = load<f32>(d21 + o); a2 = load<f32>(d22 + o); a3 = load<f32>(d23 + o);
            const w20 = a0 - a2, w21 = a1 + a2, w22 = a2 - a1, w23 = a1 - a3;
            a0 = load<f32>(d30 + o); a1 = load<f32>(d31 + o); a2 = load<f32>(d32 + o); a3 = load<f32>(d33 + o);
            const w30 = a0 - a2, w31 = a1 + a2, w32 = a2 - a1, w33 = a1 - a3;
            const q = v0 + o;
            store<f32>(q, w00 - w20); store<f32>(q + posV, w01 - w21); store<f32>(q + 2 * posV, w02 - w22); store<f32>(q + 3 * posV, w03 - w23);
            store<f32>(q + 4 * posV, w10 + w20); store<f32>(q + 5 * posV, w11 + w21); store<f32>(q + 6 * posV, w12 + w22); store<f32>(q + 7 * posV, w13 + w23);
            store<f32>(q + 8 * posV, w20 - w10); store<f32>(q + 9 * posV, w21 - w11); store<f32>(q + 10 * posV, w22 - w12); store<f32>(q + 11 * posV, w23 - w13);
            store<f32>(q + 12 * posV, w10 - w30); store<f32>(q + 13 * posV, w11 - w31); store<f32>(q + 14 * posV, w12 - w32); store<f32>(q + 15 * posV, w13 - w33);
          }
        }
      }
      // 2. per 8 output channels: 16 GEMMs into M, then the output transform with the epilogue
      for (let nb = n0; nb < n1; nb += 8) {
        const nr = min(8, n1 - nb);
        const ub = <usize>u + <usize>(nb >> 3) * uBlock;
        for (let pos = 0; pos < P; pos++) {
          if (ASC_FEATURE_SIMD) {
            gemm4x8Simd(false, vb + <usize>pos * posV, <usize>cin4 << 2, 1, 0, cin, ub + <usize>pos * uPos,
              mb + <usize>pos * posM, 32, 0, 0, nr, 0, 0, 0, 0, nt);
          } else {
            gemm8Scalar(false, vb + <usize>pos * posV, <usize>cin4 << 2, 1, 0, cin, ub + <usize>pos * uPos,
              mb + <usize>pos * posM, 32, 0, 0, nr, 0, 0, 0, 0, nt);
          }
        }
        for (let j = 0; j < nt; j++) {
          const t = t0 + j;
          const b = t / (th * tw), rem = t % (th * tw);
          const oy = (rem / tw) * m, ox = (rem % tw) * m;
          const rows = min(m, oh - oy), cols = min(m, ow - ox);
          const pix = (b * oh + oy) * ow + ox;
          const yp = <usize>y + (<usize>pix * <usize>yStride << 2) + (<usize>nb << 2);
          const yRow = <usize>(ow * yStride) << 2, yCol = <usize>yStride << 2;
          const rp = r != 0 ? <usize>r + (<usize>pix * <usize>rStride << 2) + (<usize>nb << 2) : 0;
          const rRow = <usize>(ow * rStride) << 2, rCol = <usize>rStride << 2;
          const mt = mb + (<usize>j << 5);
          if (f4) {
            output6(mt, posM, nr, bias, nb, yp, yRow, yCol, rp, rRow, rCol, rows, cols, act, p0, p1);
            continue;
          }
          if (ASC_FEATURE_SIMD) {
            for (let h = 0; h < nr; h += 4) {
              const cnt = min(4, nr - h);
              const mh = mt + (<usize>h << 2);
              const bv = bias != 0 ? loadPartial(<usize>bias + (<usize>(nb + h) << 2), cnt) : f32x4.splat(0);
              // s_i = (m_i0 + m_i1 + m_i2, m_i1 - m_i2 - m_i3) per row i
              let e0 = v128.load(mh), e1 = v128.load(mh + posM), e2 = v128.load(mh + 2 * posM), e3 = v128.load(mh + 3 * posM);
              const s00 = f32x4.add(f32x4.add(e0, e1), e2), s01 = f32x4.sub(f32x4.sub(e1, e2), e3);
              e0 = v128.load(mh + 4 * posM); e1 = v128.load(mh + 5 * posM); e2 = v128.load(mh + 6 * posM); e3 = v128.load(mh + 7 * posM);
              const s10 = f32x4.add(f32x4.add(e0, e1), e2), s11 = f32x4.sub(f32x4.sub(e1, e2), e3);
              e0 = v128.load(mh + 8 * posM); e1 = v128.load(mh + 9 * posM); e2 = v128.load(mh + 10 * posM); e3 = v128.load(mh + 11 * posM);
              const s20 = f32x4.add(f32x4.add(e0, e1), e2), s21 = f32x4.sub(f32x4.sub(e1, e2), e3);
              e0 = v128.load(mh + 12 * posM); e1 = v128.load(mh + 13 * posM); e2 = v128.load(mh + 14 * posM); e3 = v128.load(mh + 15 * posM);
              const s30 = f32x4.add(f32x4.add(e0, e1), e2), s31 = f32x4.sub(f32x4.sub(e1, e2), e3);
              // y_0k = s_0k + s_1k + s_2k, y_1k = s_1k - s_2k - s_3k
              const yo = <usize>h << 2;
              wStore(f32x4.add(f32x4.add(f32x4.add(s00, s10), s20), bv), yp + yo, rp != 0 ? rp + yo : 0, cnt, act, p0, p1);
              if (cols > 1) wStore(f32x4.add(f32x4.add(f32x4.add(s01, s11), s21), bv), yp + yCol + yo, rp != 0 ? rp + rCol + yo : 0, cnt, act, p0, p1);
              if (rows > 1) {
                wStore(f32x4.add(f32x4.sub(f32x4.sub(s10, s20), s30), bv), yp + yRow + yo, rp != 0 ? rp + rRow + yo : 0, cnt, act, p0, p1);
                if (cols > 1) wStore(f32x4.add(f32x4.sub(f32x4.sub(s11, s21), s31), bv), yp + yRow + yCol + yo, rp != 0 ? rp + rRow + rCol + yo : 0, cnt, act, p0, p1);
              }
            }
          } else {
            for (let h = 0; h < nr; h++) {
              const mh = mt + (<usize>h << 2);
              const bv: f32 = bias != 0 ? load<f32>(<usize>bias + (<usize>(nb + h) << 2)) : 0;
              let e0 = load<f32>(mh), e1 = load<f32>(mh + posM), e2 = load<f32>(mh + 2 * posM), e3 = load<f32>(mh + 3 * posM);
              const s00 = e0 + e1 + e2, s01 = e1 - e2 - e3;
              e0 = load<f32>(mh + 4 * posM); e1 = load<f32>(mh + 5 * posM); e2 = load<f32>(mh + 6 * posM); e3 = load<f32>(mh + 7 * posM);
              const s10 = e0 + e1 + e2, s11 = e1 - e2 - e3;
              e0 = load<f32>(mh + 8 * posM); e1 = load<f32>(mh + 9 * posM); e2 = load<f32>(mh + 10 * posM); e3 = load<f32>(mh + 11 * posM);
              const s20 = e0 + e1 + e2, s21 = e1 - e2 - e3;
              e0 = load<f32>(mh + 12 * posM); e1 = load<f32>(mh + 13 * posM); e2 = load<f32>(mh + 14 * posM); e3 = load<f32>(mh + 15 * posM);
              const s30 = e0 + e1 + e2, s31 = e1 - e2 - e3;
              const yo = <usize>h << 2;
              sStore(s00 + s10 + s20 + bv, yp + yo, rp != 0 ? rp + yo : 0, act, p0, p1);
              if (cols > 1) sStore(s01 + s11 + s21 + bv, yp + yCol + yo, rp != 0 ? rp + rCol + yo : 0, act, p0, p1);
              if (rows > 1) {
                sStore(s10 - s20 - s30 + bv, yp + yRow + yo, rp != 0 ? rp + rRow + yo : 0, act, p0, p1);
                if (cols > 1) sStore(s11 - s21 - s31 + bv, yp + yRow + yCol + yo, rp != 0 ? rp + rRow + rCol + yo : 0, act, p0, p1);
              }
            }
          }
        }
      }
    }
  }
}

/** Epilogue of `cnt` (1..4) channels of one output pixel: + residual at rp (0: none), activation, store. */
@inline function wStore(v: v128, yp: usize, rp: usize, cnt: i32, act: i32, p0: f32, p1: f32): void {
  if (cnt == 4) {
    if (rp != 0) v = f32x4.add(v, v128.load(rp));
    v128.store(yp, activate4(v, act, p0, p1));
  } else {
    if (rp != 0) v = f32x4.add(v, loadPartial(rp, cnt));
    storePartial(yp, activate4(v, act, p0, p1), cnt);
  }
}

@inline function sStore(v: f32, yp: usize, rp: usize, act: i32, p0: f32, p1: f32): void {
  if (rp != 0) v += load<f32>(rp);
  store<f32>(yp, activate1(v, act, p0, p1));
}

// ---------------------------------------------------------------- F(4x4,3x3) transforms

/** Bᵀ v for 6 vectors, stored at q, q + st, ..., q + 5st. */
@inline function bt6v(v0: v128, v1: v128, v2: v128, v3: v128, v4: v128, v5: v128, q: usize, st: usize): void {
  const four = f32x4.splat(4), five = f32x4.splat(5), two = f32x4.splat(2);
  const t1 = f32x4.sub(v4, f32x4.mul(four, v2)), t2 = f32x4.sub(v3, f32x4.mul(four, v1));
  const t3 = f32x4.sub(v4, v2), t4 = f32x4.mul(two, f32x4.sub(v3, v1));
  v128.store(q, f32x4.add(f32x4.sub(f32x4.mul(four, v0), f32x4.mul(five, v2)), v4));
  v128.store(q + st, f32x4.add(t1, t2));
  v128.store(q + 2 * st, f32x4.sub(t1, t2));
  v128.store(q + 3 * st, f32x4.add(t3, t4));
  v128.store(q + 4 * st, f32x4.sub(t3, t4));
  v128.store(q + 5 * st, f32x4.add(f32x4.sub(f32x4.mul(four, v1), f32x4.mul(five, v3)), v5));
}

/** Scalar twin of bt6v (same operations in the same order). */
@inline function bt6s(v0: f32, v1: f32, v2: f32, v3: f32, v4: f32, v5: f32, q: usize, st: usize): void {
  const t1 = v4 - v2 * 4, t2 = v3 - v1 * 4;
  const t3 = v4 - v2, t4 = (v3 - v1) * 2;
  store<f32>(q, v0 * 4 - v2 * 5 + v4);
  store<f32>(q + st, t1 + t2);
  store<f32>(q + 2 * st, t1 - t2);
  store<f32>(q + 3 * st, t3 + t4);
  store<f32>(q + 4 * st, t3 - t4);
  store<f32>(q + 5 * st, v1 * 4 - v3 * 5 + v5);
}

/**
 * Input transform of one 6x6 patch (top-left input pixel (iy, ix) of the image at img; rows and columns outside
 * the image read the zero buffer), all cin channels, into V at v (position p at v + p*posV). Pass 1: row i's
 * transform w_i = Bᵀ d_i to positions 6i..6i+5; pass 2: column k in place, V_.k = Bᵀ w_.k.
 */
function input6(img: usize, iy: i32, ix: i32, ih: i32, iw: i32, xs: usize, zero: usize, v: usize, posV: usize, cin: i32): void {
  for (let i = 0; i < 6; i++) {
    const ok = iy + i >= 0 && iy + i < ih;
    const rb = img + <usize>((iy + i) * iw) * xs;
    const q0 = px(rb, ok, ix, iw, xs, zero), q1 = px(rb, ok, ix + 1, iw, xs, zero), q2 = px(rb, ok, ix + 2, iw, xs, zero);
    const q3 = px(rb, ok, ix + 3, iw, xs, zero), q4 = px(rb, ok, ix + 4, iw, xs, zero), q5 = px(rb, ok, ix + 5, iw, xs, zero);
    const dst = v + <usize>(6 * i) * posV;
    if (ASC_FEATURE_SIMD) {
      for (let c = 0; c < cin; c += 4) {
        const o = <usize>c << 2, cnt = cin - c;
        if (cnt >= 4) bt6v(v128.load(q0 + o), v128.load(q1 + o), v128.load(q2 + o), v128.load(q3 + o), v128.load(q4 + o), v128.load(q5 + o), dst + o, posV);
        else bt6v(loadPartial(q0 + o, cnt), loadPartial(q1 + o, cnt), loadPartial(q2 + o, cnt), loadPartial(q3 + o, cnt), loadPartial(q4 + o, cnt), loadPartial(q5 + o, cnt), dst + o, posV);
      }
    } else {
      for (let c = 0; c < cin; c++) {
        const o = <usize>c << 2;
        bt6s(load<f32>(q0 + o), load<f32>(q1 + o), load<f32>(q2 + o), load<f32>(q3 + o), load<f32>(q4 + o), load<f32>(q5 + o), dst + o, posV);
      }
    }
  }
  const st = posV * 6;
  for (let k = 0; k < 6; k++) {
    const col = v + <usize>k * posV;
    if (ASC_FEATURE_SIMD) {
      for (let c = 0; c < cin; c += 4) {
        const q = col + (<usize>c << 2);
        bt6v(v128.load(q), v128.load(q + st), v128.load(q + 2 * st), v128.load(q + 3 * st), v128.load(q + 4 * st), v128.load(q + 5 * st), q, st);
      }
    } else {
      for (let c = 0; c < cin; c++) {
        const q = col + (<usize>c << 2);
        bt6s(load<f32>(q), load<f32>(q + st), load<f32>(q + 2 * st), load<f32>(q + 3 * st), load<f32>(q + 4 * st), load<f32>(q + 5 * st), q, st);
      }
    }
  }
}

/**
 * Output transform of one tile's 8-channel block (nr valid) of M at mt (position p at mt + p*posM, 8 floats):
 * pass 1 in place, s_i = Aᵀ m_i (row i's 6 values → 4, to positions 6i..6i+3); pass 2, column k < cols:
 * y_.k = Aᵀ s_.k, + bias + residual, activation, stored for rows < `rows`. Aᵀ v = (v0 + a + c, b + 2d,
 * a + 4c, b + 8d + v5) with a = v1 + v2, b = v1 - v2, c = v3 + v4, d = v3 - v4.
 */
function output6(mt: usize, posM: usize, nr: i32, bias: i32, nb: i32, yp: usize, yRow: usize, yCol: usize,
  rp: usize, rRow: usize, rCol: usize, rows: i32, cols: i32, act: i32, p0: f32, p1: f32): void {
  if (ASC_FEATURE_SIMD) {
    const two = f32x4.splat(2), four = f32x4.splat(4), eight = f32x4.splat(8);
    for (let h = 0; h < nr; h += 4) {
      const cnt = min(4, nr - h);
      const mh = mt + (<usize>h << 2);
      for (let i = 0; i < 6; i++) {
        const q = mh + <usize>(6 * i) * posM;
        const v0 = v128.load(q), v1 = v128.load(q + posM), v2 = v128.load(q + 2 * posM);
        const v3 = v128.load(q + 3 * posM), v4 = v128.load(q + 4 * posM), v5 = v128.load(q + 5 * posM);
        const a = f32x4.add(v1, v2), b = f32x4.sub(v1, v2), c = f32x4.add(v3, v4), d = f32x4.sub(v3, v4);
        v128.store(q, f32x4.add(f32x4.add(v0, a), c));
        v128.store(q + posM, f32x4.add(b, f32x4.mul(two, d)));
        v128.store(q + 2 * posM, f32x4.add(a, f32x4.mul(four, c)));
        v128.store(q + 3 * posM, f32x4.add(f32x4.add(b, f32x4.mul(eight, d)), v5));
      }
      const bv = bias != 0 ? loadPartial(<usize>bias + (<usize>(nb + h) << 2), cnt) : f32x4.splat(0);
      const st = posM * 6, yo = <usize>h << 2;
      for (let k = 0; k < cols; k++) {
        const q = mh + <usize>k * posM;
        const v0 = v128.load(q), v1 = v128.load(q + st), v2 = v128.load(q + 2 * st);
        const v3 = v128.load(q + 3 * st), v4 = v128.load(q + 4 * st), v5 = v128.load(q + 5 * st);
        const a = f32x4.add(v1, v2), b = f32x4.sub(v1, v2), c = f32x4.add(v3, v4), d = f32x4.sub(v3, v4);
        const yk = yp + <usize>k * yCol + yo, rk = rp != 0 ? rp + <usize>k * rCol + yo : 0;
        wStore(f32x4.add(f32x4.add(f32x4.add(v0, a), c), bv), yk, rk, cnt, act, p0, p1);
        if (rows > 1) wStore(f32x4.add(f32x4.add(b, f32x4.mul(two, d)), bv), yk + yRow, rk != 0 ? rk + rRow : 0, cnt, act, p0, p1);
        if (rows > 2) wStore(f32x4.add(f32x4.add(a, f32x4.mul(four, c)), bv), yk + 2 * yRow, rk != 0 ? rk + 2 * rRow : 0, cnt, act, p0, p1);
        if (rows > 3) wStore(f32x4.add(f32x4.add(f32x4.add(b, f32x4.mul(eight, d)), v5), bv), yk + 3 * yRow, rk != 0 ? rk + 3 * rRow : 0, cnt, act, p0, p1);
      }
    }
  } else {
    for (let h = 0; h < nr; h++) {
      const mh = mt + (<usize>h << 2);
      for (let i = 0; i < 6; i++) {
        const q = mh + <usize>(6 * i) * posM;
        const v0 = load<f32>(q), v1 = load<f32>(q + posM), v2 = load<f32>(q + 2 * posM);
        const v3 = load<f32>(q + 3 * posM), v4 = load<f32>(q + 4 * posM), v5 = load<f32>(q + 5 * posM);
        const a = v1 + v2, b = v1 - v2, c = v3 + v4, d = v3 - v4;
        store<f32>(q, v0 + a + c);
        store<f32>(q + posM, b + d * 2);
        store<f32>(q + 2 * posM, a + c * 4);
        store<f32>(q + 3 * posM, b + d * 8 + v5);
      }
      const bv: f32 = bias != 0 ? load<f32>(<usize>bias + (<usize>(nb + h) << 2)) : 0;
      const st = posM * 6, yo = <usize>h << 2;
      for (let k = 0; k < cols; k++) {
        const q = mh + <usize>k * posM;
        const v0 = load<f32>(q), v1 = load<f32>(q + st), v2 = load<f32>(q + 2 * st);
        const v3 = load<f32>(q + 3 * st), v4 = load<f32>(q + 4 * st), v5 = load<f32>(q + 5 * st);
        const a = v1 + v2, b = v1 - v2, c = v3 + v4, d = v3 - v4;
        const yk = yp + <usize>k * yCol + yo, rk = rp != 0 ? rp + <usize>k * rCol + yo : 0;
        sStore(v0 + a + c + bv, yk, rk, act, p0, p1);
        if (rows > 1) sStore(b + d * 2 + bv, yk + yRow, rk != 0 ? rk + rRow : 0, act, p0, p1);
        if (rows > 2) sStore(a + c * 4 + bv, yk + 2 * yRow, rk != 0 ? rk + 2 * rRow : 0, act, p0, p1);
        if (rows > 3) sStore(b + d * 8 + v5 + bv, yk + 3 * yRow, rk != 0 ? rk + 3 * rRow : 0, act, p0, p1);
      }
    }
  }
}
