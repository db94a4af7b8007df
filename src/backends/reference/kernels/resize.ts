// Plain-TypeScript reference of ONNX Resize on the spatial axes of NCHW (float64), written from the ONNX
// operator specification, independent of src/backends/wasm/kernels/resize.ts.
export interface RefResizeParams {
  mode: 'nearest' | 'linear';
  coordMode: string;
  nearestMode: string;
  n: number; c: number; h: number; w: number; oh: number; ow: number;
  /** per-axis scales; default out/in */
  scaleH?: number; scaleW?: number;
}

function toOriginal(mode: string, xr: number, lenIn: number, lenOut: number, scale: number): number {
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

export function refResize(x: ArrayLike<number>, p: RefResizeParams): Float64Array {
  const sH = p.scaleH ?? p.oh / p.h, sW = p.scaleW ?? p.ow / p.w;
  const y = new Float64Array(p.n * p.c * p.oh * p.ow);
  const at = (n: number, c: number, iy: number, ix: number) => x[((n * p.c + c) * p.h + iy) * p.w + ix];
  for (let n = 0; n < p.n; n++) for (let c = 0; c < p.c; c++) for (let oy = 0; oy < p.oh; oy++) for (let ox = 0; ox < p.ow; ox++) {
    const fy = toOriginal(p.coordMode, oy, p.h, p.oh, sH);
    const fx = toOriginal(p.coordMode, ox, p.w, p.ow, sW);
    let v: number;
    if (p.mode === 'nearest') {
      v = at(n, c, nearestIndex(p.nearestMode, fy, p.h), nearestIndex(p.nearestMode, fx, p.w));
    } else {
      const [y0, y1, wy] = linearTaps(fy, p.h);
      const [x0, x1, wx] = linearTaps(fx, p.w);
      v = (1 - wy) * ((1 - wx) * at(n, c, y0, x0) + wx * at(n, c, y0, x1)) + wy * ((1 - wx) * at(n, c, y1, x0) + wx * at(n, c, y1, x1));
    }
    y[((n * p.c + c) * p.oh + oy) * p.ow + ox] = v;
  }
  return y;
}
