// The public Session: load a model, choose a backend, plan the model for an input shape on it, run it.
// The session owns nothing backend-specific: it binds and folds, runs the passes with the backend's
// capabilities, plans memory, asks the backend which nodes it supports, and runs what it compiled.
import { InvalidArgumentError, ModelFormatError, UnsupportedError, DisposedError, describe } from './errors.js';
import { Tensor } from './tensor.js';
import type { Graph, Dim } from './model/ir.js';
import { size } from './model/ir.js';
import { loadOnnx } from './model/onnx/loader.js';
import { bindAndFold } from './model/fold.js';
import { optimize } from './model/passes.js';
import { planMemory, planReport, type PlanReport } from './plan/plan.js';
import { formatSummary, buildProfile, type Profile } from './plan/summary.js';
import type { Backend, BackendKind, Executable } from './backends/backend.js';
import { wasmBackend } from './backends/wasm/index.js';
import { openAdapter } from './backends/webgpu/adapter.js';
import type { Flavor, WasmSources } from './backends/wasm/binaries.js';
import { readModel } from './io.js';
import type { WorkerPool } from './backends/wasm/pool/pool.js';

export type ModelSource = Uint8Array | ArrayBuffer | string | URL | Graph;

export interface Progress {
  stage: 'download' | 'parse' | 'optimize' | 'plan' | 'prepack' | 'ready';
  loaded: number;
  total: number;
}

export interface SessionOptions {
  /**
   * What runs the model. 'auto' (default): WebGPU on a hardware adapter when every node is supported,
   * else wasm, or the reference backend where no kernel binary runs. 'wasm': the WebAssembly kernels.
   * 'webgpu': WebGPU on any adapter, or a BackendError saying why not. 'reference': plain TypeScript,
   * NCHW, float64 accumulation, slow and exact. `session.backend` says what runs and why.
   */
  backend?: 'auto' | 'wasm' | 'webgpu' | 'reference';
  /**
   * Threads per run, the calling thread included: 'auto' (default) uses the machine's cores (at most 8);
   * 1 runs on the calling thread only. Threads need SharedArrayBuffer: in a browser the page must be
   * cross-origin isolated, else the session runs on one thread and `backend` says why.
   */
  threads?: 'auto' | number;
  /** Force a kernel binary (tests and benchmarks); default: the best the engine validates. */
  flavor?: Flavor;
  /** Concrete shapes for inputs with symbolic dims (e.g. the batch), by input name: the session plans
   * them at create (memory allocated, weights prepacked) instead of at the first run of that shape. */
  inputShapes?: Record<string, number[]>;
  /** Called as create goes through its stages: download (bytes loaded of total), parse, optimize, plan,
   * prepack, ready. A symbolic model reports optimize/plan/prepack again when a new shape is planned. */
  onProgress?: (p: Progress) => void;
  /** Keep the layers' weights readable with `session.weights(layer)` (visualizing kernels). By default a
   * model whose input dims are all fixed drops its JS copies of the weights once they are prepacked. */
  keepWeights?: boolean;
  /** Plans kept per input shape, each with its own memory (the least recently used is dropped first). Default 4. */
  planCacheSize?: number;
  /**
   * Winograd for stride-1 3x3 convolutions where it is faster (wasm backend; default true). Its transformed
   * weights are 16/9 (F(2x2)) or 4x (F(4x4)) the direct ones: false keeps every convolution direct, for
   * memory over speed (a ResNet-18 at 224, 1 thread: 82 → 49 MiB of wasm memory, 35 → 60 ms).
   */
  winograd?: boolean;
  /**
   * A worker pool to run on, shared with other sessions (`WorkerPool.create(threads)`). The caller owns
   * it: the session never disposes it (its `dispose()` only releases its memories from it), and after a
   * fault the caller must dispose it and create a new one (runs on a broken or disposed shared pool
   * reject with a BackendError). Its thread count wins over `threads`. Without it a session with more
   * than one thread creates (and owns) one pool, at its first plan, used by all its plans.
   */
  pool?: WorkerPool;
  /**
   * The WebGPU implementation (navigator.gpu's interface) for backend 'webgpu' or 'auto'. Node and Bun
   * have none built in: pass `create([])` from the `webgpu` package. Default: navigator.gpu (Deno, browsers).
   */
  gpu?: unknown;
  /**
   * The kernel binaries, by flavor, instead of the package's: a URL (a string is resolved against the
   * page in a browser, a file path in Node/Deno/Bun), the bytes, or a compiled WebAssembly.Module. Only
   * the flavors given are considered (e.g. `{ simd: simdUrl }` runs the SIMD binary, on one thread).
   * Default: the package's own, which Vite and webpack bundle without configuration (README, "Bundlers").
   */
  wasm?: WasmSources;
  /**
   * The pool worker's script instead of the package's (a bundle of `edgecnn/worker`): a URL, or a string
   * resolved against the page in a browser. Default: the package's, which Vite and webpack bundle.
   */
  workerUrl?: string | URL;
}

