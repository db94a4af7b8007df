// Regressions for the defects a fuzzing campaign found: each model here once killed the process,
// threw an untyped error, took seconds to fail, or was refused while valid. Each must now give a
// typed EdgeCnnError naming what was wrong (or run), quickly.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { Session } from '../../src/session.js';
import { Tensor } from '../../src/tensor.js';
import { EdgeCnnError, InvalidArgumentError, LayerError, ModelFormatError, ResourceLimitError, UnsupportedError } from '../../src/errors.js';
import { decodeModel } from '../../src/model/onnx/proto.js';
import { encodeModel } from '../helpers/onnx-encode.js';
import { makeModel, ints, type ModelSpec } from '../helpers/onnx-builder.js';
import { rng } from '../helpers/rng.js';

const r = rng(77);
/** Bytes the process holds in JS heap and array buffers (what a runaway allocation shows up in; no timing). */
const allocated = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };

async function rejects(p: Promise<unknown>, type: new (...a: any[]) => Error, re?: RegExp): Promise<Error> {
  try { await p; } catch (e) {
    assert.instance(e, type, `${(e as Error).name}: ${(e as Error).message}`);
    assert.instance(e, EdgeCnnError);
    if (re) assert.match((e as Error).message, re);
    return e as Error;
  }
  assert.unreachable(`expected ${type.name}`);
  throw new Error('unreachable');
}

const x4 = { name: 'x', dims: [1, 3, 4, 4] };
const model = (spec: Partial<ModelSpec> & Pick<ModelSpec, 'nodes'>) => makeModel({ opset: 13, inputs: [x4], outputs: [{ name: 'y' }], ...spec });

