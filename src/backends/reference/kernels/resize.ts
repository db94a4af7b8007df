// Plain-TypeScript reference of ONNX Resize on the spatial axes of NCHW (float64), written from the ONNX
// operator specification, independent of src/backends/wasm/kernels/resize.ts.
export interface RefResizeParams {
  mode: 'nearest' | 'linear' | 'cubic';
  coordMode: string;
  nearestMode: string;
  n: number; c: number; h: number; w: number; oh: number; ow: number;
  /** per-axis scales; default out/in */
  scaleH?: number; scaleW?: number;
  /** cubic: the kernel coefficient (default -0.75) and exclude_outside */
  cubicCoeffA?: number; excludeOutside?: boolean;
  /** tf_crop_and_resize: per-axis [start, end] (normalized) and the value outside the input */
  roiH?: [number, number]; roiW?: [number, number]; extrapolationValue?: number;
}

function toOriginal(mode: string, xr: number, lenIn: number, lenOut: number, scale: number, roi = [0, 1]): number {
  if (mode === 'tf_crop_and_resize') {
    return lenOut > 1 ? roi[0] * (lenIn - 1) + xr * (roi[1] - roi[0]) * (lenIn - 1) / (lenOut - 1) : 0.5 * (roi[0] + roi[1]) * (lenIn - 1);
  }
  if (mode === 'half_pixel') return (xr + 0.5) / scale - 0.5;
  if (mode === 'pytorch_half_pixel') return lenOut > 1 ? (xr + 0.5) / scale - 0.5 : 0;
  if (mode === 'align_corners') return lenOut === 1 ? 0 : xr * (lenIn - 1) / (lenOut - 1);
  if (mode === 'asymmetric') return xr / scale;
  if (mode === 'tf_half_pixel_for_nn') return (xr + 0.5) / scale;
  if (mode === 'half_pixel_symmetric') {
    const adjustment = lenOut / (scale * lenIn);
    const center = lenIn / 2;
    const offset = center * (1 - adjustment);
    return offset + (xr + 0.5) / scale - 0.5;
  }
  throw new Error(mode);
}

function nearestIndex(mode: string, x: number, lenIn: number): number {
  let i: number;
  const isHalf = x - Math.floor(x) === 0.5;
  if (mode === 'round_prefer_floor') i = isHalf ? Math.floor(x) : Math.round(x);
  else if (mode === 'round_prefer_ceil') i = isHalf ? Math.ceil(x) : Math.round(x);
  else if (mode === 'floor') i = Math.floor(x);
  else if (mode === 'ceil') i = Math.ceil(x);
  else throw new Error(mode);
  return Math.min(Math.max(i, 0), lenIn - 1);
}

/** Linear sample along one axis: the source coordinate clamped to [0, len-1] (ONNX edge padding). */
function linearTaps(x: number, lenIn: number): [number, number, number] {
  const c = Math.min(Math.max(x, 0), lenIn - 1);
  const i0 = Math.floor(c);
  return [i0, Math.min(i0 + 1, lenIn - 1), c - i0];
}

/** Keys' cubic convolution kernel with coefficient a, at distance t. */
function keys(t: number, a: number): number {
  t = Math.abs(t);
  if (t <= 1) return (a + 2) * t ** 3 - (a + 3) * t ** 2 + 1;
  if (t < 2) return a * t ** 3 - 5 * a * t ** 2 + 8 * a * t - 4 * a;
  return 0;
}

/** Cubic sample along one axis: taps floor(x)-1 .. floor(x)+2; outside the axis either edge-padded or
 *  (excludeOutside) dropped with the other weights renormalized. Returns [index, weight] pairs. */
function cubicTapsRef(x: number, lenIn: number, a: number, excludeOutside: boolean): [number, number][] {
  const f = Math.floor(x);
  let taps: [number, number][] = [-1, 0, 1, 2].map((k) => [f + k, keys(x - (f + k), a)]);
  if (excludeOutside) {
    taps = taps.filter(([i]) => i >= 0 && i < lenIn);
    const sum = taps.reduce((s, [, w]) => s + w, 0);
    return taps.map(([i, w]) => [i, w / sum]);
  }
  return taps.map(([i, w]) => [Math.min(Math.max(i, 0), lenIn - 1), w]);
}

export function refResize(x: ArrayLike<number>, p: RefResizeParams): Float64Array {
  const sH = p.scaleH ?? p.oh / p.h, sW = p.scaleW ?? p.ow / p.w;
  const y = new Float64Array(p.n * p.c * p.oh * p.ow);
  const at = (n: number, c: number, iy: number, ix: number) => x[((n * p.c + c) * p.h + iy) * p.w + ix];
  for (let n = 0; n < p.n; n++) for (let c = 0; c < p.c; c++) for (let oy = 0; oy < p.oh; oy++) for (let ox = 0; ox < p.ow; ox++) {
    const fy = toOriginal(p.coordMode, oy, p.h, p.oh, sH, p.roiH);
    const fx = toOriginal(p.coordMode, ox, p.w, p.ow, sW, p.roiW);
    let v: number;
    if (p.coordMode === 'tf_crop_and_resize' && (fy < 0 || fy > p.h - 1 || fx < 0 || fx > p.w - 1)) {
      v = p.extrapolationValue ?? 0;
    } else if (p.mode === 'nearest') {
      v = at(n, c, nearestIndex(p.nearestMode, fy, p.h), nearestIndex(p.nearestMode, fx, p.w));
    } else if (p.mode === 'cubic') {
      const a = p.cubicCoeffA ?? -0.75, ex = !!p.excludeOutside;
      v = 0;
      for (const [iy, wy] of cubicTapsRef(fy, p.h, a, ex)) {
        let row = 0;
        for (const [ix, wx] of cubicTapsRef(fx, p.w, a, ex)) row += wx * at(n, c, iy, ix);
        v += wy * row;
      }
    } else {
      const [y0, y1, wy] = linearTaps(fy, p.h);
      const [x0, x1, wx] = linearTaps(fx, p.w);
      v = (1 - wy) * ((1 - wx) * at(n, c, y0, x0) + wx * at(n, c, y0, x1)) + wy * ((1 - wx) * at(n, c, y1, x0) + wx * at(n, c, y1, x1));
    }
    y[((n * p.c + c) * p.oh + oy) * p.ow + ox] = v;
  }
  return y;
}