export interface RunOptions {
  /** Intermediate values to return too, by value name (dense NCHW), read as the run passes them: the
   * planned memory is unchanged. Names are those of the planned graph (`summary().layers` lists its
   * layers; a value fused into its consumer's kernel, e.g. a convolution's output before its ReLU,
   * does not exist). */
  fetch?: string[];
  /** Arrays to write outputs into, by output name, each exactly the output's size: the returned tensors
   * wrap them, so a loop that passes the same arrays every frame allocates no output memory. Outputs not
   * named here get new arrays. */
  outputs?: Record<string, Float32Array>;
}

/** Inputs and outputs in the backend's own memory for one plan (`session.bind`). */
export interface Binding {
  /** One tensor per input: write the input into its `data`, then pass `feeds` to `run`. */
  feeds: Record<string, Tensor>;
  /** One array per output, for `run`'s `outputs` option. */
  outputs: Record<string, Float32Array>;
}

export interface IOInfo {
  name: string;
  dims: Dim[];
  type: 'float32';
}

export interface SummaryResult extends PlanReport {
  inputDims: Record<string, number[]>;
  /** the printable table */
  text: string;
}

interface Prepared {
  key: string;
  exec: Executable;
  report: PlanReport;
  inputDims: Record<string, number[]>;
  /** dims of every value of the planned graph */
  valueDims: ReadonlyMap<string, number[]>;
  /** the planned graph (its weights as the kernels use them: batch-norm folded in), with keepWeights */
  graph: Graph | null;
}

/** A backend kind loaded when first used (a dynamic import): an app that runs wasm does not load, and a
 * code-splitting bundler does not put in its main chunk, the WebGPU or the reference backend. */
const lazy = (name: BackendKind['name'], load: () => Promise<BackendKind>): BackendKind => ({
  name,
  probe: async (o) => (await load()).probe(o),
  create: async (o) => (await load()).create(o),
});

/** The backends a session can choose, by name. `auto`: WebGPU on a hardware adapter, else wasm (chooseBackend). */
const BACKENDS: Record<string, BackendKind> = {
  wasm: wasmBackend,
  reference: lazy('reference', async () => (await import('./backends/reference/index.js')).referenceBackend),
  webgpu: lazy('webgpu', async () => (await import('./backends/webgpu/index.js')).webgpuBackend),
};
const BACKEND_CHOICES = ['auto', 'wasm', 'webgpu', 'reference'] as const;

/**
 * A model ready to run: `Session.create(model, options)`, then `run(feeds)` as often as needed, then
 * `dispose()`. Memory is planned per input shape before the first run of that shape; runs allocate
 * nothing in it (a run reads its feeds when called and writes fresh output arrays, or the caller's:
 * `RunOptions.outputs`, or works in place on `bind()`'s arrays) and are queued (concurrent calls are safe).
 */
