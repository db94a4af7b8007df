// Reductions (Reduce*), the softmax family (Softmax, LogSoftmax, Hardmax), moments + normalize
// (InstanceNormalization, LayerNormalization, GroupNormalization, MeanVarianceNormalization) and LRN
// over strided axes of any layout. See docs/DESIGN.md, "Reductions and normalizations".
//
// Every kernel reads one parameter block `prm` (40 i32, strides in floats):
//   [0..3]  outer dims (innermost last; leading unused dims are 1)   [4..7]   their x strides
//   [8..11] their y strides                                           [12..15] reduced dims
//   [16..19] reduced x strides      [20..23] reduced y strides        [24..27] outer scale strides
//   [28..31] reduced scale strides  [32..35] outer bias strides       [36..39] reduced bias strides
// An item of the range is one outer index; the reduced set of an item is walked in the order of the
// reduced dims (the host keeps logical order: Hardmax's "first maximum" depends on it).
// SIMD: when the innermost outer dim is contiguous in x and y (e.g. NHWC reduced over H and W: four
// channels side by side), four consecutive items are computed as the four lanes of one vector, with
// exactly the operations of the scalar path, so any partition of the range gives the same bytes.
// No fused multiply-add; exp and log from activation.ts (table-free).
import { exp1, exp4, log1, log4Inline } from './activation';

/** ln of four floats: one called copy in this module (log4Inline inlined once). */
function log4(x: v128): v128 { return log4Inline(x); }

// ------------------------------------------------------------------ the parameter block
// Module globals: each instance (thread) has its own, set at the start of every call.
let O0: i32 = 1, O1: i32 = 1, O2: i32 = 1, O3: i32 = 1;
let OX0: usize = 0, OX1: usize = 0, OX2: usize = 0, OX3: usize = 0;
let OY0: usize = 0, OY1: usize = 0, OY2: usize = 0, OY3: usize = 0;
let R0: i32 = 1, R1: i32 = 1, R2: i32 = 1, R3: i32 = 1;
let RX0: usize = 0, RX1: usize = 0, RX2: usize = 0, RX3: usize = 0;
let RY0: usize = 0, RY1: usize = 0, RY2: usize = 0, RY3: usize = 0;
let OS0: usize = 0, OS1: usize = 0, OS2: usize = 0, OS3: usize = 0;
let RS0: usize = 0, RS1: usize = 0, RS2: usize = 0, RS3: usize = 0;
let OB0: usize = 0, OB1: usize = 0, OB2: usize = 0, OB3: usize = 0;
let RB0: usize = 0, RB1: usize = 0, RB2: usize = 0, RB3: usize = 0;
// item decomposition of the last `locate` call: byte offsets of the item in x, y, scale, bias
let IX: usize = 0, IY: usize = 0, IS: usize = 0, IB: usize = 0, I3: i32 = 0;

/** Strides arrive in floats: kept in bytes (negative ones wrap, as usize arithmetic does). */
@inline function sb(prm: usize, k: i32): usize { return <usize>load<i32>(prm + (<usize>k << 2)) << 2; }

function readPrm(prm: usize): void {
  O0 = load<i32>(prm, 0); O1 = load<i32>(prm, 4); O2 = load<i32>(prm, 8); O3 = load<i32>(prm, 12);
  OX0 = sb(prm, 4); OX1 = sb(prm, 5); OX2 = sb(prm, 6); OX3 = sb(prm, 7);
  OY0 = sb(prm, 8); OY1 = sb(prm, 9); OY2 = sb(prm, 10); OY3 = sb(prm, 11);
  R0 = load<i32>(prm, 48); R1 = load<i32>(prm, 52); R2 = load<i32>(prm, 56); R3 = load<i32>(prm, 60);
  RX0 = sb(prm, 16); RX1 = sb(prm, 17); RX2 = sb(prm, 18); RX3 = sb(prm, 19);
  RY0 = sb(prm, 20); RY1 = sb(prm, 21); RY2 = sb(prm, 22); RY3 = sb(prm, 23);
  OS0 = sb(prm, 24); OS1 = sb(prm, 25); OS2 = sb(prm, 26); OS3 = sb(prm, 27);
  RS0 = sb(prm, 28); RS1 = sb(prm, 29); RS2 = sb(prm, 30); RS3 = sb(prm, 31);
  OB0 = sb(prm, 32); OB1 = sb(prm, 33); OB2 = sb(prm, 34); OB3 = sb(prm, 35);
  RB0 = sb(prm, 36); RB1 = sb(prm, 37); RB2 = sb(prm, 38); RB3 = sb(prm, 39);
}

