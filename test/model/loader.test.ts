import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { loadOnnx } from '../../src/model/onnx/loader.js';
import { bindAndFold } from '../../src/model/fold.js';
import { makeModel, oneNode, floats } from '../helpers/onnx-builder.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

const DIR = FIXTURES_DIR;
const models = readdirSync(DIR).filter((f) => f.endsWith('.onnx')).map((f) => f.slice(0, -5));

test('shared models: ops, shapes, params match NAME.json', () => {
  assert.ok(models.length >= 6, models.join());
  for (const name of models) {
    const meta = JSON.parse(readFileSync(`${DIR}${name}.json`, 'utf8'));
    const g = loadOnnx(readFileSync(`${DIR}${name}.onnx`));
    assert.is(g.opset, meta.opset, name);
    assert.equal(g.inputs.map((i) => i.name), [meta.input.name], name);
    assert.equal(g.inputs[0].dims, meta.input.shape, name);
    assert.equal(g.outputs[0].dims, meta.output.shape, name);
    // operator histogram: Constant and Identity nodes are removed at load, the rest match
    const hist: Record<string, number> = {};
    for (const n of g.nodes) hist[n.op] = (hist[n.op] ?? 0) + 1;
    const want = { ...meta.onnx_ops };
    delete want.Constant; delete want.Identity;
    assert.equal(hist, want, name);
    // parameters: weights + biases of Conv/Gemm (the exporter folded batch-norm: torch counts its
    // scale and shift, 2 per channel, the folded model has one bias per channel instead)
    const folded = bindAndFold(g, {});
    let params = 0, convChannels = 0;
    for (const n of folded.graph.nodes) {
      if (n.op !== 'Conv' && n.op !== 'Gemm') continue;
      for (const i of n.inputs.slice(1)) params += folded.graph.consts.get(i)!.data.length;
      if (n.op === 'Conv') convChannels += folded.dims.get(n.outputs[0])![1];
    }
    if (meta.bn_calibrated_on_random_data) assert.is(params + convChannels, meta.params, name);
    else assert.is(params, meta.params, name);
    assert.equal(folded.dims.get(meta.output.name), meta.output.shape, name);
  }
});

test('mobilenet_v2: Clip bounds from Constant nodes', () => {
  const g = loadOnnx(readFileSync(`${DIR}mobilenet_v2.onnx`));
  const clip = g.nodes.find((n) => n.op === 'Clip')!;
  assert.is(clip.inputs.length, 3);
  assert.equal(Array.from(g.consts.get(clip.inputs[2])!.data as Float32Array), [6]);
  const f = bindAndFold(g, {});
  assert.equal(f.graph.nodes.find((n) => n.op === 'Clip')!.attrs, { min: 0, max: 6 });
});

test('squeezenet: Identity aliases of shared biases are removed', () => {
  const g = loadOnnx(readFileSync(`${DIR}squeezenet1_1.onnx`));
  assert.not.ok(g.nodes.some((n) => n.op === 'Identity'));
  for (const n of g.nodes) for (const i of n.inputs) assert.ok(i === '' || g.consts.has(i) || g.nodes.some((m) => m.outputs.includes(i)) || i === 'input', i);
});

test('conv and pool attributes normalized with defaults', () => {
  const bytes = makeModel({
    opset: 11,
    inputs: [{ name: 'x', dims: [1, 2, 8, 8] }],
    outputs: [{ name: 'y' }],
    nodes: [
      { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'] },
      { op: 'AveragePool', inputs: ['c'], outputs: ['y'], attrs: { kernel_shape: [2, 2], auto_pad: 'SAME_UPPER', count_include_pad: 1 } },
    ],
    initializers: { w: { dims: [4, 2, 3, 3], data: new Float32Array(72) } },
  });
  const g = loadOnnx(bytes);
  assert.equal(g.nodes[0].attrs, { kernel: undefined, strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], groups: 1 });
  assert.equal(g.nodes[1].attrs, { kernel: [2, 2], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], autoPad: 'SAME_UPPER', ceilMode: false, countIncludePad: true });
  const f = bindAndFold(g, {});
  assert.equal(f.graph.nodes[0].attrs.kernel, [3, 3]); // inferred from W
  assert.equal(f.graph.nodes[1].attrs.pads, [0, 0, 1, 1]);
  assert.is(f.graph.nodes[1].attrs.autoPad, undefined);
  assert.equal(f.dims.get('y'), [1, 4, 6, 6]);
});