export class Session {
  /** The model's inputs: name, dims as in the model (a string is a symbolic dim), type. */
  readonly inputs: readonly IOInfo[];
  /** The model's outputs. */
  readonly outputs: readonly IOInfo[];
  /** What runs, and why: e.g. "wasm-relaxed-threads, 2 threads" or "wasm-relaxed, 1 thread (this page is not cross-origin isolated …)".
   * A getter: a backend may change what runs (WebGPU switches to wasm after a device fault). */
  get backend(): string { return this.engine.description + this.backendNote; }
  private readonly backendNote: string;
  /** Threads each run uses (the calling thread included); a backend may drop to one (see `backend`). */
  get threads(): number { return this.engine.threads; }
  private readonly graph: Graph;
  /** The model's input dims are all fixed: one plan serves every run, the graph's weights are released. */
  private weightsReleased = false;
  private readonly engine: Backend;
  private readonly options: SessionOptions;
  private plans = new Map<string, Prepared>();
  private queue: Promise<unknown> = Promise.resolve();
  /** runs and profiles queued or running */
  private busy = 0;
  private disposed = false;
  private closing = false;

  private constructor(graph: Graph, engine: Backend, backendNote: string, options: SessionOptions) {
    this.graph = graph;
    this.engine = engine;
    this.backendNote = backendNote;
    this.options = options;
    this.inputs = graph.inputs.map((i) => ({ name: i.name, dims: [...i.dims], type: 'float32' as const }));
    this.outputs = graph.outputs.map((o) => ({ name: o.name, dims: [...o.dims], type: 'float32' as const }));
  }

  /**
   * Loads a model (ONNX bytes, an ArrayBuffer, a URL, a file path in Node/Deno/Bun — a string is a URL
   * in a browser — or a graph from NetworkBuilder.toGraph()), chooses the backend, and, when every input
   * dim is fixed (or given in `inputShapes`), plans and prepacks it. Throws typed EdgeCnnErrors: a
   * ModelFormatError for a malformed file, an UnsupportedError naming the node for what edgecnn does not
   * run, a ResourceLimitError past the memory limit.
   */
  static async create(model: ModelSource, options: SessionOptions = {}): Promise<Session> {
    const progress = options.onProgress ?? (() => {});
    const wanted = options.backend ?? 'auto';
    if (!BACKEND_CHOICES.includes(wanted as any)) throw new InvalidArgumentError(`backend must be ${BACKEND_CHOICES.map((b) => `'${b}'`).join(', ')}, got '${wanted}'`);
    if (options.winograd !== undefined && typeof options.winograd !== 'boolean') throw new InvalidArgumentError(`winograd must be true or false, got ${JSON.stringify(options.winograd)}`);
    let graph: Graph;
    if (isGraph(model)) {
      graph = { ...model, consts: new Map(model.consts) }; // the session may release its weights; the caller's graph stays whole
    } else {
      const bytes = await readModel(model, progress);
      progress({ stage: 'parse', loaded: 0, total: bytes.byteLength });
      graph = loadOnnx(bytes);
      progress({ stage: 'parse', loaded: bytes.byteLength, total: bytes.byteLength });
    }
    const { engine, note } = await chooseBackend(wanted, options);
    const session = new Session(graph, engine, note, options);
    try {
      const shapes = session.concreteShapes(options.inputShapes ?? {});
      if (shapes) await session.prepare(shapes);
      else session.validateSymbolic();
      if (shapes && session.concreteShapes({}) && !options.keepWeights) session.releaseWeights();
    } catch (e) {
      await session.dispose();
      throw e;
    }
    progress({ stage: 'ready', loaded: 1, total: 1 });
    return session;
  }

  /** Runs the model; concurrent calls are queued. Returns outputs by name in the model's layout (NCHW).
   * The feeds are validated and copied in when `run` is called (not copied: `bind()`'s arrays): the caller
   * may reuse their arrays at once. */
  run(feeds: Record<string, Tensor>, options: RunOptions = {}): Promise<Record<string, Tensor>> {
    let into: Map<string, Float32Array> | undefined;
    try {
      into = this.outputArrays(options.outputs);
    } catch (e) {
      return Promise.reject(e);
    }
    // Executables copy their inputs in before run() returns, so an idle session lends them the caller's arrays.
    return this.enqueue(feeds, true, async (p, inputs) => {
      if (into) this.checkOutputSizes(p, into);
      const fetch = options.fetch?.length ? new Set(options.fetch) : null;
      if (!fetch) return this.tensors(p, await p.exec.run(inputs, into));
      const r = await p.exec.inspect(inputs, { fetch });
      for (const [name, a] of into ?? []) { a.set(r.outputs.get(name)!); r.outputs.set(name, a); }
      return { ...this.tensors(p, r.fetched), ...this.tensors(p, r.outputs) };
    });
  }

