// The wasm backend's op registry: per IR operator (ONNX semantics, NCHW logical dims) a support check
// (the configurations the kernels do not cover, said before anything is planned) and a lowering onto
// the NHWC/dense values the planner laid out, through the host side of a kernel family (kernels/*).
import { LayerError, UnsupportedError } from '../../errors.js';
import type { Step, NhwcRef, ConstWriter, Activation } from './kernels/types.js';
import { ActKind, NO_ACTIVATION } from './kernels/types.js';
import type { ConstTensor, FusedActivation, Graph, Node } from '../../model/ir.js';
import type { Value } from '../../plan/plan.js';
import type { ConstRegion } from './consts.js';
import { lowerConv2d } from './kernels/conv.js';
import { lowerGemm } from './kernels/gemm.js';
import { lowerConvTranspose } from './kernels/deconv.js';
import { lowerLocallyConnected } from './kernels/local.js';
import * as pool from './kernels/pool.js';
import * as elt from './kernels/eltwise.js';
import * as sm from './kernels/softmax.js';
import * as lay from './kernels/layout.js';
import * as rs from './kernels/resize.js';
import { size } from '../../model/ir.js';
import { batchNormAffine } from '../../model/passes.js';

/** A planned value placed in linear memory: its buffer's offset is an absolute address. */
export const ptrOf = (v: Value): number => v.buffer.offset + v.elemOffset * 4;

export function nhwc(v: Value): NhwcRef {
  const [n, c, h, w] = v.dims;
  return { ptr: ptrOf(v), n, h, w, c, pixelStride: v.pixelStride };
}

/** What lowering code sees. */
export interface LowerContext {
  node: Node;
  inputs: (Value | null)[];
  /** const inputs by position (null when the input is an activation or omitted) */
  consts: (ConstTensor | null)[];
  outputs: Value[];
  cw: ConstRegion;
  act: Activation;
  /** absolute address of the node's scratch buffer (plan.scratch), 0 when it has none */
  scratch: number;
}

type Lowering = (ctx: LowerContext) => Step[];

const f32 = (ctx: LowerContext, i: number): Float32Array | undefined => {
  const c = ctx.consts[i];
  if (!c) return undefined;
  return c.data instanceof Float32Array ? c.data : Float32Array.from(c.data as ArrayLike<number>);
};

const fail = (ctx: LowerContext, msg: string): never => { throw new LayerError(ctx.node.name, ctx.node.op, msg); };
/** A configuration of a supported operator that edgecnn does not implement (not a malformed model). */
const unsupported = (ctx: LowerContext, msg: string): never => { throw new UnsupportedError(`node '${ctx.node.name}' (${ctx.node.op}): ${msg}`); };

/** The activation input of position `i`, or a LayerError when it is a constant (not supported there). */
function act(ctx: LowerContext, i = 0): Value {
  const v = ctx.inputs[i];
  if (!v) unsupported(ctx, `input ${i} must be computed at run time in this position (a constant is not supported here)`);
  return v!;
}

/** The physical order of a value's logical axes: NHWC stores logical axis [0,1,2,3] at physical [0,3,1,2]. */
function physicalStrides(v: Value): number[] {
  if (v.layout === 'nhwc') {
    const [, c, h, w] = v.dims;
    const ps = v.pixelStride;
    return [h * w * ps, 1, w * ps, ps];
  }
  const s: number[] = new Array(v.dims.length);
  let acc = 1;
  for (let i = v.dims.length - 1; i >= 0; i--) { s[i] = acc; acc *= v.dims[i]; }
  return s;
}

const denseStrides = lay.denseStrides;

/** A strided copy (gather) from `x` to `y` of `dims` elements; strides in elements, per logical axis. */
function strided(ctx: LowerContext, dims: number[], src: number, srcStrides: number[], dst: number, dstStrides: number[]): Step[] {
  return lay.lowerStridedCopy({ dims, src, srcStrides, dst, dstStrides }, ctx.cw);
}

/** Copies a whole value into another of the same logical dims but possibly another layout. */
function relayout(ctx: LowerContext, x: Value, y: Value): Step[] {
  return strided(ctx, x.dims, ptrOf(x), physicalStrides(x), ptrOf(y), physicalStrides(y));
}

