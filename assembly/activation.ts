// Activation functions shared by every kernel epilogue and the standalone activation kernel.
// Codes are part of the kernel ABI (see docs/DESIGN.md, "Activation codes").

export const ACT_NONE: i32 = 0;
export const ACT_RELU: i32 = 1;
export const ACT_CLIP: i32 = 2;        // min(max(x, p0), p1): ReLU6 is CLIP(0, 6)
export const ACT_LEAKY_RELU: i32 = 3;  // x < 0 ? p0 * x : x
export const ACT_SIGMOID: i32 = 4;
export const ACT_TANH: i32 = 5;
export const ACT_HARD_SIGMOID: i32 = 6; // clamp(p0 * x + p1, 0, 1)
export const ACT_HARD_SWISH: i32 = 7;   // x * clamp(x / 6 + 0.5, 0, 1)

/** Scalar activation; the reference for the lane-wise version below. */
@inline export function activate1(x: f32, act: i32, p0: f32, p1: f32): f32 {
  switch (act) {
    case ACT_RELU: return max(x, 0);
    case ACT_CLIP: return min(max(x, p0), p1);
    case ACT_LEAKY_RELU: return x < 0 ? p0 * x : x;
    case ACT_SIGMOID: return 1.0 / (1.0 + Mathf.exp(-x));
    case ACT_TANH: return Mathf.tanh(x);
    case ACT_HARD_SIGMOID: return min(max(p0 * x + p1, 0), 1);
    case ACT_HARD_SWISH: return x * min(max(x * (1.0 / 6.0) + 0.5, 0), 1);
    default: return x;
  }
}

/** Four lanes at once; sigmoid and tanh fall back to per-lane scalar math (placeholder until a SIMD exp lands). */
@inline export function activate4(v: v128, act: i32, p0: f32, p1: f32): v128 {
  switch (act) {
    case ACT_NONE: return v;
    case ACT_RELU: return f32x4.max(v, f32x4.splat(0));
    case ACT_CLIP: return f32x4.min(f32x4.max(v, f32x4.splat(p0)), f32x4.splat(p1));
    case ACT_LEAKY_RELU: return v128.bitselect(f32x4.mul(v, f32x4.splat(p0)), v, f32x4.lt(v, f32x4.splat(0)));
    case ACT_HARD_SIGMOID:
      return f32x4.min(f32x4.max(f32x4.add(f32x4.mul(v, f32x4.splat(p0)), f32x4.splat(p1)), f32x4.splat(0)), f32x4.splat(1));
    case ACT_HARD_SWISH:
      return f32x4.mul(v, f32x4.min(f32x4.max(f32x4.add(f32x4.mul(v, f32x4.splat(1.0 / 6.0)), f32x4.splat(0.5)), f32x4.splat(0)), f32x4.splat(1)));
    default: {
      let r = f32x4.splat(activate1(f32x4.extract_lane(v, 0), act, p0, p1));
      r = f32x4.replace_lane(r, 1, activate1(f32x4.extract_lane(v, 1), act, p0, p1));
      r = f32x4.replace_lane(r, 2, activate1(f32x4.extract_lane(v, 2), act, p0, p1));
      r = f32x4.replace_lane(r, 3, activate1(f32x4.extract_lane(v, 3), act, p0, p1));
      return r;
    }
  }
}
