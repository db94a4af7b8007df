// CNN architectures beyond classification, built as ONNX bytes in code in the form PyTorch's exporter
// emits them, with seeded random weights: a U-Net-style segmenter, an ESPCN-style super-resolution net,
// a fast style-transfer net, a 1-D audio classifier and a ConvNeXt-style network. Checked against
// onnxruntime-node by test/models/architectures.test.ts.
import { makeModel, type NodeSpec, type TensorSpec } from './onnx-builder.js';
import { rng } from './rng.js';

const prod = (d: number[]) => d.reduce((a, b) => a * b, 1);

/** A graph under construction: each method appends a node and returns its output name. */
class Net {
  readonly nodes: NodeSpec[] = [];
  readonly init: Record<string, TensorSpec> = {};
  private id = 0;
  private readonly r;
  constructor(seed: number) { this.r = rng(seed); }

  fresh(p: string): string { return `${p}_${this.id++}`; }
  node(op: string, inputs: string[], attrs: Record<string, unknown> = {}, outputs = 1): string {
    const y = this.fresh(op.toLowerCase());
    const outs = [y, ...Array.from({ length: outputs - 1 }, (_, i) => `${y}_out${i + 1}`)];
    this.nodes.push({ op, inputs, outputs: outs, attrs, name: y });
    return y;
  }
  const(dims: number[], data: ArrayLike<number>, dtype: TensorSpec['dtype'] = 'float32'): string {
    const n = this.fresh('c');
    this.init[n] = { dims, data, dtype };
    return n;
  }
  i64(data: number[]): string { return this.const([data.length], data, 'int64'); }
  /** He-style uniform weights: fan-in scaled so activations stay O(1) through the net. */
  weight(dims: number[], fanIn: number): string { return this.const(dims, this.r.floats(prod(dims), Math.sqrt(3 / fanIn))); }
  small(n: number, scale = 0.05): string { return this.const([n], this.r.floats(n, scale)); }
  around(n: number, center: number, spread: number): string {
    return this.const([n], Array.from({ length: n }, () => center + (this.r.next() * 2 - 1) * spread));
  }

  conv(x: string, cin: number, cout: number, k: number | number[], o: { stride?: number; pad?: number; group?: number; bias?: boolean; dilation?: number } = {}): string {
    const ks = typeof k === 'number' ? [k, k] : k;
    const g = o.group ?? 1, p = o.pad ?? 0, s = o.stride ?? 1;
    const w = this.weight([cout, cin / g, ...ks], (cin / g) * prod(ks));
    const inputs = [x, w];
    if (o.bias !== false) inputs.push(this.small(cout, 0.1));
    const r = ks.length;
    return this.node('Conv', inputs, {
      kernel_shape: ks, strides: new Array(r).fill(s), pads: new Array(2 * r).fill(p), group: g,
      dilations: new Array(r).fill(o.dilation ?? 1),
    });
  }
  convTranspose(x: string, cin: number, cout: number, k: number, stride: number, pad = 0, outputPadding = 0): string {
    const w = this.weight([cin, cout, k, k], cin * k * k / (stride * stride));
    return this.node('ConvTranspose', [x, w, this.small(cout, 0.1)], {
      kernel_shape: [k, k], strides: [stride, stride], pads: [pad, pad, pad, pad], output_padding: [outputPadding, outputPadding],
    });
  }
  bn(x: string, c: number): string {
    return this.node('BatchNormalization', [x, this.around(c, 1, 0.3), this.around(c, 0, 0.1), this.around(c, 0, 0.1), this.around(c, 1, 0.3)], { epsilon: 1e-5 });
  }
  instanceNorm(x: string, c: number): string {
    return this.node('InstanceNormalization', [x, this.around(c, 1, 0.3), this.around(c, 0, 0.1)], { epsilon: 1e-5 });
  }
  relu(x: string): string { return this.node('Relu', [x]); }
  gemm(x: string, k: number, n: number): string {
    return this.node('Gemm', [x, this.weight([n, k], k), this.small(n)], { transB: 1 });
  }

