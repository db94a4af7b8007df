// Host side of the locally-connected layer (assembly/local.ts): weight packing and lowering.
import type { Activation, ConstWriter, NhwcRef, Step } from './types.js';
import { step } from '../abi.js';

export interface LocalDesc {
  /** [OH][OW][C_out][C_in][kh][kw]: every output position has its own filters */
  weights: Float32Array;
  /** [OH][OW][C_out] */
  bias?: Float32Array;
  kernel: readonly number[];
  strides: readonly number[];
  /** [top, left, bottom, right] (the bottom/right pads only set the output size) */
  pads: readonly number[];
  dilations: readonly number[];
  act: Activation;
}

/** Per output position q: (1 + kh·kw·cin) rows of C4 = ceil(cout/4)·4 floats; row 0 = bias, row
 * 1 + (ky·kw + kx)·cin + ci = the weights of (ci, ky, kx) for every output channel; lanes ≥ cout zero. */
export function packLocalWeights(w: Float32Array, bias: Float32Array | undefined, positions: number, cout: number, cin: number, kh: number, kw: number): Float32Array {
  const c4 = Math.ceil(cout / 4) * 4, taps = kh * kw, rows = 1 + taps * cin;
  if (w.length !== positions * cout * cin * taps) throw new Error(`packLocalWeights: ${w.length} weights, expected ${positions}x${cout}x${cin}x${kh}x${kw}`);
  const out = new Float32Array(positions * rows * c4);
  for (let q = 0; q < positions; q++) {
    const base = q * rows * c4;
    for (let co = 0; co < cout; co++) {
      if (bias) out[base + co] = bias[q * cout + co];
      const src = (q * cout + co) * cin * taps;
      for (let ci = 0; ci < cin; ci++) for (let t = 0; t < taps; t++) out[base + (1 + t * cin + ci) * c4 + co] = w[src + ci * taps + t];
    }
  }
  return out;
}

/** y = act(locallyConnected(x, W) + bias): one Step of `f32_local_conv_nhwc`, range = N·OH·OW output pixels. */
export function lowerLocallyConnected(desc: LocalDesc, x: NhwcRef, y: NhwcRef, cw: ConstWriter): Step[] {
  const [kh, kw] = desc.kernel, [sh, sw] = desc.strides, [dh, dw] = desc.dilations;
  const pixels = y.n * y.h * y.w;
  if (pixels === 0) return [];
  const w = cw.f32(packLocalWeights(desc.weights, desc.bias, y.h * y.w, y.c, x.c, kh, kw));
  return [step('f32_local_conv_nhwc', {
    x: x.ptr, ih: x.h, iw: x.w, xStride: x.pixelStride, y: y.ptr, oh: y.h, ow: y.w, yStride: y.pixelStride, cin: x.c, cout: y.c,
    kh, kw, sh, sw, dh, dw, pt: desc.pads[0], pl: desc.pads[1], w, act: desc.act.kind, p0: desc.act.p0, p1: desc.act.p1,
  }, pixels, 2 * pixels * y.c * x.c * kh * kw)];
}
