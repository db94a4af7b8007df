// The graph IR shared by the ONNX loader and the layer builder. Operators keep their ONNX names and
// ONNX semantics (NCHW logical layout); attributes are normalized (defaults filled, opset
// differences resolved) so later passes never look at opset numbers.

/** A dimension: a number, or a symbol (e.g. 'batch') bound when a session plans for a shape. */
export type Dim = number | string;
export type Dims = number[];

/** A constant tensor (initializer, folded value). Shape arithmetic uses int64 values held as numbers. */
export interface ConstTensor {
  dtype: 'float32' | 'int64' | 'int32' | 'bool';
  dims: Dims;
  data: Float32Array | Int32Array | number[];
}

export interface ValueInfo {
  name: string;
  dims: Dim[];
  dtype: 'float32';
}

export interface Node {
  /** Unique name (ONNX node name, or `${op}_${index}` when the model has none). */
  name: string;
  op: string;
  /** Input value names; '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attrs: Record<string, any>;
}

export interface Graph {
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  nodes: Node[];
  /** Constants by value name (initializers and folded values). */
  consts: Map<string, ConstTensor>;
  /** Model opset of the default domain (informative; nodes carry normalized attributes). */
  opset: number;
}

/**
 * Normalized attributes per operator (what the planner reads):
 * - Conv: kernel [kh,kw], strides [sh,sw], pads [t,l,b,r], dilations [dh,dw], groups; inputs X, W (const OIHW), B? (const).
 *   After fusion: act?: FusedActivation; a 4th input (residual, same shape as the output) when attrs.residual is true.
 * - Gemm: alpha, beta, transA (0 only), transB; inputs A (2-D), B (const), C? (const, broadcast to [N]). Fused act?, residual?.
 *   (fold.ts rewrites every other ONNX Gemm into Transpose / MatMul / Mul / Add.)
 * - MatMul: none; inputs A [..., M, K], B [..., K, N] (rank ≥ 2, either may be a constant), batch dims broadcast.
 *   1-D Conv/ConvTranspose/pools on [N, C, L] are planned as their 2-D form on [N, C, 1, L] between two Reshapes
 *   (folding; the pairs between layers cancel in the passes). 3-D Conv, ConvTranspose and pools on [N, C, D, H, W]
 *   are planned as 2-D operators too (fold.ts lowerConv3d: depth taps unfolded into channels; lowerConvTranspose3d:
 *   one 2-D ConvTranspose per depth phase; lowerPool3d: two 2-D pools).
 * - ConvTranspose: kernel, strides, pads [t,l,b,r], dilations, groups; inputs X, W (const [C_in, C_out/groups, kh, kw]),
 *   B? (const). Folding resolves auto_pad, output_padding and output_shape into pads: the end pads hold
 *   − output_padding and may be negative; output = S·(in−1) + (k−1)·D + 1 − P_begin − P_end. Fused act? after fusion.
 * - LocallyConnected (layer builder only, not ONNX): kernel, strides, pads, dilations; inputs X, W (const
 *   [OH, OW, C_out, C_in, kh, kw]), B? (const [OH, OW, C_out]). Fused act? after fusion.
 * - MaxPool / AveragePool / LpPool: kernel, strides, pads [t,l,b,r], dilations, ceilMode (bool), countIncludePad (bool, avg),
 *   p (integer ≥ 1, Lp).
 * - GlobalAveragePool, GlobalMaxPool: none. GlobalLpPool: p.
 * - Relu, Sigmoid, Tanh, HardSwish: none. Clip: min, max (numbers, ±Infinity when absent). LeakyRelu: alpha.
 *   HardSigmoid: alpha, beta. Elu, Celu, ThresholdedRelu: alpha. Selu: alpha, gamma. Gelu: approximate (0 erf, 1 tanh).
 *   Erf, Softplus, Softsign, Mish, Exp, Log, Sqrt, Abs, Neg, Reciprocal, Floor, Ceil, Round, Sign: none.
 * - Add, Sub, Mul, Div, PRelu (slope broadcast to X), Pow, Min, Max: numpy broadcasting between the two inputs
 *   (either may be const; variadic Min/Max/Sum/Mean become chains of these). Fused act? after fusion.
 * - BatchNormalization: epsilon; inputs X, scale, B, mean, var (all const).
 * - Concat: axis (non-negative). Split: axis, split (sizes). Slice: starts, ends, axes, steps (normalized, clamped).
 * - Flatten: axis. Reshape: shape (fully resolved, no 0 or -1). Transpose: perm.
 * - Softmax, LogSoftmax, Hardmax: axis (non-negative), legacy (true for opset < 13: flatten to 2-D at axis).
 * - ReduceMean/Sum/Max/Min/Prod/L1/L2/LogSum/LogSumExp/SumSquare: axes (non-negative, sorted, non-empty), keepdims.
 * - InstanceNormalization: epsilon; inputs X, scale, B (const, [C]). LayerNormalization: axis (non-negative), epsilon;
 *   inputs X, Scale, B? (const, broadcast to dims[axis..]). GroupNormalization: epsilon, numGroups, perChannel
 *   (opset 21: scale/bias [C]; 18: [numGroups]). MeanVarianceNormalization: axes (sorted). LRN: size, alpha, beta, bias.
 * - Pad: pads (2*rank, ONNX order begins..ends; negative crops), mode 'constant'|'reflect'|'edge'|'wrap', value
 *   (constant mode; or a computed scalar as a 2nd input).
 * - Expand: shape (broadcast with the input). Tile: repeats. DepthToSpace: blocksize, mode 'DCR'|'CRD'. SpaceToDepth: blocksize.
 * - Gather / GatherElements: axis, indices (flat, non-negative, constant), indicesDims.
 * - Where: cond (flat 0/1, constant), condDims; inputs X, Y (either may be a constant).
 *   These are index maps (src/model/indexmap.ts).
 * - Resize: mode 'nearest'|'linear', coordMode, nearestMode, sizes (output dims, resolved).
 * - Input-only shape ops (Shape, Gather, ConstantOfShape, Cast, Range, Unsqueeze, Squeeze, ...) exist only
 *   before constant folding; after folding the graph holds float ops only.
 */
/** An activation node absorbed by its producer (attrs.act): the activation's operator and its
 * normalized attributes (Clip: min, max; LeakyRelu: alpha; HardSigmoid: alpha, beta; ...), or 'Silu' (x·Sigmoid(x),
 * only ever fused: the passes recognize it). Backends map it
 * to their own epilogue codes; the IR never holds a backend's ABI values. */
export interface FusedActivation {
  op: string;
  attrs: Record<string, number>;
}

export const size = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);