/** Sets IX, IY, IS, IB (byte offsets) and I3 (index along the innermost outer dim) of item r. */
function locate(r: i32): void {
  let q = r;
  const i3 = q % O3; q = q / O3;
  const i2 = q % O2; q = q / O2;
  const i1 = q % O1; const i0 = q / O1;
  I3 = i3;
  IX = <usize>i0 * OX0 + <usize>i1 * OX1 + <usize>i2 * OX2 + <usize>i3 * OX3;
  IY = <usize>i0 * OY0 + <usize>i1 * OY1 + <usize>i2 * OY2 + <usize>i3 * OY3;
  IS = <usize>i0 * OS0 + <usize>i1 * OS1 + <usize>i2 * OS2 + <usize>i3 * OS3;
  IB = <usize>i0 * OB0 + <usize>i1 * OB1 + <usize>i2 * OB2 + <usize>i3 * OB3;
}

/** Four consecutive items side by side: the innermost outer dim is contiguous in x and y. */
@inline function vectorizable(): bool { return ASC_FEATURE_SIMD && OX3 == 4 && OY3 == 4; }

// ------------------------------------------------------------------ reduce
const RED_SUM: i32 = 0;
const RED_MEAN: i32 = 1;
const RED_MAX: i32 = 2;
const RED_MIN: i32 = 3;
const RED_PROD: i32 = 4;
const RED_L1: i32 = 5;
const RED_L2: i32 = 6;
const RED_SUM_SQUARE: i32 = 7;
const RED_LOG_SUM: i32 = 8;
const RED_LOG_SUM_EXP: i32 = 9;
const RED_EXP_SUM: i32 = 10; // internal: Σ exp(v − m)

@inline function init1(op: i32): f32 {
  return op == RED_MAX ? -Infinity : op == RED_MIN ? Infinity : op == RED_PROD ? 1 : 0;
}

@inline function step1(op: i32, acc: f32, v: f32, m: f32): f32 {
  switch (op) {
    case RED_MAX: return max(acc, v);
    case RED_MIN: return min(acc, v);
    case RED_PROD: return acc * v;
    case RED_L1: return acc + abs(v);
    case RED_L2: case RED_SUM_SQUARE: return acc + v * v;
    case RED_EXP_SUM: return acc + exp1(v - m);
    default: return acc + v;
  }
}

@inline function step4(op: i32, acc: v128, v: v128, m: v128): v128 {
  switch (op) {
    case RED_MAX: return f32x4.max(acc, v);
    case RED_MIN: return f32x4.min(acc, v);
    case RED_PROD: return f32x4.mul(acc, v);
    case RED_L1: return f32x4.add(acc, f32x4.abs(v));
    case RED_L2: case RED_SUM_SQUARE: return f32x4.add(acc, f32x4.mul(v, v));
    case RED_EXP_SUM: return f32x4.add(acc, exp4(f32x4.sub(v, m)));
    default: return f32x4.add(acc, v);
  }
}

/** How two partial results of `op` combine (the accumulators of L1, L2, SumSquare and Σexp are sums). */
@inline function comb1(op: i32, a: f32, b: f32): f32 {
  return op == RED_MAX ? max(a, b) : op == RED_MIN ? min(a, b) : op == RED_PROD ? a * b : a + b;
}

