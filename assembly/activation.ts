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
// Sigmoid (and SiLU, EfficientNet's activation) has its own faster vector exp of x ≤ 0 (expNonPos4: rounding
// by a bias, Estrin, fused multiply-adds in relaxed builds), which Tanh, Mish, Softplus, ELU and SELU use too;
// their scalar twins in SIMD builds are lane 0 of the vector versions.

export const ACT_NONE: i32 = 0;
export const ACT_RELU: i32 = 1;
export const ACT_CLIP: i32 = 2;        // min(max(x, p0), p1): ReLU6 is CLIP(0, 6)
export const ACT_LEAKY_RELU: i32 = 3;  // x < 0 ? p0 * x : x
export const ACT_SIGMOID: i32 = 4;
export const ACT_TANH: i32 = 5;
export const ACT_HARD_SIGMOID: i32 = 6; // clamp(p0 * x + p1, 0, 1)
export const ACT_HARD_SWISH: i32 = 7;   // x * clamp(x / 6 + 0.5, 0, 1)
// Codes 8 and up are computed by activateExt1/activateExt4 (called, not inlined: epilogues stay small);
// over ranges activateRows runs a loop per code with the code's function inlined.
export const ACT_ELU: i32 = 8;               // x < 0 ? p0 * expm1(x) : x
export const ACT_SELU: i32 = 9;              // p1 * (x > 0 ? x : p0 * expm1(x))  (p0 alpha, p1 gamma)
export const ACT_CELU: i32 = 10;             // max(0, x) + min(0, p0 * expm1(x / p0))
export const ACT_THRESHOLDED_RELU: i32 = 11; // x > p0 ? x : 0
export const ACT_GELU: i32 = 12;             // 0.5 x (1 + erf(x / sqrt 2))
export const ACT_GELU_TANH: i32 = 13;        // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
export const ACT_ERF: i32 = 14;
export const ACT_SOFTPLUS: i32 = 15;         // max(x, 0) + log1p(exp(-|x|))
export const ACT_SOFTSIGN: i32 = 16;         // x / (1 + |x|)
export const ACT_MISH: i32 = 17;             // x * tanh(softplus(x)), computed as x n/(n+2), n = e^x (e^x + 2)
export const ACT_SILU: i32 = 18;             // x * sigmoid(x)
export const ACT_EXP: i32 = 19;
export const ACT_LOG: i32 = 20;              // NaN below 0, -Inf at 0
export const ACT_SQRT: i32 = 21;
export const ACT_ABS: i32 = 22;
export const ACT_NEG: i32 = 23;
export const ACT_RECIPROCAL: i32 = 24;
export const ACT_FLOOR: i32 = 25;
export const ACT_CEIL: i32 = 26;
export const ACT_ROUND: i32 = 27;            // half to even
export const ACT_SIGN: i32 = 28;

// Scalar twins of f32x4.pmax / pmin (the vector clamps below use them: one maxps/minps each): the same
// result for NaN (the first operand is kept) and ±0, so the scalar tail of a vector kernel and the scalar
// binary give the vector path's bits.
@inline function pmax1(a: f32, b: f32): f32 { return a < b ? b : a; }
@inline function pmin1(a: f32, b: f32): f32 { return b < a ? b : a; }

import { madd } from './fma';

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
// sigmoid4's e^t on |t| ≤ ln2/2: 1 + t·(SE1 + SE2 t + SE3 t² + SE4 t³ + SE5 t⁴), a minimax fit (the degree-5
// polynomial of XNNPACK's rr2-p5 exp kernels; coefficients as float32)
const SIG_BIAS: f32 = 12583103.0;        // 1.5·2^23 + 127 + 64: n + bias holds n + 191 in its low bits
const TWO_M64: f32 = 5.421010862427522e-20; // 2^-64
const LN2_HI: f32 = 0.693145751953125;   // ln 2 in two parts (Cody-Waite): n·LN2_HI is exact
const LN2_LO: f32 = 1.428606765330187e-6;
const SE1: f32 = 0.9999997019767761;
const SE2: f32 = 0.4999915063381195;
const SE3: f32 = 0.16667652130126953;
const SE4: f32 = 0.04189782217144966;
const SE5: f32 = 0.008289290592074394;
// tanh for |x| < 0.625 (Cephes tanhf): x + x*z*P(z), z = x*x; avoids the cancellation of 1 - 2/(e^2x+1)
const T0: f32 = -5.70498872745e-3;
const T1: f32 = 2.06390887954e-2;
const T2: f32 = -5.37397155531e-2;
const T3: f32 = 1.33314422036e-1;
const T4: f32 = -3.33332819422e-1;
const TANH_SMALL: f32 = 0.625;

