import { InvalidArgumentError } from './errors.js';

export type DataType = 'float32';

/** A plain, copyable tensor in the model's own layout (NCHW for ONNX image tensors). */
export class Tensor {
  readonly type: DataType;
  readonly data: Float32Array;
  readonly dims: readonly number[];
  constructor(type: DataType, data: Float32Array | ArrayLike<number>, dims: readonly number[]) {
    if (type !== 'float32') throw new InvalidArgumentError(`tensor type '${type}' is not supported (only 'float32')`);
    for (const d of dims) {
      if (!Number.isInteger(d) || d < 0) throw new InvalidArgumentError(`tensor dims [${dims.join(', ')}] must be non-negative integers`);
    }
    const size = dims.reduce((a, b) => a * b, 1);
    const arr = data instanceof Float32Array ? data : Float32Array.from(data);
    if (arr.length !== size) {
      throw new InvalidArgumentError(`tensor data has ${arr.length} elements but dims [${dims.join(', ')}] need ${size}`);
    }
    this.type = type;
    this.data = arr;
    this.dims = Object.freeze([...dims]);
  }
  get size(): number { return this.data.length; }
}
