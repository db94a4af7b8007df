// One pool per session, shared pools: a session used with several batch sizes runs all its plans on
// one pool of threads − 1 workers (each worker caches one instance per plan memory) with the same bits
// as one thread; evicting a plan releases its memory's instances in the workers; two sessions sharing
// a pool run interleaved and correctly, and disposing one leaves the pool usable; a shared pool
// disposed or broken by its owner makes runs reject with a clear BackendError, never hang; a session's
// own pool broken by a fault is rebuilt.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { Session } from '../../src/session.js';
import { Tensor } from '../../src/tensor.js';
import { WorkerPool } from '../../src/backends/wasm/pool/pool.js';
import { terminateWorker, workerInstances } from '../../src/backends/wasm/pool/testing.js';
import { BackendError } from '../../src/errors.js';
import { threadFlavors } from './helpers.js';

const flavor = threadFlavors[0];
const model = new URL('../../models/lenet-digits.onnx', import.meta.url);
const sample = readFileSync(new URL('../../models/digits-sample.bin', import.meta.url));
const pixels = new Float32Array(sample.buffer.slice(sample.byteOffset, sample.byteOffset + sample.byteLength));
const feeds = (batch: number) => ({ input: new Tensor('float32', pixels.slice(0, batch * 784), [batch, 1, 28, 28]) });
const BATCHES = [1, 4, 10];

const refs = new Map<number, number[]>();
{
  const s = await Session.create(model, { threads: 1, flavor });
  for (const b of BATCHES) refs.set(b, Array.from((await s.run(feeds(b))).logits.data));
  await s.dispose();
}

// The session's pool: held by its wasm backend (`engine`); on the session itself before the backend seam.
const poolOf = (s: Session): WorkerPool => { const e = (s as any).engine; return e && 'pool' in e ? e.pool : (s as any).pool; };

/** Polls `f` until true (worker-side counters change when the workers receive a message). */
async function until(f: () => boolean, what: string, ms = 3000): Promise<void> {
  const t0 = Date.now();
  while (!f()) {
    if (Date.now() - t0 > ms) assert.unreachable(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function settles<T>(p: Promise<T>, ms = 5000): Promise<{ value?: T; error?: any }> {
  let timer: any;
  const limit = new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error(`did not settle within ${ms} ms`)), ms); });
  try { return { value: await Promise.race([p, limit]) }; } catch (e) { if ((e as Error).message?.startsWith('did not settle')) throw e; return { error: e }; } finally { clearTimeout(timer); }
}

test('a session used with 3 batch sizes runs them all on one pool of threads − 1 workers, same bits as 1 thread', async () => {
  const threads = 3;
  const s = await Session.create(model, { threads, flavor });
  try {
    assert.is(poolOf(s), null, 'no pool before the first plan');
    let pool: WorkerPool | null = null;
    for (let rep = 0; rep < 2; rep++) {
      for (const b of BATCHES) {
        const out = await s.run(feeds(b));
        assert.equal(Array.from(out.logits.data), refs.get(b), `batch ${b}`);
        pool ??= poolOf(s);
        assert.is(poolOf(s), pool, 'the same pool serves every plan');
      }
    }
    assert.is(pool!.threads, threads);
    assert.is(pool!.workerCount, threads - 1);
    assert.is(pool!.memoryCount, 3);
    await until(() => workerInstances(pool!) === 3 * (threads - 1), `3 instances per worker (now ${workerInstances(pool!)})`);
  } finally { await s.dispose(); }
  assert.is(poolOf(s), null);
});

test('planCacheSize 1: an evicted plan releases its memory in the pool and in every worker', async () => {
  const threads = 3;
  const s = await Session.create(model, { threads, flavor, planCacheSize: 1 });
  try {
    for (const b of [...BATCHES, 1]) {
      const out = await s.run(feeds(b));
      assert.equal(Array.from(out.logits.data), refs.get(b), `batch ${b}`);
      const pool = poolOf(s);
      assert.is(pool.memoryCount, 1);
      await until(() => workerInstances(pool) === threads - 1, `one instance per worker after batch ${b} (now ${workerInstances(pool)})`);
    }
  } finally { await s.dispose(); }
});

