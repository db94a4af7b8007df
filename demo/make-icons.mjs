// The demo's app icons as PNG, drawn in code (no image tools): a dark tile with a 3x3 "kernel" of
// gray cells and a hand-drawn 7. `node demo/make-icons.mjs [outDir]` (demo/build.mjs calls it).
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CRC = new Uint32Array(256).map((_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
const crc32 = (buf) => { let c = 0xffffffff; for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };

/** RGBA pixels → PNG bytes (8-bit RGBA, filter 0). */
export function encodePng(width, height, rgba) {
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'latin1');
    data.copy(out, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 6; // 8 bits, RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

function distToSegment(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

/** One icon, `size` pixels; `maskable` keeps the drawing inside the 80 % safe zone on a full-bleed background. */
export function drawIcon(size, maskable = false) {
  const rgba = new Uint8Array(size * size * 4);
  const inset = maskable ? 0.2 : 0.08, r = maskable ? 0 : size * 0.18;
  const kernel = [0.2, 0.9, 0.4, 0.7, 0.1, 0.8, 0.5, 0.3, 0.95];
  const seven = [[0.47, 0.3], [0.8, 0.3], [0.58, 0.8]].map(([x, y]) => [inset + x * (1 - 2 * inset), inset + y * (1 - 2 * inset)]);
  const pen = 0.075 * (1 - 2 * inset);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    const u = (x + 0.5) / size, v = (y + 0.5) / size, i = (y * size + x) * 4;
    // rounded tile (alpha 0 outside, unless maskable)
    const cx = Math.max(r, Math.min(size - r, x + 0.5)), cy = Math.max(r, Math.min(size - r, y + 0.5));
    const inside = maskable || Math.hypot(x + 0.5 - cx, y + 0.5 - cy) <= r + 0.5;
    if (!inside) continue;
    let col = [11, 16, 32];
    // 3x3 kernel, top-left
    const k0 = inset + 0.04 * (1 - 2 * inset), ks = 0.11 * (1 - 2 * inset);
    const gx = Math.floor((u - k0) / ks), gy = Math.floor((v - k0) / ks);
    if (gx >= 0 && gx < 3 && gy >= 0 && gy < 3 && (u - k0) % ks < ks * 0.88 && (v - k0) % ks < ks * 0.88) {
      const g = kernel[gy * 3 + gx];
      col = [Math.round(40 + 160 * g), Math.round(60 + 160 * g), Math.round(90 + 150 * g)];
    }
    const d = Math.min(distToSegment(u, v, seven[0], seven[1]), distToSegment(u, v, seven[1], seven[2]));
    const a = Math.max(0, Math.min(1, (pen - d) * size + 0.5)); // antialiased pen
    const ink = [56, 189, 248];
    rgba.set([0, 1, 2].map((c) => Math.round(col[c] * (1 - a) + ink[c] * a)).concat(255), i);
  }
  return encodePng(size, size, rgba);
}

export function makeIcons(outDir) {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'icon-192.png'), drawIcon(192));
  writeFileSync(join(outDir, 'icon-512.png'), drawIcon(512));
  writeFileSync(join(outDir, 'icon-maskable-512.png'), drawIcon(512, true));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) makeIcons(process.argv[2] ?? join(fileURLToPath(new URL('.', import.meta.url)), 'public', 'icons'));