/** The innermost reduced dim is contiguous (a dense last axis, C in NHWC) and long enough for vectors. */
@inline function contiguousInner(): bool { return ASC_FEATURE_SIMD && RX3 == 4 && R3 >= 8; }

/** `op` over one item's reduced set with the innermost dim in 4 lanes plus a scalar tail, lanes combined at
 *  the end: another summation order than sweep1's, but fixed by the step's strides, so every partition
 *  of the range still gives the same bytes. */
@inline function sweepC(op: i32, p: usize, m: f32): f32 {
  let acc4 = f32x4.splat(init1(op));
  let acc = init1(op);
  const mm = f32x4.splat(m);
  for (let a = 0; a < R0; a++) for (let b = 0; b < R1; b++) for (let c = 0; c < R2; c++) {
    let q = p + <usize>a * RX0 + <usize>b * RX1 + <usize>c * RX2;
    let d = 0;
    for (; d + 4 <= R3; d += 4) { acc4 = step4(op, acc4, v128.load(q), mm); q += 16; }
    for (; d < R3; d++) { acc = step1(op, acc, load<f32>(q), m); q += 4; }
  }
  const l = comb1(op, comb1(op, f32x4.extract_lane(acc4, 0), f32x4.extract_lane(acc4, 1)), comb1(op, f32x4.extract_lane(acc4, 2), f32x4.extract_lane(acc4, 3)));
  return comb1(op, l, acc);
}

/** `op` over the reduced set at x + p (one item). */
@inline function sweep1(op: i32, p: usize, m: f32): f32 {
  if (ASC_FEATURE_SIMD) { if (contiguousInner()) return sweepC(op, p, m); }
  let acc = init1(op);
  for (let a = 0; a < R0; a++) for (let b = 0; b < R1; b++) for (let c = 0; c < R2; c++) {
    let q = p + <usize>a * RX0 + <usize>b * RX1 + <usize>c * RX2;
    for (let d = 0; d < R3; d++) { acc = step1(op, acc, load<f32>(q), m); q += RX3; }
  }
  return acc;
}

/** `op` over the reduced sets of four side-by-side items at x + p. */
@inline function sweep4(op: i32, p: usize, m: v128): v128 {
  let acc = f32x4.splat(init1(op));
  for (let a = 0; a < R0; a++) for (let b = 0; b < R1; b++) for (let c = 0; c < R2; c++) {
    let q = p + <usize>a * RX0 + <usize>b * RX1 + <usize>c * RX2;
    for (let d = 0; d < R3; d++) { acc = step4(op, acc, v128.load(q), m); q += RX3; }
  }
  return acc;
}

/** The accumulation an op's sweep runs: Mean and LogSum sum, L2 sums squares. */
@inline function kindOf(op: i32): i32 {
  return op == RED_MEAN || op == RED_LOG_SUM ? RED_SUM : op == RED_L2 ? RED_SUM_SQUARE : op;
}

/** sweep1 with `kind` a constant in each copy (seven loop nests in the binary, not one per caller). */
function sweepS(kind: i32, p: usize, m: f32): f32 {
  switch (kind) {
    case RED_MAX: return sweep1(RED_MAX, p, m);
    case RED_MIN: return sweep1(RED_MIN, p, m);
    case RED_PROD: return sweep1(RED_PROD, p, m);
    case RED_L1: return sweep1(RED_L1, p, m);
    case RED_SUM_SQUARE: return sweep1(RED_SUM_SQUARE, p, m);
    case RED_EXP_SUM: return sweep1(RED_EXP_SUM, p, m);
    default: return sweep1(RED_SUM, p, m);
  }
}

/** sweep4 likewise (SIMD builds only). */
function sweepV(kind: i32, p: usize, m: v128): v128 {
  switch (kind) {
    case RED_MAX: return sweep4(RED_MAX, p, m);
    case RED_MIN: return sweep4(RED_MIN, p, m);
    case RED_PROD: return sweep4(RED_PROD, p, m);
    case RED_L1: return sweep4(RED_L1, p, m);
    case RED_SUM_SQUARE: return sweep4(RED_SUM_SQUARE, p, m);
    case RED_EXP_SUM: return sweep4(RED_EXP_SUM, p, m);
    default: return sweep4(RED_SUM, p, m);
  }
}

