import './webassembly-types.js'; // the WebAssembly types the declarations name, without the DOM lib
export { Session } from './session.js';
export type { SessionOptions, RunOptions, ModelSource, Progress, IOInfo, SummaryResult, Binding } from './session.js';
export { Tensor } from './tensor.js';
export type { DataType } from './tensor.js';
export type { ImageSource, RawImage, BrowserImageSource, FromImageOptions } from './image.js';
export { softmax, topK } from './scores.js';
export type { TopKEntry } from './scores.js';
export { NetworkBuilder } from './model/builder.js';
export type { ConvSpec, LocallyConnectedSpec, PoolSpec, DenseSpec, BatchNormSpec, LayerRef, ActivationName, Padding, Pair } from './model/builder.js';
export type { Graph, Node, Dim, Dims, ConstTensor, ValueInfo, FusedActivation } from './model/ir.js';
export {
  EdgeCnnError, InvalidArgumentError, LayerError, ModelFormatError, UnsupportedError, ResourceLimitError, BackendError, DisposedError,
} from './errors.js';
export type { ErrorCode } from './errors.js';
export type { PlanReport, LayerReport } from './plan/plan.js';
export type { Profile, LayerProfile } from './plan/summary.js';
export type { Flavor, WasmSource, WasmSources } from './backends/wasm/binaries.js';
export { WorkerPool } from './backends/wasm/pool/pool.js';
export type { PoolCreateOptions, PoolKernels, PoolPlan } from './backends/wasm/pool/pool.js';
