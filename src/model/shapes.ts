// Shape inference for planned operators, with errors that name the node. Spatial output size per
// axis: floor((in + padBegin + padEnd - dilation*(k-1) - 1) / stride) + 1 — the seed's
// (W − F + 2P)/S + 1 with dilation and asymmetric padding; ceil instead of floor in pooling's ceil mode.
import { LayerError } from '../errors.js';
import type { Dims, Node } from './ir.js';
import { size } from './ir.js';

/**
 * Output length of one spatial axis of a sliding window (convolution, pooling; ONNX and PyTorch rules):
 * q = (in + padBegin + padEnd - dilation*(k-1) - 1) / stride; out = floor(q) + 1, or ceil(q) + 1 in ceil
 * mode, where a last window that would start inside the end padding is dropped. The seed's
 * (W − F + 2P)/S + 1 with dilation, asymmetric padding and ceil mode.
 */
export function windowOutputSize(input: number, kernel: number, stride: number, padBegin: number, padEnd: number, dilation = 1, ceilMode = false): number {
  const q = (input + padBegin + padEnd - dilation * (kernel - 1) - 1) / stride;
  let out = (ceilMode ? Math.ceil(q) : Math.floor(q)) + 1;
  if (ceilMode && (out - 1) * stride >= input + padBegin) out--;
  return out;
}

const fmt = (d: readonly number[]) => d.join('x');

/** Output length of one spatial axis; throws when the window does not fit the padded input. */
export function windowOutput(node: Node, axis: string, input: number, k: number, stride: number, padBegin: number, padEnd: number, dilation: number, ceil = false): number {
  const span = dilation * (k - 1) + 1;
  const padded = input + padBegin + padEnd;
  if (span > padded) {
    throw new LayerError(node.name, node.op, `kernel ${span} (${axis}, with dilation ${dilation}) larger than padded input ${padded} (input ${input} + pads ${padBegin}+${padEnd})`);
  }
  return windowOutputSize(input, k, stride, padBegin, padEnd, dilation, ceil);
}

function checkPositive(node: Node, what: string, values: readonly number[], allowZero = false): void {
  for (const v of values) {
    if (!Number.isInteger(v) || (allowZero ? v < 0 : v <= 0)) {
      throw new LayerError(node.name, node.op, `${what} must be ${allowZero ? 'non-negative' : 'positive'} integers, got [${values.join(', ')}]`);
    }
  }
}

function spatial(node: Node, x: Dims, a: any, ceil = false): [number, number] {
  if (x.length !== 4) throw new LayerError(node.name, node.op, `expects a 4-D NCHW input, got shape [${x.join(', ')}]`);
  checkPositive(node, 'kernel', a.kernel);
  checkPositive(node, 'strides', a.strides);
  checkPositive(node, 'dilations', a.dilations);
  checkPositive(node, 'pads', a.pads, true);
  const [t, l, b, r] = a.pads;
  return [
    windowOutput(node, 'height', x[2], a.kernel[0], a.strides[0], t, b, a.dilations[0], ceil),
    windowOutput(node, 'width', x[3], a.kernel[1], a.strides[1], l, r, a.dilations[1], ceil),
  ];
}

