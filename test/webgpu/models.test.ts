// The small fixture models (test/fixtures/models) end to end on the WebGPU backend (SwiftShader without
// a GPU): the same answers as the wasm backend (and as PyTorch where the fixture keeps its output), the
// kernels the layer table names (depthwise kernel, 1x1 as GEMM, tiled implicit GEMM), GPU buffer bytes
// in summary(), one pipeline per distinct configuration.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Session } from '../../src/session.js';
import { Tensor } from '../../src/tensor.js';
import { modelBytes, modelMeta, torchIO } from '../helpers/fixtures.js';
import { gpuOrSkip } from './gpu.js';

const gpu = await gpuOrSkip('fixture models');
const MODELS = ['lenet', 'conv_1x1', 'dwconv_3x3', 'conv_3x3'] as const;
const KERNEL: Record<string, RegExp> = { lenet: /wgsl_conv_igemm/, conv_1x1: /wgsl_conv1x1_gemm/, dwconv_3x3: /wgsl_dwconv_3x3/, conv_3x3: /wgsl_conv_igemm/ };

async function outputOf(name: string, options: Parameters<typeof Session.create>[1], x: Float32Array) {
  const meta = modelMeta(name);
  const s = await Session.create(modelBytes(name), options);
  const y = Object.values(await s.run({ [s.inputs[0].name]: new Tensor('float32', x, meta.input.shape) }))[0].data as Float32Array;
  return { s, y };
}

