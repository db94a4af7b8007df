// The layer builder: a network in code, in the seed's vocabulary (input → conv → relu → pool → …
// → fc → softmax). It produces the same IR graph the ONNX loader does, checking each layer's shape
// as it is added so a layer that does not fit its input fails where it is written.
import { LayerError, InvalidArgumentError } from '../errors.js';
import type { Graph, Node, ConstTensor, Dims } from './ir.js';
import { size } from './ir.js';
import { inferNode } from './ops.js';
import { windowOutput } from './shapes.js';

export type ActivationName = 'relu' | 'relu6' | 'leakyRelu' | 'sigmoid' | 'tanh' | 'hardSigmoid' | 'hardSwish' | 'none';
export type Pair = number | [number, number];
/** 'valid' (0), 'same' (output = ceil(input / stride), extra padding at the end as in ONNX SAME_UPPER), a number, [ph, pw] or [top, left, bottom, right]. */
export type Padding = 'valid' | 'same' | number | [number, number] | [number, number, number, number];

export interface ConvSpec {
  filters: number;
  kernel: Pair;
  stride?: Pair;
  padding?: Padding;
  dilation?: Pair;
  groups?: number;
  /** default true */
  bias?: boolean;
  activation?: ActivationName;
  /** OIHW weights (O = filters, I = inputChannels / groups); generated from the seed when absent */
  weights?: ArrayLike<number>;
  biasValues?: ArrayLike<number>;
  name?: string;
}
/**
 * A locally-connected layer: a convolution whose filters differ at every output position (no weight
 * sharing), as in the CNN primer. Weights [OH][OW][filters][C_in][kh][kw] (OH, OW: the output size the
 * kernel, stride, padding and dilation give, as for conv), bias [OH][OW][filters]. Not an ONNX operator:
 * a summary lists it as `LocallyConnected`, with OH·OW·filters·C_in·kh·kw parameters (+ the bias).
 */
export interface LocallyConnectedSpec {
  filters: number;
  kernel: Pair;
  stride?: Pair;
  padding?: Padding;
  dilation?: Pair;
  /** default true */
  bias?: boolean;
  activation?: ActivationName;
  /** [OH][OW][filters][C_in][kh][kw]; generated from the seed when absent */
  weights?: ArrayLike<number>;
  /** [OH][OW][filters] */
  biasValues?: ArrayLike<number>;
  name?: string;
}
export interface PoolSpec {
  kernel: Pair;
  stride?: Pair;
  padding?: Padding;
  ceilMode?: boolean;
  /** average pooling: divide by the full window including padding (default false) */
  countIncludePad?: boolean;
  name?: string;
}
export interface DenseSpec {
  units: number;
  activation?: ActivationName;
  bias?: boolean;
  /** [units][inputs] weights (row j feeds output j) */
  weights?: ArrayLike<number>;
  biasValues?: ArrayLike<number>;
  name?: string;
}
export interface BatchNormSpec {
  scale?: ArrayLike<number>;
  shift?: ArrayLike<number>;
  mean?: ArrayLike<number>;
  variance?: ArrayLike<number>;
  epsilon?: number;
  name?: string;
}

/** A handle on a layer's output, for branches (residual add, concat). */
export interface LayerRef {
  readonly value: string;
  readonly dims: readonly number[];
}

const pair = (p: Pair | undefined, d: number): [number, number] => (p === undefined ? [d, d] : typeof p === 'number' ? [p, p] : [p[0], p[1]]);

export class NetworkBuilder {
  private nodes: Node[] = [];
  private consts = new Map<string, ConstTensor>();
  private dims = new Map<string, Dims>();
  private inputs: { name: string; dims: number[] }[] = [];
  private counters = new Map<string, number>();
  private cursor: string | null = null;
  private rand: () => number;