test('opset-dependent forms: Clip, Softmax, Pad, Slice, Squeeze, Upsample', () => {
  const x = [{ name: 'x', dims: [1, 3, 4, 4] }];
  let g = loadOnnx(oneNode('Clip', { min: -1, max: 2 }, x, {}, 7));
  assert.equal(g.nodes[0].attrs, { min: -1, max: 2 });
  g = loadOnnx(oneNode('Clip', {}, x, {}, 11));
  assert.equal(bindAndFold(g, {}).graph.nodes[0].attrs, { min: -Infinity, max: Infinity });
  g = loadOnnx(oneNode('Softmax', {}, x, {}, 11));
  assert.equal(g.nodes[0].attrs, { axis: 1, legacy: true });
  g = loadOnnx(oneNode('Softmax', {}, x, {}, 13));
  assert.equal(bindAndFold(g, {}).graph.nodes[0].attrs, { axis: 3, legacy: false });
  g = loadOnnx(oneNode('Pad', { pads: [0, 0, 1, 2, 0, 0, 3, 4], value: 0.5 }, x, {}, 9));
  let f = bindAndFold(g, {});
  assert.equal(f.graph.nodes[0].attrs, { pads: [0, 0, 1, 2, 0, 0, 3, 4], mode: 'constant', value: 0.5 });
  assert.equal(f.dims.get('y'), [1, 3, 8, 10]);
  g = loadOnnx(oneNode('Pad', {}, x, { p: { dims: [8], data: [0, 0, 1, 1, 0, 0, 1, 1], dtype: 'int64' }, v: { dims: [], data: [0] } }, 13));
  assert.equal(bindAndFold(g, {}).graph.nodes[0].attrs, { pads: [0, 0, 1, 1, 0, 0, 1, 1], mode: 'constant', value: 0 });
  g = loadOnnx(oneNode('Slice', { starts: [1], ends: [1000], axes: [-1] }, x, {}, 9));
  assert.equal(bindAndFold(g, {}).graph.nodes[0].attrs, { starts: [1], ends: [4], axes: [3], steps: [1] });
  g = loadOnnx(oneNode('Squeeze', { axes: [0] }, x, {}, 11));
  f = bindAndFold(g, {});
  assert.is(f.graph.nodes[0].op, 'Reshape');
  assert.equal(f.graph.nodes[0].attrs, { shape: [3, 4, 4] });
  g = loadOnnx(oneNode('Upsample', { scales: floats([1, 1, 2, 2]), mode: 'nearest' }, x, {}, 7));
  assert.is(g.nodes[0].op, 'Resize');
  f = bindAndFold(g, {});
  assert.equal(f.graph.nodes[0].attrs.sizes, [1, 3, 8, 8]);
  assert.is(f.graph.nodes[0].attrs.coordMode, 'asymmetric');
  assert.is(f.graph.nodes[0].attrs.nearestMode, 'floor');
});

test('Constant forms and typed initializer fields', () => {
  const bytes = makeModel({
    opset: 13, typedFields: true,
    inputs: [{ name: 'x', dims: [2, 3] }],
    outputs: [{ name: 'y' }],
    nodes: [
      { op: 'Constant', inputs: [], outputs: ['k'], attrs: { value_floats: [1, 2, 3] } },
      { op: 'Constant', inputs: [], outputs: ['i'], attrs: { value_int: 7 } },
      { op: 'Constant', inputs: [], outputs: ['t'], attrs: { value: { dims: [2], data: [5, 6], dtype: 'int64' } } },
      { op: 'Add', inputs: ['x', 'k'], outputs: ['a'] },
      { op: 'Mul', inputs: ['a', 'w'], outputs: ['y'] },
    ],
    initializers: { w: { dims: [3], data: [0.5, 1.5, 2.5] } },
  });
  const g = loadOnnx(bytes);
  assert.equal(g.nodes.map((n) => n.op), ['Add', 'Mul']);
  assert.equal(Array.from(g.consts.get('k')!.data as Float32Array), [1, 2, 3]);
  assert.equal(g.consts.get('i'), { dtype: 'int64', dims: [], data: [7] });
  assert.equal(g.consts.get('t'), { dtype: 'int64', dims: [2], data: [5, 6] });
  assert.equal(Array.from(g.consts.get('w')!.data as Float32Array), [0.5, 1.5, 2.5]);
});