if (gpu) {
  for (const name of MODELS) {
    test(`${name} on webgpu: the wasm backend's answer, GPU kernels and bytes in the summary`, async () => {
      const meta = modelMeta(name), io = torchIO(name);
      const x = io?.input ?? Float32Array.from({ length: meta.input.shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37));
      const g = await outputOf(name, { backend: 'webgpu', gpu }, x);
      const w = await outputOf(name, { backend: 'wasm', threads: 1 }, x);
      try {
        assert.match(g.s.backend, /^webgpu \(/);
        // float32 sums of up to 1152 products (conv_3x3: 128·3·3) in another order than wasm's: 1e-5 + 1e-4·|y|
        let worst = 0;
        for (let i = 0; i < w.y.length; i++) {
          const d = Math.abs(g.y[i] - w.y[i]), bound = 1e-5 + 1e-4 * Math.abs(w.y[i]);
          assert.ok(d <= bound, `${name}[${i}]: webgpu ${g.y[i]} vs wasm ${w.y[i]}`);
          worst = Math.max(worst, d / bound);
        }
        if (io) for (let i = 0; i < io.output.length; i++) assert.ok(Math.abs(g.y[i] - io.output[i]) <= 1e-4 + 1e-3 * Math.abs(io.output[i]), `${name}[${i}] vs PyTorch`);
        const r = g.s.summary();
        assert.ok(r.layers.some((l) => l.kernels.some((k) => KERNEL[name].test(k))), r.layers.map((l) => l.kernels.join('+')).join(', '));
        assert.ok(r.constBytes >= meta.params * 4, `constBytes ${r.constBytes} holds the ${meta.params} weights`);
        assert.ok(r.memoryBytes >= r.arenaBytes + r.constBytes, `memoryBytes ${r.memoryBytes} = arena + constants + read-back`);
        console.log(`    ${name}: worst ${worst.toFixed(3)} of the bound vs wasm; GPU buffers ${r.memoryBytes} bytes (constants ${r.constBytes})`);
      } finally {
        await g.s.dispose();
        await w.s.dispose();
      }
    });
  }

  test('run({ fetch }) reads intermediate values and profile() times each layer (node by node on the GPU)', async () => {
    const meta = modelMeta('lenet'), io = torchIO('lenet')!;
    const s = await Session.create(modelBytes('lenet'), { backend: 'webgpu', gpu });
    const w = await Session.create(modelBytes('lenet'), { backend: 'wasm', threads: 1 });
    try {
      const x = { [s.inputs[0].name]: new Tensor('float32', io.input, meta.input.shape) };
      const layer0 = s.summary().layers[0], mid = layer0.name, outName = s.outputs[0].name;
      // the first node's output value (a value name, not the node's): both backends plan the same graph
      const fetchName = (s as any).plans.values().next().value.exec.graph.nodes[0].outputs[0];
      const g = await s.run(x, { fetch: [fetchName] }), c = await w.run(x, { fetch: [fetchName] });
      assert.ok(g[fetchName] && g[outName], Object.keys(g).join());
      for (let i = 0; i < c[fetchName].data.length; i++) assert.ok(Math.abs((g[fetchName].data as Float32Array)[i] - (c[fetchName].data as Float32Array)[i]) <= 1e-5 + 1e-4 * Math.abs((c[fetchName].data as Float32Array)[i]), `${mid} (${layer0.op})[${i}]`);
      const prof = await s.profile(x, { runs: 2 });
      assert.ok(JSON.stringify(prof).includes(mid), 'the profile names the layers');
      // SwiftShader's device has 'timestamp-query': per-layer times come from the GPU's own timestamps
      assert.is(prof.timing, 'gpu-timestamps');
      assert.match(prof.text, /GPU timestamps/);
      const convs = prof.layers.filter((l) => l.op.startsWith('Conv'));
      assert.ok(convs.length === 2 && convs.every((l) => l.ms > 0 && l.gflops > 0), JSON.stringify(convs.map((l) => l.ms)));
      assert.ok(prof.layers.every((l) => l.ms >= 0));
    } finally {
      await s.dispose();
      await w.dispose();
    }
  });

  test('fused residual epilogues of every conv kernel (depthwise, 1x1, implicit GEMM) match the reference backend', async () => {
    const { makeModel } = await import('../helpers/onnx-builder.js');
    const W = (dims: number[], k: number) => ({ dims, data: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.7 + k) * 0.3) });
    const bytes = makeModel({ opset: 14, inputs: [{ name: 'x', dims: [2, 6, 9, 7] }], outputs: [{ name: 'y' }], nodes: [
      { op: 'Conv', inputs: ['x', 'wd', 'bd'], outputs: ['d'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: 6 } },
      { op: 'Add', inputs: ['d', 'x'], outputs: ['r1'] },
      { op: 'Relu', inputs: ['r1'], outputs: ['a1'] },
      { op: 'Conv', inputs: ['a1', 'wp'], outputs: ['p'], attrs: { kernel_shape: [1, 1] } },
      { op: 'Add', inputs: ['p', 'a1'], outputs: ['r2'] },
      { op: 'Conv', inputs: ['r2', 'wg', 'bg'], outputs: ['g'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: 2 } },
      { op: 'Add', inputs: ['g', 'r2'], outputs: ['r3'] },
      { op: 'HardSwish', inputs: ['r3'], outputs: ['y'] },
    ], initializers: { wd: W([6, 1, 3, 3], 1), bd: W([6], 2), wp: W([6, 6, 1, 1], 3), wg: W([6, 3, 3, 3], 4), bg: W([6], 5) } });
    const x = new Tensor('float32', Float32Array.from({ length: 2 * 6 * 9 * 7 }, (_, i) => Math.cos(i * 0.11)), [2, 6, 9, 7]);
    const g = await Session.create(bytes, { backend: 'webgpu', gpu }), r = await Session.create(bytes, { backend: 'reference' });
    try {
      const ops = g.summary().layers.map((l) => `${l.op}:${l.kernels.join('+')}`);
      for (const k of ['wgsl_dwconv', 'wgsl_conv1x1_gemm', 'wgsl_conv_igemm']) assert.ok(ops.some((o) => o.includes('+add') && o.includes(k)), `${k} with a fused residual: ${ops.join(', ')}`);
      const a = (await g.run({ x })).y.data as Float32Array, b = (await r.run({ x })).y.data as Float32Array;
      for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 2e-6 + 1e-5 * Math.abs(b[i]), `[${i}] ${a[i]} vs ${b[i]}`);
    } finally {
      await g.dispose();
      await r.dispose();
    }
  });

  test('nodes of the same configuration share one pipeline; a run is one submit', async () => {
    const { makeModel } = await import('../helpers/onnx-builder.js');
    const w = (n: number) => ({ dims: [4, 4, 3, 3], data: Array.from({ length: 144 }, (_, i) => Math.sin(i + n) * 0.2) });
    const bytes = makeModel({ opset: 13, inputs: [{ name: 'x', dims: [1, 4, 8, 8] }], outputs: [{ name: 'y' }], nodes: [
      { op: 'Conv', inputs: ['x', 'w1'], outputs: ['a'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
      { op: 'Conv', inputs: ['a', 'w2'], outputs: ['b'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
      { op: 'Conv', inputs: ['b', 'w3'], outputs: ['y'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    ], initializers: { w1: w(1), w2: w(2), w3: w(3) } });
    const s = await Session.create(bytes, { backend: 'webgpu', gpu });
    const engine = (s as any).engine;
    let submits = 0;
    const queue = engine.device.queue, submit = queue.submit.bind(queue);
    queue.submit = (b: unknown[]) => { submits++; return submit(b); };
    const x = new Tensor('float32', new Float32Array(256).fill(0.5), [1, 4, 8, 8]);
    await s.run({ x });
    assert.is(engine.pipelineCount, 1, 'three identical convolutions, one pipeline');
    assert.is(submits, 1, 'one submit per run');
    await s.dispose();
  });
}

test.run();
