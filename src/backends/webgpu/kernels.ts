// The WebGPU backend's op registry: per planned operator (ONNX semantics, NCHW, every value dense) a
// support check and a generator of WGSL compute steps. Shapes and attributes are baked into the
// shader text as constants; a step's `key` names the operator, its shapes and its attributes (the
// pipeline cache key: nodes of the same configuration share one pipeline), and `wgsl()` makes the text
// only on a cache miss. Operands are bound as ranges of the activation arena or of the constant buffer,
// so a shader never sees an arena offset (see index.ts).
import { UnsupportedError } from '../../errors.js';
import type { ConstTensor, FusedActivation, Graph, Node } from '../../model/ir.js';
import { size } from '../../model/ir.js';
import { batchNormAffine } from '../../model/passes.js';
import { movesOf, resolveCopy, tableEntries } from '../../model/indexmap.js';
import { normWalk, reducedOutputStrides, softmaxAxes } from '../../model/axes.js';
import { cubicTaps } from '../../model/resize.js';
import type { Value } from '../../plan/plan.js';
import { actFn, BINARY_WGSL, bindings, f, grid1d, i, linearIndex, u, WGSL_ACTIVATIONS, type BindDecl } from './wgsl.js';

/** What a binding reads or writes: a planned value (a range of the arena) or constant data (a range of the constant buffer). */
export type Operand = { value: Value } | { data: Float32Array };

export interface Step {
  /** kernel name shown in the layer table */
  kernel: string;
  /** pipeline cache key: operator, shapes, attributes */
  key: string;
  wgsl(): string;
  /** in binding order */
  operands: Operand[];
  groups: [number, number, number];
}

interface Ctx {
  node: Node;
  inputs: (Value | null)[];
  consts: (ConstTensor | null)[];
  outputs: Value[];
}

type Gen = (ctx: Ctx) => Step[];

const f32 = (c: ConstTensor): Float32Array => (c.data instanceof Float32Array ? c.data : Float32Array.from(c.data as ArrayLike<number>));
const WG = 256;
const MAX_GROUPS = 65535;
const actKey = (a: FusedActivation | undefined) => (a ? `${a.op}${JSON.stringify(a.attrs)}` : '');

/** An operand: the activation at input `k`, or its constant data. */
function operand(ctx: Ctx, k: number): Operand {
  const v = ctx.inputs[k];
  if (v) return { value: v };
  const c = ctx.consts[k];
  if (!c) throw new Error(`internal: node '${ctx.node.name}' input ${k} is missing`);
  return { data: f32(c) };
}

const dimsOfOperand = (ctx: Ctx, k: number): number[] => ctx.inputs[k]?.dims ?? ctx.consts[k]!.dims;

function denseStrides(d: readonly number[]): number[] {
  const s = new Array(d.length).fill(1);
  for (let k = d.length - 2; k >= 0; k--) s[k] = s[k + 1] * d[k + 1];
  return s;
}

/** WGSL statements decomposing the linear index `idx` over `dims` into a sum of `strides` (i32 `name`). */
function offsetExpr(idx: string, dims: readonly number[], strides: readonly number[], base: number, name: string): string {
  const lines = [`var ${name} = ${i(base)};`, `var r_${name} = ${idx};`];
  for (let d = dims.length - 1; d >= 0; d--) {
    if (strides[d] !== 0 && dims[d] > 1) lines.push(`${name} += i32(r_${name} % ${u(dims[d])}) * ${i(strides[d])};`);
    if (d > 0) lines.push(`r_${name} = r_${name} / ${u(dims[d])};`);
  }
  return lines.join('\n  ');
}

// ---- GEMM: the tiled matrix product behind Conv (implicit GEMM, 1x1 as a plain GEMM) and Gemm ----

interface GemmShape {
  /** rows (output channels of a group / Gemm rows), columns (pixels / Gemm columns), depth */
  m: number; n: number; k: number;
  /** batches of independent products (convolution groups), the workgroup grid's z */
  batches: number;
}

/** Tile sizes: 64x64 outputs per workgroup of 16x16 threads, 4x4 outputs per thread; 32 on a side when that side is small. */
function tiles(s: GemmShape): { tm: number; tn: number; tk: number } {
  return { tm: s.m <= 32 ? 32 : 64, tn: s.n <= 32 ? 32 : 64, tk: 8 };
}

/**
 * Y = epilogue(A·B): workgroup (tn/4) x (tm/4) threads computes a tm x tn tile, each thread a 4x4
 * block of it held in registers; A and B move through workgroup memory tk deep at a time (loaded by
 * every thread of the workgroup, zero outside the matrices). `loadA(z, r, k)`, `loadB(z, k, c)` and
 * `store(z, r, c, acc)` are WGSL functions of the caller (im2col addressing, bias, residual, activation).
 */
function gemmShader(s: GemmShape, decls: BindDecl[], fns: string): string {
  const { tm, tn, tk } = tiles(s);
  const tx = tn / 4, ty = tm / 4, nt = tx * ty;
  const body: string[] = [];
  body.push('for (var kk = 0u; kk < TK; kk++) {');
  for (let a = 0; a < 4; a++) body.push(`  let a${a} = As[kk * TM + lid.y * 4u + ${a}u];`);
  for (let b = 0; b < 4; b++) body.push(`  let b${b} = Bs[kk * TN + lid.x * 4u + ${b}u];`);
  for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) body.push(`  c${a}${b} = fma(a${a}, b${b}, c${a}${b});`);
  body.push('}');
  const stores: string[] = [];
  for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) {
    stores.push(`if (r0 + ${a}u < M && c0 + ${b}u < N) { store(z, r0 + ${a}u, c0 + ${b}u, c${a}${b}); }`);
  }
  return `${bindings(decls)}
const M = ${u(s.m)}; const N = ${u(s.n)}; const K = ${u(s.k)};
const TM = ${u(tm)}; const TN = ${u(tn)}; const TK = ${u(tk)}; const NT = ${u(nt)};
var<workgroup> As: array<f32, ${tk * tm}>;
var<workgroup> Bs: array<f32, ${tk * tn}>;
${fns}
@compute @workgroup_size(${tx}, ${ty})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let z = wid.z;
  let rt = wid.y * TM;
  let ct = wid.x * TN;
${[0, 1, 2, 3].map((a) => `  var c${a}0 = 0.0; var c${a}1 = 0.0; var c${a}2 = 0.0; var c${a}3 = 0.0;`).join('\n')}
  for (var k0 = 0u; k0 < K; k0 += TK) {
    for (var t = li; t < TK * TM; t += NT) {
      // depth fastest: A rows (weights [co][ci·ky·kx], Gemm's [M][K] input) are contiguous along k
      let kt = t % TK; let r = rt + t / TK; let k = k0 + kt;
      var v = 0.0;
      if (r < M && k < K) { v = loadA(z, r, k); }
      As[kt * TM + t / TK] = v;
    }
    for (var t = li; t < TK * TN; t += NT) {
      let c = ct + t % TN; let k = k0 + t / TN;
      var v = 0.0;
      if (c < N && k < K) { v = loadB(z, k, c); }
      Bs[t] = v;
    }
    workgroupBarrier();
    ${body.join('\n    ')}
    workgroupBarrier();
  }
  let r0 = rt + lid.y * 4u;
  let c0 = ct + lid.x * 4u;
  ${stores.join('\n  ')}
}`;
}

function gemmGroups(s: GemmShape): [number, number, number] {
  const { tm, tn } = tiles(s);
  return [Math.ceil(s.n / tn), Math.ceil(s.m / tm), s.batches];
}

// ---- Conv ----

interface ConvP {
  n: number; cin: number; h: number; w: number; cout: number; oh: number; ow: number;
  kh: number; kw: number; sh: number; sw: number; pt: number; pl: number; dh: number; dw: number; groups: number;
  bias: boolean; residual: boolean; act?: FusedActivation;
}

function convParams(ctx: Ctx): ConvP {
  const a = ctx.node.attrs, x = ctx.inputs[0]!, y = ctx.outputs[0];
  return {
    n: x.dims[0], cin: x.dims[1], h: x.dims[2], w: x.dims[3], cout: y.dims[1], oh: y.dims[2], ow: y.dims[3],
    kh: a.kernel[0], kw: a.kernel[1], sh: a.strides[0], sw: a.strides[1], pt: a.pads[0], pl: a.pads[1],
    dh: a.dilations[0], dw: a.dilations[1], groups: a.groups, bias: !!ctx.inputs[2] || !!ctx.consts[2], residual: !!a.residual, act: a.act,
  };
}

