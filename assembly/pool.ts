// Max and average pooling over NHWC, vectorized over channels (docs/DESIGN.md, "Pooling, element-wise,
// softmax, layout, resize kernels").
//
// Window bounds are computed in the kernel (no indirection buffer): for output row oy the taps ky with
// 0 <= oy*sh - pt + ky*dh < ih form one contiguous range [ky0, ky1), the same for columns, so the inner
// loops touch only valid input pixels and padding costs nothing. Average divisor: the number of valid
// taps (count_include_pad = 0), or the taps inside the padded border [-pt, ih + pb) x [-pl, iw + pr)
// (count_include_pad = 1; with ceil mode a window may reach past that border, and those taps are not
// counted, as in PyTorch/ONNX). Sums run over taps in (ky, kx) order in float32 and are divided by the
// divisor (a division, not a reciprocal multiply) in both the vector and the scalar path.
// A window with no valid tap (not reachable with ONNX's pad < kernel) gives -Inf (max) or 0 (avg).

@inline function firstTap(o0: i32, d: i32): i32 {
  // smallest k >= 0 with o0 + k*d >= 0
  return o0 >= 0 ? 0 : (-o0 + d - 1) / d;
}
@inline function endTap(o0: i32, lim: i32, d: i32, k: i32): i32 {
  // smallest k' with o0 + k'*d >= lim, capped at k (o0 < lim assumed by the caller's max with 0)
  if (o0 >= lim) return 0;
  const e = (lim - o0 + d - 1) / d;
  return e < k ? e : k;
}

/**
 * Max pooling. x: input NHWC [N][ih][iw] pixels `xStride` floats apart; y: output [N][oh][ow] pixels
 * `yStride` floats apart; `c` channels. Window: kernel kh x kw, strides sh, sw, dilations dh, dw, padding
 * top pt and left pl (bottom/right padding only changes oh/ow, computed by the host).
 * range = N*oh*ow output pixels.
 */
export function f32_maxpool_nhwc(
  x: usize, ih: i32, iw: i32, xStride: i32, y: usize, oh: i32, ow: i32, yStride: i32, c: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, begin: i32, end: i32,
): void {
  windowPool(true, x, ih, iw, xStride, y, oh, ow, yStride, c, kh, kw, sh, sw, dh, dw, pt, pl, 0, 0, 0, begin, end);
}

/**
 * Average pooling; parameters as f32_maxpool_nhwc plus pb, pr (bottom/right padding) and includePad
 * (1: count_include_pad, divisor counts taps inside the padded border; 0: valid taps only).
 * range = N*oh*ow output pixels.
 */
export function f32_avgpool_nhwc(
  x: usize, ih: i32, iw: i32, xStride: i32, y: usize, oh: i32, ow: i32, yStride: i32, c: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, pb: i32, pr: i32, includePad: i32,
  begin: i32, end: i32,
): void {
  windowPool(false, x, ih, iw, xStride, y, oh, ow, yStride, c, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, includePad, begin, end);
}

// The reduction of one window: max (start -Inf, combine max) or average (start 0, add, divide).
// Max is f32x4.pmax (one maxps; f32x4.max orders NaN and ±0 in 8 instructions under V8, and squeezenet's
// max pools took 7% of its time) with the window's NaNs tracked in `n` (lanes where some v was NaN) and
// restored by fin4: a NaN in the window still gives NaN.
@inline function init4(isMax: bool): v128 { return isMax ? f32x4.splat(-Infinity) : f32x4.splat(0); }
@inline function comb4(isMax: bool, a: v128, v: v128): v128 { return isMax ? f32x4.pmax(a, v) : f32x4.add(a, v); }
@inline function nan4(isMax: bool, n: v128, v: v128): v128 { return isMax ? v128.or(n, f32x4.ne(v, v)) : n; }
@inline function fin4(isMax: bool, a: v128, n: v128, vd: v128): v128 {
  return isMax ? v128.bitselect(f32x4.splat(NaN), a, n) : f32x4.div(a, vd);
}

/**
 * One body for both window poolings; `isMax` is a constant at each (inlined) call, so each export
 * compiles to its own branch-free loop.
 */
