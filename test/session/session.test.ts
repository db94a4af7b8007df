// The Session API: sources (bytes, path, URL with progress), inputs/outputs, symbolic batch with
// per-shape plans, summary for a given shape, queued concurrent runs, typed errors, dispose.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as ort from 'onnxruntime-node';
import { Session, type Progress } from '../../src/session.js';
import { Tensor } from '../../src/tensor.js';
import { DisposedError, InvalidArgumentError, EdgeCnnError, UnsupportedError, ResourceLimitError } from '../../src/errors.js';
import { makeModel } from '../helpers/onnx-builder.js';
import { rng } from '../helpers/rng.js';
import { modelUrl } from '../helpers/fixtures.js';

const bundled = new URL('../../models/lenet-digits.onnx', import.meta.url);
const samples = () => { const b = readFileSync(new URL('../../models/digits-sample.bin', import.meta.url)); return new Float32Array(b.buffer, b.byteOffset, b.byteLength >> 2); };
const logits = () => { const b = readFileSync(new URL('../../models/digits-sample.logits.bin', import.meta.url)); return new Float32Array(b.buffer, b.byteOffset, b.byteLength >> 2); };

async function expectError<T extends Error>(p: Promise<unknown> | (() => unknown), type: new (...a: any[]) => T, pattern: RegExp) {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    assert.instance(e, type, `expected ${type.name}, got ${e}`);
    assert.match((e as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected ${type.name}`);
}

test('bundled model from a path: inputs/outputs with a symbolic batch, matches PyTorch logits', async () => {
  const s = await Session.create(bundled.pathname);
  assert.equal(s.inputs.map((i) => i.name), ['input']);
  assert.is(typeof s.inputs[0].dims[0], 'string', 'batch is symbolic');
  assert.equal(s.inputs[0].dims.slice(1), [1, 28, 28]);
  assert.equal(s.outputs.map((o) => o.name), ['logits']);
  assert.match(s.backend, /^wasm-/);
  const out = (await s.run({ input: new Tensor('float32', samples(), [10, 1, 28, 28]) })).logits;
  assert.equal([...out.dims], [10, 10]);
  const ref = logits();
  for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(out.data[i] - ref[i]) <= 1e-4 * 10, `logit ${i}: ${out.data[i]} vs ${ref[i]}`);
  await s.dispose();
});

test('another batch size plans again (cached), and summary() shows memory growing with batch', async () => {
  const s = await Session.create(new Uint8Array(readFileSync(bundled)), { inputShapes: { input: [1, 1, 28, 28] } });
  const x = samples();
  const one = (await s.run({ input: new Tensor('float32', x.subarray(0, 784), [1, 1, 28, 28]) })).logits;
  const three = (await s.run({ input: new Tensor('float32', x.subarray(0, 3 * 784), [3, 1, 28, 28]) })).logits;
  assert.equal([...three.dims], [3, 10]);
  for (let i = 0; i < 10; i++) assert.ok(Math.abs(three.data[i] - one.data[i]) < 1e-5);
  const s1 = s.summary({ input: [1, 1, 28, 28] });
  const s64 = s.summary({ input: [64, 1, 28, 28] });
  assert.ok(s64.arenaBytes > 30 * s1.arenaBytes, `arena at batch 64 ${s64.arenaBytes} vs batch 1 ${s1.arenaBytes}`);
  assert.is(s64.totalParams, s1.totalParams);
  assert.is(s64.totalMacs, 64 * s1.totalMacs);
  assert.equal(s64.inputDims, { input: [64, 1, 28, 28] });
  assert.is((s as any).plans.size, 2, 'summary() for a shape does not keep a plan');
  await s.dispose();
});

test('URL source streams with download progress, then parse/optimize/prepack stages', async () => {
  const bytes = readFileSync(bundled);
  const server = createServer((_, res) => { res.writeHead(200, { 'content-length': bytes.length }); res.end(bytes); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const seen: Progress[] = [];
  try {
    const s = await Session.create(`http://127.0.0.1:${port}/lenet.onnx`, { inputShapes: { input: [2, 1, 28, 28] }, onProgress: (p) => seen.push({ ...p }) });
    const downloads = seen.filter((p) => p.stage === 'download');
    assert.ok(downloads.length >= 1);
    assert.is(downloads[downloads.length - 1].loaded, bytes.length);
    assert.is(downloads[downloads.length - 1].total, bytes.length);
    const stages = [...new Set(seen.map((p) => p.stage))];
    assert.equal(stages, ['download', 'parse', 'optimize', 'plan', 'prepack', 'ready']);
    await s.dispose();
  } finally {
    server.close();
  }
  await expectError(Session.create(`http://127.0.0.1:${port}/gone.onnx`), InvalidArgumentError, /cannot fetch model/);
});

