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

/**
 * EfficientNet-B0-style network, as torch exports it: MBConv blocks (1x1 expand, depthwise k x k, squeeze-
 * excite, 1x1 project, residual Add where the shape allows), SiLU written as x · Sigmoid(x), squeeze-excite
 * as GlobalAveragePool → 1x1 Conv (bias) → SiLU → 1x1 Conv (bias) → Sigmoid → Mul broadcast over H, W;
 * BatchNormalization after every convolution but the SE ones; GlobalAveragePool, Flatten, Gemm head.
 * `stages`: [expand ratio, channels, repeats, stride, kernel] (default B0's), `width` scales the channels.
 */
export function efficientnetOnnx(opts: { stages?: [number, number, number, number, number][]; width?: number; head?: number; size?: number; classes?: number; seed?: number; batch?: number } = {}): Uint8Array {
  const stages = opts.stages ?? [[1, 16, 1, 1, 3], [6, 24, 2, 2, 3], [6, 40, 2, 2, 5], [6, 80, 3, 2, 3], [6, 112, 3, 1, 5], [6, 192, 4, 2, 5], [6, 320, 1, 1, 3]];
  const width = opts.width ?? 1;
  const ch = (c: number) => Math.max(8, Math.round(c * width));
  const size = opts.size ?? 224, classes = opts.classes ?? 1000, headC = opts.head ?? ch(1280);
  const r = rng(opts.seed ?? 7);
  const nodes: NodeSpec[] = [];
  const init: Record<string, TensorSpec> = {};
  let id = 0;
  const fresh = (p: string) => `${p}_${id++}`;
  const node = (op: string, inputs: string[], attrs: Record<string, unknown> = {}, p = op.toLowerCase()): string => {
    const y = fresh(p);
    nodes.push({ op, inputs, outputs: [y], attrs, name: y });
    return y;
  };
  const silu = (x: string) => node('Mul', [x, node('Sigmoid', [x])], {}, 'silu');
  const conv = (x: string, cin: number, cout: number, k: number, s: number, groups = 1, bias = false): string => {
    const w = fresh('w');
    init[w] = { dims: [cout, cin / groups, k, k], data: r.floats(cout * (cin / groups) * k * k, Math.sqrt(3 / ((cin / groups) * k * k))) };
    const ins = [x, w];
    if (bias) { const b = fresh('b'); init[b] = { dims: [cout], data: r.floats(cout, 0.1) }; ins.push(b); }
    return node('Conv', ins, { kernel_shape: [k, k], strides: [s, s], pads: [k >> 1, k >> 1, k >> 1, k >> 1], group: groups });
  };
  const bn = (x: string, c: number): string => {
    const [g, b, m, v] = ['g', 'b', 'm', 'v'].map(fresh);
    init[g] = { dims: [c], data: Array.from({ length: c }, () => 0.5 + r.next()) };
    init[b] = { dims: [c], data: r.floats(c, 0.1) };
    init[m] = { dims: [c], data: r.floats(c, 0.1) };
    init[v] = { dims: [c], data: Array.from({ length: c }, () => 0.5 + r.next()) };
    return node('BatchNormalization', [x, g, b, m, v], { epsilon: 1e-5 }, 'bn');
  };

  let x = silu(bn(conv('input', 3, ch(32), 3, 2), ch(32)));
  let cin = ch(32);
  for (const [expand, c, repeats, stride, k] of stages) {
    const cout = ch(c);
    for (let i = 0; i < repeats; i++) {
      const s = i === 0 ? stride : 1, mid = cin * expand;
      let h = expand === 1 ? x : silu(bn(conv(x, cin, mid, 1, 1), mid));
      h = silu(bn(conv(h, mid, mid, k, s, mid), mid));
      const sq = Math.max(1, Math.floor(cin / 4));
      const se = node('Sigmoid', [conv(silu(conv(node('GlobalAveragePool', [h]), mid, sq, 1, 1, 1, true)), sq, mid, 1, 1, 1, true)]);
      h = node('Mul', [h, se], {}, 'se_scale');
      h = bn(conv(h, mid, cout, 1, 1), cout);
      x = s === 1 && cin === cout ? node('Add', [h, x]) : h;
      cin = cout;
    }
  }
  x = silu(bn(conv(x, cin, headC, 1, 1), headC));
  const flat = node('Flatten', [node('GlobalAveragePool', [x])], { axis: 1 });
  init.fc_w = { dims: [classes, headC], data: r.floats(classes * headC, Math.sqrt(1 / headC)) };
  init.fc_b = { dims: [classes], data: r.floats(classes, 0.01) };
  nodes.push({ op: 'Gemm', inputs: [flat, 'fc_w', 'fc_b'], outputs: ['output'], attrs: { transB: 1 }, name: 'fc' });
  return makeModel({ opset: 13, inputs: [{ name: 'input', dims: [opts.batch ?? 1, 3, size, size] }], outputs: [{ name: 'output' }], nodes, initializers: init });
}