@inline function windowPool(
  isMax: bool, x: usize, ih: i32, iw: i32, xStride: i32, y: usize, oh: i32, ow: i32, yStride: i32, c: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, pb: i32, pr: i32, includePad: i32,
  begin: i32, end: i32,
): void {
  const xsB = <usize>xStride << 2;
  const rowB = <usize>iw * xsB;
  const dyB = <usize>dh * rowB;
  const dxB = <usize>dw * xsB;
  const ohw = oh * ow;
  for (let p = begin; p < end; p++) {
    const n = p / ohw;
    const q = p - n * ohw;
    const oy = q / ow;
    const ox = q - oy * ow;
    const iy0 = oy * sh - pt, ix0 = ox * sw - pl;
    const ky0 = firstTap(iy0, dh), ky1 = endTap(iy0, ih, dh, kh);
    const kx0 = firstTap(ix0, dw), kx1 = endTap(ix0, iw, dw, kw);
    let div: f32 = 1;
    if (!isMax) {
      let cnt: i32;
      if (includePad) {
        // taps inside [-pt, ih + pb): all start at >= -pt, so only the end is clipped
        cnt = endTap(iy0 + pt, ih + pt + pb, dh, kh) * endTap(ix0 + pl, iw + pl + pr, dw, kw);
      } else {
        cnt = max(ky1 - ky0, 0) * max(kx1 - kx0, 0);
      }
      div = cnt > 0 ? <f32>cnt : Infinity; // no tap: 0 / Inf = 0
    }
    const base = x + <usize>n * <usize>ih * rowB + <usize>(iy0 + ky0 * dh) * rowB + <usize>(ix0 + kx0 * dw) * xsB;
    const out = y + (<usize>p * <usize>yStride << 2);
    let ch = 0;
    if (ASC_FEATURE_SIMD) {
      const vd = f32x4.splat(div);
      for (; ch + 16 <= c; ch += 16) {
        let a0 = init4(isMax), a1 = init4(isMax), a2 = init4(isMax), a3 = init4(isMax);
        let n0 = f32x4.splat(0), n1 = n0, n2 = n0, n3 = n0;
        let rp = base + (<usize>ch << 2);
        for (let ky = ky0; ky < ky1; ky++) {
          let pp = rp;
          for (let kx = kx0; kx < kx1; kx++) {
            const v0 = v128.load(pp), v1 = v128.load(pp, 16), v2 = v128.load(pp, 32), v3 = v128.load(pp, 48);
            a0 = comb4(isMax, a0, v0); a1 = comb4(isMax, a1, v1); a2 = comb4(isMax, a2, v2); a3 = comb4(isMax, a3, v3);
            n0 = nan4(isMax, n0, v0); n1 = nan4(isMax, n1, v1); n2 = nan4(isMax, n2, v2); n3 = nan4(isMax, n3, v3);
            pp += dxB;
          }
          rp += dyB;
        }
        const o = out + (<usize>ch << 2);
        v128.store(o, fin4(isMax, a0, n0, vd)); v128.store(o, fin4(isMax, a1, n1, vd), 16);
        v128.store(o, fin4(isMax, a2, n2, vd), 32); v128.store(o, fin4(isMax, a3, n3, vd), 48);
      }
      for (; ch + 4 <= c; ch += 4) {
        let a0 = init4(isMax), n0 = f32x4.splat(0);
        let rp = base + (<usize>ch << 2);
        for (let ky = ky0; ky < ky1; ky++) {
          let pp = rp;
          for (let kx = kx0; kx < kx1; kx++) { const v = v128.load(pp); a0 = comb4(isMax, a0, v); n0 = nan4(isMax, n0, v); pp += dxB; }
          rp += dyB;
        }
        v128.store(out + (<usize>ch << 2), fin4(isMax, a0, n0, vd));
      }
    }
    for (; ch < c; ch++) {
      let a: f32 = isMax ? -Infinity : 0;
      let rp = base + (<usize>ch << 2);
      for (let ky = ky0; ky < ky1; ky++) {
        let pp = rp;
        for (let kx = kx0; kx < kx1; kx++) { const v = load<f32>(pp); a = isMax ? max(a, v) : a + v; pp += dxB; }
        rp += dyB;
      }
      store<f32>(out + (<usize>ch << 2), isMax ? a : a / div);
    }
  }
}