/**
 * y[item] = op over the reduced set of x (op: RED_* above). range = product of the outer dims; y is
 * addressed with the outer y strides. Sums in float32 in the order of the reduced dims (4 lanes along a
 * contiguous innermost dim); Mean divides once; LogSumExp = m + ln Σ exp(v − m), m the maximum.
 */
export function f32_reduce(x: usize, y: usize, prm: usize, op: i32, begin: i32, end: i32): void {
  readPrm(prm);
  const n = <f32>(R0 * R1 * R2 * R3);
  const kind = kindOf(op);
  for (let r = begin; r < end;) {
    locate(r);
    const p = x + IX;
    if (ASC_FEATURE_SIMD) {
      if (vectorizable() && I3 + 4 <= O3 && r + 4 <= end) {
        let v: v128;
        if (op == RED_LOG_SUM_EXP) {
          const m = sweepV(RED_MAX, p, f32x4.splat(0));
          v = f32x4.add(log4(sweepV(RED_EXP_SUM, p, m)), m);
        } else {
          v = sweepV(kind, p, f32x4.splat(0));
          if (op == RED_MEAN) v = f32x4.div(v, f32x4.splat(n));
          else if (op == RED_L2) v = f32x4.sqrt(v);
          else if (op == RED_LOG_SUM) v = log4(v);
        }
        v128.store(y + IY, v);
        r += 4;
        continue;
      }
    }
    let v: f32;
    if (op == RED_LOG_SUM_EXP) {
      const m = sweepS(RED_MAX, p, 0);
      v = log1(sweepS(RED_EXP_SUM, p, m)) + m;
    } else {
      v = sweepS(kind, p, 0);
      if (op == RED_MEAN) v = v / n;
      else if (op == RED_L2) v = sqrt<f32>(v);
      else if (op == RED_LOG_SUM) v = log1(v);
    }
    store<f32>(y + IY, v);
    r++;
  }
}

// ------------------------------------------------------------------ softmax, log-softmax, hardmax
const SM_SOFTMAX: i32 = 0;
const SM_LOG_SOFTMAX: i32 = 1;
const SM_HARDMAX: i32 = 2;

/** Index (in walk order) of the first maximum of one item's reduced set. */
function argmax1(p: usize): i32 {
  let best: f32 = -Infinity, arg = 0, k = 0;
  let first = true;
  for (let a = 0; a < R0; a++) for (let b = 0; b < R1; b++) for (let c = 0; c < R2; c++) {
    let q = p + <usize>a * RX0 + <usize>b * RX1 + <usize>c * RX2;
    for (let d = 0; d < R3; d++) {
      const v = load<f32>(q);
      if (first || v > best) { best = v; arg = k; first = false; }
      q += RX3; k++;
    }
  }
  return arg;
}

/** The write pass of one item: exp(v − m)/s (softmax) or (v − m) − ls; `soft` a constant per copy. */
@inline function writeItem1(soft: bool, p: usize, o0: usize, m: f32, s: f32, ls: f32): void {
  const inner4 = ASC_FEATURE_SIMD && RX3 == 4 && RY3 == 4;
  for (let a = 0; a < R0; a++) for (let b = 0; b < R1; b++) for (let c = 0; c < R2; c++) {
    let q = p + <usize>a * RX0 + <usize>b * RX1 + <usize>c * RX2;
    let o = o0 + <usize>a * RY0 + <usize>b * RY1 + <usize>c * RY2;
    let d = 0;
    if (ASC_FEATURE_SIMD) {
      if (inner4) { // element-wise: the vector body computes exactly what the scalar loop would
        const mm = f32x4.splat(m), ss = f32x4.splat(s), lls = f32x4.splat(ls);
        for (; d + 4 <= R3; d += 4) {
          const v = f32x4.sub(v128.load(q), mm);
          v128.store(o, soft ? f32x4.div(exp4(v), ss) : f32x4.sub(v, lls));
          q += 16; o += 16;
        }
      }
    }
    for (; d < R3; d++) {
      const v = load<f32>(q) - m;
      store<f32>(o, soft ? exp1(v) / s : v - ls);
      q += RX3; o += RY3;
    }
  }
}

