// Host side of the convolution kernels: kernel choice, weight prepacking, indirection buffers, lowering.
//   1x1 / stride 1 / no padding / groups 1      -> f32_gemm_4x8 (assembly/gemm.ts), pixels are GEMM rows
//   groups == Cin == Cout (depthwise, mult. 1) -> f32_dwconv_16c (assembly/dwconv.ts)
//   3x3 / stride 1 / dilation 1 / groups 1, where it pays (WINOGRAD.pays)
//                                              -> f32_winograd_2x2 / _4x4 (assembly/winograd.ts)
//   anything else                              -> f32_igemm_4x8 (assembly/conv.ts), one Step per group; over
//                                                 ≤ 4 input channels one pointer per kernel row (ROW_TAPS)
import type { Activation, ConstWriter, NhwcRef, Step } from './types.js';
import { windowOutputSize } from '../../../model/shapes.js';
import { GEMM, packGemmWeights } from './gemm.js';
import { step } from '../abi.js';
import { claimMakespan } from '../pool/protocol.js';

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

/** The shape of a convolution (what the kernel choice and the workspace size depend on). */
export type ConvShape = Pick<Conv2dDesc, 'cout' | 'kernel' | 'strides' | 'pads' | 'dilations' | 'groups'>;

/** Per-layer lowering options. */
export interface ConvOptions {
  /** Threads the program runs on: a Winograd step gets a few items per thread (each with its own workspace slot). */
  threads?: number;
  /** Address of a workspace region of at least `convWorkspaceBytes` bytes (the program's shared one, reserved at plan
   * time). Absent: the lowering reserves a private one in the constants region (kernel tests, benchmarks). */
  workspace?: number;
  /** Winograd where it applies: true (tile by `WINOGRAD.tileFor`), 2 or 4 (that tile), false (never);
   * default: where `WINOGRAD.pays`. */
  winograd?: boolean | 2 | 4;
  /** Tiles per Winograd block instead of `WINOGRAD.tileBlock` (tests of block edges, benchmarks). */
  tileBlock?: number;
  /** Row taps (ROW_TAPS) where they apply; default true (false: tests and benchmarks of the per-tap path). */
  rowTaps?: boolean;
}

type WinogradTile = 2 | 4;

/**
 * The Winograd family for stride-1, dilation-1 3x3 convolutions with groups 1: F(2x2,3x3) (`f32_winograd_2x2`,
 * 16 multiply-adds per (ci, co) pair and 2x2 outputs instead of 36: 2.25x fewer) and F(4x4,3x3)
 * (`f32_winograd_4x4`, 36 per 4x4 outputs instead of 144: 4x fewer), plus transforms that are O(cin + cout) per
 * tile; the GEMMs run on the 4x8 microkernel with tiles as rows, so a block holds a few 4-row tiles.
 */