test('concurrent runs are queued and each gets its own answer', async () => {
  const s = await Session.create(bundled);
  const x = samples();
  const runs = Array.from({ length: 10 }, (_, i) => s.run({ input: new Tensor('float32', x.slice(i * 784, (i + 1) * 784), [1, 1, 28, 28]) }));
  const outs = await Promise.all(runs);
  const all = (await s.run({ input: new Tensor('float32', x, [10, 1, 28, 28]) })).logits;
  outs.forEach((o, i) => {
    for (let j = 0; j < 10; j++) assert.ok(Math.abs(o.logits.data[j] - all.data[i * 10 + j]) < 1e-5);
  });
  await s.dispose();
});

test('bad feeds: typed errors naming the input, the session stays usable', async () => {
  const s = await Session.create(bundled);
  const ok = new Tensor('float32', new Float32Array(784), [1, 1, 28, 28]);
  await expectError(s.run({ image: ok }), InvalidArgumentError, /unknown input 'image'.*inputs: input/);
  await expectError(s.run({}), InvalidArgumentError, /missing input 'input'/);
  await expectError(s.run({ input: new Tensor('float32', new Float32Array(3 * 28 * 28), [1, 3, 28, 28]) }), InvalidArgumentError, /input 'input' has dims \[1, 3, 28, 28\], the model expects \[batch, 1, 28, 28\]/);
  await expectError(s.run({ input: { type: 'int32', data: new Int32Array(784), dims: [1, 1, 28, 28] } as any }), InvalidArgumentError, /must be a float32 Tensor/);
  await expectError(s.run({ input: { type: 'float32', data: new Float32Array(5), dims: [1, 1, 28, 28] } as any }), InvalidArgumentError, /has 5 elements/);
  await expectError(() => new Tensor('float32', [1, 2, 3], [2, 2]), InvalidArgumentError, /3 elements but dims \[2, 2\] need 4/);
  const out = await s.run({ input: ok });
  assert.equal([...out.logits.dims], [1, 10]);
  await s.dispose();
});

test('run and summary after dispose are clear errors; dispose twice is fine', async () => {
  const s = await Session.create(bundled);
  await s.dispose();
  await s.dispose();
  await expectError(s.run({ input: new Tensor('float32', new Float32Array(784), [1, 1, 28, 28]) }), DisposedError, /disposed/);
  await expectError(() => s.summary(), DisposedError, /disposed/);
});

test('the caller\'s input is not modified, and options are validated', async () => {
  const s = await Session.create(bundled);
  const data = rng(1).floats(784);
  const copy = data.slice();
  await s.run({ input: new Tensor('float32', data, [1, 1, 28, 28]) });
  assert.equal(Array.from(data), Array.from(copy));
  await s.dispose();
  await expectError(Session.create(bundled, { threads: 0 }), InvalidArgumentError, /threads must be/);
  await expectError(Session.create(bundled, { backend: 'cuda' as any }), InvalidArgumentError, /backend must be/);
  await expectError(Session.create('/nonexistent/model.onnx'), InvalidArgumentError, /cannot read model file/);
  await expectError(Session.create(bundled, { inputShapes: { nope: [1] } }), InvalidArgumentError, /'nope', which is not an input/);
});

test('an unimplemented operator configuration fails at create even with a symbolic batch', async () => {
  const bytes = makeModel({ opset: 13, inputs: [{ name: 'x', dims: ['batch', 3, 2, 1, 2, 1, 2, 1, 2] }], outputs: [{ name: 'y' }],
    nodes: [{ op: 'ReduceMean', inputs: ['x'], outputs: ['y'], attrs: { axes: [1] }, name: 'mean_c' }] });
  await expectError(Session.create(bytes), UnsupportedError, /node 'mean_c' \(ReduceMean\): rank-9 inputs are not supported/);
  // a comparison of activations: bool tensors exist only as constants
  const where = makeModel({ opset: 13, inputs: [{ name: 'x', dims: ['batch', 3, 4, 4] }], outputs: [{ name: 'y' }],
    nodes: [{ op: 'Greater', inputs: ['x', 'z'], outputs: ['c'], name: 'gt' }, { op: 'Where', inputs: ['c', 'x', 'z'], outputs: ['y'], name: 'pick' }],
    initializers: { z: { dims: [], data: [0] } } });
  await expectError(Session.create(where), UnsupportedError, /node 'gt' \(Greater\): .*bool tensors exist only as constants/);
});

test('a fixed-shape model keeps one plan and releases its JS weight copies; other shapes are refused clearly', async () => {
  const path = modelUrl('conv_1x1');
  const s = await Session.create(path, { threads: 1 });
  assert.is((s as any).graph.consts.size, 0, 'float weights released after prepacking');
  const out = await s.run({ input: new Tensor('float32', rng(2).floats(128 * 28 * 28), [1, 128, 28, 28]) });
  assert.equal([...Object.values(out)[0].dims], [1, 256, 28, 28]);
  assert.is(s.summary().totalMacs, 128 * 256 * 28 * 28);
  await expectError(() => s.summary({ input: [2, 128, 28, 28] }), InvalidArgumentError, /fixed dims/);
  await expectError(s.run({ input: new Tensor('float32', new Float32Array(2 * 128 * 28 * 28), [2, 128, 28, 28]) }), InvalidArgumentError, /has dims \[2, 128, 28, 28\], the model expects \[1, 128, 28, 28\]/);
  await s.dispose();
});