const conv: Lowering = (ctx) => {
  const a = ctx.node.attrs;
  const w = ctx.consts[1];
  if (!w) fail(ctx, 'weights must be a constant initializer');
  const x = act(ctx);
  const y = ctx.outputs[0];
  const res = a.residual ? act(ctx, 3) : null;
  if (res && res.layout !== 'nhwc') fail(ctx, 'residual must be 4-D');
  return lowerConv2d({
    weights: f32(ctx, 1)!,
    bias: f32(ctx, 2),
    cout: w!.dims[0],
    kernel: a.kernel,
    strides: a.strides,
    pads: a.pads,
    dilations: a.dilations,
    groups: a.groups,
    act: ctx.act,
  }, nhwc(x), nhwc(y), res ? nhwc(res) : null, ctx.cw);
};

const convTranspose: Lowering = (ctx) => {
  const a = ctx.node.attrs;
  if (!ctx.consts[1]) fail(ctx, 'weights must be a constant initializer');
  return lowerConvTranspose({
    weights: f32(ctx, 1)!, bias: f32(ctx, 2), kernel: a.kernel, strides: a.strides, dilations: a.dilations,
    pads: a.pads, groups: a.groups, act: ctx.act,
  }, nhwc(act(ctx)), nhwc(ctx.outputs[0]), ctx.scratch, ctx.cw);
};

const locallyConnected: Lowering = (ctx) => {
  const a = ctx.node.attrs;
  if (!ctx.consts[1]) fail(ctx, 'weights must be a constant');
  return lowerLocallyConnected({ weights: f32(ctx, 1)!, bias: f32(ctx, 2), kernel: a.kernel, strides: a.strides, pads: a.pads, dilations: a.dilations, act: ctx.act },
    nhwc(act(ctx)), nhwc(ctx.outputs[0]), ctx.cw);
};

const gemm: Lowering = (ctx) => {
  const a = ctx.node.attrs;
  const x = act(ctx);
  const y = ctx.outputs[0];
  const wc = ctx.consts[1];
  if (!wc) fail(ctx, 'weights (input B) must be a constant initializer');
  const [m, n] = y.dims;
  const k = x.dims[1];
  const raw = f32(ctx, 1)!;
  // Our GEMM takes W as [N][K] (row n = output n): ONNX transB=1 already is; transB=0 is [K][N].
  let wt = raw;
  if (!a.transB) {
    wt = new Float32Array(n * k);
    for (let kk = 0; kk < k; kk++) for (let j = 0; j < n; j++) wt[j * k + kk] = raw[kk * n + j];
  }
  if (a.alpha !== 1) wt = wt.map((v) => v * a.alpha);
  let bias: Float32Array | undefined;
  const c = f32(ctx, 2);
  if (c) {
    bias = new Float32Array(n);
    for (let j = 0; j < n; j++) bias[j] = (c.length === 1 ? c[0] : c[j]) * a.beta;
  }
  const res = a.residual ? act(ctx, 3) : null;
  return lowerGemm({ weights: wt, bias, k, n, act: ctx.act },
    { ptr: ptrOf(x), rows: m, stride: k }, { ptr: ptrOf(y), stride: n },
    res ? { ptr: ptrOf(res), stride: n } : null, ctx.cw);
};

const window: Lowering = (ctx) => {
  const a = ctx.node.attrs;
  const x = act(ctx);
  return pool.lowerPool({
    kind: ctx.node.op === 'MaxPool' ? 'max' : ctx.node.op === 'LpPool' ? 'lp' : 'avg', p: a.p,
    kernel: a.kernel, strides: a.strides, pads: a.pads, dilations: a.dilations,
    ceilMode: !!a.ceilMode, countIncludePad: !!a.countIncludePad,
  }, nhwc(x), nhwc(ctx.outputs[0]), ctx.cw);
};

const globalPool: Lowering = (ctx) => {
  const x = act(ctx);
  return pool.lowerGlobalPool(ctx.node.op === 'GlobalMaxPool' ? 'max' : 'avg', nhwc(x), nhwc(ctx.outputs[0]), ctx.cw);
};

