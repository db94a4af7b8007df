// Faults never hang a run: a trapping kernel (on the caller or on a worker), a worker that dies mid-run
// and a worker terminated from outside all reject the run with a BackendError naming the step; the pool
// then refuses to run until rebuilt.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WorkerPool, sharedMemoryAvailable, defaultThreadCount } from '../../src/backends/wasm/pool/pool.js';
import { dieAtNextRun, terminateWorker } from '../../src/backends/wasm/pool/testing.js';
import { BackendError, DisposedError } from '../../src/errors.js';
import type { Step } from '../../src/backends/wasm/kernels/types.js';
import { SharedArena, buildNet, threadFlavors, firstDiff } from './helpers.js';

const flavor = threadFlavors[0];
const a = await SharedArena.create(flavor);
const net = await buildNet(a);
a.scramble();
a.runSerial(net.steps);
const ref = a.snapshot();

/** f32_gemm_4x8 reading its A rows far beyond the memory: an out-of-bounds trap on whoever runs it. */
function trapStep(range = 600): Step {
  const good = net.steps.find((s) => s.kernel === 'f32_gemm_4x8')!;
  const args = [...good.args];
  args[0] = 0x7ff00000; // A pointer ≫ memory size
  return { kernel: good.kernel, args, range, flops: 1e9 };
}

async function rejection(p: Promise<unknown>, ms = 5000): Promise<any> {
  let timer: any;
  const timeout = new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`run did not settle within ${ms} ms`)), ms); });
  try {
    await Promise.race([p, timeout]);
  } catch (e) {
    return e;
  } finally { clearTimeout(timer); }
  assert.unreachable('run resolved, expected a rejection');
}

async function expectBroken(pool: WorkerPool) {
  const e = await rejection(a.runOn(pool, net.steps));
  assert.instance(e, BackendError);
  assert.match(e.message, /broken/);
}

test('environment probes', () => {
  assert.equal(sharedMemoryAvailable(), { ok: true });
  const n = defaultThreadCount();
  assert.ok(n >= 1 && n <= 8);
});

for (const threads of [1, 2, 3]) {
  test(`${threads} thread(s): a trapping step rejects with BackendError naming the kernel and step`, async () => {
    const pool = await WorkerPool.create(threads);
    try {
      await a.runOn(pool, net.steps);
      const steps = [...net.steps.slice(0, 3), trapStep(), ...net.steps.slice(3)];
      const e = await rejection(a.runOn(pool, steps));
      assert.instance(e, BackendError);
      assert.is(e.code, 'BACKEND');
      assert.match(e.message, /step 3 \(f32_gemm_4x8\)/);
      assert.match(e.message, /RuntimeError|out of bounds/i);
      if (threads > 1) await expectBroken(pool);
    } finally { await pool.dispose(); }
  });
}

test('a trap on a worker (caller not computing) rejects with the worker\'s error text', async () => {
  const pool = await WorkerPool.create(2, { callerComputes: false });
  try {
    const e = await rejection(a.runOn(pool, [trapStep(30), ...net.steps]));
    assert.instance(e, BackendError);
    assert.match(e.message, /step 0 \(f32_gemm_4x8\) on thread [12]/);
    assert.match(e.message, /out of bounds/i);
    await expectBroken(pool);
  } finally { await pool.dispose(); }
});

test('a trap in a small (unsplit) step rejects too', async () => {
  const pool = await WorkerPool.create(3);
  try {
    const small = { ...trapStep(6), flops: 10 };
    const e = await rejection(a.runOn(pool, [...net.steps.slice(0, 2), small]));
    assert.instance(e, BackendError);
    assert.match(e.message, /step 2 \(f32_gemm_4x8\)/);
  } finally { await pool.dispose(); }
});

const big = net.steps.reduce((m, s) => (s.flops > m.flops ? s : m));
const longPlan = Array.from({ length: 200 }, () => big);

for (const callerComputes of [true, false]) {
  test(`a worker that dies holding a chunk rejects the run (caller computes: ${callerComputes})`, async () => {
    const pool = await WorkerPool.create(3, { callerComputes, minSplitFlops: 0 });
    try {
      await a.runOn(pool, net.steps);
      dieAtNextRun(pool, 2);
      const t0 = performance.now();
      const e = await rejection(a.runOn(pool, longPlan));
      assert.instance(e, BackendError);
      assert.match(e.message, /worker 2 exited/);
      assert.match(e.message, new RegExp(`during step \\d+ \\(${big.kernel}\\)`));
      assert.ok(performance.now() - t0 < 3000, 'detected promptly');
      await expectBroken(pool);
    } finally { await pool.dispose(); }
  });
}

test('a worker terminated between runs: the next run rejects', async () => {
  const pool = await WorkerPool.create(2);
  try {
    await a.runOn(pool, net.steps);
    await terminateWorker(pool, 1);
    await expectBroken(pool);
  } finally { await pool.dispose(); }
});

test('a worker terminated during a run (non-blocking caller): the run rejects, no hang', async () => {
  const pool = await WorkerPool.create(2, { callerComputes: false });
  try {
    // ≈ 70 ms warm on 2 workers: it must still be running when the worker is killed 20 ms in (with 2×
    // longPlan, ≈ 16 ms warm, the run could end first; the unref'ed workers then let the process exit).
    const p = a.runOn(pool, Array.from({ length: 8 }, () => longPlan).flat());
    await new Promise((r) => setTimeout(r, 20));
    await terminateWorker(pool, 1);
    const e = await rejection(p);
    assert.instance(e, BackendError);
    assert.match(e.message, /worker 1 was terminated/);
    await expectBroken(pool);
  } finally { await pool.dispose(); }
});

test('a rebuilt pool on the same memory works after a fault', async () => {
  const broken = await WorkerPool.create(2);
  await rejection(a.runOn(broken, [trapStep()]));
  await broken.dispose();
  const pool = await WorkerPool.create(2);
  try {
    a.scramble();
    await a.runOn(pool, net.steps);
    assert.is(firstDiff(a.snapshot(), ref), -1);
  } finally { await pool.dispose(); }
});

test('dispose: run rejects with DisposedError; dispose twice is fine; workers are gone', async () => {
  const pool = await WorkerPool.create(3);
  await a.runOn(pool, net.steps);
  await pool.dispose();
  await pool.dispose();
  assert.is(pool.workerCount, 0);
  const e = await rejection(a.runOn(pool, net.steps));
  assert.instance(e, DisposedError);
});

test('prepare refuses a non-shared memory; create refuses bad thread counts', async () => {
  const pool = await WorkerPool.create(2);
  try {
    const plain = new WebAssembly.Memory({ initial: 1 });
    const e1 = await rejection((async () => pool.prepare(net.steps, { module: a.k.module, memory: plain }))());
    assert.instance(e1, BackendError);
    assert.match(e1.message, /not shared/);
  } finally { await pool.dispose(); }
  for (const bad of [0, -1, 1.5]) {
    const e2 = await rejection(WorkerPool.create(bad));
    assert.instance(e2, BackendError);
  }
});

test.run();
