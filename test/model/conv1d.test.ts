// 1-D convolution and pooling run as their 2-D forms over [N, C, 1, L] (src/model/fold.ts lower1d): the
// Reshapes the rewrite puts around each 1-D layer cancel between layers (passes sinkReshapes and
// cancelReshapes), so a 1-D chain stays 4-D — checked on the plan (the layer table) of every backend
// kind, with the outputs against the reference. Also: ConvTranspose's wasm scratch is a planned buffer, a
// 3-D Conv is one 2-D Conv, and 4 spatial axes are refused at load, naming the node.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeModel } from '../helpers/onnx-builder.js';
import { rng } from '../helpers/rng.js';
import { Session } from '../../src/session.js';
import { Tensor } from '../../src/tensor.js';
import { UnsupportedError } from '../../src/errors.js';
import { loadOnnx } from '../../src/model/onnx/loader.js';
import { bindAndFold } from '../../src/model/fold.js';
import { planMemory } from '../../src/plan/plan.js';
import { optimize } from '../../src/model/passes.js';
import { WASM_CAPS } from '../../src/backends/wasm/index.js';

const r = rng(3);
const W = (dims: number[]) => ({ dims, data: r.floats(dims.reduce((a, b) => a * b, 1), 0.5) });

const chain = makeModel({
  opset: 13,
  nodes: [
    { op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c1'], attrs: { kernel_shape: [3], pads: [1, 1] } },
    { op: 'Relu', inputs: ['c1'], outputs: ['r1'] },
    { op: 'MaxPool', inputs: ['r1'], outputs: ['p1'], attrs: { kernel_shape: [2], strides: [2] } },
    { op: 'Conv', inputs: ['p1', 'w2'], outputs: ['c2'], attrs: { kernel_shape: [5], pads: [2, 2], dilations: [1] } },
    { op: 'BatchNormalization', inputs: ['c2', 's', 'bb', 'm', 'v'], outputs: ['n2'] },
    { op: 'Relu', inputs: ['n2'], outputs: ['r2'] },
    { op: 'ConvTranspose', inputs: ['r2', 'w3', 'b3'], outputs: ['c3'], attrs: { kernel_shape: [4], strides: [2], pads: [1, 1] } },
    { op: 'Sigmoid', inputs: ['c3'], outputs: ['g3'] },
    { op: 'AveragePool', inputs: ['g3'], outputs: ['y'], attrs: { kernel_shape: [3], pads: [1, 1] } },
  ],
  initializers: { w1: W([6, 3, 3]), b1: W([6]), w2: W([5, 6, 5]), s: W([5]), bb: W([5]), m: W([5]), v: { dims: [5], data: [0.5, 1, 2, 0.7, 1.5] }, w3: W([5, 7, 4]), b3: W([7]) },
  inputs: [{ name: 'x', dims: [1, 3, 31] }],
  outputs: [{ name: 'y' }],
});

const x = new Tensor('float32', r.floats(93, 2), [1, 3, 31]);

test('a 1-D chain stays 4-D between its layers: one Reshape in, one out (wasm: activations fused, batch-norm folded)', async () => {
  const ref = await Session.create(chain, { backend: 'reference' });
  const want = (await ref.run({ x })).y;
  const refOps = ref.summary().layers.map((l) => l.op);
  assert.equal(refOps, ['Reshape', 'Conv', 'Relu', 'MaxPool', 'Conv', 'Relu', 'ConvTranspose', 'Sigmoid', 'AveragePool', 'Reshape']);
  await ref.dispose();
  const s = await Session.create(chain, { backend: 'wasm', threads: 1 });
  const layers = s.summary().layers;
  assert.equal(layers.map((l) => l.op), ['Reshape', 'Conv+act', 'MaxPool', 'Conv+act', 'ConvTranspose+act', 'AveragePool', 'Reshape']);
  // every layer between the two Reshapes works on [N, C, 1, L]
  for (const l of layers.slice(1, -1)) assert.is(l.outputDims.length, 4, l.name);
  assert.equal(layers.at(-1)!.outputDims, [1, 7, 30]);
  const got = (await s.run({ x })).y;
  assert.equal(got.dims, want.dims);
  for (let i = 0; i < want.data.length; i++) assert.ok(Math.abs(got.data[i] - want.data[i]) <= 2e-5 + 1e-4 * Math.abs(want.data[i]), `y[${i}]`);
  await s.dispose();
});

test('wasm ConvTranspose with a stride plans its scratch buffer in the arena (live during the node only)', () => {
  const bytes = makeModel({ opset: 13, nodes: [
    { op: 'ConvTranspose', inputs: ['x', 'w'], outputs: ['t'], attrs: { kernel_shape: [3, 3], strides: [2, 2] } },
    { op: 'ConvTranspose', inputs: ['t', 'w2'], outputs: ['y'], attrs: { kernel_shape: [1, 1] } },
  ], initializers: { w: W([3, 5, 3, 3]), w2: W([5, 2, 1, 1]) }, inputs: [{ name: 'x', dims: [1, 3, 4, 4] }], outputs: [{ name: 'y' }] });
  const { graph, dims } = bindAndFold(loadOnnx(bytes), {});
  const g = optimize(graph, dims, WASM_CAPS);
  const plan = planMemory(g, dims, WASM_CAPS);
  assert.equal([...plan.scratch.keys()], [g.nodes[0].name]); // stride 1: no scratch
  const b = plan.scratch.get(g.nodes[0].name)!;
  assert.is(b.bytes, 5 * 9 * 9 * 4);
  assert.equal([b.first, b.last], [1, 1]);
});

test('4 spatial axes are refused at load with an UnsupportedError naming the node', async () => {
  for (const [op, attrs, inputs, init, x, msg] of [
    ['ConvTranspose', { kernel_shape: [2, 2, 2, 2] }, ['x', 'w'], { w: W([2, 2, 2, 2, 2, 2]) }, [1, 2, 2, 2, 2, 2], 'only 1-D, 2-D and 3-D ConvTranspose'],
    ['Conv', { kernel_shape: [1, 1, 1, 1] }, ['x', 'w'], { w: W([2, 2, 1, 1, 1, 1]) }, [1, 2, 2, 2, 2, 2], 'only 1-D, 2-D and 3-D Conv'],
    ['AveragePool', { kernel_shape: [2, 2, 2, 2] }, ['x'], {}, [1, 2, 2, 2, 2, 2], 'only 1-D, 2-D and 3-D AveragePool'],
    ['LpPool', { kernel_shape: [2, 2, 2, 2] }, ['x'], {}, [1, 2, 2, 2, 2, 2], 'only 1-D, 2-D and 3-D LpPool'],
  ] as const) {
    const bytes = makeModel({ opset: 13, nodes: [{ op, inputs: [...inputs], outputs: ['y'], attrs, name: 'vol' }], initializers: init, inputs: [{ name: 'x', dims: [...x] }], outputs: [{ name: 'y' }] });
    try {
      await Session.create(bytes, { backend: 'reference' });
      assert.unreachable(`${op} was accepted`);
    } catch (e) {
      assert.instance(e, UnsupportedError);
      assert.match((e as Error).message, new RegExp(`node 'vol' \\(${op}\\): ${msg}`));
    }
  }
});

test('a 3-D Conv is one 2-D Conv over the unfolded depth taps (wasm: its Relu fused)', async () => {
  const bytes = makeModel({ opset: 13, nodes: [
    { op: 'Conv', inputs: ['x', 'w'], outputs: ['t'], attrs: { kernel_shape: [3, 3, 3], pads: [1, 1, 1, 1, 1, 1] } },
    { op: 'Relu', inputs: ['t'], outputs: ['y'] },
  ], initializers: { w: W([4, 3, 3, 3, 3]) }, inputs: [{ name: 'x', dims: [1, 3, 5, 6, 6] }], outputs: [{ name: 'y' }] });
  const s = await Session.create(bytes, { backend: 'wasm', threads: 1 });
  const convs = s.summary().layers.filter((l) => l.op.startsWith('Conv'));
  assert.equal(convs.map((l) => [l.op, l.outputDims]), [['Conv+act', [5, 4, 6, 6]]]);
  assert.is(convs[0].macs, 5 * 4 * 6 * 6 * 3 * 27);
  assert.equal(s.summary().layers.at(-1)!.outputDims, [1, 4, 5, 6, 6]);
  await s.dispose();
});

test.run();
