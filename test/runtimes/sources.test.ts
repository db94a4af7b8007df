// Where the kernel binaries, the pool worker and the model come from (Node, from the sources):
// SessionOptions.wasm (bytes, a compiled module, a path, a URL; only the flavors given are considered),
// SessionOptions.workerUrl, the feature probes that pick the binary before anything is fetched (only the
// one that runs is downloaded), and errors that name the URL or path and why it failed (HTTP status,
// file error, not a wasm file), never "no WebAssembly?". The browser side (URLs resolved against the page,
// bundlers) is test/bundlers/bundlers.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session, Tensor, BackendError, InvalidArgumentError } from '../../src/index.ts';
import { root, refLogits, maxAbsDiff } from './helpers.ts';

const model = readFileSync(join(root, 'models', 'lenet-digits.onnx'));
const sample = readFileSync(join(root, 'models', 'digits-sample.bin'));
const binary = (f: string) => join(root, 'build', `edgecnn.${f}.wasm`);
const input = () => new Tensor('float32', new Float32Array(sample.buffer.slice(sample.byteOffset, sample.byteOffset + sample.byteLength)), [10, 1, 28, 28]);

async function logits(s: Session): Promise<Float32Array> {
  const out = await s.run({ [s.inputs[0].name]: input() });
  return out[s.outputs[0].name].data as Float32Array;
}

