// Resize (ONNX Resize on the spatial axes of an NHWC tensor): nearest and bilinear, with per-axis source
// index and weight tables computed on the host (src/kernels/resize.ts), so every coordinate transform
// and rounding mode is one kernel. See docs/DESIGN.md, "Pooling, element-wise, softmax, layout, resize kernels".

@inline function copyPixel(d: usize, s: usize, c: i32): void {
  let ch = 0;
  if (ASC_FEATURE_SIMD) {
    for (; ch + 4 <= c; ch += 4) v128.store(d + (<usize>ch << 2), v128.load(s + (<usize>ch << 2)));
  }
  for (; ch < c; ch++) store<f32>(d + (<usize>ch << 2), load<f32>(s + (<usize>ch << 2)));
}

/**
 * Nearest: y[n][oy][ox][:c] = x[n][yIdx[oy]][xIdx[ox]][:c]. x: [N][ih][iw] pixels xStride floats apart,
 * y: [N][oh][ow] pixels yStride floats apart. yIdx: oh i32 source rows, xIdx: ow i32 source columns.
 * range = N*oh output rows.
 */
export function f32_resize_nearest_nhwc(
  x: usize, ih: i32, iw: i32, xStride: i32, y: usize, oh: i32, ow: i32, yStride: i32, c: i32,
  yIdx: usize, xIdx: usize, begin: i32, end: i32,
): void {
  const xsB = <usize>xStride << 2, ysB = <usize>yStride << 2;
  for (let r = begin; r < end; r++) {
    const n = r / oh;
    const oy = r - n * oh;
    const srow = x + (<usize>(n * ih + load<i32>(yIdx + (<usize>oy << 2))) * <usize>iw) * xsB;
    let d = y + <usize>r * <usize>ow * ysB;
    for (let ox = 0; ox < ow; ox++) {
      copyPixel(d, srow + <usize>load<i32>(xIdx + (<usize>ox << 2)) * xsB, c);
      d += ysB;
    }
  }
}

/**
 * Bilinear: with (y0, y1) = yIdx[2*oy .. 2*oy+1], wy = yW[oy] (weight of y1), likewise xIdx/xW per ox:
 * top = x[y0][x0]*(1-wx) + x[y0][x1]*wx, bottom likewise on y1, y = top*(1-wy) + bottom*wy (float32,
 * no fused multiply-add). Layout and range as f32_resize_nearest_nhwc; yIdx: 2*oh i32, yW: oh f32,
 * xIdx: 2*ow i32, xW: ow f32.
 */
export function f32_resize_bilinear_nhwc(
  x: usize, ih: i32, iw: i32, xStride: i32, y: usize, oh: i32, ow: i32, yStride: i32, c: i32,
  yIdx: usize, yW: usize, xIdx: usize, xW: usize, begin: i32, end: i32,
): void {
  const xsB = <usize>xStride << 2, ysB = <usize>yStride << 2;
  const rowB = <usize>iw * xsB;
  for (let r = begin; r < end; r++) {
    const n = r / oh;
    const oy = r - n * oh;
    const img = x + <usize>n * <usize>ih * rowB;
    const row0 = img + <usize>load<i32>(yIdx + (<usize>oy << 3)) * rowB;
    const row1 = img + <usize>load<i32>(yIdx + (<usize>oy << 3), 4) * rowB;
    const wy = load<f32>(yW + (<usize>oy << 2));
    const vy: f32 = 1.0 - wy;
    let d = y + <usize>r * <usize>ow * ysB;
    for (let ox = 0; ox < ow; ox++) {
      const c0 = <usize>load<i32>(xIdx + (<usize>ox << 3)) * xsB;
      const c1 = <usize>load<i32>(xIdx + (<usize>ox << 3), 4) * xsB;
      const wx = load<f32>(xW + (<usize>ox << 2));
      const vx: f32 = 1.0 - wx;
      const p00 = row0 + c0, p01 = row0 + c1, p10 = row1 + c0, p11 = row1 + c1;
      let ch = 0;
      if (ASC_FEATURE_SIMD) {
        const WX = f32x4.splat(wx), VX = f32x4.splat(vx), WY = f32x4.splat(wy), VY = f32x4.splat(vy);
        for (; ch + 4 <= c; ch += 4) {
          const o = <usize>ch << 2;
          const top = f32x4.add(f32x4.mul(v128.load(p00 + o), VX), f32x4.mul(v128.load(p01 + o), WX));
          const bot = f32x4.add(f32x4.mul(v128.load(p10 + o), VX), f32x4.mul(v128.load(p11 + o), WX));
          v128.store(d + o, f32x4.add(f32x4.mul(top, VY), f32x4.mul(bot, WY)));
        }
      }
      for (; ch < c; ch++) {
        const o = <usize>ch << 2;
        const top = load<f32>(p00 + o) * vx + load<f32>(p01 + o) * wx;
        const bot = load<f32>(p10 + o) * vx + load<f32>(p11 + o) * wx;
        store<f32>(d + o, top * vy + bot * wy);
      }
      d += ysB;
    }
  }
}