const isDepthwise = (p: ConvP) => p.groups === p.cin && p.groups > 1 && p.cout % p.cin === 0;

/** Depthwise tile: output rows x columns per workgroup (4 columns per thread) whose input patch fits in 4096 floats of workgroup memory. */
function dwTile(p: ConvP): { th: number; tw: number; ph: number; pw: number } | null {
  for (const [th, tw] of [[8, 32], [4, 16], [2, 8], [1, 4]]) {
    const ph = (th - 1) * p.sh + (p.kh - 1) * p.dh + 1, pw = (tw - 1) * p.sw + (p.kw - 1) * p.dw + 1;
    if (ph * pw <= 4096) return { th, tw, ph, pw };
  }
  return null;
}

function convOperands(ctx: Ctx, p: ConvP, w: Float32Array): { decls: BindDecl[]; operands: Operand[] } {
  const decls: BindDecl[] = [{ name: 'X' }, { name: 'Wt' }];
  const operands: Operand[] = [{ value: ctx.inputs[0]! }, { data: w }];
  if (p.bias) { decls.push({ name: 'Bs_' }); operands.push(operand(ctx, 2)); }
  if (p.residual) { decls.push({ name: 'Res' }); operands.push({ value: ctx.inputs[3]! }); }
  decls.push({ name: 'Y', write: true });
  operands.push({ value: ctx.outputs[0] });
  return { decls, operands };
}

/** out = act(acc + bias[co] + residual[idx]) at NCHW index idx of output channel co. */
const epilogue = (p: { bias: boolean; residual: boolean }, co: string, idx: string) =>
  `var v = acc${p.bias ? ` + Bs_[${co}]` : ''};${p.residual ? ` v += Res[${idx}];` : ''} Y[${idx}] = act(v);`;

const conv: Gen = (ctx) => {
  const p = convParams(ctx);
  const w = f32(ctx.consts[1]!);
  const { decls, operands } = convOperands(ctx, p, w);
  const pkey = `${JSON.stringify({ ...p, act: undefined })}${actKey(p.act)}`;
  const dw = isDepthwise(p) ? dwTile(p) : null;
  if (dw && p.n * p.cout <= MAX_GROUPS) {
    const { th, tw, ph, pw } = dw;
    const mult = p.cout / p.cin, kk = p.kh * p.kw;
    return [{
      kernel: `wgsl_dwconv_${p.kh}x${p.kw}_${th}x${tw}`, key: `dwconv|${pkey}`, operands,
      groups: [Math.ceil(p.ow / tw), Math.ceil(p.oh / th), p.n * p.cout],
      wgsl: () => `${bindings(decls)}
${actFn(p.act)}
var<workgroup> tile: array<f32, ${ph * pw}>;
@compute @workgroup_size(${tw / 4}, ${th})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let n = wid.z / ${u(p.cout)}; let co = wid.z % ${u(p.cout)}; let ci = co / ${u(mult)};
  let oy0 = wid.y * ${u(th)}; let ox0 = wid.x * ${u(tw)};
  let iy0 = i32(oy0 * ${u(p.sh)}) - ${i(p.pt)}; let ix0 = i32(ox0 * ${u(p.sw)}) - ${i(p.pl)};
  let xbase = (n * ${u(p.cin)} + ci) * ${u(p.h * p.w)};
  for (var t = li; t < ${u(ph * pw)}; t += ${u((tw / 4) * th)}) {
    let iy = iy0 + i32(t / ${u(pw)}); let ix = ix0 + i32(t % ${u(pw)});
    var v = 0.0;
    if (iy >= 0 && iy < ${i(p.h)} && ix >= 0 && ix < ${i(p.w)}) { v = X[xbase + u32(iy) * ${u(p.w)} + u32(ix)]; }
    tile[t] = v;
  }
  var wr: array<f32, ${kk}>;
  for (var k = 0u; k < ${u(kk)}; k++) { wr[k] = Wt[co * ${u(kk)} + k]; }
  workgroupBarrier();
  let oy = oy0 + lid.y;
  var s0 = 0.0; var s1 = 0.0; var s2 = 0.0; var s3 = 0.0;
  for (var ky = 0u; ky < ${u(p.kh)}; ky++) {
    let row = (lid.y * ${u(p.sh)} + ky * ${u(p.dh)}) * ${u(pw)} + lid.x * ${u(4 * p.sw)};
    for (var kx = 0u; kx < ${u(p.kw)}; kx++) {
      let wv = wr[ky * ${u(p.kw)} + kx];
      let at = row + kx * ${u(p.dw)};
      s0 = fma(tile[at], wv, s0);
      s1 = fma(tile[at + ${u(p.sw)}], wv, s1);
      s2 = fma(tile[at + ${u(2 * p.sw)}], wv, s2);
      s3 = fma(tile[at + ${u(3 * p.sw)}], wv, s3);
    }
  }
  if (oy >= ${u(p.oh)}) { return; }
  let ybase = (n * ${u(p.cout)} + co) * ${u(p.oh * p.ow)} + oy * ${u(p.ow)};
  let ox = ox0 + lid.x * 4u;
  if (ox < ${u(p.ow)}) { let acc = s0; let idx = ybase + ox; ${epilogue(p, 'co', 'idx')} }
  if (ox + 1u < ${u(p.ow)}) { let acc = s1; let idx = ybase + ox + 1u; ${epilogue(p, 'co', 'idx')} }
  if (ox + 2u < ${u(p.ow)}) { let acc = s2; let idx = ybase + ox + 2u; ${epilogue(p, 'co', 'idx')} }
  if (ox + 3u < ${u(p.ow)}) { let acc = s3; let idx = ybase + ox + 3u; ${epilogue(p, 'co', 'idx')} }
}`,
    }];
  }
  // implicit GEMM per group: rows = output channels of the group, columns = (n, oy, ox), depth = (ci, ky, kx)
  const cg = p.cin / p.groups, mg = p.cout / p.groups, kk = p.kh * p.kw, ohw = p.oh * p.ow;
  const s: GemmShape = { m: mg, n: p.n * ohw, k: cg * kk, batches: p.groups };
  const pointwise = p.kh === 1 && p.kw === 1 && p.sh === 1 && p.sw === 1 && p.pt === 0 && p.pl === 0 && p.oh === p.h && p.ow === p.w;
  const loadB = pointwise
    // 1x1: B is the input itself, [ci][pixel] per image: a plain GEMM
    ? `fn loadB(z: u32, k: u32, c: u32) -> f32 { return X[((c / ${u(ohw)}) * ${u(p.cin)} + z * ${u(cg)} + k) * ${u(ohw)} + c % ${u(ohw)}]; }`
    : `fn loadB(z: u32, k: u32, c: u32) -> f32 {
  let ci = k / ${u(kk)}; let kr = k % ${u(kk)};
  let n = c / ${u(ohw)}; let pix = c % ${u(ohw)};
  let iy = i32((pix / ${u(p.ow)}) * ${u(p.sh)} + (kr / ${u(p.kw)}) * ${u(p.dh)}) - ${i(p.pt)};
  let ix = i32((pix % ${u(p.ow)}) * ${u(p.sw)} + (kr % ${u(p.kw)}) * ${u(p.dw)}) - ${i(p.pl)};
  if (iy < 0 || iy >= ${i(p.h)} || ix < 0 || ix >= ${i(p.w)}) { return 0.0; }
  return X[((n * ${u(p.cin)} + z * ${u(cg)} + ci) * ${u(p.h)} + u32(iy)) * ${u(p.w)} + u32(ix)];
}`;
  const fns = `${actFn(p.act)}
fn loadA(z: u32, r: u32, k: u32) -> f32 { return Wt[(z * ${u(mg)} + r) * ${u(cg * kk)} + k]; }
${loadB}
fn store(z: u32, r: u32, c: u32, acc: f32) {
  let co = z * ${u(mg)} + r;
  let idx = ((c / ${u(ohw)}) * ${u(p.cout)} + co) * ${u(ohw)} + c % ${u(ohw)};
  ${epilogue(p, 'co', 'idx')}
}`;
  const { tm, tn } = tiles(s);
  return [{
    kernel: `wgsl_${pointwise ? 'conv1x1_gemm' : 'conv_igemm'}_${tm}x${tn}`, key: `conv|${pkey}`, operands,
    groups: gemmGroups(s), wgsl: () => gemmShader(s, decls, fns),
  }];
};