/** e^x for one float (same operations as exp4). NaN in, NaN out. */
export function exp1(x: f32): f32 {
  x = pmin1(pmax1(x, EXP_LO), EXP_HI);
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
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(EXP_LO)), f32x4.splat(EXP_HI));
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
  // SIMD builds: lane 0 of sigmoid4, so a vector kernel's scalar tail gives the vector path's bits (its
  // algorithm, and relaxed builds' fused multiply-adds, which scalar wasm has no instruction for)
  if (ASC_FEATURE_SIMD) return f32x4.extract_lane(sigmoid4(f32x4.splat(x)), 0);
  const e = exp1(-abs<f32>(x));
  const r: f32 = 1.0 / (1.0 + e);
  return x < 0 ? e * r : r;
}

/** sigmoid4: from e = e^z, z = -|x| (clamped at -104, where e is 0): f = e/(1+e), then 1 - f for x ≥ 0.
 *  e^z as 2^n·e^t: n = round(z·log2 e) by adding a bias whose bits then hold n + 191 in the exponent field's
 *  place (shifted left 23: 2^(n+64), a normal float for every n ≥ -150; no float-to-int conversion);
 *  t = z - n·ln2 in two parts; e^t = 1 + t·p(t), p a degree-4 minimax polynomial by Estrin (3 dependent
 *  multiply-adds, not 5); the product times 2^-64 is exact, or correctly rounded where it is subnormal.
 *  Max relative error 2.6e-7; 2.3x the Melem/s of the exp4-based version in relaxed builds (docs/DESIGN.md). */
@inline export function sigmoid4(x: v128): v128 {
  const e = expNonPos4(v128.or(x, i32x4.splat(0x80000000)));
  const f = f32x4.div(e, f32x4.add(e, f32x4.splat(1.0)));
  return v128.bitselect(f, f32x4.sub(f32x4.splat(1.0), f), f32x4.lt(x, f32x4.splat(0)));
}

/** e^z for z ≤ 0 (NaN for NaN; 0 below -104), the way sigmoid4 computes it (above): Tanh, Mish, Softplus,
 *  ELU and SELU take their exponential from it too, each as e^(-|something|). */
@inline export function expNonPos4(z: v128): v128 {
  z = f32x4.pmax(z, f32x4.splat(EXP_LO));
  let n = madd(z, f32x4.splat(LOG2E), f32x4.splat(SIG_BIAS));
  const s = i32x4.shl(n, 23);
  n = f32x4.sub(n, f32x4.splat(SIG_BIAS));
  let t = madd(n, f32x4.splat(-LN2_HI), z);
  t = madd(n, f32x4.splat(-LN2_LO), t);
  const t2 = f32x4.mul(t, t);
  const p = madd(t2, madd(f32x4.splat(SE5), t2, madd(f32x4.splat(SE4), t, f32x4.splat(SE3))), madd(f32x4.splat(SE2), t, f32x4.splat(SE1)));
  return f32x4.mul(madd(f32x4.mul(t, s), p, s), f32x4.splat(TWO_M64));
}

/** tanh: |x| < 0.625 odd polynomial; else sign(x) * (1 - 2/(e^(2|x|) + 1)) (→ ±1 when e^(2|x|) = Inf).
 *  SIMD builds: lane 0 of tanh4 (its exp is sigmoid's, with relaxed builds' fused multiply-adds). */
export function tanh1(x: f32): f32 {
  if (ASC_FEATURE_SIMD) return f32x4.extract_lane(tanh4(f32x4.splat(x)), 0);
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
  // tanh|x| = (1 - e)/(1 + e), e = e^(-2|x|) in [0, 1]: no overflow, no cancellation above 0.625
  const e = expNonPos4(f32x4.mul(a, f32x4.splat(-2.0)));
  const one = f32x4.splat(1.0);
  const big = f32x4.div(f32x4.sub(one, e), f32x4.add(one, e));
  // copysign: magnitude bits of big, sign bit of x
  const signed = v128.bitselect(x, big, i32x4.splat(0x80000000));
  return v128.bitselect(small, signed, f32x4.lt(a, f32x4.splat(TANH_SMALL)));
}

