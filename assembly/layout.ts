// Layout kernels: a tiled batched 2-D transpose (NCHW <-> NHWC, and any strided copy that is a
// transpose of two axes) and a general strided copy of up to 6 dims (Transpose, Slice, Concat, Pad).
// See docs/DESIGN.md, "Pooling, element-wise, softmax, layout, resize kernels".

const TILE: i32 = 16;

/**
 * dst[b*dstBatch + j*dstRow + i] = src[b*srcBatch + i*srcRow + j] for b < batch, i < rows, j < cols
 * (all strides in floats). NCHW -> NHWC: rows = C, cols = H*W, srcRow = H*W, dstRow = pixelStride.
 * NHWC -> NCHW: rows = H*W, cols = C, srcRow = pixelStride, dstRow = H*W.
 * Tiles of 16 x 16; range = batch * ceil(rows/16) * ceil(cols/16) tiles, the longer axis's tiles outermost:
 * a thread's share of a layout change at the NCHW boundary is then a band of pixels with all their channels,
 * the pixels the next (or the previous) layer's share on that thread reads (or wrote).
 * SIMD: 4 x 4 blocks transposed in registers (4 loads, 8 shuffles, 4 stores); edges scalar.
 */
export function f32_transpose2d(
  src: usize, srcBatch: i32, srcRow: i32, dst: usize, dstBatch: i32, dstRow: i32, rows: i32, cols: i32,
  begin: i32, end: i32,
): void {
  const tr = (rows + TILE - 1) / TILE, tc = (cols + TILE - 1) / TILE;
  const tpb = tr * tc;
  const sRB = <usize>srcRow << 2, dRB = <usize>dstRow << 2;
  for (let t = begin; t < end; t++) {
    const b = t / tpb;
    const q = t - b * tpb;
    let ti: i32, tj: i32;
    if (tc > tr) { tj = q / tr; ti = q - tj * tr; } else { ti = q / tc; tj = q - ti * tc; }
    const i0 = ti * TILE, j0 = tj * TILE;
    const i1 = min(i0 + TILE, rows), j1 = min(j0 + TILE, cols);
    const s = src + (<usize>b * <usize>srcBatch << 2);
    const d = dst + (<usize>b * <usize>dstBatch << 2);
    let i = i0;
    if (ASC_FEATURE_SIMD) {
      const rgbPixels = j0 == 0 && j1 == 3 && srcRow == 3; // dense RGB pixels into RGB planes (an image output)
      for (; i + 4 <= i1; i += 4) {
        let j = j0;
        if (rgbPixels) {
          const sp = s + <usize>i * 12;
          const a = v128.load(sp), b = v128.load(sp, 16), c = v128.load(sp, 32); // r0 g0 b0 r1 | g1 b1 r2 g2 | b2 r3 g3 b3
          const dp = d + (<usize>i << 2);
          v128.store(dp, v128.shuffle<f32>(v128.shuffle<f32>(a, b, 0, 3, 6, 6), c, 0, 1, 2, 5));
          v128.store(dp + dRB, v128.shuffle<f32>(v128.shuffle<f32>(a, b, 1, 4, 7, 7), c, 0, 1, 2, 6));
          v128.store(dp + 2 * dRB, v128.shuffle<f32>(v128.shuffle<f32>(a, b, 2, 5, 5, 5), c, 0, 1, 4, 7));
          continue;
        }
        for (; j + 4 <= j1; j += 4) {
          const sp = s + <usize>i * sRB + (<usize>j << 2);
          const r0 = v128.load(sp), r1 = v128.load(sp + sRB), r2 = v128.load(sp + 2 * sRB), r3 = v128.load(sp + 3 * sRB);
          const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
          const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
          const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
          const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
          const dp = d + <usize>j * dRB + (<usize>i << 2);
          v128.store(dp, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
          v128.store(dp + dRB, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
          v128.store(dp + 2 * dRB, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
          v128.store(dp + 3 * dRB, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
        }
        for (; j < j1; j++) {
          const sp = s + <usize>i * sRB + (<usize>j << 2);
          const dp = d + <usize>j * dRB + (<usize>i << 2);
          store<f32>(dp, load<f32>(sp));
          store<f32>(dp, load<f32>(sp + sRB), 4);
          store<f32>(dp, load<f32>(sp + 2 * sRB), 8);
          store<f32>(dp, load<f32>(sp + 3 * sRB), 12);
        }
      }
      // RGB planes into dense RGB pixels (an image model's input): 4 pixels' 12 floats in 3 stores
      if (i == 0 && i1 == 3 && dstRow == 3) {
        let j = j0;
        for (; j + 4 <= j1; j += 4) {
          const sp = s + (<usize>j << 2);
          const r = v128.load(sp), g = v128.load(sp + sRB), b = v128.load(sp + 2 * sRB);
          const rg01 = v128.shuffle<f32>(r, g, 0, 4, 1, 5), rg23 = v128.shuffle<f32>(r, g, 2, 6, 3, 7);
          const dp = d + <usize>j * 12;
          v128.store(dp, v128.shuffle<f32>(rg01, b, 0, 1, 4, 2)); // r0 g0 b0 r1
          v128.store(dp, v128.shuffle<f32>(v128.shuffle<f32>(rg01, b, 3, 5, 3, 5), rg23, 0, 1, 4, 5), 16); // g1 b1 r2 g2
          v128.store(dp, v128.shuffle<f32>(b, rg23, 2, 6, 7, 3), 32); // b2 r3 g3 b3
        }
        for (; j < j1; j++) {
          const sp = s + (<usize>j << 2), dp = d + <usize>j * 12;
          store<f32>(dp, load<f32>(sp));
          store<f32>(dp, load<f32>(sp + sRB), 4);
          store<f32>(dp, load<f32>(sp + 2 * sRB), 8);
        }
        i = 3;
      }
    }
    for (; i < i1; i++) {
      for (let j = j0; j < j1; j++) {
        store<f32>(d + <usize>j * dRB + (<usize>i << 2), load<f32>(s + <usize>i * sRB + (<usize>j << 2)));
      }
    }
  }
}

/**
 * General strided copy: for every index (i0..i5) < dims, dst[sum ik*dstStride[k]] = src[sum ik*srcStride[k]].
 * prm: 18 i32: dims[6], srcStrides[6], dstStrides[6] (floats; unused leading dims are 1). Strides may be
 * any non-negative values (a transpose, a slice with steps, a channel slice of an NHWC tensor).
 * range = dims[0]*...*dims[4] rows; each row is dims[5] elements (vector copy when both inner strides are 1).
 */
export function f32_strided_copy(src: usize, dst: usize, prm: usize, begin: i32, end: i32): void {
  const d1 = load<i32>(prm, 4), d2 = load<i32>(prm, 8), d3 = load<i32>(prm, 12), d4 = load<i32>(prm, 16), d5 = load<i32>(prm, 20);
  const s0 = load<i32>(prm, 24), s1 = load<i32>(prm, 28), s2 = load<i32>(prm, 32), s3 = load<i32>(prm, 36), s4 = load<i32>(prm, 40), s5 = load<i32>(prm, 44);
  const t0 = load<i32>(prm, 48), t1 = load<i32>(prm, 52), t2 = load<i32>(prm, 56), t3 = load<i32>(prm, 60), t4 = load<i32>(prm, 64), t5 = load<i32>(prm, 68);
  for (let r = begin; r < end; r++) {
    let q = r;
    const i4 = q % d4; q = q / d4;
    const i3 = q % d3; q = q / d3;
    const i2 = q % d2; q = q / d2;
    const i1 = q % d1; const i0 = q / d1;
    const so = <usize>i0 * s0 + <usize>i1 * s1 + <usize>i2 * s2 + <usize>i3 * s3 + <usize>i4 * s4;
    const to = <usize>i0 * t0 + <usize>i1 * t1 + <usize>i2 * t2 + <usize>i3 * t3 + <usize>i4 * t4;
    const sp = src + (so << 2), dp = dst + (to << 2);
    if (s5 == 1 && t5 == 1) {
      memory.copy(dp, sp, <usize>d5 << 2);
    } else {
      const sB = <usize>s5 << 2, tB = <usize>t5 << 2;
      for (let j = 0; j < d5; j++) store<f32>(dp + <usize>j * tB, load<f32>(sp + <usize>j * sB));
    }
  }
}

/**
 * Table gather: dst[table[2k+1]] = src[table[2k]] for k in [begin, end) (offsets in floats). The index
 * maps that are no stride pattern (GatherElements, Where with a constant condition) run through it; each
 * item writes its own destination, so any partition gives the same bytes. range = table entries.
 */
export function f32_gather_table(src: usize, dst: usize, table: usize, begin: i32, end: i32): void {
  for (let k = begin; k < end; k++) {
    const t = table + (<usize>k << 3);
    store<f32>(dst + (<usize>load<i32>(t, 4) << 2), load<f32>(src + (<usize>load<i32>(t) << 2)));
  }
}
