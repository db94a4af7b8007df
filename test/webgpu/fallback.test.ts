// Choosing WebGPU and leaving it: 'webgpu' fails at create with a BackendError naming why (no GPU
// object, no adapter, device request failed); 'auto' takes WebGPU only on a hardware adapter and
// otherwise runs wasm, saying why (quietly when no GPU object exists at all); a device lost or an
// uncaptured GPU error during a session makes the run that sees it redo itself on wasm, with the right
// answer, and the session stays on wasm and says so in `backend`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Session } from '../../src/session.js';
import { Tensor } from '../../src/tensor.js';
import { BackendError } from '../../src/errors.js';
import { modelBytes } from '../helpers/fixtures.js';
import { makeModel } from '../helpers/onnx-builder.js';
import { gpuOrSkip } from './gpu.js';

const gpu = await gpuOrSkip('fallback paths');
const lenet = modelBytes('lenet');
// The fault tests run a small graph of cheap kernels (a GEMM pipeline takes ~0.5 s to compile on
// SwiftShader): MaxPool → Add const → Sigmoid (fused) → GlobalAveragePool.
const tiny = makeModel({ opset: 13, inputs: [{ name: 'x', dims: [1, 3, 8, 8] }], outputs: [{ name: 'y' }], nodes: [
  { op: 'MaxPool', inputs: ['x'], outputs: ['p'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
  { op: 'Add', inputs: ['p', 'c'], outputs: ['a'] },
  { op: 'Sigmoid', inputs: ['a'], outputs: ['s'] },
  { op: 'GlobalAveragePool', inputs: ['s'], outputs: ['y'] },
], initializers: { c: { dims: [3, 1, 1], data: [0.5, -1, 2] } } });
const inputs = {
  lenet: new Tensor('float32', Float32Array.from({ length: 784 }, (_, i) => Math.cos(i * 0.1)), [1, 1, 28, 28]),
  tiny: new Tensor('float32', Float32Array.from({ length: 192 }, (_, i) => Math.sin(i * 0.3)), [1, 3, 8, 8]),
};
const expected: Record<string, Float32Array> = {};

/** A GPU object over the real one: `adapter` and `device` overrides, and every device it made. */
function wrap(base: any, o: { info?: Record<string, unknown>; requestAdapter?: () => Promise<unknown>; requestDevice?: () => Promise<unknown> } = {}) {
  const devices: any[] = [];
  const proxy = (target: any, over: Record<string, unknown>) => new Proxy(target, {
    get(t, p) {
      if (p in over) return over[p as string];
      const v = Reflect.get(t, p, t);
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
  return {
    devices,
    gpu: {
      requestAdapter: o.requestAdapter ?? (async (opts: unknown) => {
        const a = await base.requestAdapter(opts);
        return a && proxy(a, {
          ...(o.info ? { info: o.info, isFallbackAdapter: false } : {}),
          requestDevice: o.requestDevice ?? (async (d: unknown) => { const dev = await a.requestDevice(d); devices.push(dev); return dev; }),
        });
      }),
    },
  };
}

const HARDWARE = { vendor: 'nvidia', architecture: 'ada', device: '', description: 'test double of a hardware adapter', isFallbackAdapter: false };

async function yOf(s: Session): Promise<Float32Array> {
  const x = s.inputs[0].dims[2] === 28 ? inputs.lenet : inputs.tiny;
  return Object.values(await s.run({ [s.inputs[0].name]: x }))[0].data as Float32Array;
}

function near(a: Float32Array, b: Float32Array): void {
  assert.is(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-5 + 1e-4 * Math.abs(b[i]), `[${i}] ${a[i]} vs ${b[i]}`);
}

test.before(async () => {
  for (const [name, bytes] of [['lenet', lenet], ['tiny', tiny]] as const) {
    const s = await Session.create(bytes, { backend: 'wasm', threads: 1 });
    expected[name] = await yOf(s);
    await s.dispose();
  }
});

test("'webgpu' without any GPU object: a BackendError at create naming why", async () => {
  try {
    await Session.create(lenet, { backend: 'webgpu' });
    assert.unreachable('created');
  } catch (e) {
    assert.instance(e, BackendError);
    assert.match((e as Error).message, /webgpu: not available in this runtime \(no navigator\.gpu/);
  }
});

test("'auto' without any GPU object runs wasm quietly", async () => {
  const s = await Session.create(lenet, { threads: 1 });
  assert.match(s.backend, /^wasm-/);
  assert.not.match(s.backend, /webgpu/);
  await s.dispose();
});

if (gpu) {
  test('the fusions WebGPU declares are the wasm backend\'s (a graph optimized for one runs on the other)', async () => {
    const { WASM_CAPS } = await import('../../src/backends/wasm/index.js');
    const s = await Session.create(tiny, { backend: 'webgpu', gpu });
    const caps = (s as any).engine.caps;
    for (const k of ['activationProducers', 'fusableActivations', 'residualProducers'] as const) assert.equal([...caps[k]].sort(), [...WASM_CAPS[k]].sort(), k);
    assert.is(caps.alignment, 256, 'minStorageBufferOffsetAlignment');
    assert.is(caps.layout([1, 2, 3, 4]), 'dense');
    await s.dispose();
  });

  test("'webgpu' when requestAdapter returns null, and when requestDevice rejects", async () => {
    for (const [w, why] of [
      [wrap(gpu, { requestAdapter: async () => null }), /webgpu: no adapter/],
      [wrap(gpu, { requestDevice: async () => { throw new Error('injected: out of device slots'); } }), /webgpu: device request failed: injected: out of device slots/],
    ] as const) {
      try {
        await Session.create(lenet, { backend: 'webgpu', gpu: w.gpu });
        assert.unreachable('created');
      } catch (e) {
        assert.instance(e, BackendError);
        assert.match((e as Error).message, why);
      }
    }
  });

  test("'webgpu' runs on a software adapter (into the caller's output array too, and bind()'s arrays); 'auto' leaves it for wasm and says why", async () => {
    const s = await Session.create(lenet, { backend: 'webgpu', gpu });
    assert.match(s.backend, /^webgpu \(SwiftShader, software, WGSL, NCHW\)$/);
    near(await yOf(s), expected.lenet);
    // the caller's output array, read back from the GPU into it; the input overwritten once run() is called
    const x = inputs.lenet.data.slice(), y = new Float32Array(10);
    const p = s.run({ [s.inputs[0].name]: new Tensor('float32', x, [1, 1, 28, 28]) }, { outputs: { [s.outputs[0].name]: y } });
    x.fill(Number.NaN);
    assert.ok((await p)[s.outputs[0].name].data === y);
    near(y, expected.lenet);
    // bind(): WebGPU's memory is not the caller's, so ordinary arrays, which runs copy in and read back into
    const io = await s.bind();
    io.feeds[s.inputs[0].name].data.set(inputs.lenet.data);
    for (let k = 0; k < 2; k++) {
      assert.ok((await s.run(io.feeds, { outputs: io.outputs }))[s.outputs[0].name].data === io.outputs[s.outputs[0].name]);
      near(io.outputs[s.outputs[0].name], expected.lenet);
    }
    await s.dispose();
    const a = await Session.create(lenet, { gpu, threads: 1 });
    assert.match(a.backend, /^wasm-\S+, 1 thread \(webgpu: software adapter 'SwiftShader', wasm is faster\)$/);
    await a.dispose();
  });

  test("'auto' takes WebGPU on a hardware adapter, and wasm (saying why) when its device request fails", async () => {
    const hw = wrap(gpu, { info: HARDWARE });
    const s = await Session.create(lenet, { gpu: hw.gpu, threads: 1 });
    assert.match(s.backend, /^webgpu \(nvidia ada, WGSL, NCHW\)$/);
    near(await yOf(s), expected.lenet);
    await s.dispose();
    const bad = wrap(gpu, { info: HARDWARE, requestDevice: async () => { throw new Error('injected'); } });
    const a = await Session.create(lenet, { gpu: bad.gpu, threads: 1 });
    assert.match(a.backend, /^wasm-\S+, 1 thread \(webgpu: device request failed: injected\)$/);
    await a.dispose();
  });

  test("'auto' on a hardware adapter with a node the GPU refuses: the plan runs on wasm, saying which node", async () => {
    const small = wrap(gpu, {
      info: HARDWARE,
      requestDevice: async () => {
        const dev = await (await gpu.requestAdapter()).requestDevice();
        const limits = new Proxy(dev.limits, { get: (t, p) => (p === 'maxStorageBufferBindingSize' ? 256 : Reflect.get(t, p, t)) });
        return new Proxy(dev, { get(t, p) { if (p === 'limits') return limits; const v = Reflect.get(t, p, t); return typeof v === 'function' ? v.bind(t) : v; } });
      },
    });
    const s = await Session.create(tiny, { gpu: small.gpu, threads: 1 });
    assert.match(s.backend, /^wasm-\S+, 1 thread \(webgpu: node '[^']+' \(MaxPool\): tensor 'x' \(768 bytes\) exceeds the device's largest storage binding \(256 bytes\); switched to wasm\)$/, s.backend);
    near(await yOf(s), expected.tiny);
    await s.dispose();
  });

  test('device lost mid-session (device.destroy()): the run is redone on wasm, the session stays there', async () => {
    const w = wrap(gpu);
    const s = await Session.create(tiny, { backend: 'webgpu', gpu: w.gpu, threads: 1 });
    near(await yOf(s), expected.tiny);
    assert.match(s.backend, /^webgpu/);
    w.devices[0].destroy();
    near(await yOf(s), expected.tiny);
    assert.match(s.backend, /^wasm-\S+, 1 thread \(webgpu: device lost: .*; switched to wasm\)$/);
    near(await yOf(s), expected.tiny);
    // the backend now answers as wasm: its caps, its kernels for a plan made from here on
    const engine = (s as any).engine;
    assert.is(engine.caps.layout([1, 2, 3, 4]), 'nhwc', 'plans now take the wasm layout');
    await s.dispose();
  });

  test('device lost while a run is in flight: that run returns the right answer from wasm, into the caller\'s array', async () => {
    const w = wrap(gpu);
    const s = await Session.create(tiny, { backend: 'webgpu', gpu: w.gpu, threads: 1 });
    const queue = w.devices[0].queue, submit = queue.submit.bind(queue);
    queue.submit = (b: unknown[]) => { submit(b); w.devices[0].destroy(); };
    // the wasm re-run happens after run() returned: it must use the input as it was when run() was called
    const x = inputs.tiny.data.slice(), y = new Float32Array(3);
    const p = s.run({ x: new Tensor('float32', x, [1, 3, 8, 8]) }, { outputs: { y } });
    x.fill(Number.NaN);
    const out = await p;
    assert.ok(out.y.data === y);
    near(y, expected.tiny);
    assert.match(s.backend, /webgpu: .*; switched to wasm\)$/);
    await s.dispose();
  });

  test('an uncaptured GPU error: the next run is redone on wasm, the session says so', async () => {
    const w = wrap(gpu);
    const s = await Session.create(tiny, { backend: 'webgpu', gpu: w.gpu, threads: 1 });
    near(await yOf(s), expected.tiny);
    const dev = w.devices[0];
    dev.createBuffer({ size: 4, usage: 0x1 | 0x80 }); // MAP_READ | STORAGE: invalid, outside any error scope
    await dev.queue.onSubmittedWorkDone();
    await new Promise((r) => setTimeout(r, 20));
    near(await yOf(s), expected.tiny);
    assert.match(s.backend, /^wasm-\S+, 1 thread \(webgpu: uncaptured GPU error: .*switched to wasm\)$/s);
    await s.dispose();
  });

  test('a pipeline the device fails to compile: the session runs on wasm from the start and says why', async () => {
    const w = wrap(gpu, {
      requestDevice: async () => {
        const a = await gpu.requestAdapter();
        const dev = await a.requestDevice();
        return new Proxy(dev, {
          get(t, p) {
            if (p === 'createComputePipelineAsync') return async () => { throw new Error('injected: shader compiler crashed'); };
            const v = Reflect.get(t, p, t);
            return typeof v === 'function' ? v.bind(t) : v;
          },
        });
      },
    });
    const s = await Session.create(tiny, { backend: 'webgpu', gpu: w.gpu, threads: 1 });
    assert.match(s.backend, /^wasm-\S+, 1 thread \(webgpu: injected: shader compiler crashed; switched to wasm\)$/);
    near(await yOf(s), expected.tiny);
    await s.dispose();
  });

  test('an error inside the run (caught by its error scope): redone on wasm', async () => {
    const w = wrap(gpu);
    const s = await Session.create(tiny, { backend: 'webgpu', gpu: w.gpu, threads: 1 });
    const dev = w.devices[0], queue = dev.queue, submit = queue.submit.bind(queue);
    queue.submit = (b: unknown[]) => { dev.createBuffer({ size: 4, usage: 0x1 | 0x80 }); submit(b); };
    near(await yOf(s), expected.tiny);
    assert.match(s.backend, /webgpu: GPU error during a run: .*switched to wasm\)$/s);
    await s.dispose();
  });
}

test.run();