export const WINOGRAD = {
  kernels: { 2: 'f32_winograd_2x2', 4: 'f32_winograd_4x4' },
  /** Scratch budget of V (positions x tileBlock x cin4 floats), to stay in L2. */
  vBudget: 192 << 10,
  /** Tile blocks are multiples of the microkernel's rows (GEMM.mr), at most this many tiles. */
  maxTileBlock: 48,
  /** Items per thread when threads > 1 (each item owns one workspace slot; dynamic chunks balance them). */
  itemsPerThread: 4,
  /** Whether Winograd applies to this shape (exactness of the algorithm, not speed). */
  applies(shape: ConvShape, cin: number): boolean {
    return shape.groups === 1 && shape.kernel[0] === 3 && shape.kernel[1] === 3 && shape.strides[0] === 1 && shape.strides[1] === 1
      && shape.dilations[0] === 1 && shape.dilations[1] === 1 && cin >= 1;
  },
  /** Whether it is faster than the direct igemm, one thread (bench/kernels.ts --winograd; notes in DESIGN.md):
   * 16→16 56x56 F(2x2) 0.8–1.1x but F(4x4) 2.3x, 8→8 F(4x4) 0.98x, 3→16 0.77x: both sides need ≥ 16 channels;
   * 128→128 on a 3x3 output (4 F(2x2) tiles) 1.32x, on 2x2 (1 tile) 0.54x, 256→256 on 1x1 0.75x (few tiles:
   * U, 16/9 the direct weights, is streamed for them alone): at least 4 tiles. */
  pays(shape: ConvShape, cin: number, oh: number, ow: number, n = 1): boolean {
    return cin >= 16 && shape.cout >= 16 && n * Math.ceil(oh / 2) * Math.ceil(ow / 2) >= 4;
  },
  /** F(4x4) weights are 36/9 = 4x the direct ones (F(2x2): 16/9): F(4x4) only while cin·cout ≤ this (U ≤ 2.4 MB a
   * layer; ResNet-18's layer1 and layer2, not layer3's 256→256 nor layer4's 512→512, where it would add 28 and
   * 63 MB for 1.5x and 1.6x over F(2x2)). */
  maxF4Weights: 128 * 128,
  /** F(4x4) where its weights fit `maxF4Weights` and its tiles are mostly inside the output (≥ 75% of the
   * computed outputs kept; 6x6: 56%, F(4x4) 1.0x vs F(2x2) 1.25x; 4x4 single tile 0.88x vs 2.0x), else F(2x2). */
  tileFor(shape: ConvShape, cin: number, oh: number, ow: number, n = 1): WinogradTile {
    const tiles4 = n * Math.ceil(oh / 4) * Math.ceil(ow / 4);
    return cin * shape.cout <= WINOGRAD.maxF4Weights && tiles4 >= 4 && n * oh * ow >= 0.75 * 16 * tiles4 ? 4 : 2;
  },
  positions: (m: WinogradTile) => (m + 2) * (m + 2),
  /** Cost model of a threaded step's items, in units of one tile through one block of 8 output channels
   * (GEMM and output transform): a tile's input transform costs `transform` units in every channel group
   * that needs it, and each block streams the group's transformed weights U, `weights` units per 8 channels.
   * Fitted on 2 threads to squeezenet's 16→64 55x55, 32→128 27x27 (F(4x4)) and 64→256 13x13 (F(2x2)) over
   * tile blocks 8–48 and 1–6 groups: each extra group cost 7–12% on one thread (bench/kernels.ts shapes). */
  cost: { transform: 4, weights: 1 },
  itemCost(tiles: number, tileBlock: number, channelBlocks: number): number {
    return tiles * (channelBlocks + WINOGRAD.cost.transform) + WINOGRAD.cost.weights * channelBlocks * Math.ceil(tiles / tileBlock);
  },
  tileBlock(cin: number, m: WinogradTile): number {
    const cin4 = Math.ceil(cin / 4) * 4;
    const t = Math.floor(WINOGRAD.vBudget / (4 * WINOGRAD.positions(m) * cin4) / GEMM.mr) * GEMM.mr;
    return Math.max(GEMM.mr, Math.min(WINOGRAD.maxTileBlock, t));
  },
} as const;

/** Which kernel `lowerConv2d` uses for a convolution of `cin` input channels and an oh x ow output (n images). */
export function convKernelFor(desc: ConvShape, cin: number, oh = 0, ow = 0, opts: ConvOptions = {}, n = 1): 'gemm' | 'dwconv' | 'igemm' | 'winograd' {
  const [kh, kw] = desc.kernel;
  const [sh, sw] = desc.strides;
  if (desc.groups === 1 && kh === 1 && kw === 1 && sh === 1 && sw === 1 && desc.pads.every((p) => p === 0)) return 'gemm';
  if (desc.groups === cin && desc.cout === cin && cin > 1) return 'dwconv';
  if (WINOGRAD.applies(desc, cin) && (opts.winograd === undefined ? WINOGRAD.pays(desc, cin, oh, ow, n) : opts.winograd !== false)) return 'winograd';
  return 'igemm';
}