/**
 * Bicubic: 4 taps per axis, yIdx/yW[4*oy .. 4*oy+3] (source rows, clamped, and their weights), likewise
 * xIdx/xW per ox. Each of the 4 rows is combined over its 4 columns, then the 4 row sums over the rows,
 * summed left to right in float32 without fused multiply-add (scalar and SIMD give the same bits).
 * Layout and range as f32_resize_nearest_nhwc; yIdx: 4*oh i32, yW: 4*oh f32, xIdx: 4*ow i32, xW: 4*ow f32.
 */
export function f32_resize_cubic_nhwc(
  x: usize, ih: i32, iw: i32, xStride: i32, y: usize, oh: i32, ow: i32, yStride: i32, c: i32,
  yIdx: usize, yW: usize, xIdx: usize, xW: usize, begin: i32, end: i32,
): void {
  const xsB = <usize>xStride << 2, ysB = <usize>yStride << 2;
  const rowB = <usize>iw * xsB;
  for (let r = begin; r < end; r++) {
    const n = r / oh;
    const oy = r - n * oh;
    const img = x + <usize>n * <usize>ih * rowB;
    const ti = yIdx + (<usize>oy << 4), tw = yW + (<usize>oy << 4);
    const r0 = img + <usize>load<i32>(ti) * rowB, r1 = img + <usize>load<i32>(ti, 4) * rowB;
    const r2 = img + <usize>load<i32>(ti, 8) * rowB, r3 = img + <usize>load<i32>(ti, 12) * rowB;
    const wy0 = load<f32>(tw), wy1 = load<f32>(tw, 4), wy2 = load<f32>(tw, 8), wy3 = load<f32>(tw, 12);
    let d = y + <usize>r * <usize>ow * ysB;
    for (let ox = 0; ox < ow; ox++) {
      const ci = xIdx + (<usize>ox << 4), cwp = xW + (<usize>ox << 4);
      const c0 = <usize>load<i32>(ci) * xsB, c1 = <usize>load<i32>(ci, 4) * xsB;
      const c2 = <usize>load<i32>(ci, 8) * xsB, c3 = <usize>load<i32>(ci, 12) * xsB;
      const wx0 = load<f32>(cwp), wx1 = load<f32>(cwp, 4), wx2 = load<f32>(cwp, 8), wx3 = load<f32>(cwp, 12);
      let ch = 0;
      if (ASC_FEATURE_SIMD) {
        const X0 = f32x4.splat(wx0), X1 = f32x4.splat(wx1), X2 = f32x4.splat(wx2), X3 = f32x4.splat(wx3);
        const Y0 = f32x4.splat(wy0), Y1 = f32x4.splat(wy1), Y2 = f32x4.splat(wy2), Y3 = f32x4.splat(wy3);
        for (; ch + 4 <= c; ch += 4) {
          const o = <usize>ch << 2;
          const s0 = cubicRow4(r0 + o, c0, c1, c2, c3, X0, X1, X2, X3);
          const s1 = cubicRow4(r1 + o, c0, c1, c2, c3, X0, X1, X2, X3);
          const s2 = cubicRow4(r2 + o, c0, c1, c2, c3, X0, X1, X2, X3);
          const s3 = cubicRow4(r3 + o, c0, c1, c2, c3, X0, X1, X2, X3);
          v128.store(d + o, f32x4.add(f32x4.add(f32x4.add(f32x4.mul(s0, Y0), f32x4.mul(s1, Y1)), f32x4.mul(s2, Y2)), f32x4.mul(s3, Y3)));
        }
      }
      for (; ch < c; ch++) {
        const o = <usize>ch << 2;
        const s0 = cubicRow1(r0 + o, c0, c1, c2, c3, wx0, wx1, wx2, wx3);
        const s1 = cubicRow1(r1 + o, c0, c1, c2, c3, wx0, wx1, wx2, wx3);
        const s2 = cubicRow1(r2 + o, c0, c1, c2, c3, wx0, wx1, wx2, wx3);
        const s3 = cubicRow1(r3 + o, c0, c1, c2, c3, wx0, wx1, wx2, wx3);
        store<f32>(d + o, s0 * wy0 + s1 * wy1 + s2 * wy2 + s3 * wy3);
      }
      d += ysB;
    }
  }
}

@inline function cubicRow4(p: usize, c0: usize, c1: usize, c2: usize, c3: usize, w0: v128, w1: v128, w2: v128, w3: v128): v128 {
  return f32x4.add(f32x4.add(f32x4.add(f32x4.mul(v128.load(p + c0), w0), f32x4.mul(v128.load(p + c1), w1)), f32x4.mul(v128.load(p + c2), w2)), f32x4.mul(v128.load(p + c3), w3));
}

@inline function cubicRow1(p: usize, c0: usize, c1: usize, c2: usize, c3: usize, w0: f32, w1: f32, w2: f32, w3: f32): f32 {
  return load<f32>(p + c0) * w0 + load<f32>(p + c1) * w1 + load<f32>(p + c2) * w2 + load<f32>(p + c3) * w3;
}
