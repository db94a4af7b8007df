// The layer builder's locally-connected layer (no ONNX operator): on the reference, every wasm binary
// (1 thread and a threads binary on 2 threads, every step split) and WebGPU, against the reference
// kernel; with weights equal at every position it must equal an ONNX Conv run by onnxruntime-node (an
// oracle independent of our kernels). Also: how it appears in a summary, builder errors, and that the
// ONNX loader refuses a node named LocallyConnected.
// Tolerances: wasm/WebGPU vs reference 2e-5·sqrt(K+1) + 1e-5·|ref| (float32 sums of K = C_in·kh·kw
// products, the convolution tests' bound); reference vs onnxruntime 2e-6 + 1e-5·|ort| (the op-case bound).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as ort from 'onnxruntime-node';
import { NetworkBuilder } from '../../src/model/builder.js';
import { Session } from '../../src/session.js';
import { Tensor } from '../../src/tensor.js';
import { LayerError, UnsupportedError } from '../../src/errors.js';
import { makeModel } from '../helpers/onnx-builder.js';
import { rng } from '../helpers/rng.js';
import { backendConfigs, webgpuConfig, type BackendConfig } from '../helpers/backend-configs.js';
import { refLocallyConnected2d } from '../../src/backends/reference/kernels/conv.js';

interface Case { name: string; x: number[]; filters: number; kernel: [number, number]; stride?: [number, number]; padding?: any; dilation?: [number, number]; bias?: boolean; activation?: 'relu' | 'sigmoid' }
const CASES: Case[] = [
  { name: '3x3 pad 1, 5→7, relu', x: [1, 5, 7, 6], filters: 7, kernel: [3, 3], padding: 1, activation: 'relu' },
  { name: '2x3 stride (2,1) asymmetric pads, batch 2', x: [2, 3, 9, 8], filters: 5, kernel: [2, 3], stride: [2, 1], padding: [1, 0, 0, 2] },
  { name: '1x1, 13→9 (no bias)', x: [1, 13, 4, 5], filters: 9, kernel: [1, 1], bias: false },
  { name: '3x3 dilation 2 same, sigmoid, 1→3', x: [1, 1, 8, 9], filters: 3, kernel: [3, 3], dilation: [2, 2], padding: 'same', activation: 'sigmoid' },
  { name: '4x4 stride 3, 6→17', x: [1, 6, 10, 11], filters: 17, kernel: [4, 4], stride: [3, 3] },
];

const build = (c: Case, weights?: Float32Array, bias?: Float32Array) => new NetworkBuilder({ seed: 5 })
  .input(c.x, 'x')
  .locallyConnected({ filters: c.filters, kernel: c.kernel, stride: c.stride, padding: c.padding, dilation: c.dilation, bias: c.bias, activation: c.activation, name: 'lc', weights, biasValues: bias })
  .toGraph();

const { configs, dispose } = await backendConfigs();
const gpu: BackendConfig | null = await webgpuConfig();

for (const c of CASES) {
  test(`locally-connected ${c.name}: every backend vs the reference kernel`, async () => {
    const g = build(c);
    const x = rng(c.x.reduce((a, b) => a * b, 1)).floats(c.x.reduce((a, b) => a * b, 1), 2);
    const ref = await Session.create(g, { backend: 'reference' });
    const want = (await ref.run({ x: new Tensor('float32', x, c.x) })).lc ?? Object.values(await ref.run({ x: new Tensor('float32', x, c.x) }))[0];
    // the reference backend runs the graph through the same kernel as the direct call
    const w = g.consts.get('lc.weight')!, b = g.consts.get('lc.bias');
    const [oh, ow] = [w.dims[0], w.dims[1]];
    const a = g.nodes[0].attrs;
    let direct = refLocallyConnected2d(x, w.data as Float32Array, b?.data as Float32Array | undefined, { n: c.x[0], cin: c.x[1], h: c.x[2], w: c.x[3], cout: c.filters, oh, ow, kh: c.kernel[0], kw: c.kernel[1], sh: a.strides[0], sw: a.strides[1], pt: a.pads[0], pl: a.pads[1], dh: a.dilations[0], dw: a.dilations[1] });
    if (c.activation === 'relu') direct = direct.map((v) => Math.max(v, 0));
    if (c.activation === 'sigmoid') direct = direct.map((v) => 1 / (1 + Math.exp(-v)));
    for (let i = 0; i < direct.length; i++) assert.ok(Math.abs(Math.fround(direct[i]) - want.data[i]) <= 1e-6 * (1 + Math.abs(direct[i])), `reference y[${i}]`);
    await ref.dispose();
    const K = c.x[1] * c.kernel[0] * c.kernel[1];
    for (const b2 of [...configs.filter((k) => k.kind === 'wasm'), ...(gpu ? [gpu] : [])]) {
      const s = await Session.create(g, b2.options);
      const layer = s.summary().layers.find((l) => l.name === 'lc')!;
      assert.ok(layer.op.startsWith('LocallyConnected'), `${b2.key}: ${layer.op}`);
      if (b2.kind === 'wasm') assert.equal(layer.kernels, ['f32_local_conv_nhwc']);
      const got = Object.values(await s.run({ x: new Tensor('float32', x, c.x) }))[0];
      assert.equal(got.dims, want.dims);
      for (let i = 0; i < want.data.length; i++) {
        assert.ok(Math.abs(got.data[i] - want.data[i]) <= 2e-5 * Math.sqrt(K + 1) + 1e-5 * Math.abs(want.data[i]), `${b2.key} y[${i}]: ${got.data[i]} vs ${want.data[i]}`);
      }
      await s.dispose();
    }
  });
}