/** The Winograd tile (2 or 4) of a convolution `convKernelFor` sends to Winograd. */
export function winogradTile(desc: ConvShape, cin: number, oh: number, ow: number, opts: ConvOptions = {}, n = 1): WinogradTile {
  return opts.winograd === 2 || opts.winograd === 4 ? opts.winograd : WINOGRAD.tileFor(desc, cin, oh, ow, n);
}

/** How a Winograd step with m x m tiles splits them: `items` (its range), each `blocksPerItem` blocks of
 * `tileBlock` tiles times one of `coutGroups` groups of output channels, and one workspace slot of
 * `slotBytes` (V then M). One thread: one item of every block. With threads, the split that lets the last
 * thread finish first under WINOGRAD's cost model (itemCost), items claimed as the pool claims chunks
 * (claimMakespan); on a layer with fewer blocks than `threads * itemsPerThread`, smaller tile blocks too.
 * squeezenet's fire2 expand 16→64 on 55x55 (196 F(4x4) tiles): 5 items of 40 tiles in 2 channel groups ran
 * 1.55x on 2 threads, 10 items of 20 tiles 1.8x; on its 49-tile layers one group in 2 to 5 items measured
 * within 10% of each other, and every extra group cost 7–12%. */
export function winogradPlan(m: WinogradTile, cin: number, cout: number, n: number, oh: number, ow: number, opts: ConvOptions = {}) {
  const threads = opts.threads ?? 1;
  const tiles = n * Math.ceil(oh / m) * Math.ceil(ow / m);
  const maxBlock = opts.tileBlock ?? WINOGRAD.tileBlock(cin, m);
  const want = threads > 1 ? threads * WINOGRAD.itemsPerThread : 1;
  const cb = Math.ceil(cout / 8); // blocks of 8 output channels
  let tileBlock = maxBlock, coutGroups = 1, blocksPerItem = Math.ceil(tiles / maxBlock);
  if (threads > 1) {
    // tile blocks to try: the largest; on a layer of fewer blocks than `want`, every block count up to
    // blocks of 8 tiles, blocks evened out (49 tiles in 2: 28 + 21, not 48 + 1)
    const fewest = Math.ceil(tiles / maxBlock);
    const sizes = new Set<number>(opts.tileBlock === undefined && fewest < want ? [] : [maxBlock]);
    if (!sizes.size) for (let nb = fewest; nb <= Math.max(fewest, Math.ceil(tiles / 8)); nb++) sizes.add(Math.ceil(tiles / nb / GEMM.mr) * GEMM.mr);
    const ideal = tiles * (cb + WINOGRAD.cost.transform) / threads;
    let best = Infinity;
    for (const tb of sizes) {
      const blocks = Math.ceil(tiles / tb);
      for (let g = 1; g <= (opts.tileBlock === undefined ? Math.min(cb, want) : 1); g++) {
        const perGroup = Math.ceil(cb / g);
        if (Math.ceil(cb / perGroup) !== g) continue; // a group would be empty
        for (let b = 1; b <= blocks; b++) {
          const costs: number[] = [];
          for (let t0 = 0; t0 < tiles; t0 += b * tb) {
            for (let k = 0; k < g; k++) costs.push(WINOGRAD.itemCost(Math.min(b * tb, tiles - t0), tb, Math.min(perGroup, cb - k * perGroup)));
          }
          // the finish to 1%; then fewer groups, larger blocks, the item count nearest `want` (more on a tie)
          const finish = Math.round(claimMakespan(costs, threads) / ideal * 100);
          const score = ((finish * 100 + g) * 1000 + (maxBlock - tb)) * 1000 + Math.abs(costs.length - want) * 2 - (costs.length > want ? 1 : 0);
          if (score < best) { best = score; tileBlock = tb; coutGroups = g; blocksPerItem = b; }
        }
      }
    }
  }
  const items = Math.ceil(Math.ceil(tiles / tileBlock) / blocksPerItem) * coutGroups;
  const slotBytes = WINOGRAD.positions(m) * tileBlock * (Math.ceil(cin / 4) * 4 + 8) * 4;
  return { tiles, tileBlock, blocksPerItem, coutGroups, items, slotBytes, bytes: items * slotBytes };
}