test('Split with num_outputs 2^31 fails at once with a short LayerError (it once aborted V8)', async () => {
  const bytes = makeModel({ opset: 18, inputs: [x4], outputs: [{ name: 'a' }, { name: 'b' }],
    nodes: [{ op: 'Split', inputs: ['x'], outputs: ['a', 'b'], attrs: { axis: 1, num_outputs: 2 ** 31 } }] });
  const e = await rejects(Session.create(bytes, { threads: 1 }), LayerError, /num_outputs 2147483648 differs from the node's 2 outputs/);
  assert.ok(e.message.length < 300, `message of ${e.message.length} characters`);
});

test('constant folding has an element budget: Add(x, ConstantOfShape(2^29)) is a ResourceLimitError, not 8 GB', async () => {
  const bytes = makeModel({ opset: 13, inputs: [{ name: 'x', dims: [1] }], outputs: [{ name: 'y' }],
    nodes: [
      { op: 'ConstantOfShape', inputs: ['shape'], outputs: ['big'], attrs: { value: { dims: [1], data: [1] } } },
      { op: 'Add', inputs: ['x', 'big'], outputs: ['y'] },
    ],
    initializers: { shape: { dims: [1], data: [2 ** 29], dtype: 'int64' } } });
  const before = allocated();
  await rejects(Session.create(bytes, { threads: 1 }), ResourceLimitError, /ConstantOfShape.*536870912 elements.*limit of 16777216/);
  assert.ok(allocated() - before < 256 * 2 ** 20, `${((allocated() - before) / 2 ** 20).toFixed(0)} MiB allocated on the way to the error`);
});

test('huge Tile / Expand / Pad sizes from a few bytes: ResourceLimitErrors before anything is allocated, on activations and constants', async () => {
  const big = 2 ** 20;
  const cases: [string, ModelSpec['nodes'], ModelSpec['initializers'], RegExp][] = [
    ['Tile', [{ op: 'Tile', inputs: ['x', 'r'], outputs: ['y'] }], { r: { dims: [4], data: [big, big, 1, 1], dtype: 'int64' } }, /4 GiB|limit/],
    ['Expand', [{ op: 'Expand', inputs: ['x', 's'], outputs: ['y'] }], { s: { dims: [5], data: [big, big, 1, 1, 1], dtype: 'int64' } }, /4 GiB|limit/],
    ['Pad', [{ op: 'Pad', inputs: ['x', 'p'], outputs: ['y'], attrs: { mode: 'edge' } }], { p: { dims: [8], data: [0, 0, big * 64, big * 64, 0, 0, 0, 0], dtype: 'int64' } }, /4 GiB|limit/],
    // on constants the fold's element budget stops it
    ['Tile of a constant', [{ op: 'Tile', inputs: ['c', 'r'], outputs: ['t'] }, { op: 'Add', inputs: ['x', 't'], outputs: ['y'] }],
      { c: { dims: [1, 1, 1, 1], data: [1] }, r: { dims: [4], data: [1, 1, big, big], dtype: 'int64' } }, /Tile.*exceeds the limit of 16777216 elements/],
    ['Expand of a constant', [{ op: 'Expand', inputs: ['c', 's'], outputs: ['t'] }, { op: 'Add', inputs: ['x', 't'], outputs: ['y'] }],
      { c: { dims: [1], data: [1] }, s: { dims: [4], data: [1, 1, big, big], dtype: 'int64' } }, /Expand.*exceeds the limit of 16777216 elements/],
  ];
  for (const [what, nodes, initializers, re] of cases) {
    for (const backend of ['wasm', 'reference'] as const) {
      const before = allocated();
      await rejects(Session.create(model({ nodes, initializers }), { threads: 1, backend }), ResourceLimitError, re);
      assert.ok(allocated() - before < 256 * 2 ** 20, `${what} on ${backend}: ${((allocated() - before) / 2 ** 20).toFixed(0)} MiB allocated on the way to the error`);
    }
  }
});

test('zero-size values: every planned operator on an empty tensor runs (empty outputs) or is a typed error naming the node', async () => {
  const I64 = (data: number[]) => ({ dims: [data.length], data, dtype: 'int64' as const });
  const empty = (d: number[]) => ({ dims: d, data: [] as number[] });
  // [operator, extra inputs, attributes, initializers, expected output dims, or the LayerError]
  const ops: [string, string[], Record<string, unknown>, Record<string, any>, number[] | RegExp][] = [
    ['Relu', [], {}, {}, [1, 0, 4, 4]], ['Add', ['c'], {}, { c: { dims: [1], data: [1] } }, [1, 0, 4, 4]],
    ['Transpose', [], { perm: [0, 2, 3, 1] }, {}, [1, 4, 4, 0]], ['Softmax', [], { axis: 1 }, {}, [1, 0, 4, 4]],
    ['GlobalAveragePool', [], {}, {}, [1, 0, 1, 1]], ['MaxPool', [], { kernel_shape: [1, 1] }, {}, [1, 0, 4, 4]],
    ['Conv', ['w'], { kernel_shape: [1, 1] }, { w: empty([2, 0, 1, 1]) }, /node 'Conv_1' \(Conv\): input has 0 channels/],
    ['Flatten', [], {}, {}, [1, 0]], ['ReduceMean', [], { axes: [2, 3] }, {}, [1, 0, 1, 1]],
    ['Tile', ['r'], {}, { r: I64([1, 2, 1, 1]) }, [1, 0, 4, 4]], ['Expand', ['s'], {}, { s: I64([2, 1, 1, 1]) }, [2, 0, 4, 4]],
    ['Gather', ['i'], { axis: 2 }, { i: I64([0, 3]) }, [1, 0, 2, 4]], ['Pad', ['p'], { mode: 'edge' }, { p: I64([0, 0, 1, 0, 0, 0, 0, 0]) }, [1, 0, 5, 4]],
    ['Pad', ['p'], { mode: 'reflect' }, { p: I64([0, 1, 0, 0, 0, 0, 0, 0]) }, /node 'Pad_1' \(Pad\): cannot pad an empty axis 1 in mode 'reflect'/],
    ['Resize', ['', 'sc'], { mode: 'nearest' }, { sc: { dims: [4], data: [1, 1, 2, 2] } }, [1, 0, 8, 8]],
    ['DepthToSpace', [], { blocksize: 1 }, {}, [1, 0, 4, 4]], ['Concat', ['e'], { axis: 1 }, {}, [1, 0, 4, 4]],
  ];
  for (const backend of ['wasm', 'reference'] as const) {
    for (const [op, extra, attrs, init, want] of ops) {
      const bytes = model({ nodes: [{ op: 'Slice', inputs: ['x', 'st', 'en', 'ax'], outputs: ['e'] }, { op, inputs: ['e', ...extra], outputs: ['y'], attrs }],
        initializers: { st: I64([1]), en: I64([1]), ax: I64([1]), ...init } });
      if (want instanceof RegExp) { await rejects(Session.create(bytes, { threads: 1, backend }), LayerError, want); continue; }
      const s = await Session.create(bytes, { threads: 1, backend });
      const y = (await s.run({ x: new Tensor('float32', new Float32Array(48), [1, 3, 4, 4]) })).y;
      assert.equal([...y.dims], want, `${op} on ${backend}`);
      assert.is(y.data.length, 0);
      await s.dispose();
    }
  }
});

test('unknown Resize coordinate_transformation_mode and nearest_mode are ModelFormatErrors', async () => {
  for (const attrs of [{ coordinate_transformation_mode: 'sideways' }, { nearest_mode: 'round_to_even' }]) {
    const bytes = model({ nodes: [{ op: 'Resize', inputs: ['x', '', 'scales'], outputs: ['y'], attrs: { mode: 'nearest', ...attrs } }],
      initializers: { scales: { dims: [4], data: [1, 1, 2, 2] } } });
    await rejects(Session.create(bytes, { threads: 1 }), ModelFormatError, /unknown (coordinate_transformation_mode 'sideways'|nearest_mode 'round_to_even')/);
  }
});

test('Resize tf_crop_and_resize refusals: scales instead of sizes, a roi on N or C, no roi; cubic on Upsample', async () => {
  const crop = (roi: number[] | null, sizes: boolean) => model({
    nodes: [{ op: 'Resize', inputs: ['x', roi ? 'roi' : '', sizes ? '' : 'sc', ...(sizes ? ['sz'] : [])], outputs: ['y'], attrs: { mode: 'linear', coordinate_transformation_mode: 'tf_crop_and_resize' } }],
    initializers: { ...(roi ? { roi: { dims: [8], data: roi } } : {}), ...(sizes ? { sz: { dims: [4], data: [1, 3, 5, 5], dtype: 'int64' } } : { sc: { dims: [4], data: [1, 1, 2, 2] } }) } });
  await rejects(Session.create(crop([0, 0, 0.1, 0.1, 1, 1, 0.9, 0.9], false), { threads: 1 }), UnsupportedError, /tf_crop_and_resize with scales is not supported/);
  await rejects(Session.create(crop([0, 0.5, 0.1, 0.1, 1, 1, 0.9, 0.9], true), { threads: 1 }), UnsupportedError, /crops only the last two axes/);
  await rejects(Session.create(crop(null, true), { threads: 1 }), LayerError, /needs the roi input/);
  const up = makeModel({ opset: 7, inputs: [x4], outputs: [{ name: 'y' }], nodes: [{ op: 'Upsample', inputs: ['x'], outputs: ['y'], attrs: { mode: 'cubic', scales: [1, 1, 2, 2] } }] });
  await rejects(Session.create(up, { threads: 1 }), UnsupportedError, /Upsample mode 'cubic' is not supported \(nearest, linear\)/);
});

test('a node listing more outputs than its operator has is a ModelFormatError (graph output or unused)', async () => {
  const asOutput = makeModel({ opset: 13, inputs: [x4], outputs: [{ name: 'y' }, { name: 'z' }], nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y', 'z'] }] });
  await rejects(Session.create(asOutput, { threads: 1 }), ModelFormatError, /'Relu_0' \(Relu\): has 2 outputs; Relu has at most 1/);
  const unused = model({ nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y', 'unused'] }] });
  await rejects(Session.create(unused, { threads: 1 }), ModelFormatError, /has 2 outputs/);
});

test('a STRING attribute without its value reads as the empty string: a typed error naming the value', async () => {
  const m = decodeModel(model({ nodes: [{ op: 'Pad', inputs: ['x', 'p'], outputs: ['y'], attrs: { mode: 'constant' } }],
    initializers: { p: { dims: [8], data: [0, 0, 1, 1, 0, 0, 1, 1], dtype: 'int64' } } }));
  delete m.graph.node[0].attribute[0].s;
  const bytes = encodeModel(m);
  const e = await rejects(Session.create(bytes, { threads: 1 }), EdgeCnnError, /unknown mode '' \(one of constant, reflect, edge\)/);
  assert.not.match(e.message, /TypeError|is not a function|undefined/);
});

test('an Identity that reads its own output is a ModelFormatError, not a hang (found by the fuzzer)', async () => {
  const bytes = model({ nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['a'] }, { op: 'Identity', inputs: ['b'], outputs: ['b'] }, { op: 'Add', inputs: ['a', 'b'], outputs: ['y'] }] });
  await rejects(Session.create(bytes, { threads: 1 }), ModelFormatError, /cycle through Identity\/Dropout nodes at value 'b'/);
});

test('declared output dims that differ from the computed ones are a ModelFormatError', async () => {
  const bytes = makeModel({ opset: 13, inputs: [x4], outputs: [{ name: 'y', dims: [1, 3, 2, 2] }], nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }] });
  await rejects(Session.create(bytes, { threads: 1 }), ModelFormatError, /model output 'y' is declared \[1, 3, 2, 2\] but computes \[1, 3, 4, 4\]/);
});

test('duplicate graph input or output names are ModelFormatErrors', async () => {
  const inputs = makeModel({ opset: 13, inputs: [x4, x4], outputs: [{ name: 'y' }], nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }] });
  await rejects(Session.create(inputs, { threads: 1 }), ModelFormatError, /graph input 'x' is listed twice/);
  const outputs = makeModel({ opset: 13, inputs: [x4], outputs: [{ name: 'y' }, { name: 'y' }], nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }] });
  await rejects(Session.create(outputs, { threads: 1 }), ModelFormatError, /graph output 'y' is listed twice/);
});

