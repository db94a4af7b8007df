// Activation functions shared by every kernel epilogue and the standalone activation kernel.
// Codes are part of the kernel ABI (see docs/DESIGN.md, "Activation codes").
//
// exp is computed without tables (no data segment; Mathf.exp's table would be one): Cephes-style
// range reduction x = n*ln2 + r, |r| <= ln2/2, with ln2 split in two constants (C1 has 9 significant
// bits, so n*C1 is exact), a degree-5 polynomial for e^r, then a scale by 2^n built in the exponent
// bits. The scale is applied in two halves 2^(n>>1) * 2^(n - (n>>1)) so results in the subnormal
// range (x down to -103.9) round correctly instead of flushing, and large x overflows to +Inf.
// The scalar (`exp1`) and vector (`exp4`) versions execute the same operations in the same order
// without fused multiply-add, so they give identical bits: a kernel may compute any element either
// way (vector body or scalar tail) and every partition of its range still gives the same bytes.
// Measured relative error against float64 Math.exp: see docs/DESIGN.md.

export const ACT_NONE: i32 = 0;
export const ACT_RELU: i32 = 1;
export const ACT_CLIP: i32 = 2;        // min(max(x, p0), p1): ReLU6 is CLIP(0, 6)
export const ACT_LEAKY_RELU: i32 = 3;  // x < 0 ? p0 * x : x
export const ACT_SIGMOID: i32 = 4;
export const ACT_TANH: i32 = 5;
export const ACT_HARD_SIGMOID: i32 = 6; // clamp(p0 * x + p1, 0, 1)
export const ACT_HARD_SWISH: i32 = 7;   // x * clamp(x / 6 + 0.5, 0, 1)

// ------------------------------------------------------------------ exp constants (Cephes expf)
const EXP_HI: f32 = 88.8;     // above ln(FLT_MAX) = 88.72: the result is +Inf
const EXP_LO: f32 = -104.0;   // below ln(min subnormal) = -103.28: the result is 0
const LOG2E: f32 = 1.44269504088896341;
const C1: f32 = 0.693359375;
const C2: f32 = -2.12194440e-4;
const P0: f32 = 1.9875691500e-4;
const P1: f32 = 1.3981999507e-3;
const P2: f32 = 8.3334519073e-3;
const P3: f32 = 4.1665795894e-2;
const P4: f32 = 1.6666665459e-1;
const P5: f32 = 5.0000001201e-1;
// tanh for |x| < 0.625 (Cephes tanhf): x + x*z*P(z), z = x*x; avoids the cancellation of 1 - 2/(e^2x+1)
const T0: f32 = -5.70498872745e-3;
const T1: f32 = 2.06390887954e-2;
const T2: f32 = -5.37397155531e-2;
const T3: f32 = 1.33314422036e-1;
const T4: f32 = -3.33332819422e-1;
const TANH_SMALL: f32 = 0.625;

/** e^x for one float (same operations as exp4). NaN in, NaN out. */
export function exp1(x: f32): f32 {
  x = min(max(x, EXP_LO), EXP_HI);
  const fx = nearest<f32>(x * LOG2E);
  let r = x - fx * C1;
  r = r - fx * C2;
  let p = P0 * r + P1;
  p = p * r + P2;
  p = p * r + P3;
  p = p * r + P4;
  p = p * r + P5;
  let y = p * (r * r) + r;
  y = y + 1.0;
  const n = <i32>fx; // NaN never reaches here as a live value: the product below is NaN anyway
  const n1 = n >> 1;
  const n2 = n - n1;
  y = y * reinterpret<f32>((n1 + 127) << 23);
  return y * reinterpret<f32>((n2 + 127) << 23);
}

/** e^x for four lanes. */
@inline export function exp4(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(EXP_LO)), f32x4.splat(EXP_HI));
  const fx = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(C1)));
  r = f32x4.sub(r, f32x4.mul(fx, f32x4.splat(C2)));
  let p = f32x4.add(f32x4.mul(f32x4.splat(P0), r), f32x4.splat(P1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P4));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P5));
  let y = f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r);
  y = f32x4.add(y, f32x4.splat(1.0));
  const n = i32x4.trunc_sat_f32x4_s(fx);
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const bias = i32x4.splat(127);
  y = f32x4.mul(y, i32x4.shl(i32x4.add(n1, bias), 23));
  return f32x4.mul(y, i32x4.shl(i32x4.add(n2, bias), 23));
}