function softmaxItem1(mode: i32, x: usize, y: usize): void {
  const p = x + IX;
  if (mode == SM_HARDMAX) {
    const arg = argmax1(p);
    let k = 0;
    for (let a = 0; a < R0; a++) for (let b = 0; b < R1; b++) for (let c = 0; c < R2; c++) {
      let o = y + IY + <usize>a * RY0 + <usize>b * RY1 + <usize>c * RY2;
      for (let d = 0; d < R3; d++) { store<f32>(o, k == arg ? 1 : 0); o += RY3; k++; }
    }
    return;
  }
  const m = sweepS(RED_MAX, p, 0);
  const s = sweepS(RED_EXP_SUM, p, m);
  const ls = log1(s);
  if (mode == SM_SOFTMAX) writeItem1(true, p, y + IY, m, s, ls);
  else writeItem1(false, p, y + IY, m, s, ls);
}

function softmaxItem4(mode: i32, x: usize, y: usize): void {
  const p = x + IX;
  if (mode == SM_HARDMAX) {
    // per lane: the first index with the lane's maximum (strictly greater replaces; the first element always does)
    let best = f32x4.splat(-Infinity), arg = i32x4.splat(0), k = i32x4.splat(0);
    let first = true;
    for (let a = 0; a < R0; a++) for (let b = 0; b < R1; b++) for (let c = 0; c < R2; c++) {
      let q = p + <usize>a * RX0 + <usize>b * RX1 + <usize>c * RX2;
      for (let d = 0; d < R3; d++) {
        const v = v128.load(q);
        const take = first ? i32x4.splat(-1) : f32x4.gt(v, best);
        best = v128.bitselect(v, best, take);
        arg = v128.bitselect(k, arg, take);
        first = false;
        q += RX3; k = i32x4.add(k, i32x4.splat(1));
      }
    }
    k = i32x4.splat(0);
    for (let a = 0; a < R0; a++) for (let b = 0; b < R1; b++) for (let c = 0; c < R2; c++) {
      let o = y + IY + <usize>a * RY0 + <usize>b * RY1 + <usize>c * RY2;
      for (let d = 0; d < R3; d++) {
        v128.store(o, v128.and(i32x4.eq(k, arg), f32x4.splat(1)));
        o += RY3; k = i32x4.add(k, i32x4.splat(1));
      }
    }
    return;
  }
  const m = sweepV(RED_MAX, p, f32x4.splat(0));
  const s = sweepV(RED_EXP_SUM, p, m);
  const ls = log4(s);
  if (mode == SM_SOFTMAX) writeItem4(true, p, y + IY, m, s, ls);
  else writeItem4(false, p, y + IY, m, s, ls);
}

@inline function writeItem4(soft: bool, p: usize, o0: usize, m: v128, s: v128, ls: v128): void {
  for (let a = 0; a < R0; a++) for (let b = 0; b < R1; b++) for (let c = 0; c < R2; c++) {
    let q = p + <usize>a * RX0 + <usize>b * RX1 + <usize>c * RX2;
    let o = o0 + <usize>a * RY0 + <usize>b * RY1 + <usize>c * RY2;
    for (let d = 0; d < R3; d++) {
      const v = f32x4.sub(v128.load(q), m);
      v128.store(o, soft ? f32x4.div(exp4(v), s) : f32x4.sub(v, ls));
      q += RX3; o += RY3;
    }
  }
}