// ------------------------------------------------------------------ log (Cephes logf)
// x = m * 2^e with m in [sqrt(1/2), sqrt(2)); log(m) = f - f^2/2 + f^3 P(f), f = m - 1 (P of degree 8);
// log x = log(m) + e ln 2 with ln 2 split as in exp. Subnormal inputs are scaled by 2^23 first.
const SQRTHF: f32 = 0.707106781186547524;
const L0: f32 = 7.0376836292e-2;
const L1: f32 = -1.1514610310e-1;
const L2: f32 = 1.1676998740e-1;
const L3: f32 = -1.2420140846e-1;
const L4: f32 = 1.4249322787e-1;
const L5: f32 = -1.6668057665e-1;
const L6: f32 = 2.0000714765e-1;
const L7: f32 = -2.4999993993e-1;
const L8: f32 = 3.3333331174e-1;
const MIN_NORMAL: f32 = 1.17549435e-38;
const TWO23: f32 = 8388608.0;

/** Natural log of one float (same operations as log4): NaN below 0 and for NaN, -Inf at ±0, +Inf at +Inf. */
export function log1(x: f32): f32 {
  const sub = x < MIN_NORMAL;
  const xs = sub ? x * TWO23 : x;
  const bits = reinterpret<i32>(xs);
  let e = ((bits >> 23) & 0xff) - 126 - (sub ? 23 : 0);
  const m = reinterpret<f32>((bits & 0x007fffff) | 0x3f000000); // [0.5, 1)
  const lo = m < SQRTHF;
  e = lo ? e - 1 : e;
  const f = (lo ? m + m : m) - 1.0;
  const z = f * f;
  let p = L0 * f + L1;
  p = p * f + L2;
  p = p * f + L3;
  p = p * f + L4;
  p = p * f + L5;
  p = p * f + L6;
  p = p * f + L7;
  p = p * f + L8;
  const fe = <f32>e;
  let y = f * z * p;
  y = y + fe * C2;
  y = y - 0.5 * z;
  let r = f + y;
  r = r + fe * C1;
  const special: f32 = x == 0 ? -Infinity : x < 0 ? NaN : x; // +Inf and NaN are themselves
  return x > 0 && x < Infinity ? r : special;
}

/** Natural log of four floats (same operations as log1), inlined into one called wrapper per module that uses it
 * (log4 below, and in reduce.ts): an exported function may not take a v128 (AS112), and one copy per call site
 * would cost 6 KB. */
@inline export function log4Inline(x: v128): v128 {
  const sub = f32x4.lt(x, f32x4.splat(MIN_NORMAL));
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(TWO23)), x, sub);
  let e = i32x4.sub(i32x4.sub(v128.and(i32x4.shr_s(xs, 23), i32x4.splat(0xff)), i32x4.splat(126)), v128.and(sub, i32x4.splat(23)));
  const m = v128.or(v128.and(xs, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000));
  const lo = f32x4.lt(m, f32x4.splat(SQRTHF));
  e = i32x4.add(e, lo); // lo lanes are -1
  const f = f32x4.sub(v128.bitselect(f32x4.add(m, m), m, lo), f32x4.splat(1.0));
  const z = f32x4.mul(f, f);
  let p = f32x4.add(f32x4.mul(f32x4.splat(L0), f), f32x4.splat(L1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(L2));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(L3));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(L4));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(L5));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(L6));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(L7));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(L8));
  const fe = f32x4.convert_i32x4_s(e);
  let y = f32x4.mul(f32x4.mul(f, z), p);
  y = f32x4.add(y, f32x4.mul(fe, f32x4.splat(C2)));
  y = f32x4.sub(y, f32x4.mul(f32x4.splat(0.5), z));
  let r = f32x4.add(f, y);
  r = f32x4.add(r, f32x4.mul(fe, f32x4.splat(C1)));
  const zero = f32x4.splat(0);
  const special = v128.bitselect(f32x4.splat(-Infinity), v128.bitselect(f32x4.splat(NaN), x, f32x4.lt(x, zero)), f32x4.eq(x, zero));
  return v128.bitselect(r, special, v128.and(f32x4.gt(x, zero), f32x4.lt(x, f32x4.splat(Infinity))));
}

function log4(x: v128): v128 { return log4Inline(x); }

