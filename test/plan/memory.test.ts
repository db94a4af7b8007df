import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planArena, liveLowerBound, alignUp, type BufferRequest } from '../../src/plan/memory.js';
import { rng } from '../helpers/rng.js';

function checkNoOverlap(reqs: BufferRequest[], offsets: Map<number, number>, bytes: number) {
  for (const a of reqs) {
    const oa = offsets.get(a.id)!;
    assert.ok(oa % 64 === 0, `buffer ${a.id} offset ${oa} not 64-byte aligned`);
    assert.ok(oa + a.bytes <= bytes, `buffer ${a.id} ends past the arena`);
    for (const b of reqs) {
      if (a.id >= b.id) continue;
      const live = a.first <= b.last && b.first <= a.last;
      if (!live) continue;
      const ob = offsets.get(b.id)!;
      const disjoint = oa + alignUp(a.bytes) <= ob || ob + alignUp(b.bytes) <= oa;
      assert.ok(disjoint, `live buffers ${a.id} [${oa}, +${a.bytes}) and ${b.id} [${ob}, +${b.bytes}) overlap`);
    }
  }
}

test('a chain reuses memory: peak is the two largest neighbours', () => {
  // a -> b -> c -> d, each alive from its producer to its consumer
  const reqs: BufferRequest[] = [
    { id: 0, bytes: 1000 * 64, first: 0, last: 1 },
    { id: 1, bytes: 500 * 64, first: 1, last: 2 },
    { id: 2, bytes: 800 * 64, first: 2, last: 3 },
    { id: 3, bytes: 10 * 64, first: 3, last: 4 },
  ];
  const p = planArena(reqs);
  checkNoOverlap(reqs, p.offsets, p.bytes);
  assert.is(p.bytes, 1500 * 64);
  assert.is(p.unsharedBytes, 2310 * 64);
  assert.is(liveLowerBound(reqs), 1500 * 64);
});

test('random lifetimes: no two live buffers overlap, peak within 1.5x of the live lower bound', () => {
  const r = rng(7);
  for (let trial = 0; trial < 200; trial++) {
    const n = r.int(1, 40);
    const reqs: BufferRequest[] = [];
    for (let i = 0; i < n; i++) {
      const first = r.int(0, 30);
      reqs.push({ id: i, bytes: r.int(1, 100000), first, last: first + r.int(0, 8) });
    }
    const p = planArena(reqs);
    checkNoOverlap(reqs, p.offsets, p.bytes);
    const lb = liveLowerBound(reqs);
    assert.ok(p.bytes >= lb, 'peak below the lower bound is impossible');
    assert.ok(p.bytes <= lb * 1.5 + 64, `trial ${trial}: greedy peak ${p.bytes} far above lower bound ${lb}`);
    // peak is what the plan claims: the furthest byte any buffer reaches
    const reach = Math.max(...reqs.map((q) => p.offsets.get(q.id)! + alignUp(q.bytes)));
    assert.is(p.bytes, reach);
  }
});

test.run();
