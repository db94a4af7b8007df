// Host side of softmax (assembly/softmax.ts).
import type { Step } from './types.js';
import { step } from '../abi.js';

/**
 * Softmax over the last axis of a contiguous [rows][n] float32 tensor at byte address x into y (x == y
 * allowed). One Step `f32_softmax(x, y, n, begin, end)`, range = rows. Max-subtracted; exp from
 * assembly/activation.ts (relative error < 2e-7); the row sum is accumulated in float32.
 */
export function lowerSoftmax(x: number, y: number, rows: number, n: number): Step[] {
  if (rows === 0 || n === 0) return [];
  return [step('f32_softmax', { x, y, n }, rows, rows * n * 15)];
}
