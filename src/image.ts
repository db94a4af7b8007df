// Pixels to a model input: the image sources web apps have (ImageData, ImageBitmap, <img>, canvases,
// VideoFrame, <video>) or raw bytes (anywhere, Node included), resized (bilinear, half-pixel centres,
// edge clamped: PyTorch's `interpolate(mode='bilinear', align_corners=False)` without antialiasing),
// optionally center-cropped to the target's aspect first, as RGB or gray, scaled to [0, 1] then
// (x - mean) / std per channel, in NCHW or NHWC. Browser sources are drawn through an OffscreenCanvas
// (or a <canvas>) once, at their own resolution: the resize is the same code everywhere, so a page and
// Node give the same bits for the same pixels. Tensor.fromImage (tensor.ts) wraps this.
import { InvalidArgumentError } from './errors.js';

/**
 * Raw 8-bit pixels, row by row from the top left: RGBA (4 bytes a pixel, like ImageData), RGB (3) or
 * gray (1); which one is read from `data.length`. Needs no DOM: works in Node, Deno, Bun and workers.
 */
export interface RawImage {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
}

/**
 * A browser image: ImageData, ImageBitmap, HTMLImageElement, HTMLCanvasElement, OffscreenCanvas,
 * VideoFrame or HTMLVideoElement. Typed by shape so that edgecnn's types do not need the DOM lib;
 * anything else is rejected at run time with an InvalidArgumentError.
 */
export type BrowserImageSource =
  | { readonly width: number; readonly height: number }
  | { readonly displayWidth: number; readonly displayHeight: number };

export type ImageSource = RawImage | BrowserImageSource;

export interface FromImageOptions {
  /** Output size: a number (square), `[height, width]` or `{ width, height }`. Default: the source's size. */
  size?: number | readonly [number, number] | { readonly width: number; readonly height: number };
  /**
   * `'center'` (default): the largest centred region with the output's aspect ratio is cut out (whole
   * pixels), then resized; `'none'`: the whole image is resized (stretched when the aspects differ).
   */
  crop?: 'center' | 'none';
  /** 3 (default): RGB; 1: gray, 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601, as PIL's `convert('L')`). */
  channels?: 1 | 3;
  /** Subtracted after scaling to [0, 1]: one number, or one per channel. Default 0. */
  mean?: number | ArrayLike<number>;
  /** Divides after subtracting the mean: one number, or one per channel. Default 1. */
  std?: number | ArrayLike<number>;
  /** `'nchw'` (default): dims [1, C, H, W]; `'nhwc'`: [1, H, W, C]. */
  layout?: 'nchw' | 'nhwc';
  /** Write the values into this array (exactly C·H·W floats) instead of a new one, e.g. a bound input
   * (`session.bind()`): a camera loop then converts each frame straight into the engine's memory. */
  into?: Float32Array;
}

export interface ImageTensorData { data: Float32Array; dims: number[] }

/** 8-bit pixels with `channels` bytes each (4, 3 or 1), `stride` pixels a row. */
interface Pixels { data: ArrayLike<number>; channels: number; stride: number; x0: number; y0: number }

const OPTION_KEYS = ['size', 'crop', 'channels', 'mean', 'std', 'layout', 'into'];
const DOM_KINDS = ['ImageBitmap', 'HTMLImageElement', 'HTMLCanvasElement', 'OffscreenCanvas', 'VideoFrame', 'HTMLVideoElement'];
const SOURCES = 'ImageData, ImageBitmap, HTMLImageElement, HTMLCanvasElement, OffscreenCanvas, VideoFrame, HTMLVideoElement or { data: Uint8Array, width, height }';

const tagOf = (v: unknown): string => Object.prototype.toString.call(v).slice(8, -1);

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  const tag = tagOf(v);
  const ctor = (v as { constructor?: { name?: string } }).constructor?.name;
  return tag !== 'Object' ? tag : ctor && ctor !== 'Object' ? ctor : 'a plain object';
}

