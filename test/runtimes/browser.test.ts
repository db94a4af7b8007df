// The threaded Session in headless Chromium (Debian `chromium`, driven by playwright-core). A tiny static
// server on 127.0.0.1 serves the repository root (dist/, build/, models/, test/runtimes/fixtures/page.html)
// in two modes:
//  - cross-origin isolated (COOP same-origin + COEP require-corp): the session reports 2 threads, its
//    pool runs with 2 workers and a non-computing caller (the page's main thread never blocks: no
//    Atomics.wait during a run, timer tasks keep running while runs complete), reference logits;
//  - plain: the session falls back to 1 thread, says why (naming both headers), warns once on the
//    console, same logits.
// Chromium missing: scripts/ensure-chromium.sh is tried (it installs it as root with apt-get); only if it
// still is missing (and not in CI) the test is skipped, loudly. `.ci/run` installs it before `npm test`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:http';
import { existsSync, statSync, createReadStream } from 'node:fs';
import { resolve, sep, extname } from 'node:path';
import { root, refLogits, maxAbsDiff, sameBits, argmaxRows, chromiumOrSkip, launchChromium, listenLocal } from './helpers.ts';

const RUN_LIMIT_MS = 20_000;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json', '.wasm': 'application/wasm', '.map': 'application/json',
};

/** Serves the repository root; `isolated` adds the two cross-origin isolation headers to every response. */
function serve(isolated: boolean): Promise<{ server: Server; origin: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const file = resolve(root, '.' + path);
    const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
    if (isolated) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    if (path === '/favicon.ico') { res.writeHead(204, headers).end(); return; }
    if (!(file + sep).startsWith(root.endsWith(sep) ? root : root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      requests.push(`404 ${path}`);
      res.writeHead(404, headers).end('not found');
      return;
    }
    headers['Content-Type'] = TYPES[extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, headers);
    createReadStream(file).pipe(res);
  });
  return listenLocal(server, requests);
}

interface PageResult {
  threads: number; flavor: string | null; sessionThreads: number; backend: string; dims: number[]; logits: number[];
  repeatSame: boolean; pool: { callerComputes: boolean; workers: number; threads: number } | null;
  ticksDuringRuns: number; msFor20Runs: number;
}
interface PageOut {
  runtime: string; crossOriginIsolated: boolean; hasSharedArrayBuffer: boolean; hasWaitAsync: boolean;
  waits: { calls: number; returned: number; duringRun: number }; results: PageResult[];
}

let browser: import('playwright-core').Browser | null = null;
let available = false;
const byMode: Record<string, PageOut> = {};

