// Plain-TypeScript reference pooling over NCHW (float64), ONNX / PyTorch semantics.
export interface RefPoolParams {
  /** lp: (sum of |x|^p over the valid taps)^(1/p); padding adds nothing */
  kind: 'max' | 'avg' | 'lp';
  /** lp only: the integer p ≥ 1 */
  p?: number;
  n: number; c: number; h: number; w: number;
  kh: number; kw: number; sh: number; sw: number;
  /** top, left, bottom, right */
  pads: [number, number, number, number];
  dh: number; dw: number;
  ceil: boolean;
  countIncludePad: boolean;
}

/** out = floor or ceil((in + pb + pe - d*(k-1) - 1) / s) + 1; in ceil mode a last window starting at or
 *  after in + pb (entirely inside the end padding) is dropped. */
export function refPoolOut(inp: number, k: number, s: number, pb: number, pe: number, d: number, ceil: boolean): number {
  const q = (inp + pb + pe - d * (k - 1) - 1) / s;
  let o = (ceil ? Math.ceil(q) : Math.floor(q)) + 1;
  if (ceil && (o - 1) * s >= inp + pb) o--;
  return o;
}

/**
 * y[n][c][oy][ox] = max or mean over taps (ky, kx) of x[n][c][oy*sh - pt + ky*dh][ox*sw - pl + kx*dw], taps outside
 * the input skipped. Mean divisor: count_include_pad → taps whose position lies inside the padded input
 * [-pt, h + pb) x [-pl, w + pr) (taps of a ceil-mode window beyond that border are not counted);
 * otherwise the taps inside the input.
 */
export function refPool(x: ArrayLike<number>, p: RefPoolParams): { y: Float64Array; oh: number; ow: number } {
  const [pt, pl, pb, pr] = p.pads;
  const oh = refPoolOut(p.h, p.kh, p.sh, pt, pb, p.dh, p.ceil);
  const ow = refPoolOut(p.w, p.kw, p.sw, pl, pr, p.dw, p.ceil);
  const y = new Float64Array(p.n * p.c * oh * ow);
  for (let n = 0; n < p.n; n++) for (let c = 0; c < p.c; c++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
    let mx = -Infinity, sum = 0, valid = 0, inPadded = 0, lp = 0;
    for (let ky = 0; ky < p.kh; ky++) for (let kx = 0; kx < p.kw; kx++) {
      const iy = oy * p.sh - pt + ky * p.dh;
      const ix = ox * p.sw - pl + kx * p.dw;
      if (iy >= -pt && iy < p.h + pb && ix >= -pl && ix < p.w + pr) inPadded++;
      if (iy < 0 || iy >= p.h || ix < 0 || ix >= p.w) continue;
      const v = x[((n * p.c + c) * p.h + iy) * p.w + ix];
      mx = Math.max(mx, v);
      sum += v;
      lp += Math.abs(v) ** (p.p ?? 2);
      valid++;
    }
    const div = p.countIncludePad ? inPadded : valid;
    y[((n * p.c + c) * oh + oy) * ow + ox] = p.kind === 'max' ? mx : p.kind === 'lp' ? lp ** (1 / (p.p ?? 2)) : div > 0 ? sum / div : 0;
  }
  return { y, oh, ow };
}

/** Global pooling: [N,C,H,W] → [N,C] (max, mean or Lp norm over H*W). */
export function refGlobalPool(x: ArrayLike<number>, kind: 'max' | 'avg' | 'lp', n: number, c: number, h: number, w: number, pow = 2): Float64Array {
  const y = new Float64Array(n * c);
  for (let i = 0; i < n * c; i++) {
    let mx = -Infinity, s = 0, lp = 0;
    for (let j = 0; j < h * w; j++) { const v = x[i * h * w + j]; mx = Math.max(mx, v); s += v; lp += Math.abs(v) ** pow; }
    y[i] = kind === 'max' ? mx : kind === 'lp' ? lp ** (1 / pow) : s / (h * w);
  }
  return y;
}
