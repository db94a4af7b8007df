// Sessions on 1, 2 and 3 threads: the shared models and a resnet-style network give bit-identical
// outputs whatever the thread count (a kernel never reduces across its split dimension, so a
// partition does not change any summation order), and they match the references. A session's
// process exits once the session is disposed; a session runs inside a worker thread.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Session } from '../../src/session.js';
import { Tensor } from '../../src/tensor.js';
import { resnetOnnx } from '../helpers/zoo.js';
import { rng } from '../helpers/rng.js';
import { FIXTURES, modelMeta, torchIO } from '../helpers/fixtures.js';

const dir = FIXTURES;

async function outputs(bytes: Uint8Array | URL, feeds: Record<string, Tensor>, threads: number): Promise<{ data: Float32Array; backend: string }> {
  const s = await Session.create(bytes, { threads, flavor: 'simd-threads' });
  const out = await s.run(feeds);
  await s.run(feeds); // a second run on the same pool
  const backend = s.backend;
  await s.dispose();
  return { data: Object.values(out)[0].data, backend };
}

async function referenceOutput(name: string, feeds: Record<string, Tensor>): Promise<Float32Array> {
  const s = await Session.create(new URL(`${name}.onnx`, dir), { backend: 'reference' });
  const out = await s.run(feeds);
  await s.dispose();
  return Object.values(out)[0].data;
}

for (const name of ['mobilenet_v2', 'squeezenet1_1', 'lenet', 'conv_3x3']) {
  test(`${name}: 1, 2 and 3 threads give identical bytes, matching PyTorch (or the reference backend)`, async () => {
    const meta = modelMeta(name);
    const io = torchIO(name);
    const input = io?.input ?? Float32Array.from(rng(3).floats(meta.input.shape.reduce((a, b) => a * b, 1), 1));
    const feeds = { [meta.input.name]: new Tensor('float32', input, meta.input.shape) };
    const one = await outputs(new URL(`${name}.onnx`, dir), feeds, 1);
    const ref = io?.output ?? await referenceOutput(name, feeds);
    let err = 0;
    for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(one.data[i] - ref[i]));
    assert.ok(err <= 1e-4 * meta.output.max_abs, `${name}: ${err}`);
    for (const t of [2, 3]) {
      const many = await outputs(new URL(`${name}.onnx`, dir), feeds, t);
      assert.match(many.backend, new RegExp(`${t} threads`));
      assert.equal(Array.from(many.data), Array.from(one.data), `${name}: ${t} threads differ from 1`);
    }
  });
}

test('resnet-style network at batch 2: identical across thread counts', async () => {
  const bytes = resnetOnnx({ widths: [16, 32, 64, 128], size: 64, classes: 10, batch: 2 });
  const feeds = { input: new Tensor('float32', rng(3).floats(2 * 3 * 64 * 64), [2, 3, 64, 64]) };
  const one = await outputs(bytes, feeds, 1);
  const two = await outputs(bytes, feeds, 2);
  assert.equal(Array.from(two.data), Array.from(one.data));
});

test("threads: 'auto' uses the cores, and one thread is used when asked", async () => {
  const auto = await Session.create(new URL('lenet.onnx', dir));
  assert.ok(auto.threads >= 1 && auto.threads <= 8);
  assert.match(auto.backend, auto.threads > 1 ? /-threads, \d threads/ : /1 thread/);
  await auto.dispose();
  const one = await Session.create(new URL('lenet.onnx', dir), { threads: 1 });
  assert.is(one.threads, 1);
  await one.dispose();
  const forced = await Session.create(new URL('lenet.onnx', dir), { threads: 2, flavor: 'simd' });
  assert.is(forced.threads, 1);
  assert.match(forced.backend, /1 thread \(the 'simd' kernels cannot share memory\)/);
  await forced.dispose();
});