/**
 * Softmax (mode 0: exp(v − m) / Σ), LogSoftmax (1: v − m − ln Σ) or Hardmax (2: 1 at the first maximum
 * in walk order, 0 elsewhere) of each item's reduced set, written at the same place in y (outer and
 * reduced y strides; x == y with equal strides allowed). range = product of the outer dims.
 */
export function f32_softmax_nd(x: usize, y: usize, prm: usize, mode: i32, begin: i32, end: i32): void {
  readPrm(prm);
  for (let r = begin; r < end;) {
    locate(r);
    if (ASC_FEATURE_SIMD) {
      if (vectorizable() && I3 + 4 <= O3 && r + 4 <= end) { softmaxItem4(mode, x, y); r += 4; continue; }
    }
    softmaxItem1(mode, x, y);
    r++;
  }
}

// ------------------------------------------------------------------ moments + normalize
/** Σ (v − mean)² over one item's reduced set. */
@inline function centered1(p: usize, mean: f32): f32 {
  if (ASC_FEATURE_SIMD) {
    if (contiguousInner()) { // lanes as in sweepC
      let acc4 = f32x4.splat(0);
      let acc: f32 = 0;
      const mm = f32x4.splat(mean);
      for (let a = 0; a < R0; a++) for (let b = 0; b < R1; b++) for (let c = 0; c < R2; c++) {
        let q = p + <usize>a * RX0 + <usize>b * RX1 + <usize>c * RX2;
        let d = 0;
        for (; d + 4 <= R3; d += 4) { const v = f32x4.sub(v128.load(q), mm); acc4 = f32x4.add(acc4, f32x4.mul(v, v)); q += 16; }
        for (; d < R3; d++) { const v = load<f32>(q) - mean; acc = acc + v * v; q += 4; }
      }
      return ((f32x4.extract_lane(acc4, 0) + f32x4.extract_lane(acc4, 1)) + (f32x4.extract_lane(acc4, 2) + f32x4.extract_lane(acc4, 3))) + acc;
    }
  }
  let acc: f32 = 0;
  for (let a = 0; a < R0; a++) for (let b = 0; b < R1; b++) for (let c = 0; c < R2; c++) {
    let q = p + <usize>a * RX0 + <usize>b * RX1 + <usize>c * RX2;
    for (let d = 0; d < R3; d++) { const v = load<f32>(q) - mean; acc = acc + v * v; q += RX3; }
  }
  return acc;
}

@inline function centered4(p: usize, mean: v128): v128 {
  let acc = f32x4.splat(0);
  for (let a = 0; a < R0; a++) for (let b = 0; b < R1; b++) for (let c = 0; c < R2; c++) {
    let q = p + <usize>a * RX0 + <usize>b * RX1 + <usize>c * RX2;
    for (let d = 0; d < R3; d++) { const v = f32x4.sub(v128.load(q), mean); acc = f32x4.add(acc, f32x4.mul(v, v)); q += RX3; }
  }
  return acc;
}

/** Four floats at p, p + step, p + 2·step, p + 3·step (a scale or bias per lane). */
@inline function gather4(p: usize, step: usize): v128 {
  let v = f32x4.splat(load<f32>(p));
  v = f32x4.replace_lane(v, 1, load<f32>(p + step));
  v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * step));
  return f32x4.replace_lane(v, 3, load<f32>(p + 3 * step));
}

/**
 * Per item: mean and population variance of the reduced set (two passes), then
 * y = (v − mean) · inv · scale + bias with inv = 1/√(var + eps), or 1/(√var + eps) when epsOutside ≠ 0
 * (MeanVarianceNormalization's definition). scale and bias are addressed with their own outer and
 * reduced strides (0 = broadcast). range = product of the outer dims.
 */