/** Dense (contiguous) view requirement for element-wise kernels. */
function contiguous(v: Value): boolean {
  return v.layout === 'dense' || v.pixelStride === v.dims[1];
}

/** Epilogue codes (assembly/activation.ts) of the activation operators, from their attributes. */
const ACTS: Record<string, (a: Record<string, number>) => Activation> = {
  Relu: () => ({ kind: ActKind.Relu, p0: 0, p1: 0 }),
  Clip: (a) => ({ kind: ActKind.Clip, p0: a.min ?? -Infinity, p1: a.max ?? Infinity }),
  LeakyRelu: (a) => ({ kind: ActKind.LeakyRelu, p0: a.alpha ?? 0.01, p1: 0 }),
  Sigmoid: () => ({ kind: ActKind.Sigmoid, p0: 0, p1: 0 }),
  Tanh: () => ({ kind: ActKind.Tanh, p0: 0, p1: 0 }),
  HardSigmoid: (a) => ({ kind: ActKind.HardSigmoid, p0: a.alpha ?? 0.2, p1: a.beta ?? 0.5 }),
  HardSwish: () => ({ kind: ActKind.HardSwish, p0: 0, p1: 0 }),
};

/** The ABI form of a fused activation (IR: operator and attributes). */
export function toActivation(f: FusedActivation | undefined): Activation {
  return f ? ACTS[f.op](f.attrs) : NO_ACTIVATION;
}

const activation: Lowering = (ctx) => {
  const x = act(ctx);
  const y = ctx.outputs[0];
  if (!contiguous(x)) fail(ctx, 'internal: activation over a strided view');
  return elt.lowerActivation(ptrOf(x), ptrOf(y), size(x.dims), ACTS[ctx.node.op](ctx.node.attrs));
};

/** Broadcasting binary op over physical strides; constants are laid out dense NCHW in the const region. */
const binary: Lowering = (ctx) => {
  const y = ctx.outputs[0];
  const rank = y.dims.length;
  const operand = (i: number): { ptr: number; strides: number[] } => {
    const v = ctx.inputs[i];
    const c = ctx.consts[i];
    let dims: number[], ptr: number, strides: number[];
    if (v) { dims = v.dims; ptr = ptrOf(v); strides = physicalStrides(v); }
    else if (c) { dims = c.dims; ptr = ctx.cw.f32(f32(ctx, i)!); strides = denseStrides(c.dims); }
    else return fail(ctx, `input ${i} is missing`);
    // align to the output rank, broadcast dims get stride 0
    const out: number[] = [];
    for (let k = 0; k < rank; k++) {
      const j = k - (rank - dims.length);
      out.push(j < 0 || dims[j] === 1 ? 0 : strides[j]);
    }
    return { ptr, strides: out };
  };
  const a = operand(0), b = operand(1);
  const op = ({ Add: 'add', Sub: 'sub', Mul: 'mul', Div: 'div' } as const)[ctx.node.op as 'Add']!;
  const ys = physicalStrides(y);
  // iterate in the output's physical order so the innermost loop is contiguous
  const order = y.layout === 'nhwc' ? [0, 2, 3, 1] : [...Array(rank).keys()];
  const pick = (s: number[]) => order.map((i) => s[i]);
  return elt.lowerBinary({
    op, act: ctx.act,
    dims: pick(y.dims), a: a.ptr, aStrides: pick(a.strides), b: b.ptr, bStrides: pick(b.strides),
    y: ptrOf(y), yStrides: pick(ys),
  }, ctx.cw);
};

const batchNorm: Lowering = (ctx) => {
  const x = act(ctx);
  const y = ctx.outputs[0];
  const eps = ctx.node.attrs.epsilon ?? 1e-5;
  const [g, b, m, v] = [1, 2, 3, 4].map((i) => f32(ctx, i) ?? fail(ctx, `parameter ${i} must be constant`));
  const c = x.dims[1];
  const { scale, shift } = batchNormAffine(g, b, m, v, eps, c);
  if (x.layout === 'nhwc') return elt.lowerScaleShift(nhwc(x), nhwc(y), scale, shift, ctx.act, ctx.cw);
  // [N, C] rows are pixels of a 1x1 NHWC image
  const rows = (v: Value) => ({ ptr: ptrOf(v), n: x.dims[0], h: 1, w: 1, c, pixelStride: c });
  return elt.lowerScaleShift(rows(x), rows(y), scale, shift, ctx.act, ctx.cw);
};

