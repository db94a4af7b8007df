// `npm run demo`: builds the package if it is missing or older than its sources, builds the demo
// (demo/build.mjs) and serves demo/dist/ from 127.0.0.1 with the cross-origin isolation headers
// (COOP same-origin, COEP require-corp: SharedArrayBuffer, so the kernels run on several threads).
// Options: --port N (default 8080, 0 = any free port; env PORT too), --no-build (serve what is built).
// A static server only: Node's http module, no dependency.
import { createServer } from 'node:http';
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm', '.onnx': 'application/octet-stream', '.bin': 'application/octet-stream',
  '.png': 'image/png', '.svg': 'image/svg+xml', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8',
};

function newest(dir) {
  let t = 0;
  for (const f of readdirSync(dir, { recursive: true })) {
    const s = statSync(join(dir, String(f)));
    if (s.isFile()) t = Math.max(t, s.mtimeMs);
  }
  return t;
}

/** Whether dist/ and build/ are missing or older than src/ and assembly/. */
export function packageNeedsBuild() {
  const outs = [join(root, 'dist', 'index.js'), join(root, 'build', 'edgecnn.simd.wasm')];
  if (!outs.every(existsSync)) return true;
  const built = Math.min(newest(join(root, 'dist')), ...outs.map((f) => statSync(f).mtimeMs));
  return newest(join(root, 'src')) > built || newest(join(root, 'assembly')) > statSync(outs[1]).mtimeMs;
}

/** Serves `dir` on 127.0.0.1:`port` (0: any free port) with COOP/COEP on every response. */
export function serveDir(dir, port = 0) {
  const base = resolve(dir);
  const server = createServer((req, res) => {
    let path;
    try { path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname); } catch { res.writeHead(400).end(); return; }
    const headers = { ...ISOLATION, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' };
    let file = resolve(base, '.' + path);
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!(file + sep).startsWith(base + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': statSync(file).size });
    if (req.method === 'HEAD') res.end(); else createReadStream(file).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      const a = server.address();
      ok({ url: `http://127.0.0.1:${a.port}/`, server, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }) });
    });
  });
}

async function main() {
  const args = process.argv.slice(2);
  const at = args.indexOf('--port');
  const port = Number(at >= 0 ? args[at + 1] : process.env.PORT ?? 8080);
  if (!args.includes('--no-build')) {
    if (packageNeedsBuild()) {
      console.log('building the package (npm run build) …');
      const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
      if (r.status !== 0) process.exit(r.status ?? 1);
    }
    const { buildDemo } = await import('../demo/build.mjs');
    await buildDemo();
  }
  const dir = join(root, 'demo', 'dist');
  if (!existsSync(join(dir, 'index.html'))) { console.error('demo/dist/ is not built (drop --no-build)'); process.exit(1); }
  const { url } = await serveDir(dir, port);
  console.log(`\nedgecnn demo: ${url}  (cross-origin isolated: COOP/COEP; Ctrl+C to stop)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().catch((e) => { console.error(`serve-demo: ${e?.message ?? e}`); process.exit(1); });
}
