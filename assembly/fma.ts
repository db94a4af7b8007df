// The one multiply-add every vector kernel uses (its own file so activation.ts and simd.ts, which imports
// activation.ts, can both use it without an import cycle).

/** c + a*b per lane: one fused `f32x4.relaxed_madd` in relaxed builds (one rounding, or two: the engine's
 *  choice), otherwise mul then add (two roundings). Reads no memory. */
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}