/** Scratch bytes `lowerConv2d` needs for this convolution (0 unless it takes the Winograd path). */
export function convWorkspaceBytes(desc: ConvShape, x: { n: number; h: number; w: number; c: number }, opts: ConvOptions = {}): number {
  const oh = convOutputSize(x.h, desc.kernel[0], desc.strides[0], desc.pads[0], desc.pads[2], desc.dilations[0]);
  const ow = convOutputSize(x.w, desc.kernel[1], desc.strides[1], desc.pads[1], desc.pads[3], desc.dilations[1]);
  if (oh <= 0 || ow <= 0 || x.n === 0 || convKernelFor(desc, x.c, oh, ow, opts, x.n) !== 'winograd') return 0;
  return winogradPlan(winogradTile(desc, x.c, oh, ow, opts, x.n), x.c, desc.cout, x.n, oh, ow, opts).bytes;
}

/**
 * Winograd weights U = G g Gᵀ per (co, ci) (float64, rounded once), P = (m+2)² positions pos = (m+2)i + j, in
 * ceil(cout/8) blocks of 8 output channels, each P microkernel blocks (pos order) of 8 zero floats (the
 * microkernel's bias row; the bias is added after the output transform) and cin rows of 8; columns ≥ cout zero.
 *   F(2x2): G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
 *   F(4x4): G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
 */
export function packWinogradWeights(weights: Float32Array, cin: number, cout: number, m: WinogradTile = 2): Float32Array {
  if (weights.length !== cout * cin * 9) throw new Error(`packWinogradWeights: ${weights.length} weights, expected ${cout}x${cin}x3x3`);
  // G v written out (prepacking is most of a session's create time: no matrix loops per weight).
  const a = m + 2, P = a * a;
  const gv = m === 2
    ? (v0: number, v1: number, v2: number, o: Float64Array | Float32Array, at: number, st: number) => {
      o[at] = v0; o[at + st] = (v0 + v1 + v2) / 2; o[at + 2 * st] = (v0 - v1 + v2) / 2; o[at + 3 * st] = v2;
    }
    : (v0: number, v1: number, v2: number, o: Float64Array | Float32Array, at: number, st: number) => {
      o[at] = v0 / 4; o[at + st] = -(v0 + v1 + v2) / 6; o[at + 2 * st] = -(v0 - v1 + v2) / 6;
      o[at + 3 * st] = (v0 / 4 + v1 / 2 + v2) / 6; o[at + 4 * st] = (v0 / 4 - v1 / 2 + v2) / 6; o[at + 5 * st] = v2;
    };
  const posLen = (cin + 1) * 8, blockLen = P * posLen;
  const out = new Float32Array(Math.ceil(cout / 8) * blockLen);
  const t = new Float64Array(3 * a); // G g: a rows x 3
  for (let co = 0; co < cout; co++) {
    const base = Math.floor(co / 8) * blockLen + 8 + (co % 8);
    for (let ci = 0; ci < cin; ci++) {
      const g = (co * cin + ci) * 9;
      for (let b = 0; b < 3; b++) gv(weights[g + b], weights[g + 3 + b], weights[g + 6 + b], t, b, 3);
      for (let i = 0; i < a; i++) gv(t[3 * i], t[3 * i + 1], t[3 * i + 2], out, base + ci * 8 + i * a * posLen, posLen);
    }
  }
  return out;
}

/**
 * The indirection buffer: for each output pixel p = (n*OH + oy)*OW + ox and tap t = ky*KW + kx, the absolute
 * byte address of input pixel (n, oy*sh - pt + ky*dh, ox*sw - pl + kx*dw), or `zeroPtr` when that is padding.
 * With `column`, only the pixels of that output column (n*OH of them, in order).
 */