/** Reads the pixels of `source` and makes the float data of a [1, C, H, W] (or [1, H, W, C]) tensor. */
export async function imageToTensorData(source: ImageSource, options: FromImageOptions = {}): Promise<ImageTensorData> {
  const opts = readOptions(options);
  if (source === null || typeof source !== 'object') throw new InvalidArgumentError(`fromImage: unsupported image source (${describeValue(source)}): pass ${SOURCES}`);
  const tag = tagOf(source);
  const s = source as Record<string, any>;
  const isRaw = tag === 'ImageData' || ('data' in s && typeof s.width === 'number' && typeof s.height === 'number' && !DOM_KINDS.includes(tag));
  if (isRaw) {
    const { width, height } = s;
    checkSize(width, height, tag === 'ImageData' ? 'ImageData' : 'raw image');
    const dataTag = tagOf(s.data);
    if (dataTag !== 'Uint8Array' && dataTag !== 'Uint8ClampedArray') {
      throw new InvalidArgumentError(`fromImage: raw image data must be a Uint8Array or Uint8ClampedArray of 8-bit pixels, got ${describeValue(s.data)} (for float pixels make a Tensor directly)`);
    }
    const n = width * height, len = (s.data as Uint8Array).length;
    const channels = len === n * 4 ? 4 : len === n * 3 ? 3 : len === n ? 1 : 0;
    if (!channels) {
      throw new InvalidArgumentError(`fromImage: raw image data has ${len} bytes; ${width}x${height} needs ${n * 4} (RGBA), ${n * 3} (RGB) or ${n} (gray)`);
    }
    const out = outputSize(opts, width, height);
    const crop = cropRegion(opts.crop, width, height, out.w, out.h);
    return convert({ data: s.data, channels, stride: width, x0: crop.x, y0: crop.y }, crop.w, crop.h, out.w, out.h, opts);
  }
  if (!DOM_KINDS.includes(tag)) throw new InvalidArgumentError(`fromImage: unsupported image source ${describeValue(source)}: pass ${SOURCES}`);
  const { width, height } = await domSize(tag, s);
  const out = outputSize(opts, width, height);
  const crop = cropRegion(opts.crop, width, height, out.w, out.h);
  const rgba = drawPixels(tag, s, crop);
  return convert({ data: rgba, channels: 4, stride: crop.w, x0: 0, y0: 0 }, crop.w, crop.h, out.w, out.h, opts);
}

interface Options { size?: { w: number; h: number }; crop: 'center' | 'none'; channels: 1 | 3; mean: number[]; std: number[]; layout: 'nchw' | 'nhwc'; into?: Float32Array }

function readOptions(o: FromImageOptions): Options {
  if (o === null || typeof o !== 'object') throw new InvalidArgumentError(`fromImage: options must be an object, got ${describeValue(o)}`);
  for (const k of Object.keys(o)) {
    if (!OPTION_KEYS.includes(k)) throw new InvalidArgumentError(`fromImage: unknown option '${k}' (options: ${OPTION_KEYS.join(', ')})`);
  }
  const crop = o.crop ?? 'center';
  if (crop !== 'center' && crop !== 'none') throw new InvalidArgumentError(`fromImage: crop must be 'center' or 'none', got ${JSON.stringify(crop)}`);
  const layout = o.layout ?? 'nchw';
  if (layout !== 'nchw' && layout !== 'nhwc') throw new InvalidArgumentError(`fromImage: layout must be 'nchw' or 'nhwc', got ${JSON.stringify(layout)}`);
  const channels = o.channels ?? 3;
  if (channels !== 1 && channels !== 3) throw new InvalidArgumentError(`fromImage: channels must be 1 (gray) or 3 (RGB), got ${JSON.stringify(channels)}`);
  let size: Options['size'];
  if (o.size !== undefined) {
    const z = o.size as unknown;
    let h: unknown, w: unknown;
    if (typeof z === 'number') h = w = z;
    else if (Array.isArray(z) && z.length === 2) [h, w] = z;
    else if (z && typeof z === 'object' && 'width' in z && 'height' in z) ({ width: w, height: h } = z as { width: unknown; height: unknown });
    else throw new InvalidArgumentError(`fromImage: size must be a number, [height, width] or { width, height }, got ${JSON.stringify(z)}`);
    if (!Number.isInteger(h) || !Number.isInteger(w) || (h as number) <= 0 || (w as number) <= 0) {
      throw new InvalidArgumentError(`fromImage: size must be positive integers, got height ${h} and width ${w}`);
    }
    size = { w: w as number, h: h as number };
  }
  const mean = perChannel('mean', o.mean, 0, channels);
  const std = perChannel('std', o.std, 1, channels);
  if (std.some((v) => v === 0)) throw new InvalidArgumentError(`fromImage: std must not be 0, got [${std.join(', ')}]`);
  if (o.into !== undefined && !(o.into instanceof Float32Array)) throw new InvalidArgumentError(`fromImage: into must be a Float32Array, got ${describeValue(o.into)}`);
  if (o.into && size && o.into.length !== size.w * size.h * channels) throw intoSize(o.into, size.w, size.h, channels);
  return { size, crop, channels, mean, std, layout, into: o.into };
}

function intoSize(into: Float32Array, w: number, h: number, channels: number): InvalidArgumentError {
  return new InvalidArgumentError(`fromImage: into has ${into.length} floats; a ${h}x${w} image with ${channels} channel${channels > 1 ? 's' : ''} needs ${w * h * channels}`);
}

