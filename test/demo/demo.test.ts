// The demo app (demo/, `npm run demo`): built with Vite from the package staged as an install lays it
// out (demo/build.mjs), served from 127.0.0.1 with COOP/COEP by scripts/serve-demo.mjs, opened in
// headless Chromium as a phone (360x740, deviceScaleFactor 2, touch). Digits are drawn as strokes
// (touch and mouse pointer events on the pad) and a bundled sample is drawn onto the pad; the answer
// must appear and be right (with each digit model the build has), the layer table must list every layer
// with its profile, the kernel tiles and feature maps must have pixels, the backend must say 2 threads
// (isolated), the wide pad (the classifier made fully convolutional) must find four digits drawn in a
// row, your own model (squeezenet, 3 channels: RGB kernel tiles) must classify an image with your labels,
// nothing may overflow 360 px, and once the service worker controls the page it must work offline, still
// isolated.
// Screenshots: test/demo/.artifacts/ (ignored by git).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, chromiumOrSkip, launchChromium } from '../runtimes/helpers.ts';
// @ts-ignore
import { encodePng } from '../../demo/make-icons.mjs';
// @ts-ignore: plain .mjs scripts without type declarations
import { buildDemo } from '../../demo/build.mjs';
// @ts-ignore
import { serveDir } from '../../scripts/serve-demo.mjs';

const artifacts = join(root, 'test', 'demo', '.artifacts');
const LIMIT = 15_000;

type Pt = [number, number];
/** Strokes in pad units (0..1), digits the bundled model recognizes when drawn this way (tried). */
const STROKES: Record<string, Pt[][]> = {
  2: [[[0.3, 0.3], [0.5, 0.15], [0.7, 0.3], [0.3, 0.85], [0.75, 0.85]]],
  0: [Array.from({ length: 25 }, (_, i): Pt => [0.5 + 0.25 * Math.sin((i / 24) * 2 * Math.PI), 0.5 - 0.35 * Math.cos((i / 24) * 2 * Math.PI)])],
  4: [[[0.6, 0.85], [0.6, 0.15], [0.25, 0.6], [0.78, 0.6]]],
  3: [[[0.3, 0.2], [0.65, 0.2], [0.45, 0.48], [0.7, 0.65], [0.55, 0.85], [0.3, 0.8]]],
};

/** The stroke's points in page coordinates, a point every ~6 % of the pad or closer. */
function points(stroke: Pt[], box: { x: number; y: number; width: number; height: number }): Pt[] {
  const pts: Pt[] = [stroke[0]];
  for (let i = 1; i < stroke.length; i++) {
    const [x0, y0] = stroke[i - 1], [x1, y1] = stroke[i];
    const n = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / 0.06));
    for (let k = 1; k <= n; k++) pts.push([x0 + ((x1 - x0) * k) / n, y0 + ((y1 - y0) * k) / n]);
  }
  return pts.map(([x, y]) => [box.x + x * box.width, box.y + y * box.height]);
}

let browser: import('playwright-core').Browser | null = null;
let served: { url: string; close(): Promise<void> } | null = null;
let available = false;

test.before(async () => {
  available = await chromiumOrSkip('DEMO TEST');
  if (available) browser = await launchChromium();
  mkdirSync(artifacts, { recursive: true });
});

test.after(async () => {
  await browser?.close();
  await served?.close();
});

