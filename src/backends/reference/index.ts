// The reference backend: plain TypeScript, NCHW, float64 accumulation, no WebAssembly, no threads.
// Slow and exact: the oracle of the op-case tests, and a backend for engines without WebAssembly.
// It fuses nothing (so the passes leave activations and residual adds as their own nodes) and keeps
// every value dense: it runs the graph as the model wrote it, on the same memory plan as any backend
// (one ArrayBuffer arena, values at the planner's offsets).
import type { ConstTensor, Graph, Node } from '../../model/ir.js';
import { size } from '../../model/ir.js';
import type { MemoryPlan } from '../../plan/plan.js';
import { unknownValue } from '../../plan/plan.js';
import type { Backend, BackendKind, Capabilities, Executable, ExecutableReport } from '../backend.js';
import { outputArray } from '../backend.js';
import { refConv2d, refConvTranspose2d, refLocallyConnected2d } from './kernels/conv.js';
import { refGemm, refMatMul } from './kernels/gemm.js';
import { refBinary, refScaleShift, type RefOp } from './kernels/eltwise.js';
import { refPool, refGlobalPool } from './kernels/pool.js';
import { refResize } from './kernels/resize.js';
import { refLrn, refNormalize, refReduce, refSoftmaxLike, type RefReduceOp } from './kernels/reduce.js';
import { refTranspose } from './kernels/layout.js';
import { ACTIVATION_ATTRS, activationFn, fusedFn, identity } from '../../model/activation.js';
import { elementSource, forEachIndex } from '../../model/indexmap.js';
import { ResourceLimitError } from '../../errors.js';
import { axesFrom, softmaxAxes } from '../../model/axes.js';

const NONE = new Set<string>();
/** The largest arena the reference backend allocates (4 GiB, as the wasm memory). */
const MAX_ARENA_BYTES = 2 ** 32;

const CAPS: Capabilities = {
  activationProducers: NONE,
  fusableActivations: NONE,
  residualProducers: NONE,
  sliceWriters: NONE,
  sliceReaders: NONE,
  layout: () => 'dense',
  alignment: 16,
};

/** One node on NCHW arrays: its inputs (activations or constants, null when omitted) → its outputs. */
type RefOpFn = (node: Node, x: (Float32Array | null)[], dims: number[][], out: number[][]) => ArrayLike<number>[];

const f32 = (c: ConstTensor): Float32Array => (c.data instanceof Float32Array ? c.data : Float32Array.from(c.data as ArrayLike<number>));

const stridesOf = (d: readonly number[]): number[] => {
  const s = new Array(d.length).fill(1);
  for (let i = d.length - 2; i >= 0; i--) s[i] = s[i + 1] * d[i + 1];
  return s;
};

/** y[idx] = x[src(idx)] over every index of `out` dims (a gather), where src maps an output index to a flat input offset or -1 (→ fill). */
function gather(out: readonly number[], src: (idx: number[]) => number, x: ArrayLike<number>, fill = 0): Float32Array {
  const total = size(out as number[]);
  const y = new Float32Array(total);
  const idx = new Array(out.length).fill(0);
  for (let k = 0; k < total; k++) {
    const s = src(idx);
    y[k] = s < 0 ? fill : x[s];
    for (let d = out.length - 1; d >= 0; d--) { if (++idx[d] < out[d]) break; idx[d] = 0; }
  }
  return y;
}

const window = (op: 'max' | 'avg' | 'lp'): RefOpFn => (node, [x], [xd]) => {
  const a = node.attrs;
  return [refPool(x!, {
    kind: op, p: a.p, n: xd[0], c: xd[1], h: xd[2], w: xd[3], kh: a.kernel[0], kw: a.kernel[1], sh: a.strides[0], sw: a.strides[1],
    pads: a.pads, dh: a.dilations[0], dw: a.dilations[1], ceil: !!a.ceilMode, countIncludePad: !!a.countIncludePad,
  }).y];
};

const activation: RefOpFn = (node, [x]) => [Float64Array.from(x!, activationFn(node.op, node.attrs)!)];
const binary = (op: RefOp): RefOpFn => (node, [a, b], [ad, bd]) => [refBinary(op, a!, ad, b!, bd, identity).y];
const copy: RefOpFn = (_n, [x]) => [x!];

/** Data movement: each output element from the input element the operator's index map names (src/model/indexmap.ts). */
const indexMap: RefOpFn = (node, xs, dims, [yd]) => {
  const src = elementSource(node, dims, yd);
  const fill = node.op === 'Pad' && xs[1] ? xs[1][0] : node.attrs.value ?? 0; // Pad: a computed constant_value
  const y = new Float32Array(size(yd));
  forEachIndex(yd, (idx, k) => { const r = src(idx); y[k] = r ? xs[r[0]]![r[1]] : fill; });
  return [y];
};