function perChannel(name: string, v: number | ArrayLike<number> | undefined, dflt: number, channels: number): number[] {
  let arr: number[];
  if (v === undefined) arr = new Array(channels).fill(dflt);
  else if (typeof v === 'number') arr = new Array(channels).fill(v);
  else if (v !== null && typeof v === 'object' && typeof (v as ArrayLike<number>).length === 'number') {
    arr = Array.from(v as ArrayLike<number>);
    if (arr.length !== channels) {
      throw new InvalidArgumentError(`fromImage: ${name} has ${arr.length} values [${arr.join(', ')}] but the output has ${channels} channel${channels > 1 ? 's' : ''} (channels: ${channels}); give one number or ${channels}`);
    }
  } else throw new InvalidArgumentError(`fromImage: ${name} must be a number or an array of ${channels}, got ${describeValue(v)}`);
  if (arr.some((x) => typeof x !== 'number' || !Number.isFinite(x))) throw new InvalidArgumentError(`fromImage: ${name} must be finite numbers, got [${arr.join(', ')}]`);
  return arr;
}

function checkSize(width: unknown, height: unknown, what: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || (width as number) < 0 || (height as number) < 0) {
    throw new InvalidArgumentError(`fromImage: ${what} width and height must be non-negative integers, got ${width}x${height}`);
  }
  if (width === 0 || height === 0) throw new InvalidArgumentError(`fromImage: the ${what} is empty (${width}x${height})`);
}

function outputSize(o: Options, width: number, height: number): { w: number; h: number } {
  return o.size ?? { w: width, h: height };
}

/** The region that is resized: the whole image, or its largest centred part with the output's aspect. */
function cropRegion(crop: 'center' | 'none', width: number, height: number, outW: number, outH: number): { x: number; y: number; w: number; h: number } {
  if (crop === 'none' || width * outH === height * outW) return { x: 0, y: 0, w: width, h: height };
  if (width * outH > height * outW) { // wider than the output: cut left and right
    const w = Math.min(width, Math.max(1, Math.round((height * outW) / outH)));
    return { x: (width - w) >> 1, y: 0, w, h: height };
  }
  const h = Math.min(height, Math.max(1, Math.round((width * outH) / outW)));
  return { x: 0, y: (height - h) >> 1, w: width, h };
}

/** Source pixel indices and weights along one axis: half-pixel centres, clamped to the region's edges. */
function taps(inSize: number, outSize: number): { i0: Int32Array; i1: Int32Array; f: Float64Array } {
  const i0 = new Int32Array(outSize), i1 = new Int32Array(outSize), f = new Float64Array(outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const s = Math.min(Math.max((o + 0.5) * scale - 0.5, 0), inSize - 1);
    const a = Math.floor(s);
    i0[o] = a;
    i1[o] = Math.min(a + 1, inSize - 1);
    f[o] = s - a;
  }
  return { i0, i1, f };
}

const GRAY = [0.299, 0.587, 0.114];

function convert(px: Pixels, cw: number, ch: number, outW: number, outH: number, o: Options): ImageTensorData {
  const C = o.channels, plane = outW * outH;
  if (o.into && o.into.length !== plane * C) throw intoSize(o.into, outW, outH, C);
  const out = o.into ?? new Float32Array(plane * C);
  const xs = taps(cw, outW), ys = taps(ch, outH);
  const { data, channels: pc, stride, x0, y0 } = px;
  const scale = o.std.map((s) => 1 / (255 * s));
  const shift = o.mean.map((m, c) => -m / o.std[c]);
  const nchw = o.layout === 'nchw';
  const rgb = [0, 0, 0];
  for (let y = 0; y < outH; y++) {
    const fy = ys.f[y];
    const r0 = (y0 + ys.i0[y]) * stride, r1 = (y0 + ys.i1[y]) * stride;
    for (let x = 0; x < outW; x++) {
      const fx = xs.f[x];
      const a = (r0 + x0 + xs.i0[x]) * pc, b = (r0 + x0 + xs.i1[x]) * pc;
      const c = (r1 + x0 + xs.i0[x]) * pc, d = (r1 + x0 + xs.i1[x]) * pc;
      const w00 = (1 - fy) * (1 - fx), w01 = (1 - fy) * fx, w10 = fy * (1 - fx), w11 = fy * fx;
      const take = Math.min(pc, 3);
      for (let k = 0; k < take; k++) rgb[k] = w00 * data[a + k] + w01 * data[b + k] + w10 * data[c + k] + w11 * data[d + k];
      if (take === 1) rgb[1] = rgb[2] = rgb[0];
      const p = y * outW + x;
      if (C === 1) {
        const g = take === 1 ? rgb[0] : GRAY[0] * rgb[0] + GRAY[1] * rgb[1] + GRAY[2] * rgb[2];
        out[p] = g * scale[0] + shift[0];
      } else if (nchw) {
        for (let k = 0; k < 3; k++) out[k * plane + p] = rgb[k] * scale[k] + shift[k];
      } else {
        for (let k = 0; k < 3; k++) out[p * 3 + k] = rgb[k] * scale[k] + shift[k];
      }
    }
  }
  return { data: out, dims: nchw ? [1, C, outH, outW] : [1, outH, outW, C] };
}