test('demo: draw on a phone, the answer, the layer table, the pictures, 2 threads, offline', async () => {
  if (!available) return;
  // built and served here, not in a hook, so that a failure is reported with its message
  const built = await buildDemo({ quiet: true });
  assert.ok(built.files.includes('index.html') && built.files.some((f: string) => f.endsWith('.wasm')), `built: ${built.files.join(', ')}`);
  assert.equal(built.warnings, [], 'vite build warnings');
  served = await serveDir(join(root, 'demo', 'dist'));
  const t0 = Date.now();
  const ctx = await browser!.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, hasTouch: true, isMobile: true });
  const errors: string[] = [], httpErrors: string[] = [];
  const laps: string[] = [];
  let tl = Date.now();
  const lap = (what: string) => { laps.push(`${what} ${Date.now() - tl}`); tl = Date.now(); };
  try {
    const page = await ctx.newPage();
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.stack ?? e.message}`));
    page.on('response', (r) => { if (r.status() >= 400) httpErrors.push(`${r.status()} ${r.url()}`); });
    await page.goto(served!.url);
    const ready = () => page.waitForFunction(() => { const s = (window as any).demo?.state; return (s?.summary && s.profile) || s?.error; }, null, { timeout: LIMIT });
    await ready();
    assert.is(await page.evaluate(() => (window as any).demo.state.error), null);

    lap('loaded');
    // backend on screen, isolated, 2 threads
    const backend = await page.textContent('#backend');
    assert.ok(await page.evaluate(() => crossOriginIsolated), 'cross-origin isolated');
    assert.match(backend!, /^wasm-.*, 2 threads/, `backend: ${backend}`);

    // the pad's box where it is now (scrolled into view first)
    const boxOf = async (sel: string) => { await page.locator(sel).scrollIntoViewIfNeeded(); return (await page.locator(sel).boundingBox())!; };
    // the prediction of the drawing as it is now: computed from the latest change, none pending
    const answer = async () => {
      await page.waitForTimeout(50);
      await page.waitForFunction(() => { const s = (window as any).demo.state; return !s.busy && !s.dirty && s.prediction && s.predicted === s.changes; }, null, { timeout: LIMIT });
      return page.evaluate(() => ({ top: document.querySelector('#top li .d')?.textContent, n: document.querySelectorAll('#top li').length, p: (window as any).demo.state.prediction }));
    };

    // a finger: touch events through the DevTools protocol (pointerType 'touch' on the pad)
    const cdp = await ctx.newCDPSession(page);
    const touch = async (stroke: Pt[]) => {
      const pts = points(stroke, await boxOf('#pad'));
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: pts[0][0], y: pts[0][1] }] });
      for (const [x, y] of pts.slice(1)) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y }] });
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    };
    const mouse = async (stroke: Pt[], on = '#pad') => {
      const pts = points(stroke, await boxOf(on));
      await page.mouse.move(pts[0][0], pts[0][1]);
      await page.mouse.down();
      for (const [x, y] of pts.slice(1)) await page.mouse.move(x, y);
      await page.mouse.up();
    };
    // Clear, and make sure it was: a tap right after a touch stroke is sometimes taken as part of it
    // (then the next digit is drawn over the last one).
    const clearPad = async () => {
      for (let i = 0; i < 3; i++) {
        await page.tap('#clear');
        const blank = await page.waitForFunction(() => (window as any).demo.state.prediction === null, null, { timeout: 2000 }).then(() => true, () => false);
        if (blank) return;
      }
      assert.unreachable('the Clear button did not clear the pad');
    };
    const models: string[] = await page.$$eval('#digit-model option', (o) => o.map((x) => (x as HTMLOptionElement).value));
    assert.ok(models.includes('lenet'), `digit models: ${models}`);
    let first = true;
    for (const model of models) {
      if (model !== await page.evaluate(() => (window as any).demo.state.digitModel)) {
        await page.selectOption('#digit-model', model);
        await page.waitForFunction((m) => { const s = (window as any).demo.state; return s.digitModel === m && s.session && s.summary && s.profile && s.wide; }, model, { timeout: LIMIT });
      }
      for (const [digit, strokes] of Object.entries(STROKES)) {
        await clearPad();
        for (const s of strokes) await (first ? touch(s) : mouse(s));
        const a = await answer();
        assert.is(a.top, digit, `${model}: drew a ${digit} (${first ? 'touch' : 'mouse'}), the page says ${a.top}: ${JSON.stringify(a.p)}`);
        assert.is(a.n, 3, 'top-3');
        if (first) await page.screenshot({ path: join(artifacts, `phone-drawn-${digit}.png`) });
        first = false;
      }
      lap('digits');
      // FC → CONV: four digits in a row on the wide pad, found in one run, with each digit model
      await page.tap('#wide-clear');
      const order = ['2', '0', '4', '3'];
      for (const [slot, d] of order.entries()) {
        for (const s of STROKES[d]) await mouse(s.map(([x, y]): Pt => [(slot + 0.15 + 0.7 * x) / 4, 0.1 + 0.8 * y]), '#wide');
      }
      await page.waitForFunction((n) => (window as any).demo.state.found?.length === n, order.length, { timeout: LIMIT }).catch(() => {});
      const found = await page.evaluate(() => (window as any).demo.state.found);
      assert.equal(found.map((f: any) => String(f.digit)), order, `${model}: wide pad: ${JSON.stringify(found)}`);
      assert.equal(await page.$$eval('#found .chip', (c) => c.map((x) => x.textContent)), order);
      lap('wide');
      await page.locator('#wide-panel').screenshot({ path: join(artifacts, `phone-wide-${model}.png`) });
    }
    lap('models');
    // a bundled sample drawn onto the pad goes the same way as strokes (the bundled model, still selected)
    await page.evaluate(() => (window as any).demo.drawSample(7));
    assert.is((await answer()).top, '7', 'sample 7 drawn on the pad');

    // the layer table: every layer, timed
    const table = await page.evaluate(() => {
      const s = (window as any).demo.state;
      const rows = [...document.querySelectorAll('#layers tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent));
      return { names: s.summary.layers.map((l: any) => l.name), rows, memory: document.querySelector('#memory')!.textContent, foot: document.querySelector('#layers tfoot')!.textContent };
    });
    assert.is(table.rows.length, table.names.length);
    assert.is(table.names.length, 8, 'lenet-digits: 8 planned layers');
    table.names.forEach((n: string, i: number) => assert.is(table.rows[i][1], n));
    for (const r of table.rows) assert.ok(Number(r[8]) >= 0 && r[8] !== '…', `profiled: ${r.join(' | ')}`);
    assert.match(table.memory!, /activation arena \(peak\): [\d.]+ KiB.*without sharing.*weights.*wasm memory/);

    lap('table');
    // the pictures have pixels: kernels, then the feature maps of the first and of another layer
    const pixels = (id: string) => page.evaluate((id) => {
      const c = document.getElementById(id) as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const values = new Set<number>();
      let lit = 0;
      for (let i = 0; i < d.length; i += 4) { values.add(d[i] * 65536 + d[i + 1] * 256 + d[i + 2]); if (d[i] + d[i + 1] + d[i + 2] > 60) lit++; }
      return { w: c.width, h: c.height, distinct: values.size, lit, shown: c.getBoundingClientRect().width };
    }, id);
    const k = await pixels('kernels');
    assert.ok(k.w >= 5 && k.distinct > 20 && k.lit > 50 && k.shown > 100, `kernels: ${JSON.stringify(k)}`);
    const f1 = await pixels('fmaps');
    assert.ok(f1.w >= 28 && f1.distinct > 20 && f1.lit > 100, `feature maps: ${JSON.stringify(f1)}`);
    const options = await page.$$eval('#fmap-select option', (o) => o.map((x) => (x as HTMLOptionElement).value));
    assert.ok(options.length >= 8, `fmap choices: ${options}`);
    await page.selectOption('#fmap-select', options[2]);
    await page.waitForFunction((v) => (window as any).demo.state.fmap?.name === v, options[2], { timeout: LIMIT });
    const f3 = await pixels('fmaps');
    assert.ok(f3.distinct > 10 && f3.lit > 20, `feature maps of ${options[2]}: ${JSON.stringify(f3)}`);
    assert.equal((await page.evaluate(() => (window as any).demo.state.fmap.dims)), [1, 16, 10, 10]);

    lap('pictures');
    // usable at 360 px: nothing wider than the viewport (the table scrolls inside its card)
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(overflow <= 360, `page is ${overflow} px wide`);
    await page.screenshot({ path: join(artifacts, 'phone-full.png'), fullPage: true });

    // installable: the manifest and its PNG icons
    const manifest = await page.evaluate(async () => (await fetch('manifest.webmanifest')).json());
    for (const icon of manifest.icons) {
      const png = readFileSync(join(root, 'demo', 'dist', icon.src));
      assert.equal([...png.subarray(1, 4)], [80, 78, 71], `${icon.src} is a PNG`);
      assert.is(`${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`, icon.sizes);
    }

    lap('manifest');
    // switchable: one thread, then the reference backend, then back to auto
    const switchTo = async (id: string, value: string, expect: RegExp) => {
      await page.selectOption(id, value);
      await page.waitForFunction((re) => { const s = (window as any).demo.state; return (s.session && s.summary && s.profile && new RegExp(re).test(document.getElementById('backend')!.textContent!)) || s.error; }, expect.source, { timeout: LIMIT });
      assert.is(await page.evaluate(() => (window as any).demo.state.error), null);
      await page.tap('#clear');
      await mouse(STROKES[4][0]);
      assert.is((await answer()).top, '4', `${id} ${value}: ${await page.textContent('#backend')}`);
    };
    await switchTo('#threads-select', '1', /^wasm-\S+, 1 thread$/);
    await switchTo('#backend-select', 'reference', /^reference/);
    await page.selectOption('#threads-select', 'auto');
    await switchTo('#backend-select', 'auto', /^wasm-.*, 2 threads/);

    lap('switching');
    // your own model and image: squeezenet (3 channels, 1000 classes), a picture, labels one per line
    await page.click('#open-model summary');
    const rgba = new Uint8Array(64 * 48 * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 37) % 251));
    await page.setInputFiles('#image-file', { name: 'picture.png', mimeType: 'image/png', buffer: encodePng(64, 48, rgba) });
    await page.setInputFiles('#labels-file', { name: 'labels.txt', mimeType: 'text/plain', buffer: Buffer.from(Array.from({ length: 1000 }, (_, i) => `class ${i}`).join('\n')) });
    await page.setInputFiles('#model-file', join(root, 'test', 'fixtures', 'models', 'squeezenet1_1.onnx'));
    await page.waitForFunction(() => { const s = (window as any).demo.state; return (s.mode === 'custom' && s.summary && s.profile && document.querySelectorAll('#top5 li').length === 5) || s.error; }, null, { timeout: LIMIT });
    const custom = await page.evaluate(() => ({ error: (window as any).demo.state.error, labels: [...document.querySelectorAll('#top5 li .d')].map((d) => d.textContent), kernels: document.getElementById('kernel-info')!.textContent, rows: document.querySelectorAll('#layers tbody tr').length, layers: (window as any).demo.state.summary.layers.length }));
    assert.is(custom.error, null);
    assert.ok(custom.labels.every((l) => /^class \d+$/.test(l!)), `top-5 labels: ${custom.labels}`);
    assert.match(custom.kernels!, /64 filters of 3×3×3, shown as RGB/);
    assert.is(custom.rows, custom.layers);
    const rgb = await pixels('kernels');
    assert.ok(rgb.distinct > 100, `RGB kernel tiles: ${JSON.stringify(rgb)}`);
    const wider = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wider <= 360, `page is ${wider} px wide with squeezenet's layers`);
    await page.screenshot({ path: join(artifacts, 'phone-own-model.png'), fullPage: true });
    await page.click('#back-to-digits');
    await page.waitForFunction(() => { const s = (window as any).demo.state; return s.mode === 'digits' && s.summary && s.profile && s.wide; }, null, { timeout: LIMIT });

    lap('own model');
    // offline: the service worker takes the page, the server goes away (the context is offline), a reload works
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: LIMIT });
    await ctx.setOffline(true);
    await page.reload();
    await ready();
    assert.is(await page.evaluate(() => (window as any).demo.state.error), null, 'offline reload');
    assert.match((await page.textContent('#backend'))!, /2 threads/, 'offline, still isolated');
    await page.tap('#clear');
    await mouse(STROKES[2][0]);
    assert.is((await answer()).top, '2', 'offline prediction');
    await page.screenshot({ path: join(artifacts, 'phone-offline.png') });

    lap('offline');
    assert.equal(errors, [], 'no console errors');
    assert.equal(httpErrors, [], 'no HTTP errors');
    console.log(`\n  demo: ${backend}; phone viewport, touch + mouse strokes, offline reload: ${Date.now() - t0} ms (${laps.join(', ')})`);
  } finally {
    await ctx.close();
  }
});

test.run();
