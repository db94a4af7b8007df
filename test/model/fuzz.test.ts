// A fast seeded run of the model fuzzer (scripts/fuzz.ts; `npm run fuzz -- --cases N --seed S` runs more):
// every mutated model must give a result or a typed EdgeCnnError, no child may die or run over time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fuzz } from '../../scripts/fuzz.js';
import { mutate } from '../../scripts/fuzz-mutate.js';

test('mutations are deterministic and varied', () => {
  assert.equal(Array.from(mutate(7, 3).bytes), Array.from(mutate(7, 3).bytes));
  const kinds = new Set(Array.from({ length: 200 }, (_, i) => mutate(7, i).what.split(', ')[1]?.split(' ')[0]));
  for (const k of ['flip', 'truncate', 'dup', 'delete', 'varint', 'replace']) assert.ok(kinds.has(k), `mutation ${k} never drawn`);
});

test('3000 seeded cases: only results and typed errors', async () => {
  const r = await fuzz({ cases: 3000, seed: 2026, workers: 2, timeoutMs: 20_000 });
  console.log(`    ${JSON.stringify(r.counts)}, peak RSS ${r.peakRssMiB} MiB, ${r.seconds.toFixed(1)} s`);
  assert.is(r.counts.ok + r.counts.typed + r.counts.untyped + r.counts.died + r.counts['over-time'], 3000);
  assert.ok(r.counts.ok > 0 && r.counts.typed > 0, 'the corpus yields both runnable and refused models');
  assert.equal(r.failures, []);
});

test.run();