/** Copies along one logical axis: concat (many → one) and split/slice (one → many) share this. */
function axisCopy(ctx: LowerContext, src: Value, dst: Value, axis: number, srcStart: number, dstStart: number, count: number, step = 1): Step[] {
  const ss = physicalStrides(src), ds = physicalStrides(dst);
  const dims = src.dims.slice();
  dims[axis] = count;
  const srcPtr = ptrOf(src) + srcStart * ss[axis] * 4;
  const dstPtr = ptrOf(dst) + dstStart * ds[axis] * 4;
  const srcStrides = ss.slice();
  srcStrides[axis] *= step;
  return strided(ctx, dims, srcPtr, srcStrides, dstPtr, ds);
}

const concat: Lowering = (ctx) => {
  const y = ctx.outputs[0];
  const axis = ctx.node.attrs.axis;
  const steps: Step[] = [];
  let at = 0;
  ctx.node.inputs.forEach((_, i) => {
    const v = ctx.inputs[i];
    if (v && v.buffer === y.buffer && axis === 1 && v.elemOffset === y.elemOffset + at) {
      at += v.dims[axis]; // its producer wrote it in place (zero-copy concat, see plan.ts)
    } else if (v) {
      steps.push(...axisCopy(ctx, v, y, axis, 0, at, v.dims[axis]));
      at += v.dims[axis];
    } else {
      const c = ctx.consts[i]!;
      const tmp = ctx.cw.f32(f32(ctx, i)!);
      const dims = c.dims;
      const ds = physicalStrides(y);
      steps.push(...strided(ctx, dims, tmp, denseStrides(dims), ptrOf(y) + at * ds[axis] * 4, ds));
      at += dims[axis];
    }
  });
  return steps;
};

const split: Lowering = (ctx) => {
  const x = act(ctx);
  const axis = ctx.node.attrs.axis;
  let at = 0;
  return ctx.outputs.flatMap((y) => {
    const s = axisCopy(ctx, x, y, axis, at, 0, y.dims[axis]);
    at += y.dims[axis];
    return s;
  });
};

const slice: Lowering = (ctx) => {
  const x = act(ctx);
  const y = ctx.outputs[0];
  const a = ctx.node.attrs;
  const xs = physicalStrides(x);
  let src = ptrOf(x);
  const srcStrides = xs.slice();
  (a.axes as number[]).forEach((ax, i) => {
    src += a.starts[i] * xs[ax] * 4;
    srcStrides[ax] = xs[ax] * a.steps[i];
  });
  if (size(y.dims) === 0) return [];
  return strided(ctx, y.dims, src, srcStrides, ptrOf(y), physicalStrides(y));
};

/** Reshape/Flatten: free when the planner aliased the buffers; otherwise through logical (NCHW) order. */
const reshape: Lowering = (ctx) => {
  const x = act(ctx);
  const y = ctx.outputs[0];
  if (x.buffer === y.buffer && x.elemOffset === y.elemOffset) return [];
  // y's logical element i is x's logical element i: walk y in logical order, read x at the
  // matching logical index. When x is NHWC and y dense, that is NHWC → NCHW order.
  if (y.layout === 'dense') return strided(ctx, x.dims, ptrOf(x), physicalStrides(x), ptrOf(y), denseStrides(x.dims));
  if (x.layout === 'dense') return strided(ctx, y.dims, ptrOf(x), denseStrides(y.dims), ptrOf(y), physicalStrides(y));
  // NHWC → NHWC with the same dims (Identity kept for a graph output): a copy
  if (x.dims.every((d, i) => d === y.dims[i])) return relayout(ctx, x, y);
  // NHWC → NHWC with other dims: the source index of y's logical element is a dense NCHW index of
  // x, which has no single stride pattern in general (refused by the check below).
  return unsupported(ctx, reshapeReason(x.dims, y.dims)!);
};

