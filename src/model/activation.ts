// The activation operators: their attributes and their meaning in float64, one table used by the
// graph passes (what fuses), constant folding and the reference backend.
import type { FusedActivation, Node } from './ir.js';

/** Activation operators and the normalized attributes each carries. */
export const ACTIVATION_ATTRS: Readonly<Record<string, readonly string[]>> = {
  Relu: [], Clip: ['min', 'max'], LeakyRelu: ['alpha'], Sigmoid: [], Tanh: [], HardSigmoid: ['alpha', 'beta'], HardSwish: [],
};

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
    default: return undefined;
  }
}

export const fusedFn = (f: FusedActivation | undefined): ActFn => (f ? activationFn(f.op, f.attrs) ?? identity : identity);