/**
 * Global pooling (mode 0 average, 1 max) over all hw pixels of each image: x [N][hw] pixels `xStride`
 * floats apart, y [N] pixels `yStride` floats apart, `c` channels. range = N * ceil(c/4) items; item i is
 * image i / ceil(c/4), channels [4b, min(4b+4, c)) with b = i % ceil(c/4). Consecutive items of one image
 * are processed 16 channels at a time; each channel is reduced over pixels in order whatever the split.
 */
export function f32_global_pool_nhwc(
  x: usize, hw: i32, xStride: i32, y: usize, yStride: i32, c: i32, mode: i32, begin: i32, end: i32,
): void {
  const cb = (c + 3) >> 2;
  const xsB = <usize>xStride << 2;
  const div: f32 = <f32>hw;
  let i = begin;
  while (i < end) {
    const n = i / cb;
    const bEnd = min(end, (n + 1) * cb); // items of this image
    const c0 = (i - n * cb) << 2;
    const c1 = min((bEnd - n * cb) << 2, c);
    i = bEnd;
    const xb = x + <usize>n * <usize>hw * xsB;
    const out = y + (<usize>n * <usize>yStride << 2);
    let ch = c0;
    if (ASC_FEATURE_SIMD) {
      for (; ch + 16 <= c1; ch += 16) {
        let pp = xb + (<usize>ch << 2);
        let a0 = v128.load(pp), a1 = v128.load(pp, 16), a2 = v128.load(pp, 32), a3 = v128.load(pp, 48);
        pp += xsB;
        if (mode == 0) {
          for (let k = 1; k < hw; k++) {
            a0 = f32x4.add(a0, v128.load(pp)); a1 = f32x4.add(a1, v128.load(pp, 16));
            a2 = f32x4.add(a2, v128.load(pp, 32)); a3 = f32x4.add(a3, v128.load(pp, 48));
            pp += xsB;
          }
          const vd = f32x4.splat(div);
          a0 = f32x4.div(a0, vd); a1 = f32x4.div(a1, vd); a2 = f32x4.div(a2, vd); a3 = f32x4.div(a3, vd);
        } else {
          for (let k = 1; k < hw; k++) {
            a0 = f32x4.max(a0, v128.load(pp)); a1 = f32x4.max(a1, v128.load(pp, 16));
            a2 = f32x4.max(a2, v128.load(pp, 32)); a3 = f32x4.max(a3, v128.load(pp, 48));
            pp += xsB;
          }
        }
        const o = out + (<usize>ch << 2);
        v128.store(o, a0); v128.store(o, a1, 16); v128.store(o, a2, 32); v128.store(o, a3, 48);
      }
      for (; ch + 4 <= c1; ch += 4) {
        let pp = xb + (<usize>ch << 2);
        let a0 = v128.load(pp);
        pp += xsB;
        if (mode == 0) {
          for (let k = 1; k < hw; k++) { a0 = f32x4.add(a0, v128.load(pp)); pp += xsB; }
          a0 = f32x4.div(a0, f32x4.splat(div));
        } else {
          for (let k = 1; k < hw; k++) { a0 = f32x4.max(a0, v128.load(pp)); pp += xsB; }
        }
        v128.store(out + (<usize>ch << 2), a0);
      }
    }
    for (; ch < c1; ch++) {
      let pp = xb + (<usize>ch << 2);
      let a = load<f32>(pp);
      pp += xsB;
      if (mode == 0) {
        for (let k = 1; k < hw; k++) { a += load<f32>(pp); pp += xsB; }
        a = a / div;
      } else {
        for (let k = 1; k < hw; k++) { a = max(a, load<f32>(pp)); pp += xsB; }
      }
      store<f32>(out + (<usize>ch << 2), a);
    }
  }
}

