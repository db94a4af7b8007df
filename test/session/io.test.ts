// How run() treats the caller's arrays, on every backend configuration: the feeds are read when run() is
// called (an idle session reads them in place, a busy one copies them), so overwriting them right after
// the call changes nothing; `outputs` arrays receive the results and are the returned tensors' data;
// `bind()` arrays are written and read in place.
// Oracle: onnxruntime-node.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as ort from 'onnxruntime-node';
import { Session } from '../../src/session.js';
import { Tensor } from '../../src/tensor.js';
import { DisposedError, InvalidArgumentError } from '../../src/errors.js';
import { makeModel } from '../helpers/onnx-builder.js';
import { rng } from '../helpers/rng.js';
import { backendConfigs } from '../helpers/backend-configs.js';

// Conv 3→5 3x3 (pad 1) + ReLU → r; MaxPool 2x2 → m; GlobalAveragePool → y. Outputs r and y; m can be fetched.
const r0 = rng(11);
const model = makeModel({
  inputs: [{ name: 'x', dims: ['N', 3, 9, 9] }], outputs: [{ name: 'r' }, { name: 'y' }],
  nodes: [
    { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    { op: 'Relu', inputs: ['c'], outputs: ['r'] },
    { op: 'MaxPool', inputs: ['r'], outputs: ['m'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
    { op: 'GlobalAveragePool', inputs: ['m'], outputs: ['y'] },
  ],
  initializers: { w: { dims: [5, 3, 3, 3], data: r0.floats(135) }, b: { dims: [5], data: r0.floats(5) } },
});
const oracle = await ort.InferenceSession.create(model);
const want = async (x: Float32Array, n: number) => {
  const o = await oracle.run({ x: new ort.Tensor('float32', x, [n, 3, 9, 9]) });
  return { r: o.r.data as Float32Array, y: o.y.data as Float32Array };
};
// 27 products of values in [-1, 1] per output: float32 sums in another order differ by a few ulps of ~5
const near = (got: Float32Array, expect: Float32Array, what: string) => {
  assert.is(got.length, expect.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i] - expect[i]) <= 1e-5, `${what}[${i}]: ${got[i]} vs ${expect[i]}`);
};

const { configs, dispose } = await backendConfigs();

async function expectError(p: Promise<unknown>, type: new (...a: any[]) => Error, pattern: RegExp) {
  try {
    await p;
  } catch (e) {
    assert.instance(e, type, `expected ${type.name}, got ${e}`);
    assert.match((e as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected ${type.name}`);
}

for (const cfg of configs) {
  test(`${cfg.key}: feeds overwritten right after run() is called do not change its answer, idle or queued`, async () => {
    const s = await Session.create(model, cfg.options);
    const r = rng(12);
    const a = r.floats(243), b = r.floats(243), c = r.floats(486);
    const [wantA, wantB, wantC] = [await want(a, 1), await want(b, 1), await want(c, 2)];
    await s.run({ x: new Tensor('float32', a.slice(), [1, 3, 9, 9]) }); // plans batch 1: the next run is lent its feed
    await s.run({ x: new Tensor('float32', c.slice(), [2, 3, 9, 9]) }); // plans batch 2
    for (let k = 0; k < 2; k++) {
      const xs = [a.slice(), b.slice(), c.slice()];
      const runs = [
        s.run({ x: new Tensor('float32', xs[0], [1, 3, 9, 9]) }), // idle: read in place, now
        s.run({ x: new Tensor('float32', xs[1], [1, 3, 9, 9]) }), // queued behind it, same plan: copied
        s.run({ x: new Tensor('float32', xs[2], [2, 3, 9, 9]) }), // queued, another plan: copied
      ];
      for (const x of xs) x.fill(Number.NaN);
      const outs = await Promise.all(runs);
      [wantA, wantB, wantC].forEach((w, i) => {
        near(outs[i].r.data, w.r, `run ${i}: r`);
        near(outs[i].y.data, w.y, `run ${i}: y`);
      });
    }
    await s.dispose();
  });

  test(`${cfg.key}: outputs arrays receive the results, every run, with or without fetch`, async () => {
    const s = await Session.create(model, cfg.options);
    const x = rng(13).floats(243), expect = await want(x, 1);
    const y = new Float32Array(5).fill(7);
    for (let k = 0; k < 3; k++) {
      const o = await s.run({ x: new Tensor('float32', x, [1, 3, 9, 9]) }, { outputs: { y } });
      assert.ok(o.y.data === y, 'the returned tensor wraps the caller\'s array');
      assert.equal([...o.y.dims], [1, 5, 1, 1]);
      near(y, expect.y, 'y');
      near(o.r.data, expect.r, 'r (not named: a new array)');
      y.fill(7);
    }
    const r = new Float32Array(405);
    const f = await s.run({ x: new Tensor('float32', x, [1, 3, 9, 9]) }, { outputs: { r, y }, fetch: ['m'] });
    assert.ok(f.r.data === r && f.y.data === y);
    near(r, expect.r, 'r (with fetch)');
    near(y, expect.y, 'y (with fetch)');
    assert.equal([...f.m.dims], [1, 5, 4, 4]);
    await s.dispose();
  });

  test(`${cfg.key}: bind(): inputs written in place and outputs read in place, run after run`, async () => {
    const s = await Session.create(model, cfg.options);
    const r = rng(15);
    for (const n of [1, 2]) {
      const io = await s.bind({ x: [n, 3, 9, 9] });
      assert.equal(Object.keys(io.feeds), ['x']);
      assert.equal([...io.feeds.x.dims], [n, 3, 9, 9]);
      assert.equal(Object.keys(io.outputs).sort(), ['r', 'y']);
      assert.is(io.outputs.y.length, n * 5);
      assert.is(io.outputs.r.length, n * 405);
      for (let k = 0; k < 2; k++) {
        const x = r.floats(n * 243), expect = await want(x, n);
        io.feeds.x.data.set(x);
        // twice on the same input: what was written survives a run (the plan keeps the input's buffer)
        for (let again = 0; again < 2; again++) {
          const o = await s.run(io.feeds, { outputs: io.outputs });
          assert.ok(o.y.data === io.outputs.y && o.r.data === io.outputs.r, 'the returned tensors wrap the bound arrays');
          near(io.outputs.y, expect.y, `batch ${n}, input ${k}, run ${again}: y`);
          near(io.outputs.r, expect.r, `batch ${n}, input ${k}, run ${again}: r`);
        }
        const plain = await s.run(io.feeds); // without outputs: new arrays, the same answer
        near(plain.y.data, expect.y, `batch ${n}, input ${k}: y in a new array`);
        if (cfg.kind === 'wasm') {
          // the bound arrays are the backend's memory: the input is the engine's own, every run writes the outputs
          assert.ok(io.feeds.x.data.buffer !== x.buffer && !(plain.y.data.buffer === io.outputs.y.buffer));
          io.outputs.y.fill(Number.NaN);
          await s.run(io.feeds);
          near(io.outputs.y, expect.y, 'y written in place by a run not given outputs');
        }
      }
    }
    await s.dispose();
  });

  test(`${cfg.key}: bind() errors name what was wrong`, async () => {
    const s = await Session.create(model, cfg.options);
    await expectError(s.bind(), InvalidArgumentError, /symbolic input dims \(x: \[N, 3, 9, 9\]\); pass inputShapes to bind\(\)/);
    await expectError(s.bind({ x: [1, 4, 9, 9] }), InvalidArgumentError, /input 'x' has dims \[1, 4, 9, 9\], the model expects \[N, 3, 9, 9\]/);
    await expectError(s.bind({ x: [0, 3, 9, 9] }), InvalidArgumentError, /input 'x' has an empty dimension/);
    await expectError(s.bind({ x: 'big' as any }), InvalidArgumentError, /input 'x' has no dims/);
    await expectError(s.bind({ z: [1] }), InvalidArgumentError, /inputShapes names 'z', which is not an input of the model \(inputs: x\)/);
    await expectError(s.bind(7 as any), InvalidArgumentError, /bind\(\) takes an object of input dims by name/);
    const io = await s.bind({ x: [1, 3, 9, 9] });
    await s.dispose();
    await expectError(s.bind({ x: [1, 3, 9, 9] }), DisposedError, /disposed/);
    await expectError(s.run(io.feeds), DisposedError, /disposed/);
  });

  test(`${cfg.key}: bad outputs are InvalidArgumentErrors naming the output; the session stays usable`, async () => {
    const s = await Session.create(model, cfg.options);
    const feeds = { x: new Tensor('float32', new Float32Array(486), [2, 3, 9, 9]) };
    await expectError(s.run(feeds, { outputs: { y: new Float32Array(5) } }), InvalidArgumentError, /outputs\['y'\] has 5 elements; the output is \[2, 5, 1, 1\] \(10 elements\)/);
    await expectError(s.run(feeds, { outputs: { z: new Float32Array(5) } }), InvalidArgumentError, /outputs names 'z', which is not an output \(the model's outputs: r, y\)/);
    await expectError(s.run(feeds, { outputs: { y: new Int32Array(10) as any } }), InvalidArgumentError, /outputs\['y'\] must be a Float32Array, got Int32Array/);
    await expectError(s.run(feeds, { outputs: 5 as any }), InvalidArgumentError, /outputs must be an object/);
    const y = new Float32Array(10);
    const o = await s.run(feeds, { outputs: { y } });
    assert.ok(o.y.data === y);
    await s.dispose();
  });
}

test('dispose() refuses runs called after it and lets earlier ones finish, idle session or not', async () => {
  const s = await Session.create(model, { threads: 1 });
  const x = rng(14).floats(243), expect = await want(x, 1);
  const feeds = { x: new Tensor('float32', x, [1, 3, 9, 9]) };
  await s.run(feeds);
  const before = s.run(feeds);
  const closing = s.dispose();
  await expectError(s.run(feeds), DisposedError, /disposed/);
  near((await before).y.data, expect.y, 'the run called before dispose');
  await closing;
  await expectError(s.run(feeds), DisposedError, /disposed/);
});

test.after(async () => { await dispose(); });
test.run();
