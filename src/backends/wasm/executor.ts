// Runs a plan's Steps on one kernel instance. The host only walks a prebuilt list: every pointer
// and size was fixed at plan time, so a run allocates nothing.
import { BackendError } from '../../errors.js';
import type { Step } from './kernels/types.js';
import type { KernelInstance } from './binaries.js';

export interface BoundStep {
  fn: (...args: number[]) => void;
  args: number[];
  range: number;
  step: Step;
}

export function bindSteps(steps: readonly Step[], k: KernelInstance): BoundStep[] {
  return steps.map((step) => {
    const fn = k.exports[step.kernel];
    if (typeof fn !== 'function') throw new BackendError(`kernel '${step.kernel}' is missing from the ${k.flavor} binary`);
    // begin/end are appended per call; reserve their slots now so calls reuse one array
    return { fn, args: [...step.args, 0, step.range], range: step.range, step };
  });
}

/** Runs every step over its whole range on the calling thread. */
export function runSerial(bound: readonly BoundStep[]): void {
  for (let i = 0; i < bound.length; i++) {
    const b = bound[i];
    if (b.range > 0) b.fn.apply(null, b.args);
  }
}
