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
export const WGSL_ACTIVATIONS = new Set(['Relu', 'Clip', 'LeakyRelu', 'Sigmoid', 'Tanh', 'HardSigmoid', 'HardSwish',
  'Elu', 'Selu', 'Celu', 'ThresholdedRelu', 'Gelu', 'Erf', 'Softplus', 'Softsign', 'Mish', 'Silu',
  'Exp', 'Log', 'Sqrt', 'Abs', 'Neg', 'Reciprocal', 'Floor', 'Ceil', 'Round', 'Sign']);

const NAN = f(NaN), NEG_INF = f(-Infinity), INF = f(Infinity);

/** Helper functions the activation expressions call (WGSL has no erf; log1p as log(u) − ((u−1)−e)/u).
 * erf_ is the rational approximation of assembly/activation.ts (x clamped to [−4, 4]). */
const HELPERS: Record<string, string> = {
  erf_: `fn erf_(x: f32) -> f32 {
  let c = clamp(x, -4.0, 4.0); let z = c * c;
  var p = -2.72614225801306e-10 * z + 2.77068142495902e-08; p = p * z - 2.10102402082508e-06; p = p * z - 5.69250639462346e-05;
  p = p * z - 7.34990630326855e-04; p = p * z - 2.95459980854025e-03; p = p * z - 1.60960333262415e-02;
  var q = -1.45660718464996e-05 * z - 2.13374055278905e-04; q = q * z - 1.68282697438203e-03; q = q * z - 7.37332916720468e-03;
  q = q * z - 1.42647390514189e-02;
  return clamp(p / q * c, -1.0, 1.0);
}`,
  softplus_: `fn softplus_(v: f32) -> f32 {
  let e = exp(-abs(v)); let u = 1.0 + e;
  return max(v, 0.0) + (log(u) - ((u - 1.0) - e) / u);
}`,
  mish_: `fn mish_(c: f32) -> f32 {
  let e = exp(c); let n = e * (e + 2.0);
  return n / (n + 2.0);
}`,
  pow_: `fn pow_(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (b == 2.0) { return a * a; }
  if (a == 0.0) { return select(0.0, ${INF}, b < 0.0); }
  let r = exp2(b * log2(abs(a)));
  if (a >= 0.0) { return r; }
  if (floor(b) != b) { return ${NAN}; }
  return select(r, -r, floor(b * 0.5) != b * 0.5);
}`,
};

/** `fn act(v: f32) -> f32` for an activation (op + normalized attributes), identity when none, after the
 * helpers it or `uses` (the caller's own WGSL) calls. */
export function actFn(a: FusedActivation | undefined, uses = ''): string {
  const e = a ? actExpr(a.op, a.attrs) : 'v';
  const helpers = Object.entries(HELPERS).filter(([name]) => `${e} ${uses}`.includes(`${name}(`)).map(([, text]) => `${text}\n`).join('');
  return `${helpers}fn act(v: f32) -> f32 { return ${e}; }`;
}

/** WGSL of a binary operator of the element-wise kernels on `a` and `b` (let-bound f32 values). */
export const BINARY_WGSL: Readonly<Record<string, string>> = {
  Add: 'a + b', Sub: 'a - b', Mul: 'a * b', Div: 'a / b', PRelu: 'select(a, a * b, a < 0.0)', Pow: 'pow_(a, b)', Min: 'min(a, b)', Max: 'max(a, b)',
};

function actExpr(op: string, a: Record<string, number>): string {
  switch (op) {
    // not max(v, 0.0): WGSL leaves max of a NaN open (SwiftShader gives 0); NaN passes as in wasm and onnxruntime
    case 'Relu': return 'select(0.0, v, !(v < 0.0))';
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
    case 'Elu': return `select(v, ${f(a.alpha ?? 1)} * (exp(v) - 1.0), v < 0.0)`;
    case 'Selu': return `${f(a.gamma ?? 1.05070102214813232421875)} * select(${f(a.alpha ?? 1.67326319217681884765625)} * (exp(v) - 1.0), v, v > 0.0)`;
    // the exponent is capped so exp cannot overflow (it only matters where the min() discards it)
    case 'Celu': { const al = f(a.alpha ?? 1); return `max(v, 0.0) + min(${al} * (exp(min(v / ${al}, 80.0)) - 1.0), 0.0)`; }
    case 'ThresholdedRelu': return `select(0.0, v, v > ${f(a.alpha ?? 1)})`;
    case 'Gelu': return a.approximate
      ? `0.5 * v * (1.0 + tanh(clamp(${f(Math.sqrt(2 / Math.PI))} * (v + 0.044715 * v * v * v), -10.0, 10.0)))`
      : `0.5 * v * (1.0 + erf_(v * ${f(Math.SQRT1_2)}))`;
    case 'Erf': return 'erf_(v)';
    case 'Softplus': return 'softplus_(v)';
    case 'Softsign': return 'v / (1.0 + abs(v))';
    // x·tanh(softplus(x)) = x·n/(n+2), n = e^x (e^x + 2), x capped at 20 inside exp (as assembly/activation.ts)
    case 'Mish': return 'v * mish_(min(v, 20.0))';
    case 'Silu': return 'v / (1.0 + exp(-v))';
    case 'Exp': return 'exp(v)';
    // WGSL leaves log and sqrt of negative numbers (and log 0) undefined: the IEEE results explicitly
    case 'Log': return `select(select(${NAN}, ${NEG_INF}, v == 0.0), log(v), v > 0.0)`;
    case 'Sqrt': return `select(${NAN}, sqrt(v), v >= 0.0)`;
    case 'Abs': return 'abs(v)';
    case 'Neg': return '-v';
    case 'Reciprocal': return '1.0 / v';
    case 'Floor': return 'floor(v)';
    case 'Ceil': return 'ceil(v)';
    case 'Round': return 'round(v)'; // half to even in WGSL
    case 'Sign': return 'sign(v)';
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