// ---- Gemm ----

/** ConvTranspose, gather form, one invocation per output: y[n][co][oy][ox] sums x[n][ci][iy][ix]·W[ci][co][ky][kx]
 * over the taps with oy + pt − ky·dh = iy·sh (exactly) inside the input; then bias and the fused activation. */
const convTranspose: Gen = (ctx) => {
  const a = ctx.node.attrs, x = ctx.inputs[0]!, y = ctx.outputs[0];
  const [, cin, h, w] = x.dims, [, cout, oh, ow] = y.dims;
  const coutG = cout / a.groups, cinG = cin / a.groups;
  const [kh, kw] = a.kernel, [sh, sw] = a.strides, [dh, dw] = a.dilations, [pt, pl] = a.pads;
  const bias = !!ctx.inputs[2] || !!ctx.consts[2];
  const decls: BindDecl[] = [{ name: 'X' }, { name: 'Wt' }];
  const operands: Operand[] = [{ value: x }, { data: f32(ctx.consts[1]!) }];
  if (bias) { decls.push({ name: 'Bs_' }); operands.push(operand(ctx, 2)); }
  decls.push({ name: 'Y', write: true });
  operands.push({ value: y });
  const t = size(y.dims);
  return [elementwise('wgsl_conv_transpose', `convT|${x.dims}|${y.dims}|${a.kernel}|${a.strides}|${a.dilations}|${pt},${pl}|${a.groups}|${bias}|${actKey(a.act)}`, t,
    decls, operands, actFn(a.act),
    `let ox = i32(gi % ${u(ow)}); let oy = i32((gi / ${u(ow)}) % ${u(oh)}); let co = (gi / ${u(oh * ow)}) % ${u(cout)}; let nn = gi / ${u(cout * oh * ow)};
  let g = co / ${u(coutG)}; let cog = co % ${u(coutG)};
  var acc = 0.0;
  for (var ky = 0i; ky < ${i(kh)}; ky++) {
    let ny = oy + ${i(pt)} - ky * ${i(dh)};
    if (ny < 0i || ny % ${i(sh)} != 0i || ny / ${i(sh)} >= ${i(h)}) { continue; }
    let iy = u32(ny / ${i(sh)});
    for (var kx = 0i; kx < ${i(kw)}; kx++) {
      let nx = ox + ${i(pl)} - kx * ${i(dw)};
      if (nx < 0i || nx % ${i(sw)} != 0i || nx / ${i(sw)} >= ${i(w)}) { continue; }
      let ix = u32(nx / ${i(sw)});
      for (var c = 0u; c < ${u(cinG)}; c++) {
        let ci = g * ${u(cinG)} + c;
        acc += X[((nn * ${u(cin)} + ci) * ${u(h)} + iy) * ${u(w)} + ix] * Wt[((ci * ${u(coutG)} + cog) * ${u(kh)} + u32(ky)) * ${u(kw)} + u32(kx)];
      }
    }
  }
  ${epilogue({ bias, residual: false }, 'co', 'gi')}`)];
};

/** Locally-connected layer, one invocation per output: W [OH][OW][C_out][C_in][kh][kw], bias [OH][OW][C_out]. */
const locallyConnected: Gen = (ctx) => {
  const a = ctx.node.attrs, x = ctx.inputs[0]!, y = ctx.outputs[0];
  const [, cin, h, w] = x.dims, [, cout, oh, ow] = y.dims;
  const [kh, kw] = a.kernel, [sh, sw] = a.strides, [dh, dw] = a.dilations, [pt, pl] = a.pads;
  const bias = !!ctx.inputs[2] || !!ctx.consts[2];
  const decls: BindDecl[] = [{ name: 'X' }, { name: 'Wt' }];
  const operands: Operand[] = [{ value: x }, { data: f32(ctx.consts[1]!) }];
  if (bias) { decls.push({ name: 'Bs_' }); operands.push(operand(ctx, 2)); }
  decls.push({ name: 'Y', write: true });
  operands.push({ value: y });
  return [elementwise('wgsl_locally_connected', `local|${x.dims}|${y.dims}|${a.kernel}|${a.strides}|${a.dilations}|${pt},${pl}|${bias}|${actKey(a.act)}`, size(y.dims),
    decls, operands, actFn(a.act),
    `let ox = gi % ${u(ow)}; let oy = (gi / ${u(ow)}) % ${u(oh)}; let co = (gi / ${u(oh * ow)}) % ${u(cout)}; let nn = gi / ${u(cout * oh * ow)};
  let q = oy * ${u(ow)} + ox;
  var acc = ${bias ? `Bs_[q * ${u(cout)} + co]` : '0.0'};
  for (var ky = 0u; ky < ${u(kh)}; ky++) {
    let iy = i32(oy * ${u(sh)} + ky * ${u(dh)}) - ${i(pt)};
    if (iy < 0i || iy >= ${i(h)}) { continue; }
    for (var kx = 0u; kx < ${u(kw)}; kx++) {
      let ix = i32(ox * ${u(sw)} + kx * ${u(dw)}) - ${i(pl)};
      if (ix < 0i || ix >= ${i(w)}) { continue; }
      for (var ci = 0u; ci < ${u(cin)}; ci++) {
        acc += X[((nn * ${u(cin)} + ci) * ${u(h)} + u32(iy)) * ${u(w)} + u32(ix)] * Wt[(((q * ${u(cout)} + co) * ${u(cin)} + ci) * ${u(kh)} + ky) * ${u(kw)} + kx];
      }
    }
  }
  Y[gi] = act(acc);`)];
};

const gemm: Gen = (ctx) => {
  const a = ctx.node.attrs, x = ctx.inputs[0]!, y = ctx.outputs[0];
  const [m, n] = y.dims, k = a.transA ? x.dims[0] : x.dims[1];
  const raw = f32(ctx.consts[1]!);
  // B as [K][N] scaled by alpha
  const wkn = new Float32Array(k * n);
  for (let kk = 0; kk < k; kk++) for (let j = 0; j < n; j++) wkn[kk * n + j] = (a.transB ? raw[j * k + kk] : raw[kk * n + j]) * a.alpha;
  const decls: BindDecl[] = [{ name: 'X' }, { name: 'Wt' }];
  const operands: Operand[] = [{ value: x }, { data: wkn }];
  // C (bias): scalar, [N], [1,N], [M,1] or [M,N], times beta, expanded to [M][N] when it varies by row
  let bias: 'none' | 'col' | 'full' = 'none';
  const c = ctx.consts[2];
  if (c) {
    const cd = c.dims, cv = f32(c);
    const rows = cd.length === 2 ? cd[0] : 1, cols = cd.length ? cd[cd.length - 1] : 1;
    if (rows === 1) { bias = 'col'; operands.push({ data: Float32Array.from({ length: n }, (_, j) => cv[cols === 1 ? 0 : j] * a.beta) }); }
    else { bias = 'full'; operands.push({ data: Float32Array.from({ length: m * n }, (_, q) => cv[Math.floor(q / n) * cols + (cols === 1 ? 0 : q % n)] * a.beta) }); }
    decls.push({ name: 'Bs_' });
  }
  if (a.residual) { decls.push({ name: 'Res' }); operands.push({ value: ctx.inputs[3]! }); }
  decls.push({ name: 'Y', write: true });
  operands.push({ value: y });
  const s: GemmShape = { m, n, k, batches: 1 };
  const fns = `${actFn(a.act)}
fn loadA(z: u32, r: u32, k: u32) -> f32 { return X[${a.transA ? `k * ${u(m)} + r` : `r * ${u(k)} + k`}]; }
fn loadB(z: u32, k: u32, c: u32) -> f32 { return Wt[k * ${u(n)} + c]; }
fn store(z: u32, r: u32, c: u32, acc: f32) {
  let idx = r * ${u(n)} + c;
  var v = acc${bias === 'col' ? ' + Bs_[c]' : bias === 'full' ? ' + Bs_[idx]' : ''};${a.residual ? ' v += Res[idx];' : ''} Y[idx] = act(v);
}`;
  const { tm, tn } = tiles(s);
  return [{
    kernel: `wgsl_gemm_${tm}x${tn}`, key: `gemm|${m},${n},${k},${a.transA ? 1 : 0},${bias},${a.residual ? 1 : 0}|${actKey(a.act)}`,
    operands, groups: gemmGroups(s), wgsl: () => gemmShader(s, decls, fns),
  }];
};