  /**
   * Arrays for the inputs and outputs of the plan for `inputShapes` (default: the model's fixed dims),
   * planned now if it is not yet. On wasm they are the plan's own memory: write an input into
   * `feeds[name].data`, run with `run(feeds, { outputs })`, and nothing is copied in or out (an input of
   * 800 KB costs 25–50 µs to copy into a threaded run's shared memory here). An input keeps what was
   * written to it until it is written again; every run of that plan overwrites the outputs. Write inputs
   * and read outputs only while no run is in flight. Other backends give ordinary arrays, copied as any
   * feed. Arrays of a plan dropped from the cache (`planCacheSize`) stay valid but are copied again.
   */
  bind(inputShapes?: Record<string, number[]>): Promise<Binding> {
    let shapes: Record<string, number[]>;
    try {
      this.checkAlive();
      if (inputShapes !== undefined && (!inputShapes || typeof inputShapes !== 'object')) throw new InvalidArgumentError('bind() takes an object of input dims by name');
      for (const [name, dims] of Object.entries(inputShapes ?? {})) {
        const inp = this.inputs.find((i) => i.name === name);
        if (inp) this.checkDims(inp, dims);
      }
      const s = this.concreteShapes(inputShapes ?? {});
      if (!s) throw this.symbolicDims('bind');
      shapes = s;
    } catch (e) {
      return Promise.reject(e);
    }
    return this.schedule(shapes, async (p) => {
      const own = p.exec.bind?.();
      const feeds: Record<string, Tensor> = {}, outputs: Record<string, Float32Array> = {};
      for (const [name, dims] of Object.entries(p.inputDims)) feeds[name] = new Tensor('float32', own?.inputs.get(name) ?? new Float32Array(size(dims)), dims.slice());
      for (const o of this.outputs) outputs[o.name] = own?.outputs.get(o.name) ?? new Float32Array(size(p.valueDims.get(o.name)!));
      return { feeds, outputs };
    });
  }

  /**
   * Per-layer timing: runs the model node by node (`runs` times after one warm-up run, default 5) and
   * gives each layer's median time, its FLOPs and GFLOP/s, summed by operator, with the backend that ran
   * it. Node-by-node runs cost a little more than `run` (each layer waits for the one before).
   */
  profile(feeds: Record<string, Tensor>, options: { runs?: number } = {}): Promise<Profile> {
    const runs = options.runs ?? 5;
    if (!(Number.isInteger(runs) && runs >= 1 && runs <= 1000)) return Promise.reject(new InvalidArgumentError(`runs must be an integer from 1 to 1000, got ${runs}`));
    return this.enqueue(feeds, false, async (p, inputs) => {
      await p.exec.inspect(inputs, { time: true }); // warm-up: lazy per-layer plans, JIT tiers
      const samples = new Map<string, number[]>();
      let timing: 'wall' | 'gpu-timestamps' = 'wall';
      for (let r = 0; r < runs; r++) {
        const i = await p.exec.inspect(inputs, { time: true });
        timing = i.timing ?? 'wall';
        for (const [name, ms] of i.ms) (samples.get(name) ?? samples.set(name, []).get(name)!).push(ms);
      }
      return buildProfile(p.report, samples, this.backend, p.exec.report.threads ?? this.threads, runs, timing);
    });
  }