// |v|^p by repeated multiplication (p is a small positive integer; the same operation sequence in the
// vector and scalar paths, so any partition and either path give the same bits).
@inline function powAbs4(v: v128, p: i32): v128 {
  const a = f32x4.abs(v);
  let t = a;
  for (let k = 1; k < p; k++) t = f32x4.mul(t, a);
  return t;
}
@inline function powAbs1(v: f32, p: i32): f32 {
  const a = abs<f32>(v);
  let t = a;
  for (let k = 1; k < p; k++) t = t * a;
  return t;
}

/** s^(1/p) for s ≥ 0: exact paths for p = 1 and 2 (sqrt); otherwise Newton's method in f64 from a power of
 * two above the root, which decreases monotonically to it (stops when a step no longer decreases). */
function rootP(s: f32, p: i32): f32 {
  if (p == 1 || s == 0 || !isFinite<f32>(s)) return s;
  if (p == 2) return sqrt<f32>(s);
  const d = <f64>s;
  const e = <i32>((reinterpret<i64>(d) >> 52) & 0x7ff) - 1023; // d in [2^e, 2^(e+1))
  let y = reinterpret<f64>(<i64>(<i32>ceil<f64>(<f64>(e + 1) / <f64>p) + 1023) << 52);
  for (let it = 0; it < 200; it++) {
    let q: f64 = 1;
    for (let k = 1; k < p; k++) q *= y;
    const y1 = (<f64>(p - 1) * y + d / q) / <f64>p;
    if (!(y1 < y)) break;
    y = y1;
  }
  return <f32>y;
}

/**
 * Lp pooling: y = (sum over the window's valid taps of |x|^p)^(1/p) (padding adds nothing); parameters as
 * f32_maxpool_nhwc plus the integer p ≥ 1. Sums in float32 in tap order. Global Lp pooling is this kernel
 * with the whole image as the window. range = N*oh*ow output pixels.
 */
export function f32_lppool_nhwc(
  x: usize, ih: i32, iw: i32, xStride: i32, y: usize, oh: i32, ow: i32, yStride: i32, c: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, p: i32, begin: i32, end: i32,
): void {
  const xsB = <usize>xStride << 2;
  const rowB = <usize>iw * xsB;
  const dyB = <usize>dh * rowB;
  const dxB = <usize>dw * xsB;
  const ohw = oh * ow;
  for (let q = begin; q < end; q++) {
    const n = q / ohw;
    const r = q - n * ohw;
    const oy = r / ow;
    const ox = r - oy * ow;
    const iy0 = oy * sh - pt, ix0 = ox * sw - pl;
    const ky0 = firstTap(iy0, dh), ky1 = endTap(iy0, ih, dh, kh);
    const kx0 = firstTap(ix0, dw), kx1 = endTap(ix0, iw, dw, kw);
    const base = x + <usize>n * <usize>ih * rowB + <usize>(iy0 + ky0 * dh) * rowB + <usize>(ix0 + kx0 * dw) * xsB;
    const out = y + (<usize>q * <usize>yStride << 2);
    let ch = 0;
    if (ASC_FEATURE_SIMD) {
      for (; ch + 4 <= c; ch += 4) {
        let a0 = f32x4.splat(0);
        let rp = base + (<usize>ch << 2);
        for (let ky = ky0; ky < ky1; ky++) {
          let pp = rp;
          for (let kx = kx0; kx < kx1; kx++) { a0 = f32x4.add(a0, powAbs4(v128.load(pp), p)); pp += dxB; }
          rp += dyB;
        }
        v128.store(out + (<usize>ch << 2), a0);
      }
    }
    for (; ch < c; ch++) {
      let a: f32 = 0;
      let rp = base + (<usize>ch << 2);
      for (let ky = ky0; ky < ky1; ky++) {
        let pp = rp;
        for (let kx = kx0; kx < kx1; kx++) { a += powAbs1(load<f32>(pp), p); pp += dxB; }
        rp += dyB;
      }
      store<f32>(out + (<usize>ch << 2), a);
    }
    for (let k = 0; k < c; k++) {
      const o = out + (<usize>k << 2);
      store<f32>(o, rootP(load<f32>(o), p));
    }
  }
}