// ---- MatMul: batched product of run-time (or constant) operands, numpy batch broadcasting ----

const matmul: Gen = (ctx) => {
  const y = ctx.outputs[0], yd = y.dims, r = yd.length;
  const ad = dimsOfOperand(ctx, 0), bd = dimsOfOperand(ctx, 1);
  const m = yd[r - 2], n = yd[r - 1], k = ad[ad.length - 1];
  const batch = yd.slice(0, -2);
  // element strides of an operand's matrices along the output's batch dims (0 where it broadcasts)
  const batchStrides = (d: readonly number[]): number[] => {
    const own = d.slice(0, -2), st = denseStrides(d), off = batch.length - own.length;
    return batch.map((_, j) => (j < off || own[j - off] === 1 ? 0 : st[j - off]));
  };
  const s: GemmShape = { m, n, k, batches: size(batch) };
  const fns = `fn aOff(z: u32) -> u32 {
  ${offsetExpr('z', batch, batchStrides(ad), 0, 'o')}
  return u32(o);
}
fn bOff(z: u32) -> u32 {
  ${offsetExpr('z', batch, batchStrides(bd), 0, 'o')}
  return u32(o);
}
fn loadA(z: u32, r: u32, k: u32) -> f32 { return A[aOff(z) + r * ${u(k)} + k]; }
fn loadB(z: u32, k: u32, c: u32) -> f32 { return B[bOff(z) + k * ${u(n)} + c]; }
fn store(z: u32, r: u32, c: u32, acc: f32) { Y[(z * ${u(m)} + r) * ${u(n)} + c] = acc; }`;
  const { tm, tn } = tiles(s);
  return [{
    kernel: `wgsl_matmul_${tm}x${tn}`, key: `matmul|${ad}|${bd}|${yd}`,
    operands: [operand(ctx, 0), operand(ctx, 1), { value: y }], groups: gemmGroups(s),
    wgsl: () => gemmShader(s, [{ name: 'A' }, { name: 'B' }, { name: 'Y', write: true }], fns),
  }];
};

// ---- element-wise ----

/** One invocation per output element: `body` computes `v` from element `gi` and stores Y[gi]. */
function elementwise(kernel: string, key: string, total: number, decls: BindDecl[], operands: Operand[], pre: string, body: string): Step {
  const groups = grid1d(total, WG);
  return {
    kernel, key: `${key}|${groups.join('x')}`, operands, groups,
    wgsl: () => `${bindings(decls)}
${pre}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  ${linearIndex(groups[0], WG)}
  if (gi >= ${u(total)}) { return; }
  ${body}
}`,
  };
}

const activation: Gen = (ctx) => {
  const y = ctx.outputs[0], t = size(y.dims), a = { op: ctx.node.op, attrs: ctx.node.attrs };
  return [elementwise(`wgsl_${ctx.node.op.toLowerCase()}`, `act|${t}|${actKey(a)}`, t, [{ name: 'X' }, { name: 'Y', write: true }],
    [{ value: ctx.inputs[0]! }, { value: y }], actFn(a), 'Y[gi] = act(X[gi]);')];
};

const binary: Gen = (ctx) => {
  const y = ctx.outputs[0], r = y.dims.length, t = size(y.dims);
  const strides = (k: number): number[] => {
    const d = dimsOfOperand(ctx, k), s = denseStrides(d);
    return y.dims.map((_, q) => { const j = q - (r - d.length); return j < 0 || d[j] === 1 ? 0 : s[j]; });
  };
  const sa = strides(0), sb = strides(1);
  const act = ctx.node.attrs.act as FusedActivation | undefined;
  return [elementwise(`wgsl_${ctx.node.op.toLowerCase()}`, `bin|${ctx.node.op}|${y.dims}|${sa}|${sb}|${actKey(act)}`, t,
    [{ name: 'A' }, { name: 'B' }, { name: 'Y', write: true }], [operand(ctx, 0), operand(ctx, 1), { value: y }], actFn(act, BINARY_WGSL[ctx.node.op]),
    `${offsetExpr('gi', y.dims, sa, 0, 'ia')}
  ${offsetExpr('gi', y.dims, sb, 0, 'ib')}
  let a = A[ia];
  let b = B[ib];
  Y[gi] = act(${BINARY_WGSL[ctx.node.op]});`)];
};

const batchNorm: Gen = (ctx) => {
  const x = ctx.inputs[0]!, y = ctx.outputs[0], c = x.dims[1], inner = size(x.dims.slice(2)), t = size(x.dims);
  const [g, b, m, v] = [1, 2, 3, 4].map((k) => f32(ctx.consts[k]!));
  const { scale, shift } = batchNormAffine(g, b, m, v, ctx.node.attrs.epsilon ?? 1e-5, c);
  const act = ctx.node.attrs.act as FusedActivation | undefined;
  return [elementwise('wgsl_scale_shift', `bn|${x.dims}|${actKey(act)}`, t, [{ name: 'X' }, { name: 'S' }, { name: 'T' }, { name: 'Y', write: true }],
    [{ value: x }, { data: Float32Array.from(scale) }, { data: Float32Array.from(shift) }, { value: y }], actFn(act),
    `let ch = (gi / ${u(inner)}) % ${u(c)};
  Y[gi] = act(fma(X[gi], S[ch], T[ch]));`)];
};

// ---- data movement: one strided gather kernel (concat, split, slice, transpose, pad, copies) ----

/** y[yBase + Σ i_d·yStrides_d] = x[xBase + Σ i_d·xStrides_d] over every index of `dims`. */
function gather(name: string, src: Operand, dst: Value, dims: number[], xBase: number, xStrides: number[], yBase: number, yStrides: number[]): Step {
  const t = size(dims);
  return elementwise(`wgsl_${name}`, `gather|${dims}|${xBase}|${xStrides}|${yBase}|${yStrides}`, t, [{ name: 'X' }, { name: 'Y', write: true }], [src, { value: dst }], '',
    `${offsetExpr('gi', dims, xStrides, xBase, 'ix')}
  ${offsetExpr('gi', dims, yStrides, yBase, 'iy')}
  Y[iy] = X[ix];`);
}

const copyAll = (name: string, x: Operand, y: Value): Step => {
  const d = [size(y.dims)];
  return gather(name, x, y, d, 0, [1], 0, [1]);
};

const concat: Gen = (ctx) => {
  const y = ctx.outputs[0], ax = ctx.node.attrs.axis, ys = denseStrides(y.dims);
  let at = 0;
  return ctx.node.inputs.map((_, k) => {
    const d = dimsOfOperand(ctx, k), s = gather('concat', operand(ctx, k), y, d, 0, denseStrides(d), at * ys[ax], ys);
    at += d[ax];
    return s;
  }).filter((_, k) => size(dimsOfOperand(ctx, k)) > 0);
};

const split: Gen = (ctx) => {
  const x = ctx.inputs[0]!, ax = ctx.node.attrs.axis, xs = denseStrides(x.dims);
  let at = 0;
  return ctx.outputs.flatMap((y) => {
    const s = gather('split', { value: x }, y, y.dims, at * xs[ax], xs, 0, denseStrides(y.dims));
    at += y.dims[ax];
    return size(y.dims) ? [s] : [];
  });
};

const slice: Gen = (ctx) => {
  const x = ctx.inputs[0]!, y = ctx.outputs[0], a = ctx.node.attrs, xs = denseStrides(x.dims);
  let base = 0;
  const st = xs.slice();
  (a.axes as number[]).forEach((ax, k) => { base += a.starts[k] * xs[ax]; st[ax] = xs[ax] * a.steps[k]; });
  return size(y.dims) ? [gather('slice', { value: x }, y, y.dims, base, st, 0, denseStrides(y.dims))] : [];
};

const reshape: Gen = (ctx) => {
  const x = ctx.inputs[0]!, y = ctx.outputs[0];
  if (x.buffer === y.buffer && x.elemOffset === y.elemOffset) return []; // aliased by the planner: free
  return [copyAll('copy', { value: x }, y)];
};

const transpose: Gen = (ctx) => {
  const x = ctx.inputs[0]!, y = ctx.outputs[0], xs = denseStrides(x.dims), perm: number[] = ctx.node.attrs.perm;
  return [gather('transpose', { value: x }, y, y.dims, 0, perm.map((p) => xs[p]), 0, denseStrides(y.dims))];
};

/** Index tables hold element offsets as f32 (exact below 2^24): tensors that large need no table op here. */
const MAX_TABLE_OFFSET = 2 ** 24;