  /**
   * Validates the feeds now and runs `job` on the plan for their shapes after earlier calls. The job gets
   * copies of the feeds, except with `lend` on an idle session whose plan is ready: then it starts now, on
   * the caller's arrays, and must read them before its first await (Executable.run and inspect do).
   */
  private enqueue<T>(feeds: Record<string, Tensor>, lend: boolean, job: (p: Prepared, inputs: Map<string, Float32Array>) => Promise<T>): Promise<T> {
    let inputs: Map<string, Float32Array>, shapes: Record<string, number[]>;
    let ready: Prepared | undefined;
    try {
      this.checkAlive();
      ({ inputs, shapes } = this.readFeeds(feeds));
      ready = lend && this.busy === 0 ? this.cachedPlan(shapeKey(shapes)) : undefined;
      if (!ready) for (const [name, data] of inputs) inputs.set(name, data.slice());
    } catch (e) {
      return Promise.reject(e);
    }
    return this.schedule(shapes, (p) => job(p, inputs), ready);
  }

  /** Runs `job` on the plan for `shapes` after earlier calls, or now on `ready` (an idle session's plan). */
  private schedule<T>(shapes: Record<string, number[]>, job: (p: Prepared) => Promise<T>, ready?: Prepared): Promise<T> {
    this.busy++;
    const done = ready ? job(ready) : this.queue.then(async () => {
      if (this.disposed) throw new DisposedError('this session');
      return job(await this.prepare(shapes));
    });
    const settled = done.then(() => { this.busy--; }, () => { this.busy--; });
    this.queue = settled;
    return done;
  }

  /** `RunOptions.outputs` checked for what is known before the plan: names and array types. */
  private outputArrays(outputs: RunOptions['outputs']): Map<string, Float32Array> | undefined {
    if (outputs === undefined) return undefined;
    if (!outputs || typeof outputs !== 'object') throw new InvalidArgumentError('run() option outputs must be an object of Float32Arrays by output name');
    const into = new Map<string, Float32Array>();
    for (const [name, a] of Object.entries(outputs)) {
      if (!this.outputs.some((o) => o.name === name)) throw new InvalidArgumentError(`outputs names '${name}', which is not an output (the model's outputs: ${this.outputs.map((o) => o.name).join(', ')})`);
      if (!(a instanceof Float32Array)) throw new InvalidArgumentError(`outputs['${name}'] must be a Float32Array, got ${a && typeof a === 'object' ? (a as object).constructor?.name : typeof a}`);
      into.set(name, a);
    }
    return into.size ? into : undefined;
  }

  private checkOutputSizes(p: Prepared, into: ReadonlyMap<string, Float32Array>): void {
    for (const [name, a] of into) {
      const dims = p.valueDims.get(name)!;
      if (a.length !== size(dims)) throw new InvalidArgumentError(`outputs['${name}'] has ${a.length} elements; the output is [${dims.join(', ')}] (${size(dims)} elements)`);
    }
  }