const transpose: Lowering = (ctx) => {
  const x = act(ctx);
  const y = ctx.outputs[0];
  const perm: number[] = ctx.node.attrs.perm;
  const xs = physicalStrides(x);
  return strided(ctx, y.dims, ptrOf(x), perm.map((p) => xs[p]), ptrOf(y), physicalStrides(y));
};

const softmax: Lowering = (ctx) => {
  const x = act(ctx);
  const y = ctx.outputs[0];
  const a = ctx.node.attrs;
  // over one contiguous last physical axis (CHECKS.Softmax): the dense last axis, or C in NHWC
  const n = a.legacy ? size(x.dims.slice(a.axis)) : x.dims[a.axis];
  const rows = size(x.dims) / n;
  return sm.lowerSoftmax(ptrOf(x), ptrOf(y), rows, n);
};

const pad: Lowering = (ctx) => {
  const x = act(ctx);
  const y = ctx.outputs[0];
  const pads: number[] = ctx.node.attrs.pads;
  const r = x.dims.length;
  const steps = elt.lowerFill(ptrOf(y), size(y.dims), ctx.node.attrs.value ?? 0);
  const ys = physicalStrides(y);
  let dst = ptrOf(y);
  for (let i = 0; i < r; i++) dst += pads[i] * ys[i] * 4;
  return steps.concat(strided(ctx, x.dims, ptrOf(x), physicalStrides(x), dst, ys));
};

const reduceMean: Lowering = (ctx) => {
  const x = act(ctx);
  const y = ctx.outputs[0]; // over the spatial axes of a 4-D tensor (CHECKS.ReduceMean)
  if (y.layout === 'nhwc') return pool.lowerGlobalPool('avg', nhwc(x), nhwc(y), ctx.cw);
  // keepdims = 0: [N, C] dense has the same bytes as NHWC [N,1,1,C]
  return pool.lowerGlobalPool('avg', nhwc(x), { ptr: ptrOf(y), n: x.dims[0], h: 1, w: 1, c: x.dims[1], pixelStride: x.dims[1] }, ctx.cw);
};

const resize: Lowering = (ctx) => {
  const x = act(ctx);
  const y = ctx.outputs[0];
  const a = ctx.node.attrs; // spatial axes of a 4-D tensor (CHECKS.Resize)
  return rs.lowerResize({ mode: a.mode, coordMode: a.coordMode, nearestMode: a.nearestMode, scales: a.scales }, nhwc(x), nhwc(y), ctx.cw);
};

const reshapeReason = (x: readonly number[], y: readonly number[]): string | null => {
  if (x.length !== 4 || y.length !== 4 || x.every((d, i) => d === y[i])) return null;
  // a 4-D value whose NHWC bytes are in NCHW order too (H = W = 1, or C = 1) reshapes for free
  const logical = (d: readonly number[]) => (d[2] === 1 && d[3] === 1) || d[1] === 1;
  return logical(x) && logical(y) ? null : `reshape between 4-D shapes [${x.join(', ')}] → [${y.join(', ')}] is not supported`;
};

type Check = (node: Node, dimsOf: (name: string) => number[], graph: Graph) => string | null;

const constWeights = (i: number, what: string): Check => (node, _d, g) =>
  (g.consts.has(node.inputs[i]) ? null : `${what} must be a constant initializer`);