test('locally-connected with the same filters at every position equals an ONNX Conv (onnxruntime-node)', async () => {
  const c: Case = { name: 'shared', x: [1, 5, 9, 7], filters: 6, kernel: [3, 2], stride: [2, 1], padding: [1, 0, 1, 1] };
  const r = rng(9);
  const conv = r.floats(6 * 5 * 3 * 2, 0.5), convB = r.floats(6, 0.5);
  const oh = Math.floor((9 + 2 - 3) / 2) + 1, ow = Math.floor((7 + 1 - 2) / 1) + 1;
  const w = new Float32Array(oh * ow * conv.length), b = new Float32Array(oh * ow * 6);
  for (let q = 0; q < oh * ow; q++) { w.set(conv, q * conv.length); b.set(convB, q * 6); }
  const g = build(c, w, b);
  const x = r.floats(5 * 9 * 7, 2);
  const bytes = makeModel({ opset: 13, nodes: [{ op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['y'], attrs: { kernel_shape: [3, 2], strides: [2, 1], pads: [1, 0, 1, 1] } }],
    initializers: { w: { dims: [6, 5, 3, 2], data: conv }, b: { dims: [6], data: convB } }, inputs: [{ name: 'x', dims: c.x }], outputs: [{ name: 'y' }] });
  const o = await ort.InferenceSession.create(bytes);
  const want = (await o.run({ x: new ort.Tensor('float32', x, c.x) })).y;
  for (const opts of [{ backend: 'reference' as const }, { backend: 'wasm' as const, threads: 1 }]) {
    const s = await Session.create(g, opts);
    const got = Object.values(await s.run({ x: new Tensor('float32', x, c.x) }))[0];
    assert.equal(got.dims, [...want.dims].map(Number));
    const wd = want.data as Float32Array;
    for (let i = 0; i < wd.length; i++) assert.ok(Math.abs(got.data[i] - wd[i]) <= 2e-5 + 1e-4 * Math.abs(wd[i]), `${opts.backend} y[${i}]`);
    await s.dispose();
  }
});

test('locally-connected in a summary: its op, output, parameters and MACs', async () => {
  const g = new NetworkBuilder().input([1, 3, 8, 8], 'x').locallyConnected({ filters: 4, kernel: 3, name: 'lc', activation: 'relu' }).toGraph();
  const s = await Session.create(g, { backend: 'wasm', threads: 1 });
  const l = s.summary().layers.find((q) => q.name === 'lc')!;
  assert.is(l.op, 'LocallyConnected+act');
  assert.equal(l.outputDims, [1, 4, 6, 6]);
  assert.is(l.params, 6 * 6 * 4 * 3 * 3 * 3 + 6 * 6 * 4);
  assert.is(l.macs, 6 * 6 * 4 * 3 * 3 * 3);
  await s.dispose();
});

test('builder errors name the layer; the ONNX loader refuses LocallyConnected (not an ONNX operator)', async () => {
  assert.throws(() => new NetworkBuilder().input([1, 3, 4, 4]).locallyConnected({ filters: 2, kernel: 5, name: 'big' }), (e: Error) => e instanceof LayerError && /node 'big' \(LocallyConnected\): kernel 5/.test(e.message));
  assert.throws(() => new NetworkBuilder().input([1, 3, 4, 4]).locallyConnected({ filters: 2, kernel: 3, weights: [1, 2], name: 'w' }), (e: Error) => e instanceof LayerError && /weights has 2 values, expected 216/.test(e.message));
  const bytes = makeModel({ opset: 13, nodes: [{ op: 'LocallyConnected', inputs: ['x', 'w'], outputs: ['y'], name: 'lc' }], initializers: { w: { dims: [1, 1, 1, 1, 1, 1], data: [1] } }, inputs: [{ name: 'x', dims: [1, 1, 1, 1] }], outputs: [{ name: 'y' }] });
  try { await Session.create(bytes); assert.unreachable('accepted'); } catch (e) {
    assert.instance(e, UnsupportedError);
    assert.match((e as Error).message, /operator LocallyConnected is not supported/);
  }
});

test.after(async () => { await dispose(); });
test.run();
