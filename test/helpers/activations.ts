// Every activation code with the parameter sets the kernel tests sweep (epilogues and standalone).
// Sigmoid and Tanh stay at indices 5 and 6 (eltwise.test.ts picks them by index).
import { ActKind, type Activation } from '../../src/backends/wasm/kernels/types.js';
import { activationFn, identity, type ActFn } from '../../src/model/activation.js';

export const ACTIVATION_CASES: readonly Activation[] = ([
  [ActKind.None, 0, 0], [ActKind.Relu, 0, 0], [ActKind.Clip, -0.5, 0.7], [ActKind.Clip, 0, 6],
  [ActKind.LeakyRelu, 0.1, 0], [ActKind.Sigmoid, 0, 0], [ActKind.Tanh, 0, 0], [ActKind.HardSigmoid, 0.2, 0.5],
  [ActKind.HardSwish, 0, 0], [ActKind.Clip, -0.25, 0.5], [ActKind.LeakyRelu, 0.2, 0], [ActKind.HardSigmoid, 1 / 6, 0.5],
] as const).map(([kind, p0, p1]) => ({ kind, p0, p1 }));

/** An activation code (the kernel ABI) as the reference's scalar function, in float64; parameters
 * rounded to float32 first (the ABI passes f32 parameters). */
const OPS: Record<number, string> = {
  [ActKind.Relu]: 'Relu', [ActKind.Clip]: 'Clip', [ActKind.LeakyRelu]: 'LeakyRelu', [ActKind.Sigmoid]: 'Sigmoid',
  [ActKind.Tanh]: 'Tanh', [ActKind.HardSigmoid]: 'HardSigmoid', [ActKind.HardSwish]: 'HardSwish',
};
export function actFn(act: Activation): ActFn {
  if (act.kind === ActKind.None) return identity;
  const p0 = Math.fround(act.p0), p1 = Math.fround(act.p1);
  const attrs: Record<string, number> = act.kind === ActKind.Clip ? { min: p0, max: p1 } : act.kind === ActKind.LeakyRelu ? { alpha: p0 } : { alpha: p0, beta: p1 };
  return activationFn(OPS[act.kind], attrs)!;
}
export const refActivation = (x: number, act: Activation): number => actFn(act)(x);
