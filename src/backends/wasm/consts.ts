// The constants region: prepacked weights, indirection buffers, tables. Collected while lowering,
// copied into linear memory once, after the memory is created.
import type { ConstWriter } from './kernels/types.js';

export class ConstRegion implements ConstWriter {
  private chunks: { offset: number; data: Float32Array | Int32Array }[] = [];
  private top: number;
  constructor(readonly base: number, private readonly zeroPtr: number, private readonly zeroBytes: number,
    private readonly limit = Infinity, private readonly onLimit: (need: number) => Error = (n) => new RangeError(`${n} bytes`)) {
    this.top = base;
  }
  reserve(bytes: number): void {
    if (this.top + bytes > this.limit) throw this.onLimit(this.top + bytes);
  }
  private place(data: Float32Array | Int32Array): number {
    this.reserve(data.byteLength);
    const p = this.top;
    this.chunks.push({ offset: p, data });
    this.top = Math.ceil((p + data.byteLength) / 16) * 16;
    return p;
  }
  f32(data: Float32Array): number { return this.place(data); }
  i32(data: Int32Array): number { return this.place(data); }
  zeros(bytes: number): number {
    if (bytes > this.zeroBytes) throw new Error(`internal: zero buffer of ${bytes} bytes requested, ${this.zeroBytes} reserved`);
    return this.zeroPtr;
  }
  /** End of the region (exclusive). */
  get end(): number { return this.top; }
  get bytes(): number { return this.top - this.base; }
  /** Copies every chunk into `memory` (the memory must be at least `end` bytes). */
  writeTo(memory: WebAssembly.Memory): void {
    const buf = memory.buffer;
    for (const c of this.chunks) {
      const view = c.data instanceof Float32Array ? new Float32Array(buf, c.offset, c.data.length) : new Int32Array(buf, c.offset, c.data.length);
      view.set(c.data as any);
    }
    this.chunks = []; // the data now lives in wasm memory only
  }
}
