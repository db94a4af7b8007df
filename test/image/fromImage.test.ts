// Tensor.fromImage on raw bytes (the path that needs no DOM): against a plain reference written here on
// random images of odd sizes, exact cases that need no reference (identity, 2x2 averages, crops), gray,
// NHWC, RGB/gray byte layouts, onnxruntime's Resize (linear, half_pixel) as an outside check of the
// resize convention, and the errors. The DOM sources are in browser.test.ts (headless Chromium).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { Tensor, Session, softmax, topK, InvalidArgumentError, type FromImageOptions, type RawImage } from '../../src/index.js';
import { rng } from '../helpers/rng.js';
import { makeModel } from '../helpers/onnx-builder.js';

function randomImage(seed: number, width: number, height: number, bytesPerPixel = 4): RawImage {
  const r = rng(seed);
  const data = new Uint8ClampedArray(width * height * bytesPerPixel);
  for (let i = 0; i < data.length; i++) data[i] = r.int(0, 255);
  return { data, width, height };
}

/**
 * The reference: crop (whole pixels, centred, the output's aspect), then for every output pixel the
 * source point (o + 0.5) * in / out - 0.5 clamped to the crop, bilinear between its 4 neighbours,
 * then gray or RGB, /255, (x - mean) / std. Float64 throughout, NCHW, written for clarity.
 */
function reference(img: RawImage, outW: number, outH: number, o: { crop?: 'center' | 'none'; channels?: 1 | 3; mean?: number[]; std?: number[] } = {}): Float64Array {
  const bpp = img.data.length / (img.width * img.height);
  const px = (x: number, y: number, c: number) => img.data[(y * img.width + x) * bpp + (bpp === 1 ? 0 : c)];
  let cx = 0, cy = 0, cw = img.width, ch = img.height;
  if ((o.crop ?? 'center') === 'center') {
    const target = outW / outH, source = img.width / img.height;
    if (source > target) { cw = Math.min(img.width, Math.max(1, Math.round(img.height * target))); cx = Math.floor((img.width - cw) / 2); }
    else if (source < target) { ch = Math.min(img.height, Math.max(1, Math.round(img.width / target))); cy = Math.floor((img.height - ch) / 2); }
  }
  const C = o.channels ?? 3;
  const mean = o.mean ?? new Array(C).fill(0), std = o.std ?? new Array(C).fill(1);
  const out = new Float64Array(C * outW * outH);
  const coord = (i: number, inSize: number, outSize: number) => Math.min(inSize - 1, Math.max(0, (i + 0.5) * (inSize / outSize) - 0.5));
  const sample = (sx: number, sy: number, c: number) => {
    const x0 = Math.floor(sx), y0 = Math.floor(sy), x1 = Math.min(x0 + 1, cw - 1), y1 = Math.min(y0 + 1, ch - 1);
    const fx = sx - x0, fy = sy - y0;
    const top = px(cx + x0, cy + y0, c) * (1 - fx) + px(cx + x1, cy + y0, c) * fx;
    const bottom = px(cx + x0, cy + y1, c) * (1 - fx) + px(cx + x1, cy + y1, c) * fx;
    return top * (1 - fy) + bottom * fy;
  };
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const sx = coord(x, cw, outW), sy = coord(y, ch, outH);
      const rgb = [0, 1, 2].map((c) => sample(sx, sy, c));
      const values = C === 1 ? [0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]] : rgb;
      for (let c = 0; c < C; c++) out[(c * outH + y) * outW + x] = (values[c] / 255 - mean[c]) / std[c];
    }
  }
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.is(a.length, b.length, 'lengths');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return Number.isNaN(m) ? Infinity : m;
}

async function rejects(p: () => Promise<unknown>, message: RegExp): Promise<void> {
  try { await p(); } catch (e) {
    assert.instance(e, InvalidArgumentError, String(e));
    assert.match((e as Error).message, message);
    return;
  }
  assert.unreachable(`no error; expected ${message}`);
}