export function buildIndirection(desc: Conv2dDesc, x: NhwcRef, oh: number, ow: number, zeroPtr: number, column?: number): Int32Array {
  const [kh, kw] = desc.kernel;
  const [sh, sw] = desc.strides;
  const [dh, dw] = desc.dilations;
  const [pt, pl] = desc.pads;
  const x0 = column ?? 0, x1 = column === undefined ? ow : column + 1;
  const ind = new Int32Array(x.n * oh * (x1 - x0) * kh * kw);
  let i = 0;
  for (let n = 0; n < x.n; n++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = x0; ox < x1; ox++) {
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

/**
 * Row taps, for convolutions over few input channels (RGB, grey): with dense pixels (pixelStride = cin) and
 * no horizontal dilation, a kernel row's kw taps are kw·cin consecutive floats, so the igemm can take one
 * pointer per kernel row (kh taps of kc = kw·cin) instead of one per tap (kh·kw taps of kc = cin). Its
 * inner loop then runs 9 or 21 k steps between pointer loads instead of 3, and the summation order is the
 * same (tap-major K). A row that crosses the left or right border cannot be one pointer: those output
 * columns (`edges`) are computed from zeros in the row step and then again, overwriting them, by one
 * per-tap step each. Not with a residual (the edge pass must be free to overwrite). MobileNetV2's
 * 3x3/2 3→32: 69% → 85% of peak; ResNet's 7x7/2 3→64: 72% → 86% (bench/kernels.ts).
 */
export const ROW_TAPS = {
  /** Most input channels: at cin ≥ 8 the per-tap loop already runs 8 k steps per pointer. */
  maxCin: 4,
}

/** Bytes of the shared zero buffer a convolution's padding taps read: a pixel's channels (cin floats, plus the
 * group's offset, within cin), or with row taps a kernel row of them (kw·cin). The program reserves the
 * largest over its nodes before lowering (`ConstWriter.zeros`). */
export function convZeroBytes(kernel: readonly number[], cin: number): number {
  return 4 * Math.max(4, cin <= ROW_TAPS.maxCin ? kernel[1] * cin : cin);
}

/** The row-tap split of a convolution (ROW_TAPS), or null where it does not apply or over a quarter of the columns are edges. */
export function rowTaps(desc: ConvShape, x: NhwcRef, ow: number): { first: number; end: number; edges: number[] } | null {
  const [, kw] = desc.kernel;
  const sw = desc.strides[1], pl = desc.pads[1];
  if (desc.groups !== 1 || desc.dilations[1] !== 1 || kw < 2 || x.c > ROW_TAPS.maxCin || x.pixelStride !== x.c) return null;
  // Interior columns: 0 ≤ ox·sw − pl and ox·sw − pl + kw − 1 < W.
  const first = Math.min(ow, Math.ceil(pl / sw));
  const end = Math.max(first, Math.min(ow, x.w - kw + pl >= 0 ? Math.floor((x.w - kw + pl) / sw) + 1 : 0));
  if (4 * (ow - (end - first)) > ow) return null; // edge columns are computed twice: at most a quarter
  const edges: number[] = [];
  for (let ox = 0; ox < ow; ox++) if (ox < first || ox >= end) edges.push(ox);
  return { first, end, edges };
}

/** The row-tap indirection: kh addresses per output pixel, each the first of kw·cin consecutive floats (input
 * pixel (n, iy, ox*sw - pl)), or `zeroPtr` for padding rows and edge columns. */
export function buildRowIndirection(desc: Conv2dDesc, x: NhwcRef, oh: number, ow: number, rows: { first: number; end: number }, zeroPtr: number): Int32Array {
  const [kh] = desc.kernel;
  const [sh, sw] = desc.strides;
  const dh = desc.dilations[0];
  const [pt, pl] = desc.pads;
  const ind = new Int32Array(x.n * oh * ow * kh).fill(zeroPtr);
  for (let n = 0; n < x.n; n++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = rows.first; ox < rows.end; ox++) {
        const at = ((n * oh + oy) * ow + ox) * kh;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          if (iy >= 0 && iy < x.h) ind[at + ky] = x.ptr + ((n * x.h + iy) * x.w + ox * sw - pl) * x.c * 4;
        }
      }
    }
  }
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
export function lowerConv2d(desc: Conv2dDesc, x: NhwcRef, y: NhwcRef, residual: NhwcRef | null, cw: ConstWriter, opts: ConvOptions = {}): Step[] {
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
  const kind = convKernelFor(desc, cin, oh, ow, opts, x.n);

  if (kind === 'gemm') {
    const w = cw.f32(packGemmWeights(desc.weights, cin, cout, desc.bias));
    return [step(GEMM.direct, {
      a: x.ptr, aStride: x.pixelStride, w, c: y.ptr, cStride: y.pixelStride, r: rp, rStride: rs, k: cin, n: cout, act: act.kind, p0: act.p0, p1: act.p1,
    }, pixels, flops, GEMM.mr)];
  }

  // Padding taps read the zero buffer at up to cin floats past it (igemm adds the group's channel offset).
  const zero = cw.zeros(convZeroBytes(desc.kernel, cin));
  if (kind === 'winograd') {
    const m = winogradTile(desc, cin, oh, ow, opts, x.n);
    const wp = winogradPlan(m, cin, cout, x.n, oh, ow, opts);
    const workspace = opts.workspace ?? cw.f32(new Float32Array(wp.bytes / 4));
    const u = cw.f32(packWinogradWeights(desc.weights, cin, cout, m));
    const bias = desc.bias ? cw.f32(desc.bias) : 0;
    return [step(WINOGRAD.kernels[m], {
      x: x.ptr, n: x.n, ih: x.h, iw: x.w, xStride: x.pixelStride, cin, pt, pl, zero, u, bias, y: y.ptr, oh, ow, yStride: y.pixelStride, cout,
      r: rp, rStride: rs, act: act.kind, p0: act.p0, p1: act.p1, workspace, slotBytes: wp.slotBytes, tileBlock: wp.tileBlock, blocksPerItem: wp.blocksPerItem, coutGroups: wp.coutGroups,
    }, wp.items, flops)];
  }
  if (kind === 'dwconv') {
    cw.reserve(pixels * taps * 4);
    const ind = cw.i32(buildIndirection(desc, x, oh, ow, zero));
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
  const pack = (o0: number) => cw.f32(GEMM.pack(coutG, kg, desc.weights, o0 * cinG * taps, cinG * taps, tapMajor, desc.bias ? desc.bias.subarray(o0, o0 + coutG) : undefined));
  const igemm = (ind: number, t: number, kc: number, inOffset: number, w: number, o0: number, c: number, cStride: number, range: number) =>
    step(GEMM.indirect, {
      ind, taps: t, inOffset, kc, w, c: c + o0 * 4, cStride, r: rp ? rp + o0 * 4 : 0, rStride: rs, n: coutG, act: act.kind, p0: act.p0, p1: act.p1,
    }, range, 2 * range * coutG * kg, GEMM.mr);

  const rows = residual || opts.rowTaps === false ? null : rowTaps(desc, x, ow);
  if (rows) {
    // Few input channels: one pointer per kernel row (kc = kw·cin) over the interior columns, then the edge
    // columns again with one pointer per tap (ROW_TAPS).
    const w = pack(0);
    cw.reserve((pixels * kh + rows.edges.length * x.n * oh * taps) * 4);
    const ind = cw.i32(buildRowIndirection(desc, x, oh, ow, rows, zero));
    steps.push(igemm(ind, kh, kw * cin, 0, w, 0, y.ptr, y.pixelStride, pixels));
    for (const ox of rows.edges) {
      const edge = cw.i32(buildIndirection(desc, x, oh, ow, zero, ox));
      steps.push(igemm(edge, taps, cin, 0, w, 0, y.ptr + ox * y.pixelStride * 4, ow * y.pixelStride, x.n * oh));
    }
    return steps;
  }
  cw.reserve(pixels * taps * 4);
  const ind = cw.i32(buildIndirection(desc, x, oh, ow, zero));
  for (let g = 0; g < groups; g++) {
    const o0 = g * coutG;
    steps.push(igemm(ind, taps, cinG, g * cinG * 4, pack(o0), o0, y.ptr, y.pixelStride, pixels));
  }
  return steps;
}