test("threads: 'auto' runs a plan under 20 MFLOP on the calling thread and a larger one on the pool", async () => {
  const small = await Session.create(new URL('lenet.onnx', dir)); // 2.2 MFLOP
  const large = await Session.create(new URL('conv_3x3.onnx', dir)); // 231 MFLOP
  const explicit = await Session.create(new URL('lenet.onnx', dir), { threads: small.threads });
  for (const s of [small, large, explicit]) {
    const meta = s.inputs[0];
    await s.run({ [meta.name]: new Tensor('float32', new Float32Array((meta.dims as number[]).reduce((a, b) => a * b, 1)).fill(0.5), meta.dims as number[]) });
  }
  const poolOf = (s: Session) => (s as any).engine.pool; // the wasm backend's pool: made at the first threaded plan
  if (small.threads > 1) {
    assert.match(small.backend, /\d threads \(1 for plans under 20 MFLOP\)/);
    assert.is(poolOf(small), null, 'a 2.2 MFLOP plan made no pool');
    assert.ok(poolOf(large), 'a 231 MFLOP plan runs on the pool');
    assert.ok(poolOf(explicit), 'an explicit thread count is honoured');
    assert.not.match(explicit.backend, /MFLOP/);
    // the profile says how many threads the plan really ran on
    const feeds = (s: Session) => ({ [s.inputs[0].name]: new Tensor('float32', new Float32Array((s.inputs[0].dims as number[]).reduce((a, b) => a * b, 1)).fill(0.5), s.inputs[0].dims as number[]) });
    const [ps, pe] = [await small.profile(feeds(small), { runs: 1 }), await explicit.profile(feeds(explicit), { runs: 1 })];
    assert.is(ps.threads, 1);
    assert.is(pe.threads, small.threads);
    assert.not.match(ps.text, /each node runs alone/);
    assert.match(pe.text, /each node runs alone on the \d threads/);
  } else {
    assert.not.match(small.backend, /MFLOP/);
  }
  for (const s of [small, large, explicit]) await s.dispose();
});

const root = fileURLToPath(new URL('../..', import.meta.url));
function node(code: string, limitMs: number): Promise<{ code: number | null; out: string; killed: boolean }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', killed = false;
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => { killed = true; p.kill('SIGKILL'); }, limitMs);
    p.on('exit', (c) => { clearTimeout(timer); resolve({ code: c, out, killed }); });
  });
}

const script = (body: string) => `
import { Session, Tensor } from './dist/index.js';
const s = await Session.create('models/lenet-digits.onnx', { threads: 2 });
const out = await s.run({ input: new Tensor('float32', new Float32Array(784), [1, 1, 28, 28]) });
console.log('ok', out.logits.dims.join('x'), s.backend);
${body}`;

test('a process whose session is disposed exits by itself (built package)', async () => {
  const r = await node(script('await s.dispose();'), 20000);
  assert.not.ok(r.killed, `did not exit: ${r.out}`);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, /ok 1x10 wasm-.*threads, 2 threads/);
});

test('a session runs inside a worker thread (built package)', async () => {
  const inner = script("await s.dispose(); parentPort.postMessage('done');").replace("import { Session", "import { parentPort } from 'node:worker_threads';\nimport { Session").replace('./dist/index.js', new URL('../../dist/index.js', import.meta.url).href).replace("'models/lenet-digits.onnx'", JSON.stringify(fileURLToPath(new URL('../../models/lenet-digits.onnx', import.meta.url))));
  const r = await node(`
import { Worker } from 'node:worker_threads';
const w = new Worker(${JSON.stringify(inner)}, { eval: true, type: 'module' });
w.on('message', (m) => console.log('parent got', m));
w.on('error', (e) => { console.error('worker error', e); process.exitCode = 1; });
`, 20000);
  assert.not.ok(r.killed, `did not exit: ${r.out}`);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, /ok 1x10/);
  assert.match(r.out, /parent got done/);
});

test.run();