// ------------------------------------------------------------------ expm1
// |x| < 0.5: Taylor polynomial to x^8 (truncation < 6e-9 relative); else exp(x) - 1 (no cancellation there).
const EM_SMALL: f32 = 0.5;
const E2: f32 = 0.5;
const E3: f32 = 1.6666666666666666e-1;
const E4: f32 = 4.1666666666666664e-2;
const E5: f32 = 8.3333333333333332e-3;
const E6: f32 = 1.3888888888888889e-3;
const E7: f32 = 1.9841269841269841e-4;
const E8: f32 = 2.4801587301587302e-5;

function expm1_1(x: f32): f32 {
  let p = E8 * x + E7;
  p = p * x + E6;
  p = p * x + E5;
  p = p * x + E4;
  p = p * x + E3;
  p = p * x + E2;
  const small = p * (x * x) + x;
  const big = exp1(x) - 1.0;
  return abs<f32>(x) < EM_SMALL ? small : big;
}

/** expm1's Taylor polynomial for |x| < 0.5 (four lanes). */
@inline function expm1Small4(x: v128): v128 {
  let p = f32x4.add(f32x4.mul(f32x4.splat(E8), x), f32x4.splat(E7));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(E6));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(E5));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(E4));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(E3));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(E2));
  return f32x4.add(f32x4.mul(p, f32x4.mul(x, x)), x);
}

function expm1_4(x: v128): v128 {
  const big = f32x4.sub(exp4(x), f32x4.splat(1.0));
  return v128.bitselect(expm1Small4(x), big, f32x4.lt(f32x4.abs(x), f32x4.splat(EM_SMALL)));
}

/** expm1 where it matters for ELU and SELU, x ≤ 0 (lanes above 0 give expm1(0) = 0): the small-|x|
 *  polynomial, and e^x - 1 from expNonPos4 elsewhere. */
function expm1Neg4(x: v128): v128 {
  const z = f32x4.pmin(x, f32x4.splat(0)); // NaN stays NaN
  const big = f32x4.sub(expNonPos4(z), f32x4.splat(1.0));
  return v128.bitselect(expm1Small4(z), big, f32x4.gt(z, f32x4.splat(-EM_SMALL)));
}

// ------------------------------------------------------------------ erf
// x clamped to [-4, 4] (erf is ±1 in float32 beyond 3.92), then x P(x^2) / Q(x^2), the rational
// approximation Eigen and TensorFlow use for float (P of degree 6, Q of degree 4); the result is
// clamped to [-1, 1]. Measured: 4.2e-7 absolute (7 ulp) near |x| = 3.3, where erf is within 3e-6 of ±1.
const ERF_CLAMP: f32 = 4.0;
const A1: f32 = -1.60960333262415e-02;
const A3: f32 = -2.95459980854025e-03;
const A5: f32 = -7.34990630326855e-04;
const A7: f32 = -5.69250639462346e-05;
const A9: f32 = -2.10102402082508e-06;
const A11: f32 = 2.77068142495902e-08;
const A13: f32 = -2.72614225801306e-10;
const B0: f32 = -1.42647390514189e-02;
const B2: f32 = -7.37332916720468e-03;
const B4: f32 = -1.68282697438203e-03;
const B6: f32 = -2.13374055278905e-04;
const B8: f32 = -1.45660718464996e-05;

export function erf1(x: f32): f32 {
  const c = pmin1(pmax1(x, -ERF_CLAMP), ERF_CLAMP);
  const z = c * c;
  let p = A13 * z + A11;
  p = p * z + A9;
  p = p * z + A7;
  p = p * z + A5;
  p = p * z + A3;
  p = p * z + A1;
  let q = B8 * z + B6;
  q = q * z + B4;
  q = q * z + B2;
  q = q * z + B0;
  return pmin1(pmax1((p / q) * c, -1.0), 1.0); // c last: a subnormal x rounds once
}

function erf4(x: v128): v128 {
  const c = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-ERF_CLAMP)), f32x4.splat(ERF_CLAMP));
  const z = f32x4.mul(c, c);
  let p = f32x4.add(f32x4.mul(f32x4.splat(A13), z), f32x4.splat(A11));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(A9));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(A7));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(A5));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(A3));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(A1));
  let q = f32x4.add(f32x4.mul(f32x4.splat(B8), z), f32x4.splat(B6));
  q = f32x4.add(f32x4.mul(q, z), f32x4.splat(B4));
  q = f32x4.add(f32x4.mul(q, z), f32x4.splat(B2));
  q = f32x4.add(f32x4.mul(q, z), f32x4.splat(B0));
  return f32x4.pmin(f32x4.pmax(f32x4.mul(f32x4.div(p, q), c), f32x4.splat(-1.0)), f32x4.splat(1.0));
}