export function f32_normalize_nd(x: usize, y: usize, prm: usize, scale: usize, bias: usize, eps: f32, epsOutside: i32, begin: i32, end: i32): void {
  readPrm(prm);
  const n = <f32>(R0 * R1 * R2 * R3);
  for (let r = begin; r < end;) {
    locate(r);
    const p = x + IX;
    if (ASC_FEATURE_SIMD) {
      if (vectorizable() && I3 + 4 <= O3 && r + 4 <= end) {
        const mean = f32x4.div(sweepV(RED_SUM, p, f32x4.splat(0)), f32x4.splat(n));
        const vr = f32x4.div(centered4(p, mean), f32x4.splat(n));
        const e = f32x4.splat(eps), one = f32x4.splat(1);
        const inv = epsOutside ? f32x4.div(one, f32x4.add(f32x4.sqrt(vr), e)) : f32x4.div(one, f32x4.sqrt(f32x4.add(vr, e)));
        for (let a = 0; a < R0; a++) for (let b = 0; b < R1; b++) for (let c = 0; c < R2; c++) {
          let q = p + <usize>a * RX0 + <usize>b * RX1 + <usize>c * RX2;
          let o = y + IY + <usize>a * RY0 + <usize>b * RY1 + <usize>c * RY2;
          let s = scale + IS + <usize>a * RS0 + <usize>b * RS1 + <usize>c * RS2;
          let t = bias + IB + <usize>a * RB0 + <usize>b * RB1 + <usize>c * RB2;
          for (let d = 0; d < R3; d++) {
            const v = f32x4.mul(f32x4.mul(f32x4.sub(v128.load(q), mean), inv), gather4(s, OS3));
            v128.store(o, f32x4.add(v, gather4(t, OB3)));
            q += RX3; o += RY3; s += RS3; t += RB3;
          }
        }
        r += 4;
        continue;
      }
    }
    const mean = sweepS(RED_SUM, p, 0) / n;
    const vr = centered1(p, mean) / n;
    const inv: f32 = epsOutside ? <f32>1 / (sqrt<f32>(vr) + eps) : <f32>1 / sqrt<f32>(vr + eps);
    // scale and bias contiguous or broadcast along a contiguous innermost dim: the element-wise vector body
    const inner4 = ASC_FEATURE_SIMD && RX3 == 4 && RY3 == 4 && (RS3 == 4 || RS3 == 0) && (RB3 == 4 || RB3 == 0);
    for (let a = 0; a < R0; a++) for (let b = 0; b < R1; b++) for (let c = 0; c < R2; c++) {
      let q = p + <usize>a * RX0 + <usize>b * RX1 + <usize>c * RX2;
      let o = y + IY + <usize>a * RY0 + <usize>b * RY1 + <usize>c * RY2;
      let s = scale + IS + <usize>a * RS0 + <usize>b * RS1 + <usize>c * RS2;
      let t = bias + IB + <usize>a * RB0 + <usize>b * RB1 + <usize>c * RB2;
      let d = 0;
      if (ASC_FEATURE_SIMD) {
        if (inner4) {
          const mm = f32x4.splat(mean), ii = f32x4.splat(inv);
          for (; d + 4 <= R3; d += 4) {
            const sv = RS3 ? v128.load(s) : f32x4.splat(load<f32>(s));
            const tv = RB3 ? v128.load(t) : f32x4.splat(load<f32>(t));
            v128.store(o, f32x4.add(f32x4.mul(f32x4.mul(f32x4.sub(v128.load(q), mm), ii), sv), tv));
            q += 16; o += 16; s += RS3 << 2; t += RB3 << 2;
          }
        }
      }
      for (; d < R3; d++) {
        store<f32>(o, (load<f32>(q) - mean) * inv * load<f32>(s) + load<f32>(t));
        q += RX3; o += RY3; s += RS3; t += RB3;
      }
    }
    r++;
  }
}

// ------------------------------------------------------------------ LRN
/** t^beta for t > 0: exp(beta · ln t), or through correctly rounded square roots for the usual betas
 *  (0.75: AlexNet, GoogLeNet; 0.5; 1) — about 8x faster, and exact to a few roundings. `beta` is one
 *  value per step, so every element of a step takes the same branch. */