test('a batch that does not fit in wasm memory is a ResourceLimitError naming the need and the limit', async () => {
  const s = await Session.create(bundled, { threads: 1 });
  await expectError(() => s.summary({ input: [300000, 1, 28, 28] }), ResourceLimitError, /model needs [\d.]+ GiB of wasm memory .*at input \[300000x1x28x28\].*4 GiB per instance — lower the batch size/);
  // the session is still fine at a sane batch
  assert.equal([...(await s.run({ input: new Tensor('float32', new Float32Array(784), [1, 1, 28, 28]) })).logits.dims], [1, 10]);
  await s.dispose();
});

test('all errors are EdgeCnnError with a code', async () => {
  try {
    await Session.create(new Uint8Array([1, 2, 3, 4, 5]));
    assert.unreachable();
  } catch (e) {
    assert.instance(e, EdgeCnnError);
    assert.is((e as EdgeCnnError).code, 'INVALID_MODEL');
  }
});

test('a model agrees with onnxruntime at batch 3 through the symbolic batch', async () => {
  const bytes = new Uint8Array(readFileSync(bundled));
  const x = rng(4).floats(3 * 784);
  const ref = await ort.InferenceSession.create(bytes);
  const want = (await ref.run({ input: new ort.Tensor('float32', x, [3, 1, 28, 28]) })).logits.data as Float32Array;
  const s = await Session.create(bytes);
  const got = (await s.run({ input: new Tensor('float32', x, [3, 1, 28, 28]) })).logits.data;
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) <= 1e-5 + 1e-4 * Math.abs(want[i]), `${i}: ${got[i]} vs ${want[i]}`);
  await s.dispose();
});

test('winograd: false keeps every convolution direct: the igemm kernel, smaller weights, onnxruntime\'s answer', async () => {
  const bytes = new Uint8Array(readFileSync(modelUrl('conv_3x3'))); // 64→64 3x3 on 56x56: Winograd F(4x4) by default
  const x = rng(5).floats(64 * 56 * 56);
  const ref = await ort.InferenceSession.create(bytes);
  const want = Object.values(await ref.run({ input: new ort.Tensor('float32', x, [1, 64, 56, 56]) }))[0].data as Float32Array;
  const maxRef = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const fast = await Session.create(bytes, { threads: 1 });
  const direct = await Session.create(bytes, { threads: 1, winograd: false });
  const [a, b] = [fast.summary(), direct.summary()];
  assert.equal(a.layers.flatMap((l) => l.kernels), ['f32_winograd_4x4']);
  assert.equal(b.layers.flatMap((l) => l.kernels), ['f32_igemm_4x8']);
  assert.ok(b.constBytes < a.constBytes / 2, `direct ${b.constBytes} B of weights and tables, Winograd ${a.constBytes} B`);
  for (const s of [fast, direct]) {
    const got = Object.values(await s.run({ input: new Tensor('float32', x, [1, 64, 56, 56]) }))[0].data;
    // model-level tolerance of the Winograd transforms (docs/DESIGN.md): 1e-4 of the output's range
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) <= 1e-4 * maxRef, `${i}: ${got[i]} vs ${want[i]}`);
    await s.dispose();
  }
  await expectError(Session.create(bytes, { winograd: 'no' as any }), InvalidArgumentError, /winograd must be true or false/);
});

test('a wide kernel over few channels (row taps read a kernel row of the zero buffer) matches onnxruntime', async () => {
  // 11x11 over 4 channels, every tensor ≤ 4 channels wide: the zero buffer sized by the widest pixel alone
  // (4 floats) was too short for a row of 11 pixels and the plan failed with an internal error
  const r = rng(6);
  const w = r.floats(2 * 4 * 121);
  const bytes = makeModel({
    inputs: [{ name: 'x', dims: [1, 4, 40, 80] }], outputs: [{ name: 'y', dims: [1, 2, 40, 80] }],
    nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { kernel_shape: [11, 11], pads: [5, 5, 5, 5] } }],
    initializers: { w: { dims: [2, 4, 11, 11], data: w } },
  });
  const x = r.floats(4 * 40 * 80);
  const ref = await ort.InferenceSession.create(bytes);
  const want = (await ref.run({ x: new ort.Tensor('float32', x, [1, 4, 40, 80]) })).y.data as Float32Array;
  for (const threads of [1, 2]) {
    const s = await Session.create(bytes, { threads });
    assert.equal(s.summary().layers.flatMap((l) => l.kernels), ['f32_igemm_4x8']);
    const got = (await s.run({ x: new Tensor('float32', x, [1, 4, 40, 80]) })).y.data;
    // 484 products of values in [-1, 1]: float32 accumulation against onnxruntime's, 2e-5·sqrt(K)
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) <= 5e-4, `${threads} thread(s), ${i}: ${got[i]} vs ${want[i]}`);
    await s.dispose();
  }
});

test.run();