// ------------------------------------------------------------------ softplus
// max(x, 0) + log1p(e), e = exp(-|x|) in (0, 1]: log1p(e) = log(u) - ((u - 1) - e) / u with u = 1 + e
// (the quotient corrects the rounding of u; exact e when u rounds to 1). No overflow for any x.
function softplus1(x: f32): f32 {
  const e = exp1(-abs<f32>(x));
  const u: f32 = 1.0 + e;
  const l = log1(u) - ((u - 1.0) - e) / u;
  return pmax1(x, 0) + l;
}

function softplus4(x: v128): v128 {
  const e = expNonPos4(v128.or(x, i32x4.splat(0x80000000)));
  const one = f32x4.splat(1.0);
  const u = f32x4.add(one, e);
  const l = f32x4.sub(log4(u), f32x4.div(f32x4.sub(f32x4.sub(u, one), e), u));
  return f32x4.add(f32x4.pmax(x, f32x4.splat(0)), l);
}

// ------------------------------------------------------------------ pow
// |a|^b = exp(b log|a|); a negative base keeps the sign (-1)^b for an integer b and is NaN otherwise;
// b = 0 gives 1 (C's pow). Relative error about (|b log a| + 2) ulp.
export function pow1(a: f32, b: f32): f32 {
  const r = exp1(b * log1(abs<f32>(a)));
  const isInt = floor<f32>(b) == b;
  const hb: f32 = b * 0.5;
  const odd = isInt && floor<f32>(hb) != hb;
  const signed: f32 = isInt ? (odd ? -r : r) : NaN;
  const v = a < 0 ? signed : r;
  return b == 0 ? 1 : v;
}

@inline export function pow4(a: v128, b: v128): v128 {
  const r = exp4(f32x4.mul(b, log4(f32x4.abs(a))));
  const isInt = f32x4.eq(f32x4.floor(b), b);
  const hb = f32x4.mul(b, f32x4.splat(0.5));
  const odd = v128.and(isInt, f32x4.ne(f32x4.floor(hb), hb));
  const signed = v128.bitselect(v128.bitselect(f32x4.neg(r), r, odd), f32x4.splat(NaN), isInt);
  const v = v128.bitselect(signed, r, f32x4.lt(a, f32x4.splat(0)));
  return v128.bitselect(f32x4.splat(1.0), v, f32x4.eq(b, f32x4.splat(0)));
}

// ------------------------------------------------------------------ mish
// x·tanh(softplus(x)) = x·n/(n + 2) with n = e^x (e^x + 2): one exp and one division instead of softplus's
// exp, log and division plus tanh's exp and division. The vector version takes t = e^(-|x|) ≤ 1 (no
// overflow): x < 0, t = e^x: n/(n + 2) as it is; x ≥ 0, divided through by e^(2x): (1 + 2t)/(1 + 2t + 2t²).
// The scalar one (scalar builds) caps x at 20 inside the exp (the ratio is 1 in float32 from x ≈ 9 on).
const MISH_CAP: f32 = 20.0;

function mish1(x: f32): f32 {
  const e = exp1(pmin1(x, MISH_CAP));
  const n = e * (e + 2.0);
  return x * (n / (n + 2.0));
}

function mish4(x: v128): v128 {
  const t = expNonPos4(v128.or(x, i32x4.splat(0x80000000)));
  const two = f32x4.splat(2.0);
  const n = f32x4.mul(t, f32x4.add(t, two));
  const num = madd(t, two, f32x4.splat(1.0));
  const neg = f32x4.lt(x, f32x4.splat(0));
  const r = f32x4.div(v128.bitselect(n, num, neg), v128.bitselect(f32x4.add(n, two), madd(f32x4.mul(t, t), two, num), neg));
  return f32x4.mul(x, r);
}

const INV_SQRT2: f32 = 0.70710678118654752;
const SQRT_2_OVER_PI: f32 = 0.79788456080286536;
const GELU_C: f32 = 0.044715;

/** Codes 8 and up, one float: in SIMD builds lane 0 of activateExt4, so a vector kernel's scalar tail gives
 *  its lanes' bits (relaxed builds fuse some multiply-adds, which scalar wasm cannot). */