/**
 * Data movement (Pad, Expand, Tile, DepthToSpace, SpaceToDepth, Gather, GatherElements, Where): the
 * operator's moves (src/model/indexmap.ts) over dense strides — each strided copy one gather dispatch
 * (a fill reads one float with zero strides; Pad's borders read the output already written, which
 * the previous dispatches of the pass made visible), each index table one table dispatch.
 */
const indexMap: Gen = (ctx) => {
  const y = ctx.outputs[0], node = ctx.node, ys = denseStrides(y.dims);
  const inDims = node.inputs.map((_, k) => ctx.inputs[k]?.dims ?? ctx.consts[k]?.dims ?? []);
  const src = (from: number | 'out' | 'value'): { op: Operand; strides: number[] } => {
    if (from === 'out') return { op: { value: y }, strides: ys };
    if (from === 'value') return { op: ctx.inputs[1] ? { value: ctx.inputs[1] } : { data: Float32Array.of(node.attrs.value ?? 0) }, strides: [] };
    return { op: operand(ctx, from), strides: denseStrides(inDims[from]) };
  };
  const name = node.op.toLowerCase();
  return movesOf(node, inDims, y.dims).flatMap((m): Step[] => {
    const s = src(m.from);
    if (m.kind === 'table') {
      const n = m.srcIdx.length, t = new Float32Array(2 * n);
      for (let k = 0; k < n; k++) { t[2 * k] = m.srcIdx[k]; t[2 * k + 1] = m.dstIdx[k]; }
      return n ? [elementwise(`wgsl_${name}_table`, `table|${n}`, n, [{ name: 'X' }, { name: 'Tb' }, { name: 'Y', write: true }], [s.op, { data: t }, { value: y }], '',
        'Y[u32(Tb[2u * gi + 1u])] = X[u32(Tb[2u * gi])];')] : [];
    }
    const r = resolveCopy(m, s.strides, ys);
    return size(r.dims) ? [gather(name, s.op, y, r.dims, r.srcOffset, r.srcStrides, r.dstOffset, r.dstStrides)] : [];
  });
};

// ---- reductions: one workgroup of 64 threads per row, a tree in workgroup memory ----

const RW = 64;

/** WGSL: a tree reduction of one value per invocation over the workgroup (`red`, RW lanes) as `fn name(li, v,
 *  extra)`, combining red[li] with red[li + s] by `combine`. */
const treeWgsl = (name: string, extra: string, combine: string): string => `var<workgroup> red: array<f32, ${RW}>;
fn ${name}(li: u32, v: f32, ${extra}) -> f32 {
  red[li] = v;
  workgroupBarrier();
  for (var s = ${u(RW / 2)}; s > 0u; s = s / 2u) {
    if (li < s) { red[li] = ${combine}; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}`;

/** WGSL: the entry point of a one-workgroup-per-row kernel (`row` and `li` in scope for `body`). */
const rowMainWgsl = (groups: readonly number[], rows: number, body: string): string => `@compute @workgroup_size(${RW})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row = wid.y * ${u(groups[0])} + wid.x;
  if (row >= ${u(rows)}) { return; }
  let li = lid.x;
  ${body}
}`;

/** Per row `rowsTotal`: the elements X[rowBase + j*stride], j < len; `finish` writes row `row` from `red`. */
function rowReduce(kernel: string, key: string, rowsTotal: number, decls: BindDecl[], operands: Operand[], rowBase: string, len: number, stride: number, body: string, pre = ''): Step {
  const groups = grid1d(rowsTotal, 1);
  return {
    kernel, key: `${key}|${groups.join('x')}`, operands, groups,
    wgsl: () => `${bindings(decls)}
${pre}
${treeWgsl('reduce', 'isMax: bool', 'select(red[li] + red[li + s], max(red[li], red[li + s]), isMax)')}
${rowMainWgsl(groups, rowsTotal, `let base = ${rowBase};
  const LEN = ${u(len)}; const STRIDE = ${u(stride)};
  ${body}`)}`,
  };
}

const NEG_INF = f(-Infinity);

const globalPool: Gen = (ctx) => {
  const x = ctx.inputs[0]!, y = ctx.outputs[0], [n, c] = x.dims, hw = size(x.dims.slice(2));
  const isMax = ctx.node.op === 'GlobalMaxPool';
  return [rowReduce(isMax ? 'wgsl_global_max' : 'wgsl_global_avg', `gpool|${isMax}|${n * c}|${hw}`, n * c, [{ name: 'X' }, { name: 'Y', write: true }], [{ value: x }, { value: y }],
    `row * ${u(hw)}`, hw, 1,
    `var acc = ${isMax ? NEG_INF : '0.0'};
  for (var j = li; j < LEN; j += ${u(RW)}) { let v = X[base + j]; acc = ${isMax ? 'max(acc, v)' : 'acc + v'}; }
  let r = reduce(li, acc, ${isMax});
  if (li == 0u) { Y[row] = ${isMax ? 'r' : `r / ${f(hw)}`}; }`)];
};

// ---- pooling (one invocation per output; memory-bound) ----

/** Lp pooling's |v|^p (repeated multiplication, p a small integer) and s^(1/p) (exact for p = 1, sqrt for 2). */
const lpFns = (p: number): string => `fn powAbs(v: f32) -> f32 { let a = abs(v); var t = a; for (var k = 1u; k < ${u(p)}; k++) { t = t * a; } return t; }
fn rootP(s: f32) -> f32 { return ${p === 1 ? 's' : p === 2 ? 'sqrt(s)' : `select(pow(s, ${f(1 / p)}), 0.0, s == 0.0)`}; }`;

const globalLpPool: Gen = (ctx) => {
  const x = ctx.inputs[0]!, y = ctx.outputs[0], [n, c] = x.dims, hw = size(x.dims.slice(2)), p = ctx.node.attrs.p as number;
  return [rowReduce('wgsl_global_lp', `gpool|lp${p}|${n * c}|${hw}`, n * c, [{ name: 'X' }, { name: 'Y', write: true }], [{ value: x }, { value: y }],
    `row * ${u(hw)}`, hw, 1,
    `var acc = 0.0;
  for (var j = li; j < LEN; j += ${u(RW)}) { acc = acc + powAbs(X[base + j]); }
  let r = reduce(li, acc, false);
  if (li == 0u) { Y[row] = rootP(r); }`, lpFns(p))];
};

const window: Gen = (ctx) => {
  const a = ctx.node.attrs, x = ctx.inputs[0]!, y = ctx.outputs[0];
  const [, , h, w] = x.dims, [, , oh, ow] = y.dims, t = size(y.dims);
  const [pt, pl, pb, pr] = a.pads as number[];
  const isMax = ctx.node.op === 'MaxPool', lp = ctx.node.op === 'LpPool' ? a.p as number : 0;
  const p = { kh: a.kernel[0], kw: a.kernel[1], sh: a.strides[0], sw: a.strides[1], dh: a.dilations[0], dw: a.dilations[1] };
  return [elementwise(isMax ? 'wgsl_maxpool' : lp ? 'wgsl_lppool' : 'wgsl_avgpool', `pool|${ctx.node.op}|${lp}|${x.dims}|${y.dims}|${JSON.stringify(p)}|${a.pads}|${!!a.countIncludePad}`, t,
    [{ name: 'X' }, { name: 'Y', write: true }], [{ value: x }, { value: y }], lp ? lpFns(lp) : '',
    `let ox = gi % ${u(ow)}; let oy = (gi / ${u(ow)}) % ${u(oh)}; let nc = gi / ${u(oh * ow)};
  var mx = ${NEG_INF}; var sum = 0.0; var valid = 0u; var padded = 0u;
  for (var ky = 0u; ky < ${u(p.kh)}; ky++) {
    let iy = i32(oy * ${u(p.sh)} + ky * ${u(p.dh)}) - ${i(pt)};
    for (var kx = 0u; kx < ${u(p.kw)}; kx++) {
      let ix = i32(ox * ${u(p.sw)} + kx * ${u(p.dw)}) - ${i(pl)};
      if (iy < ${i(h + pb)} && ix < ${i(w + pr)}) { padded++; }
      if (iy < 0 || iy >= ${i(h)} || ix < 0 || ix >= ${i(w)}) { continue; }
      let v = X[(nc * ${u(h)} + u32(iy)) * ${u(w)} + u32(ix)];
      mx = max(mx, v); sum += ${lp ? 'powAbs(v)' : 'v'}; valid++;
    }
  }
  ${isMax ? 'Y[gi] = mx;' : lp ? 'Y[gi] = rootP(sum);' : `let dv = ${a.countIncludePad ? 'padded' : 'valid'}; Y[gi] = select(0.0, sum / f32(dv), dv > 0u);`}`)];
};

