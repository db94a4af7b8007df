// Host side of ConvTranspose (transposed convolution) on the convolution microkernel: the sub-pixel
// (phase) decomposition. Output row oy receives kernel row ky from input row iy = (oy + pt − ky·dh) / sh
// when that division is exact, which depends only on the phase ry = oy mod sh. So the rows of one phase,
// oy = ry + q·sh, are a stride-1 convolution of x with the taps T(ry) = { ky : (ry + pt − ky·dh) ≡ 0 mod sh }
// (input row q + (ry + pt − ky·dh)/sh), and likewise for columns. Each of the sh·sw phases is one
// `f32_igemm_4x8` Step per group over its own indirection buffer and its own packed weights (exactly the
// taps that contribute: no multiply by an inserted zero, nothing cropped away); a phase with no tap on an
// axis (kernel 1, stride 2) is a bias-only phase (one zero tap). With stride 1 the single phase writes y
// directly. Otherwise each phase writes a dense [N, QH, QW, C_out] block of the node's scratch buffer
// (planned arena memory live during this node only), and one strided copy per phase interleaves it into y
// (rows sh·OW·pixelStride apart, pixels sw·pixelStride apart): the depth-to-space step and the crop in one.
// A fused activation runs in the igemm epilogue (bias-only outputs included).
import type { Activation, ConstWriter, NhwcRef, Step } from './types.js';
import { GEMM } from './gemm.js';
import { lowerStridedCopy } from './layout.js';
import { step } from '../abi.js';
import { axisPhases } from '../../../model/shapes.js';

export { axisPhases };

export interface ConvTransposeDesc {
  /** ONNX layout [C_in][C_out / groups][kh][kw] */
  weights: Float32Array;
  bias?: Float32Array;
  /** [kh, kw], [sh, sw], [dh, dw]; pads: [top, left] begin pads (the end pads only set the output size) */
  kernel: readonly number[];
  strides: readonly number[];
  dilations: readonly number[];
  pads: readonly number[];
  groups: number;
  act: Activation;
}

/** Scratch bytes the lowering needs for an output of `outElements` floats: none with stride 1. */
export function convTransposeScratchBytes(strides: readonly number[], outElements: number): number {
  return strides[0] * strides[1] > 1 ? outElements * 4 : 0;
}

/**
 * y = act(convTranspose(x, W) + bias). x, y NHWC (any pixel strides); `scratch` is the address of
 * convTransposeScratchBytes bytes (0 when none is needed); x's address must be final (indirection).
 */
export function lowerConvTranspose(desc: ConvTransposeDesc, x: NhwcRef, y: NhwcRef, scratch: number, cw: ConstWriter): Step[] {
  const [kh, kw] = desc.kernel, [sh, sw] = desc.strides, [dh, dw] = desc.dilations;
  const { groups, act } = desc;
  const cin = x.c, cout = y.c, cinG = cin / groups, coutG = cout / groups;
  if (!(groups >= 1 && cin % groups === 0 && cout % groups === 0)) throw new Error(`lowerConvTranspose: groups ${groups} must divide cin ${cin} and cout ${cout}`);
  if (desc.weights.length !== cin * coutG * kh * kw) throw new Error(`lowerConvTranspose: ${desc.weights.length} weights, expected ${cin}x${coutG}x${kh}x${kw}`);
  if (desc.bias && desc.bias.length !== cout) throw new Error(`lowerConvTranspose: bias has ${desc.bias.length} values, expected ${cout}`);
  const direct = sh * sw === 1;
  if (!direct && !scratch) throw new Error('lowerConvTranspose: a strided transposed convolution needs its scratch buffer');
  if (y.n * y.h * y.w === 0) return [];
  const rows = axisPhases(y.h, x.h, kh, sh, dh, desc.pads[0]);
  const cols = axisPhases(y.w, x.w, kw, sw, dw, desc.pads[1]);
  const zero = cw.zeros(Math.max(16, cin * 4));
  const compute: Step[] = [], interleave: Step[] = [];
  let at = scratch;
  for (const ph of rows) {
    for (const pw of cols) {
      const qh = ph.count, qw = pw.count, pixels = x.n * qh * qw;
      if (pixels === 0) continue;
      // a bias-only axis gets one tap that reads the zero buffer with zero weights
      const ty = ph.taps.length ? ph.taps : [{ k: -1, offset: 0 }];
      const tx = pw.taps.length ? pw.taps : [{ k: -1, offset: 0 }];
      const taps = ty.length * tx.length;
      cw.reserve(pixels * taps * 4);
      const ind = new Int32Array(pixels * taps);
      let i = 0;
      for (let n = 0; n < x.n; n++) for (let q = 0; q < qh; q++) for (let p = 0; p < qw; p++) {
        for (const a of ty) {
          const iy = q + a.offset;
          for (const b of tx) {
            const ix = p + b.offset;
            ind[i++] = a.k >= 0 && b.k >= 0 && iy >= 0 && iy < x.h && ix >= 0 && ix < x.w ? x.ptr + ((n * x.h + iy) * x.w + ix) * x.pixelStride * 4 : zero;
          }
        }
      }
      const indPtr = cw.i32(ind);
      const out = direct ? y.ptr : at, outStride = direct ? y.pixelStride : cout;
      const kg = taps * cinG;
      for (let g = 0; g < groups; g++) {
        // [coutG][taps·cinG], row kk = tap·cinG + ci (the igemm's tap-major K order)
        const mat = new Float32Array(coutG * kg);
        for (let co = 0; co < coutG; co++) {
          let t = 0;
          for (const a of ty) for (const b of tx) {
            if (a.k >= 0 && b.k >= 0) {
              for (let ci = 0; ci < cinG; ci++) mat[co * kg + t * cinG + ci] = desc.weights[(((g * cinG + ci) * coutG + co) * kh + a.k) * kw + b.k];
            }
            t++;
          }
        }
        const o0 = g * coutG;
        const w = cw.f32(GEMM.pack(coutG, kg, mat, 0, kg, undefined, desc.bias ? desc.bias.subarray(o0, o0 + coutG) : undefined));
        compute.push(step(GEMM.indirect, {
          ind: indPtr, taps, inOffset: g * cinG * 4, kc: cinG, w, c: out + o0 * 4, cStride: outStride, r: 0, rStride: 0,
          n: coutG, act: act.kind, p0: act.p0, p1: act.p1,
        }, pixels, 2 * pixels * coutG * kg, GEMM.mr));
      }
      if (!direct) {
        interleave.push(...lowerStridedCopy({
          dims: [x.n, qh, qw, cout],
          src: at, srcStrides: [qh * qw * cout, qw * cout, cout, 1],
          dst: y.ptr + (ph.r * y.w + pw.r) * y.pixelStride * 4,
          dstStrides: [y.h * y.w * y.pixelStride, sh * y.w * y.pixelStride, sw * y.pixelStride, 1],
        }, cw));
        at += pixels * cout * 4;
      }
    }
  }
  return compute.concat(interleave);
}
