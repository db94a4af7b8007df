// MatMul and Gemm in every configuration (ONNX opsets 7–21): N-D MatMul with broadcast batch dims, 1-D
// operands, run-time operands on either side, constant operands on either side; Gemm with every attribute
// (transA, transB, alpha, beta) and C of every broadcastable shape, constant or computed. Odd sizes
// throughout (K, N not multiples of 4, row counts not multiples of the 4-row tile).
import type { OpCase } from '../op-cases.js';
import type { TensorSpec } from '../onnx-builder.js';
import { rng } from '../rng.js';

const r = rng(4242);
const W = (dims: number[], scale = 0.5): TensorSpec => ({ dims, data: r.floats(dims.reduce((a, b) => a * b, 1), scale) });
const S = (v: number): TensorSpec => ({ dims: [], data: [v] });

/** y = MatMul(x, b) with b a second graph input. */
const mm = (name: string, x: number[], b: number[], opset = 13): OpCase =>
  ({ name, x, inputs: { b }, spec: { opset, nodes: [{ op: 'MatMul', inputs: ['x', 'b'], outputs: ['y'] }] } });
/** y = MatMul(x, const w) / MatMul(const w, x). */
const mmConst = (name: string, x: number[], w: number[], left = false): OpCase =>
  ({ name, x, spec: { opset: 13, nodes: [{ op: 'MatMul', inputs: left ? ['w', 'x'] : ['x', 'w'], outputs: ['y'] }], initializers: { w: W(w) } } });
/** y = Gemm(x, B, C?) with B and C constants (`init`) or graph inputs (`inputs`). */
const gemm = (name: string, x: number[], attrs: Record<string, unknown>, ins: string[], init: Record<string, TensorSpec>, inputs?: Record<string, number[]>, opset = 13): OpCase =>
  ({ name, x, inputs, spec: { opset, nodes: [{ op: 'Gemm', inputs: ['x', ...ins], outputs: ['y'], attrs }], initializers: init } });

export const MOBILE_CASES: OpCase[] = [
  // MatMul, both operands at run time
  mm('MatMul 2-D x 2-D activations', [7, 13], [13, 9]),
  mm('MatMul 3-D batched, same batch', [3, 5, 7], [3, 7, 11]),
  mm('MatMul 3-D x 2-D activation (B broadcast over the batch)', [2, 6, 5], [5, 10]),
  mm('MatMul 2-D x 3-D (A broadcast over the batch)', [5, 9], [4, 9, 3]),
  mm('MatMul 4-D broadcast batch dims [2,1] x [1,3]', [2, 1, 5, 6], [1, 3, 6, 7]),
  mm('MatMul 4-D x 3-D batch broadcast', [2, 3, 4, 5], [3, 5, 9]),
  mm('MatMul 5-D batched', [2, 1, 2, 3, 5], [1, 3, 2, 5, 2]),
  mm('MatMul 1-D x 2-D (vector times matrix)', [13], [13, 6]),
  mm('MatMul 2-D x 1-D (matrix times vector)', [5, 13], [13]),
  mm('MatMul 1-D x 1-D (dot product)', [17], [17]),
  mm('MatMul 1-D x 3-D', [7], [2, 7, 5]),
  mm('MatMul 3-D x 1-D', [3, 4, 7], [7]),
  mm('MatMul one row, wide (N > 8, tails)', [1, 37], [37, 29]),
  mm('MatMul K = 1', [6, 1], [1, 9]),
  mm('MatMul opset 7', [3, 5], [5, 3], 7),
  // MatMul with a constant operand that is not the 2-D weights of a Gemm
  mmConst('MatMul constant 3-D B', [2, 5, 7], [2, 7, 6]),
  mmConst('MatMul constant A on the left', [9, 6], [5, 9], true),
  mmConst('MatMul 1-D input times constant 2-D weights (Gemm path)', [11], [11, 5]),
  mmConst('MatMul 4-D input times constant 2-D weights (Gemm path)', [2, 3, 4, 11], [11, 6]),
  // Gemm: every attribute
  gemm('Gemm transA=1 constant B', [9, 5], { transA: 1 }, ['w', 'c'], { w: W([9, 7]), c: W([7]) }),
  gemm('Gemm transA=1 transB=1 alpha beta', [6, 3], { transA: 1, transB: 1, alpha: 0.75, beta: -1.5 }, ['w', 'c'], { w: W([5, 6]), c: W([5]) }),
  gemm('Gemm C [M,1] (per-row bias)', [4, 7], { transB: 1 }, ['w', 'c'], { w: W([6, 7]), c: W([4, 1]) }),
  gemm('Gemm C [M,N] constant, beta 0.5', [3, 5], { beta: 0.5 }, ['w', 'c'], { w: W([5, 9]), c: W([3, 9]) }),
  gemm('Gemm C [M,N] constant beta 2 alpha 3', [3, 5], { alpha: 3, beta: 2 }, ['w', 'c'], { w: W([5, 9]), c: W([3, 9]) }),
  gemm('Gemm scalar C beta 0.25', [5, 4], { beta: 0.25 }, ['w', 'c'], { w: W([4, 3]), c: S(1.5) }),
  gemm('Gemm C computed at run time [M,N]', [3, 5], { transB: 1 }, ['w', 'c'], { w: W([7, 5]) }, { c: [3, 7] }),
  gemm('Gemm C computed at run time [N], beta 3', [4, 6], { beta: 3 }, ['w', 'c'], { w: W([6, 5]) }, { c: [5] }),
  gemm('Gemm C computed at run time [M,1]', [4, 6], {}, ['w', 'c'], { w: W([6, 5]) }, { c: [4, 1] }),
  gemm('Gemm B computed at run time', [5, 7], {}, ['b'], {}, { b: [7, 9] }),
  gemm('Gemm B at run time transB, alpha, C [N]', [5, 7], { transB: 1, alpha: -0.5 }, ['b', 'c'], { c: W([9]) }, { b: [9, 7] }),
  gemm('Gemm B and C at run time, transA, transB, alpha, beta', [7, 5], { transA: 1, transB: 1, alpha: 1.25, beta: 0.5 }, ['b', 'c'], {}, { b: [3, 7], c: [5, 3] }),
  gemm('Gemm B at run time, C [1,N] constant', [2, 3], {}, ['b', 'c'], { c: W([1, 6]) }, { b: [3, 6] }),
  gemm('Gemm one row, C [N], opset 7', [1, 19], { transB: 1 }, ['w', 'c'], { w: W([13, 19]), c: W([13]) }, undefined, 7),
  gemm('Gemm opset 11 without C (optional since 11)', [3, 4], {}, ['w'], { w: W([4, 5]) }, undefined, 11),
];