// ---- Resize: per-axis source indices and weights computed on the host in float64 ----

function toOriginal(mode: string, xr: number, lenIn: number, lenOut: number, scale: number, roi: readonly number[] = [0, 1]): number {
  switch (mode) {
    case 'tf_crop_and_resize': return lenOut > 1 ? roi[0] * (lenIn - 1) + (xr * (roi[1] - roi[0]) * (lenIn - 1)) / (lenOut - 1) : 0.5 * (roi[0] + roi[1]) * (lenIn - 1);
    case 'half_pixel': return (xr + 0.5) / scale - 0.5;
    case 'pytorch_half_pixel': return lenOut > 1 ? (xr + 0.5) / scale - 0.5 : 0;
    case 'align_corners': return lenOut === 1 ? 0 : (xr * (lenIn - 1)) / (lenOut - 1);
    case 'asymmetric': return xr / scale;
    case 'tf_half_pixel_for_nn': return (xr + 0.5) / scale;
    case 'half_pixel_symmetric': {
      const adj = lenOut / (scale * lenIn), center = lenIn / 2;
      return center * (1 - adj) + (xr + 0.5) / scale - 0.5;
    }
    default: throw new UnsupportedError(`resize coordinate mode '${mode}' is not supported`);
  }
}

function nearestIndex(mode: string, x: number, lenIn: number): number {
  const half = x - Math.floor(x) === 0.5;
  const k = mode === 'round_prefer_floor' ? (half ? Math.floor(x) : Math.round(x)) : mode === 'round_prefer_ceil' ? (half ? Math.ceil(x) : Math.round(x))
    : mode === 'floor' ? Math.floor(x) : Math.ceil(x);
  return Math.min(Math.max(k, 0), lenIn - 1);
}

/** Per output coordinate: [i0, i1, weight of i1] (nearest: i1 = i0, weight 0). */
function axisTable(a: Record<string, any>, lenIn: number, lenOut: number, scale: number, roi?: readonly number[]): number[] {
  const t: number[] = [];
  for (let o = 0; o < lenOut; o++) {
    const x = toOriginal(a.coordMode, o, lenIn, lenOut, scale, roi);
    if (a.mode === 'nearest') { const k = nearestIndex(a.nearestMode, x, lenIn); t.push(k, k, 0); continue; }
    const c = Math.min(Math.max(x, 0), lenIn - 1), i0 = Math.floor(c);
    t.push(i0, Math.min(i0 + 1, lenIn - 1), c - i0);
  }
  return t;
}

/** Cubic: per output coordinate 4 source indices (clamped) then their 4 weights. */
function cubicAxisTable(a: Record<string, any>, lenIn: number, lenOut: number, scale: number, roi?: readonly number[]): number[] {
  const t: number[] = [];
  for (let o = 0; o < lenOut; o++) {
    const { idx, w } = cubicTaps(toOriginal(a.coordMode, o, lenIn, lenOut, scale, roi), lenIn, a.cubicCoeffA ?? -0.75, !!a.excludeOutside);
    t.push(...idx, ...w);
  }
  return t;
}

const resize: Gen = (ctx) => {
  const a = ctx.node.attrs, x = ctx.inputs[0]!, y = ctx.outputs[0];
  const [, , h, w] = x.dims, [, , oh, ow] = y.dims, t = size(y.dims);
  const sh = a.scales?.[2] ?? oh / h, sw = a.scales?.[3] ?? ow / w;
  const head = `let ox = gi % ${u(ow)}; let oy = (gi / ${u(ow)}) % ${u(oh)}; let base = (gi / ${u(oh * ow)}) * ${u(h * w)};`;
  const io = [{ name: 'X' }, { name: 'Tb' }, { name: 'Y', write: true }];
  // tf_crop_and_resize: after the tables, one flag per output row then per column (1: source coordinate
  // outside the input → extrapolation_value)
  const ry = a.roi && [a.roi[2], a.roi[6]], rx = a.roi && [a.roi[3], a.roi[7]];
  const crop = a.coordMode === 'tf_crop_and_resize';
  const outside = (lenIn: number, lenOut: number, roi?: readonly number[]) => Array.from({ length: lenOut }, (_, o) => {
    const s = toOriginal(a.coordMode, o, lenIn, lenOut, 1, roi);
    return s < 0 || s > lenIn - 1 ? 1 : 0;
  });
  const flags = crop ? [...outside(h, oh, ry), ...outside(w, ow, rx)] : [];
  const extrap = (tableLen: number, v: string) => (crop
    ? `select(${v}, ${f(a.extrapolationValue ?? 0)}, Tb[${u(tableLen)} + oy] + Tb[${u(tableLen + oh)} + ox] > 0.0)` : v);
  if (a.mode === 'cubic') {
    const table = Float32Array.from([...cubicAxisTable(a, h, oh, sh, ry), ...cubicAxisTable(a, w, ow, sw, rx), ...flags]);
    return [elementwise('wgsl_resize_cubic', `resize|${x.dims}|${y.dims}|cubic|${crop ? a.extrapolationValue : ''}`, t, io, [{ value: x }, { data: table }, { value: y }], '',
      `${head}
  var acc = 0.0;
  for (var ky = 0u; ky < 4u; ky++) {
    let row = base + u32(Tb[oy * 8u + ky]) * ${u(w)};
    var s = 0.0;
    for (var kx = 0u; kx < 4u; kx++) { s += Tb[${u(8 * oh)} + ox * 8u + 4u + kx] * X[row + u32(Tb[${u(8 * oh)} + ox * 8u + kx])]; }
    acc += Tb[oy * 8u + 4u + ky] * s;
  }
  Y[gi] = ${extrap(8 * (oh + ow), 'acc')};`)];
  }
  const table = Float32Array.from([...axisTable(a, h, oh, sh, ry), ...axisTable(a, w, ow, sw, rx), ...flags]);
  const lin = a.mode !== 'nearest', tl = 3 * (oh + ow);
  return [elementwise(`wgsl_resize_${lin ? 'linear' : 'nearest'}`, `resize|${x.dims}|${y.dims}|${lin}|${crop ? a.extrapolationValue : ''}`, t, io,
    [{ value: x }, { data: table }, { value: y }], '',
    `${head}
  let y0 = u32(Tb[oy * 3u]); let x0 = u32(Tb[${u(3 * oh)} + ox * 3u]);
  ${lin ? `let y1 = u32(Tb[oy * 3u + 1u]); let wy = Tb[oy * 3u + 2u];
  let x1 = u32(Tb[${u(3 * oh)} + ox * 3u + 1u]); let wx = Tb[${u(3 * oh)} + ox * 3u + 2u];
  let top = (1.0 - wx) * X[base + y0 * ${u(w)} + x0] + wx * X[base + y0 * ${u(w)} + x1];
  let bot = (1.0 - wx) * X[base + y1 * ${u(w)} + x0] + wx * X[base + y1 * ${u(w)} + x1];
  Y[gi] = ${extrap(tl, '(1.0 - wy) * top + wy * bot')};` : `Y[gi] = ${extrap(tl, `X[base + y0 * ${u(w)} + x0]`)};`}`)];
};

// ---- reductions, softmax family, normalizations: one workgroup of 64 threads per item (the kept
// axes), a strided walk over its reduced set (the reduced axes, in logical order) ----

interface SetWalk {
  dims: readonly number[];
  reduced: ReadonlySet<number>;
  /** per-axis strides of the operands the body addresses, by name (0 = broadcast) */
  strides: Record<string, readonly number[]>;
}

/** `fn <name>_item(row) -> i32` and `fn <name>_at(j) -> i32` per operand: the item's base offset and the offset of its j-th reduced element. */
function walkFns(w: SetWalk): { fns: string; items: number; count: number } {
  const outer = [...w.dims.keys()].filter((d) => !w.reduced.has(d)), red = [...w.dims.keys()].filter((d) => w.reduced.has(d));
  const pick = (ax: number[], st: readonly number[]) => ax.map((d) => st[d]);
  const od = outer.map((d) => w.dims[d]), rd = red.map((d) => w.dims[d]);
  const fns = Object.entries(w.strides).map(([n, st]) => `fn ${n}_item(row: u32) -> i32 {
  ${offsetExpr('row', od, pick(outer, st), 0, 'o')}
  return o;
}
fn ${n}_at(j: u32) -> i32 {
  ${offsetExpr('j', rd, pick(red, st), 0, 'o')}
  return o;
}`).join('\n');
  return { fns, items: size(od), count: size(rd) };
}

