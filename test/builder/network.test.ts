// Layer-builder networks end to end: edgecnn against onnxruntime-node running the same network
// exported to ONNX, in every kernel binary; the summary's figures; memory that does not grow.
// Tolerance: |ours - ort| ≤ 1e-5 + 1e-4·|ort| (float32 sums in another order, a few layers deep).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as ort from 'onnxruntime-node';
import { NetworkBuilder, type LayerRef } from '../../src/model/builder.js';
import { demoNetwork } from '../../src/model/demo.js';
import { Session } from '../../src/session.js';
import { Tensor } from '../../src/tensor.js';
import { graphToOnnx } from '../helpers/graph-to-onnx.js';
import { flavors } from '../helpers/harness.js';
import { rng } from '../helpers/rng.js';

async function compareWithOrt(net: NetworkBuilder, label: string, outputs?: LayerRef[]) {
  const g = net.toGraph(outputs);
  const dims = g.inputs[0].dims as number[];
  const x = rng(5).floats(dims.reduce((a, b) => a * b, 1), 1);
  const ref = await ort.InferenceSession.create(graphToOnnx(g));
  const wantAll = await ref.run({ [g.inputs[0].name]: new ort.Tensor('float32', x, dims) });
  for (const flavor of flavors) {
    const s = await Session.create(net.toGraph(outputs), { flavor, threads: 1 });
    const gotAll = await s.run({ [g.inputs[0].name]: new Tensor('float32', x, dims) });
    await s.dispose();
    for (const o of g.outputs) {
      const got = gotAll[o.name], want = wantAll[o.name];
      assert.equal([...got.dims], [...want.dims].map(Number), `${label} ${flavor} ${o.name} dims`);
      const w = want.data as Float32Array;
      for (let i = 0; i < w.length; i++) {
        if (!(Math.abs(got.data[i] - w[i]) <= 1e-5 + 1e-4 * Math.abs(w[i]))) assert.unreachable(`${label} (${flavor}) output ${o.name} index ${i}: ${got.data[i]} vs onnxruntime ${w[i]}`);
      }
    }
  }
}

test('the demo network (conv, relu, pool, batch-norm, fc, softmax) matches onnxruntime', async () => {
  await compareWithOrt(demoNetwork(), 'demo');
});

test('a residual, concat, depthwise network with every activation matches onnxruntime', async () => {
  const b = new NetworkBuilder({ seed: 3 }).input([2, 5, 19, 17]);
  b.conv({ filters: 12, kernel: [3, 5], stride: [1, 2], padding: [1, 2, 1, 2], activation: 'relu6' });
  const skip = b.current;
  b.conv({ filters: 12, kernel: 3, padding: 'same', groups: 12, activation: 'hardSwish' })
    .conv({ filters: 12, kernel: 1, activation: 'leakyRelu' })
    .add(skip)
    .sigmoid();
  const branch = b.current;
  b.conv({ filters: 7, kernel: 3, dilation: 2, padding: 2, activation: 'tanh' })
    .concat([branch]);
  const cat = b.current;
  b.avgPool({ kernel: 3, stride: 2, padding: 1, countIncludePad: true, ceilMode: true })
    .conv({ filters: 6, kernel: 2, stride: 3, activation: 'hardSigmoid' })
    .batchNorm({ scale: [1, 2, 3, 0.5, 0.25, 1], shift: [0, 1, 0, -1, 0, 0.5] });
  const bn = b.current;
  b.maxPool({ kernel: 2, stride: 1 })
    .globalMaxPool()
    .fc({ units: 9, activation: 'relu' })
    .fc({ units: 4 });
  const logits = b.current;
  b.softmax();
  await compareWithOrt(b, 'branchy', [skip, cat, bn, logits, b.current]);
});

test('summary: params, MACs and activation bytes per layer, arena peak, memory', async () => {
  const net = new NetworkBuilder({ seed: 1 }).input([1, 3, 32, 32])
    .conv({ filters: 8, kernel: 3, padding: 1, activation: 'relu' }) // 8*3*9 + 8 params; 32*32*8*27 MACs
    .maxPool({ kernel: 2 })
    .fc({ units: 10 }); // flatten 8*16*16 = 2048 -> 10
  const s = await Session.create(net.toGraph());
  const r = s.summary();
  const conv = r.layers.find((l) => l.name === 'conv1')!;
  assert.is(conv.params, 8 * 3 * 9 + 8);
  assert.is(conv.macs, 32 * 32 * 8 * 27);
  assert.equal(conv.outputDims, [1, 8, 32, 32]);
  assert.is(conv.activationBytes, 8 * 32 * 32 * 4);
  const fc = r.layers.find((l) => l.op.startsWith('Gemm'))!;
  assert.is(fc.params, 2048 * 10 + 10);
  assert.is(fc.macs, 2048 * 10);
  assert.is(r.totalParams, 8 * 3 * 9 + 8 + 2048 * 10 + 10);
  assert.is(r.totalMacs, 32 * 32 * 8 * 27 + 2048 * 10);
  // the arena holds at least the largest layer's input and output together, and sharing helps
  assert.ok(r.arenaBytes >= (3 * 32 * 32 + 8 * 32 * 32) * 4, `arena ${r.arenaBytes}`);
  assert.ok(r.arenaBytes < r.unsharedArenaBytes);
  assert.ok(r.memoryBytes >= r.arenaBytes + r.constBytes);
  assert.match(r.text, /activation arena\s+\d/);
  assert.match(r.text, /conv1\s+Conv\+act\s+1x8x32x32/);
  await s.dispose();
});

test('one graph serves several sessions (a session never alters the caller\'s graph)', async () => {
  const g = new NetworkBuilder({ seed: 4 }).input([1, 2, 6, 6]).conv({ filters: 3, kernel: 3 }).toGraph();
  const weights = g.consts.size;
  const a = await Session.create(g, { threads: 1 });
  const b = await Session.create(g, { threads: 1 });
  assert.is(g.consts.size, weights);
  const x = new Tensor('float32', rng(1).floats(72), [1, 2, 6, 6]);
  assert.equal(Array.from((await a.run({ input: x })).conv1.data), Array.from((await b.run({ input: x })).conv1.data));
  await a.dispose();
  await b.dispose();
});

test('steady-state runs neither grow nor replace the wasm memory, and give identical results', async () => {
  const s = await Session.create(demoNetwork().toGraph(), { threads: 1 });
  const x = new Tensor('float32', rng(9).floats(3 * 32 * 32), [1, 3, 32, 32]);
  const first = (await s.run({ input: x })).softmax1.data;
  const mem = (s as any).plans.values().next().value.exec.kernels.memory as WebAssembly.Memory;
  const buf = mem.buffer, bytes = buf.byteLength;
  for (let i = 0; i < 20; i++) {
    const out = (await s.run({ input: x })).softmax1.data;
    assert.equal(Array.from(out), Array.from(first));
  }
  assert.is(mem.buffer, buf, 'memory was grown (its buffer was replaced)');
  assert.is(mem.buffer.byteLength, bytes);
  await s.dispose();
});

test.run();