// ---- browser sources ----

async function domSize(tag: string, s: Record<string, any>): Promise<{ width: number; height: number }> {
  switch (tag) {
    case 'HTMLImageElement': {
      if (!s.complete && typeof s.decode === 'function') {
        try { await s.decode(); } catch (e) {
          throw new InvalidArgumentError(`fromImage: the <img> could not be loaded or decoded (src ${JSON.stringify(String(s.currentSrc || s.src).slice(0, 100))})`, { cause: e });
        }
      }
      if (!s.naturalWidth || !s.naturalHeight) {
        throw new InvalidArgumentError(`fromImage: the <img> has no pixels (${s.naturalWidth}x${s.naturalHeight}: broken, not loaded, or an SVG without a size; src ${JSON.stringify(String(s.currentSrc || s.src).slice(0, 100))})`);
      }
      return { width: s.naturalWidth, height: s.naturalHeight };
    }
    case 'HTMLVideoElement':
      if (s.readyState < 2 || !s.videoWidth || !s.videoHeight) {
        throw new InvalidArgumentError(`fromImage: the <video> has no current frame (readyState ${s.readyState}, ${s.videoWidth}x${s.videoHeight}): wait for its 'loadeddata' event`);
      }
      return { width: s.videoWidth, height: s.videoHeight };
    case 'VideoFrame':
      checkSize(s.displayWidth, s.displayHeight, 'VideoFrame (closed?)');
      return { width: s.displayWidth, height: s.displayHeight };
    case 'ImageBitmap':
      checkSize(s.width, s.height, 'ImageBitmap (closed?)');
      return { width: s.width, height: s.height };
    default:
      checkSize(s.width, s.height, tag);
      return { width: s.width, height: s.height };
  }
}

let scratch: { canvas: any; ctx: any } | null = null;

/** A 2D context to read pixels through: one OffscreenCanvas (or <canvas>) reused by every call. */
function scratchContext(w: number, h: number, tag: string): any {
  if (!scratch) {
    const g = globalThis as any;
    let canvas: any;
    if (typeof g.OffscreenCanvas === 'function') canvas = new g.OffscreenCanvas(w, h);
    else if (g.document?.createElement) canvas = g.document.createElement('canvas');
    else throw new InvalidArgumentError(`fromImage: reading the pixels of this ${tag} needs OffscreenCanvas or a document, and this runtime has neither; pass { data, width, height } (raw RGBA bytes) instead`);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new InvalidArgumentError(`fromImage: this runtime gave no 2D canvas context to read the pixels of a ${tag}`);
    scratch = { canvas, ctx };
  }
  const { canvas, ctx } = scratch;
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; } // resizing also clears
  else ctx.clearRect(0, 0, w, h);
  ctx.imageSmoothingEnabled = false; // reset by a resize; the copy is 1:1 anyway
  return ctx;
}

/** The crop region of a browser image as RGBA bytes (drawn 1:1, synchronously: safe to share the canvas). */
function drawPixels(tag: string, s: Record<string, any>, r: { x: number; y: number; w: number; h: number }): Uint8ClampedArray {
  const ctx = scratchContext(r.w, r.h, tag);
  try {
    ctx.drawImage(s, r.x, r.y, r.w, r.h, 0, 0, r.w, r.h);
  } catch (e) {
    throw new InvalidArgumentError(`fromImage: the ${tag} could not be drawn (${(e as Error)?.message ?? e}${tag === 'VideoFrame' || tag === 'ImageBitmap' ? '; was it closed?' : ''})`, { cause: e });
  }
  try {
    return ctx.getImageData(0, 0, r.w, r.h).data;
  } catch (e) {
    if ((e as Error)?.name === 'SecurityError') {
      throw new InvalidArgumentError(`fromImage: the ${tag} is cross-origin and its pixels cannot be read (the canvas is tainted): load it with crossOrigin = 'anonymous' from a server that sends Access-Control-Allow-Origin`, { cause: e });
    }
    throw new InvalidArgumentError(`fromImage: the pixels of the ${tag} could not be read (${(e as Error)?.message ?? e})`, { cause: e });
  }
}
