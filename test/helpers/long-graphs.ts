// Long graphs for plan-construction scaling checks (bench/create-scaling.ts, test/model/scaling.test.ts):
// a Relu chain, a Conv+Relu+Add residual chain, a wide graph of Concat branches and a Conv+BatchNorm+Clip
// chain sharing its weights, as ONNX model specs.
import type { ModelSpec, NodeSpec, TensorSpec } from './onnx-builder.js';

/** `n` Relus in a row on a small tensor. */
export function reluChain(n: number): ModelSpec {
  const nodes: NodeSpec[] = [];
  for (let i = 0; i < n; i++) nodes.push({ op: 'Relu', inputs: [i ? `r${i - 1}` : 'x'], outputs: [i === n - 1 ? 'y' : `r${i}`], name: `relu${i}` });
  return { opset: 13, inputs: [{ name: 'x', dims: [1, 4, 4, 4] }], outputs: [{ name: 'y', dims: [1, 4, 4, 4] }], nodes };
}

/** `blocks` residual blocks (Conv 1x1, Relu, Add with the block input): 3 nodes each. */
export function residualChain(blocks: number): ModelSpec {
  const C = 4;
  const w: TensorSpec = { dims: [C, C, 1, 1], data: Array.from({ length: C * C }, (_, i) => ((i * 7) % 5) / 10 - 0.2) };
  const b: TensorSpec = { dims: [C], data: [0.1, -0.1, 0.05, 0] };
  const nodes: NodeSpec[] = [];
  let x = 'x';
  for (let i = 0; i < blocks; i++) {
    const y = i === blocks - 1 ? 'y' : `s${i}`;
    nodes.push({ op: 'Conv', inputs: [x, 'w', 'b'], outputs: [`c${i}`], attrs: { kernel_shape: [1, 1] }, name: `conv${i}` });
    nodes.push({ op: 'Relu', inputs: [`c${i}`], outputs: [`r${i}`], name: `relu${i}` });
    nodes.push({ op: 'Add', inputs: [`r${i}`, x], outputs: [y], name: `add${i}` });
    x = y;
  }
  return { opset: 13, inputs: [{ name: 'x', dims: [1, C, 4, 4] }], outputs: [{ name: 'y', dims: [1, C, 4, 4] }], nodes, initializers: { w, b } };
}

/** A wide graph: `groups` stages, each `width` parallel Conv+Relu branches concatenated on channels
 * and squeezed back by a 1x1 Conv: (2·width + 2) nodes per stage. */
export function concatWide(groups: number, width = 8): ModelSpec {
  const C = 2;
  const w: TensorSpec = { dims: [C, C, 1, 1], data: [0.5, -0.25, 0.125, 1] };
  const sq: TensorSpec = { dims: [C, C * width, 1, 1], data: Array.from({ length: C * C * width }, (_, i) => ((i % 3) - 1) / 4) };
  const nodes: NodeSpec[] = [];
  let x = 'x';
  for (let g = 0; g < groups; g++) {
    const branches: string[] = [];
    for (let k = 0; k < width; k++) {
      nodes.push({ op: 'Conv', inputs: [x, 'w'], outputs: [`g${g}c${k}`], attrs: { kernel_shape: [1, 1] }, name: `g${g}conv${k}` });
      nodes.push({ op: 'Relu', inputs: [`g${g}c${k}`], outputs: [`g${g}r${k}`], name: `g${g}relu${k}` });
      branches.push(`g${g}r${k}`);
    }
    nodes.push({ op: 'Concat', inputs: branches, outputs: [`g${g}cat`], attrs: { axis: 1 }, name: `g${g}concat` });
    const y = g === groups - 1 ? 'y' : `g${g}out`;
    nodes.push({ op: 'Conv', inputs: [`g${g}cat`, 'sq'], outputs: [y], attrs: { kernel_shape: [1, 1] }, name: `g${g}squeeze` });
    x = y;
  }
  return { opset: 13, inputs: [{ name: 'x', dims: [1, C, 4, 4] }], outputs: [{ name: 'y', dims: [1, C, 4, 4] }], nodes, initializers: { w, sq } };
}

/** `blocks` Conv 1x1 → BatchNormalization → Clip blocks that all share one weight and one set of
 * batch-norm parameters (each fold makes a fresh copy of the shared weight: w__folded, w__folded_1, ...). */
