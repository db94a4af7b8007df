// claimMakespan: the pool's two-ended chunk claims as a schedule (winogradPlan sizes its items with it).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { claimMakespan, frontChunks } from '../../src/backends/wasm/pool/protocol.js';
import { rng } from '../helpers/rng.js';

test('claimMakespan: schedules worked by hand', () => {
  assert.is(claimMakespan([3, 4, 5], 1), 12);
  // 2 threads: thread 0 takes 0 (0-40), thread 1 takes 4 (0-36) then 3 (36-76), thread 0 takes 1 (40-80),
  // thread 1 takes 2 from the front half once its own is empty (76-116)
  assert.is(claimMakespan([40, 40, 40, 40, 36], 2), 116);
  assert.is(claimMakespan([1, 1, 1, 1], 2), 2);
  // 3 threads: 0 and 2 take from the front, 1 from the back; ties go to the lower index
  assert.is(claimMakespan([5, 1, 1, 1, 1, 1], 3), 5);
  assert.is(claimMakespan([1, 1, 1, 1, 1, 9], 2), 9);
  assert.is(claimMakespan([], 2), 0);
});

test('claimMakespan: bounded by the largest chunk, the average, and list scheduling', () => {
  const r = rng(3);
  for (let i = 0; i < 200; i++) {
    const n = r.int(1, 30), threads = r.int(1, 5);
    const costs = Array.from({ length: n }, () => r.int(1, 100));
    const sum = costs.reduce((a, b) => a + b, 0), max = Math.max(...costs);
    const m = claimMakespan(costs, threads);
    assert.ok(m >= max && m >= sum / threads - 1e-9, `${costs} on ${threads}: ${m}`);
    assert.ok(m <= sum / threads + max + 1e-9, `${costs} on ${threads}: ${m} (greedy bound)`);
    if (threads === 1) assert.is(m, sum);
    assert.ok(frontChunks(n) >= n - frontChunks(n));
  }
});

test.run();
