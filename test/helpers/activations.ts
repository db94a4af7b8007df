// Every activation code with the parameter sets the kernel tests sweep (epilogues and standalone).
// Sigmoid and Tanh stay at indices 5 and 6 (eltwise.test.ts picks them by index).
import { ActKind, type Activation } from '../../src/backends/wasm/kernels/types.js';
import { activationFn, identity, type ActFn } from '../../src/model/activation.js';

export const ACTIVATION_CASES: readonly Activation[] = ([
  [ActKind.None, 0, 0], [ActKind.Relu, 0, 0], [ActKind.Clip, -0.5, 0.7], [ActKind.Clip, 0, 6],
  [ActKind.LeakyRelu, 0.1, 0], [ActKind.Sigmoid, 0, 0], [ActKind.Tanh, 0, 0], [ActKind.HardSigmoid, 0.2, 0.5],
  [ActKind.HardSwish, 0, 0], [ActKind.Clip, -0.25, 0.5], [ActKind.LeakyRelu, 0.2, 0], [ActKind.HardSigmoid, 1 / 6, 0.5],
  [ActKind.Elu, 1, 0], [ActKind.Elu, 0.3, 0], [ActKind.Selu, 1.67326319217681884765625, 1.05070102214813232421875], [ActKind.Selu, 2, 0.5],
  [ActKind.Celu, 1, 0], [ActKind.Celu, 0.7, 0], [ActKind.ThresholdedRelu, 0.5, 0], [ActKind.ThresholdedRelu, -1, 0],
  [ActKind.Gelu, 0, 0], [ActKind.GeluTanh, 0, 0], [ActKind.Erf, 0, 0], [ActKind.Softplus, 0, 0], [ActKind.Softsign, 0, 0],
  [ActKind.Mish, 0, 0], [ActKind.Silu, 0, 0], [ActKind.Exp, 0, 0], [ActKind.Log, 0, 0], [ActKind.Sqrt, 0, 0], [ActKind.Abs, 0, 0],
  [ActKind.Neg, 0, 0], [ActKind.Reciprocal, 0, 0], [ActKind.Floor, 0, 0], [ActKind.Ceil, 0, 0], [ActKind.Round, 0, 0], [ActKind.Sign, 0, 0],
] as const).map(([kind, p0, p1]) => ({ kind, p0, p1 }));

/** Codes whose error stays bounded when their input carries float32 rounding (epilogues after a sum, an add or
 * a multiply): not the poles and domain edges (Log, Reciprocal, Sqrt near 0) nor the steps (Floor, Ceil, Round,
 * Sign, ThresholdedRelu), where one rounding of the input moves the result by a unit, nor Exp, which turns the
 * sum's absolute error into a relative one of the same size (above the epilogue tests' 1e-5); the standalone
 * activation tests (eltwise.test.ts) cover those on exact inputs. */
const ILL_CONDITIONED: ReadonlySet<ActKind> = new Set([ActKind.Exp, ActKind.Log, ActKind.Reciprocal, ActKind.Sqrt, ActKind.Floor, ActKind.Ceil,
  ActKind.Round, ActKind.Sign, ActKind.ThresholdedRelu]);
export const EPILOGUE_CASES: readonly Activation[] = ACTIVATION_CASES.filter((a) => !ILL_CONDITIONED.has(a.kind));

/** An activation code (the kernel ABI) as the reference's scalar function, in float64; parameters
 * rounded to float32 first (the ABI passes f32 parameters). */
const OPS: Record<number, string> = {
  [ActKind.Relu]: 'Relu', [ActKind.Clip]: 'Clip', [ActKind.LeakyRelu]: 'LeakyRelu', [ActKind.Sigmoid]: 'Sigmoid',
  [ActKind.Tanh]: 'Tanh', [ActKind.HardSigmoid]: 'HardSigmoid', [ActKind.HardSwish]: 'HardSwish',
  [ActKind.Gelu]: 'Gelu', [ActKind.GeluTanh]: 'Gelu',
  ...Object.fromEntries(['Elu', 'Selu', 'Celu', 'ThresholdedRelu', 'Erf', 'Softplus', 'Softsign', 'Mish', 'Silu', 'Exp', 'Log', 'Sqrt', 'Abs', 'Neg',
    'Reciprocal', 'Floor', 'Ceil', 'Round', 'Sign'].map((op) => [ActKind[op as keyof typeof ActKind], op])),
};
const ATTRS: Partial<Record<ActKind, (p0: number, p1: number) => Record<string, number>>> = {
  [ActKind.Clip]: (p0, p1) => ({ min: p0, max: p1 }), [ActKind.LeakyRelu]: (p0) => ({ alpha: p0 }), [ActKind.HardSigmoid]: (p0, p1) => ({ alpha: p0, beta: p1 }),
  [ActKind.Elu]: (p0) => ({ alpha: p0 }), [ActKind.Celu]: (p0) => ({ alpha: p0 }), [ActKind.ThresholdedRelu]: (p0) => ({ alpha: p0 }),
  [ActKind.Selu]: (p0, p1) => ({ alpha: p0, gamma: p1 }), [ActKind.Gelu]: () => ({ approximate: 0 }), [ActKind.GeluTanh]: () => ({ approximate: 1 }),
};
export function actFn(act: Activation): ActFn {
  if (act.kind === ActKind.None) return identity;
  const p0 = Math.fround(act.p0), p1 = Math.fround(act.p1);
  return activationFn(OPS[act.kind], ATTRS[act.kind]?.(p0, p1) ?? {})!;
}
export const refActivation = (x: number, act: Activation): number => actFn(act)(x);
