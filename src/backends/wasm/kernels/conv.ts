// Host side of the convolution kernels: kernel choice, weight prepacking, indirection buffers, lowering.
//   1x1 / stride 1 / no padding / groups 1      -> f32_gemm_6x8 (assembly/gemm.ts), pixels are GEMM rows
//   groups == Cin == Cout (depthwise, mult. 1) -> f32_dwconv_16c (assembly/dwconv.ts)
//   anything else                              -> f32_igemm_6x8 (assembly/conv.ts), one Step per group
import type { Activation, ConstWriter, NhwcRef, Step } from './types.js';
import { windowOutputSize } from '../../../model/shapes.js';
import { GEMM, packGemmWeights } from './gemm.js';
import { step } from '../abi.js';

/** The depthwise family: 16 channels per vector step (4 v128 lanes x 4), weights packed tap-major. */
export const DWCONV = { kernel: 'f32_dwconv_16c', channels: 16, pack: packDwconvWeights } as const;

export interface Conv2dDesc {
  /** OIHW: O = cout, I = cin / groups. */
  weights: Float32Array;
  bias?: Float32Array;
  cout: number;
  /** [kh, kw] */
  kernel: [number, number];
  /** [sh, sw] */
  strides: [number, number];
  /** [top, left, bottom, right] */
  pads: [number, number, number, number];
  /** [dh, dw] */
  dilations: [number, number];
  groups: number;
  act: Activation;
}

/** Output extent of one spatial axis: floor((in + padBegin + padEnd - dilation*(k-1) - 1) / stride) + 1. */
export function convOutputSize(input: number, kernel: number, stride: number, padBegin: number, padEnd: number, dilation = 1): number {
  return windowOutputSize(input, kernel, stride, padBegin, padEnd, dilation);
}

/** Which kernel `lowerConv2d` uses for a convolution of `cin` input channels. */
export function convKernelFor(desc: Conv2dDesc, cin: number): 'gemm' | 'dwconv' | 'igemm' {
  const [kh, kw] = desc.kernel;
  const [sh, sw] = desc.strides;
  if (desc.groups === 1 && kh === 1 && kw === 1 && sh === 1 && sw === 1 && desc.pads.every((p) => p === 0)) return 'gemm';
  if (desc.groups === cin && desc.cout === cin && cin > 1) return 'dwconv';
  return 'igemm';
}

/**
 * The indirection buffer: for each output pixel p = (n*OH + oy)*OW + ox and tap t = ky*KW + kx, the absolute
 * byte address of input pixel (n, oy*sh - pt + ky*dh, ox*sw - pl + kx*dw), or `zeroPtr` when that is padding.
 */
export function buildIndirection(desc: Conv2dDesc, x: NhwcRef, oh: number, ow: number, zeroPtr: number): Int32Array {
  const [kh, kw] = desc.kernel;
  const [sh, sw] = desc.strides;
  const [dh, dw] = desc.dilations;
  const [pt, pl] = desc.pads;
  const taps = kh * kw;
  const ind = new Int32Array(x.n * oh * ow * taps);
  let i = 0;
  for (let n = 0; n < x.n; n++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pl + kx * dw;
            ind[i++] = iy >= 0 && iy < x.h && ix >= 0 && ix < x.w
              ? x.ptr + ((n * x.h + iy) * x.w + ix) * x.pixelStride * 4
              : zeroPtr;
          }
        }
      }
    }
  }
  if (i !== ind.length) throw new Error('buildIndirection: internal size mismatch');
  return ind;
}

/** Depthwise packing: C4 = ceil(C/4)*4 floats per row; row 0 = bias, row 1 + t = tap t's weights. */
export function packDwconvWeights(weights: Float32Array, channels: number, taps: number, bias?: Float32Array): Float32Array {
  if (weights.length !== channels * taps) throw new Error(`packDwconvWeights: ${weights.length} weights, expected ${channels}x${taps}`);
  const c4 = Math.ceil(channels / 4) * 4;
  const out = new Float32Array((taps + 1) * c4);
  for (let ch = 0; ch < channels; ch++) {
    if (bias) out[ch] = bias[ch];
    for (let t = 0; t < taps; t++) out[(1 + t) * c4 + ch] = weights[ch * taps + t];
  }
  return out;
}

/**
 * Lowers y = act(conv2d(x, W) + bias + residual) to Steps. x, y (and residual) are NHWC with their own pixel
 * strides; x's address must be final (the indirection buffer holds absolute addresses into it).
 */
