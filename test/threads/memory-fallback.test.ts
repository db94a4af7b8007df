// Shared memories are sized to the plan (no 4 GiB reservation); when the engine refuses one, the session
// goes on with one thread on a plain memory, says why, and gives the same answer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Session } from '../../src/session.js';
import { Tensor } from '../../src/tensor.js';
import { modelBytes, modelMeta } from '../helpers/fixtures.js';
import { rng } from '../helpers/rng.js';

const meta = modelMeta('lenet');
const x = new Tensor('float32', Float32Array.from(rng(4).floats(784)), [1, 1, 28, 28]);

test('a shared memory declares the plan size as its maximum', async () => {
  const made: WebAssembly.MemoryDescriptor[] = [];
  const Real = WebAssembly.Memory;
  (WebAssembly as any).Memory = function (d: WebAssembly.MemoryDescriptor) { made.push(d); return new Real(d); };
  try {
    const s = await Session.create(modelBytes('lenet'), { threads: 2 });
    await s.run({ [meta.input.name]: x });
    await s.dispose();
  } finally { (WebAssembly as any).Memory = Real; }
  const shared = made.filter((d) => (d as any).shared);
  assert.ok(shared.length >= 1, 'the threaded session made a shared memory');
  for (const d of shared) assert.is(d.maximum, d.initial, `maximum ${d.maximum} pages for ${d.initial} initial`);
});

test('a refused shared memory: one thread on a plain memory, the reason in backend, the same answer', async () => {
  const single = await Session.create(modelBytes('lenet'), { threads: 1 });
  const want = Array.from((await single.run({ [meta.input.name]: x }))[meta.output.name].data);
  await single.dispose();
  const Real = WebAssembly.Memory;
  (WebAssembly as any).Memory = function (d: WebAssembly.MemoryDescriptor) {
    if ((d as any).shared && d.initial > 1) throw new RangeError('WebAssembly.Memory(): could not allocate memory'); // the engine's 1-page probe passes
    return new Real(d);
  };
  let s: Session;
  try {
    s = await Session.create(modelBytes('lenet'), { threads: 2 });
  } finally { (WebAssembly as any).Memory = Real; }
  assert.is(s.threads, 1);
  assert.match(s.backend, /^wasm-(relaxed|simd|scalar), 1 thread \(a shared memory of [\d.]+ MiB was refused: .*could not allocate memory.*\)$/);
  const got = Array.from((await s.run({ [meta.input.name]: x }))[meta.output.name].data);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) <= 1e-5 * Math.max(1, Math.abs(want[i])), `class ${i}`);
  await s.dispose();
});

test.run();
