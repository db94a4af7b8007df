// Tensor.fromImage on the browser's image sources, in headless Chromium (Debian `chromium`, driven by
// playwright-core, as test/runtimes/browser.test.ts): ImageData, HTMLCanvasElement, OffscreenCanvas,
// ImageBitmap, an <img> from a data: URL (passed before it has loaded), and a VideoFrame made from a
// canvas. The page draws the same random opaque pixels into each and imports the package's built entry
// (dist/index.js, served as is: no bundler, no import map); every source must give the bits that the
// raw-bytes path gives in Node for those pixels, with and without crop, resize, gray and NHWC.
// A <video> playing a canvas stream is checked by its colour (the stream is video-encoded, not exact).
// Also: an <img> from another origin (a second server on another port, no CORS) fails with the
// tainted-canvas error, a closed ImageBitmap and a broken <img> fail with theirs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:http';
import { existsSync, statSync, createReadStream } from 'node:fs';
import { resolve, sep, extname } from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import { root, runLimited, listenLocal } from '../runtimes/helpers.ts';
import { Tensor, type FromImageOptions } from '../../src/index.js';
import { rng } from '../helpers/rng.js';

const CHROMIUM = process.env.EDGECNN_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const W = 37, H = 23;

/** A PNG (RGBA, 8 bits, no filter) of `rgba`: the cross-origin image. */
function png(rgba: Uint8Array, w: number, h: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 6;
  const rows = Buffer.alloc(h * (1 + w * 4));
  for (let y = 0; y < h; y++) Buffer.from(rgba.buffer, rgba.byteOffset + y * w * 4, w * 4).copy(rows, y * (1 + w * 4) + 1);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

// The page's code is plain JavaScript in the page (functions passed to page.evaluate would be
// rewritten by tsx's transform, which adds helpers the page does not have).
const PAGE = `<!doctype html><meta charset="utf-8"><title>fromImage</title><body><script type="module">
let Tensor;
try {
  ({ Tensor } = await import('/dist/index.js'));
} catch (e) { window.loadError = String(e?.stack ?? e); throw e; }

/** fromImage on each source, for each options case: { dims, data } or the error's text. */
window.runSources = async (px, w, h, cases) => {
  const imageData = new ImageData(new Uint8ClampedArray(px), w, h);
  const canvas = document.createElement('canvas');
  canvas.width = w; canvas.height = h;
  canvas.getContext('2d').putImageData(imageData, 0, 0);
  const offscreen = new OffscreenCanvas(w, h);
  offscreen.getContext('2d').putImageData(imageData, 0, 0);
  const bitmap = await createImageBitmap(imageData, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  const img = new Image();
  img.src = canvas.toDataURL('image/png'); // not awaited: fromImage waits for it
  const sources = { ImageData: imageData, HTMLCanvasElement: canvas, OffscreenCanvas: offscreen, ImageBitmap: bitmap, HTMLImageElement: img };
  let videoFrame = null;
  if (typeof VideoFrame === 'function') {
    try { sources.VideoFrame = new VideoFrame(canvas, { timestamp: 0 }); } catch (e) { videoFrame = String(e); }
  } else videoFrame = 'VideoFrame is not defined';
  const results = {};
  for (const [name, source] of Object.entries(sources)) {
    results[name] = {};
    for (const [c, opts] of Object.entries(cases)) {
      try {
        const t = await Tensor.fromImage(source, opts);
        results[name][c] = { dims: [...t.dims], data: Array.from(t.data) };
      } catch (e) { results[name][c] = 'error: ' + e?.name + ': ' + e?.message; }
    }
  }
  return { results, videoFrame, ua: navigator.userAgent };
};

/** The error text of fromImage on sources that cannot be read. */
window.runErrors = async (url) => {
  const attempt = async (make) => {
    try { await Tensor.fromImage(await make(), { size: 8 }); return 'no error'; } catch (e) { return e?.name + ' ' + e?.code + ': ' + e?.message; }
  };
  const load = (src) => new Promise((ok, fail) => { const i = new Image(); i.onload = () => ok(i); i.onerror = () => fail(new Error('cannot load ' + src)); i.src = src; });
  return {
    crossOrigin: await attempt(() => load(url)),
    closed: await attempt(async () => { const b = await createImageBitmap(new ImageData(4, 4)); b.close(); return b; }),
    broken: await attempt(() => { const i = new Image(); i.src = 'data:image/png;base64,bm90IGEgcG5n'; return i; }),
    video: await attempt(() => document.createElement('video')),
    string: await attempt(() => 'cat.png'),
  };
};
/** A <video> playing a canvas stream of one colour (the video path: videoWidth, a frame drawn). */
window.runVideo = async (w, h, rgb) => {
  const canvas = document.createElement('canvas');
  canvas.width = w; canvas.height = h;
  const ctx = canvas.getContext('2d');
  const paint = () => { ctx.fillStyle = 'rgb(' + rgb.join(',') + ')'; ctx.fillRect(0, 0, w, h); };
  paint();
  if (typeof canvas.captureStream !== 'function') return 'no canvas.captureStream';
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = canvas.captureStream(30);
  const timer = setInterval(paint, 30);
  try {
    await Promise.race([
      new Promise((ok) => { if (video.readyState >= 2) ok(); else video.addEventListener('loadeddata', ok, { once: true }); video.play().catch(() => {}); }),
      new Promise((_, fail) => setTimeout(() => fail(new Error('no frame within 5 s')), 5000)),
    ]);
    const t = await Tensor.fromImage(video, { size: [4, 6] });
    return { dims: [...t.dims], data: Array.from(t.data), videoWidth: video.videoWidth, videoHeight: video.videoHeight };
  } catch (e) {
    return 'error: ' + (e?.message ?? e);
  } finally {
    clearInterval(timer);
  }
};
window.ready = true;
</script>`;

function serve(extra: Record<string, { type: string; body: Buffer | string }> = {}): Promise<{ server: Server; origin: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    if (path === '/favicon.ico') { res.writeHead(204).end(); return; }
    if (extra[path]) { res.writeHead(200, { 'Content-Type': extra[path].type, 'Cache-Control': 'no-store' }).end(extra[path].body); return; }
    const file = resolve(root, '.' + path);
    if (!path.startsWith('/dist/') || !(file + sep).startsWith(root.endsWith(sep) ? root : root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      requests.push(`404 ${path}`);
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': extname(file) === '.js' ? 'text/javascript; charset=utf-8' : 'application/octet-stream', 'Cache-Control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  return listenLocal(server, requests);
}

async function chromiumOrSkip(): Promise<boolean> {
  if (existsSync(CHROMIUM)) return true;
  const r = await runLimited('bash', ['scripts/ensure-chromium.sh'], 300_000);
  if (existsSync(CHROMIUM)) return true;
  const msg = `!!!!! fromImage BROWSER TEST SKIPPED: Chromium (${CHROMIUM}) is not installed and scripts/ensure-chromium.sh could not install it (exit ${r.code}):\n${r.out}${r.err}`;
  if (process.env.CI) throw new Error(msg);
  console.log(`\n${'!'.repeat(100)}\n${msg}\n${'!'.repeat(100)}\n`);
  return false;
}

// random opaque pixels (a canvas stores premultiplied alpha: only opaque pixels survive it exactly)
const pixels = (() => {
  const r = rng(2024);
  const d = new Uint8ClampedArray(W * H * 4);
  for (let i = 0; i < d.length; i++) d[i] = i % 4 === 3 ? 255 : r.int(0, 255);
  return d;
})();

const CASES: Record<string, FromImageOptions> = {
  plain: {},
  crop: { size: 16, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  stretch: { size: [9, 30], crop: 'none' },
  grayNhwc: { size: [20, 11], channels: 1, layout: 'nhwc', mean: 0.5, std: 0.5 },
};

let browser: import('playwright-core').Browser | null = null;
let available = false;
let page: import('playwright-core').Page;
let server: Server, other: Server;
let origin = '', otherOrigin = '';
const errors: string[] = [];
let requests: string[] = [];

test.before(async () => {
  available = await chromiumOrSkip();
  if (!available) return;
  ({ server, origin, requests } = await serve({ '/fromimage.html': { type: 'text/html; charset=utf-8', body: PAGE } }));
  ({ server: other, origin: otherOrigin } = await serve({ '/pixels.png': { type: 'image/png', body: png(new Uint8Array(pixels.buffer), W, H) } }));
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 20_000 });
  page = await browser.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.stack ?? e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${origin}/fromimage.html`, { timeout: 10_000 });
  await page.waitForFunction(() => (window as any).ready || (window as any).loadError, null, { timeout: 10_000 });
  const loadError = await page.evaluate(() => (window as any).loadError ?? null);
  assert.is(loadError, null, `the page could not import /dist/index.js: ${loadError}; 404s: ${requests.filter((r) => r.startsWith('404')).join(', ')}`);
});

test.after(async () => {
  await browser?.close().catch(() => {});
  await Promise.all([server, other].filter(Boolean).map((s) => new Promise((r) => s.close(r))));
});

test('every DOM source gives the raw-bytes path\'s bits for the same pixels', async () => {
  if (!available) return;
  const out: { results: Record<string, Record<string, { dims: number[]; data: number[] } | string>>; videoFrame: string | null; ua: string } =
    await page.evaluate(([px, w, h, cases]) => (window as any).runSources(px, w, h, cases), [Array.from(pixels), W, H, CASES] as const);
  assert.equal(errors, [], errors.join('\n'));
  const want: Record<string, Tensor> = {};
  for (const [c, opts] of Object.entries(CASES)) want[c] = await Tensor.fromImage({ data: pixels, width: W, height: H }, opts);
  const names = ['ImageData', 'HTMLCanvasElement', 'OffscreenCanvas', 'ImageBitmap', 'HTMLImageElement', 'VideoFrame'];
  assert.equal(Object.keys(out.results), out.videoFrame ? names.slice(0, 5) : names, `sources tried (VideoFrame: ${out.videoFrame})`);
  for (const [name, byCase] of Object.entries(out.results)) {
    for (const [c, r] of Object.entries(byCase)) {
      assert.type(r, 'object', `${name} ${c}: ${r}`);
      const got = r as { dims: number[]; data: number[] };
      assert.equal(got.dims, [...want[c].dims], `${name} ${c} dims`);
      let diff = 0, at = -1;
      got.data.forEach((v, i) => { const d = Math.abs(v - want[c].data[i]); if (!(d <= diff)) { diff = d; at = i; } });
      assert.is(diff, 0, `${name} ${c}: max |browser - raw path| = ${diff} at ${at}`);
    }
  }
  console.log(`  ${/Chrom[^ ]+/.exec(out.ua)?.[0]}: ${Object.keys(out.results).join(', ')} match the raw path bit for bit${out.videoFrame ? `; VideoFrame not tested: ${out.videoFrame}` : ''}`);
});

test('a <video> playing a one-colour canvas stream reads as that colour', async () => {
  if (!available) return;
  const r: { dims: number[]; data: number[]; videoWidth: number; videoHeight: number } | string = await page.evaluate(([w, h, rgb]) => (window as any).runVideo(w, h, rgb), [40, 30, [230, 40, 120]] as const);
  assert.type(r, 'object', String(r));
  const v = r as Exclude<typeof r, string>;
  assert.equal([v.videoWidth, v.videoHeight], [40, 30]);
  assert.equal(v.dims, [1, 3, 4, 6]);
  // the stream is video-encoded (YUV): the colour comes back close, not exact
  [230, 40, 120].forEach((c, k) => {
    const plane = v.data.slice(k * 24, (k + 1) * 24);
    assert.ok(plane.every((x) => Math.abs(x - c / 255) < 0.04), `channel ${k}: ${plane.map((x) => (x * 255).toFixed(1)).join(' ')} vs ${c}`);
  });
});

test('errors in the browser: a cross-origin <img>, a closed ImageBitmap, a broken <img>, a <video> with no frame', async () => {
  if (!available) return;
  const out: Record<string, string> = await page.evaluate((url) => (window as any).runErrors(url), `${otherOrigin}/pixels.png`);
  assert.match(out.crossOrigin, /^InvalidArgumentError INVALID_ARGUMENT: fromImage: the HTMLImageElement is cross-origin and its pixels cannot be read \(the canvas is tainted\): load it with crossOrigin = 'anonymous'/);
  assert.match(out.closed, /^InvalidArgumentError INVALID_ARGUMENT: fromImage: the ImageBitmap \(closed\?\) is empty \(0x0\)/);
  // still loading (decode() rejects) or already failed (complete, 0x0): either way the <img> and its src are named
  assert.match(out.broken, /^InvalidArgumentError INVALID_ARGUMENT: fromImage: the <img> (could not be loaded or decoded|has no pixels \(0x0: broken, not loaded[^)]*) ?\(?src "data:image\/png;base64,bm90IGEgcG5n"\)/);
  assert.match(out.video, /^InvalidArgumentError INVALID_ARGUMENT: fromImage: the <video> has no current frame \(readyState 0, 0x0\)/);
  assert.match(out.string, /^InvalidArgumentError INVALID_ARGUMENT: fromImage: unsupported image source \(string\)/);
});

test.run();
