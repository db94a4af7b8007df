import { InvalidArgumentError } from './errors.js';
import { imageToTensorData, type ImageSource, type FromImageOptions } from './image.js';

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

  /**
   * An image as a model input: a float32 tensor [1, C, H, W] (or [1, H, W, C] with `layout: 'nhwc'`).
   * `source`: ImageData, ImageBitmap, HTMLImageElement (awaited if still loading), HTMLCanvasElement,
   * OffscreenCanvas, VideoFrame, HTMLVideoElement, or raw 8-bit pixels `{ data, width, height }`
   * (RGBA, RGB or gray; no DOM needed). The image is center-cropped to the output's aspect (unless
   * `crop: 'none'`), resized bilinearly to `size`, made RGB or gray (`channels`), scaled to [0, 1] and
   * normalized per channel: (x - mean) / std. Alpha is ignored. Bad sources or options throw an
   * InvalidArgumentError naming what is wrong.
   */
  static async fromImage(source: ImageSource, options?: FromImageOptions): Promise<Tensor> {
    const { data, dims } = await imageToTensorData(source, options);
    return new Tensor('float32', data, dims);
  }
}