test('Identity on a 4-D multi-channel input kept as a graph output runs (it was refused)', async () => {
  for (const backend of ['wasm', 'reference'] as const) {
    const s = await Session.create(model({ nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }] }), { threads: 1, backend });
    const data = Float32Array.from(r.floats(48));
    const y = (await s.run({ x: new Tensor('float32', data, [1, 3, 4, 4]) })).y;
    assert.equal(Array.from(y.data), Array.from(data), backend);
    assert.equal(y.dims, [1, 3, 4, 4]);
    await s.dispose();
  }
});

test('run() validates feeds before queueing: missing dims, Float64Array, non-integer dims give InvalidArgumentErrors naming the input', async () => {
  const s = await Session.create(model({ nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }] }), { threads: 1 });
  await rejects(s.run({ x: { type: 'float32', data: new Float32Array(48) } as any }), InvalidArgumentError, /input 'x' has no dims/);
  await rejects(s.run({ x: { type: 'float32', data: new Float64Array(48), dims: [1, 3, 4, 4] } as any }), InvalidArgumentError, /input 'x' must be a float32 Tensor \(a Float32Array\), got type 'float32' with data Float64Array/);
  await rejects(s.run({ x: { type: 'float32', data: new Float32Array(48), dims: [1, 3, 4, 4.5] } as any }), InvalidArgumentError, /dims must be integers/);
  await s.dispose();
});

