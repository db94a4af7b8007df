// Process lifecycle: a process that created, ran and disposed a pool exits on its own (and so does
// one that forgot dispose: workers are unref'ed between runs); a pool works inside a worker thread and
// in a process started with V8 flags that Node refuses in a worker's execArgv.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

const child = fileURLToPath(new URL('./fixtures/child.mts', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

function runChild(mode: string, limitMs: number, nodeFlags: string[] = [], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; ms: number; killed: boolean }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const p = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', child], { cwd: root, env: { ...process.env, EDGECNN_POOL_MODE: mode, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', killed = false;
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => { killed = true; p.kill('SIGKILL'); }, limitMs);
    p.on('exit', (code) => { clearTimeout(timer); resolve({ code, out, ms: Date.now() - t0, killed }); });
  });
}

test('a process that creates, runs and disposes a pool exits by itself', async () => {
  const r = await runChild('dispose', 15000);
  assert.not.ok(r.killed, `child did not exit within 15 s: ${r.out}`);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, /ok 3/);
});

test('a process that forgets dispose() still exits by itself (workers unref\'ed between runs)', async () => {
  const r = await runChild('forget', 15000);
  assert.not.ok(r.killed, `child did not exit within 15 s: ${r.out}`);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, /ok 3/);
});

// Regression: workers were given the parent's execArgv, and Node refuses per-isolate V8 flags there
// (ERR_WORKER_INVALID_EXEC_ARGV), so no pool of 2+ threads could start under them.
test('a 2-thread pool starts and runs in a process started with --max-old-space-size, --expose-gc, --stack-size', async () => {
  const r = await runChild('dispose', 15000, ['--max-old-space-size=512', '--expose-gc', '--stack-size=2000'], { EDGECNN_POOL_THREADS: '2' });
  assert.not.ok(r.killed, `child did not exit within 15 s: ${r.out}`);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, /ok 2/);
});

test('nested: a worker thread creates a pool and runs it', async () => {
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(new URL('./fixtures/child.mts', import.meta.url).href)}, ${JSON.stringify(import.meta.url)}))`;
  const w = new Worker(code, { eval: true, env: { ...process.env, EDGECNN_POOL_MODE: 'dispose' } });
  const msg = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => { void w.terminate(); reject(new Error('nested pool timed out')); }, 20000);
    w.on('message', (m) => { clearTimeout(timer); resolve(String(m)); });
    w.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
  assert.is(msg, 'ok 3');
  const code2 = await new Promise<number>((resolve) => w.on('exit', resolve));
  assert.is(code2, 0, 'the nested worker ends on its own');
});

test.run();