/** An HTTP server on 127.0.0.1 serving build/ at /wasm/, an HTML page elsewhere for /html/, 404 otherwise; it logs paths. */
async function server(): Promise<{ origin: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const s = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(path);
    const m = /^\/wasm\/(edgecnn\.[a-z-]+\.wasm)$/.exec(path);
    if (m) { res.writeHead(200, { 'Content-Type': 'application/wasm' }).end(readFileSync(join(root, 'build', m[1]))); return; }
    if (path.startsWith('/html/')) { res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>index</title>'); return; }
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', () => ok()));
  const a = s.address();
  return { origin: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`, requests, close: () => new Promise((r) => s.close(() => r())) };
}

test('wasm: bytes and a compiled module are used as they are; only the flavors given are considered', async () => {
  const s1 = await Session.create(model, { threads: 1, wasm: { simd: readFileSync(binary('simd')) } });
  assert.match(s1.backend, /^wasm-simd, 1 thread/);
  assert.ok(maxAbsDiff(await logits(s1), refLogits) <= 1e-4);
  await s1.dispose();
  const mod = await WebAssembly.compile(readFileSync(binary('scalar')));
  const s2 = await Session.create(model, { threads: 2, wasm: { scalar: mod } });
  assert.match(s2.backend, /^wasm-scalar, 1 thread \(no threads binary validates here\)/, s2.backend);
  assert.ok(maxAbsDiff(await logits(s2), refLogits) <= 1e-4);
  await s2.dispose();
  const e = await Session.create(model, { flavor: 'simd', wasm: { scalar: mod } }).catch((x) => x);
  assert.instance(e, InvalidArgumentError);
  assert.match(e.message, /SessionOptions\.wasm has no binary for the 'simd' kernels \(it has: scalar\)/);
});

test('wasm: a path (Node) and a file: URL; threads run on a given threads binary', async () => {
  const s = await Session.create(model, { threads: 2, wasm: { 'simd-threads': binary('simd-threads') } });
  assert.match(s.backend, /^wasm-simd-threads, 2 threads/);
  assert.ok(maxAbsDiff(await logits(s), refLogits) <= 1e-4);
  await s.dispose();
  const s2 = await Session.create(model, { threads: 1, wasm: { simd: new URL(`file://${binary('simd')}`) } });
  assert.match(s2.backend, /^wasm-simd, 1 thread/);
  await s2.dispose();
});

test('wasm: a missing file, an HTTP 404 and an HTML page are errors naming the path or URL and why', async () => {
  const missing = join(root, 'build', 'no-such.simd.wasm');
  const e1 = await Session.create(model, { threads: 1, wasm: { simd: missing } }).catch((x) => x);
  assert.instance(e1, BackendError);
  assert.ok(e1.message.startsWith(`cannot load kernel binary ${missing}: ENOENT`), e1.message);
  assert.not.match(e1.message, /no WebAssembly/);
  const srv = await server();
  try {
    const e2 = await Session.create(model, { threads: 1, wasm: { simd: `${srv.origin}/gone/edgecnn.simd.wasm` } }).catch((x) => x);
    assert.instance(e2, BackendError);
    assert.is(e2.name, 'BackendError');
    assert.ok(e2.message.startsWith(`cannot load kernel binary ${srv.origin}/gone/edgecnn.simd.wasm: HTTP 404`), e2.message);
    const e3 = await Session.create(model, { threads: 1, wasm: { simd: `${srv.origin}/html/edgecnn.simd.wasm` } }).catch((x) => x);
    assert.match(e3.message, /^cannot load kernel binary http:\/\/127\.0\.0\.1:\d+\/html\/edgecnn\.simd\.wasm: not a WebAssembly binary \(\d+ bytes, Content-Type text\/html, starting "<!doctype html>/, e3.message);
  } finally { await srv.close(); }
});

test('the binary is chosen by feature probes: only the one that runs is fetched', async () => {
  const srv = await server();
  try {
    const wasm = Object.fromEntries(['relaxed-threads', 'simd-threads', 'simd', 'scalar'].map((f) => [f, `${srv.origin}/wasm/edgecnn.${f}.wasm`]));
    const s1 = await Session.create(model, { threads: 1, wasm });
    assert.match(s1.backend, /^wasm-simd, 1 thread/);
    assert.equal(srv.requests, ['/wasm/edgecnn.simd.wasm']);
    await s1.dispose();
    const s2 = await Session.create(model, { threads: 2, wasm });
    assert.match(s2.backend, /^wasm-relaxed-threads, 2 threads/);
    assert.equal(srv.requests, ['/wasm/edgecnn.simd.wasm', '/wasm/edgecnn.relaxed-threads.wasm']);
    assert.ok(maxAbsDiff(await logits(s2), refLogits) <= 1e-4);
    await s2.dispose();
  } finally { await srv.close(); }
});

test('workerUrl: the pool runs on the given worker script; a missing one is an error naming it', async () => {
  const worker = join(root, 'dist', 'backends', 'wasm', 'pool', 'worker.js'); // the built entry (npm test builds first)
  const s = await Session.create(model, { threads: 2, workerUrl: worker, inputShapes: { input: [10, 1, 28, 28] } });
  assert.match(s.backend, /, 2 threads/);
  assert.ok(maxAbsDiff(await logits(s), refLogits) <= 1e-4);
  await s.dispose();
  const missing = join(root, 'dist', 'no-such-worker.js');
  const e = await Session.create(model, { threads: 2, workerUrl: missing, inputShapes: { input: [10, 1, 28, 28] } }).catch((x) => x);
  assert.instance(e, BackendError);
  assert.match(e.message, /^worker pool: worker 1 failed to start: worker error: /, e.message);
  assert.ok(e.message.includes(missing), e.message);
});

test('a model string is a path in Node; a URL string is fetched, and its HTTP status named', async () => {
  const s = await Session.create(join(root, 'models', 'lenet-digits.onnx'), { threads: 1 });
  assert.is(s.inputs[0].name, 'input');
  await s.dispose();
  const srv = await server();
  try {
    const e = await Session.create(`${srv.origin}/models/lenet-digits.onnx`).catch((x) => x);
    assert.instance(e, InvalidArgumentError);
    assert.is(e.message, `cannot fetch model '${srv.origin}/models/lenet-digits.onnx': HTTP 404 Not Found`);
  } finally { await srv.close(); }
});

test.run();