test('random images of odd sizes, center crop and none, up and down, match the reference', async () => {
  const r = rng(17);
  for (let i = 0; i < 24; i++) {
    const w = r.int(1, 61) | 1, h = r.int(1, 47) | 1; // odd sizes
    const outW = r.pick([1, 3, 7, 13, 29, 57, 64]), outH = r.pick([1, 5, 9, 31, 33, 80]);
    const crop = r.pick(['center', 'none'] as const);
    const mean = [r.next(), r.next(), r.next()], std = [0.2 + r.next(), 0.2 + r.next(), 0.2 + r.next()];
    const img = randomImage(100 + i, w, h);
    const t = await Tensor.fromImage(img, { size: [outH, outW], crop, mean, std });
    assert.instance(t, Tensor);
    assert.equal(t.dims, [1, 3, outH, outW]);
    const d = maxDiff(t.data, reference(img, outW, outH, { crop, mean, std }));
    assert.ok(d < 2e-5, `${w}x${h} -> ${outW}x${outH} crop ${crop}: max diff ${d}`);
  }
});

test('size forms: a number, [height, width], { width, height }; no size keeps the source size', async () => {
  const img = randomImage(1, 9, 5);
  assert.equal((await Tensor.fromImage(img, { size: 4 })).dims, [1, 3, 4, 4]);
  assert.equal((await Tensor.fromImage(img, { size: [3, 7] })).dims, [1, 3, 3, 7]);
  const a = await Tensor.fromImage(img, { size: { width: 7, height: 3 } });
  assert.equal(a.dims, [1, 3, 3, 7]);
  assert.equal(Array.from(a.data), Array.from((await Tensor.fromImage(img, { size: [3, 7] })).data));
  assert.equal((await Tensor.fromImage(img)).dims, [1, 3, 5, 9]);
});

test('no resize: exactly the pixels / 255, channel planes in order R, G, B', async () => {
  const img = randomImage(2, 7, 3);
  const t = await Tensor.fromImage(img);
  for (let c = 0; c < 3; c++) for (let p = 0; p < 21; p++) {
    assert.is(t.data[c * 21 + p], Math.fround(img.data[p * 4 + c] / 255), `c${c} p${p}`);
  }
});

test('an exact 2x downscale averages each 2x2 block (half-pixel centres)', async () => {
  const img = randomImage(3, 10, 6);
  const t = await Tensor.fromImage(img, { size: [3, 5], crop: 'none' });
  for (let c = 0; c < 3; c++) for (let y = 0; y < 3; y++) for (let x = 0; x < 5; x++) {
    const at = (xx: number, yy: number) => img.data[(yy * 10 + xx) * 4 + c];
    const avg = (at(2 * x, 2 * y) + at(2 * x + 1, 2 * y) + at(2 * x, 2 * y + 1) + at(2 * x + 1, 2 * y + 1)) / 4 / 255;
    assert.ok(Math.abs(t.data[(c * 3 + y) * 5 + x] - avg) < 1e-6, `c${c} (${x}, ${y})`);
  }
});

test('center crop on non-square inputs keeps the middle: wide and tall, exact at crop size', async () => {
  // 11x4 to 4x4: columns 3..6 (7 columns left over, 3 on the left, 4 on the right)
  const wide = randomImage(4, 11, 4);
  const t = await Tensor.fromImage(wide, { size: 4 });
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) {
    assert.is(t.data[y * 4 + x], Math.fround(wide.data[(y * 11 + x + 3) * 4] / 255), `wide (${x}, ${y})`);
  }
  // 3x8 to 3x3 (width x height): rows 2..4
  const tall = randomImage(5, 3, 8);
  const u = await Tensor.fromImage(tall, { size: 3 });
  for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) {
    assert.is(u.data[9 + y * 3 + x], Math.fround(tall.data[((y + 2) * 3 + x) * 4 + 1] / 255), `tall (${x}, ${y}) green`);
  }
  // a red band left and right of a green middle: the crop sees only green, 'none' sees red too
  const banded = new Uint8ClampedArray(12 * 4 * 4);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 12; x++) banded.set(x >= 4 && x < 8 ? [0, 255, 0, 255] : [255, 0, 0, 255], (y * 12 + x) * 4);
  const img = { data: banded, width: 12, height: 4 };
  const centre = await Tensor.fromImage(img, { size: [8, 8] });
  assert.ok(centre.data.subarray(0, 64).every((v) => v === 0), 'no red in the center crop');
  assert.ok(centre.data.subarray(64, 128).every((v) => v === 1), 'all green in the center crop');
  const stretched = await Tensor.fromImage(img, { size: [8, 8], crop: 'none' });
  assert.ok(stretched.data.subarray(0, 64).some((v) => v > 0.5), 'red at the sides without crop');
});