export function activateExt1(x: f32, act: i32, p0: f32, p1: f32): f32 {
  if (ASC_FEATURE_SIMD) return f32x4.extract_lane(activateExt4(f32x4.splat(x), act, p0, p1), 0);
  switch (act) {
    case ACT_ELU: return x < 0 ? p0 * expm1_1(x) : x;
    case ACT_SELU: return p1 * (x > 0 ? x : p0 * expm1_1(x));
    case ACT_CELU: return pmax1(x, 0) + pmin1(p0 * expm1_1(x / p0), 0);
    case ACT_THRESHOLDED_RELU: return x > p0 ? x : 0;
    case ACT_GELU: return 0.5 * x * (1.0 + erf1(x * INV_SQRT2));
    case ACT_GELU_TANH: return 0.5 * x * (1.0 + tanh1(SQRT_2_OVER_PI * (x + GELU_C * (x * x * x))));
    case ACT_ERF: return erf1(x);
    case ACT_SOFTPLUS: return softplus1(x);
    case ACT_SOFTSIGN: return x / (1.0 + abs<f32>(x));
    case ACT_MISH: return mish1(x);
    case ACT_SIGMOID: return sigmoid1(x);
    case ACT_SILU: return x * sigmoid1(x);
    case ACT_EXP: return exp1(x);
    case ACT_LOG: return log1(x);
    case ACT_SQRT: return sqrt<f32>(x);
    case ACT_ABS: return abs<f32>(x);
    case ACT_NEG: return -x;
    case ACT_RECIPROCAL: return 1.0 / x;
    case ACT_FLOOR: return floor<f32>(x);
    case ACT_CEIL: return ceil<f32>(x);
    case ACT_ROUND: return nearest<f32>(x);
    case ACT_SIGN: return x > 0 ? 1 : x < 0 ? -1 : x;
    default: return x;
  }
}

/** Codes 8 and up, four lanes (SIMD builds only): one called copy for epilogues. */
function activateExt4(v: v128, act: i32, p0: f32, p1: f32): v128 {
  return ext4(v, act, p0, p1);
}

/**
 * y = act(x) over `rows` rows of n floats (row stride `stride` bytes, the same for x and y; x == y allowed),
 * SIMD builds: f32_activation and the binary ops (one row), the GEMM's late activations (≤ 4 rows), the
 * depthwise kernel's (one pixel). One loop nest per code with the code a constant in it, so the code's
 * function is inlined there and V8 keeps its constants in registers across the loop; tile epilogues instead
 * call activateExt4 for Sigmoid, SiLU and codes 8 and up (inlined at every activate4 site they made the
 * binary 1.6x larger: Binaryen inlines functions this small at -O3). Through activateExt4 per vector, Abs ran
 * at 1.1 Gelem/s and GELU at 0.48; here 3.5 and 0.68. The scalar tail gives the lanes' bits (activate1 and
 * activate4 agree), so any split of a range gives the same bytes.
 */
export function activateRows(x: usize, y: usize, rows: i32, n: i32, stride: usize, act: i32, p0: f32, p1: f32): void {
  // the common codes here, the others in a function of their own: one function with every loop ran the
  // GEMM's HardSwish and Sigmoid 7–10% slower (V8 allocates registers per function); and the rows loop
  // inside: a call per row cost as much again on rows of 96 floats
  switch (act) {
    case ACT_RELU: rowsLoop(x, y, rows, n, stride, ACT_RELU, p0, p1); break;
    case ACT_CLIP: rowsLoop(x, y, rows, n, stride, ACT_CLIP, p0, p1); break;
    case ACT_LEAKY_RELU: rowsLoop(x, y, rows, n, stride, ACT_LEAKY_RELU, p0, p1); break;
    case ACT_SIGMOID: rowsLoop(x, y, rows, n, stride, ACT_SIGMOID, p0, p1); break;
    case ACT_TANH: rowsLoop(x, y, rows, n, stride, ACT_TANH, p0, p1); break;
    case ACT_HARD_SIGMOID: rowsLoop(x, y, rows, n, stride, ACT_HARD_SIGMOID, p0, p1); break;
    case ACT_HARD_SWISH: rowsLoop(x, y, rows, n, stride, ACT_HARD_SWISH, p0, p1); break;
    case ACT_SILU: rowsLoop(x, y, rows, n, stride, ACT_SILU, p0, p1); break;
    default:
      if (act >= ACT_ELU) extRows(x, y, rows, n, stride, act, p0, p1);
      else if (x != y) rowsLoop(x, y, rows, n, stride, ACT_NONE, p0, p1);
  }
}

