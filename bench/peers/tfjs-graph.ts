// The tfjs-backend-wasm peer's graph executor, browser-safe (no node: imports): edgecnn's folded ONNX
// graph run with tfjs-core ops in NHWC. See bench/peers/tfjs.ts (the Node entry and the check against
// onnxruntime-node); bench/size.ts bundles this file into the tfjs browser app.
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { loadOnnx } from '../../src/model/onnx/loader.js';
import { bindAndFold } from '../../src/model/fold.js';
import { optimize } from '../../src/model/passes.js';
import type { ConstTensor, Graph, Node } from '../../src/model/ir.js';

let ready: Promise<void> | null = null;
/** Selects the wasm backend, its files under `wasmPrefix` (a URL or path ending in '/'), with `threads` threads (1: no worker pool). */
export function initTfjsWasm(wasmPrefix: string, threads = 1): Promise<void> {
  ready ??= (async () => {
    setThreadsCount(threads);
    setWasmPaths(wasmPrefix);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not initialize');
    await tf.ready();
  })();
  return ready;
}

export interface TfjsSession {
  run(feeds: Record<string, Float32Array>): Promise<Record<string, Float32Array>>;
  dispose(): void;
  /** tf ops per run (fused where tfjs fuses). */
  readonly steps: number;
}

type V = { t: tf.Tensor; nhwc: boolean };
type Step = (v: Map<string, V>) => void;

const NCHW_TO_NHWC = [0, 2, 3, 1], NHWC_TO_NCHW = [0, 3, 1, 2];
const AXIS_TO_NHWC = [0, 3, 1, 2]; // logical NCHW axis → NHWC axis