test('double and float16 initializers convert to float32; int64 beyond 2^53 saturates in Slice', () => {
  const g = loadOnnx(makeModel({
    inputs: [{ name: 'x', dims: [2] }], outputs: [{ name: 'y' }],
    nodes: [{ op: 'Add', inputs: ['x', 'd'], outputs: ['s'] }, { op: 'Mul', inputs: ['s', 'h'], outputs: ['y'] }],
    initializers: { d: { dims: [2], data: [0.25, -3], dtype: 'float64' }, h: { dims: [2], data: [0x3c00, 0xc000], dtype: 'float16' } },
  }));
  assert.equal(Array.from(g.consts.get('d')!.data as Float32Array), [0.25, -3]);
  assert.equal(Array.from(g.consts.get('h')!.data as Float32Array), [1, -2]);
  // PyTorch writes INT64_MAX as "to the end"
  const big = new Uint8Array(new BigInt64Array([9223372036854775807n]).buffer);
  void big;
  const s = loadOnnx(makeModel({
    inputs: [{ name: 'x', dims: [1, 6] }], outputs: [{ name: 'y' }],
    nodes: [{ op: 'Slice', inputs: ['x', 's', 'e', 'a'], outputs: ['y'] }],
    initializers: { s: { dims: [1], data: [2], dtype: 'int64' }, e: { dims: [1], data: [Number.MAX_SAFE_INTEGER * 1024], dtype: 'int64' }, a: { dims: [1], data: [1], dtype: 'int64' } },
  }));
  assert.is((s.consts.get('e')!.data as number[])[0], Infinity);
  const f = bindAndFold(s, {});
  assert.equal(f.graph.nodes[0].attrs, { starts: [2], ends: [6], axes: [1], steps: [1] });
  assert.equal(f.dims.get('y'), [1, 4]);
});

test('symbolic and unknown input dims; initializers listed as inputs are not model inputs', () => {
  const g = loadOnnx(makeModel({
    opset: 7, // IR 3: the builder lists initializers among graph inputs
    inputs: [{ name: 'x', dims: ['batch', 3, 0, 0] }], outputs: [{ name: 'y' }],
    nodes: [{ op: 'Mul', inputs: ['x', 's'], outputs: ['y'] }],
    initializers: { s: { dims: [1], data: [2] } },
  }));
  assert.is(g.inputs.length, 1);
  assert.equal(g.inputs[0].dims, ['batch', 3, 'x:2', 'x:3']);
});

test('builder models load in onnxruntime-node and in edgecnn', async () => {
  for (const opset of [7, 9, 11, 13, 17, 21]) {
    const bytes = makeModel({
      opset, inputs: [{ name: 'x', dims: ['N', 2, 5, 5] }], outputs: [{ name: 'y' }],
      nodes: [{ op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] } },
        { op: 'Relu', inputs: ['c'], outputs: ['y'] }],
      initializers: { w: { dims: [3, 2, 3, 3], data: new Float32Array(54).fill(0.5) }, b: { dims: [3], data: [1, 2, 3] } },
    });
    const s = await ort.InferenceSession.create(bytes);
    const r = await s.run({ x: new ort.Tensor('float32', new Float32Array(50).fill(1), [1, 2, 5, 5]) });
    const f = bindAndFold(loadOnnx(bytes), { x: [1, 2, 5, 5] });
    assert.equal(f.dims.get('y'), [...r.y.dims], `opset ${opset}`);
  }
});

test.run();