export function lowerConv2d(desc: Conv2dDesc, x: NhwcRef, y: NhwcRef, residual: NhwcRef | null, cw: ConstWriter): Step[] {
  const [kh, kw] = desc.kernel;
  const [sh, sw] = desc.strides;
  const [pt, pl, pb, pr] = desc.pads;
  const [dh, dw] = desc.dilations;
  const { groups, cout, act } = desc;
  const cin = x.c;
  if (!(groups >= 1 && cin % groups === 0 && cout % groups === 0)) {
    throw new Error(`lowerConv2d: groups ${groups} must divide cin ${cin} and cout ${cout}`);
  }
  const cinG = cin / groups, coutG = cout / groups, taps = kh * kw;
  if (desc.weights.length !== cout * cinG * taps) {
    throw new Error(`lowerConv2d: ${desc.weights.length} weights, expected ${cout}x${cinG}x${kh}x${kw}`);
  }
  if (desc.bias && desc.bias.length !== cout) throw new Error(`lowerConv2d: bias has ${desc.bias.length} values, expected ${cout}`);
  const oh = convOutputSize(x.h, kh, sh, pt, pb, dh);
  const ow = convOutputSize(x.w, kw, sw, pl, pr, dw);
  if (y.n !== x.n || y.h !== oh || y.w !== ow || y.c !== cout) {
    throw new Error(`lowerConv2d: output is ${y.n}x${y.h}x${y.w}x${y.c}, expected ${x.n}x${oh}x${ow}x${cout}`);
  }
  if (x.pixelStride < x.c || y.pixelStride < y.c) throw new Error('lowerConv2d: pixelStride smaller than channels');
  if (residual && (residual.n !== y.n || residual.h !== oh || residual.w !== ow || residual.c !== cout || residual.pixelStride < cout)) {
    throw new Error(`lowerConv2d: residual is ${residual.n}x${residual.h}x${residual.w}x${residual.c}, expected ${y.n}x${oh}x${ow}x${cout}`);
  }
  const pixels = x.n * oh * ow;
  if (pixels === 0) return [];
  const flops = 2 * pixels * cout * cinG * taps;
  const rp = residual ? residual.ptr : 0, rs = residual ? residual.pixelStride : 0;
  const kind = convKernelFor(desc, cin);

  if (kind === 'gemm') {
    const w = cw.f32(packGemmWeights(desc.weights, cin, cout, desc.bias));
    return [step(GEMM.direct, {
      a: x.ptr, aStride: x.pixelStride, w, c: y.ptr, cStride: y.pixelStride, r: rp, rStride: rs, k: cin, n: cout, act: act.kind, p0: act.p0, p1: act.p1,
    }, pixels, flops, GEMM.mr)];
  }

  // Padding taps read the zero buffer at up to cin floats past it (igemm adds the group's channel offset).
  const zero = cw.zeros(Math.max(16, cin * 4));
  cw.reserve(pixels * taps * 4);
  const ind = cw.i32(buildIndirection(desc, x, oh, ow, zero));

  if (kind === 'dwconv') {
    const w = cw.f32(DWCONV.pack(desc.weights, cin, taps, desc.bias));
    return [step(DWCONV.kernel, {
      ind, taps, w, c: y.ptr, cStride: y.pixelStride, r: rp, rStride: rs, channels: cin, act: act.kind, p0: act.p0, p1: act.p1,
    }, pixels, flops)];
  }

  const steps: Step[] = [];
  const kg = taps * cinG;
  // Row kk = t*cinG + ci of the packed K dimension: tap-major, matching the kernel's taps-outer loop;
  // OIHW keeps a column's weights at ci*taps + t.
  const tapMajor = new Int32Array(kg);
  for (let t = 0; t < taps; t++) for (let ci = 0; ci < cinG; ci++) tapMajor[t * cinG + ci] = ci * taps + t;
  for (let g = 0; g < groups; g++) {
    const o0 = g * coutG;
    const packed = GEMM.pack(coutG, kg, desc.weights, o0 * cinG * taps, cinG * taps, tapMajor, desc.bias ? desc.bias.subarray(o0, o0 + coutG) : undefined);
    const w = cw.f32(packed);
    steps.push(step(GEMM.indirect, {
      ind, taps, inOffset: g * cinG * 4, kc: cinG, w, c: y.ptr + o0 * 4, cStride: y.pixelStride, r: rp ? rp + o0 * 4 : 0, rStride: rs,
      n: coutG, act: act.kind, p0: act.p0, p1: act.p1,
    }, pixels, flops / groups, GEMM.mr));
  }
  return steps;
}
