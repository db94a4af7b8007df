// A pool over 1, 2 and 3 threads writes exactly the bytes the serial executor writes, for steps of every
// kernel family present, split (every step, minSplitFlops 0) or with the default small-step rule,
// with the caller computing or not (browser-main-thread mode, with and without Atomics.waitAsync).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WorkerPool } from '../../src/backends/wasm/pool/pool.js';
import { withoutWaitAsync } from '../../src/backends/wasm/pool/testing.js';
import { SharedArena, buildNet, threadFlavors, firstDiff } from './helpers.js';

const arenas = new Map<string, { a: SharedArena; steps: Awaited<ReturnType<typeof buildNet>>['steps']; ref: Uint8Array }>();

async function setup(flavor: (typeof threadFlavors)[number]) {
  let s = arenas.get(flavor);
  if (!s) {
    const a = await SharedArena.create(flavor);
    const net = await buildNet(a);
    if (!arenas.size) console.log(`  threads identity: families ${net.families.join(', ')}; ${net.steps.length} steps${net.skipped.length ? `; skipped ${net.skipped.join('; ')}` : ''}`);
    a.scramble();
    a.runSerial(net.steps);
    s = { a, steps: net.steps, ref: a.snapshot() };
    arenas.set(flavor, s);
  }
  return s;
}

test('threads flavors exist', () => {
  assert.ok(threadFlavors.includes('simd-threads'), 'simd-threads binary runs here');
});

for (const flavor of threadFlavors) {
  for (const threads of [1, 2, 3]) {
    for (const minSplitFlops of [0, undefined]) {
      test(`${flavor}: ${threads} thread(s), minSplitFlops ${minSplitFlops ?? 'default'}: bit-identical to serial`, async () => {
        const { a, steps, ref } = await setup(flavor);
        const pool = await WorkerPool.create(threads, { minSplitFlops });
        try {
          assert.is(pool.threads, threads);
          for (let rep = 0; rep < 3; rep++) {
            a.scramble();
            await a.runOn(pool, steps);
            const d = firstDiff(a.snapshot(), ref);
            assert.is(d, -1, `run ${rep}: first differing byte ${d}`);
          }
        } finally {
          await pool.dispose();
        }
      });
    }
  }
}

const flavor0 = threadFlavors[0];

test('odd chunking (1 chunk per thread, many chunks) stays identical', async () => {
  const { a, steps, ref } = await setup(flavor0);
  for (const chunksPerThread of [1, 37]) {
    const pool = await WorkerPool.create(3, { minSplitFlops: 0, chunksPerThread });
    try {
      a.scramble();
      await a.runOn(pool, steps);
      assert.is(firstDiff(a.snapshot(), ref), -1, `chunksPerThread ${chunksPerThread}`);
    } finally { await pool.dispose(); }
  }
});

test('non-blocking caller (browser main thread mode): workers do all the work, Atomics.waitAsync', async () => {
  const { a, steps, ref } = await setup(flavor0);
  const pool = await WorkerPool.create(2, { callerComputes: false, minSplitFlops: 0 });
  try {
    assert.is(pool.callerComputes, false);
    assert.is(pool.workerCount, 2);
    for (let rep = 0; rep < 3; rep++) {
      a.scramble();
      await a.runOn(pool, steps);
      assert.is(firstDiff(a.snapshot(), ref), -1);
    }
  } finally { await pool.dispose(); }
});

test('non-blocking caller without Atomics.waitAsync: a done message wakes the run', async () => {
  const { a, steps, ref } = await setup(flavor0);
  const pool = withoutWaitAsync(await WorkerPool.create(1, { callerComputes: false }));
  try {
    for (let rep = 0; rep < 3; rep++) {
      a.scramble();
      const t0 = performance.now();
      await a.runOn(pool, steps);
      assert.is(firstDiff(a.snapshot(), ref), -1);
      assert.ok(performance.now() - t0 < 2000);
    }
  } finally { await pool.dispose(); }
});

test('many runs, alternating plans, no deadlock across generations', async () => {
  const { a, steps, ref } = await setup(flavor0);
  const half = steps.slice(0, 5);
  const pool = await WorkerPool.create(3);
  try {
    for (let rep = 0; rep < 200; rep++) await a.runOn(pool, rep % 3 === 0 ? steps : half);
    a.scramble();
    await a.runOn(pool, steps);
    assert.is(firstDiff(a.snapshot(), ref), -1);
    // a prepared plan and an empty plan
    const plan = pool.prepare(steps, a.k);
    a.scramble();
    await pool.run(plan);
    assert.is(firstDiff(a.snapshot(), ref), -1);
    await a.runOn(pool, []);
  } finally { await pool.dispose(); }
});

test('concurrent run() calls are refused, not interleaved', async () => {
  const { a, steps } = await setup(flavor0);
  const pool = await WorkerPool.create(2, { callerComputes: false });
  try {
    const p1 = a.runOn(pool, steps);
    let err: any = null;
    try { await a.runOn(pool, steps); } catch (e) { err = e; }
    assert.ok(err, 'second run accepted while the first was in progress');
    assert.match(err.message, /in progress/);
    await p1;
  } finally { await pool.dispose(); }
});

test.after(() => { arenas.clear(); });
test.run();