test('gray: BT.601 luminance, one channel, mean and std of one value', async () => {
  const img = randomImage(6, 13, 9);
  const t = await Tensor.fromImage(img, { channels: 1, mean: 0.5, std: [0.25] });
  assert.equal(t.dims, [1, 1, 9, 13]);
  for (let p = 0; p < 13 * 9; p++) {
    const [r, g, b] = img.data.subarray(p * 4, p * 4 + 3);
    assert.ok(Math.abs(t.data[p] - ((0.299 * r + 0.587 * g + 0.114 * b) / 255 - 0.5) / 0.25) < 1e-5, `pixel ${p}`);
  }
  const resized = await Tensor.fromImage(img, { channels: 1, size: [5, 7] });
  const d = maxDiff(resized.data, reference(img, 7, 5, { channels: 1 }));
  assert.ok(d < 2e-5, `gray resized: max diff ${d}`);
});

test('NHWC is the NCHW result transposed', async () => {
  const img = randomImage(7, 15, 11);
  const opts: FromImageOptions = { size: [6, 9], mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
  const a = await Tensor.fromImage(img, opts);
  const b = await Tensor.fromImage(img, { ...opts, layout: 'nhwc' });
  assert.equal(b.dims, [1, 6, 9, 3]);
  for (let c = 0; c < 3; c++) for (let p = 0; p < 54; p++) assert.is(b.data[p * 3 + c], a.data[c * 54 + p], `c${c} p${p}`);
  const g = await Tensor.fromImage(img, { ...opts, mean: 0, std: 1, channels: 1, layout: 'nhwc' });
  assert.equal(g.dims, [1, 6, 9, 1]);
});

test('into: the values are written into the given array (a bound input), bit for bit the new array\'s', async () => {
  const img = randomImage(12, 15, 11);
  for (const opts of [{ size: [6, 9] as [number, number], mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }, { channels: 1 as const, layout: 'nhwc' as const }]) {
    const a = await Tensor.fromImage(img, opts);
    const into = new Float32Array(a.data.length).fill(Number.NaN);
    const b = await Tensor.fromImage(img, { ...opts, into });
    assert.ok(b.data === into);
    assert.equal(b.dims, a.dims);
    assert.equal([...into], [...a.data]);
  }
});

test('RGB (3 bytes) and gray (1 byte) raw pixels, Uint8Array and Buffer, read like RGBA', async () => {
  const rgba = randomImage(8, 5, 7);
  const rgb = new Uint8Array(5 * 7 * 3), gray = new Uint8Array(5 * 7), grayRgba = new Uint8Array(5 * 7 * 4);
  for (let p = 0; p < 35; p++) {
    rgb.set(rgba.data.subarray(p * 4, p * 4 + 3), p * 3);
    gray[p] = rgba.data[p * 4];
    grayRgba.set([gray[p], gray[p], gray[p], 255], p * 4);
  }
  const opts: FromImageOptions = { size: [4, 6], mean: [0.1, 0.2, 0.3], std: 0.5 };
  const want = Array.from((await Tensor.fromImage(rgba, opts)).data);
  assert.equal(Array.from((await Tensor.fromImage({ data: rgb, width: 5, height: 7 }, opts)).data), want);
  assert.equal(Array.from((await Tensor.fromImage({ data: Buffer.from(rgb), width: 5, height: 7 }, opts)).data), want);
  const fromGray = await Tensor.fromImage({ data: gray, width: 5, height: 7 }, opts);
  assert.equal(Array.from(fromGray.data), Array.from((await Tensor.fromImage({ data: grayRgba, width: 5, height: 7 }, opts)).data));
  // a gray source to 1 channel is the gray value itself (not 0.299 + 0.587 + 0.114 of it, which is 1 anyway)
  const one = await Tensor.fromImage({ data: gray, width: 5, height: 7 }, { channels: 1 });
  assert.equal(Array.from(one.data), Array.from(gray, (v) => Math.fround(v / 255)));
});

test('alpha is ignored: a transparent pixel keeps its colour', async () => {
  const t = await Tensor.fromImage({ data: new Uint8ClampedArray([255, 128, 0, 0]), width: 1, height: 1 });
  assert.equal(Array.from(t.data), [1, Math.fround(128 / 255), 0]);
});

test('the resize agrees with ONNX Resize (linear, half_pixel) in onnxruntime', async () => {
  const img = randomImage(9, 37, 23);
  const planes = new Float32Array(3 * 37 * 23);
  for (let c = 0; c < 3; c++) for (let p = 0; p < 37 * 23; p++) planes[c * 37 * 23 + p] = img.data[p * 4 + c] / 255;
  for (const [outH, outW] of [[11, 16], [50, 71], [23, 5]]) {
    const bytes = makeModel({
      opset: 13,
      inputs: [{ name: 'x', dims: [1, 3, 23, 37] }],
      outputs: [{ name: 'y' }],
      nodes: [{ op: 'Resize', inputs: ['x', '', '', 'sizes'], outputs: ['y'], attrs: { mode: 'linear', coordinate_transformation_mode: 'half_pixel' } }],
      initializers: { sizes: { dims: [4], data: [1, 3, outH, outW], dtype: 'int64' } },
    });
    const s = await ort.InferenceSession.create(bytes);
    const want = (await s.run({ x: new ort.Tensor('float32', planes, [1, 3, 23, 37]) })).y.data as Float32Array;
    const got = await Tensor.fromImage(img, { size: [outH, outW], crop: 'none' });
    const d = maxDiff(got.data, want);
    assert.ok(d < 1e-5, `37x23 -> ${outW}x${outH}: max |edgecnn - onnxruntime| = ${d}`);
  }
});

test('the bundled digit classifier reads its ten samples from 8-bit gray pixels (the README\'s Node example)', async () => {
  const models = new URL('../../models/', import.meta.url);
  const b = readFileSync(new URL('digits-sample.bin', models));
  const samples = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); // [10, 1, 28, 28], normalized
  const labels: number[] = JSON.parse(readFileSync(new URL('digits-sample.labels.json', models), 'utf8')).labels;
  const session = await Session.create(new URL('lenet-digits.onnx', models));
  try {
    for (let i = 0; i < 10; i++) {
      // undo the normalization, to the bytes a decoder would give (the samples are 20x20 digits padded to 28x28)
      const gray = Uint8Array.from(samples.subarray(i * 784, (i + 1) * 784), (v) => Math.round((v * 0.2774 + 0.1558) * 255));
      const x = await Tensor.fromImage({ data: gray, width: 28, height: 28 }, { channels: 1, mean: 0.1558, std: 0.2774 });
      assert.equal(x.dims, [1, 1, 28, 28]);
      const d = maxDiff(x.data, samples.subarray(i * 784, (i + 1) * 784));
      assert.ok(d <= 0.5 / 255 / 0.2774 + 1e-6, `sample ${i}: within half a grey level of the float sample (${d})`);
      const [best] = topK(softmax((await session.run({ input: x })).logits), 1);
      assert.is(best.index, labels[i], `sample ${i}`);
      assert.ok(best.score > 0.9, `sample ${i}: p = ${best.score}`);
    }
  } finally {
    await session.dispose();
  }
});