test('two sessions sharing one pool run interleaved; disposing one leaves the pool usable', async () => {
  const pool = await WorkerPool.create(3);
  try {
    const s1 = await Session.create(model, { pool, flavor, threads: 2 });
    const s2 = await Session.create(model, { pool, flavor });
    assert.is(s1.threads, 3, 'the pool\'s thread count wins');
    assert.match(s1.backend, /^wasm-[a-z]+-threads, 3 threads, shared pool$/);
    const jobs: Promise<void>[] = [];
    for (let i = 0; i < 12; i++) {
      const s = i % 2 ? s2 : s1, b = BATCHES[i % 3];
      jobs.push(s.run(feeds(b)).then((o) => assert.equal(Array.from(o.logits.data), refs.get(b), `run ${i} batch ${b}`)));
    }
    await Promise.all(jobs);
    assert.is(pool.workerCount, 2);
    assert.is(pool.memoryCount, 6, 'three plans per session');
    await s1.dispose();
    assert.not.ok(pool.isDisposed, 'a session does not dispose a shared pool');
    assert.is(pool.memoryCount, 3, 'a disposed session releases its memories');
    await until(() => workerInstances(pool) === 3 * 2, `s1's instances released (now ${workerInstances(pool)})`);
    for (const b of BATCHES) assert.equal(Array.from((await s2.run(feeds(b))).logits.data), refs.get(b));
    await s2.dispose();
    assert.is(pool.memoryCount, 0);
  } finally { await pool.dispose(); }
});

test('a shared pool disposed by its owner: runs reject with a clear BackendError, never hang', async () => {
  const pool = await WorkerPool.create(2);
  const s = await Session.create(model, { pool, flavor });
  const s2 = await Session.create(model, { pool, flavor });
  await s.run(feeds(4));
  // in flight and queued when the owner disposes the pool
  const inflight = [s.run(feeds(10)), s2.run(feeds(1)), s.run(feeds(4))].map((p) => settles(p));
  await pool.dispose();
  for (const r of await Promise.all(inflight)) {
    if (r.error) {
      assert.instance(r.error, BackendError);
      assert.match(r.error.message, /disposed/);
    }
  }
  const r = await settles(s.run(feeds(4)));
  assert.instance(r.error, BackendError);
  assert.match(r.error.message, /shared worker pool \(SessionOptions\.pool\) was disposed by its owner/);
  const r2 = await settles(s2.run(feeds(10))); // a shape never planned
  assert.instance(r2.error, BackendError);
  assert.match(r2.error.message, /disposed by its owner/);
  await s.dispose();
  await s2.dispose();
  const e = await settles(Session.create(model, { pool, flavor }));
  assert.instance(e.error, BackendError);
});

test('a broken shared pool is not rebuilt by the session: its runs reject, naming the owner\'s job', async () => {
  const pool = await WorkerPool.create(2);
  const s = await Session.create(model, { pool, flavor });
  try {
    await s.run(feeds(1));
    await terminateWorker(pool, 1);
    const r = await settles(s.run(feeds(1)));
    assert.instance(r.error, BackendError);
    assert.match(r.error.message, /shared worker pool .* is broken .*owner must dispose it/);
    assert.is(poolOf(s), pool);
  } finally { await s.dispose(); await pool.dispose(); }
});

test('a session rebuilds its own pool after a fault, for every cached plan', async () => {
  const s = await Session.create(model, { threads: 2, flavor });
  try {
    await s.run(feeds(1));
    await s.run(feeds(4));
    const old = poolOf(s);
    await terminateWorker(old, 1);
    for (const b of BATCHES) assert.equal(Array.from((await s.run(feeds(b))).logits.data), refs.get(b), `batch ${b}`);
    const fresh = poolOf(s);
    assert.is.not(fresh, old);
    assert.ok(old.isDisposed, 'the broken pool was disposed');
    assert.is(fresh.workerCount, 1);
    assert.is(fresh.memoryCount, 3);
  } finally { await s.dispose(); }
});

test('pool API: plans on two memories, release, and runs after release', async () => {
  const { createMemory, instantiate } = await import('../../src/backends/wasm/binaries.js');
  const pool = await WorkerPool.create(2);
  try {
    const k1 = await instantiate(flavor, createMemory(flavor, 1 << 20));
    const k2 = await instantiate(flavor, createMemory(flavor, 1 << 20));
    const p1 = pool.prepare([], k1), p2 = pool.prepare([], k2);
    assert.is.not(p1.memoryId, p2.memoryId);
    assert.is(pool.prepare([], k1).memoryId, p1.memoryId);
    await until(() => workerInstances(pool) === 2, 'two instances');
    assert.ok(pool.release(p1));
    assert.not.ok(pool.release(p1));
    assert.ok(pool.forget(k2.memory));
    await until(() => workerInstances(pool) === 0, 'no instances');
    const r = await settles(pool.run(p1));
    assert.instance(r.error, BackendError);
    assert.match(r.error.message, /released/);
    const plain = new WebAssembly.Memory({ initial: 1 });
    assert.throws(() => pool.prepare([], { module: k1.module, memory: plain }), /not shared/);
  } finally { await pool.dispose(); }
});

test.run();
