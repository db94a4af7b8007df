// The contract between the wasm program builder (program.ts, lower.ts) and the kernel families
// (kernels/*.ts host side, assembly/*.ts kernels).
// A kernel family "lowers" one operation to Steps: calls of wasm exports on absolute pointers.

export type { Step } from '../abi.js';

/** Writes constant data (prepacked weights, indirection buffers, tables) into the constants region. */
export interface ConstWriter {
  /** Copies `data` in, 16-byte aligned; returns its absolute byte address. */
  f32(data: Float32Array): number;
  i32(data: Int32Array): number;
  /** Throws (a ResourceLimitError in a plan) when `bytes` more would pass the memory limit: called
   * before a large table is built, so an oversized model fails before it allocates. */
  reserve(bytes: number): void;
  /** A shared, 16-byte aligned buffer of at least `bytes` zero bytes (padding source for convolutions). */
  zeros(bytes: number): number;
}

/** An activation tensor in NHWC inside linear memory. Pixels are `pixelStride` floats apart (≥ c): a
 * producer can write straight into a channel slice of a wider tensor (zero-copy concat). */
export interface NhwcRef {
  ptr: number;
  n: number;
  h: number;
  w: number;
  c: number;
  pixelStride: number;
}

/** Activation codes: the ABI values of `act` in every kernel (assembly/activation.ts). */
export enum ActKind {
  None = 0,
  Relu = 1,
  Clip = 2,
  LeakyRelu = 3,
  Sigmoid = 4,
  Tanh = 5,
  HardSigmoid = 6,
  HardSwish = 7,
  Elu = 8,
  Selu = 9,
  Celu = 10,
  ThresholdedRelu = 11,
  Gelu = 12,
  GeluTanh = 13,
  Erf = 14,
  Softplus = 15,
  Softsign = 16,
  Mish = 17,
  Silu = 18,
  Exp = 19,
  Log = 20,
  Sqrt = 21,
  Abs = 22,
  Neg = 23,
  Reciprocal = 24,
  Floor = 25,
  Ceil = 26,
  Round = 27,
  Sign = 28,
}

/** A fused activation: `kind` with its parameters (Clip: min,max; LeakyRelu, Elu, Celu, ThresholdedRelu: alpha;
 * HardSigmoid: alpha,beta; Selu: alpha,gamma). */
export interface Activation {
  kind: ActKind;
  p0: number;
  p1: number;
}
export const NO_ACTIVATION: Activation = { kind: ActKind.None, p0: 0, p1: 0 };