  constructor(options: { seed?: number } = {}) {
    let s = (options.seed ?? 1) >>> 0;
    this.rand = () => {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = Math.imul(s ^ (s >>> 15), s | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /** The current layer's output (to branch from it later). */
  get current(): LayerRef {
    const v = this.need('current');
    return { value: v, dims: this.dims.get(v)! };
  }

  input(dims: readonly number[], name = 'input'): this {
    if (dims.length < 2 || dims.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new LayerError(name, 'Input', `dims must be positive integers (NCHW for images), got [${dims.join(', ')}]`);
    }
    if (this.dims.has(name)) throw new LayerError(name, 'Input', 'name already used');
    this.inputs.push({ name, dims: [...dims] });
    this.dims.set(name, [...dims]);
    this.cursor = name;
    return this;
  }

  /** Continue from an earlier layer's output. */
  from(ref: LayerRef): this {
    if (!this.dims.has(ref.value)) throw new InvalidArgumentError(`unknown layer output '${ref.value}'`);
    this.cursor = ref.value;
    return this;
  }

  conv(spec: ConvSpec): this {
    const x = this.need('conv');
    const xd = this.dims.get(x)!;
    const name = this.name(spec.name, 'conv');
    const groups = spec.groups ?? 1;
    if (!Number.isInteger(spec.filters) || spec.filters <= 0) throw new LayerError(name, 'Conv', `filters must be a positive integer, got ${spec.filters}`);
    if (!Number.isInteger(groups) || groups <= 0) throw new LayerError(name, 'Conv', `groups must be a positive integer, got ${groups}`);
    if (xd.length !== 4) throw new LayerError(name, 'Conv', `expects a 4-D NCHW input, got [${xd.join(', ')}]`);
    const kernel = pair(spec.kernel, 1);
    const strides = pair(spec.stride, 1);
    const dilations = pair(spec.dilation, 1);
    const pads = this.pads(name, 'Conv', spec.padding, xd, kernel, strides, dilations);
    const cin = xd[1] / groups;
    const wlen = spec.filters * cin * kernel[0] * kernel[1];
    const wdims = [spec.filters, cin, kernel[0], kernel[1]];
    // He-uniform from the seed: keeps activations at a sane scale through deep stacks
    const weights = this.tensor(name, 'Conv', 'weights', spec.weights, wlen, Math.sqrt(6 / Math.max(1, cin * kernel[0] * kernel[1])));
    const inputs = [x, this.constant(`${name}.weight`, wdims, weights)];
    if (spec.bias ?? true) inputs.push(this.constant(`${name}.bias`, [spec.filters], this.tensor(name, 'Conv', 'bias', spec.biasValues, spec.filters, 0.1)));
    return this.add1(name, 'Conv', inputs, { kernel, strides, pads, dilations, groups }).activation(name, spec.activation);
  }

  /** Locally-connected layer (unshared weights per output position): see LocallyConnectedSpec. */
  locallyConnected(spec: LocallyConnectedSpec): this {
    const x = this.need('locallyConnected');
    const xd = this.dims.get(x)!;
    const name = this.name(spec.name, 'local');
    const op = 'LocallyConnected';
    if (!Number.isInteger(spec.filters) || spec.filters <= 0) throw new LayerError(name, op, `filters must be a positive integer, got ${spec.filters}`);
    if (xd.length !== 4) throw new LayerError(name, op, `expects a 4-D NCHW input, got [${xd.join(', ')}]`);
    const kernel = pair(spec.kernel, 1), strides = pair(spec.stride, 1), dilations = pair(spec.dilation, 1);
    const pads = this.pads(name, op, spec.padding, xd, kernel, strides, dilations);
    const attrs = { kernel, strides, pads, dilations };
    // the output size first (it sizes the weights); the shape rule checks the window fits
    const node: Node = { name, op, inputs: [], outputs: [], attrs };
    const oh = windowOutput(node, 'height', xd[2], kernel[0], strides[0], pads[0], pads[2], dilations[0]);
    const ow = windowOutput(node, 'width', xd[3], kernel[1], strides[1], pads[1], pads[3], dilations[1]);
    const cin = xd[1], wdims = [oh, ow, spec.filters, cin, kernel[0], kernel[1]];
    const weights = this.tensor(name, op, 'weights', spec.weights, size(wdims), Math.sqrt(6 / Math.max(1, cin * kernel[0] * kernel[1])));
    const inputs = [x, this.constant(`${name}.weight`, wdims, weights)];
    if (spec.bias ?? true) inputs.push(this.constant(`${name}.bias`, [oh, ow, spec.filters], this.tensor(name, op, 'bias', spec.biasValues, oh * ow * spec.filters, 0.1)));
    return this.add1(name, op, inputs, attrs).activation(name, spec.activation);
  }

  /** Fully-connected layer; flattens a 4-D input first (NCHW order, as ONNX Flatten). */
  fc(spec: DenseSpec): this {
    let x = this.need('fc');
    let xd = this.dims.get(x)!;
    const name = this.name(spec.name, 'fc');
    if (!Number.isInteger(spec.units) || spec.units <= 0) throw new LayerError(name, 'Gemm', `units must be a positive integer, got ${spec.units}`);
    if (xd.length !== 2) {
      this.flatten({ name: `${name}.flatten` });
      x = this.cursor!;
      xd = this.dims.get(x)!;
    }
    const k = xd[1];
    const weights = this.tensor(name, 'Gemm', 'weights', spec.weights, spec.units * k, Math.sqrt(6 / Math.max(1, k)));
    const inputs = [x, this.constant(`${name}.weight`, [spec.units, k], weights)];
    if (spec.bias ?? true) inputs.push(this.constant(`${name}.bias`, [spec.units], this.tensor(name, 'Gemm', 'bias', spec.biasValues, spec.units, 0.1)));
    return this.add1(name, 'Gemm', inputs, { alpha: 1, beta: 1, transA: 0, transB: 1 }).activation(name, spec.activation);
  }

  maxPool(spec: PoolSpec): this { return this.pool('MaxPool', 'maxpool', spec); }
  avgPool(spec: PoolSpec): this { return this.pool('AveragePool', 'avgpool', spec); }
  globalAvgPool(name?: string): this { return this.add1(this.name(name, 'gap'), 'GlobalAveragePool', [this.need('globalAvgPool')], {}); }
  globalMaxPool(name?: string): this { return this.add1(this.name(name, 'gmp'), 'GlobalMaxPool', [this.need('globalMaxPool')], {}); }

  relu(name?: string): this { return this.add1(this.name(name, 'relu'), 'Relu', [this.need('relu')], {}); }
  relu6(name?: string): this { return this.add1(this.name(name, 'relu6'), 'Clip', [this.need('relu6')], { min: 0, max: 6 }); }
  clip(min: number, max: number, name?: string): this { return this.add1(this.name(name, 'clip'), 'Clip', [this.need('clip')], { min, max }); }
  leakyRelu(alpha = 0.01, name?: string): this { return this.add1(this.name(name, 'leakyrelu'), 'LeakyRelu', [this.need('leakyRelu')], { alpha }); }
  sigmoid(name?: string): this { return this.add1(this.name(name, 'sigmoid'), 'Sigmoid', [this.need('sigmoid')], {}); }
  tanh(name?: string): this { return this.add1(this.name(name, 'tanh'), 'Tanh', [this.need('tanh')], {}); }
  hardSigmoid(alpha = 0.2, beta = 0.5, name?: string): this { return this.add1(this.name(name, 'hardsigmoid'), 'HardSigmoid', [this.need('hardSigmoid')], { alpha, beta }); }
  hardSwish(name?: string): this { return this.add1(this.name(name, 'hardswish'), 'HardSwish', [this.need('hardSwish')], {}); }

  batchNorm(spec: BatchNormSpec = {}): this {
    const x = this.need('batchNorm');
    const c = this.dims.get(x)![1];
    const name = this.name(spec.name, 'bn');
    const p = (what: string, v: ArrayLike<number> | undefined, dflt: number) => {
      if (v && v.length !== c) throw new LayerError(name, 'BatchNormalization', `${what} has ${v.length} values, expected ${c} channels`);
      return this.constant(`${name}.${what}`, [c], v ? Float32Array.from(v) : new Float32Array(c).fill(dflt));
    };
    const inputs = [x, p('scale', spec.scale, 1), p('shift', spec.shift, 0), p('mean', spec.mean, 0), p('variance', spec.variance, 1)];
    return this.add1(name, 'BatchNormalization', inputs, { epsilon: spec.epsilon ?? 1e-5 });
  }

  /** Residual add: current + other (same shape, or broadcastable). */
  add(other: LayerRef, name?: string): this { return this.add1(this.name(name, 'add'), 'Add', [this.need('add'), other.value], {}); }
  mul(other: LayerRef, name?: string): this { return this.add1(this.name(name, 'mul'), 'Mul', [this.need('mul'), other.value], {}); }
  /** Concatenates the current output with others along channels (axis 1). */
  concat(others: LayerRef[], name?: string): this {
    return this.add1(this.name(name, 'concat'), 'Concat', [this.need('concat'), ...others.map((o) => o.value)], { axis: 1 });
  }
  flatten(opts: { name?: string } = {}): this { return this.add1(this.name(opts.name, 'flatten'), 'Flatten', [this.need('flatten')], { axis: 1 }); }
  softmax(name?: string): this {
    const x = this.need('softmax');
    return this.add1(this.name(name, 'softmax'), 'Softmax', [x], { axis: this.dims.get(x)!.length === 4 ? 1 : this.dims.get(x)!.length - 1, legacy: false });
  }

  /** The IR graph; the current layer (and any `outputs` given) become the graph outputs. */
  toGraph(outputs?: LayerRef[]): Graph {
    if (!this.inputs.length) throw new InvalidArgumentError('the network has no input layer');
    const outs = outputs?.map((o) => o.value) ?? [this.need('toGraph')];
    return {
      inputs: this.inputs.map((i) => ({ name: i.name, dims: i.dims, dtype: 'float32' as const })),
      outputs: outs.map((o) => ({ name: o, dims: this.dims.get(o)!, dtype: 'float32' as const })),
      nodes: this.nodes.map((n) => ({ ...n, attrs: { ...n.attrs } })),
      consts: new Map(this.consts),
      opset: 13,
    };
  }

  // ---- internals ----

  private need(what: string): string {
    if (!this.cursor) throw new InvalidArgumentError(`${what}(): add an input layer first`);
    return this.cursor;
  }

  /** A layer's name: node and output value share it, so `dims` knows every name taken. */
  private name(given: string | undefined, base: string): string {
    if (given) {
      if (this.dims.has(given)) throw new LayerError(given, base, 'layer name already used');
      return given;
    }
    const n = (this.counters.get(base) ?? 0) + 1;
    this.counters.set(base, n);
    return `${base}${n}`;
  }

  private constant(name: string, dims: number[], data: Float32Array): string {
    this.consts.set(name, { dtype: 'float32', dims, data });
    this.dims.set(name, dims);
    return name;
  }

  private tensor(layer: string, op: string, what: string, given: ArrayLike<number> | undefined, n: number, scale: number): Float32Array {
    if (given) {
      if (given.length !== n) throw new LayerError(layer, op, `${what} has ${given.length} values, expected ${n}`);
      const a = Float32Array.from(given);
      if (a.some((v) => !Number.isFinite(v))) throw new LayerError(layer, op, `${what} contains a non-finite value`);
      return a;
    }
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = (this.rand() * 2 - 1) * scale;
    return a;
  }

  private pads(name: string, op: string, p: Padding | undefined, xd: number[], k: [number, number], s: [number, number], d: [number, number]): [number, number, number, number] {
    if (p === undefined || p === 'valid') return [0, 0, 0, 0];
    if (p === 'same') {
      const total = (i: number) => Math.max(0, (Math.ceil(xd[2 + i] / s[i]) - 1) * s[i] + d[i] * (k[i] - 1) + 1 - xd[2 + i]);
      const th = total(0), tw = total(1);
      return [Math.floor(th / 2), Math.floor(tw / 2), th - Math.floor(th / 2), tw - Math.floor(tw / 2)];
    }
    if (typeof p === 'number') return [p, p, p, p];
    if (Array.isArray(p) && p.length === 2) return [p[0], p[1], p[0], p[1]];
    if (Array.isArray(p) && p.length === 4) return [p[0], p[1], p[2], p[3]];
    throw new LayerError(name, op, `padding must be 'valid', 'same', a number, [ph, pw] or [top, left, bottom, right]`);
  }

  private pool(op: string, base: string, spec: PoolSpec): this {
    const x = this.need(base);
    const xd = this.dims.get(x)!;
    const name = this.name(spec.name, base);
    const kernel = pair(spec.kernel, 1);
    const strides = pair(spec.stride ?? spec.kernel, 1);
    const pads = this.pads(name, op, spec.padding, xd, kernel, strides, [1, 1]);
    if (pads.some((p, i) => p >= kernel[i % 2])) throw new LayerError(name, op, `padding [${pads.join(', ')}] must be smaller than the kernel ${kernel.join('x')}`);
    return this.add1(name, op, [x], { kernel, strides, pads, dilations: [1, 1], ceilMode: !!spec.ceilMode, countIncludePad: !!spec.countIncludePad });
  }

  /** A layer's `activation` option: its own node after the layer (the graph passes fuse it where the backend can). */
  private activation(layer: string, a: ActivationName | undefined): this {
    const act = toActivation(layer, a);
    return act ? this.add1(`${layer}.${a}`, act.op, [this.cursor!], act.attrs) : this;
  }

  private add1(name: string, op: string, inputs: string[], attrs: Record<string, any>): this {
    const node: Node = { name, op, inputs, outputs: [name], attrs };
    const [out] = inferNode(node, inputs.map((i) => this.dims.get(i)!));
    if (out.some((d) => d <= 0)) throw new LayerError(name, op, `output shape [${out.join(', ')}] is empty`);
    this.nodes.push(node);
    this.dims.set(name, out);
    this.cursor = name;
    return this;
  }
}

function toActivation(layer: string, a: ActivationName | undefined): { op: string; attrs: Record<string, number> } | undefined {
  switch (a) {
    case undefined: case 'none': return undefined;
    case 'relu': return { op: 'Relu', attrs: {} };
    case 'relu6': return { op: 'Clip', attrs: { min: 0, max: 6 } };
    case 'leakyRelu': return { op: 'LeakyRelu', attrs: { alpha: 0.01 } };
    case 'sigmoid': return { op: 'Sigmoid', attrs: {} };
    case 'tanh': return { op: 'Tanh', attrs: {} };
    case 'hardSigmoid': return { op: 'HardSigmoid', attrs: { alpha: 0.2, beta: 0.5 } };
    case 'hardSwish': return { op: 'HardSwish', attrs: {} };
    default: throw new LayerError(layer, 'activation', `unknown activation '${a}'`);
  }
}

export { size };
