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
}

/** A fused activation: `kind` with its parameters (Clip: min,max; LeakyRelu: alpha; HardSigmoid: alpha,beta). */
export interface Activation {
  kind: ActKind;
  p0: number;
  p1: number;
}
export const NO_ACTIVATION: Activation = { kind: ActKind.None, p0: 0, p1: 0 };