/** Index into a parameter of dims `pd` broadcast (right-aligned) to `dims`, from a row-major index of `dims`. */
function broadcastIndex(dims: readonly number[], pd: readonly number[]): (k: number) => number {
  const st = stridesOf(pd);
  return (k) => {
    let at = 0;
    for (let d = dims.length - 1; d >= 0; d--) {
      const j = d - (dims.length - pd.length), i = k % dims[d];
      k = Math.floor(k / dims[d]);
      if (j >= 0 && pd[j] !== 1) at += i * st[j];
    }
    return at;
  };
}

const reduce: RefOpFn = (node, [x], [xd]) => [refReduce(node.op as RefReduceOp, x!, xd, new Set(node.attrs.axes))];
const softmaxLike: RefOpFn = (node, [x], [xd]) => {
  return [refSoftmaxLike(node.op as 'Softmax', x!, xd, softmaxAxes(node, xd.length))];
};

/** The reference backend's op registry: one NCHW function per planned operator. */
export const REFERENCE_OPS: Record<string, RefOpFn> = {
  Conv: (node, [x, w, b], [xd, wd]) => {
    const a = node.attrs;
    return [refConv2d(x!, w!, b ?? undefined, null, {
      n: xd[0], cin: xd[1], h: xd[2], w: xd[3], cout: wd[0], kh: a.kernel[0], kw: a.kernel[1],
      sh: a.strides[0], sw: a.strides[1], pads: a.pads, dh: a.dilations[0], dw: a.dilations[1], groups: a.groups,
    }, identity)];
  },
  ConvTranspose: (node, [x, w, b], [xd, wd], [yd]) => {
    const a = node.attrs;
    return [refConvTranspose2d(x!, w!, b ?? undefined, {
      n: xd[0], cin: xd[1], h: xd[2], w: xd[3], cout: yd[1], oh: yd[2], ow: yd[3], kh: wd[2], kw: wd[3],
      sh: a.strides[0], sw: a.strides[1], pt: a.pads[0], pl: a.pads[1], dh: a.dilations[0], dw: a.dilations[1], groups: a.groups,
    })];
  },
  LocallyConnected: (node, [x, w, b], [xd], [yd]) => {
    const a = node.attrs;
    return [refLocallyConnected2d(x!, w!, b ?? undefined, {
      n: xd[0], cin: xd[1], h: xd[2], w: xd[3], cout: yd[1], oh: yd[2], ow: yd[3], kh: a.kernel[0], kw: a.kernel[1],
      sh: a.strides[0], sw: a.strides[1], pt: a.pads[0], pl: a.pads[1], dh: a.dilations[0], dw: a.dilations[1],
    })];
  },
  Gemm: (node, [x, w, c], [xd, , cd], [yd]) => {
    const a = node.attrs, [m, n] = yd, k = a.transA ? xd[0] : xd[1];
    if (a.transA) x = refTranspose(x!, xd, [1, 0]).y;
    // as [n][k] rows scaled by alpha
    const wt = new Float32Array(n * k);
    for (let j = 0; j < n; j++) for (let kk = 0; kk < k; kk++) wt[j * k + kk] = (a.transB ? w![j * k + kk] : w![kk * n + j]) * a.alpha;
    const y = refGemm(x!, wt, undefined, null, m, k, n, identity);
    if (c) { const cb = refBinary('mul', c, cd, [a.beta], [], identity).y; return [refBinary('add', y, yd, cb, cd, identity).y]; }
    return [y];
  },
  MatMul: (_n, [a, b], [ad, bd], [yd]) => [refMatMul(a!, ad, b!, bd, yd)],
  MaxPool: window('max'),
  AveragePool: window('avg'),
  LpPool: window('lp'),
  GlobalLpPool: (n, [x], [xd]) => [refGlobalPool(x!, 'lp', xd[0], xd[1], xd[2], xd[3], n.attrs.p)],
  GlobalAveragePool: (_n, [x], [xd]) => [refGlobalPool(x!, 'avg', xd[0], xd[1], xd[2], xd[3])],
  GlobalMaxPool: (_n, [x], [xd]) => [refGlobalPool(x!, 'max', xd[0], xd[1], xd[2], xd[3])],
  ...Object.fromEntries(Object.keys(ACTIVATION_ATTRS).map((op) => [op, activation])),
  Add: binary('add'), Sub: binary('sub'), Mul: binary('mul'), Div: binary('div'),
  PRelu: binary('prelu'), Pow: binary('pow'), Min: binary('min'), Max: binary('max'),
  BatchNormalization: (node, [x, g, b, m, v], [xd]) => {
    const c = xd[1], eps = node.attrs.epsilon;
    const scale = new Float64Array(c), shift = new Float64Array(c);
    for (let i = 0; i < c; i++) { scale[i] = g![i] / Math.sqrt(v![i] + eps); shift[i] = b![i] - m![i] * scale[i]; }
    return [refScaleShift(x!, xd[0], c, size(xd.slice(2)), scale, shift, identity)];
  },
  Concat: (node, xs, ds, [yd]) => {
    const ax = node.attrs.axis, outer = size(yd.slice(0, ax)), y = new Float32Array(size(yd));
    let at = 0;
    for (let o = 0; o < outer; o++) {
      xs.forEach((x, i) => { const blk = size(ds[i].slice(ax)); y.set(x!.subarray(o * blk, (o + 1) * blk), at); at += blk; });
    }
    return [y];
  },
  Split: (node, [x], [xd], outs) => {
    const ax = node.attrs.axis, st = stridesOf(xd);
    let off = 0;
    return outs.map((od) => { const o0 = off; off += od[ax]; return gather(od, (idx) => idx.reduce((s, v, d) => s + (d === ax ? v + o0 : v) * st[d], 0), x!); });
  },
  Slice: (node, [x], [xd], [yd]) => {
    const a = node.attrs, st = stridesOf(xd);
    const map = xd.map((_, d) => { const k = (a.axes as number[]).indexOf(d); return k < 0 ? [0, 1] : [a.starts[k], a.steps[k]]; });
    return [gather(yd, (idx) => idx.reduce((s, v, d) => s + (map[d][0] + v * map[d][1]) * st[d], 0), x!)];
  },
  Flatten: copy, Reshape: copy,
  Transpose: (node, [x], [xd]) => [refTranspose(x!, xd, node.attrs.perm).y],
  Pad: indexMap, Expand: indexMap, Tile: indexMap, DepthToSpace: indexMap, SpaceToDepth: indexMap,
  Gather: indexMap, GatherElements: indexMap, Where: indexMap,
  Softmax: softmaxLike, LogSoftmax: softmaxLike, Hardmax: softmaxLike,
  ReduceMean: reduce, ReduceSum: reduce, ReduceMax: reduce, ReduceMin: reduce, ReduceProd: reduce, ReduceL1: reduce, ReduceL2: reduce,
  ReduceLogSum: reduce, ReduceLogSumExp: reduce, ReduceSumSquare: reduce,
  InstanceNormalization: (node, [x, g, b], [xd]) => {
    const inner = size(xd.slice(2)), ch = (o: number) => Math.floor(o / inner) % xd[1];
    return [refNormalize(x!, xd, axesFrom(2, xd.length), node.attrs.epsilon, false, (o) => g![ch(o)], (o) => b![ch(o)])];
  },
  LayerNormalization: (node, [x, g, b], [xd, gd, bd]) => {
    const ax = node.attrs.axis, norm = xd.slice(ax), n = size(norm);
    const gi = broadcastIndex(norm, gd), bi = b ? broadcastIndex(norm, bd) : () => 0;
    return [refNormalize(x!, xd, axesFrom(ax, xd.length), node.attrs.epsilon, false, (o) => g![gi(o % n)], (o) => (b ? b[bi(o % n)] : 0))];
  },
  GroupNormalization: (node, [x, g, b], [xd]) => {
    const { numGroups: G, perChannel, epsilon } = node.attrs, inner = size(xd.slice(2));
    // [N, C, ...] as [N, G, C/G, ...]: the same bytes, the group an axis of its own
    const gd = [xd[0], G, xd[1] / G, ...xd.slice(2)];
    const at = perChannel ? (o: number) => Math.floor(o / inner) % xd[1] : (o: number) => Math.floor(o / (inner * gd[2])) % G;
    return [refNormalize(x!, gd, axesFrom(2, gd.length), epsilon, false, (o) => g![at(o)], (o) => b![at(o)])];
  },
  MeanVarianceNormalization: (node, [x], [xd]) => [refNormalize(x!, xd, new Set(node.attrs.axes), 1e-9, true, () => 1, () => 0)],
  LRN: (node, [x], [xd]) => { const a = node.attrs; return [refLrn(x!, xd, a.size, a.alpha, a.beta, a.bias)]; },
  Resize: (node, [x], [xd], [yd]) => {
    const a = node.attrs;
    return [refResize(x!, { mode: a.mode, coordMode: a.coordMode, nearestMode: a.nearestMode, n: xd[0], c: xd[1], h: xd[2], w: xd[3], oh: yd[2], ow: yd[3], scaleH: a.scales[2], scaleW: a.scales[3], cubicCoeffA: a.cubicCoeffA, excludeOutside: a.excludeOutside,
      roiH: a.roi && [a.roi[2], a.roi[6]], roiW: a.roi && [a.roi[3], a.roi[7]], extrapolationValue: a.extrapolationValue })];
  },
};

