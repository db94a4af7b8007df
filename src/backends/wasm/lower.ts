// The wasm backend's op registry: per IR operator (ONNX semantics, NCHW logical dims) a support check
// (the configurations the kernels do not cover, said before anything is planned) and a lowering onto
// the NHWC/dense values the planner laid out, through the host side of a kernel family (kernels/*).
import { LayerError, UnsupportedError } from '../../errors.js';
import type { Step, NhwcRef, ConstWriter, Activation } from './kernels/types.js';
import { ActKind, NO_ACTIVATION } from './kernels/types.js';
import type { ConstTensor, FusedActivation, Graph, Node } from '../../model/ir.js';
import type { Value } from '../../plan/plan.js';
import type { ConstRegion } from './consts.js';
import { lowerConv2d, convWorkspaceBytes, convZeroBytes, type ConvShape } from './kernels/conv.js';
import { lowerGemm } from './kernels/gemm.js';
import { lowerMatMul, type MatMulOperand } from './kernels/matmul.js';
import { lowerConvTranspose } from './kernels/deconv.js';
import { lowerLocallyConnected } from './kernels/local.js';
import * as pool from './kernels/pool.js';
import * as elt from './kernels/eltwise.js';
import * as red from './kernels/reduce.js';
import * as lay from './kernels/layout.js';
import * as rs from './kernels/resize.js';
import { size } from '../../model/ir.js';
import { batchNormAffine } from '../../model/passes.js';
import { movesOf, physicalOffset, resolveCopy, tableEntries } from '../../model/indexmap.js';
import { normWalk, reducedOutputStrides, softmaxAxes } from '../../model/axes.js';

/** A planned value placed in linear memory: its buffer's offset is an absolute address. */
export const ptrOf = (v: Value): number => v.buffer.offset + v.elemOffset * 4;

export function nhwc(v: Value): NhwcRef {
  const [n, c, h, w] = v.dims;
  return { ptr: ptrOf(v), n, h, w, c, pixelStride: v.pixelStride };
}

