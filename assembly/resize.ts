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
