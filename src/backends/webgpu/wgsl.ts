// WGSL text helpers: exact f32 literals, integer literals, the fused-activation epilogue, and the
// binding declarations of a generated compute shader.
import type { FusedActivation } from '../../model/ir.js';

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** An exact f32 constant (±Infinity and NaN included): `bitcast<f32>(0x3f800000u)`, or a short literal when exact. */
export function f(x: number): string {
  F32[0] = x;
  const v = F32[0];
  if (Number.isFinite(v) && Number.isInteger(v) && Math.abs(v) < 1 << 24) return `${v}.0`;
  // ±Infinity and NaN are not const-expressions in WGSL: through a function (bindings() declares it)
  if (!Number.isFinite(v)) return `bitcast<f32>(rt_u32(0x${U32[0].toString(16)}u))`;
  return `bitcast<f32>(0x${U32[0].toString(16)}u)`;
}
export const u = (x: number): string => {
  if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) throw new Error(`internal: u32 literal ${x}`);
  return `${x}u`;
};
export const i = (x: number): string => {
  if (!Number.isInteger(x) || Math.abs(x) > 0x7fffffff) throw new Error(`internal: i32 literal ${x}`);
  return `${x}i`;
};

/** The activation operators a WGSL epilogue computes (the same set as the wasm backend's). */
export const WGSL_ACTIVATIONS = new Set(['Relu', 'Clip', 'LeakyRelu', 'Sigmoid', 'Tanh', 'HardSigmoid', 'HardSwish']);

/** `fn act(v: f32) -> f32` for an activation (op + normalized attributes), identity when none. */
export function actFn(a: FusedActivation | undefined): string {
  return `fn act(v: f32) -> f32 { return ${a ? actExpr(a.op, a.attrs) : 'v'}; }`;
}

function actExpr(op: string, a: Record<string, number>): string {
  switch (op) {
    case 'Relu': return 'max(v, 0.0)';
    case 'Clip': {
      let e = 'v';
      const lo = a.min ?? -Infinity, hi = a.max ?? Infinity;
      if (lo > -Infinity) e = `max(${e}, ${f(lo)})`;
      if (hi < Infinity) e = `min(${e}, ${f(hi)})`;
      return e;
    }
    case 'LeakyRelu': return `select(v, ${f(a.alpha ?? 0.01)} * v, v < 0.0)`;
    case 'Sigmoid': return '1.0 / (1.0 + exp(-v))';
    // clamped: some implementations compute tanh as a quotient of exponentials, NaN for |v| > ~44
    case 'Tanh': return 'tanh(clamp(v, -10.0, 10.0))';
    case 'HardSigmoid': return `clamp(${f(a.alpha ?? 0.2)} * v + ${f(a.beta ?? 0.5)}, 0.0, 1.0)`;
    case 'HardSwish': return 'v * clamp(v / 6.0 + 0.5, 0.0, 1.0)';
    default: throw new Error(`internal: no WGSL epilogue for ${op}`);
  }
}

/** A storage binding of a shader: its WGSL name and whether it is written. */
export interface BindDecl { name: string; write?: boolean }

export function bindings(decls: readonly BindDecl[]): string {
  return 'fn rt_u32(v: u32) -> u32 { return v; }\n' + decls.map((d, k) => `@group(0) @binding(${k}) var<storage, ${d.write ? 'read_write' : 'read'}> ${d.name}: array<f32>;`).join('\n');
}

/** Workgroups for `total` invocations of `wg` threads, as a 2-D grid (each dimension ≤ 65535). */
export function grid1d(total: number, wg: number): [number, number, number] {
  const groups = Math.max(1, Math.ceil(total / wg));
  if (groups <= 65535) return [groups, 1, 1];
  const y = Math.ceil(groups / 65535);
  return [Math.ceil(groups / y), y, 1];
}

/** The linear invocation index in a `grid1d` dispatch (WGSL statement defining `gi`). */
export const linearIndex = (gx: number, wg: number): string => `let gi = (wid.y * ${u(gx)} + wid.x) * ${u(wg)} + lid.x;`;