/** Opens page.html from a fresh server (isolated or not) in a fresh context, runs it, returns its JSON and console. */
async function runPage(isolated: boolean): Promise<{ out: PageOut; warnings: string[]; errors: string[]; requests: string[] }> {
  const { server, origin, requests } = await serve(isolated);
  const ctx = await browser!.newContext();
  const warnings: string[] = [], errors: string[] = [];
  try {
    const page = await ctx.newPage();
    page.on('console', (m) => {
      if (m.type() === 'warning') warnings.push(m.text());
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.stack ?? e.message}`));
    await page.goto(`${origin}/test/runtimes/fixtures/page.html`, { timeout: 10_000 });
    await page.waitForFunction(() => (window as any).edgecnnReady || (window as any).edgecnnError, null, { timeout: 10_000 })
      .catch(() => { throw new Error(`page did not load within 10 s; console errors:\n${errors.join('\n')}`); });
    const loadError = await page.evaluate(() => (window as any).edgecnnError ?? null);
    assert.is(loadError, null, `page failed to load edgecnn: ${loadError}\n${errors.join('\n')}`);
    // page.evaluate has no timeout of its own: a run that never completes must fail, not hang npm test.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error(`the page's runs did not finish within ${RUN_LIMIT_MS / 1000} s; console: ${[...warnings, ...errors].join('\n')}`)), RUN_LIMIT_MS); });
    const out = await Promise.race([page.evaluate(() => (window as any).runEdgecnn()) as Promise<PageOut>, limit]).finally(() => clearTimeout(timer));
    return { out, warnings, errors, requests };
  } finally {
    await ctx.close().catch(() => {});
    await new Promise((r) => server.close(r));
  }
}

function checkLogits(mode: string, out: PageOut): void {
  for (const r of out.results) {
    assert.equal(r.dims, [10, 10]);
    assert.ok(r.repeatSame, `${mode} ${r.backend}: 20 more runs gave other bits`);
    const d = maxAbsDiff(r.logits, refLogits);
    assert.ok(d <= 1e-4, `${mode} ${r.backend}: max |logit - PyTorch| = ${d}`);
    assert.equal(argmaxRows(r.logits), argmaxRows(refLogits), `${mode} ${r.backend}: top-1 classes`);
  }
  const [t2, , t1same] = out.results;
  assert.ok(sameBits(t2.logits, t1same.logits), `${mode}: '${t2.backend}' vs '${t1same.backend}' differ (max ${maxAbsDiff(t2.logits, t1same.logits)})`);
}

test.before(async () => {
  available = await chromiumOrSkip();
  if (!available) return;
  browser = await launchChromium();
});

test.after(async () => {
  await browser?.close().catch(() => {});
});

test('chromium, cross-origin isolated: 2 threads, reference logits, the main thread never blocks', async () => {
  if (!available) return;
  const { out, warnings, errors, requests } = await runPage(true);
  byMode.isolated = out;
  assert.ok(out.crossOriginIsolated, 'the page is cross-origin isolated');
  assert.equal(errors, [], `console errors: ${errors.join('\n')}; 404s: ${requests.filter((r) => r.startsWith('404')).join(', ')}`);
  const [t2, t1, t1same] = out.results;
  assert.is(t2.sessionThreads, 2, t2.backend);
  assert.match(t2.backend, /^wasm-[a-z]+-threads, 2 threads$/, t2.backend);
  assert.match(t1.backend, /, 1 thread$/);
  assert.match(t1same.backend, /, 1 thread$/);
  // A browser main thread cannot block: the pool runs 2 workers and awaits them (Atomics.waitAsync).
  assert.equal(t2.pool, { callerComputes: false, workers: 2, threads: 2 }, JSON.stringify(t2.pool));
  assert.is(t1.pool, null);
  assert.is(out.waits.duringRun, 0, 'Atomics.wait called on the main thread during a run');
  assert.is(out.waits.returned, 0, 'an Atomics.wait on the main thread returned (blocked)');
  assert.ok(t2.ticksDuringRuns > 0, `no timer task ran on the main thread while 20 threaded runs completed (${t2.msFor20Runs.toFixed(1)} ms)`);
  assert.equal(warnings.filter((w) => w.includes('edgecnn')), [], 'no edgecnn warning when isolated');
  checkLogits('isolated', out);
  // The wasm binaries and the worker came from the paths import.meta.url resolves to.
  assert.ok(requests.includes('/dist/backends/wasm/pool/worker.js'), `worker.js not fetched: ${requests.join(' ')}`);
  assert.ok(requests.includes(`/build/edgecnn.${/^wasm-([a-z-]+),/.exec(t2.backend)![1]}.wasm`), `threads binary not fetched: ${requests.join(' ')}`);
  console.log(`  ${/Chrom[^ ]+/.exec(out.runtime)?.[0]}: ${t2.backend}; waitAsync ${out.hasWaitAsync}; 20 runs ${t2.msFor20Runs.toFixed(1)} ms, ${t2.ticksDuringRuns} timer ticks meanwhile`);
});

test('chromium, not isolated: 1 thread, the reason names both headers, one console warning, same logits', async () => {
  if (!available) return;
  const { out, warnings, errors, requests } = await runPage(false);
  byMode.plain = out;
  assert.not.ok(out.crossOriginIsolated);
  assert.equal(errors, [], `console errors: ${errors.join('\n')}; 404s: ${requests.filter((r) => r.startsWith('404')).join(', ')}`);
  const [t2, t1] = out.results;
  assert.is(t2.sessionThreads, 1, t2.backend);
  assert.match(t2.backend, /, 1 thread \(.*not cross-origin isolated/, t2.backend);
  assert.match(t2.backend, /Cross-Origin-Opener-Policy: same-origin/);
  assert.match(t2.backend, /Cross-Origin-Embedder-Policy: require-corp/);
  assert.is(t2.pool, null);
  assert.match(t1.backend, /, 1 thread$/);
  const ours = warnings.filter((w) => w.includes('edgecnn'));
  assert.is(ours.length, 1, `edgecnn console warnings: ${JSON.stringify(warnings)}`);
  assert.match(ours[0], /Cross-Origin-Opener-Policy/);
  assert.match(ours[0], /Cross-Origin-Embedder-Policy/);
  checkLogits('not isolated', out);
  if (byMode.isolated) {
    // the plain-SIMD binary gives the same bits with or without isolation
    assert.ok(sameBits(t2.logits, byMode.isolated.results[1].logits), 'non-isolated logits differ from the isolated 1-thread run on the same binary');
  }
});

test.run();