  private tensors(p: Prepared, values: Map<string, Float32Array>): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, data] of values) out[name] = new Tensor('float32', data, p.valueDims.get(name)!.slice());
    return out;
  }

  /** The layer table for the planned shape, or for `inputShapes` (planned now, not run). */
  summary(inputShapes?: Record<string, number[]>): SummaryResult {
    this.checkAlive();
    const shapes = this.concreteShapes(inputShapes ?? {}) ?? this.lastShapes();
    if (!shapes) throw this.symbolicDims('summary');
    const cached = this.plans.get(shapeKey(shapes));
    const report = cached ? cached.report : this.reportOnly(shapes);
    return { ...report, inputDims: shapes, text: formatSummary(report, shapes) };
  }

  /**
   * A layer's weights as the kernels use them (batch-norm and per-channel scales already folded in):
   * `weight` (a Conv's OIHW kernels, a Gemm's B) and `bias` when it has one, dense in ONNX order, for the
   * latest planned shape. Needs `keepWeights: true` at create; layer names are `summary().layers[i].name`.
   */
  weights(layer: string): { weight: Tensor; bias?: Tensor } {
    this.checkAlive();
    const last = [...this.plans.values()].pop();
    if (!this.options.keepWeights || !last?.graph) throw new InvalidArgumentError('weights() needs the session created with { keepWeights: true }');
    const node = last.graph.nodes.find((n) => n.name === layer);
    if (!node) throw new InvalidArgumentError(`no layer '${layer}' (layers: ${last.graph.nodes.slice(0, 8).map((n) => `'${n.name}'`).join(', ')}${last.graph.nodes.length > 8 ? ', …' : ''})`);
    const tensor = (name: string | undefined) => {
      const c = name ? last.graph!.consts.get(name) : undefined;
      return c && c.dtype === 'float32' ? new Tensor('float32', Float32Array.from(c.data as Float32Array), c.dims.slice()) : undefined;
    };
    const weight = node.op === 'Conv' || node.op === 'Gemm' ? tensor(node.inputs[1]) : undefined;
    if (!weight) throw new InvalidArgumentError(`layer '${layer}' (${node.op}) has no weights`);
    const bias = tensor(node.inputs[2]);
    return bias ? { weight, bias } : { weight };
  }

  /** Frees the session's memories and workers (after queued runs finish); later calls reject with a DisposedError. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.closing = true; // calls from now on are refused; queued ones finish first
    await this.queue.catch(() => {});
    this.disposed = true;
    for (const p of this.plans.values()) p.exec.release();
    this.plans.clear();
    await this.engine.dispose();
  }

  // ---- internals ----

  private checkAlive(): void {
    if (this.disposed || this.closing) throw new DisposedError('this session');
  }

  private lastShapes(): Record<string, number[]> | null {
    const last = [...this.plans.values()].pop();
    return last ? last.inputDims : null;
  }

  /** Input dims with every symbol bound, or null when a symbol is left. */
  private concreteShapes(given: Record<string, number[]>): Record<string, number[]> | null {
    for (const name of Object.keys(given)) {
      if (!this.inputs.some((i) => i.name === name)) throw new InvalidArgumentError(`inputShapes names '${name}', which is not an input of the model (inputs: ${this.inputs.map((i) => i.name).join(', ')})`);
    }
    const out: Record<string, number[]> = {};
    for (const inp of this.inputs) {
      const d = given[inp.name];
      if (d) { out[inp.name] = d; continue; }
      if (inp.dims.some((x) => typeof x !== 'number' || x <= 0)) return null;
      out[inp.name] = inp.dims as number[];
    }
    return out;
  }

  /**
   * With symbolic input dims planning waits for the first run; fold once now with every symbol bound
   * to 1 and ask the backend about every node, so an operator configuration it does not implement
   * fails at create, not at run. Shape errors caused by the stand-in 1s (a symbolic image size) are
   * not the model's fault: ignored.
   */
  private validateSymbolic(): void {
    const shapes = Object.fromEntries(this.inputs.map((i) => [i.name, i.dims.map((d) => (typeof d === 'number' && d > 0 ? d : 1))]));
    try {
      this.optimized(shapes);
    } catch (e) {
      if (e instanceof UnsupportedError) throw e;
    }
  }

  /**
   * A model whose input dims are all fixed never plans again, and its weights now live in the
   * backend (prepacked): drop the graph's float copies so they are not held twice (mobilenet_v2: 13 MiB).
   */
  private releaseWeights(): void {
    for (const [name, c] of this.graph.consts) if (c.dtype === 'float32') this.graph.consts.delete(name);
    this.weightsReleased = true;
  }

  /** Bound, folded and optimized for the backend, every node supported by it. */
  private optimized(shapes: Record<string, number[]>, progress: (p: Progress) => void = () => {}) {
    if (this.weightsReleased) {
      throw new InvalidArgumentError(`the model's inputs have fixed dims (${this.inputs.map((i) => `${i.name} [${i.dims.join(', ')}]`).join('; ')}); it cannot be planned for [${Object.values(shapes).map((d) => d.join('x')).join(', ')}]`);
    }
    progress({ stage: 'optimize', loaded: 0, total: 1 });
    const folded = bindAndFold(this.graph, shapes);
    const graph = optimize(folded.graph, folded.dims, this.engine.caps);
    for (const node of graph.nodes) {
      const ok = this.engine.supports(node, folded.dims, graph);
      if (ok !== true) throw new UnsupportedError(`${describe(node.name, node.op)}: ${ok}`);
    }
    progress({ stage: 'plan', loaded: 0, total: 1 });
    for (const o of this.outputs) {
      const got = folded.dims.get(o.name)!;
      if (o.dims.length && (o.dims.length !== got.length || o.dims.some((d, i) => typeof d === 'number' && d > 0 && d !== got[i]))) {
        throw new ModelFormatError(`model output '${o.name}' is declared [${o.dims.join(', ')}] but computes [${got.join(', ')}] at input ${Object.entries(shapes).map(([n, d]) => `${n} [${d.join(', ')}]`).join(', ')}`);
      }
    }
    const plan = planMemory(graph, folded.dims, this.engine.caps);
    return { graph, dims: folded.dims, plan };
  }

  /** The report of a plan for `shapes`, compiled and released (summary of a shape not yet run). */
  private reportOnly(shapes: Record<string, number[]>): PlanReport {
    const { graph, dims, plan } = this.optimized(shapes);
    return planReport(graph, dims, plan, this.engine.estimate(graph, dims, plan));
  }

  /** The plan for a shape key if it is made, now the most recently used. */
  private cachedPlan(key: string): Prepared | undefined {
    const hit = this.plans.get(key);
    if (hit) {
      this.plans.delete(key);
      this.plans.set(key, hit); // most recent last
    }
    return hit;
  }

  private async prepare(shapes: Record<string, number[]>): Promise<Prepared> {
    const key = shapeKey(shapes);
    const hit = this.cachedPlan(key);
    if (hit) return hit;
    const progress = this.options.onProgress ?? (() => {});
    const { graph, dims, plan } = this.optimized(shapes, progress);
    progress({ stage: 'prepack', loaded: 0, total: 1 });
    const exec = await this.engine.compile(graph, dims, plan);
    progress({ stage: 'prepack', loaded: 1, total: 1 });
    const prepared: Prepared = { key, exec, report: planReport(graph, dims, plan, exec.report), inputDims: shapes, valueDims: dims, graph: this.options.keepWeights ? graph : null };
    this.plans.set(key, prepared);
    const limit = Math.max(1, this.options.planCacheSize ?? 4);
    while (this.plans.size > limit) {
      const oldest = this.plans.keys().next().value!;
      this.plans.get(oldest)!.exec.release();
      this.plans.delete(oldest);
    }
    return prepared;
  }

  /** The error of a call that needs concrete input dims on a model with symbolic ones. */
  private symbolicDims(method: string): InvalidArgumentError {
    return new InvalidArgumentError(`the model has symbolic input dims (${this.inputs.map((i) => `${i.name}: [${i.dims.join(', ')}]`).join('; ')}); pass inputShapes to ${method}()`);
  }

  /** An input's dims as given (a tensor's or bind's), checked against the model's: integers, the model's rank
   * and fixed dims, none empty. */
  private checkDims(inp: IOInfo, given: unknown): number[] {
    if (!Array.isArray(given) && !ArrayBuffer.isView(given)) throw new InvalidArgumentError(`input '${inp.name}' has no dims (an array of integers), got ${typeof given}`);
    const dims = [...(given as number[])];
    if (dims.some((d) => !Number.isInteger(d))) throw new InvalidArgumentError(`input '${inp.name}' has dims [${dims.join(', ')}]: dims must be integers`);
    if (dims.length !== inp.dims.length || dims.some((d, i) => typeof inp.dims[i] === 'number' && (inp.dims[i] as number) > 0 && d !== inp.dims[i])) {
      throw new InvalidArgumentError(`input '${inp.name}' has dims [${dims.join(', ')}], the model expects [${inp.dims.join(', ')}]`);
    }
    if (dims.some((d) => d <= 0)) throw new InvalidArgumentError(`input '${inp.name}' has an empty dimension: [${dims.join(', ')}]`);
    return dims;
  }

  /** Validates the feeds: their data by name (the caller's arrays) and shapes. */
  private readFeeds(feeds: Record<string, Tensor>): { inputs: Map<string, Float32Array>; shapes: Record<string, number[]> } {
    if (!feeds || typeof feeds !== 'object') throw new InvalidArgumentError('run() takes an object of input tensors by name');
    for (const name of Object.keys(feeds)) {
      if (!this.inputs.some((i) => i.name === name)) throw new InvalidArgumentError(`unknown input '${name}' (the model's inputs: ${this.inputs.map((i) => i.name).join(', ')})`);
    }
    const shapes: Record<string, number[]> = {};
    const inputs = new Map<string, Float32Array>();
    for (const inp of this.inputs) {
      const t = feeds[inp.name];
      if (!t || typeof t !== 'object') throw new InvalidArgumentError(`missing input '${inp.name}' (dims [${inp.dims.join(', ')}])`);
      if (!(t.data instanceof Float32Array) || t.type !== 'float32') {
        const got = t.data && typeof t.data === 'object' ? (t.data as object).constructor?.name ?? typeof t.data : typeof t.data;
        throw new InvalidArgumentError(`input '${inp.name}' must be a float32 Tensor (a Float32Array), got type '${t.type}' with data ${got}`);
      }
      const dims = this.checkDims(inp, t.dims);
      if (size(dims) !== t.data.length) throw new InvalidArgumentError(`input '${inp.name}' has ${t.data.length} elements for dims [${dims.join(', ')}]`);
      shapes[inp.name] = dims;
      inputs.set(inp.name, t.data);
    }
    return { inputs, shapes };
  }


}