/** 1/(1+e^-x), computed from e = e^-|x| so both tails keep their relative accuracy:
 *  x >= 0: 1/(1+e); x < 0: e/(1+e). */
export function sigmoid1(x: f32): f32 {
  const e = exp1(-abs<f32>(x));
  const r: f32 = 1.0 / (1.0 + e);
  return x < 0 ? e * r : r;
}

function sigmoid4(x: v128): v128 {
  const e = exp4(f32x4.neg(f32x4.abs(x)));
  const r = f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), e));
  return v128.bitselect(f32x4.mul(e, r), r, f32x4.lt(x, f32x4.splat(0)));
}

/** tanh: |x| < 0.625 odd polynomial; else sign(x) * (1 - 2/(e^(2|x|) + 1)) (→ ±1 when e^(2|x|) = Inf). */
export function tanh1(x: f32): f32 {
  const a = abs<f32>(x);
  const z = x * x;
  let p = T0 * z + T1;
  p = p * z + T2;
  p = p * z + T3;
  p = p * z + T4;
  const small = p * z * x + x;
  const e = exp1(a + a);
  const big: f32 = 1.0 - 2.0 / (e + 1.0);
  return a < TANH_SMALL ? small : copysign<f32>(big, x);
}

function tanh4(x: v128): v128 {
  const a = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = f32x4.add(f32x4.mul(f32x4.splat(T0), z), f32x4.splat(T1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(T2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(T3));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(T4));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  const e = exp4(f32x4.add(a, a));
  const big = f32x4.sub(f32x4.splat(1.0), f32x4.div(f32x4.splat(2.0), f32x4.add(e, f32x4.splat(1.0))));
  // copysign: magnitude bits of big, sign bit of x
  const signed = v128.bitselect(x, big, i32x4.splat(0x80000000));
  return v128.bitselect(small, signed, f32x4.lt(a, f32x4.splat(TANH_SMALL)));
}

/** Scalar activation; lane for lane identical to activate4 (same operations). */
@inline export function activate1(x: f32, act: i32, p0: f32, p1: f32): f32 {
  switch (act) {
    case ACT_RELU: return max(x, 0);
    case ACT_CLIP: return min(max(x, p0), p1);
    case ACT_LEAKY_RELU: return x < 0 ? p0 * x : x;
    case ACT_SIGMOID: return sigmoid1(x);
    case ACT_TANH: return tanh1(x);
    case ACT_HARD_SIGMOID: return min(max(p0 * x + p1, 0), 1);
    case ACT_HARD_SWISH: return x * min(max(x * (1.0 / 6.0) + 0.5, 0), 1);
    default: return x;
  }
}

/** Four lanes at once (SIMD builds only). Sigmoid and tanh are called, not inlined, to keep epilogues small. */
@inline export function activate4(v: v128, act: i32, p0: f32, p1: f32): v128 {
  switch (act) {
    case ACT_NONE: return v;
    case ACT_RELU: return f32x4.max(v, f32x4.splat(0));
    case ACT_CLIP: return f32x4.min(f32x4.max(v, f32x4.splat(p0)), f32x4.splat(p1));
    case ACT_LEAKY_RELU: return v128.bitselect(f32x4.mul(v, f32x4.splat(p0)), v, f32x4.lt(v, f32x4.splat(0)));
    case ACT_SIGMOID: return sigmoid4(v);
    case ACT_TANH: return tanh4(v);
    case ACT_HARD_SIGMOID:
      return f32x4.min(f32x4.max(f32x4.add(f32x4.mul(v, f32x4.splat(p0)), f32x4.splat(p1)), f32x4.splat(0)), f32x4.splat(1));
    case ACT_HARD_SWISH:
      return f32x4.mul(v, f32x4.min(f32x4.max(f32x4.add(f32x4.mul(v, f32x4.splat(1.0 / 6.0)), f32x4.splat(0.5)), f32x4.splat(0)), f32x4.splat(1)));
    default: return v;
  }
}
