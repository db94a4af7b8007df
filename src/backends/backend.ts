// The backend seam. A session binds and folds the model, runs the graph passes with the backend's
// capabilities, plans memory with its layout and alignment, asks it whether it supports each node,
// and hands it the planned graph to compile. Everything backend-specific (binaries, threads, linear
// memory, GPU buffers) lives behind this interface; the session owns none of it.
// Modelled on ggml's backend table (supports_op / graph_compute) and onnxruntime-web's backend and
// session handler.
import type { Graph, Node } from '../model/ir.js';
import type { MemoryPlan, Layout } from '../plan/plan.js';

export type BackendName = 'wasm' | 'reference' | 'webgpu';

/** What the backend-neutral passes and the memory planner ask a backend. */
export interface Capabilities {
  /** Operators whose epilogue absorbs a following activation (attrs.act). */
  readonly activationProducers: ReadonlySet<string>;
  /** Activation operators such an epilogue computes. */
  readonly fusableActivations: ReadonlySet<string>;
  /** Operators whose epilogue adds a residual input of the output's shape (a 4th input, attrs.residual). */
  readonly residualProducers: ReadonlySet<string>;
  /** Operators that write a 4-D output into a channel slice of a wider tensor (zero-copy concat)... */
  readonly sliceWriters: ReadonlySet<string>;
  /** ...and operators that read such a slice. Empty sets turn zero-copy concat off. */
  readonly sliceReaders: ReadonlySet<string>;
  /** Physical layout of a value of these logical (NCHW) dims. */
  layout(dims: readonly number[]): Layout;
  /** Byte alignment of every planned buffer. */
  readonly alignment: number;
  /** Bytes of working memory a node needs while it runs (wasm: a 4-D reshape's dense copy, ConvTranspose's
   * phase outputs before they are interleaved); the planner gives it an arena buffer live during that node only. */
  scratchBytes?(node: Node, dims: ReadonlyMap<string, number[]>): number;
  /** The planner keeps each input's buffer live through the whole run (what `Executable.bind` needs). */
  readonly keepsInputs?: boolean;
}

/** A planned graph ready to run on one backend, for one set of input shapes. */
export interface Executable {
  /** Runs once: inputs and outputs dense in the model's layout (NCHW), by value name. The input
   * arrays are read before `run` returns its promise, never after, so callers may reuse them at once.
   * Outputs named in `into` are written to those arrays (the session checked their sizes), the others
   * to new ones. `inspect` reads its inputs the same way. */
  run(inputs: ReadonlyMap<string, Float32Array>, into?: ReadonlyMap<string, Float32Array>): Promise<Map<string, Float32Array>>;
  /** Runs once node by node: the outputs, each node's wall time in ms (its kernels on this backend,
   * threads included) when `time`, and a copy of each value named in `fetch` (dense NCHW), read right
   * after its producer ran, so the planned arena serves these runs unchanged. Slower than `run`. */
  inspect(inputs: ReadonlyMap<string, Float32Array>, options: { time?: boolean; fetch?: ReadonlySet<string> }): Promise<Inspection>;
  /** The inputs and outputs as arrays in the backend's own memory, where runs read and write them (dense
   * NCHW, by name): an input passed back to `run` is not copied in, an output passed in `into` not copied
   * out. An input keeps what was written to it across runs; each run overwrites the outputs. Absent where
   * the backend's memory is not the caller's to write (WebGPU). Needs `caps.keepsInputs`. */
  bind?(): { inputs: Map<string, Float32Array>; outputs: Map<string, Float32Array> };
  /** Frees what the executable holds (memory, GPU buffers, worker instances). */
  release(): void;
  /** The backend's part of the report. */
  readonly report: ExecutableReport;
}

export interface Inspection {
  outputs: Map<string, Float32Array>;
  /** ms per node name, in graph order; '(inputs)' and '(outputs)' for the layout conversions at the boundary */
  ms: Map<string, number>;
  fetched: Map<string, Float32Array>;
  /** how `ms` was measured: wall time around each node's kernels (default), or the GPU's own timestamps */
  timing?: 'wall' | 'gpu-timestamps';
}

export interface ExecutableReport {
  /** Kernels each node runs, by node name. */
  kernels: Map<string, string[]>;
  /** Prepacked weights, indirection buffers and tables. */
  constBytes: number;
  /** Everything the backend holds for this plan (a wasm instance's whole linear memory). */
  memoryBytes: number;
  /** Threads this plan runs on, where it can differ from the backend's (wasm: a small plan under threads 'auto'). */
  threads?: number;
}

export interface Backend {
  readonly name: BackendName;
  readonly caps: Capabilities;
  /** What runs and why, e.g. `wasm-simd, 1 thread` (shown as `session.backend`). */
  readonly description: string;
  /** Threads each run uses (the calling thread included). */
  readonly threads: number;
  /** True, or why this backend cannot run `node` (dims of every value by name). */
  supports(node: Node, dims: ReadonlyMap<string, number[]>, graph: Graph): true | string;
  /** Prepares `graph` (optimized with `caps`, every node supported) on `plan`. Throws
   * ResourceLimitError when the plan exceeds what the backend can hold. */
  compile(graph: Graph, dims: ReadonlyMap<string, number[]>, plan: MemoryPlan): Promise<Executable>;
  /** The report `compile` would give, without allocating what it would (a summary of a shape not run). */
  estimate(graph: Graph, dims: ReadonlyMap<string, number[]>, plan: MemoryPlan): ExecutableReport;
  /** Frees what the backend holds beyond its executables (worker threads). */
  dispose(): Promise<void>;
}

export interface BackendOptions {
  threads?: 'auto' | number;
  /** backend-specific: the wasm kernel binary, a shared worker pool */
  [key: string]: unknown;
}

/** A kind of backend: whether it can run here (with a reason when not), and a constructor. */
export interface BackendKind {
  readonly name: BackendName;
  probe(options: BackendOptions): Promise<{ ok: true } | { ok: false; reason: string }>;
  create(options: BackendOptions): Promise<Backend>;
}

/** An output as `Executable.run` returns it: copied from the backend's `src` (a view it reuses) into the
 * caller's array for `name` when `into` has one, else into a new array. */
export function outputArray(src: Float32Array, name: string, into?: ReadonlyMap<string, Float32Array>): Float32Array {
  const dst = into?.get(name);
  if (!dst) return src.slice();
  if (!sameBytes(dst, src)) dst.set(src);
  return dst;
}

/** Whether two arrays are the same bytes of the same buffer (a bound input or output handed back). */
export const sameBytes = (a: Float32Array, b: Float32Array): boolean =>
  a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.length === b.length;
