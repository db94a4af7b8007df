// Peak-throughput microbenchmark (not shipped): 12 independent accumulator chains
// acc_i = acc_i * m + a, with no memory traffic but two L1-resident loads of m and a per
// iteration. (Operands in registers do not survive V8: it re-materializes splats inside the loop
// and common-subexpression-eliminates identical products; see PLATFORMS.md.) Each iteration:
// 12 f32x4 multiply-adds = 96 FLOP. Compiled separately (asconfig.bench.json) into
// build/peak.{simd,relaxed}.wasm. `ops` points at two v128 values: m, then a.

/** f32x4.mul then f32x4.add per chain. Returns a lane so nothing is dead. */
export function peak_f32x4_mul_add(iters: i32, ops: usize): f32 {
  let c0 = v128.load(ops, 16), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
  let c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
  for (let i = 0; i < iters; i++) {
    const m = v128.load(ops), a = v128.load(ops, 16);
    c0 = f32x4.add(f32x4.mul(c0, m), a); c1 = f32x4.add(f32x4.mul(c1, m), a);
    c2 = f32x4.add(f32x4.mul(c2, m), a); c3 = f32x4.add(f32x4.mul(c3, m), a);
    c4 = f32x4.add(f32x4.mul(c4, m), a); c5 = f32x4.add(f32x4.mul(c5, m), a);
    c6 = f32x4.add(f32x4.mul(c6, m), a); c7 = f32x4.add(f32x4.mul(c7, m), a);
    c8 = f32x4.add(f32x4.mul(c8, m), a); c9 = f32x4.add(f32x4.mul(c9, m), a);
    c10 = f32x4.add(f32x4.mul(c10, m), a); c11 = f32x4.add(f32x4.mul(c11, m), a);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)));
  return f32x4.extract_lane(f32x4.add(s, f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11))), 0);
}

/** The same with f32x4.relaxed_madd (a fused multiply-add where the CPU has one). */
export function peak_f32x4_relaxed_madd(iters: i32, ops: usize): f32 {
  if (!ASC_FEATURE_RELAXED_SIMD) return 0;
  let c0 = v128.load(ops, 16), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
  let c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
  for (let i = 0; i < iters; i++) {
    const m = v128.load(ops), a = v128.load(ops, 16);
    c0 = f32x4.relaxed_madd(c0, m, a); c1 = f32x4.relaxed_madd(c1, m, a);
    c2 = f32x4.relaxed_madd(c2, m, a); c3 = f32x4.relaxed_madd(c3, m, a);
    c4 = f32x4.relaxed_madd(c4, m, a); c5 = f32x4.relaxed_madd(c5, m, a);
    c6 = f32x4.relaxed_madd(c6, m, a); c7 = f32x4.relaxed_madd(c7, m, a);
    c8 = f32x4.relaxed_madd(c8, m, a); c9 = f32x4.relaxed_madd(c9, m, a);
    c10 = f32x4.relaxed_madd(c10, m, a); c11 = f32x4.relaxed_madd(c11, m, a);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)));
  return f32x4.extract_lane(f32x4.add(s, f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11))), 0);
}
