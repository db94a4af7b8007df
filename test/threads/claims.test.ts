// claimMakespan: the pool's two-ended, guided chunk claims as a schedule (winogradPlan sizes its items with it).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { claimMakespan, claimSize, frontChunks, halfThreads } from '../../src/backends/wasm/pool/protocol.js';
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

test('claimSize: half of what is left from 8 chunks on (one thread per half), then one at a time', () => {
  assert.equal([1, 2, 7, 8, 9, 15, 16, 33].map((n) => claimSize(n)), [1, 1, 1, 4, 4, 7, 8, 16]);
  // 4 threads on a half: an eighth of what is left from 32 on
  assert.equal([31, 32, 64, 100].map((n) => claimSize(n, 4)), [1, 4, 8, 12]);
  // threads per half: indices from 0 (the caller computes) or 1 (it does not); never 0
  assert.equal([halfThreads(2, false), halfThreads(2, true), halfThreads(3, false), halfThreads(3, true)], [1, 1, 2, 1]);
  assert.equal([halfThreads(3, false, 1), halfThreads(3, true, 1), halfThreads(1, false, 1), halfThreads(1, true, 1)], [1, 2, 1, 1]);
  // a half of 32 chunks in 7 claims: 16, 8, 4, then 4 single chunks
  const claims: number[] = [];
  for (let left = 32; left > 0; left -= claims[claims.length - 1]) claims.push(claimSize(left));
  assert.equal(claims, [16, 8, 4, 1, 1, 1, 1]);
});

test('claimMakespan: guided claims of equal chunks split them evenly', () => {
  for (const n of [2, 16, 17, 64, 200]) assert.is(claimMakespan(new Array(n).fill(1), 2), Math.ceil(n / 2), `${n} chunks`);
  assert.is(claimMakespan(new Array(64).fill(1), 4), 16);
  assert.is(claimMakespan(new Array(256).fill(1), 8), 32);
});

test('claimMakespan: bounded by the largest chunk, the average, and list scheduling of its claims', () => {
  const r = rng(3);
  for (let i = 0; i < 200; i++) {
    const n = r.int(1, 30), threads = r.int(1, 5);
    const costs = Array.from({ length: n }, () => r.int(1, 100));
    const sum = costs.reduce((a, b) => a + b, 0), max = Math.max(...costs);
    const m = claimMakespan(costs, threads);
    assert.ok(m >= max && m >= sum / threads - 1e-9, `${costs} on ${threads}: ${m}`);
    // a claim is at most claimSize(a half) chunks: list scheduling's bound with that claim's cost for `max`
    const most = claimSize(frontChunks(n)), claim = Math.max(...costs.map((_, j) => costs.slice(j, j + most).reduce((a, b) => a + b, 0)));
    assert.ok(m <= sum / threads + claim + 1e-9, `${costs} on ${threads}: ${m} (greedy bound)`);
    if (threads === 1) assert.is(m, sum);
    assert.ok(frontChunks(n) >= n - frontChunks(n));
  }
});

test.run();