/**
 * The backend for `wanted`: 'wasm' and 'reference' as asked; 'webgpu' on any adapter (software
 * included) or a BackendError saying why not; 'auto' runs WebGPU on a hardware adapter (a plan with a
 * node it refuses runs on wasm, said in `backend`), else wasm, or the reference backend where no kernel
 * binary can run, with the reason. Without any WebGPU implementation 'auto' runs wasm quietly.
 */
async function chooseBackend(wanted: string, options: SessionOptions): Promise<{ engine: Backend; note: string }> {
  const backendOptions = { threads: options.threads, flavor: options.flavor, pool: options.pool, gpu: options.gpu, wasm: options.wasm, workerUrl: options.workerUrl, winograd: options.winograd };
  if (wanted === 'reference') return { engine: await BACKENDS.reference.create(backendOptions), note: '' };
  const gpuOptions = { ...backendOptions, fallback: { wasm: BACKENDS.wasm, reference: BACKENDS.reference } };
  if (wanted === 'webgpu') return { engine: await BACKENDS.webgpu.create(gpuOptions), note: '' };
  let note = '';
  if (wanted === 'auto' && !options.flavor && !options.pool) {
    const gpu = await openAdapter(backendOptions);
    if (gpu.ok && !gpu.software) {
      try {
        return { engine: await BACKENDS.webgpu.create({ ...gpuOptions, adapter: gpu.adapter, fallbackOnUnsupported: true }), note: '' };
      } catch (e) {
        note = ` (webgpu: ${(e as Error).message.replace(/^webgpu: /, '')})`;
      }
    } else if (gpu.ok) {
      note = ` (webgpu: software adapter '${gpu.software}', wasm is faster)`;
    } else if (options.gpu) {
      note = ` (webgpu: ${gpu.reason})`; // a GPU object was given and failed: say so; none at all: quiet
    }
    const probe = await BACKENDS.wasm.probe(backendOptions);
    if (!probe.ok) return { engine: await BACKENDS.reference.create(backendOptions), note: ` (wasm: ${probe.reason})${note}` };
  }
  return { engine: await BACKENDS.wasm.create(backendOptions), note };
}

function isGraph(m: ModelSource): m is Graph {
  return typeof m === 'object' && m !== null && !(m instanceof Uint8Array) && !(m instanceof ArrayBuffer) && !(m instanceof URL) && Array.isArray((m as Graph).nodes);
}

const shapeKey = (s: Record<string, number[]>): string => Object.keys(s).sort().map((k) => `${k}:${s[k].join('x')}`).join(';');