@inline function pow1(t: f32, beta: f32): f32 {
  if (beta == 0.75) { const r = sqrt<f32>(t); return r * sqrt<f32>(r); }
  if (beta == 0.5) return sqrt<f32>(t);
  if (beta == 1) return t;
  return exp1(beta * log1(t));
}
@inline function pow4(t: v128, beta: f32): v128 {
  if (beta == 0.75) { const r = f32x4.sqrt(t); return f32x4.mul(r, f32x4.sqrt(r)); }
  if (beta == 0.5) return f32x4.sqrt(t);
  if (beta == 1) return t;
  return exp4(f32x4.mul(f32x4.splat(beta), log4(t)));
}

/**
 * LRN across the channel axis (the one reduced dim R3, x stride RX3, y stride RY3) of every outer item:
 * y[c] = x[c] / (bias + alphaOverSize · Σ_{k in [c − lo, c + hi] ∩ [0, C)} x[k]²)^beta, lo = ⌊(size−1)/2⌋,
 * hi = ⌈(size−1)/2⌉; the sum in increasing k. SIMD: four items side by side (dense layouts: pixels
 * contiguous), else four channels side by side where the window lies inside [0, C) for all four
 * (NHWC: channels contiguous); both with the scalar path's operations. range = outer items.
 */
export function f32_lrn(x: usize, y: usize, prm: usize, size: i32, alphaOverSize: f32, beta: f32, bias: f32, begin: i32, end: i32): void {
  readPrm(prm);
  const C = R3;
  const lo = (size - 1) >> 1, hi = size - 1 - lo;
  for (let r = begin; r < end;) {
    locate(r);
    const p = x + IX, o = y + IY;
    if (ASC_FEATURE_SIMD) {
      if (vectorizable() && I3 + 4 <= O3 && r + 4 <= end) {
        for (let c = 0; c < C; c++) {
          let s = f32x4.splat(0);
          const k1 = min(C - 1, c + hi);
          for (let k = max(0, c - lo); k <= k1; k++) { const v = v128.load(p + <usize>k * RX3); s = f32x4.add(s, f32x4.mul(v, v)); }
          const den = pow4(f32x4.add(f32x4.splat(bias), f32x4.mul(f32x4.splat(alphaOverSize), s)), beta);
          v128.store(o + <usize>c * RY3, f32x4.div(v128.load(p + <usize>c * RX3), den));
        }
        r += 4;
        continue;
      }
    }
    let c = 0;
    if (ASC_FEATURE_SIMD) {
      if (RX3 == 4 && RY3 == 4) {
        // channels contiguous: blocks of 4 channels whose windows are inside [0, C)
        for (c = lo; c + 4 + hi <= C; c += 4) {
          let s = f32x4.splat(0);
          for (let k = c - lo; k <= c + hi; k++) { const v = v128.load(p + (<usize>k << 2)); s = f32x4.add(s, f32x4.mul(v, v)); }
          const den = pow4(f32x4.add(f32x4.splat(bias), f32x4.mul(f32x4.splat(alphaOverSize), s)), beta);
          v128.store(o + (<usize>c << 2), f32x4.div(v128.load(p + (<usize>c << 2)), den));
        }
        // the channels before the first block and after the last
        for (let cc = 0; cc < min(lo, C); cc++) lrnChannel(p, o, cc, C, lo, hi, alphaOverSize, beta, bias);
        if (c < lo) c = lo;
      }
    }
    for (; c < C; c++) lrnChannel(p, o, c, C, lo, hi, alphaOverSize, beta, bias);
    r++;
  }
}

function lrnChannel(p: usize, o: usize, c: i32, C: i32, lo: i32, hi: i32, alphaOverSize: f32, beta: f32, bias: f32): void {
  let s: f32 = 0;
  const k1 = min(C - 1, c + hi);
  for (let k = max(0, c - lo); k <= k1; k++) { const v = load<f32>(p + <usize>k * RX3); s = s + v * v; }
  store<f32>(o + <usize>c * RY3, load<f32>(p + <usize>c * RX3) / pow1(bias + alphaOverSize * s, beta));
}
