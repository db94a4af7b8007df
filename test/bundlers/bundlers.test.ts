// edgecnn in web apps as people build them: the app in apps/common/app.js (Session.create on a string
// path, threads 2, the ten bundled digit samples), built with each bundler as a new user would, served
// from 127.0.0.1 with and without cross-origin isolation (COOP same-origin + COEP require-corp on every
// response), run in one headless Chromium. Apps:
//  - vite build (no vite config), the Vite dev server (no config but `server.headers` for isolation);
//  - webpack 5 (entry and output path only, through its Node API: webpack-cli is not installed);
//  - esbuild, the README's recipe ("Bundlers"): the worker as a second entry point, the binaries copied
//    next to the bundle (esbuild does not handle `new URL(…, import.meta.url)`); and two esbuild
//    builds that leave each step out, which must fail naming the URL and its HTTP status;
//  - no bundler: a <script type="module"> page with an import map for `edgecnn` → dist/index.js.
// Each page must run the model, give Node's answer (the same top-1 classes, logits within 1e-4), say
// "2 threads" when isolated and "1 thread (…why…)" when not, fetch exactly one kernel binary, and get
// no HTTP error. The package is staged as an npm install would lay it out (a copy of package.json,
// dist/ and build/edgecnn.*.wasm in <tmp>/edgecnn-bundlers-<pid>/node_modules/edgecnn, not a link), so bundlers treat it as a
// dependency. Screenshots of every page: test/bundlers/.artifacts/ (ignored by git).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:http';
import { cpSync, createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { root, refLogits, maxAbsDiff, argmaxRows, chromiumOrSkip, launchChromium } from '../runtimes/helpers.ts';

const here = join(root, 'test', 'bundlers');
/** The user's project, outside the repository (its builds hold absolute paths): apps/ copied (its
 * package.json at the top), node_modules/edgecnn, out/ for the builds. Removed after the run. */
const work = join(tmpdir(), `edgecnn-bundlers-${process.pid}`);
const artifacts = join(here, '.artifacts');
const pkg = join(work, 'node_modules', 'edgecnn');
const apps = work;
const out = join(work, 'out');
/** Where the package comes from: this repository, or (EDGECNN_BUNDLERS_FROM) another build of it, to compare. */
const from = process.env.EDGECNN_BUNDLERS_FROM ?? root;
const PAGE_LIMIT_MS = 20_000;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json', '.wasm': 'application/wasm', '.onnx': 'application/octet-stream', '.bin': 'application/octet-stream',
};
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

// ---- staging and building ---------------------------------------------------------------------------

/** The package as `npm install edgecnn` lays it out, the apps beside it, the models each page loads. */
function stage(): void {
  rmSync(work, { recursive: true, force: true });
  cpSync(join(here, 'apps'), apps, { recursive: true });
  mkdirSync(join(pkg, 'build'), { recursive: true });
  cpSync(join(from, 'package.json'), join(pkg, 'package.json'));
  cpSync(join(from, 'dist'), join(pkg, 'dist'), { recursive: true });
  for (const f of readdirSync(join(from, 'build'))) if (/^edgecnn\..*\.wasm$/.test(f)) cpSync(join(from, 'build', f), join(pkg, 'build', f));
  mkdirSync(artifacts, { recursive: true });
}

function copyModels(dir: string): void {
  mkdirSync(join(dir, 'models'), { recursive: true });
  for (const f of ['lenet-digits.onnx', 'digits-sample.bin']) cpSync(join(root, 'models', f), join(dir, 'models', f));
}

/**
 * The bare specifiers that modules reachable from `entry` import statically: a browser without a
 * bundler needs an import map entry for each (and a CommonJS package a shim).
 */
function bareImports(entry: string): string[] {
  const found = new Set<string>(), seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s(?:[^'";]*?\sfrom\s)?\s*['"]([^'"]+)['"]/gm)) {
      if (/^\.{1,2}\//.test(m[1])) visit(resolve(file, '..', m[1]));
      else found.add(`${m[1]} (${file.slice(pkg.length + 1)})`);
    }
  };
  visit(entry);
  return [...found];
}

interface Built { dir: string; warnings: string[]; files: string[]; ms: number }

const listFiles = (dir: string): string[] => readdirSync(dir, { recursive: true, withFileTypes: false } as any).map(String);