/** How a program is lowered: the threads it runs on (default 1) and whether Winograd may be used (default true). */
export interface LowerOptions {
  threads?: number;
  winograd?: boolean;
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
  /** Absolute address of the node's scratch buffer (MemoryPlan.scratch), or null. */
  scratch: number | null;
  /** Threads the program runs on (kernels with per-item workspace size their items by it). */
  threads: number;
  /** Winograd where it pays (SessionOptions.winograd); false: direct convolutions only. */
  winograd: boolean;
  /** The program's kernel workspace (≥ `workspaceBytes(node)` of every node: Winograd's transformed tiles),
   * shared by the nodes: Steps run one at a time, so a kernel's workspace is dead once its Step ends. */
  workspace: number;
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

const convShape = (node: Node, w: ConstTensor): ConvShape => {
  const a = node.attrs;
  return { cout: w.dims[0], kernel: a.kernel, strides: a.strides, pads: a.pads, dilations: a.dilations, groups: a.groups };
};

const conv: Lowering = (ctx) => {
  const a = ctx.node.attrs;
  const w = ctx.consts[1];
  if (!w) fail(ctx, 'weights must be a constant initializer');
  const x = act(ctx);
  const y = ctx.outputs[0];
  const res = a.residual ? act(ctx, 3) : null;
  if (res && res.layout !== 'nhwc') fail(ctx, 'residual must be 4-D');
  return lowerConv2d({ ...convShape(ctx.node, w!), weights: f32(ctx, 1)!, bias: f32(ctx, 2), act: ctx.act },
    nhwc(x), nhwc(y), res ? nhwc(res) : null, ctx.cw, { threads: ctx.threads, workspace: ctx.workspace, winograd: ctx.winograd ? undefined : false });
};

/** Bytes of the shared zero buffer a node's padding reads beyond the widest tensor's pixel (0: none): a
 * row-tap convolution reads a kernel row of its few input channels. */
export function zeroBufferBytes(node: Node, graph: Graph, values: ReadonlyMap<string, Value>): number {
  if (node.op !== 'Conv') return 0;
  const w = graph.consts.get(node.inputs[1]);
  const x = values.get(node.inputs[0]);
  if (!w || !x || x.dims.length !== 4) return 0;
  return convZeroBytes(node.attrs.kernel, x.dims[1]);
}

/** Workspace bytes a node's Steps need while they run (the program reserves the largest once, at plan time). */
export function workspaceBytes(node: Node, graph: Graph, values: ReadonlyMap<string, Value>, opts: LowerOptions = {}): number {
  if (node.op !== 'Conv') return 0;
  const w = graph.consts.get(node.inputs[1]);
  const x = values.get(node.inputs[0]);
  if (!w || !x || x.dims.length !== 4) return 0;
  const [n, c, h, ww] = x.dims;
  return convWorkspaceBytes(convShape(node, w), { n, c, h, w: ww }, { threads: opts.threads ?? 1, winograd: opts.winograd === false ? false : undefined });
}

const convTranspose: Lowering = (ctx) => {
  const a = ctx.node.attrs;
  if (!ctx.consts[1]) fail(ctx, 'weights must be a constant initializer');
  return lowerConvTranspose({
    weights: f32(ctx, 1)!, bias: f32(ctx, 2), kernel: a.kernel, strides: a.strides, dilations: a.dilations,
    pads: a.pads, groups: a.groups, act: ctx.act,
  }, nhwc(act(ctx)), nhwc(ctx.outputs[0]), ctx.scratch ?? 0, ctx.cw);
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

/** Batched matrix product of run-time (or constant) operands of rank ≥ 2, batch dims broadcast: any layout, by strides. */
const matmul: Lowering = (ctx) => {
  const y = ctx.outputs[0];
  const r = y.dims.length, batch = y.dims.slice(0, -2);
  const operand = (v: Value | null, i: number): { dims: number[]; op: MatMulOperand } => {
    let dims: number[], ptr: number, st: number[];
    if (v) { dims = v.dims; ptr = ptrOf(v); st = physicalStrides(v); }
    else { const c = ctx.consts[i] ?? fail(ctx, `input ${i} is missing`); dims = c.dims; ptr = ctx.cw.f32(f32(ctx, i)!); st = denseStrides(c.dims); }
    const q = dims.length, off = batch.length - (q - 2);
    return { dims, op: { ptr, batchStrides: batch.map((_, k) => (k < off || dims[k - off] === 1 ? 0 : st[k - off])), rowStride: st[q - 2], colStride: st[q - 1] } };
  };
  const A = operand(ctx.inputs[0], 0), B = operand(ctx.inputs[1], 1), C = operand(y, -1);
  return lowerMatMul({ batch, m: y.dims[r - 2], k: A.dims[A.dims.length - 1], n: y.dims[r - 1], a: A.op, b: B.op, c: C.op }, ctx.cw);
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
  Elu: (a) => ({ kind: ActKind.Elu, p0: a.alpha ?? 1, p1: 0 }),
  Selu: (a) => ({ kind: ActKind.Selu, p0: a.alpha ?? 1.67326319217681884765625, p1: a.gamma ?? 1.05070102214813232421875 }),
  Celu: (a) => ({ kind: ActKind.Celu, p0: a.alpha ?? 1, p1: 0 }),
  ThresholdedRelu: (a) => ({ kind: ActKind.ThresholdedRelu, p0: a.alpha ?? 1, p1: 0 }),
  Gelu: (a) => ({ kind: a.approximate ? ActKind.GeluTanh : ActKind.Gelu, p0: 0, p1: 0 }),
  ...Object.fromEntries((['Erf', 'Softplus', 'Softsign', 'Mish', 'Silu', 'Exp', 'Log', 'Sqrt', 'Abs', 'Neg', 'Reciprocal', 'Floor', 'Ceil', 'Round', 'Sign'] as const)
    .map((op) => [op, () => ({ kind: ActKind[op], p0: 0, p1: 0 })])),
};

/** The activations the wasm epilogues compute (its Capabilities' fusableActivations). */
export const WASM_ACTIVATIONS: ReadonlySet<string> = new Set(Object.keys(ACTS));

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

const BINARY_OPS: Record<string, elt.BinaryOp> = { Add: 'add', Sub: 'sub', Mul: 'mul', Div: 'div', PRelu: 'prelu', Pow: 'pow', Min: 'min', Max: 'max' };

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
  const a = operand(0);
  let b = operand(1);
  let op = BINARY_OPS[ctx.node.op];
  // Pow by a constant 2: x·x, exact as onnxruntime's; by 0.5 (nothing fused, x contiguous): Sqrt
  const e = op === 'pow' && ctx.consts[1] && size(ctx.consts[1].dims) === 1 ? f32(ctx, 1)![0] : undefined;
  if (e === 2 && ctx.inputs[0]) { op = 'mul'; b = a; }
  if (e === 0.5 && ctx.inputs[0] && ctx.act.kind === ActKind.None && contiguous(ctx.inputs[0]) && size(ctx.inputs[0].dims) === size(y.dims)) {
    return elt.lowerActivation(ptrOf(ctx.inputs[0]), ptrOf(y), size(y.dims), { kind: ActKind.Sqrt, p0: 0, p1: 0 });
  }
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
  // NHWC → NHWC with other dims: y's logical element has no single stride pattern in x, so through
  // the dense NCHW order in the node's scratch buffer (reshapeScratchBytes): two strided copies
  if (ctx.scratch === null) return fail(ctx, 'internal: NHWC reshape without a scratch buffer');
  return [
    ...strided(ctx, x.dims, ptrOf(x), physicalStrides(x), ctx.scratch, denseStrides(x.dims)),
    ...strided(ctx, y.dims, ctx.scratch, denseStrides(y.dims), ptrOf(y), physicalStrides(y)),
  ];
};

/** A 4-D → 4-D Reshape/Flatten whose NHWC bytes differ (the planner cannot alias it) copies through a
 * dense buffer of the input's size. */
export function reshapeScratchBytes(node: Node, dims: ReadonlyMap<string, number[]>): number {
  if (node.op !== 'Reshape' && node.op !== 'Flatten') return 0;
  const x = dims.get(node.inputs[0]), y = dims.get(node.outputs[0]);
  if (!x || !y || x.length !== 4 || y.length !== 4 || x.every((d, i) => d === y[i])) return 0;
  // a 4-D value whose NHWC bytes are in NCHW order too (H = W = 1, or C = 1) reshapes by an alias or one copy
  const logical = (d: readonly number[]) => (d[2] === 1 && d[3] === 1) || d[1] === 1;
  return logical(x) && logical(y) ? 0 : size(x) * 4;
}

const transpose: Lowering = (ctx) => {
  const x = act(ctx);
  const y = ctx.outputs[0];
  const perm: number[] = ctx.node.attrs.perm;
  const xs = physicalStrides(x);
  return strided(ctx, y.dims, ptrOf(x), perm.map((p) => xs[p]), ptrOf(y), physicalStrides(y));
};

/** Softmax, LogSoftmax, Hardmax over one axis (opset 13) or the flattened trailing axes (legacy), any layout. */
const softmax: Lowering = (ctx) => {
  const x = act(ctx);
  const y = ctx.outputs[0];
  const reduced = softmaxAxes(ctx.node, x.dims.length);
  return red.lowerSoftmaxNd(ctx.node.op as 'Softmax', ptrOf(x), ptrOf(y), { dims: x.dims, reduced, x: physicalStrides(x), y: physicalStrides(y) }, ctx.cw);
};

/**
 * Data movement (Pad, Expand, Tile, DepthToSpace, SpaceToDepth, Gather, GatherElements, Where): the
 * operator's moves (src/model/indexmap.ts) over each value's physical strides (NHWC or dense) — strided
 * copies (a fill is a copy from one float with zero strides; Pad's borders copy from the output already
 * written) and, for maps with no stride pattern, one table gather per source.
 */
const indexMap: Lowering = (ctx) => {
  const y = ctx.outputs[0], node = ctx.node;
  const inDims = node.inputs.map((_, i) => ctx.inputs[i]?.dims ?? ctx.consts[i]?.dims ?? []);
  const entries = tableEntries(node, y.dims);
  if (entries) ctx.cw.reserve(entries * 8); // before the tables are built
  const placed = new Map<number | string, { ptr: number; strides: number[]; dims: number[] }>();
  const operand = (from: number | 'out' | 'value') => {
    let o = placed.get(from);
    if (o) return o;
    if (from === 'out') o = { ptr: ptrOf(y), strides: physicalStrides(y), dims: y.dims };
    else if (from === 'value') {
      const v = ctx.inputs[1]; // Pad: a computed constant_value, or the constant one
      o = v ? { ptr: ptrOf(v), strides: [], dims: [] } : { ptr: ctx.cw.f32(Float32Array.of(node.attrs.value ?? 0)), strides: [], dims: [] };
    } else {
      const v = ctx.inputs[from];
      o = v ? { ptr: ptrOf(v), strides: physicalStrides(v), dims: v.dims }
        : { ptr: ctx.cw.f32(f32(ctx, from) ?? fail(ctx, `input ${from} is missing`)), strides: denseStrides(inDims[from]), dims: inDims[from] };
    }
    placed.set(from, o);
    return o;
  };
  const ys = physicalStrides(y);
  const innerFirst = y.dims.map((_, k) => k).sort((p, q) => ys[p] - ys[q] || q - p);
  return movesOf(node, inDims, y.dims, innerFirst).flatMap((m) => {
    if (m.kind === 'copy' && m.from === 'value' && !ctx.inputs[1] && size(m.dims) === size(y.dims) && contiguous(y)) {
      return elt.lowerFill(ptrOf(y), size(y.dims), node.attrs.value ?? 0); // Pad's constant over the whole output
    }
    const src = operand(m.from);
    if (m.kind === 'table') {
      const t = new Int32Array(2 * m.srcIdx.length);
      for (let k = 0; k < m.srcIdx.length; k++) {
        t[2 * k] = physicalOffset(m.srcIdx[k], src.dims, src.strides);
        t[2 * k + 1] = physicalOffset(m.dstIdx[k], y.dims, ys);
      }
      return lay.lowerGatherTable(src.ptr, ptrOf(y), t, ctx.cw);
    }
    const r = resolveCopy(m, src.strides, ys);
    // a move's source and destination never overlap, so its order is free: the output's smallest
    // stride innermost (NHWC channels: memory.copy rows instead of a few floats per row)
    const order = r.dims.map((_, k) => k).sort((p, q) => Math.abs(r.dstStrides[q]) - Math.abs(r.dstStrides[p]) || Math.abs(r.srcStrides[q]) - Math.abs(r.srcStrides[p]));
    const pick = (v: number[]) => order.map((k) => v[k]);
    return strided(ctx, pick(r.dims), src.ptr + r.srcOffset * 4, pick(r.srcStrides), ptrOf(y) + r.dstOffset * 4, pick(r.dstStrides));
  });
};

/** Reduce* over any axes: y's strides per axis of x (0 on reduced axes; without keepdims the kept axes are y's axes in order). */
const reduce: Lowering = (ctx) => {
  const x = act(ctx);
  const y = ctx.outputs[0];
  const reduced = new Set<number>(ctx.node.attrs.axes);
  const op = ctx.node.op;
  if ((op === 'ReduceMean' || op === 'ReduceMax') && x.layout === 'nhwc' && reduced.size === 2 && reduced.has(2) && reduced.has(3)) {
    // the global-pool kernel: 16 channels per pass, 4 accumulators (3.5x f32_reduce's one chain of 4 lanes on 1280x7x7, bench/reduce.ts)
    const out = y.layout === 'nhwc' ? nhwc(y) : { ptr: ptrOf(y), n: x.dims[0], h: 1, w: 1, c: x.dims[1], pixelStride: x.dims[1] }; // [N, C] dense = NHWC [N,1,1,C]
    return pool.lowerGlobalPool(op === 'ReduceMean' ? 'avg' : 'max', nhwc(x), out, ctx.cw);
  }
  const yAxis = reducedOutputStrides(x.dims.length, reduced, !!ctx.node.attrs.keepdims, physicalStrides(y));
  return red.lowerReduce(op as red.ReduceOp, ptrOf(x), ptrOf(y), { dims: x.dims, reduced, x: physicalStrides(x), y: yAxis }, ctx.cw);
};

/** InstanceNormalization, LayerNormalization, GroupNormalization, MeanVarianceNormalization: moments and normalize per item. */
const normalize: Lowering = (ctx) => {
  const x = act(ctx);
  const y = ctx.outputs[0];
  const w = normWalk(ctx.node, x.dims, physicalStrides(x), physicalStrides(y), [1, 2].map((i) => ctx.consts[i]?.dims ?? null));
  const param = (use: boolean, i: number, dflt: number) => ctx.cw.f32(use ? f32(ctx, i)! : new Float32Array([dflt]));
  return red.lowerNormalize(ptrOf(x), ptrOf(y), w, param(w.scale, 1, 1), param(w.bias, 2, 0), w.eps, w.epsOutside, ctx.cw);
};

const lrn: Lowering = (ctx) => {
  const x = act(ctx);
  const y = ctx.outputs[0];
  const a = ctx.node.attrs;
  return red.lowerLrn(ptrOf(x), ptrOf(y), { dims: x.dims, reduced: new Set([1]), x: physicalStrides(x), y: physicalStrides(y) }, a.size, a.alpha, a.beta, a.bias, ctx.cw);
};

const resize: Lowering = (ctx) => {
  const x = act(ctx);
  const y = ctx.outputs[0];
  const a = ctx.node.attrs; // spatial axes of a 4-D tensor (CHECKS.Resize)
  return rs.lowerResize({ mode: a.mode, coordMode: a.coordMode, nearestMode: a.nearestMode, scales: a.scales, cubicCoeffA: a.cubicCoeffA, excludeOutside: a.excludeOutside, roi: a.roi, extrapolationValue: a.extrapolationValue }, nhwc(x), nhwc(y), ctx.cw);
};

type Check = (node: Node, dimsOf: (name: string) => number[], graph: Graph) => string | null;

const constWeights = (i: number, what: string): Check => (node, _d, g) =>
  (g.consts.has(node.inputs[i]) ? null : `${what} must be a constant initializer`);

/** The reduction and normalization kernels walk at most 4 kept and 4 reduced strided dims: any rank ≤ 8. */
const rankAtMost8: Check = (node, d) => {
  const r = d(node.inputs[0]).length;
  return r <= 8 ? null : `rank-${r} inputs are not supported (at most 8 dims)`;
};
const REDUCTIONS = ['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare'];
const NORMALIZATIONS = ['InstanceNormalization', 'LayerNormalization', 'GroupNormalization', 'MeanVarianceNormalization'];
const SOFTMAXES = ['Softmax', 'LogSoftmax', 'Hardmax'];

const CHECKS: Record<string, Check> = {
  ...Object.fromEntries([...REDUCTIONS, ...NORMALIZATIONS, ...SOFTMAXES, 'LRN'].map((op) => [op, rankAtMost8])),
  Conv: constWeights(1, 'weights'),
  // fold.ts leaves only transA = 0 and a constant B on Gemm (other forms become Transpose/MatMul/Add)
  ConvTranspose: constWeights(1, 'weights'),
  LocallyConnected: constWeights(1, 'weights'),
  Gemm: (node, d, g) => (node.attrs.transA ? 'transA=1 is not supported' : constWeights(1, 'weights (input B)')(node, d, g)),
  BatchNormalization: (node, d) => {
    const r = d(node.inputs[0]).length;
    return r === 2 || r === 4 ? null : `standalone batch-norm supports 2-D and 4-D inputs, got rank ${r}`;
  },
  Resize: (node, d) => {
    const x = d(node.inputs[0]), y = d(node.outputs[0]);
    return x.length === 4 && x[0] === y[0] && x[1] === y[1] ? null
      : `resize supports the spatial axes of a 4-D tensor only; [${x.join(', ')}] → [${y.join(', ')}]`;
  },
};

/** Operators whose every input may be a constant (the kernels read constants from the const region). */
const CONST_OPERANDS = new Set(['Add', 'Sub', 'Mul', 'Div', 'PRelu', 'Pow', 'Min', 'Max', 'Concat', 'Where', 'MatMul']);

/** True, or why the wasm kernels do not run this node. */
export function wasmSupports(node: Node, dimsOf: (name: string) => number[], graph: Graph): true | string {
  if (!WASM_OPS[node.op]) return `operator ${node.op} has no wasm kernel`;
  if (!CONST_OPERANDS.has(node.op) && graph.consts.has(node.inputs[0])) return 'input 0 must be computed at run time in this position (a constant is not supported here)';
  if (node.attrs.act && !ACTS[node.attrs.act.op]) return `fused activation ${node.attrs.act.op} has no wasm epilogue`;
  return CHECKS[node.op]?.(node, dimsOf, graph) ?? true;
}

export const WASM_OPS: Record<string, Lowering> = {
  Conv: conv, ConvTranspose: convTranspose, LocallyConnected: locallyConnected, Gemm: gemm, MatMul: matmul,
  MaxPool: window, AveragePool: window, LpPool: window, GlobalAveragePool: globalPool, GlobalMaxPool: globalPool,
  GlobalLpPool: (ctx) => pool.lowerGlobalLpPool(ctx.node.attrs.p, nhwc(act(ctx)), nhwc(ctx.outputs[0]), ctx.cw),
  ...Object.fromEntries(Object.keys(ACTS).filter((op) => op !== 'Silu').map((op) => [op, activation])),
  Add: binary, Sub: binary, Mul: binary, Div: binary, PRelu: binary, Pow: binary, Min: binary, Max: binary,
  BatchNormalization: batchNorm, Concat: concat, Split: split, Slice: slice,
  Flatten: reshape, Reshape: reshape, Transpose: transpose, Resize: resize,
  Pad: indexMap, Expand: indexMap, Tile: indexMap, DepthToSpace: indexMap, SpaceToDepth: indexMap,
  Gather: indexMap, GatherElements: indexMap, Where: indexMap,
  ...Object.fromEntries(REDUCTIONS.map((op) => [op, reduce])),
  ...Object.fromEntries(NORMALIZATIONS.map((op) => [op, normalize])),
  ...Object.fromEntries(SOFTMAXES.map((op) => [op, softmax])),
  LRN: lrn,
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