export function convBnChain(blocks: number): ModelSpec {
  const C = 4;
  const t = (data: number[]): TensorSpec => ({ dims: [C], data });
  const initializers: Record<string, TensorSpec> = {
    w: { dims: [C, C, 1, 1], data: Array.from({ length: C * C }, (_, i) => ((i * 5) % 7) / 10 - 0.3) },
    gamma: t([1, 0.5, 2, 1]), beta: t([0, 0.1, -0.1, 0.2]), mean: t([0.1, 0, 0.2, -0.1]), var: t([1, 2, 0.5, 1]),
    lo: { dims: [], data: [0] }, hi: { dims: [], data: [6] },
  };
  const nodes: NodeSpec[] = [];
  let x = 'x';
  for (let i = 0; i < blocks; i++) {
    const y = i === blocks - 1 ? 'y' : `a${i}`;
    nodes.push({ op: 'Conv', inputs: [x, 'w'], outputs: [`c${i}`], attrs: { kernel_shape: [1, 1] }, name: `conv${i}` });
    nodes.push({ op: 'BatchNormalization', inputs: [`c${i}`, 'gamma', 'beta', 'mean', 'var'], outputs: [`n${i}`], attrs: { epsilon: 1e-5 }, name: `bn${i}` });
    nodes.push({ op: 'Clip', inputs: [`n${i}`, 'lo', 'hi'], outputs: [y], name: `clip${i}` });
    x = y;
  }
  return { opset: 13, inputs: [{ name: 'x', dims: [1, C, 4, 4] }], outputs: [{ name: 'y', dims: [1, C, 4, 4] }], nodes, initializers };
}

/** `blocks` blocks that every graph pass rewrites, 9 nodes each: Transpose → inverse Transpose (cancel),
 * Pad → Conv 3x3 (pad folds), BatchNormalization and Mul by a per-channel constant (fold into the conv),
 * Add of the block input (residual), Relu (fused activation), and a dead Sigmoid (removed). All convs
 * share one weight. */
export function mixedChain(blocks: number): ModelSpec {
  const C = 4;
  const t = (data: number[]): TensorSpec => ({ dims: [C], data });
  const initializers: Record<string, TensorSpec> = {
    w: { dims: [C, C, 3, 3], data: Array.from({ length: C * C * 9 }, (_, i) => ((i * 5) % 11) / 20 - 0.25) },
    gamma: t([1, 0.5, 2, 1]), beta: t([0, 0.1, -0.1, 0.2]), mean: t([0.1, 0, 0.2, -0.1]), var: t([1, 2, 0.5, 1]),
    k: { dims: [1, C, 1, 1], data: [0.5, 2, 1, -1] },
    pads: { dims: [8], data: [0, 0, 1, 1, 0, 0, 1, 1], dtype: 'int64' },
  };
  const nodes: NodeSpec[] = [];
  let x = 'x';
  for (let i = 0; i < blocks; i++) {
    const y = i === blocks - 1 ? 'y' : `b${i}`;
    nodes.push({ op: 'Transpose', inputs: [x], outputs: [`t${i}`], attrs: { perm: [0, 2, 3, 1] }, name: `tr${i}` });
    nodes.push({ op: 'Transpose', inputs: [`t${i}`], outputs: [`u${i}`], attrs: { perm: [0, 3, 1, 2] }, name: `untr${i}` });
    nodes.push({ op: 'Pad', inputs: [`u${i}`, 'pads'], outputs: [`p${i}`], name: `pad${i}` });
    nodes.push({ op: 'Conv', inputs: [`p${i}`, 'w'], outputs: [`c${i}`], attrs: { kernel_shape: [3, 3] }, name: `conv${i}` });
    nodes.push({ op: 'BatchNormalization', inputs: [`c${i}`, 'gamma', 'beta', 'mean', 'var'], outputs: [`n${i}`], attrs: { epsilon: 1e-5 }, name: `bn${i}` });
    nodes.push({ op: 'Mul', inputs: [`n${i}`, 'k'], outputs: [`m${i}`], name: `mul${i}` });
    nodes.push({ op: 'Add', inputs: [`m${i}`, x], outputs: [`a${i}`], name: `add${i}` });
    nodes.push({ op: 'Relu', inputs: [`a${i}`], outputs: [y], name: `relu${i}` });
    nodes.push({ op: 'Sigmoid', inputs: [x], outputs: [`dead${i}`], name: `dead${i}` });
    x = y;
  }
  return { opset: 13, inputs: [{ name: 'x', dims: [1, C, 4, 4] }], outputs: [{ name: 'y', dims: [1, C, 4, 4] }], nodes, initializers };
}
