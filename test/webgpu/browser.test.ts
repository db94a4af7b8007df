// The built package on Chromium's own WebGPU (navigator.gpu, --enable-unsafe-webgpu; SwiftShader on a
// machine without a GPU): backend 'webgpu' gives PyTorch's logits for the ten bundled digit samples
// with WGSL kernels; 'auto' sees the software adapter and runs wasm, saying why. Served from
// 127.0.0.1 (WebGPU needs a secure context). Chromium missing: as test/runtimes (a loud skip, a
// failure in CI).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:http';
import { existsSync, statSync, createReadStream } from 'node:fs';
import { resolve, sep, extname } from 'node:path';
import { root, refLogits, maxAbsDiff, argmaxRows, chromiumOrSkip, CHROMIUM } from '../runtimes/helpers.ts';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm' };

function serve(): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = resolve(root, '.' + path);
    if (!(file + sep).startsWith(root.endsWith(sep) ? root : root + sep) || !existsSync(file) || !statSync(file).isFile()) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => { const a = server.address(); ok({ server, origin: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}` }); }));
}

test('chromium --enable-unsafe-webgpu: webgpu gives the reference logits; auto leaves a software adapter for wasm', async () => {
  if (!(await chromiumOrSkip('WEBGPU BROWSER TEST'))) return;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--enable-unsafe-webgpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'], timeout: 20_000 });
  const { server, origin } = await serve();
  const errors: string[] = [];
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${origin}/test/webgpu/fixtures/page.html`, { timeout: 10_000 });
    await page.waitForFunction(() => (window as any).edgecnnReady || (window as any).edgecnnError, null, { timeout: 10_000 });
    assert.is(await page.evaluate(() => (window as any).edgecnnError ?? null), null);
    const hasGpu = await page.evaluate(async () => !!(navigator as any).gpu && !!(await (navigator as any).gpu.requestAdapter()));
    if (!hasGpu) {
      const msg = '!!!!! WEBGPU BROWSER TEST SKIPPED: Chromium exposes no WebGPU adapter here';
      if (process.env.CI) throw new Error(msg);
      console.log(`\n${msg}\n`);
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error('the page did not finish within 60 s')), 60_000); });
    const out: any = await Promise.race([page.evaluate(() => (window as any).runEdgecnn()), limit]).finally(() => clearTimeout(timer));
    const [gpu, auto] = out.results;
    assert.match(gpu.backend, /^webgpu \(/, gpu.backend);
    assert.ok(gpu.kernels.some((k: string) => k.startsWith('wgsl_conv')), gpu.kernels.join(' '));
    assert.ok(gpu.memoryBytes > 0);
    for (const r of out.results) {
      assert.equal(r.dims, [10, 10]);
      const d = maxAbsDiff(r.logits, refLogits);
      assert.ok(d <= 1e-4, `${r.backend}: max |logit - PyTorch| = ${d}`);
      assert.equal(argmaxRows(r.logits), argmaxRows(refLogits));
    }
    if (out.adapter.fallback || /swiftshader/i.test(out.adapter.architecture)) assert.match(auto.backend, /^wasm-\S+, 1 thread \(webgpu: software adapter '[^']+', wasm is faster\)$/, auto.backend);
    else assert.match(auto.backend, /^webgpu \(/, auto.backend);
    assert.equal(errors, []);
    console.log(`    chromium: '${gpu.backend}'; auto: '${auto.backend}'`);
  } finally {
    await browser.close().catch(() => {});
    await new Promise((r) => server.close(r));
  }
});

test.run();