test('errors name what is wrong', async () => {
  const img = randomImage(10, 4, 4);
  await rejects(() => Tensor.fromImage('cat.png' as any), /unsupported image source \(string\).*ImageData.*\{ data: Uint8Array, width, height \}/);
  await rejects(() => Tensor.fromImage(null as any), /unsupported image source \(null\)/);
  await rejects(() => Tensor.fromImage({ width: 4, height: 4 }), /unsupported image source a plain object/);
  await rejects(() => Tensor.fromImage(new Map() as any), /unsupported image source Map/);
  await rejects(() => Tensor.fromImage({ data: new Float32Array(64), width: 4, height: 4 } as any), /Uint8Array or Uint8ClampedArray.*got Float32Array/);
  await rejects(() => Tensor.fromImage({ data: new Uint8Array(63), width: 4, height: 4 }), /63 bytes; 4x4 needs 64 \(RGBA\), 48 \(RGB\) or 16 \(gray\)/);
  await rejects(() => Tensor.fromImage({ data: new Uint8Array(0), width: 0, height: 4 }), /raw image is empty \(0x4\)/);
  await rejects(() => Tensor.fromImage({ data: new Uint8Array(0), width: 2.5, height: 4 }), /non-negative integers, got 2.5x4/);
  await rejects(() => Tensor.fromImage(img, { size: 0 }), /size must be positive integers, got height 0 and width 0/);
  await rejects(() => Tensor.fromImage(img, { size: [224] as any }), /size must be a number, \[height, width\] or \{ width, height \}/);
  await rejects(() => Tensor.fromImage(img, { size: [224, -1] }), /width -1/);
  await rejects(() => Tensor.fromImage(img, { mean: [0.485, 0.456, 0.406], channels: 1 }), /mean has 3 values \[0.485, 0.456, 0.406\] but the output has 1 channel/);
  await rejects(() => Tensor.fromImage(img, { std: [0.5, 0.5] }), /std has 2 values .* 3 channels/);
  await rejects(() => Tensor.fromImage(img, { std: [0.5, 0, 0.5] }), /std must not be 0/);
  await rejects(() => Tensor.fromImage(img, { mean: [NaN, 0, 0] }), /mean must be finite numbers/);
  await rejects(() => Tensor.fromImage(img, { crop: 'middle' as any }), /crop must be 'center' or 'none', got "middle"/);
  await rejects(() => Tensor.fromImage(img, { layout: 'NCHW' as any }), /layout must be 'nchw' or 'nhwc', got "NCHW"/);
  await rejects(() => Tensor.fromImage(img, { channels: 4 as any }), /channels must be 1 \(gray\) or 3 \(RGB\), got 4/);
  await rejects(() => Tensor.fromImage(img, { width: 224 } as any), /unknown option 'width' \(options: size, crop, channels, mean, std, layout, into\)/);
  await rejects(() => Tensor.fromImage(img, { size: 3, into: new Float32Array(26) }), /into has 26 floats; a 3x3 image with 3 channels needs 27/);
  await rejects(() => Tensor.fromImage(img, { into: new Float32Array(47) }), /into has 47 floats; a 4x4 image with 3 channels needs 48/); // the source's size
  await rejects(() => Tensor.fromImage(img, { into: new Float64Array(48) as any }), /into must be a Float32Array, got Float64Array/);
});

test('a browser source where there is no canvas (Node) says to pass raw bytes', async () => {
  const bitmap = { width: 4, height: 4, [Symbol.toStringTag]: 'ImageBitmap' };
  await rejects(() => Tensor.fromImage(bitmap), /reading the pixels of this ImageBitmap needs OffscreenCanvas or a document.*pass \{ data, width, height \}/);
  const closed = { width: 0, height: 0, [Symbol.toStringTag]: 'ImageBitmap' };
  await rejects(() => Tensor.fromImage(closed), /ImageBitmap \(closed\?\) is empty \(0x0\)/);
  const broken = { complete: true, naturalWidth: 0, naturalHeight: 0, src: 'x.png', [Symbol.toStringTag]: 'HTMLImageElement' };
  await rejects(() => Tensor.fromImage(broken as any), /the <img> has no pixels .*src "x.png"/);
});

test.run();
