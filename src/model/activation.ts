// The activation operators: their attributes and their meaning in float64, one table used by the
// graph passes (what fuses), constant folding and the reference backend.
import type { FusedActivation, Node } from './ir.js';

/** Activation operators and the normalized attributes each carries. */
export const ACTIVATION_ATTRS: Readonly<Record<string, readonly string[]>> = {
  Relu: [], Clip: ['min', 'max'], LeakyRelu: ['alpha'], Sigmoid: [], Tanh: [], HardSigmoid: ['alpha', 'beta'], HardSwish: [],
  Elu: ['alpha'], Selu: ['alpha', 'gamma'], Celu: ['alpha'], ThresholdedRelu: ['alpha'], Gelu: ['approximate'], Erf: [],
  Softplus: [], Softsign: [], Mish: [], Exp: [], Log: [], Sqrt: [], Abs: [], Neg: [], Reciprocal: [], Floor: [], Ceil: [],
  Round: [], Sign: [],
};

const SQRT1_2 = Math.SQRT1_2, TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** erfc for z ≥ 2.5: the continued fraction e^{-z²}/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + …)))), 80 terms
 * (converged to float64 there). */
function erfcLarge(z: number): number {
  let f = z;
  for (let k = 80; k >= 1; k--) f = z + k / 2 / f;
  return Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
}

/** erf in float64: Taylor series below 2.5 (terms stay below 20, so ≤ 1e-14 relative), 1 − erfc above. */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (Number.isNaN(x)) return x;
  if (a >= 2.5) return Math.sign(x) * (1 - erfcLarge(a));
  const x2 = x * x;
  let term = x, sum = x;
  for (let n = 1; n < 200; n++) {
    term *= -x2 / n;
    const t = term / (2 * n + 1);
    sum += t;
    if (Math.abs(t) <= 1e-17 * Math.abs(sum)) break;
  }
  return sum * TWO_OVER_SQRT_PI;
}

/** erfc in float64 without cancellation in the right tail. */
export function erfc(x: number): number {
  if (x >= 2.5) return erfcLarge(x);
  if (x <= -2.5) return 2 - erfcLarge(-x);
  return 1 - erf(x);
}

const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

/** Round half to even (ONNX Round). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The fused form of an activation node (its operator and attributes), or undefined when the node is not one. */
export function activationOf(n: Node): FusedActivation | undefined {
  const names = ACTIVATION_ATTRS[n.op];
  if (!names) return undefined;
  return { op: n.op, attrs: Object.fromEntries(names.map((k) => [k, n.attrs[k]])) };
}

/** A scalar activation; identity when a node has none. */
export type ActFn = (x: number) => number;

export const identity: ActFn = (x) => x;

/** The activation operator `op` with attributes `a` (defaults as ONNX gives them). */
export function activationFn(op: string, a: Record<string, number> = {}): ActFn | undefined {
  switch (op) {
    case 'Relu': return (x) => Math.max(x, 0);
    case 'Clip': { const lo = a.min ?? -Infinity, hi = a.max ?? Infinity; return (x) => Math.min(Math.max(x, lo), hi); }
    case 'LeakyRelu': { const al = a.alpha ?? 0.01; return (x) => (x < 0 ? al * x : x); }
    case 'Sigmoid': return (x) => 1 / (1 + Math.exp(-x));
    case 'Tanh': return Math.tanh;
    case 'HardSigmoid': { const al = a.alpha ?? 0.2, be = a.beta ?? 0.5; return (x) => Math.min(Math.max(al * x + be, 0), 1); }
    case 'HardSwish': return (x) => x * Math.min(Math.max(x / 6 + 0.5, 0), 1);
    case 'Elu': { const al = a.alpha ?? 1; return (x) => (x < 0 ? al * Math.expm1(x) : x); }
    case 'Selu': {
      const al = a.alpha ?? 1.67326319217681884765625, g = a.gamma ?? 1.05070102214813232421875;
      return (x) => g * (x > 0 ? x : al * Math.expm1(x));
    }
    case 'Celu': { const al = a.alpha ?? 1; return (x) => Math.max(0, x) + Math.min(0, al * Math.expm1(x / al)); }
    case 'ThresholdedRelu': { const al = a.alpha ?? 1; return (x) => (x > al ? x : 0); }
    case 'Gelu':
      if (a.approximate) { const k = Math.sqrt(2 / Math.PI); return (x) => 0.5 * x * (1 + Math.tanh(k * (x + 0.044715 * x * x * x))); }
      return (x) => 0.5 * x * erfc(-x * SQRT1_2);
    case 'Erf': return erf;
    case 'Softplus': return softplus;
    case 'Softsign': return (x) => x / (1 + Math.abs(x));
    case 'Mish': return (x) => x * Math.tanh(softplus(x));
    case 'Silu': return (x) => x / (1 + Math.exp(-x)); // only fused (passes.ts fuseSilu): no ONNX operator
    case 'Exp': return Math.exp;
    case 'Log': return Math.log;
    case 'Sqrt': return Math.sqrt;
    case 'Abs': return Math.abs;
    case 'Neg': return (x) => -x;
    case 'Reciprocal': return (x) => 1 / x;
    case 'Floor': return Math.floor;
    case 'Ceil': return Math.ceil;
    case 'Round': return roundHalfEven;
    case 'Sign': return Math.sign;
    default: return undefined;
  }
}

export const fusedFn = (f: FusedActivation | undefined): ActFn => (f ? activationFn(f.op, f.attrs) ?? identity : identity);