/** Creates a tfjs session for an ONNX model at fixed input shapes. */
export async function createTfjsSession(bytes: Uint8Array, inputDims: Record<string, number[]>): Promise<TfjsSession> {
  await tf.ready(); // initTfjsWasm first
  const folded = bindAndFold(loadOnnx(bytes), inputDims);
  const dims = folded.dims;
  const g: Graph = optimize(folded.graph, dims);
  const held: tf.Tensor[] = []; // weights, converted once
  const hold = <T extends tf.Tensor>(t: T) => { held.push(t); return t; };
  const c = (name: string): ConstTensor | undefined => g.consts.get(name);
  const f32 = (k: ConstTensor) => Float32Array.from(k.data as ArrayLike<number>);

  const users = new Map<string, Node[]>();
  for (const n of g.nodes) for (const i of n.inputs) if (i) users.set(i, [...(users.get(i) ?? []), n]);
  const outputs = new Set(g.outputs.map((o) => o.name));
  const absorbed = new Set<Node>();

  /** The activation node following `n` that tfjs fuses into it, if any. */
  const fusable = (n: Node): { act: tf.fused.Activation; alpha?: number; node: Node } | null => {
    const o = n.outputs[0];
    const u = users.get(o);
    if (outputs.has(o) || !u || u.length !== 1) return null;
    const a = u[0];
    if (a.op === 'Relu') return { act: 'relu', node: a };
    if (a.op === 'Clip' && a.attrs.min === 0 && a.attrs.max === 6) return { act: 'relu6', node: a };
    if (a.op === 'Sigmoid') return { act: 'sigmoid', node: a };
    if (a.op === 'LeakyRelu') return { act: 'leakyrelu', alpha: a.attrs.alpha, node: a };
    return null;
  };

  // get a value as a tensor: activations as stored, consts as tensors in the layout the other operand has
  const constCache = new Map<string, tf.Tensor>();
  const constAs = (name: string, nhwc: boolean): tf.Tensor => {
    const key = name + (nhwc ? '#nhwc' : '');
    let t = constCache.get(key);
    if (!t) {
      const k = c(name)!;
      let d = k.dims.slice();
      if (nhwc) {
        while (d.length < 4) d.unshift(1);
        t = tf.tidy(() => tf.transpose(tf.tensor(f32(k), d), NCHW_TO_NHWC));
      } else t = tf.tensor(f32(k), d);
      constCache.set(key, hold(t));
    }
    return t;
  };
  const logical = (x: V): tf.Tensor => (x.nhwc ? tf.transpose(x.t, NHWC_TO_NCHW) : x.t);
  const fromLogical = (t: tf.Tensor): V => (t.rank === 4 ? { t: tf.transpose(t, NCHW_TO_NHWC), nhwc: true } : { t, nhwc: false });

  const steps: Step[] = [];
  for (const n of g.nodes) {
    if (absorbed.has(n)) continue;
    const [x0, x1] = n.inputs;
    const out = n.outputs[0];
    const a = n.attrs;
    const outDims = dims.get(out)!;
    const unary = (fn: (t: tf.Tensor) => tf.Tensor) => steps.push((v) => { const x = v.get(x0)!; v.set(out, { t: fn(x.t), nhwc: x.nhwc }); });
    switch (n.op) {
      case 'Conv': {
        if (a.residual || a.act) throw new Error(`tfjs peer: ${n.name} arrives fused`);
        const W = c(x1)!, [O, Ig, kh, kw] = W.dims, groups: number = a.groups, C = Ig * groups;
        const [t, l, b, r] = a.pads as number[];
        const f = fusable(n);
        if (f) absorbed.add(f.node);
        const dst = f ? f.node.outputs[0] : out;
        const bias = n.inputs[2] ? hold(tf.tensor1d(f32(c(n.inputs[2])!))) : undefined;
        const strides = a.strides as [number, number], dilations = a.dilations as [number, number];
        const depthwise = groups === C && Ig === 1 && groups > 1;
        const sym = t === b && l === r && t === l;
        const explicit: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [t, b], [l, r], [0, 0]];
        const padNeeded = !sym && depthwise; // fused depthwise takes 'valid' | 'same' | number only
        const pad = sym ? t : padNeeded ? 0 : explicit;
        const prePad = (x: tf.Tensor4D) => (padNeeded ? tf.pad(x, explicit) : x);
        const common = { strides, dilations, bias, activation: f?.act ?? 'linear', leakyreluAlpha: f?.alpha } as const;
        if (groups === 1) {
          const filter = hold(tf.tidy(() => tf.transpose(tf.tensor4d(f32(W), [O, Ig, kh, kw]), [2, 3, 1, 0]))) as tf.Tensor4D; // OIHW → HWIO
          steps.push((v) => v.set(dst, { t: tf.fused.conv2d({ x: v.get(x0)!.t as tf.Tensor4D, filter, pad, ...common }), nhwc: true }));
        } else if (depthwise) {
          const mult = O / C;
          const filter = hold(tf.tidy(() => tf.transpose(tf.tensor4d(f32(W), [C, mult, kh, kw]), [2, 3, 0, 1]))) as tf.Tensor4D; // → [kh,kw,C,mult]
          steps.push((v) => v.set(dst, { t: tf.fused.depthwiseConv2d({ x: prePad(v.get(x0)!.t as tf.Tensor4D), filter, pad: pad as number, ...common }), nhwc: true }));
        } else {
          // grouped: one conv per group (what tfjs-converter emits for TF's grouped convolutions)
          const Og = O / groups;
          const filters = Array.from({ length: groups }, (_, gi) => hold(tf.tidy(() => tf.transpose(tf.tensor4d(f32(W).subarray(gi * Og * Ig * kh * kw, (gi + 1) * Og * Ig * kh * kw), [Og, Ig, kh, kw]), [2, 3, 1, 0]))) as tf.Tensor4D);
          const biases = bias ? tf.split(bias, groups).map(hold) : [];
          steps.push((v) => {
            const parts = tf.split(v.get(x0)!.t, groups, 3) as tf.Tensor4D[];
            v.set(dst, { t: tf.concat(parts.map((p, gi) => tf.fused.conv2d({ x: p, filter: filters[gi], pad, ...common, bias: biases[gi] })), 3), nhwc: true });
          });
        }
        break;
      }
      case 'Gemm': {
        if (a.transA) throw new Error('tfjs peer: Gemm transA');
        const B = c(x1)!, [K0, N0] = B.dims;
        const [K, N] = a.transB ? [N0, K0] : [K0, N0];
        const b = hold(tf.tidy(() => { let m = tf.tensor2d(f32(B), [K0, N0]); if (a.transB) m = tf.transpose(m); return a.alpha === 1 ? m : tf.mul(m, a.alpha); })) as tf.Tensor2D;
        let bias: tf.Tensor | undefined;
        if (n.inputs[2]) {
          const C = c(n.inputs[2])!;
          const cd = f32(C);
          const vec = new Float32Array(N).map((_, j) => a.beta * (cd.length === 1 ? cd[0] : cd[j]));
          if (cd.length !== 1 && cd.length !== N) throw new Error('tfjs peer: Gemm C must broadcast to [N]');
          bias = hold(tf.tensor1d(vec));
        }
        const f = fusable(n);
        if (f) absorbed.add(f.node);
        const dst = f ? f.node.outputs[0] : out;
        void K;
        steps.push((v) => v.set(dst, { t: tf.fused.matMul({ a: v.get(x0)!.t as tf.Tensor2D, b, bias, activation: f?.act ?? 'linear', leakyreluAlpha: f?.alpha }), nhwc: false }));
        break;
      }
      case 'Relu': unary((t) => tf.relu(t)); break;
      case 'Clip':
        if (a.min === 0 && a.max === 6) unary((t) => tf.relu6(t));
        else if (a.min === 0 && a.max === Infinity) unary((t) => tf.relu(t));
        else unary((t) => tf.clipByValue(t, Math.max(a.min, -3.4e38), Math.min(a.max, 3.4e38)));
        break;
      case 'Sigmoid': unary((t) => tf.sigmoid(t)); break;
      case 'Tanh': unary((t) => tf.tanh(t)); break;
      case 'LeakyRelu': unary((t) => tf.leakyRelu(t, a.alpha)); break;
      case 'HardSigmoid': unary((t) => tf.clipByValue(tf.add(tf.mul(t, a.alpha), a.beta), 0, 1)); break;
      case 'HardSwish': unary((t) => tf.mul(t, tf.clipByValue(tf.add(tf.mul(t, 1 / 6), 0.5), 0, 1))); break;
      case 'Add': case 'Sub': case 'Mul': case 'Div': {
        const fn = { Add: tf.add, Sub: tf.sub, Mul: tf.mul, Div: tf.div }[n.op]!;
        const nhwc = outDims.length === 4; // activations are NHWC exactly when 4-D
        for (const i of [x0, x1]) if (!g.consts.has(i) && (dims.get(i)!.length === 4) !== nhwc) throw new Error(`tfjs peer: ${n.name} broadcasts a lower-rank activation to 4-D`);
        const k0 = g.consts.has(x0) ? constAs(x0, nhwc) : null, k1 = g.consts.has(x1) ? constAs(x1, nhwc) : null;
        steps.push((v) => v.set(out, { t: fn(k0 ?? v.get(x0)!.t, k1 ?? v.get(x1)!.t), nhwc }));
        break;
      }
      case 'BatchNormalization': {
        const [s, bb, m, vr] = n.inputs.slice(1).map((i) => f32(c(i)!));
        const scale = s.map((x, i) => x / Math.sqrt(vr[i] + a.epsilon)), shift = bb.map((x, i) => x - m[i] * scale[i]);
        const ts = hold(tf.tensor1d(scale)), tb = hold(tf.tensor1d(shift));
        steps.push((v) => { const x = v.get(x0)!; if (!x.nhwc) throw new Error('tfjs peer: BatchNormalization on a non-4-D value'); v.set(out, { t: tf.add(tf.mul(x.t, ts), tb), nhwc: true }); });
        break;
      }
      case 'MaxPool': case 'AveragePool': {
        const [kh, kw] = a.kernel, [sh, sw] = a.strides;
        if (a.dilations.some((d: number) => d !== 1)) throw new Error('tfjs peer: dilated pooling');
        const [t, l, b, r] = a.pads as number[];
        const [, , H, W] = dims.get(x0)!, [, , OH, OW] = outDims;
        // ceil mode: extend the bottom/right pad so the valid pooling yields ONNX's output size
        const eb = Math.max(0, (OH - 1) * sh + kh - (H + t + b)), er = Math.max(0, (OW - 1) * sw + kw - (W + l + r));
        const padding: [number, number][] = [[0, 0], [t, b + eb], [l, r + er], [0, 0]];
        const any = padding.some(([p, q]) => p || q);
        if (n.op === 'MaxPool') {
          steps.push((v) => { const x = v.get(x0)!.t as tf.Tensor4D; v.set(out, { t: tf.maxPool(any ? tf.pad(x, padding, -3.4e38) : x, [kh, kw], [sh, sw], 'valid'), nhwc: true }); });
        } else {
          if (any && !(a.countIncludePad && eb === 0 && er === 0)) throw new Error('tfjs peer: padded AveragePool excluding the pad');
          steps.push((v) => { const x = v.get(x0)!.t as tf.Tensor4D; v.set(out, { t: tf.avgPool(any ? tf.pad(x, padding) : x, [kh, kw], [sh, sw], 'valid'), nhwc: true }); });
        }
        break;
      }
      case 'GlobalAveragePool': steps.push((v) => v.set(out, { t: tf.mean(v.get(x0)!.t, [1, 2], true), nhwc: true })); break;
      case 'GlobalMaxPool': steps.push((v) => v.set(out, { t: tf.max(v.get(x0)!.t, [1, 2], true), nhwc: true })); break;
      case 'Concat': {
        const nhwc = outDims.length === 4;
        const axis = nhwc ? AXIS_TO_NHWC[a.axis] : a.axis;
        const ks = n.inputs.map((i) => (g.consts.has(i) ? constAs(i, nhwc) : null));
        steps.push((v) => v.set(out, { t: tf.concat(n.inputs.map((i, j) => ks[j] ?? v.get(i)!.t), axis), nhwc }));
        break;
      }
      case 'Flatten': case 'Reshape': {
        const inD = dims.get(x0)!;
        // NHWC with H = W = 1 is already in NCHW element order: no transpose
        const trivial = inD.length === 4 && inD[2] * inD[3] === 1 && outDims.length !== 4;
        steps.push((v) => {
          const x = v.get(x0)!;
          v.set(out, trivial ? { t: tf.reshape(x.t, outDims), nhwc: false } : fromLogical(tf.reshape(logical(x), outDims)));
        });
        break;
      }
      case 'Transpose': steps.push((v) => v.set(out, fromLogical(tf.transpose(logical(v.get(x0)!), a.perm)))); break;
      case 'Softmax': {
        const inD = dims.get(x0)!;
        steps.push((v) => {
          let x = logical(v.get(x0)!);
          if (a.legacy) {
            const lead = inD.slice(0, a.axis).reduce((p, q) => p * q, 1);
            v.set(out, fromLogical(tf.reshape(tf.softmax(tf.reshape(x, [lead, -1])), inD)));
          } else if (a.axis === inD.length - 1) v.set(out, fromLogical(tf.softmax(x)));
          else {
            x = tf.exp(tf.sub(x, tf.max(x, a.axis, true)));
            v.set(out, fromLogical(tf.div(x, tf.sum(x, a.axis, true))));
          }
        });
        break;
      }
      case 'Pad': {
        const p: number[] = a.pads, r = p.length / 2;
        const logicalPads: [number, number][] = Array.from({ length: r }, (_, i) => [p[i], p[i + r]]);
        const pads = r === 4 ? NCHW_TO_NHWC.map((i) => logicalPads[i]) : logicalPads;
        steps.push((v) => { const x = v.get(x0)!; v.set(out, { t: tf.pad(x.t, pads, a.value ?? 0), nhwc: x.nhwc }); });
        break;
      }
      case 'ReduceMean': steps.push((v) => v.set(out, fromLogical(tf.mean(logical(v.get(x0)!), a.axes, !!a.keepdims)))); break;
      default: throw new Error(`tfjs peer: operator ${n.op} (${n.name}) is not mapped`);
    }
  }

  // the step closures hold tensors, names and small arrays only: the graph and its constants can go
  const inputs = g.inputs.map((i) => ({ name: i.name, dims: dims.get(i.name)! }));
  const outNames = g.outputs.map((o) => o.name);
  return {
    steps: steps.length,
    async run(feeds) {
      const res = tf.tidy(() => {
        const v = new Map<string, V>();
        for (const { name, dims: d } of inputs) {
          const t = tf.tensor(feeds[name], d);
          v.set(name, d.length === 4 ? { t: tf.transpose(t, NCHW_TO_NHWC), nhwc: true } : { t, nhwc: false });
        }
        for (const s of steps) s(v);
        return outNames.map((o) => logical(v.get(o)!));
      });
      const data = await Promise.all(res.map((t) => t.data() as Promise<Float32Array>));
      tf.dispose(res);
      return Object.fromEntries(outNames.map((o, i) => [o, data[i]]));
    },
    dispose() { tf.dispose(held); },
  };
}
