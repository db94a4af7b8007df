// Locally-connected 2-D layer over NHWC (the CNN primer's "unshared" convolution: a convolution whose
// weights differ at every output position). No ONNX operator; the layer builder's locallyConnected().
//
// Packed weights (src/backends/wasm/kernels/local.ts): per output position q = oy*ow + ox one block of
// (1 + kh*kw*cin) rows of C4 = ceil(cout/4)*4 floats: row 0 the bias, row 1 + (ky*kw + kx)*cin + ci the
// weights of input channel ci at tap (ky, kx) for every output channel (lanes >= cout zero). Every weight
// is used once per image, so the kernel is bound by streaming them: SIMD runs over output channels (a
// splat of one input value times a row of weights), 8 channels (two accumulators) per pass, then 4.
// Taps in the padding are skipped (they add nothing). Sums in tap-major, channel-minor order from the bias.
import { madd, storePartial } from './simd';
import { activate1, activate4 } from './activation';

/**
 * y[p][co] = act(bias[q][co] + sum over valid taps (ky, kx) and ci of x[n][iy][ix][ci] * w[q][ky][kx][ci][co]),
 * iy = oy*sh - pt + ky*dh, ix = ox*sw - pl + kx*dw. x: [N][ih][iw] pixels xStride floats apart; y: [N][oh][ow]
 * pixels yStride floats apart (only cout floats of each are written); w packed as above.
 * range = N*oh*ow output pixels.
 */
export function f32_local_conv_nhwc(
  x: usize, ih: i32, iw: i32, xStride: i32, y: usize, oh: i32, ow: i32, yStride: i32, cin: i32, cout: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, w: usize,
  act: i32, p0: f32, p1: f32, begin: i32, end: i32,
): void {
  const c4 = (cout + 3) & ~3;
  const rowB = <usize>c4 << 2;
  const pixB = <usize>(1 + kh * kw * cin) * rowB;
  const xsB = <usize>xStride << 2;
  const ohw = oh * ow;
  for (let p = begin; p < end; p++) {
    const n = p / ohw;
    const q = p - n * ohw;
    const oy = q / ow;
    const ox = q - oy * ow;
    const wp = w + <usize>q * pixB;
    const xb = x + <usize>n * <usize>ih * <usize>iw * xsB;
    const out = y + (<usize>p * <usize>yStride << 2);
    const iy0 = oy * sh - pt, ix0 = ox * sw - pl;
    let co = 0;
    if (ASC_FEATURE_SIMD) {
      for (; co < cout; co += 8) {
        const two = co + 4 < cout;
        const cb = <usize>co << 2;
        let a0 = v128.load(wp + cb);
        let a1 = two ? v128.load(wp + cb, 16) : f32x4.splat(0);
        for (let ky = 0; ky < kh; ky++) {
          const iy = iy0 + ky * dh;
          if (iy < 0 || iy >= ih) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ix0 + kx * dw;
            if (ix < 0 || ix >= iw) continue;
            let xp = xb + <usize>(iy * iw + ix) * xsB;
            let wr = wp + <usize>(1 + (ky * kw + kx) * cin) * rowB + cb;
            if (two) {
              for (let ci = 0; ci < cin; ci++) {
                const xv = v128.load32_splat(xp);
                a0 = madd(xv, v128.load(wr), a0);
                a1 = madd(xv, v128.load(wr, 16), a1);
                xp += 4; wr += rowB;
              }
            } else {
              for (let ci = 0; ci < cin; ci++) {
                a0 = madd(v128.load32_splat(xp), v128.load(wr), a0);
                xp += 4; wr += rowB;
              }
            }
          }
        }
        a0 = activate4(a0, act, p0, p1);
        const o = out + cb;
        if (cout - co >= 4) v128.store(o, a0); else storePartial(o, a0, cout - co);
        if (two) {
          a1 = activate4(a1, act, p0, p1);
          if (cout - co >= 8) v128.store(o, a1, 16); else storePartial(o + 16, a1, cout - co - 4);
        }
      }
    } else {
      for (; co < cout; co++) {
        const cb = <usize>co << 2;
        let a = load<f32>(wp + cb);
        for (let ky = 0; ky < kh; ky++) {
          const iy = iy0 + ky * dh;
          if (iy < 0 || iy >= ih) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ix0 + kx * dw;
            if (ix < 0 || ix >= iw) continue;
            let xp = xb + <usize>(iy * iw + ix) * xsB;
            let wr = wp + <usize>(1 + (ky * kw + kx) * cin) * rowB + cb;
            for (let ci = 0; ci < cin; ci++) { a += load<f32>(xp) * load<f32>(wr); xp += 4; wr += rowB; }
          }
        }
        store<f32>(out + cb, activate1(a, act, p0, p1));
      }
    }
  }
}