async function viteBuild(): Promise<Built> {
  const t0 = Date.now();
  const appDir = join(apps, 'vite');
  copyModels(join(appDir, 'public'));
  const { build, createLogger } = await import('vite');
  const warnings: string[] = [];
  const logger = createLogger('warn', { allowClearScreen: false });
  logger.warn = (m) => { warnings.push(m); };
  logger.warnOnce = (m) => { warnings.push(m); };
  const dir = join(out, 'vite');
  await build({ root: appDir, configFile: false, logLevel: 'warn', customLogger: logger, build: { outDir: dir, emptyOutDir: true } });
  return { dir, warnings, files: listFiles(dir), ms: Date.now() - t0 };
}

async function webpackBuild(): Promise<Built> {
  const t0 = Date.now();
  const { default: webpack } = await import('webpack');
  const dir = join(out, 'webpack');
  const stats = await new Promise<import('webpack').Stats>((ok, fail) => {
    const compiler = webpack({ mode: 'production', context: join(apps, 'webpack'), entry: './main.js', output: { path: dir } });
    compiler.run((err, s) => { compiler.close(() => {}); if (err || !s) fail(err); else ok(s); });
  });
  const info = stats.toJson({ all: false, errors: true, warnings: true });
  if (stats.hasErrors()) throw new Error(`webpack: ${info.errors!.map((e) => e.message).join('\n')}`);
  cpSync(join(apps, 'webpack', 'index.html'), join(dir, 'index.html'));
  copyModels(dir);
  return { dir, warnings: info.warnings!.map((w) => w.message), files: listFiles(dir), ms: Date.now() - t0 };
}

/**
 * esbuild as the README says (`recipe`: both steps), or with a step left out: `worker` bundles
 * `edgecnn/worker` as worker.js beside the app's bundle, `wasm` copies the binaries there.
 */
async function esbuildBuild(name: string, steps: { worker: boolean; wasm: boolean }): Promise<Built> {
  const t0 = Date.now();
  const esbuild = await import('esbuild');
  const dir = join(out, name);
  const appDir = join(apps, 'esbuild');
  const r = await esbuild.build({
    absWorkingDir: appDir,
    entryPoints: steps.worker ? { app: './main.js', worker: 'edgecnn/worker' } : { app: './main.js' },
    bundle: true, format: 'esm', splitting: true, outdir: dir, logLevel: 'silent', // the README's recipe
  });
  if (steps.wasm) for (const f of readdirSync(join(pkg, 'build'))) cpSync(join(pkg, 'build', f), join(dir, f));
  cpSync(join(appDir, 'index.html'), join(dir, 'index.html'));
  copyModels(dir);
  return { dir, warnings: r.warnings.map((w) => w.text), files: listFiles(dir), ms: Date.now() - t0 };
}

// ---- serving and running ----------------------------------------------------------------------------

interface Served { origin: string; close(): Promise<void> }