  model(input: string, dims: number[], output: string, opset: number): Uint8Array {
    return makeModel({
      opset, inputs: [{ name: input, dims }], outputs: [{ name: 'output' }],
      nodes: this.nodes.map((n) => ({ ...n, outputs: n.outputs.map((o) => (o === output ? 'output' : o)), inputs: n.inputs.map((i) => (i === output ? 'output' : i)) })),
      initializers: this.init,
    });
  }
}

export interface Architecture {
  name: string; bytes: Uint8Array; dims: number[];
  /** operators the architecture is here to exercise */
  ops: string[];
  /** operators that must not be left in the planned graph (folded, fused or recognized at load) */
  absent: string[];
}

/** U-Net-style segmenter: two encoder levels with max-pooling, ConvTranspose upsampling, skip concats, a sigmoid mask. */
export function unet(size = 48, base = 8): Architecture {
  const n = new Net(101);
  const block = (x: string, cin: number, cout: number) => n.relu(n.bn(n.conv(n.relu(n.bn(n.conv(x, cin, cout, 3, { pad: 1, bias: false }), cout)), cout, cout, 3, { pad: 1, bias: false }), cout));
  const pool = (x: string) => n.node('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] });
  const e1 = block('input', 3, base);
  const e2 = block(pool(e1), base, base * 2);
  const mid = block(pool(e2), base * 2, base * 4);
  const u2 = n.convTranspose(mid, base * 4, base * 2, 2, 2);
  const d2 = block(n.node('Concat', [u2, e2], { axis: 1 }), base * 4, base * 2);
  const u1 = n.convTranspose(d2, base * 2, base, 2, 2);
  const d1 = block(n.node('Concat', [u1, e1], { axis: 1 }), base * 2, base);
  const out = n.node('Sigmoid', [n.conv(d1, base, 2, 1)]);
  return { name: 'U-Net-style segmenter', bytes: n.model('input', [1, 3, size, size], out, 17), dims: [1, 3, size, size], ops: ['ConvTranspose', 'Concat'], absent: ['BatchNormalization'] };
}

/** ESPCN-style super-resolution (×3): 5x5 and 3x3 convolutions with tanh, then a pixel shuffle (DepthToSpace, CRD as PyTorch exports it). */
export function espcn(size = 24, r = 3): Architecture {
  const n = new Net(202);
  let x = n.node('Tanh', [n.conv('input', 1, 32, 5, { pad: 2 })]);
  x = n.node('Tanh', [n.conv(x, 32, 16, 3, { pad: 1 })]);
  x = n.conv(x, 16, r * r, 3, { pad: 1 });
  const out = n.node('DepthToSpace', [x], { blocksize: r, mode: 'CRD' });
  return { name: 'ESPCN-style super-resolution', bytes: n.model('input', [1, 1, size, size], out, 17), dims: [1, 1, size, size], ops: ['DepthToSpace'], absent: [] };
}

/** Fast style transfer (Johnson et al.): reflection padding, instance norm, strided downsampling, residual blocks, nearest ×2 upsampling. */
export function styleTransfer(size = 32, base = 8): Architecture {
  const n = new Net(303);
  const reflect = (x: string, p: number) => n.node('Pad', [x, n.i64([0, 0, p, p, 0, 0, p, p])], { mode: 'reflect' });
  const layer = (x: string, cin: number, cout: number, k: number, stride = 1, relu = true) => {
    const y = n.instanceNorm(n.conv(reflect(x, k >> 1), cin, cout, k, { stride }), cout);
    return relu ? n.relu(y) : y;
  };
  let x = layer('input', 3, base, 9);
  x = layer(x, base, base * 2, 3, 2);
  x = layer(x, base * 2, base * 4, 3, 2);
  for (let b = 0; b < 2; b++) {
    const h = layer(layer(x, base * 4, base * 4, 3), base * 4, base * 4, 3, 1, false);
    x = n.node('Add', [h, x]);
  }
  const up = (y: string) => n.node('Resize', [y, '', n.const([4], [1, 1, 2, 2])], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
  x = layer(up(x), base * 4, base * 2, 3);
  x = layer(up(x), base * 2, base, 3);
  const out = n.conv(reflect(x, 4), base, 3, 9);
  return { name: 'fast style transfer', bytes: n.model('input', [1, 3, size, size], out, 17), dims: [1, 3, size, size], ops: ['Pad', 'InstanceNormalization', 'Resize'], absent: [] };
}

/** 1-D audio classifier on a raw waveform (M5-style): strided Conv1d, BatchNorm1d, ReLU, MaxPool1d, global average pool, a linear head, log-softmax. */
export function audio1d(samples = 2000, classes = 12): Architecture {
  const n = new Net(404);
  const stage = (x: string, cin: number, cout: number, k: number, stride = 1) =>
    n.node('MaxPool', [n.relu(n.bn(n.conv(x, cin, cout, [k], { stride, pad: 0 }), cout))], { kernel_shape: [4], strides: [4] });
  let x = stage('input', 1, 16, 80, 4);
  x = stage(x, 16, 16, 3);
  x = stage(x, 16, 32, 3);
  const gap = n.node('GlobalAveragePool', [x]);
  const flat = n.node('Flatten', [gap], { axis: 1 });
  const out = n.node('LogSoftmax', [n.gemm(flat, 32, classes)], { axis: 1 });
  return { name: '1-D audio CNN', bytes: n.model('input', [1, 1, samples], out, 17), dims: [1, 1, samples], ops: ['Conv', 'MaxPool', 'LogSoftmax'], absent: ['BatchNormalization'] };
}

/** ConvNeXt-style network: patchify stem, blocks of 7x7 depthwise → channels-last LayerNorm → Linear → GELU → Linear → layer scale → residual. */
export function convnext(size = 32, dim = 24, blocks = 2, classes = 10): Architecture {
  const n = new Net(505);
  const layerNorm = (x: string, c: number) => n.node('LayerNormalization', [x, n.around(c, 1, 0.3), n.around(c, 0, 0.1)], { axis: -1, epsilon: 1e-6 });
  const linear = (x: string, k: number, m: number) => n.node('Add', [n.node('MatMul', [x, n.weight([k, m], k)]), n.small(m)]);
  // GELU as PyTorch exports it before opset 20: x · 0.5 · (1 + erf(x / √2))
  const gelu = (x: string) => n.node('Mul', [n.node('Mul', [x, n.node('Add', [n.node('Erf', [n.node('Div', [x, n.const([], [Math.SQRT2])])]), n.const([], [1])])]), n.const([], [0.5])]);
  let x = n.conv('input', 3, dim, 4, { stride: 4 });
  x = n.node('Transpose', [layerNorm(n.node('Transpose', [x], { perm: [0, 2, 3, 1] }), dim)], { perm: [0, 3, 1, 2] });
  for (let b = 0; b < blocks; b++) {
    let h = n.conv(x, dim, dim, 7, { pad: 3, group: dim });
    h = n.node('Transpose', [h], { perm: [0, 2, 3, 1] });
    h = linear(gelu(linear(layerNorm(h, dim), dim, 4 * dim)), 4 * dim, dim);
    h = n.node('Mul', [h, n.around(dim, 0.5, 0.2)]);
    x = n.node('Add', [x, n.node('Transpose', [h], { perm: [0, 3, 1, 2] })]);
  }
  const pooled = n.node('ReduceMean', [x], { axes: [2, 3], keepdims: 0 });
  const out = n.gemm(layerNorm(pooled, dim), dim, classes);
  return { name: 'ConvNeXt-style network', bytes: n.model('input', [1, 3, size, size], out, 17), dims: [1, 3, size, size], ops: ['LayerNormalization', 'Erf', 'MatMul'], absent: ['Erf'] };
}

export const ARCHITECTURES: (() => Architecture)[] = [unet, espcn, styleTransfer, audio1d, convnext];
