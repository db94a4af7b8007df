// Axis bookkeeping shared by the backends' reduction and normalization lowerings (backend-neutral):
// which logical axes an operator reduces, and per axis the stride of each operand (0 = broadcast), given
// the strides of x and y in whatever layout a backend keeps them.
import type { Node } from './ir.js';

/** {first, ..., rank − 1}. */
export const axesFrom = (first: number, rank: number): Set<number> => new Set(Array.from({ length: rank - first }, (_, i) => first + i));

const dense = (d: readonly number[]): number[] => {
  const s = new Array(d.length).fill(1);
  for (let i = d.length - 2; i >= 0; i--) s[i] = s[i + 1] * d[i + 1];
  return s;
};

/** Per axis of a rank-`rank` walk, the stride of a dense constant of dims `pd` broadcast (right-aligned) to axes [first, rank); 0 elsewhere. */
export function broadcastStrides(pd: readonly number[], first: number, rank: number): number[] {
  const st = dense(pd);
  return Array.from({ length: rank }, (_, d) => {
    const j = d - (rank - pd.length);
    return d < first || j < 0 || pd[j] === 1 ? 0 : st[j];
  });
}

/** A Reduce* output's stride per axis of its input: 0 on reduced axes (kept as 1, or dropped without keepdims). */
export function reducedOutputStrides(rank: number, reduced: ReadonlySet<number>, keepdims: boolean, yStrides: readonly number[]): number[] {
  let k = 0;
  return Array.from({ length: rank }, (_, d) => {
    if (!reduced.has(d)) return yStrides[k++];
    if (keepdims) k++;
    return 0;
  });
}

/** The reduced axes of Softmax, LogSoftmax, Hardmax: one axis, or (opset < 13) the flattened trailing axes. */
export const softmaxAxes = (node: Node, rank: number): Set<number> =>
  (node.attrs.legacy ? axesFrom(node.attrs.axis, rank) : new Set<number>([node.attrs.axis]));

/** A normalization as a walk: dims and reduced axes (GroupNormalization walks [N, G, C/G, ...]), the x/y
 * and scale/bias strides per walked axis, and (x − mean)·inv·scale + bias's epsilon and its placement. */
export interface NormWalk {
  dims: number[];
  reduced: Set<number>;
  x: number[];
  y: number[];
  s: number[];
  b: number[];
  eps: number;
  /** MeanVarianceNormalization: inv = 1/(√var + eps) (ONNX's function body) instead of 1/√(var + eps) */
  epsOutside: boolean;
  /** whether scale and bias are inputs 1 and 2 (else: 1 and 0, and only with a bias for LayerNormalization) */
  scale: boolean;
  bias: boolean;
}

/**
 * InstanceNormalization, LayerNormalization, GroupNormalization, MeanVarianceNormalization over x of
 * logical `dims` with strides `xs` into y (`ys`); `paramDims`: dims of inputs 1 and 2 (null when absent).
 */
export function normWalk(node: Node, dims: readonly number[], xs: readonly number[], ys: readonly number[], paramDims: (readonly number[] | null)[]): NormWalk {
  const a = node.attrs, r = dims.length, zeros = dims.map(() => 0);
  switch (node.op) {
    case 'InstanceNormalization': {
      const ch = dims.map((_, d) => (d === 1 ? 1 : 0));
      return { dims: [...dims], reduced: axesFrom(2, r), x: [...xs], y: [...ys], s: ch, b: ch, eps: a.epsilon, epsOutside: false, scale: true, bias: true };
    }
    case 'LayerNormalization':
      return {
        dims: [...dims], reduced: axesFrom(a.axis, r), x: [...xs], y: [...ys], eps: a.epsilon, epsOutside: false, scale: true, bias: !!paramDims[1],
        s: broadcastStrides(paramDims[0]!, a.axis, r), b: paramDims[1] ? broadcastStrides(paramDims[1], a.axis, r) : zeros,
      };
    case 'GroupNormalization': {
      // [N, C, ...] walked as [N, G, C/G, ...] over the same bytes: channel c = g·(C/G) + c'
      const g = a.numGroups, cg = dims[1] / g, rest = dims.slice(2).map(() => 0);
      const split = (st: readonly number[]) => [st[0], st[1] * cg, st[1], ...st.slice(2)];
      const p = a.perChannel ? [0, cg, 1, ...rest] : [0, 1, 0, ...rest];
      return { dims: [dims[0], g, cg, ...dims.slice(2)], reduced: axesFrom(2, r + 1), x: split(xs), y: split(ys), s: p, b: p, eps: a.epsilon, epsOutside: false, scale: true, bias: true };
    }
    default: // MeanVarianceNormalization: (x − mean) / (√var + 1e-9)
      return { dims: [...dims], reduced: new Set<number>(a.axes), x: [...xs], y: [...ys], s: zeros, b: zeros, eps: 1e-9, epsOutside: true, scale: false, bias: false };
  }
}
