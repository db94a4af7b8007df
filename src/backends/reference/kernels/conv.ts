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

export interface RefConvTransposeParams {
  n: number; cin: number; h: number; w: number;
  /** output channels (all groups) and output size */
  cout: number; oh: number; ow: number;
  kh: number; kw: number; sh: number; sw: number;
  /** begin pads [top, left]: output pixel oy is the full (uncropped) result's row oy + pt */
  pt: number; pl: number;
  dh: number; dw: number;
  groups: number;
}

/**
 * Transposed convolution, scatter form (the definition): every input pixel x[n][ci][iy][ix] adds
 * x·w[ci][co][ky][kx] to y[n][g·coutG + co][iy·sh − pt + ky·dh][ix·sw − pl + kx·dw] when that lies in the
 * output; then the bias. x NCHW, w [cin][cout/groups][kh][kw] (ONNX), y NCHW [n][cout][oh][ow], float64 sums.
 */
export function refConvTranspose2d(x: ArrayLike<number>, w: ArrayLike<number>, bias: ArrayLike<number> | undefined, p: RefConvTransposeParams): Float64Array {
  const cinG = p.cin / p.groups, coutG = p.cout / p.groups;
  const y = new Float64Array(p.n * p.cout * p.oh * p.ow);
  for (let n = 0; n < p.n; n++) for (let ci = 0; ci < p.cin; ci++) {
    const g = Math.floor(ci / cinG);
    for (let iy = 0; iy < p.h; iy++) for (let ix = 0; ix < p.w; ix++) {
      const v = x[((n * p.cin + ci) * p.h + iy) * p.w + ix];
      for (let co = 0; co < coutG; co++) {
        const o = g * coutG + co, yb = (n * p.cout + o) * p.oh;
        for (let ky = 0; ky < p.kh; ky++) {
          const oy = iy * p.sh - p.pt + ky * p.dh;
          if (oy < 0 || oy >= p.oh) continue;
          for (let kx = 0; kx < p.kw; kx++) {
            const ox = ix * p.sw - p.pl + kx * p.dw;
            if (ox < 0 || ox >= p.ow) continue;
            y[(yb + oy) * p.ow + ox] += v * w[((ci * coutG + co) * p.kh + ky) * p.kw + kx];
          }
        }
      }
    }
  }
  if (bias) for (let i = 0; i < y.length; i++) y[i] += bias[Math.floor(i / (p.oh * p.ow)) % p.cout];
  return y;
}

export interface RefLocalParams {
  n: number; cin: number; h: number; w: number; cout: number; oh: number; ow: number;
  kh: number; kw: number; sh: number; sw: number; pt: number; pl: number; dh: number; dw: number;
}

/**
 * Locally-connected layer: y[n][co][oy][ox] = bias[oy][ox][co] + sum over ci, ky, kx of
 * x[n][ci][oy*sh - pt + ky*dh][ox*sw - pl + kx*dw] * w[oy][ox][co][ci][ky][kx] (outside the input reads 0).
 * x NCHW, y NCHW, float64 sums.
 */
export function refLocallyConnected2d(x: ArrayLike<number>, w: ArrayLike<number>, bias: ArrayLike<number> | undefined, p: RefLocalParams): Float64Array {
  const y = new Float64Array(p.n * p.cout * p.oh * p.ow);
  for (let n = 0; n < p.n; n++) for (let co = 0; co < p.cout; co++) for (let oy = 0; oy < p.oh; oy++) for (let ox = 0; ox < p.ow; ox++) {
    const q = oy * p.ow + ox;
    let s = bias ? bias[q * p.cout + co] : 0;
    for (let ci = 0; ci < p.cin; ci++) for (let ky = 0; ky < p.kh; ky++) {
      const iy = oy * p.sh - p.pt + ky * p.dh;
      if (iy < 0 || iy >= p.h) continue;
      for (let kx = 0; kx < p.kw; kx++) {
        const ix = ox * p.sw - p.pl + kx * p.dw;
        if (ix < 0 || ix >= p.w) continue;
        s += x[((n * p.cin + ci) * p.h + iy) * p.w + ix] * w[(((q * p.cout + co) * p.cin + ci) * p.kh + ky) * p.kw + kx];
      }
    }
    y[((n * p.cout + co) * p.oh + oy) * p.ow + ox] = s;
  }
  return y;
}
