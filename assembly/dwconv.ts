// f32 depthwise convolution (groups == Cin == Cout) over NHWC, vectorized over channels.
// Uses the same indirection buffer as the igemm (src/kernels/conv.ts): ind[p*taps + t] is the byte address
// of the input pixel read by tap t of output pixel p (or of the shared zero buffer, >= C floats).
// Packed weights: C4 = ceil(C/4)*4 floats per row; row 0 = bias, row 1+t = weights of tap t (t = ky*KW + kx),
// channels >= C zero. Memory-bound: one pass per 16-channel block over the taps, no reuse tricks.
import { activate1, activate4, activateRows, callsActivation, ACT_NONE } from './activation';
import { madd, finish4 } from './simd';


/** Channels [cb, C) one at a time: the scalar path, and the SIMD path's channel tail. */
@inline function dwScalarChannels(
  ip: usize, taps: i32, w: usize, c4b: usize, oc: usize, rr: usize, cb: i32, channels: i32, act: i32, p0: f32, p1: f32,
): void {
  for (let ch = cb; ch < channels; ch++) {
    const off = <usize>ch << 2;
    let s = load<f32>(w + off);
    let wt = w + c4b + off;
    for (let t = 0; t < taps; t++) {
      s += load<f32>(<usize>load<i32>(ip + (<usize>t << 2)) + off) * load<f32>(wt);
      wt += c4b;
    }
    if (rr != 0) s += load<f32>(rr + off);
    store<f32>(oc + off, activate1(s, act, p0, p1));
  }
}

function dwconvSimd(
  ind: usize, taps: i32, w: usize, c: usize, cStride: usize, r: usize, rStride: usize,
  channels: i32, act: i32, p0: f32, p1: f32, begin: i32, end: i32,
): void {
  const c4b = (<usize>(channels + 3) & ~3) << 2; // bytes per packed weight row
  const indStride = <usize>taps << 2;
  const tapsB = <usize>taps << 2;
  // codes activate4 calls out for (Sigmoid, SiLU, the exp family): after each pixel's channels, in a loop
  // specialized per code (activateRows); the cheap ones stay in the epilogue, where they overlap the loads
  const late = callsActivation(act);
  const lateAct = act;
  if (late) act = ACT_NONE;
  for (let p = begin; p < end; p++) {
    const ip = ind + <usize>p * indStride;
    const oc = c + <usize>p * cStride;
    const rr = r != 0 ? r + <usize>p * rStride : 0;
    let cb = 0;
    for (; cb + 16 <= channels; cb += 16) {
      const off = <usize>cb << 2;
      let a0 = v128.load(w + off), a1 = v128.load(w + off, 16), a2 = v128.load(w + off, 32), a3 = v128.load(w + off, 48);
      let wt = w + c4b + off;
      for (let t: usize = 0; t < tapsB; t += 4) {
        const q = <usize>load<i32>(ip + t) + off;
        a0 = madd(v128.load(q), v128.load(wt), a0);
        a1 = madd(v128.load(q, 16), v128.load(wt, 16), a1);
        a2 = madd(v128.load(q, 32), v128.load(wt, 32), a2);
        a3 = madd(v128.load(q, 48), v128.load(wt, 48), a3);
        wt += c4b;
      }
      if (rr != 0) {
        const ro = rr + off;
        a0 = f32x4.add(a0, v128.load(ro)); a1 = f32x4.add(a1, v128.load(ro, 16));
        a2 = f32x4.add(a2, v128.load(ro, 32)); a3 = f32x4.add(a3, v128.load(ro, 48));
      }
      const o = oc + off;
      v128.store(o, activate4(a0, act, p0, p1));
      v128.store(o, activate4(a1, act, p0, p1), 16);
      v128.store(o, activate4(a2, act, p0, p1), 32);
      v128.store(o, activate4(a3, act, p0, p1), 48);
    }
    for (; cb + 4 <= channels; cb += 4) {
      const off = <usize>cb << 2;
      let a0 = v128.load(w + off);
      let wt = w + c4b + off;
      for (let t: usize = 0; t < tapsB; t += 4) {
        a0 = madd(v128.load(<usize>load<i32>(ip + t) + off), v128.load(wt), a0);
        wt += c4b;
      }
      finish4(a0, oc + off, rr != 0 ? rr + off : 0, act, p0, p1);
    }
    if (cb < channels) dwScalarChannels(ip, taps, w, c4b, oc, rr, cb, channels, act, p0, p1);
    if (late) activateRows(oc, oc, 1, channels, 0, lateAct, p0, p1);
  }
}

function dwconvScalar(
  ind: usize, taps: i32, w: usize, c: usize, cStride: usize, r: usize, rStride: usize,
  channels: i32, act: i32, p0: f32, p1: f32, begin: i32, end: i32,
): void {
  const c4b = (<usize>(channels + 3) & ~3) << 2;
  const indStride = <usize>taps << 2;
  for (let p = begin; p < end; p++) {
    dwScalarChannels(ind + <usize>p * indStride, taps, w, c4b, c + <usize>p * cStride,
      r != 0 ? r + <usize>p * rStride : 0, 0, channels, act, p0, p1);
  }
}

/**
 * Depthwise convolution (channel multiplier 1), output pixels p in [begin, end) (range: N*OH*OW pixels).
 * ind: indirection buffer (`taps` addresses per output pixel); w: packed bias+weights (top of file);
 * c: output, pixel stride cStride floats; r: residual (0 = none), pixel stride rStride floats; channels ≥ 1.
 */
export function f32_dwconv_16c(
  ind: i32, taps: i32, w: i32, c: i32, cStride: i32, r: i32, rStride: i32,
  channels: i32, act: i32, p0: f32, p1: f32, begin: i32, end: i32,
): void {
  if (ASC_FEATURE_SIMD) {
    dwconvSimd(<usize>ind, taps, <usize>w, <usize>c, <usize>cStride << 2, <usize>r, <usize>rStride << 2,
      channels, act, p0, p1, begin, end);
  } else {
    dwconvScalar(<usize>ind, taps, <usize>w, <usize>c, <usize>cStride << 2, <usize>r, <usize>rStride << 2,
      channels, act, p0, p1, begin, end);
  }
}