test('run() copies the feeds when called: mutating the input right after does not change the result', async () => {
  const s = await Session.create(model({ nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }] }), { threads: 1 });
  const data = Float32Array.from(r.floats(48));
  const expected = Array.from(data, (v) => Math.max(v, 0));
  const blocker = s.run({ x: new Tensor('float32', new Float32Array(48), [1, 3, 4, 4]) }); // queued ahead
  const p = s.run({ x: new Tensor('float32', data, [1, 3, 4, 4]) });
  data.fill(-1);
  await blocker;
  assert.equal(Array.from((await p).y.data), expected);
  await s.dispose();
});

test('a shape past the wasm memory limit fails before building tables (the bundled digit model at batch 98304)', async () => {
  // its activations fit in 4 GiB (2.15 GiB); the convolutions' indirection tables would not: they were built
  // first (21 s, 5.6 GB RSS at batch 65536, which row taps since made fit), now ConstRegion.reserve refuses
  // them before they exist
  const s = await Session.create(new Uint8Array(readFileSync(new URL('../../models/lenet-digits.onnx', import.meta.url))), { threads: 1 });
  const before = allocated();
  assert.throws(() => s.summary({ input: [98304, 1, 28, 28] }), (e: Error) => e instanceof ResourceLimitError && /4 GiB/.test(e.message) && /98304x1x28x28/.test(e.message));
  assert.ok(allocated() - before < 256 * 2 ** 20, `${((allocated() - before) / 2 ** 20).toFixed(0)} MiB allocated on the way to the error`);
  await s.dispose();
});

test.run();