export const referenceBackend: BackendKind = {
  name: 'reference',
  probe: async () => ({ ok: true }),
  create: async () => new ReferenceBackend(),
};

export class ReferenceBackend implements Backend {
  readonly name = 'reference' as const;
  readonly caps = CAPS;
  readonly threads = 1;
  readonly description = 'reference (plain TypeScript, NCHW, 1 thread)';

  supports(node: Node, dims: ReadonlyMap<string, number[]>): true | string {
    if (!REFERENCE_OPS[node.op]) return `operator ${node.op} has no reference kernel`;
    if (node.op === 'Resize') {
      const x = dims.get(node.inputs[0])!, y = dims.get(node.outputs[0])!;
      if (x.length !== 4 || x[0] !== y[0] || x[1] !== y[1]) return `resize supports the spatial axes of a 4-D tensor only; [${x.join(', ')}] → [${y.join(', ')}]`;
    }
    return true;
  }

  estimate(graph: Graph, _dims: ReadonlyMap<string, number[]>, plan: MemoryPlan): ExecutableReport {
    return { kernels: new Map(graph.nodes.map((n) => [n.name, [`ref_${n.op}`]])), constBytes: 0, memoryBytes: Math.ceil(plan.arenaBytes / 4) * 4 };
  }

  async compile(graph: Graph, dims: ReadonlyMap<string, number[]>, plan: MemoryPlan): Promise<Executable> {
    // a plain typed array: fail typed, not with a RangeError, past what one can hold
    if (plan.arenaBytes > MAX_ARENA_BYTES) throw new ResourceLimitError(`the reference backend's activation arena would need ${plan.arenaBytes} bytes (limit ${MAX_ARENA_BYTES})`);
    const arena = new Float32Array(Math.ceil(plan.arenaBytes / 4));
    const view = (name: string): Float32Array => {
      const v = plan.values.get(name)!;
      const at = v.buffer.offset / 4 + v.elemOffset;
      return arena.subarray(at, at + size(v.dims));
    };
    const constants = new Map<string, Float32Array>();
    for (const [name, c] of graph.consts) constants.set(name, f32(c));
    const steps = graph.nodes.map((node) => {
      const fn = REFERENCE_OPS[node.op];
      const inDims = node.inputs.map((i) => (i ? dims.get(i)! : []));
      const outs = node.outputs.filter((o) => o);
      const outDims = outs.map((o) => dims.get(o)!);
      const act = fusedFn(node.attrs.act);
      const run = () => {
        const xs = node.inputs.map((i) => (!i ? null : constants.get(i) ?? view(i)));
        const ys = fn(node, xs, inDims, outDims);
        outs.forEach((o, k) => {
          const y = view(o), r = node.attrs.residual && k === 0 ? xs[3] : null;
          const src = ys[k];
          for (let i = 0; i < y.length; i++) y[i] = act(src[i] + (r ? r[i] : 0));
        });
      };
      return { name: node.name, outs, run };
    });
    const write = (inputs: ReadonlyMap<string, Float32Array>) => { for (const [name, data] of inputs) view(name).set(data); };
    const outputs = (into?: ReadonlyMap<string, Float32Array>) => new Map(graph.outputs.map((o) => [o.name, outputArray(view(o.name), o.name, into)]));
    return {
      report: this.estimate(graph, dims, plan),
      async run(inputs, into) {
        write(inputs);
        for (const step of steps) step.run();
        return outputs(into);
      },
      async inspect(inputs, options) {
        const fetch = options.fetch ?? new Set<string>();
        for (const name of fetch) if (!plan.values.has(name)) throw unknownValue(name, plan.values.keys());
        write(inputs);
        const ms = new Map<string, number>(), fetched = new Map<string, Float32Array>();
        for (const i of graph.inputs) if (fetch.has(i.name)) fetched.set(i.name, view(i.name).slice());
        for (const step of steps) {
          const t0 = performance.now();
          step.run();
          if (options.time) ms.set(step.name, performance.now() - t0);
          for (const o of step.outs) if (fetch.has(o)) fetched.set(o, view(o).slice());
        }
        return { outputs: outputs(), ms, fetched };
      },
      release() { /* the arena is garbage-collected with the executable */ },
    };
  }

  async dispose(): Promise<void> { /* nothing beyond the executables */ }
}
