// Every activation code with the parameter sets the kernel tests sweep (epilogues and standalone).
// Sigmoid and Tanh stay at indices 5 and 6 (eltwise.test.ts picks them by index).
import { ActKind, type Activation } from '../../src/kernels/types.js';

export const ACTIVATION_CASES: readonly Activation[] = ([
  [ActKind.None, 0, 0], [ActKind.Relu, 0, 0], [ActKind.Clip, -0.5, 0.7], [ActKind.Clip, 0, 6],
  [ActKind.LeakyRelu, 0.1, 0], [ActKind.Sigmoid, 0, 0], [ActKind.Tanh, 0, 0], [ActKind.HardSigmoid, 0.2, 0.5],
  [ActKind.HardSwish, 0, 0], [ActKind.Clip, -0.25, 0.5], [ActKind.LeakyRelu, 0.2, 0], [ActKind.HardSigmoid, 1 / 6, 0.5],
] as const).map(([kind, p0, p1]) => ({ kind, p0, p1 }));
