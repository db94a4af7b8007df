// A ConstWriter (src/backends/wasm/kernels/types.ts) over a test Harness: bump allocation in the harness memory.
import type { ConstWriter } from '../../src/backends/wasm/kernels/types.js';
import type { Harness } from './harness.js';

export class HarnessConstWriter implements ConstWriter {
  private zeroPtr = 0;
  private zeroBytes = 0;
  constructor(private readonly h: Harness) {}
  f32(data: Float32Array): number { return this.h.put(data); }
  i32(data: Int32Array): number { return this.h.putI32(data); }
  reserve(): void { /* the harness fails on its own when its memory is exhausted */ }
  /** One shared zero buffer, replaced by a larger one when a caller needs more. */
  zeros(bytes: number): number {
    if (bytes > this.zeroBytes) {
      this.zeroBytes = Math.ceil(bytes / 16) * 16;
      this.zeroPtr = this.h.alloc(this.zeroBytes / 4, 0);
    }
    return this.zeroPtr;
  }
}
