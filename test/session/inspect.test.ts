// Intermediate values (run with { fetch }) and the per-layer profile: read as the run passes them, on
// every backend, without changing what normal runs compute.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Session } from '../../src/session.js';
import { Tensor } from '../../src/tensor.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { modelBytes, modelMeta } from '../helpers/fixtures.js';
import { rng } from '../helpers/rng.js';

const meta = modelMeta('squeezenet1_1');
const x = new Tensor('float32', Float32Array.from(rng(11).floats(3 * 224 * 224, 1)), meta.input.shape);
const feeds = { [meta.input.name]: x };

/** Values planned on both backends (wasm fuses activations; their outputs keep the activation's name). */
function commonValues(a: Session, b: Session): string[] {
  const names = (s: Session) => s.summary().layers.flatMap((l) => l.outputs);
  const nb = new Set(names(b));
  return names(a).filter((n) => nb.has(n));
}

test('fetched values match the reference backend, channel slices of a zero-copy concat included', async () => {
  const wasm = await Session.create(modelBytes('squeezenet1_1'), { threads: 1 });
  const ref = await Session.create(modelBytes('squeezenet1_1'), { backend: 'reference' });
  await wasm.run(feeds); await ref.run(feeds);
  const names = commonValues(wasm, ref);
  assert.ok(names.length > 20, `${names.length} common values`);
  assert.ok(names.some((n) => /expand1x1.*Relu/.test(n)), 'a fire module branch (written into its concat) is among them');
  const a = await wasm.run(feeds, { fetch: names }), b = await ref.run(feeds, { fetch: names });
  for (const n of names) {
    assert.equal(a[n].dims, b[n].dims, n);
    let err = 0, max = 0;
    for (let i = 0; i < b[n].data.length; i++) { err = Math.max(err, Math.abs(a[n].data[i] - b[n].data[i])); max = Math.max(max, Math.abs(b[n].data[i])); }
    assert.ok(err <= 1e-4 * Math.max(max, 1e-3), `${n}: max |err| ${err}, max |ref| ${max}`);
  }
  await wasm.dispose(); await ref.dispose();
});

test('fetching changes nothing else: outputs equal a plain run, on 1 and 2 threads, before and after', async () => {
  const one = await Session.create(modelBytes('squeezenet1_1'), { threads: 1, flavor: 'relaxed-threads' });
  const two = await Session.create(modelBytes('squeezenet1_1'), { threads: 2, flavor: 'relaxed-threads' });
  const out = meta.output.name;
  const plain = Array.from((await one.run(feeds))[out].data);
  const name = one.summary().layers.flatMap((l) => l.outputs).find((n) => /squeeze.*Relu/.test(n))!;
  const f1 = await one.run(feeds, { fetch: [name] }), f2 = await two.run(feeds, { fetch: [name] });
  assert.equal(Array.from(f1[out].data), plain);
  assert.equal(Array.from(f2[out].data), plain, '2 threads give the same bytes');
  assert.equal(Array.from(f2[name].data), Array.from(f1[name].data));
  assert.equal(Array.from((await two.run(feeds))[out].data), plain, 'a plain run after an inspection');
  await one.dispose(); await two.dispose();
});

test('an unknown or fused-away value name is an InvalidArgumentError naming it', async () => {
  const s = await Session.create(modelBytes('lenet'), { threads: 1 });
  const lf = { [modelMeta('lenet').input.name]: new Tensor('float32', new Float32Array(784), [1, 1, 28, 28]) };
  try { await s.run(lf, { fetch: ['nope'] }); assert.unreachable(); } catch (e) {
    assert.instance(e, InvalidArgumentError);
    assert.match((e as Error).message, /no value 'nope' in the planned graph/);
  }
  await s.dispose();
});

test('profile: every layer timed, FLOPs for convolutions, totals by operator, on wasm and reference', async () => {
  for (const options of [{ threads: 1 }, { threads: 2 }, { backend: 'reference' as const }]) {
    const s = await Session.create(modelBytes('lenet'), options);
    const lf = { [modelMeta('lenet').input.name]: new Tensor('float32', Float32Array.from(rng(2).floats(784)), [1, 1, 28, 28]) };
    const p = await s.profile(lf, { runs: 3 });
    const report = s.summary();
    assert.is(p.backend, s.backend);
    assert.is(p.layers.filter((l) => !l.name.startsWith('(')).length, report.layers.length);
    assert.ok(p.layers.every((l) => l.ms >= 0 && Number.isFinite(l.ms)));
    assert.ok(p.totalMs > 0);
    assert.ok(Math.abs(p.byOp.reduce((t, o) => t + o.ms, 0) - p.totalMs) < 1e-9);
    const convs = p.layers.filter((l) => l.op.startsWith('Conv'));
    assert.ok(convs.length === 2 && convs.every((l) => l.flops > 0 && l.gflops > 0), JSON.stringify(convs));
    for (const l of report.layers) assert.ok(p.text.includes(l.name), l.name);
    await s.dispose();
  }
});

test('weights(): a layer\'s kernels as the kernels use them, with keepWeights; a clear error without', async () => {
  const s = await Session.create(modelBytes('lenet'), { threads: 1, keepWeights: true });
  const conv = s.summary().layers[0];
  const { weight, bias } = s.weights(conv.name);
  assert.equal(weight.dims, [16, 1, 5, 5]); // lenet's first layer: 16 5x5 kernels, no padding
  assert.is(bias!.dims[0], 16);
  // the first channel's feature map at an interior pixel equals relu(w·x + b) computed from these weights
  const x = Float32Array.from(rng(8).floats(784));
  const name = conv.outputs[0];
  const y = (await s.run({ [modelMeta('lenet').input.name]: new Tensor('float32', x, [1, 1, 28, 28]) }, { fetch: [name] }))[name];
  let acc = bias!.data[0];
  for (let ky = 0; ky < 5; ky++) for (let kx = 0; kx < 5; kx++) acc += weight.data[ky * 5 + kx] * x[(10 + ky) * 28 + (10 + kx)];
  assert.ok(Math.abs(Math.max(acc, 0) - y.data[10 * y.dims[3] + 10]) < 1e-5, `${Math.max(acc, 0)} vs ${y.data[10 * y.dims[3] + 10]}`);
  assert.throws(() => s.weights('nope'), /no layer 'nope'/);
  await s.dispose();
  const plain = await Session.create(modelBytes('lenet'), { threads: 1 });
  assert.throws(() => plain.weights(conv.name), (e: Error) => e instanceof InvalidArgumentError && /keepWeights: true/.test(e.message));
  await plain.dispose();
});

test.run();