/** Numpy broadcasting of two shapes. */
export function broadcast(node: Node, a: Dims, b: Dims): Dims {
  const n = Math.max(a.length, b.length);
  const out: Dims = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1, db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new LayerError(node.name, node.op, `cannot broadcast shapes [${a.join(', ')}] and [${b.join(', ')}]`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

function axisOf(node: Node, axis: number, rank: number): number {
  const ax = axis < 0 ? axis + rank : axis;
  if (!(ax >= 0 && ax < rank)) throw new LayerError(node.name, node.op, `axis ${axis} out of range for rank ${rank}`);
  return ax;
}

/** Output dims of a node from its input dims (constants included); throws LayerError naming the node. */
export type ShapeRule = (node: Node, inputs: Dims[]) => Dims[];

export const convShape: ShapeRule = (node, inputs) => {
  const a = node.attrs;
  const x = inputs[0];
  const w = inputs[1];
  if (!w || w.length !== 4) throw new LayerError(node.name, node.op, `weights must be 4-D OIHW, got [${(w ?? []).join(', ')}]`);
  if (x.length !== 4) throw new LayerError(node.name, node.op, `expects a 4-D NCHW input, got shape [${x.join(', ')}]`);
  const g = a.groups;
  checkPositive(node, 'groups', [g]);
  if (x[1] <= 0) throw new LayerError(node.name, node.op, `input has ${x[1]} channels`);
  if (w[0] <= 0) throw new LayerError(node.name, node.op, `output channels must be positive, got ${w[0]}`);
  if (x[1] % g !== 0 || w[0] % g !== 0) {
    throw new LayerError(node.name, node.op, `groups ${g} must divide input channels ${x[1]} and output channels ${w[0]}`);
  }
  if (w[1] * g !== x[1]) {
    throw new LayerError(node.name, node.op, `weights [${w.join(', ')}] expect ${w[1] * g} input channels (groups ${g}), input has ${x[1]}`);
  }
  if (w[2] !== a.kernel[0] || w[3] !== a.kernel[1]) {
    throw new LayerError(node.name, node.op, `kernel ${fmt(a.kernel)} does not match weights [${w.join(', ')}]`);
  }
  const b = inputs[2];
  if (b && b.length && size(b) !== w[0]) throw new LayerError(node.name, node.op, `bias has ${size(b)} elements, expected ${w[0]}`);
  const [oh, ow] = spatial(node, x, a);
  const out = [x[0], w[0], oh, ow];
  if (a.residual && size(inputs[3]) !== size(out)) throw new LayerError(node.name, node.op, `residual shape [${inputs[3].join(', ')}] differs from output [${out.join(', ')}]`);
  return [out];
};

/**
 * ConvTranspose: per spatial axis out = S·(in − 1) + ((F − 1)·D + 1) − P_begin − P_end, where the planned
 * node's end pad already holds − output_padding (folding resolves output_padding, output_shape and auto_pad
 * into pads; an end pad may be negative). W is [C_in, C_out / groups, kh, kw].
 */
export const convTransposeShape: ShapeRule = (node, inputs) => {
  const a = node.attrs;
  const x = inputs[0];
  const w = inputs[1];
  if (!w || w.length !== 4) throw new LayerError(node.name, node.op, `weights must be 4-D [C_in, C_out/groups, kh, kw], got [${(w ?? []).join(', ')}]`);
  if (x.length !== 4) throw new LayerError(node.name, node.op, `expects a 4-D NCHW input, got shape [${x.join(', ')}]`);
  const g = a.groups;
  checkPositive(node, 'groups', [g]);
  checkPositive(node, 'kernel', a.kernel);
  checkPositive(node, 'strides', a.strides);
  checkPositive(node, 'dilations', a.dilations);
  checkPositive(node, 'begin pads', [a.pads[0], a.pads[1]], true);
  if (w[0] !== x[1]) throw new LayerError(node.name, node.op, `weights [${w.join(', ')}] expect ${w[0]} input channels, input has ${x[1]}`);
  if (x[1] % g !== 0) throw new LayerError(node.name, node.op, `groups ${g} must divide input channels ${x[1]}`);
  if (w[2] !== a.kernel[0] || w[3] !== a.kernel[1]) throw new LayerError(node.name, node.op, `kernel ${fmt(a.kernel)} does not match weights [${w.join(', ')}]`);
  const cout = w[1] * g;
  const b = inputs[2];
  if (b && b.length && size(b) !== cout) throw new LayerError(node.name, node.op, `bias has ${size(b)} elements, expected ${cout}`);
  const out = [x[0], cout, 0, 0];
  for (let i = 0; i < 2; i++) {
    out[2 + i] = a.strides[i] * (x[2 + i] - 1) + (a.kernel[i] - 1) * a.dilations[i] + 1 - a.pads[i] - a.pads[i + 2];
    if (out[2 + i] <= 0) throw new LayerError(node.name, node.op, `pads [${a.pads.join(', ')}] leave no output along ${i ? 'width' : 'height'} (input ${x[2 + i]})`);
  }
  return [out];
};

/** One phase of one axis of a transposed convolution (the sub-pixel decomposition, used by the wasm
 * lowering and by the 3-D rewrite): output positions r + q·s for q < count; taps (kernel index, input offset:
 * input index = q + offset); an empty tap list means no kernel tap reaches these positions. */
export interface AxisPhase { r: number; count: number; taps: { k: number; offset: number }[] }

/** The phases of one axis of a transposed convolution (output length `out`, input length `inp`). */
export function axisPhases(out: number, inp: number, k: number, s: number, d: number, padBegin: number): AxisPhase[] {
  const phases: AxisPhase[] = [];
  for (let r = 0; r < Math.min(s, out); r++) {
    const taps: AxisPhase['taps'] = [];
    for (let t = 0; t < k; t++) {
      const num = r + padBegin - t * d;
      if (((num % s) + s) % s !== 0) continue;
      const offset = num / s;
      // taps that never land inside the input for any q of this phase contribute nothing
      const count = Math.ceil((out - r) / s);
      if (offset + count - 1 < 0 || offset >= inp) continue;
      taps.push({ k: t, offset });
    }
    phases.push({ r, count: Math.ceil((out - r) / s), taps });
  }
  return phases;
}

/**
 * LocallyConnected (layer builder only): a convolution with its own weights at every output position.
 * W [OH, OW, C_out, C_in, kh, kw] with OH, OW the usual window output size; bias [OH, OW, C_out].
 */
export const locallyConnectedShape: ShapeRule = (node, inputs) => {
  const a = node.attrs;
  const x = inputs[0], w = inputs[1];
  if (!w || w.length !== 6) throw new LayerError(node.name, node.op, `weights must be 6-D [OH, OW, C_out, C_in, kh, kw], got [${(w ?? []).join(', ')}]`);
  const [oh, ow] = spatial(node, x, a);
  if (w[0] !== oh || w[1] !== ow) throw new LayerError(node.name, node.op, `weights [${w.join(', ')}] are for ${w[0]}x${w[1]} output positions, the output is ${oh}x${ow}`);
  if (w[3] !== x[1]) throw new LayerError(node.name, node.op, `weights [${w.join(', ')}] expect ${w[3]} input channels, input has ${x[1]}`);
  if (w[4] !== a.kernel[0] || w[5] !== a.kernel[1]) throw new LayerError(node.name, node.op, `kernel ${fmt(a.kernel)} does not match weights [${w.join(', ')}]`);
  if (w[2] <= 0) throw new LayerError(node.name, node.op, `output channels must be positive, got ${w[2]}`);
  const b = inputs[2];
  if (b && b.length && size(b) !== oh * ow * w[2]) throw new LayerError(node.name, node.op, `bias has ${size(b)} elements, expected ${oh}x${ow}x${w[2]}`);
  return [[x[0], w[2], oh, ow]];
};

export const gemmShape: ShapeRule = (node, inputs) => {
  const a = node.attrs;
  const x = inputs[0];
  const w = inputs[1];
  if (x.length !== 2) throw new LayerError(node.name, node.op, `expects a 2-D input, got [${x.join(', ')}]`);
  const [m, kx] = a.transA ? [x[1], x[0]] : [x[0], x[1]];
  const [k, n] = a.transB ? [w[1], w[0]] : [w[0], w[1]];
  if (w.length !== 2 || k !== kx) throw new LayerError(node.name, node.op, `B [${w.join(', ')}] (transB=${a.transB ? 1 : 0}) does not fit A [${x.join(', ')}] (transA=${a.transA ? 1 : 0})`);
  const c = inputs[2];
  if (c && c.length && size(c) !== n && size(c) !== 1) throw new LayerError(node.name, node.op, `bias has ${size(c)} elements, expected ${n}`);
  return [[m, n]];
};

/** Planned MatMul: operands of rank ≥ 2 (the loader reshapes 1-D ones), [..., M, K] · [..., K, N], batch dims broadcast. */
export const matmulShape: ShapeRule = (node, inputs) => {
  const [a, b] = inputs;
  if (a.length < 2 || b.length < 2) throw new LayerError(node.name, node.op, `expects operands of rank ≥ 2, got [${a.join(', ')}] and [${b.join(', ')}]`);
  if (a[a.length - 1] !== b[b.length - 2]) throw new LayerError(node.name, node.op, `cannot multiply [${a.join(', ')}] by [${b.join(', ')}]`);
  return [[...broadcast(node, a.slice(0, -2), b.slice(0, -2)), a[a.length - 2], b[b.length - 1]]];
};

export const poolShape: ShapeRule = (node, inputs) => {
  const a = node.attrs;
  const x = inputs[0];
  const [oh, ow] = spatial(node, x, a, !!a.ceilMode);
  return [[x[0], x[1], oh, ow]];
};

export const globalPoolShape: ShapeRule = (node, inputs) => {
  const a = node.attrs;
  const x = inputs[0];
  if (x.length !== 4) throw new LayerError(node.name, node.op, `expects a 4-D NCHW input, got [${x.join(', ')}]`);
  if (x[2] * x[3] <= 0) throw new LayerError(node.name, node.op, `input [${x.join(', ')}] has no pixels`);
  return [[x[0], x[1], 1, 1]];
};

export const sameShape: ShapeRule = (node, inputs) => {
  const x = inputs[0];
  return [x.slice()];
};

export const batchNormalizationShape: ShapeRule = (node, inputs) => {
  const x = inputs[0];
  if (x.length < 2) throw new LayerError(node.name, node.op, `expects at least 2-D input, got [${x.join(', ')}]`);
  for (let i = 1; i < 5; i++) if (size(inputs[i]) !== x[1]) throw new LayerError(node.name, node.op, `parameter ${i} has ${size(inputs[i])} elements, expected ${x[1]} channels`);
  return [x.slice()];
};

export const binaryShape: ShapeRule = (node, inputs) => {
  const x = inputs[0];
  return [broadcast(node, x, inputs[1])];
};

/** PRelu: the slope broadcasts to X (unidirectionally): the output is X's shape. */
export const preluShape: ShapeRule = (node, inputs) => {
  const x = inputs[0], y = broadcast(node, x, inputs[1]);
  if (y.length !== x.length || y.some((d, i) => d !== x[i])) throw new LayerError(node.name, node.op, `slope [${inputs[1].join(', ')}] does not broadcast to the input [${x.join(', ')}]`);
  return [y];
};

export const concatShape: ShapeRule = (node, inputs) => {
  const a = node.attrs;
  const x = inputs[0];
  const ax = axisOf(node, a.axis, x.length);
  const out = x.slice();
  out[ax] = 0;
  for (const d of inputs) {
    if (d.length !== x.length || d.some((v, i) => i !== ax && v !== x[i])) {
      throw new LayerError(node.name, node.op, `inputs [${inputs.map((s) => s.join('x')).join('], [')}] differ outside axis ${ax}`);
    }
    out[ax] += d[ax];
  }
  return [out];
};

export const splitShape: ShapeRule = (node, inputs) => {
  const a = node.attrs;
  const x = inputs[0];
  const ax = axisOf(node, a.axis, x.length);
  const total = (a.split as number[]).reduce((s, v) => s + v, 0);
  if (total !== x[ax]) throw new LayerError(node.name, node.op, `split sizes [${a.split.join(', ')}] do not sum to ${x[ax]}`);
  return (a.split as number[]).map((s) => { const d = x.slice(); d[ax] = s; return d; });
};

export const sliceShape: ShapeRule = (node, inputs) => {
  const a = node.attrs;
  const x = inputs[0];
  const out = x.slice();
  (a.axes as number[]).forEach((ax, i) => {
    const s = a.steps[i], st = a.starts[i], en = a.ends[i];
    out[ax] = Math.max(0, Math.ceil((en - st) / s));
  });
  return [out];
};

export const flattenShape: ShapeRule = (node, inputs) => {
  const a = node.attrs;
  const x = inputs[0];
  const ax = axisOf(node, a.axis, x.length + 1);
  return [[size(x.slice(0, ax)), size(x.slice(ax))]];
};

export const reshapeShape: ShapeRule = (node, inputs) => {
  const a = node.attrs;
  const x = inputs[0];
  if (size(a.shape) !== size(x)) throw new LayerError(node.name, node.op, `cannot reshape [${x.join(', ')}] to [${a.shape.join(', ')}]`);
  return [a.shape.slice()];
};

export const transposeShape: ShapeRule = (node, inputs) => {
  const a = node.attrs;
  const x = inputs[0];
  if (a.perm.length !== x.length) throw new LayerError(node.name, node.op, `perm [${a.perm.join(', ')}] does not match rank ${x.length}`);
  return [a.perm.map((p: number) => x[p])];
};

export const softmaxShape: ShapeRule = (node, inputs) => {
  const a = node.attrs;
  const x = inputs[0];
  axisOf(node, a.axis, x.length);
  return [x.slice()];
};

export const padShape: ShapeRule = (node, inputs) => {
  const a = node.attrs;
  const x = inputs[0];
  const r = x.length;
  if (a.pads.length !== 2 * r) throw new LayerError(node.name, node.op, `pads has ${a.pads.length} values, expected ${2 * r}`);
  const out = x.map((d, i) => d + a.pads[i] + a.pads[i + r]);
  if (out.some((d, i) => d < 0 || a.pads[i] < -x[i] || a.pads[i + r] < -x[i])) throw new LayerError(node.name, node.op, `pads [${a.pads.join(', ')}] crop more than the input [${x.join(', ')}]`);
  return [out];
};

/** Reduce*: the reduced axes dropped, or kept as 1 with keepdims. */
export const reduceShape: ShapeRule = (node, inputs) => {
  const a = node.attrs;
  const x = inputs[0];
  const axes = new Set((a.axes as number[]).map((ax) => axisOf(node, ax, x.length)));
  const out: Dims = [];
  x.forEach((d, i) => { if (!axes.has(i)) out.push(d); else if (a.keepdims) out.push(1); });
  return [out];
};

export const resizeShape: ShapeRule = (node, inputs) => {
  const a = node.attrs;
  const x = inputs[0];
  if (a.sizes.length !== x.length) throw new LayerError(node.name, node.op, `sizes [${a.sizes.join(', ')}] do not match rank ${x.length}`);
  return [a.sizes.slice()];
};

// ---- data movement (index maps: src/model/indexmap.ts); attributes resolved at folding ----

export const expandShape: ShapeRule = (node, inputs) => [broadcast(node, inputs[0], node.attrs.shape)];

export const tileShape: ShapeRule = (node, inputs) => {
  const x = inputs[0], rep: number[] = node.attrs.repeats;
  if (rep.length !== x.length) throw new LayerError(node.name, node.op, `repeats [${rep.join(', ')}] do not match rank ${x.length}`);
  checkPositive(node, 'repeats', rep, true);
  return [x.map((d, i) => d * rep[i])];
};

function blocks(node: Node, x: Dims): number {
  const b = node.attrs.blocksize;
  if (x.length !== 4) throw new LayerError(node.name, node.op, `expects a 4-D NCHW input, got shape [${x.join(', ')}]`);
  checkPositive(node, 'blocksize', [b]);
  return b;
}

export const depthToSpaceShape: ShapeRule = (node, inputs) => {
  const x = inputs[0], b = blocks(node, x);
  if (x[1] % (b * b)) throw new LayerError(node.name, node.op, `channels ${x[1]} are not a multiple of blocksize² = ${b * b}`);
  return [[x[0], x[1] / (b * b), x[2] * b, x[3] * b]];
};

export const spaceToDepthShape: ShapeRule = (node, inputs) => {
  const x = inputs[0], b = blocks(node, x);
  if (x[2] % b || x[3] % b) throw new LayerError(node.name, node.op, `height ${x[2]} and width ${x[3]} must be multiples of blocksize ${b}`);
  return [[x[0], x[1] * b * b, x[2] / b, x[3] / b]];
};

export const gatherShape: ShapeRule = (node, inputs) => {
  const x = inputs[0], ax = axisOf(node, node.attrs.axis, x.length);
  return [[...x.slice(0, ax), ...node.attrs.indicesDims, ...x.slice(ax + 1)]];
};

export const gatherElementsShape: ShapeRule = (node, inputs) => {
  const x = inputs[0], ax = axisOf(node, node.attrs.axis, x.length), d: number[] = node.attrs.indicesDims;
  if (d.length !== x.length || d.some((v, i) => i !== ax && v > x[i])) throw new LayerError(node.name, node.op, `indices of shape [${d.join(', ')}] do not fit data of shape [${x.join(', ')}] (axis ${ax})`);
  return [d.slice()];
};

export const whereShape: ShapeRule = (node, inputs) => [broadcast(node, broadcast(node, node.attrs.condDims, inputs[0]), inputs[1])];
/** Whether `p` broadcasts (numpy, right-aligned) to `to` without growing it. */
const broadcastsTo = (p: Dims, to: Dims): boolean => p.length <= to.length && p.every((d, i) => d === 1 || d === to[to.length - p.length + i]);

export const instanceNormShape: ShapeRule = (node, inputs) => {
  const x = inputs[0];
  if (x.length < 3) throw new LayerError(node.name, node.op, `expects an input of rank 3 or more, got [${x.join(', ')}]`);
  for (const i of [1, 2]) if (size(inputs[i]) !== x[1]) throw new LayerError(node.name, node.op, `input ${i} has ${size(inputs[i])} elements, expected ${x[1]} channels`);
  return [x.slice()];
};

export const layerNormShape: ShapeRule = (node, inputs) => {
  const x = inputs[0];
  const ax = axisOf(node, node.attrs.axis, x.length);
  for (const i of [1, 2]) {
    if (inputs[i] && !broadcastsTo(inputs[i], x.slice(ax))) throw new LayerError(node.name, node.op, `input ${i} [${inputs[i].join(', ')}] does not broadcast to the normalized shape [${x.slice(ax).join(', ')}]`);
  }
  return [x.slice()];
};

export const groupNormShape: ShapeRule = (node, inputs) => {
  const x = inputs[0], g = node.attrs.numGroups;
  if (x.length < 3) throw new LayerError(node.name, node.op, `expects an input of rank 3 or more, got [${x.join(', ')}]`);
  if (!(g > 0) || x[1] % g !== 0) throw new LayerError(node.name, node.op, `num_groups ${g} does not divide the ${x[1]} channels`);
  const want = node.attrs.perChannel ? x[1] : g;
  for (const i of [1, 2]) if (size(inputs[i]) !== want) throw new LayerError(node.name, node.op, `input ${i} has ${size(inputs[i])} elements, expected ${want} (${node.attrs.perChannel ? 'channels' : 'groups'})`);
  return [x.slice()];
};

export const lrnShape: ShapeRule = (node, inputs) => {
  const x = inputs[0];
  if (x.length < 3) throw new LayerError(node.name, node.op, `expects an input of rank 3 or more, got [${x.join(', ')}]`);
  if (!(node.attrs.size >= 1)) throw new LayerError(node.name, node.op, `size must be positive, got ${node.attrs.size}`);
  return [x.slice()];
};