/** Sets of at most this many elements are walked by one invocation each; larger ones by a workgroup. */
const SERIAL_SET = 32;

/**
 * One workgroup of 64 threads per item, or (sets of ≤ SERIAL_SET elements) one invocation per item.
 * `body` sees `row`, `li`, `STEP` (its loops run `for (var j = li; j < COUNT; j += STEP)`), `comb(a, b, k)`
 * and `tree(li, v, k)` (k: 0 sum, 1 max, 2 min, 3 product; every thread gets the combined value).
 */
function setReduce(kernel: string, key: string, w: SetWalk, decls: BindDecl[], operands: Operand[], pre: string, body: string): Step[] {
  const { fns, items, count } = walkFns(w);
  if (items === 0 || count === 0) return [];
  const serial = count <= SERIAL_SET;
  const groups = serial ? grid1d(items, WG) : grid1d(items, 1);
  const comb = `fn comb(a: f32, b: f32, k: u32) -> f32 {
  switch k { case 1u: { return max(a, b); } case 2u: { return min(a, b); } case 3u: { return a * b; } default: { return a + b; } }
}`;
  const head = `${bindings(decls)}
${fns}
${pre}
const COUNT = ${u(count)};
${comb}`;
  return [{
    kernel: `${kernel}${serial ? '_serial' : ''}`, key: `${key}|${w.dims}|${[...w.reduced]}|${JSON.stringify(w.strides)}|${groups.join('x')}`, operands, groups,
    wgsl: () => serial ? `${head}
const STEP = 1u;
fn tree(li: u32, v: f32, k: u32) -> f32 { return v; }
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  ${linearIndex(groups[0], WG)}
  let row = gi;
  if (row >= ${u(items)}) { return; }
  let li = 0u;
  ${body}
}` : `${head}
const STEP = ${u(RW)};
${treeWgsl('tree', 'k: u32', 'comb(red[li], red[li + s], k)')}
${rowMainWgsl(groups, items, body)}`,
  }];
}

/** Reduce*: per op, the tree kind, the initial value, the per-element term and the finish. */
const REDUCE_WGSL: Record<string, { k: number; init: string; term: string; finish: string }> = {
  ReduceSum: { k: 0, init: '0.0', term: 'v', finish: 'a' },
  ReduceMean: { k: 0, init: '0.0', term: 'v', finish: 'a / f32(COUNT)' },
  ReduceMax: { k: 1, init: NEG_INF, term: 'v', finish: 'a' },
  ReduceMin: { k: 2, init: f(Infinity), term: 'v', finish: 'a' },
  ReduceProd: { k: 3, init: '1.0', term: 'v', finish: 'a' },
  ReduceL1: { k: 0, init: '0.0', term: 'abs(v)', finish: 'a' },
  ReduceL2: { k: 0, init: '0.0', term: 'v * v', finish: 'sqrt(a)' },
  ReduceSumSquare: { k: 0, init: '0.0', term: 'v * v', finish: 'a' },
  ReduceLogSum: { k: 0, init: '0.0', term: 'v', finish: 'log(a)' },
  ReduceLogSumExp: { k: 0, init: '0.0', term: 'exp(v - m)', finish: 'log(a) + m' },
};

const reduce: Gen = (ctx) => {
  const x = ctx.inputs[0]!, y = ctx.outputs[0], reduced = new Set<number>(ctx.node.attrs.axes), op = ctx.node.op;
  const yAxis = reducedOutputStrides(x.dims.length, reduced, !!ctx.node.attrs.keepdims, denseStrides(y.dims));
  const r = REDUCE_WGSL[op];
  const lse = op === 'ReduceLogSumExp';
  return setReduce(`wgsl_${op.toLowerCase()}`, `reduce|${op}`, { dims: x.dims, reduced, strides: { X: denseStrides(x.dims), Y: yAxis } },
    [{ name: 'X' }, { name: 'Y', write: true }], [{ value: x }, { value: y }], '',
    `let xb = X_item(row);
  var m = 0.0;
  ${lse ? `var mx = ${NEG_INF};
  for (var j = li; j < COUNT; j += STEP) { mx = max(mx, X[xb + X_at(j)]); }
  m = tree(li, mx, 1u);` : ''}
  var a = ${r.init};
  for (var j = li; j < COUNT; j += STEP) { let v = X[xb + X_at(j)]; a = comb(a, ${r.term}, ${u(r.k)}); }
  a = tree(li, a, ${u(r.k)});
  if (li == 0u) { Y[Y_item(row)] = ${r.finish}; }`);
};

/** Softmax, LogSoftmax, Hardmax (first maximum in logical order) over one axis or, legacy, the trailing axes. */
const softmax: Gen = (ctx) => {
  const x = ctx.inputs[0]!, y = ctx.outputs[0], op = ctx.node.op;
  const reduced = softmaxAxes(ctx.node, x.dims.length);
  const st = denseStrides(x.dims);
  const write = op === 'Softmax' ? 'exp(v - m) / s' : op === 'LogSoftmax' ? '(v - m) - log(s)' : `select(0.0, 1.0, f32(j) == first)`;
  return setReduce(`wgsl_${op.toLowerCase()}`, `softmax|${op}`, { dims: x.dims, reduced, strides: { X: st } },
    [{ name: 'X' }, { name: 'Y', write: true }], [{ value: x }, { value: y }], '',
    `let xb = X_item(row);
  var mx = ${NEG_INF};
  for (var j = li; j < COUNT; j += STEP) { mx = max(mx, X[xb + X_at(j)]); }
  let m = tree(li, mx, 1u);
  ${op === 'Hardmax' ? `var fi = ${f(2 ** 24)};
  for (var j = li; j < COUNT; j += STEP) { if (X[xb + X_at(j)] == m) { fi = min(fi, f32(j)); } }
  let first = tree(li, fi, 2u);` : `var sp = 0.0;
  for (var j = li; j < COUNT; j += STEP) { sp += exp(X[xb + X_at(j)] - m); }
  let s = tree(li, sp, 0u);`}
  for (var j = li; j < COUNT; j += STEP) { let o = xb + X_at(j); let v = X[o]; Y[o] = ${write}; }`);
};

/** InstanceNormalization, LayerNormalization, GroupNormalization, MeanVarianceNormalization: moments, then (v − mean)·inv·S + B. */
const normalize: Gen = (ctx) => {
  const x = ctx.inputs[0]!, y = ctx.outputs[0], op = ctx.node.op, xs = denseStrides(x.dims);
  const w = normWalk(ctx.node, x.dims, xs, xs, [1, 2].map((k) => ctx.consts[k]?.dims ?? null));
  const sData = w.scale ? f32(ctx.consts[1]!) : new Float32Array([1]), bData = w.bias ? f32(ctx.consts[2]!) : new Float32Array([0]);
  const n = size(w.dims.filter((_, d) => w.reduced.has(d)));
  return setReduce(`wgsl_${op.toLowerCase()}`, `norm|${op}|${f(w.eps)}|${w.epsOutside}`, { dims: w.dims, reduced: w.reduced, strides: { X: w.x, S: w.s, B: w.b } },
    [{ name: 'X' }, { name: 'Sc' }, { name: 'Bi' }, { name: 'Y', write: true }], [{ value: x }, { data: sData }, { data: bData }, { value: y }], '',
    `let xb = X_item(row); let sb = S_item(row); let bb = B_item(row);
  var sp = 0.0;
  for (var j = li; j < COUNT; j += STEP) { sp += X[xb + X_at(j)]; }
  let mean = tree(li, sp, 0u) / ${f(n)};
  var sq = 0.0;
  for (var j = li; j < COUNT; j += STEP) { let d = X[xb + X_at(j)] - mean; sq += d * d; }
  let vr = tree(li, sq, 0u) / ${f(n)};
  let inv = ${w.epsOutside ? `1.0 / (sqrt(vr) + ${f(w.eps)})` : `1.0 / sqrt(vr + ${f(w.eps)})`};
  for (var j = li; j < COUNT; j += STEP) { let o = xb + X_at(j); Y[o] = (X[o] - mean) * inv * Sc[sb + S_at(j)] + Bi[bb + B_at(j)]; }`);
};