function extRows(x: usize, y: usize, rows: i32, n: i32, stride: usize, act: i32, p0: f32, p1: f32): void {
  switch (act) {
    case ACT_ELU: rowsLoop(x, y, rows, n, stride, ACT_ELU, p0, p1); break;
    case ACT_SELU: rowsLoop(x, y, rows, n, stride, ACT_SELU, p0, p1); break;
    case ACT_CELU: rowsLoop(x, y, rows, n, stride, ACT_CELU, p0, p1); break;
    case ACT_THRESHOLDED_RELU: rowsLoop(x, y, rows, n, stride, ACT_THRESHOLDED_RELU, p0, p1); break;
    case ACT_GELU: rowsLoop(x, y, rows, n, stride, ACT_GELU, p0, p1); break;
    case ACT_GELU_TANH: rowsLoop(x, y, rows, n, stride, ACT_GELU_TANH, p0, p1); break;
    case ACT_ERF: rowsLoop(x, y, rows, n, stride, ACT_ERF, p0, p1); break;
    case ACT_SOFTPLUS: rowsLoop(x, y, rows, n, stride, ACT_SOFTPLUS, p0, p1); break;
    case ACT_SOFTSIGN: rowsLoop(x, y, rows, n, stride, ACT_SOFTSIGN, p0, p1); break;
    case ACT_MISH: rowsLoop(x, y, rows, n, stride, ACT_MISH, p0, p1); break;
    case ACT_EXP: rowsLoop(x, y, rows, n, stride, ACT_EXP, p0, p1); break;
    case ACT_LOG: rowsLoop(x, y, rows, n, stride, ACT_LOG, p0, p1); break;
    case ACT_SQRT: rowsLoop(x, y, rows, n, stride, ACT_SQRT, p0, p1); break;
    case ACT_ABS: rowsLoop(x, y, rows, n, stride, ACT_ABS, p0, p1); break;
    case ACT_NEG: rowsLoop(x, y, rows, n, stride, ACT_NEG, p0, p1); break;
    case ACT_RECIPROCAL: rowsLoop(x, y, rows, n, stride, ACT_RECIPROCAL, p0, p1); break;
    case ACT_FLOOR: rowsLoop(x, y, rows, n, stride, ACT_FLOOR, p0, p1); break;
    case ACT_CEIL: rowsLoop(x, y, rows, n, stride, ACT_CEIL, p0, p1); break;
    case ACT_ROUND: rowsLoop(x, y, rows, n, stride, ACT_ROUND, p0, p1); break;
    default: rowsLoop(x, y, rows, n, stride, ACT_SIGN, p0, p1);
  }
}

@inline function rowsLoop(x: usize, y: usize, rows: i32, n: i32, stride: usize, act: i32, p0: f32, p1: f32): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * stride, yr = y + <usize>r * stride;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const v = v128.load(xr + o);
      v128.store(yr + o, act >= ACT_ELU || act == ACT_SIGMOID ? ext4(v, act, p0, p1) : activate4(v, act, p0, p1));
    }
    for (; i < n; i++) { const o = <usize>i << 2; store<f32>(yr + o, activate1(load<f32>(xr + o), act, p0, p1)); }
  }
}

