// Plain-TypeScript reference convolution: NCHW input, OIHW weights, float64 accumulation.
import type { ActFn } from '../../../model/activation.js';

export interface RefConvParams {
  n: number; cin: number; h: number; w: number;
  cout: number; kh: number; kw: number;
  sh: number; sw: number;
  /** top, left, bottom, right */
  pads: [number, number, number, number];
  dh: number; dw: number;
  groups: number;
}

export function refConvOutSize(p: RefConvParams): [number, number] {
  const oh = Math.floor((p.h + p.pads[0] + p.pads[2] - p.dh * (p.kh - 1) - 1) / p.sh) + 1;
  const ow = Math.floor((p.w + p.pads[1] + p.pads[3] - p.dw * (p.kw - 1) - 1) / p.sw) + 1;
  return [oh, ow];
}

/**
 * y[n][o][oy][ox] = act(bias[o] + residual[n][o][oy][ox] +
 *   sum over ci < cin/groups, ky, kx of x[n][g*cin/groups + ci][oy*sh - pt + ky*dh][ox*sw - pl + kx*dw] * w[o][ci][ky][kx])
 * with g = floor(o / (cout/groups)) and out-of-range input reading 0. x, residual, y are NCHW.
 */
export function refConv2d(
  x: Float32Array, w: Float32Array, bias: Float32Array | undefined, residual: Float32Array | null,
  p: RefConvParams, act: ActFn,
): Float64Array {
  const [oh, ow] = refConvOutSize(p);
  const cinG = p.cin / p.groups, coutG = p.cout / p.groups;
  const y = new Float64Array(p.n * p.cout * oh * ow);
  for (let n = 0; n < p.n; n++) {
    for (let o = 0; o < p.cout; o++) {
      const g = Math.floor(o / coutG);
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          let s = 0;
          for (let ci = 0; ci < cinG; ci++) {
            const c = g * cinG + ci;
            for (let ky = 0; ky < p.kh; ky++) {
              const iy = oy * p.sh - p.pads[0] + ky * p.dh;
              if (iy < 0 || iy >= p.h) continue;
              for (let kx = 0; kx < p.kw; kx++) {
                const ix = ox * p.sw - p.pads[1] + kx * p.dw;
                if (ix < 0 || ix >= p.w) continue;
                s += x[((n * p.cin + c) * p.h + iy) * p.w + ix] * w[((o * cinG + ci) * p.kh + ky) * p.kw + kx];
              }
            }
          }
          const yi = ((n * p.cout + o) * oh + oy) * ow + ox;
          if (bias) s += bias[o];
          if (residual) s += residual[yi];
          y[yi] = act(s);
        }
      }
    }
  }
  return y;
}
