// Architectures built as ONNX bytes in code, in the form torchvision's exporter emits (Conv with
// BatchNormalization unfolded, Relu, residual Add, MaxPool, GlobalAveragePool, Flatten, Gemm), with
// seeded random weights and batch-norm statistics. Used by tests (against onnxruntime-node) and by
// the model benchmarks (against onnxruntime-web).
import { makeModel, type NodeSpec, type TensorSpec } from './onnx-builder.js';
import { rng } from './rng.js';

export function resnetOnnx(opts: { blocks?: number[]; widths?: number[]; size?: number; classes?: number; seed?: number; batch?: number | string } = {}): Uint8Array {
  const blocks = opts.blocks ?? [2, 2, 2, 2];
  const widths = opts.widths ?? [64, 128, 256, 512];
  const size = opts.size ?? 224;
  const classes = opts.classes ?? 1000;
  const r = rng(opts.seed ?? 18);
  const nodes: NodeSpec[] = [];
  const init: Record<string, TensorSpec> = {};
  let id = 0;
  const fresh = (p: string) => `${p}_${id++}`;
  const he = (dims: number[]) => ({ dims, data: r.floats(dims.reduce((a, b) => a * b, 1), Math.sqrt(6 / (dims[1] * dims[2] * dims[3]))) });

  const convBn = (x: string, cin: number, cout: number, k: number, s: number, relu: boolean): string => {
    const w = fresh('w'), c = fresh('conv'), bn = fresh('bn');
    init[w] = he([cout, cin, k, k]);
    nodes.push({ op: 'Conv', inputs: [x, w], outputs: [c], attrs: { kernel_shape: [k, k], strides: [s, s], pads: [k >> 1, k >> 1, k >> 1, k >> 1] }, name: c });
    const [g, b, m, v] = ['g', 'b', 'm', 'v'].map(fresh);
    init[g] = { dims: [cout], data: Array.from({ length: cout }, () => 0.5 + r.next()) };
    init[b] = { dims: [cout], data: r.floats(cout, 0.1) };
    init[m] = { dims: [cout], data: r.floats(cout, 0.1) };
    init[v] = { dims: [cout], data: Array.from({ length: cout }, () => 0.5 + r.next()) };
    nodes.push({ op: 'BatchNormalization', inputs: [c, g, b, m, v], outputs: [bn], attrs: { epsilon: 1e-5 }, name: bn });
    if (!relu) return bn;
    const y = fresh('relu');
    nodes.push({ op: 'Relu', inputs: [bn], outputs: [y], name: y });
    return y;
  };

  let x = convBn('input', 3, widths[0], 7, 2, true);
  const pool = fresh('maxpool');
  nodes.push({ op: 'MaxPool', inputs: [x], outputs: [pool], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, name: pool });
  x = pool;
  let cin = widths[0];
  blocks.forEach((n, stage) => {
    const cout = widths[stage];
    for (let b = 0; b < n; b++) {
      const s = b === 0 && stage > 0 ? 2 : 1;
      const h = convBn(x, cin, cout, 3, s, true);
      const h2 = convBn(h, cout, cout, 3, 1, false);
      const skip = s !== 1 || cin !== cout ? convBn(x, cin, cout, 1, s, false) : x;
      const sum = fresh('add'), y = fresh('relu');
      nodes.push({ op: 'Add', inputs: [h2, skip], outputs: [sum], name: sum });
      nodes.push({ op: 'Relu', inputs: [sum], outputs: [y], name: y });
      x = y;
      cin = cout;
    }
  });
  nodes.push({ op: 'GlobalAveragePool', inputs: [x], outputs: ['gap'], name: 'gap' });
  nodes.push({ op: 'Flatten', inputs: ['gap'], outputs: ['flat'], attrs: { axis: 1 }, name: 'flatten' });
  init.fc_w = { dims: [classes, cin], data: r.floats(classes * cin, Math.sqrt(1 / cin)) };
  init.fc_b = { dims: [classes], data: r.floats(classes, 0.01) };
  nodes.push({ op: 'Gemm', inputs: ['flat', 'fc_w', 'fc_b'], outputs: ['output'], attrs: { transB: 1 }, name: 'fc' });
  return makeModel({ opset: 13, inputs: [{ name: 'input', dims: [opts.batch ?? 1, 3, size, size] }], outputs: [{ name: 'output' }], nodes, initializers: init });
}