const CHECKS: Record<string, Check> = {
  Conv: constWeights(1, 'weights'),
  ConvTranspose: constWeights(1, 'weights'),
  LocallyConnected: constWeights(1, 'weights'),
  Gemm: (node, d, g) => (node.attrs.transA ? 'transA=1 is not supported' : constWeights(1, 'weights (input B)')(node, d, g)),
  BatchNormalization: (node, d) => {
    const r = d(node.inputs[0]).length;
    return r === 2 || r === 4 ? null : `standalone batch-norm supports 2-D and 4-D inputs, got rank ${r}`;
  },
  Reshape: (node, d) => reshapeReason(d(node.inputs[0]), d(node.outputs[0])),
  Flatten: (node, d) => reshapeReason(d(node.inputs[0]), d(node.outputs[0])),
  Softmax: (node, d) => {
    const x = d(node.inputs[0]), { axis, legacy } = node.attrs;
    if (x.length === 4) {
      if (axis !== 1) return `softmax over axis ${axis} of a [${x.join(', ')}] tensor is not supported (only the channel or last axis)`;
      if (legacy && !(x[2] === 1 && x[3] === 1)) return 'legacy (opset < 13) softmax over a 4-D tensor with spatial size is not supported';
      return null;
    }
    return legacy || axis === x.length - 1 ? null : `softmax over axis ${axis} of a [${x.join(', ')}] tensor is not supported (only the channel or last axis)`;
  },
  Pad: (node) => ((node.attrs.pads as number[]).some((p) => p < 0) ? 'negative pads (cropping) are not supported' : null),
  ReduceMean: (node, d) => {
    const x = d(node.inputs[0]), axes = [...node.attrs.axes].sort();
    return x.length === 4 && axes.length === 2 && axes[0] === 2 && axes[1] === 3 ? null
      : `ReduceMean over axes [${axes.join(', ')}] of a rank-${x.length} tensor is not supported (only the spatial axes [2, 3] of a 4-D tensor)`;
  },
  Resize: (node, d) => {
    const x = d(node.inputs[0]), y = d(node.outputs[0]);
    return x.length === 4 && x[0] === y[0] && x[1] === y[1] ? null
      : `resize supports the spatial axes of a 4-D tensor only; [${x.join(', ')}] → [${y.join(', ')}]`;
  },
};

/** Operators whose every input may be a constant (the kernels read constants from the const region). */
const CONST_OPERANDS = new Set(['Add', 'Sub', 'Mul', 'Div', 'Concat']);

/** True, or why the wasm kernels do not run this node. */
export function wasmSupports(node: Node, dimsOf: (name: string) => number[], graph: Graph): true | string {
  if (!WASM_OPS[node.op]) return `operator ${node.op} has no wasm kernel`;
  if (!CONST_OPERANDS.has(node.op) && graph.consts.has(node.inputs[0])) return 'input 0 must be computed at run time in this position (a constant is not supported here)';
  if (node.attrs.act && !ACTS[node.attrs.act.op]) return `fused activation ${node.attrs.act.op} has no wasm epilogue`;
  return CHECKS[node.op]?.(node, dimsOf, graph) ?? true;
}

export const WASM_OPS: Record<string, Lowering> = {
  Conv: conv, ConvTranspose: convTranspose, LocallyConnected: locallyConnected, Gemm: gemm,
  MaxPool: window, AveragePool: window, LpPool: window, GlobalAveragePool: globalPool, GlobalMaxPool: globalPool,
  GlobalLpPool: (ctx) => pool.lowerGlobalLpPool(ctx.node.attrs.p, nhwc(act(ctx)), nhwc(ctx.outputs[0]), ctx.cw),
  Relu: activation, Clip: activation, LeakyRelu: activation, Sigmoid: activation, Tanh: activation,
  HardSigmoid: activation, HardSwish: activation,
  Add: binary, Sub: binary, Mul: binary, Div: binary,
  BatchNormalization: batchNorm, Concat: concat, Split: split, Slice: slice,
  Flatten: reshape, Reshape: reshape, Transpose: transpose, Softmax: softmax, Pad: pad,
  ReduceMean: reduceMean, Resize: resize,
};

export function lowerNode(ctx: LowerContext): Step[] {
  const f = WASM_OPS[ctx.node.op];
  if (!f) throw new UnsupportedError(`node '${ctx.node.name}' (${ctx.node.op}): operator ${ctx.node.op} has no wasm kernel`);
  return f(ctx);
}

/** NCHW staging ↔ NHWC value transforms at the graph boundary. */
export function lowerLayout(dir: 'nchw_to_nhwc' | 'nhwc_to_nchw', dense: number, t: NhwcRef, cw: ConstWriter): Step[] {
  return dir === 'nchw_to_nhwc' ? lay.lowerNchwToNhwc(dense, t, cw) : lay.lowerNhwcToNchw(t, dense, cw);
}

