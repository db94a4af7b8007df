// The kernel binaries' ABI as data and types: every export of assembly/index.ts with its parameters by
// name, in order, before the trailing [begin, end) range every kernel takes. Lowerings build Steps with
// `step(kernel, { named arguments })`: the compiler checks the kernel exists and every parameter is
// given; test/kernels/abi.test.ts checks this table against each binary's exports.

export const KERNELS = {
  f32_gemm_4x8: ['a', 'aStride', 'w', 'c', 'cStride', 'r', 'rStride', 'k', 'n', 'act', 'p0', 'p1'], // assembly/gemm.ts
  f32_gemv: ['x', 'w', 'y', 'r', 'k', 'n', 'act', 'p0', 'p1'], // assembly/gemv.ts
  f32_matmul: ['a', 'b', 'c', 'prm', 'm', 'k', 'n'], // assembly/matmul.ts
  f32_igemm_4x8: ['ind', 'taps', 'inOffset', 'kc', 'w', 'c', 'cStride', 'r', 'rStride', 'n', 'act', 'p0', 'p1'], // assembly/conv.ts
  f32_winograd_2x2: ['x', 'n', 'ih', 'iw', 'xStride', 'cin', 'pt', 'pl', 'zero', 'u', 'bias', 'y', 'oh', 'ow', 'yStride', 'cout', 'r', 'rStride', 'act', 'p0', 'p1', 'workspace', 'slotBytes', 'tileBlock', 'blocksPerItem', 'coutGroups'], // assembly/winograd.ts
  f32_winograd_4x4: ['x', 'n', 'ih', 'iw', 'xStride', 'cin', 'pt', 'pl', 'zero', 'u', 'bias', 'y', 'oh', 'ow', 'yStride', 'cout', 'r', 'rStride', 'act', 'p0', 'p1', 'workspace', 'slotBytes', 'tileBlock', 'blocksPerItem', 'coutGroups'], // assembly/winograd.ts
  f32_dwconv_16c: ['ind', 'taps', 'w', 'c', 'cStride', 'r', 'rStride', 'channels', 'act', 'p0', 'p1'], // assembly/dwconv.ts
  f32_maxpool_nhwc: ['x', 'ih', 'iw', 'xStride', 'y', 'oh', 'ow', 'yStride', 'c', 'kh', 'kw', 'sh', 'sw', 'dh', 'dw', 'pt', 'pl'], // assembly/pool.ts
  f32_avgpool_nhwc: ['x', 'ih', 'iw', 'xStride', 'y', 'oh', 'ow', 'yStride', 'c', 'kh', 'kw', 'sh', 'sw', 'dh', 'dw', 'pt', 'pl', 'pb', 'pr', 'includePad'], // assembly/pool.ts
  f32_local_conv_nhwc: ['x', 'ih', 'iw', 'xStride', 'y', 'oh', 'ow', 'yStride', 'cin', 'cout', 'kh', 'kw', 'sh', 'sw', 'dh', 'dw', 'pt', 'pl', 'w', 'act', 'p0', 'p1'], // assembly/local.ts
  f32_lppool_nhwc: ['x', 'ih', 'iw', 'xStride', 'y', 'oh', 'ow', 'yStride', 'c', 'kh', 'kw', 'sh', 'sw', 'dh', 'dw', 'pt', 'pl', 'p'], // assembly/pool.ts
  f32_global_pool_nhwc: ['x', 'hw', 'xStride', 'y', 'yStride', 'c', 'mode'], // assembly/pool.ts
  f32_activation: ['x', 'y', 'act', 'p0', 'p1'], // assembly/eltwise.ts
  f32_fill: ['y', 'value'], // assembly/eltwise.ts
  f32_binary: ['op', 'a', 'b', 'y', 'prm', 'act', 'p0', 'p1'], // assembly/eltwise.ts
  f32_scale_shift_nhwc: ['x', 'xStride', 'y', 'yStride', 'channels', 'scale', 'shift', 'act', 'p0', 'p1'], // assembly/eltwise.ts
  f32_copy2d: ['src', 'srcStride', 'dst', 'dstStride', 'rows', 'cols'], // assembly/eltwise.ts
  f32_softmax: ['x', 'y', 'n'], // assembly/softmax.ts
  f32_transpose2d: ['src', 'srcBatch', 'srcRow', 'dst', 'dstBatch', 'dstRow', 'rows', 'cols'], // assembly/layout.ts
  f32_strided_copy: ['src', 'dst', 'prm'], // assembly/layout.ts
  f32_gather_table: ['src', 'dst', 'table'], // assembly/layout.ts
  f32_resize_nearest_nhwc: ['x', 'ih', 'iw', 'xStride', 'y', 'oh', 'ow', 'yStride', 'c', 'yIdx', 'xIdx'], // assembly/resize.ts
  f32_resize_bilinear_nhwc: ['x', 'ih', 'iw', 'xStride', 'y', 'oh', 'ow', 'yStride', 'c', 'yIdx', 'yW', 'xIdx', 'xW'], // assembly/resize.ts
  f32_resize_cubic_nhwc: ['x', 'ih', 'iw', 'xStride', 'y', 'oh', 'ow', 'yStride', 'c', 'yIdx', 'yW', 'xIdx', 'xW'], // assembly/resize.ts
  f32_reduce: ['x', 'y', 'prm', 'op'], // assembly/reduce.ts
  f32_softmax_nd: ['x', 'y', 'prm', 'mode'], // assembly/reduce.ts
  f32_normalize_nd: ['x', 'y', 'prm', 'scale', 'bias', 'eps', 'epsOutside'], // assembly/reduce.ts
  f32_lrn: ['x', 'y', 'prm', 'size', 'alphaOverSize', 'beta', 'bias'], // assembly/reduce.ts
} as const;