/** LRN across channels: one invocation per output element, a loop over its channel window. */
const lrn: Gen = (ctx) => {
  const x = ctx.inputs[0]!, y = ctx.outputs[0], a = ctx.node.attrs, [, c] = x.dims, inner = size(x.dims.slice(2)), t = size(x.dims);
  const lo = Math.floor((a.size - 1) / 2), hi = Math.ceil((a.size - 1) / 2);
  return [elementwise('wgsl_lrn', `lrn|${x.dims}|${a.size}|${a.alpha}|${a.beta}|${a.bias}`, t, [{ name: 'X' }, { name: 'Y', write: true }], [{ value: x }, { value: y }], '',
    `let ch = i32((gi / ${u(inner)}) % ${u(c)}); let base = gi - u32(ch) * ${u(inner)};
  var s = 0.0;
  for (var k = max(0i, ch - ${i(lo)}); k <= min(${i(c - 1)}, ch + ${i(hi)}); k++) { let v = X[base + u32(k) * ${u(inner)}]; s += v * v; }
  Y[gi] = X[gi] / pow(${f(a.bias)} + ${f(a.alpha / a.size)} * s, ${f(a.beta)});`)];
};

export const WEBGPU_OPS: Record<string, Gen> = {
  Conv: conv, ConvTranspose: convTranspose, LocallyConnected: locallyConnected, Gemm: gemm, MatMul: matmul,
  MaxPool: window, AveragePool: window, LpPool: window, GlobalAveragePool: globalPool, GlobalMaxPool: globalPool, GlobalLpPool: globalLpPool,
  ...Object.fromEntries([...WGSL_ACTIVATIONS].filter((op) => op !== 'Silu').map((op) => [op, activation])),
  ...Object.fromEntries(Object.keys(BINARY_WGSL).map((op) => [op, binary])),
  BatchNormalization: batchNorm, Concat: concat, Split: split, Slice: slice,
  Flatten: reshape, Reshape: reshape, Transpose: transpose, Resize: resize,
  Pad: indexMap, Expand: indexMap, Tile: indexMap, DepthToSpace: indexMap, SpaceToDepth: indexMap,
  Gather: indexMap, GatherElements: indexMap, Where: indexMap,
  ReduceMean: reduce, ReduceSum: reduce, ReduceMax: reduce, ReduceMin: reduce, ReduceProd: reduce, ReduceL1: reduce, ReduceL2: reduce,
  ReduceLogSum: reduce, ReduceLogSumExp: reduce, ReduceSumSquare: reduce,
  Softmax: softmax, LogSoftmax: softmax, Hardmax: softmax,
  InstanceNormalization: normalize, LayerNormalization: normalize, GroupNormalization: normalize, MeanVarianceNormalization: normalize,
  LRN: lrn,
};

/** Operators whose every input may be a constant (bound from the constant buffer). */
const CONST_OPERANDS = new Set([...Object.keys(BINARY_WGSL), 'Concat', 'Where', 'MatMul']);

/** True, or why the WGSL kernels do not run this node. `maxBinding`: the device's maxStorageBufferBindingSize. */
export function webgpuSupports(node: Node, dims: ReadonlyMap<string, number[]>, graph: Graph, maxBinding: number): true | string {
  if (!WEBGPU_OPS[node.op]) return `operator ${node.op} has no WebGPU kernel`;
  if (!CONST_OPERANDS.has(node.op) && graph.consts.has(node.inputs[0])) return 'input 0 must be computed at run time in this position (a constant is not supported here)';
  if (node.attrs.act && !WGSL_ACTIVATIONS.has(node.attrs.act.op)) return `fused activation ${node.attrs.act.op} has no WGSL epilogue`;
  if (['Conv', 'ConvTranspose', 'LocallyConnected', 'Gemm'].includes(node.op) && !graph.consts.has(node.inputs[1])) return 'weights must be a constant initializer';
  if (node.op === 'BatchNormalization' && [1, 2, 3, 4].some((k) => !graph.consts.has(node.inputs[k]))) return 'batch-norm parameters must be constant';
  if (node.op === 'Resize') {
    const x = dims.get(node.inputs[0])!, y = dims.get(node.outputs[0])!;
    if (x.length !== 4 || x[0] !== y[0] || x[1] !== y[1]) return `resize supports the spatial axes of a 4-D tensor only; [${x.join(', ')}] → [${y.join(', ')}]`;
  }
  if (tableEntries(node, dims.get(node.outputs[0])!) && [...node.inputs, ...node.outputs].some((v) => v && size(dims.get(v)!) > MAX_TABLE_OFFSET)) {
    return `${node.op} over tensors of more than ${MAX_TABLE_OFFSET} elements is not supported (its index table holds f32 offsets)`;
  }
  for (const v of [...node.inputs, ...node.outputs]) {
    const d = v ? dims.get(v) : undefined;
    if (d && size(d) * 4 > maxBinding) return `tensor '${v}' (${size(d) * 4} bytes) exceeds the device's largest storage binding (${maxBinding} bytes)`;
  }
  // workgroup grids stay within 65535 per dimension (GEMM tiles are at least 32 on a side)
  const y = dims.get(node.outputs[0])!, tiles32 = (n: number) => Math.ceil(n / 32);
  if (node.op === 'Conv' && (tiles32(y[0] * y[2] * y[3]) > MAX_GROUPS || node.attrs.groups > MAX_GROUPS)) return `output [${y.join(', ')}] with ${node.attrs.groups} groups exceeds the dispatch limit (${MAX_GROUPS} workgroups per dimension)`;
  if (node.op === 'MatMul' && (tiles32(y[y.length - 2]) > MAX_GROUPS || tiles32(y[y.length - 1]) > MAX_GROUPS || size(y.slice(0, -2)) > MAX_GROUPS)) return `output [${y.join(', ')}] exceeds the dispatch limit (${MAX_GROUPS} workgroups per dimension)`;
  if (node.op === 'Gemm' && (tiles32(y[0]) > MAX_GROUPS || tiles32(y[1]) > MAX_GROUPS)) return `output [${y.join(', ')}] exceeds the dispatch limit (${MAX_GROUPS} workgroups per dimension)`;
  return true;
}

/** The WGSL steps of a node. */
export function generate(node: Node, inputs: (Value | null)[], consts: (ConstTensor | null)[], outputs: Value[]): Step[] {
  return WEBGPU_OPS[node.op]({ node, inputs, consts, outputs }).map(arenaReadWrite);
}

/**
 * WebGPU validates usage per buffer, not per range: within one dispatch a buffer bound writable may
 * not also be bound read-only. Every operand in the arena is therefore declared read_write (the shader
 * only reads its inputs); constants stay read-only. The access modes are part of the pipeline key.
 */
function arenaReadWrite(st: Step): Step {
  // Writable bindings may not overlap either: an operand bound twice (Add(x, x), a residual that is
  // the input) is bound once, the later name rewritten to the first.
  const seen = new Map<string, number>();
  const same = st.operands.map((o, k) => {
    if (!('value' in o)) return k;
    const id = `${o.value.buffer.offset + o.value.elemOffset * 4}:${size(o.value.dims)}`;
    const first = seen.get(id);
    if (first === undefined) { seen.set(id, k); return k; }
    return first;
  });
  const operands = st.operands.filter((_, k) => same[k] === k);
  const sig = st.operands.map((o, k) => ('value' in o ? (same[k] === k ? 'v' : `=${same[k]}`) : 'c')).join('');
  return {
    ...st,
    operands,
    key: `${st.key}|${sig}`,
    wgsl: () => {
      let text = st.wgsl();
      const decl = /@group\(0\) @binding\((\d+)\) var<storage, (read|read_write)> (\w+): array<f32>;/g;
      const names: string[] = [];
      for (const m of text.matchAll(decl)) names[Number(m[1])] = m[3];
      let next = 0;
      text = text.replace(decl, (_m, k: string, _a: string, name: string) => {
        const q = Number(k);
        if (same[q] !== q) return '';
        return `@group(0) @binding(${next++}) var<storage, ${'value' in st.operands[q] ? 'read_write' : 'read'}> ${name}: array<f32>;`;
      });
      same.forEach((first, q) => { if (first !== q) text = text.replace(new RegExp(`\\b${names[q]}\\[`, 'g'), `${names[first]}[`); });
      return text;
    },
  };
}