/** A static server on 127.0.0.1: `mounts` maps URL prefixes to folders ('/' last). */
function serveStatic(mounts: Array<[string, string]>, isolated: boolean): Promise<Served> {
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const headers: Record<string, string> = { 'Cache-Control': 'no-store', ...(isolated ? ISOLATION : {}) };
    const mount = mounts.find(([prefix]) => path.startsWith(prefix));
    let file = mount ? resolve(mount[1], '.' + path.slice(mount[0].length - 1)) : '';
    if (file && existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!mount || !(file + sep).startsWith(resolve(mount[1]) + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, headers).end('not found');
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      ok({ origin: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

/** The Vite dev server on an app, with the isolation headers when `isolated` (the only config it gets). */
async function viteDev(isolated: boolean): Promise<Served> {
  const { createServer: createViteServer, createLogger } = await import('vite');
  const logger = createLogger('warn', { allowClearScreen: false });
  logger.warn = (m) => { devWarnings.push(m); };
  logger.warnOnce = (m) => { devWarnings.push(m); };
  const server = await createViteServer({
    root: join(apps, 'vite'), configFile: false, logLevel: 'warn', customLogger: logger,
    // (watch: null only spares the test a file watcher)
    server: { host: '127.0.0.1', port: 0, headers: isolated ? ISOLATION : {}, watch: null },
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite dev server: no local URL');
  return { origin: url.replace(/\/$/, ''), close: () => server.close() };
}
const devWarnings: string[] = [];

interface Result {
  app: string; ok: boolean; error?: string; backend: string; threads: number; crossOriginIsolated: boolean;
  dims: number[]; logits: number[]; answer: number[]; ms: number;
}
interface PageRun { result: Result; consoleErrors: string[]; warnings: string[]; httpErrors: string[]; wasm: string[]; workers: string[]; ms: number }

let browser: import('playwright-core').Browser | null = null;
let available = false;
let nodeResult: { logits: Float32Array; answer: number[]; backend: string } | null = null;
const built: Record<string, Built> = {};
const matrix: string[] = [];
const testStart = Date.now();

async function runPage(app: string, served: Served, mode: string, path = '/'): Promise<PageRun> {
  const t0 = Date.now();
  const ctx = await browser!.newContext({ viewport: { width: 760, height: 300 } });
  const consoleErrors: string[] = [], warnings: string[] = [], httpErrors: string[] = [], wasm: string[] = [], workers: string[] = [];
  try {
    const page = await ctx.newPage();
    page.on('console', (m) => {
      if (m.location()?.url?.endsWith('/favicon.ico')) return; // the browser's own request
      if (m.type() === 'error') consoleErrors.push(m.text());
      if (m.type() === 'warning') warnings.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.stack ?? e.message}`));
    const answered = new Set<string>();
    page.on('response', (r) => {
      const p = new URL(r.url()).pathname;
      if (p === '/favicon.ico') return;
      if (r.status() >= 400) httpErrors.push(`${r.status()} ${p}`);
      else {
        answered.add(r.url());
        if (p.endsWith('.wasm')) wasm.push(p);
      }
    });
    page.on('requestfailed', (r) => {
      // Chromium reports a fetch whose body was read to the end through a stream reader (the model's
      // download, for its progress) as net::ERR_ABORTED on a cross-origin isolated page, every byte
      // received: not a failure when the response came.
      if (r.failure()?.errorText === 'net::ERR_ABORTED' && answered.has(r.url())) return;
      httpErrors.push(`failed ${r.method()} ${new URL(r.url()).pathname}: ${r.failure()?.errorText} (${r.resourceType()})`);
    });
    page.on('worker', (w) => workers.push(new URL(w.url()).pathname));
    await page.goto(served.origin + path, { timeout: 10_000 });
    const result = await page.waitForFunction(() => (window as any).edgecnnResult, null, { timeout: PAGE_LIMIT_MS })
      .then((h) => h.jsonValue() as Promise<Result>)
      .catch((e) => { throw new Error(`${app} (${mode}): no result within ${PAGE_LIMIT_MS / 1000} s (${(e as Error).message.split('\n')[0]}); console: ${consoleErrors.join(' | ')}; HTTP: ${httpErrors.join(', ')}`); });
    await page.screenshot({ path: join(artifacts, `${app}-${mode}.png`) });
    return { result, consoleErrors, warnings, httpErrors, wasm, workers, ms: Date.now() - t0 };
  } finally {
    await ctx.close().catch(() => {});
  }
}

/** The checks every working page passes; `isolated` decides the thread count and the reason. */
function checkPage(app: string, isolated: boolean, run: PageRun): void {
  const mode = isolated ? 'isolated' : 'not isolated';
  const { result: r } = run;
  const where = `${app} (${mode})`;
  assert.ok(r.ok, `${where}: ${r.error}\nconsole: ${run.consoleErrors.join('\n')}\nHTTP: ${run.httpErrors.join(', ')}`);
  assert.equal(run.httpErrors, [], `${where}: HTTP errors`);
  assert.equal(run.consoleErrors, [], `${where}: console errors`);
  assert.is(r.crossOriginIsolated, isolated, `${where}: crossOriginIsolated`);
  if (isolated) {
    assert.is(r.threads, 2, `${where}: ${r.backend}`);
    assert.match(r.backend, /^wasm-[a-z]+-threads, 2 threads/, `${where}: ${r.backend}`);
    assert.equal(run.workers.length, 2, `${where}: pool workers ${run.workers.join(', ')}`);
  } else {
    assert.is(r.threads, 1, `${where}: ${r.backend}`);
    assert.match(r.backend, /^wasm-(relaxed|simd), 1 thread \(this page is not cross-origin isolated.*Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/, `${where}: ${r.backend}`);
    assert.equal(run.workers, [], `${where}: no worker without isolation`);
    assert.ok(run.warnings.some((w) => w.startsWith('edgecnn: running on one thread')), `${where}: the console warning`);
  }
  // the host fetches only the binary that runs
  const flavor = /^wasm-([a-z-]+),/.exec(r.backend)![1];
  assert.is(run.wasm.length, 1, `${where}: fetched ${run.wasm.join(', ')}`);
  assert.match(run.wasm[0], new RegExp(`edgecnn\\.${flavor}[.-]|/[0-9a-f]{20}\\.wasm$`), `${where}: fetched ${run.wasm[0]} for ${flavor}`);
  assert.equal(r.dims, [10, 10]);
  assert.equal(r.answer, nodeResult!.answer, `${where}: the answer vs Node's`);
  const d = maxAbsDiff(r.logits, nodeResult!.logits);
  assert.ok(d <= 1e-4, `${where}: max |logit - Node's| = ${d}`);
  matrix.push(`${app.padEnd(15)} ${mode.padEnd(13)} ${r.backend.length > 70 ? r.backend.slice(0, 70) + '…' : r.backend} | answer ${r.answer.join('')} | ${run.ms} ms`);
}

// ---- the tests --------------------------------------------------------------------------------------

test.before(async () => {
  available = await chromiumOrSkip('BUNDLER TESTS');
  if (!available) return;
  stage();
  const [browserOrError] = await Promise.all([launchChromium()]);
  browser = browserOrError;
  // Node's answer, from the same package files the apps bundle
  const { Session, Tensor } = await import(pathToFileURL(join(pkg, 'dist', 'index.js')).href);
  const session = await Session.create(readFileSync(join(root, 'models', 'lenet-digits.onnx')), { threads: 1 });
  const b = readFileSync(join(root, 'models', 'digits-sample.bin'));
  const x = new Tensor('float32', new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)), [10, 1, 28, 28]);
  const y = (await session.run({ [session.inputs[0].name]: x }))[session.outputs[0].name];
  nodeResult = { logits: Float32Array.from(y.data), answer: argmaxRows(y.data), backend: session.backend };
  await session.dispose();
  assert.ok(maxAbsDiff(nodeResult.logits, refLogits) <= 1e-4, 'Node matches PyTorch');
});

test.after(async () => {
  await browser?.close().catch(() => {});
  rmSync(work, { recursive: true, force: true });
  if (matrix.length) {
    console.log(`\n  Node: ${nodeResult?.backend}, answer ${nodeResult?.answer.join('')}\n  ${matrix.join('\n  ')}`);
    console.log(`  builds: ${Object.entries(built).map(([k, b]) => `${k} ${b.ms} ms`).join(', ')}; all ${Date.now() - testStart} ms; screenshots in test/bundlers/.artifacts/`);
  }
});

for (const isolated of [true, false]) {
  const mode = isolated ? 'isolated' : 'plain';

  test(`vite build (no config), ${mode}`, async () => {
    if (!available) return;
    built.vite ??= await viteBuild();
    if (isolated) {
      assert.equal(built.vite.warnings, [], 'vite build warnings');
      const assets = built.vite.files.filter((f) => f.startsWith('assets'));
      for (const f of ['relaxed-threads', 'simd-threads', 'relaxed', 'simd', 'scalar']) assert.ok(assets.some((a) => a.startsWith(`assets/edgecnn.${f}-`)), `vite emitted edgecnn.${f}.wasm: ${assets.join(', ')}`);
      assert.ok(assets.some((a) => /^assets\/worker-.*\.js$/.test(a)), `vite emitted the worker: ${assets.join(', ')}`);
    }
    const s = await serveStatic([['/', built.vite.dir]], isolated);
    try { checkPage('vite-build', isolated, await runPage('vite-build', s, mode)); } finally { await s.close(); }
  });

  test(`vite dev server (no config but the isolation headers), ${mode}`, async () => {
    if (!available) return;
    if (!existsSync(join(apps, 'vite', 'public', 'models'))) copyModels(join(apps, 'vite', 'public'));
    const s = await viteDev(isolated);
    try { checkPage('vite-dev', isolated, await runPage('vite-dev', s, mode)); } finally { await s.close(); }
    assert.equal(devWarnings.filter((w) => /edgecnn|node:/.test(w)), [], 'vite dev warnings');
  });

  test(`webpack 5 (entry and output path only), ${mode}`, async () => {
    if (!available) return;
    built.webpack ??= await webpackBuild();
    if (isolated) {
      assert.equal(built.webpack.warnings, [], 'webpack warnings');
      assert.is(built.webpack.files.filter((f) => f.endsWith('.wasm')).length, 5, `webpack emitted the 5 binaries: ${built.webpack.files.join(', ')}`);
      assert.ok(built.webpack.files.includes('edgecnn-pool.js'), `webpack emitted the worker: ${built.webpack.files.join(', ')}`);
    }
    const s = await serveStatic([['/', built.webpack.dir]], isolated);
    try { checkPage('webpack', isolated, await runPage('webpack', s, mode)); } finally { await s.close(); }
  });

  test(`esbuild, the README recipe (worker entry + binaries copied), ${mode}`, async () => {
    if (!available) return;
    built.esbuild ??= await esbuildBuild('esbuild', { worker: true, wasm: true });
    assert.equal(built.esbuild.warnings, [], 'esbuild warnings');
    const s = await serveStatic([['/', built.esbuild.dir]], isolated);
    try { checkPage('esbuild', isolated, await runPage('esbuild', s, mode)); } finally { await s.close(); }
  });

  test(`no bundler: <script type="module"> and an import map, ${mode}`, async () => {
    if (!available) return;
    const bare = bareImports(join(pkg, 'dist', 'index.js'));
    if (bare.length) {
      const msg = `!!!!! NO-BUNDLER PAGE SKIPPED: dist/ imports bare specifiers a browser cannot resolve without more import map entries (CommonJS packages need a shim): ${bare.join(', ')}`;
      console.log(`\n${'!'.repeat(100)}\n${msg}\n${'!'.repeat(100)}\n`);
      return;
    }
    const dir = join(apps, 'plain');
    if (!existsSync(join(dir, 'models'))) copyModels(dir);
    // the project folder as the site: /plain/ is the page, /node_modules/edgecnn/ what its import map names
    const s = await serveStatic([['/', work]], isolated);
    try { checkPage('no-bundler', isolated, await runPage('no-bundler', s, mode, '/plain/')); } finally { await s.close(); }
  });
}

test('esbuild without the recipe: the error names the binary URL and its HTTP 404', async () => {
  if (!available) return;
  const b = await esbuildBuild('esbuild-bare', { worker: false, wasm: false });
  const s = await serveStatic([['/', b.dir]], false);
  try {
    const run = await runPage('esbuild-bare', s, 'plain');
    assert.not.ok(run.result.ok, 'it cannot work');
    assert.match(run.result.error!, new RegExp(`^BackendError: cannot load kernel binary ${s.origin.replace(/\./g, '\\.')}/edgecnn\\.(relaxed|simd)\\.wasm: HTTP 404`), run.result.error);
    assert.match(run.result.error!, /esbuild/);
    assert.not.match(run.result.error!, /no WebAssembly/);
    matrix.push(`${'esbuild-bare'.padEnd(15)} ${'not isolated'.padEnd(13)} ${run.result.error!.slice(0, 110)}…`);
  } finally { await s.close(); }
});

test('esbuild with the binaries but not the worker: the pool error names the worker URL and its HTTP 404', async () => {
  if (!available) return;
  const b = await esbuildBuild('esbuild-noworker', { worker: false, wasm: true });
  const s = await serveStatic([['/', b.dir]], true);
  try {
    const run = await runPage('esbuild-noworker', s, 'isolated');
    assert.not.ok(run.result.ok, 'it cannot work');
    assert.match(run.result.error!, new RegExp(`worker pool: worker \\d failed to start: cannot load the pool worker script ${s.origin.replace(/\./g, '\\.')}/worker\\.js: HTTP 404`), run.result.error);
    assert.not.match(run.result.error!, /\[object Event\]/);
    matrix.push(`${'esbuild-noworker'.padEnd(15)} ${'isolated'.padEnd(13)} ${run.result.error!.slice(0, 110)}…`);
  } finally { await s.close(); }
});

test.run();