@inline function ext4(v: v128, act: i32, p0: f32, p1: f32): v128 {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1.0);
  const half = f32x4.splat(0.5);
  switch (act) {
    case ACT_ELU: return v128.bitselect(f32x4.mul(f32x4.splat(p0), expm1Neg4(v)), v, f32x4.lt(v, zero));
    case ACT_SELU:
      return f32x4.mul(f32x4.splat(p1), v128.bitselect(v, f32x4.mul(f32x4.splat(p0), expm1Neg4(v)), f32x4.gt(v, zero)));
    case ACT_CELU: {
      const a = f32x4.splat(p0);
      return f32x4.add(f32x4.pmax(v, zero), f32x4.pmin(f32x4.mul(a, expm1_4(f32x4.div(v, a))), zero));
    }
    case ACT_THRESHOLDED_RELU: return v128.and(v, f32x4.gt(v, f32x4.splat(p0)));
    case ACT_GELU: return f32x4.mul(f32x4.mul(half, v), f32x4.add(one, erf4(f32x4.mul(v, f32x4.splat(INV_SQRT2)))));
    case ACT_GELU_TANH: {
      const cube = f32x4.mul(f32x4.mul(v, v), v);
      const t = tanh4(f32x4.mul(f32x4.splat(SQRT_2_OVER_PI), f32x4.add(v, f32x4.mul(f32x4.splat(GELU_C), cube))));
      return f32x4.mul(f32x4.mul(half, v), f32x4.add(one, t));
    }
    case ACT_ERF: return erf4(v);
    case ACT_SOFTPLUS: return softplus4(v);
    case ACT_SOFTSIGN: return f32x4.div(v, f32x4.add(one, f32x4.abs(v)));
    case ACT_MISH: return mish4(v);
    case ACT_SIGMOID: case ACT_SILU: { // the one copy of sigmoid4 that epilogues call
      const s = sigmoid4(v);
      return act == ACT_SILU ? f32x4.mul(v, s) : s;
    }
    case ACT_EXP: return exp4(v);
    case ACT_LOG: return log4(v);
    case ACT_SQRT: return f32x4.sqrt(v);
    case ACT_ABS: return f32x4.abs(v);
    case ACT_NEG: return f32x4.neg(v);
    case ACT_RECIPROCAL: return f32x4.div(one, v);
    case ACT_FLOOR: return f32x4.floor(v);
    case ACT_CEIL: return f32x4.ceil(v);
    case ACT_ROUND: return f32x4.nearest(v);
    case ACT_SIGN:
      return v128.bitselect(one, v128.bitselect(f32x4.splat(-1.0), v, f32x4.lt(v, zero)), f32x4.gt(v, zero));
    default: return v;
  }
}

/** Scalar activation; lane for lane identical to activate4 (same operations). */
@inline export function activate1(x: f32, act: i32, p0: f32, p1: f32): f32 {
  switch (act) {
    case ACT_RELU: return pmax1(x, 0);
    case ACT_CLIP: return pmin1(pmax1(x, p0), p1);
    case ACT_LEAKY_RELU: return x < 0 ? p0 * x : x;
    case ACT_TANH: return tanh1(x);
    case ACT_HARD_SIGMOID: return pmin1(pmax1(p0 * x + p1, 0), 1);
    case ACT_HARD_SWISH: return x * pmin1(pmax1(x * (1.0 / 6.0) + 0.5, 0), 1);
    default: return act >= ACT_ELU || act == ACT_SIGMOID ? activateExt1(x, act, p0, p1) : x;
  }
}

/**
 * Four lanes at once (SIMD builds only). Sigmoid, SiLU and tanh are called, not inlined, to keep epilogues small.
 * Clamps here and in the helpers above use f32x4.pmax/pmin (x < lo ? lo : x): one maxps/minps on x86, where
 * f32x4.max/min must order NaN and ±0 and V8 emits 8 instructions each (the 1x1 16→96 GEMM ran 1.5x faster).
 * With x as the first operand a NaN still propagates; the one difference: ReLU and Clip keep −0 as −0.
 */
@inline export function activate4(v: v128, act: i32, p0: f32, p1: f32): v128 {
  switch (act) {
    case ACT_NONE: return v;
    case ACT_RELU: return f32x4.pmax(v, f32x4.splat(0));
    case ACT_CLIP: return f32x4.pmin(f32x4.pmax(v, f32x4.splat(p0)), f32x4.splat(p1));
    case ACT_LEAKY_RELU: return v128.bitselect(f32x4.mul(v, f32x4.splat(p0)), v, f32x4.lt(v, f32x4.splat(0)));
    case ACT_TANH: return tanh4(v);
    case ACT_HARD_SIGMOID:
      return f32x4.pmin(f32x4.pmax(f32x4.add(f32x4.mul(v, f32x4.splat(p0)), f32x4.splat(p1)), f32x4.splat(0)), f32x4.splat(1));
    case ACT_HARD_SWISH:
      return f32x4.mul(v, f32x4.pmin(f32x4.pmax(f32x4.add(f32x4.mul(v, f32x4.splat(1.0 / 6.0)), f32x4.splat(0.5)), f32x4.splat(0)), f32x4.splat(1)));
    default: return act >= ACT_ELU || act == ACT_SIGMOID ? activateExt4(v, act, p0, p1) : v;
  }
}

/** Whether activate4 calls a function for this code (Sigmoid, SiLU, Tanh, codes 8 and up) instead of
 *  computing it inline. */
@inline export function callsActivation(act: i32): bool {
  return act == ACT_SIGMOID || act == ACT_TANH || act == ACT_SILU || act >= ACT_ELU;
}