export type KernelName = keyof typeof KERNELS;

/** One call of a wasm kernel: `exports[kernel](...args, begin, end)` for [begin, end) ⊆ [0, range). */
export interface Step {
  kernel: KernelName;
  args: number[];
  /** Size of the split dimension. Any partition of [0, range) gives the same bytes (threads rely on it). */
  range: number;
  /** Floating-point operations of the whole step (for thread-split heuristics and reports). */
  flops: number;
  /** Bytes a memory-bound step (copy, transpose, gather; a GEMV's weights) streams: its work for the
   * thread-split rule (`stepWork`), so a 1.6 MB layout change is split like a convolution of that cost. */
  bytes?: number;
  /** Items the kernel computes together (a GEMM's 4-row tile): a thread pool splits [0, range) on
   * multiples of it, since a partial tile costs as much as a whole one (it still streams every weight). */
  grain?: number;
}

/** The named arguments of `kernel` (every one an i32 address, size or code, or an f32 parameter). */
export type KernelArgs<K extends KernelName> = { readonly [P in (typeof KERNELS)[K][number]]: number };

/** A binary's exports, typed: each kernel takes its arguments, then begin and end. */
export type KernelExports = { readonly [K in KernelName]: (...args: number[]) => void };

/** One Step of `kernel` over [0, range). `grain`: items the kernel computes together (a GEMM tile's rows);
 * `bytes`: memory traffic of a data-movement step (see Step.bytes). */
export function step<K extends KernelName>(kernel: K, args: KernelArgs<K>, range: number, flops: number, grain?: number, bytes?: number): Step {
  const s: Step = { kernel, args: KERNELS[kernel].map((p: string) => (args as Record<string, number>)[p]), range, flops };
  if (grain) s.grain = grain;
  if (bytes) s.bytes = bytes;
  return s;
}

/** A step's work in flop-equivalents for splitting it across threads: its flops, and 4 per byte moved (a copy
 * streams 10–20 GB/s where kernels compute 40–70 GFLOP/s). */
export function stepWork(s: Step): number {
  return s.flops + 4 * (s.bytes ?? 0);
}
