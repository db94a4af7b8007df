import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as ort from 'onnxruntime-node';
import { loadOnnx } from '../../src/model/onnx/loader.js';
import { bindAndFold, topoSort } from '../../src/model/fold.js';
import { PLANNED_OPS } from '../../src/model/ops.js';
import { makeModel, oneNode, type ModelSpec } from '../helpers/onnx-builder.js';

const i64 = (data: number[], dims = [data.length]) => ({ dims, data, dtype: 'int64' as const });

async function ortDims(bytes: Uint8Array, feeds: Record<string, number[]>): Promise<Record<string, number[]>> {
  const s = await ort.InferenceSession.create(bytes);
  const f: Record<string, ort.Tensor> = {};
  for (const [k, d] of Object.entries(feeds)) f[k] = new ort.Tensor('float32', new Float32Array(d.reduce((a, b) => a * b, 1)), d);
  const r = await s.run(f);
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, [...v.dims]]));
}

/** Folds with edgecnn and runs onnxruntime; output dims must agree and only planned ops remain. */
async function agree(spec: ModelSpec, feeds: Record<string, number[]>) {
  const bytes = makeModel(spec);
  const f = bindAndFold(loadOnnx(bytes), feeds);
  const want = await ortDims(bytes, feeds);
  for (const o of spec.outputs) assert.equal(f.dims.get(o.name), want[o.name], `output ${o.name}`);
  for (const n of f.graph.nodes) assert.ok(PLANNED_OPS.has(n.op), n.op);
  return f;
}

test('PyTorch flatten pattern: Shape→Gather→Unsqueeze→Concat→Reshape folds to one Reshape', async () => {
  const f = await agree({
    opset: 13,
    inputs: [{ name: 'x', dims: ['N', 4, 3, 3] }], outputs: [{ name: 'y' }],
    nodes: [
      { op: 'Shape', inputs: ['x'], outputs: ['s'] },
      { op: 'Gather', inputs: ['s', 'zero'], outputs: ['n'], attrs: { axis: 0 } },
      { op: 'Unsqueeze', inputs: ['n', 'ax0'], outputs: ['nu'] },
      { op: 'Concat', inputs: ['nu', 'minus1'], outputs: ['shape'], attrs: { axis: 0 } },
      { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] },
    ],
    initializers: { zero: i64([0], []), ax0: i64([0]), minus1: i64([-1]) },
  }, { x: [2, 4, 3, 3] });
  assert.equal(f.graph.nodes.map((n) => [n.op, n.attrs]), [['Reshape', { shape: [2, 36] }]]);
  assert.is(f.graph.consts.size, 0);
  assert.equal(f.graph.inputs[0].dims, [2, 4, 3, 3]);
  assert.equal(f.graph.outputs[0].dims, [2, 36]);
});

test('opset 9 flatten pattern with attribute Unsqueeze, Cast, integer arithmetic, Constant', async () => {
  const f = await agree({
    opset: 9,
    inputs: [{ name: 'x', dims: ['N', 2, 4, 4] }], outputs: [{ name: 'y' }],
    nodes: [
      { op: 'Shape', inputs: ['x'], outputs: ['s'] },
      { op: 'Constant', inputs: [], outputs: ['one'], attrs: { value: i64([1], []) } },
      { op: 'Gather', inputs: ['s', 'one'], outputs: ['c'], attrs: { axis: 0 } },
      { op: 'Cast', inputs: ['c'], outputs: ['cf'], attrs: { to: 1 } },
      { op: 'Cast', inputs: ['cf'], outputs: ['ci'], attrs: { to: 7 } },
      { op: 'Mul', inputs: ['ci', 'sixteen'], outputs: ['feat'] },
      { op: 'Div', inputs: ['feat', 'two'], outputs: ['half'] },
      { op: 'Unsqueeze', inputs: ['half'], outputs: ['hu'], attrs: { axes: [0] } },
      { op: 'Concat', inputs: ['minus1', 'hu'], outputs: ['shape'], attrs: { axis: 0 } },
      { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] },
    ],
    initializers: { sixteen: i64([16], []), two: i64([2], []), minus1: i64([-1]) },
  }, { x: [3, 2, 4, 4] });
  assert.equal(f.graph.nodes[0].attrs, { shape: [6, 16] });
});

test('Resize sizes computed from a Shape-derived sizes input; ConstantOfShape; Range', async () => {
  const f = await agree({
    opset: 13,
    inputs: [{ name: 'x', dims: [1, 2, 3, 5] }], outputs: [{ name: 'y' }, { name: 'z' }],
    nodes: [
      { op: 'Shape', inputs: ['x'], outputs: ['s'] },
      { op: 'Slice', inputs: ['s', 'st', 'en'], outputs: ['hw'] },
      { op: 'Mul', inputs: ['hw', 'two'], outputs: ['hw2'] },
      { op: 'Concat', inputs: ['nc', 'hw2'], outputs: ['sizes'], attrs: { axis: 0 } },
      { op: 'Resize', inputs: ['x', '', '', 'sizes'], outputs: ['y'], attrs: { mode: 'nearest' } },
      { op: 'ConstantOfShape', inputs: ['four'], outputs: ['ones'], attrs: { value: { dims: [1], data: [1], dtype: 'float32' } } },
      { op: 'Range', inputs: ['r0', 'r1', 'r2'], outputs: ['rg'] },
      { op: 'Cast', inputs: ['rg'], outputs: ['rgf'], attrs: { to: 1 } },
      { op: 'Reshape', inputs: ['rgf', 'rs'], outputs: ['rr'] },
      { op: 'Add', inputs: ['ones', 'rr'], outputs: ['bias'] },
      { op: 'Add', inputs: ['x', 'bias'], outputs: ['z'] },
    ],
    initializers: { st: i64([2]), en: i64([4]), two: i64([2]), nc: i64([1, 2]), four: i64([1, 1, 1, 5]), r0: i64([0], []), r1: i64([5], []), r2: i64([1], []), rs: i64([1, 1, 1, 5]) },
  }, { x: [1, 2, 3, 5] });
  const resize = f.graph.nodes.find((n) => n.op === 'Resize')!;
  assert.equal(resize.attrs.sizes, [1, 2, 6, 10]);
  assert.equal(resize.attrs.scales, [1, 1, 2, 2]);
  assert.equal(resize.inputs, ['x']);
  const add = f.graph.nodes.find((n) => n.op === 'Add')!;
  assert.equal(Array.from(f.graph.consts.get(add.inputs[1])!.data as Float32Array), [1, 2, 3, 4, 5]);
});

test('Resize from scales (opset 11 and 10), Upsample opset 9', async () => {
  const x = [{ name: 'x', dims: [1, 1, 3, 4] }];
  let f = await agree({ opset: 11, inputs: x, outputs: [{ name: 'y' }], nodes: [{ op: 'Resize', inputs: ['x', 'roi', 'sc'], outputs: ['y'], attrs: { mode: 'linear' } }],
    initializers: { roi: { dims: [0], data: [] }, sc: { dims: [4], data: [1, 1, 1.5, 0.5] } } }, { x: [1, 1, 3, 4] });
  assert.equal(f.graph.nodes[0].attrs.sizes, [1, 1, 4, 2]);
  assert.is(f.graph.nodes[0].attrs.coordMode, 'half_pixel');
  f = await agree({ opset: 10, inputs: x, outputs: [{ name: 'y' }], nodes: [{ op: 'Resize', inputs: ['x', 'sc'], outputs: ['y'] }],
    initializers: { sc: { dims: [4], data: [1, 1, 2, 2] } } }, { x: [1, 1, 3, 4] });
  assert.equal(f.graph.nodes[0].attrs.sizes, [1, 1, 6, 8]);
  f = await agree({ opset: 9, inputs: x, outputs: [{ name: 'y' }], nodes: [{ op: 'Upsample', inputs: ['x', 'sc'], outputs: ['y'] }],
    initializers: { sc: { dims: [4], data: [1, 1, 2, 3] } } }, { x: [1, 1, 3, 4] });
  assert.equal(f.graph.nodes[0].attrs.sizes, [1, 1, 6, 12]);
});

test('Slice normalization: negative, clamped, reversed, with steps', async () => {
  const f = await agree({ opset: 13, inputs: [{ name: 'x', dims: [2, 3, 8, 9] }], outputs: [{ name: 'y' }],
    nodes: [{ op: 'Slice', inputs: ['x', 's', 'e', 'a', 'st'], outputs: ['y'] }],
    initializers: { s: i64([-1, 1, -100]), e: i64([-1000, 100, 7]), a: i64([3, -2, 1]), st: i64([-2, 3, 1]) } }, { x: [2, 3, 8, 9] });
  assert.equal(f.graph.nodes[0].attrs, { starts: [8, 1, 0], ends: [-1, 8, 3], axes: [3, 2, 1], steps: [-2, 3, 1] });
  assert.equal(f.dims.get('y'), [2, 3, 3, 5]);
});

test('Split: attribute sizes, input sizes, equal split, num_outputs', async () => {
  const x = [{ name: 'x', dims: [1, 6, 2, 2] }];
  const outs = ['a', 'b', 'c'].map((name) => ({ name }));
  let f = await agree({ opset: 11, inputs: x, outputs: outs, nodes: [{ op: 'Split', inputs: ['x'], outputs: ['a', 'b', 'c'], attrs: { axis: 1, split: [1, 2, 3] } }] }, { x: [1, 6, 2, 2] });
  assert.equal(f.graph.nodes[0].attrs, { axis: 1, split: [1, 2, 3] });
  f = await agree({ opset: 13, inputs: x, outputs: outs, nodes: [{ op: 'Split', inputs: ['x', 'sp'], outputs: ['a', 'b', 'c'], attrs: { axis: -3 } }], initializers: { sp: i64([3, 2, 1]) } }, { x: [1, 6, 2, 2] });
  assert.equal(f.graph.nodes[0].attrs, { axis: 1, split: [3, 2, 1] });
  f = await agree({ opset: 13, inputs: x, outputs: outs, nodes: [{ op: 'Split', inputs: ['x'], outputs: ['a', 'b', 'c'], attrs: { axis: 1 } }] }, { x: [1, 6, 2, 2] });
  assert.equal(f.graph.nodes[0].attrs.split, [2, 2, 2]);
  f = await agree({ opset: 18, inputs: [{ name: 'x', dims: [1, 7] }], outputs: outs, nodes: [{ op: 'Split', inputs: ['x'], outputs: ['a', 'b', 'c'], attrs: { axis: 1, num_outputs: 3 } }] }, { x: [1, 7] });
  assert.equal(f.graph.nodes[0].attrs.split, [3, 3, 1]);
});

test('auto_pad SAME_UPPER / SAME_LOWER / VALID agree with onnxruntime', async () => {
  for (const autoPad of ['SAME_UPPER', 'SAME_LOWER', 'VALID']) {
    for (const [h, s] of [[7, 2], [8, 3], [5, 1]]) {
      const f = await agree({ opset: 13, inputs: [{ name: 'x', dims: [1, 2, h, h + 1] }], outputs: [{ name: 'y' }, { name: 'p' }],
        nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { auto_pad: autoPad, strides: [s, s] } },
          { op: 'MaxPool', inputs: ['x'], outputs: ['p'], attrs: { auto_pad: autoPad, kernel_shape: [2, 3], strides: [s, 1] } }],
        initializers: { w: { dims: [2, 2, 3, 3], data: new Float32Array(36) } } }, { x: [1, 2, h, h + 1] });
      assert.not.ok('autoPad' in f.graph.nodes[0].attrs);
    }
  }
});

test('Squeeze/Unsqueeze on activations become Reshape; MatMul becomes Gemm', async () => {
  let f = await agree({ opset: 13, inputs: [{ name: 'x', dims: [1, 5, 1, 1] }], outputs: [{ name: 'y' }],
    nodes: [{ op: 'Squeeze', inputs: ['x', 'ax'], outputs: ['s'] }, { op: 'Unsqueeze', inputs: ['s', 'ax2'], outputs: ['u'] }, { op: 'MatMul', inputs: ['u', 'w'], outputs: ['y'] }],
    initializers: { ax: i64([2, 3]), ax2: i64([0]), w: { dims: [5, 3], data: new Float32Array(15) } } }, { x: [1, 5, 1, 1] });
  assert.equal(f.graph.nodes.map((n) => n.op), ['Reshape', 'Reshape', 'Reshape', 'Gemm', 'Reshape']);
  f = await agree({ opset: 11, inputs: [{ name: 'x', dims: [4, 5] }], outputs: [{ name: 'y' }],
    nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] }], initializers: { w: { dims: [5, 3], data: new Float32Array(15) } } }, { x: [4, 5] });
  assert.equal(f.graph.nodes.map((n) => [n.op, n.inputs]), [['Gemm', ['x', 'w']]]);
});

test('ReduceMean axes (attr and input), Transpose default perm, Flatten/Concat/Softmax axes', async () => {
  const x = [{ name: 'x', dims: [2, 3, 4, 5] }];
  let f = await agree({ opset: 13, inputs: x, outputs: [{ name: 'y' }], nodes: [{ op: 'ReduceMean', inputs: ['x'], outputs: ['y'], attrs: { axes: [-1, 2], keepdims: 0 } }] }, { x: [2, 3, 4, 5] });
  assert.equal(f.graph.nodes[0].attrs, { axes: [2, 3], keepdims: false });
  f = await agree({ opset: 18, inputs: x, outputs: [{ name: 'y' }], nodes: [{ op: 'ReduceMean', inputs: ['x', 'a'], outputs: ['y'] }], initializers: { a: i64([1]) } }, { x: [2, 3, 4, 5] });
  assert.equal(f.graph.nodes[0].attrs, { axes: [1], keepdims: true });
  f = await agree({ opset: 13, inputs: x, outputs: [{ name: 'y' }], nodes: [{ op: 'Transpose', inputs: ['x'], outputs: ['y'] }] }, { x: [2, 3, 4, 5] });
  assert.equal(f.graph.nodes[0].attrs.perm, [3, 2, 1, 0]);
  f = await agree({ opset: 13, inputs: x, outputs: [{ name: 'y' }, { name: 'z' }, { name: 'w' }], nodes: [
    { op: 'Flatten', inputs: ['x'], outputs: ['y'], attrs: { axis: -2 } },
    { op: 'Concat', inputs: ['x', 'x'], outputs: ['z'], attrs: { axis: -1 } },
    { op: 'Softmax', inputs: ['x'], outputs: ['w'], attrs: { axis: -3 } }] }, { x: [2, 3, 4, 5] });
  assert.equal(f.graph.nodes.map((n) => n.attrs.axis), [2, 3, 1]);
});

test('Identity on a graph input that is also the output path is kept as a copy', () => {
  const g = loadOnnx(makeModel({ inputs: [{ name: 'x', dims: [2, 2] }], outputs: [{ name: 'y' }, { name: 'z' }],
    nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }, { op: 'Relu', inputs: ['x'], outputs: ['r'] }, { op: 'Dropout', inputs: ['r'], outputs: ['z'] }] }));
  assert.equal(g.nodes.map((n) => [n.op, n.outputs[0]]), [['Identity', 'y'], ['Relu', 'z']]);
  const f = bindAndFold(g, {});
  assert.equal(f.graph.nodes.map((n) => [n.op, n.attrs]), [['Reshape', { shape: [2, 2] }], ['Relu', {}]]);
});

test('constant float arithmetic folds; Clip of constants folds', () => {
  const f = bindAndFold(loadOnnx(makeModel({ inputs: [{ name: 'x', dims: [1, 2] }], outputs: [{ name: 'y' }],
    nodes: [{ op: 'Mul', inputs: ['a', 'b'], outputs: ['ab'] }, { op: 'Clip', inputs: ['ab', 'lo', 'hi'], outputs: ['k'] }, { op: 'Add', inputs: ['x', 'k'], outputs: ['y'] }],
    initializers: { a: { dims: [2], data: [1, 5] }, b: { dims: [1], data: [3] }, lo: { dims: [], data: [0] }, hi: { dims: [], data: [6] } } })), {});
  assert.equal(f.graph.nodes.length, 1);
  assert.equal(Array.from(f.graph.consts.get('k')!.data as Float32Array), [3, 6]);
});

test('element-wise operators of constants fold to onnxruntime\'s values; variadic ones on activations become binary chains', async () => {
  const c = (data: number[], dims = [data.length]) => ({ dims, data });
  const ops: ModelSpec['nodes'] = [
    { op: 'Sum', inputs: ['a', 'b', 'p'], outputs: ['k1'] }, { op: 'Mean', inputs: ['a', 'b'], outputs: ['k2'] },
    { op: 'Min', inputs: ['a', 'b', 'p'], outputs: ['k3'] }, { op: 'Max', inputs: ['a'], outputs: ['k4'] },
    { op: 'Pow', inputs: ['p', 'a'], outputs: ['k5'] }, { op: 'Pow', inputs: ['a', 'n'], outputs: ['k6'] }, { op: 'PRelu', inputs: ['a', 'p'], outputs: ['k7'] },
    { op: 'Gelu', inputs: ['a'], outputs: ['k8'] }, { op: 'Erf', inputs: ['b'], outputs: ['k9'] }, { op: 'Log', inputs: ['p'], outputs: ['k10'] },
    { op: 'Round', inputs: ['h'], outputs: ['k11'] }, { op: 'Mish', inputs: ['a'], outputs: ['k12'] }, { op: 'Celu', inputs: ['a'], outputs: ['k13'], attrs: { alpha: 0.5 } },
    { op: 'Sum', inputs: ['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9', 'k10', 'k11', 'k12', 'k13'], outputs: ['k'] },
    { op: 'Add', inputs: ['x', 'k'], outputs: ['y'] },
  ];
  const spec: ModelSpec = { opset: 20, inputs: [{ name: 'x', dims: [1, 3] }], outputs: [{ name: 'y' }], nodes: ops, initializers: {
    a: c([-1.5, 0.25, 2]), b: c([0.5], [1]), p: c([3], []), n: i64([3], []), h: c([0.5, 1.5, -2.5]) } };
  const bytes = makeModel(spec);
  const f = bindAndFold(loadOnnx(bytes), {});
  assert.equal(f.graph.nodes.map((n) => n.op), ['Add']);
  const s = await ort.InferenceSession.create(bytes);
  const want = (await s.run({ x: new ort.Tensor('float32', new Float32Array(3), [1, 3]) })).y.data as Float32Array;
  const got = Array.from(f.graph.consts.get(f.graph.nodes[0].inputs[1])!.data as ArrayLike<number>);
  got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 1e-5 * Math.abs(want[i]), `element ${i}: ${v} vs ${want[i]}`));
  // on activations: Mean of three → Add, Add, Div by 3; Min of one → a copy (Reshape); Sum of two → one Add
  const g = await agree({ opset: 13, inputs: [{ name: 'x', dims: [2, 3] }, { name: 'z', dims: [3] }], outputs: [{ name: 'y' }, { name: 'u' }, { name: 'v' }], nodes: [
    { op: 'Mean', inputs: ['x', 'z', 'a'], outputs: ['y'] }, { op: 'Min', inputs: ['x'], outputs: ['u'] }, { op: 'Sum', inputs: ['z', 'x'], outputs: ['v'] },
  ], initializers: { a: c([1, 2, 3]) } }, { x: [2, 3], z: [3] });
  assert.equal(g.graph.nodes.map((n) => n.op), ['Add', 'Add', 'Div', 'Reshape', 'Add']);
  assert.equal(Array.from(g.graph.consts.get(g.graph.nodes[2].inputs[1])!.data as ArrayLike<number>), [3]);
  // PRelu with one constant slope value is LeakyRelu; per-channel slopes stay PRelu
  const pr = await agree({ opset: 13, inputs: [{ name: 'x', dims: [1, 3, 2, 2] }], outputs: [{ name: 'y' }, { name: 'z' }], nodes: [
    { op: 'PRelu', inputs: ['x', 's1'], outputs: ['y'] }, { op: 'PRelu', inputs: ['x', 's3'], outputs: ['z'] },
  ], initializers: { s1: c([0.25, 0.25, 0.25], [3, 1, 1]), s3: c([0.25, 0.5, 0.25], [3, 1, 1]) } }, { x: [1, 3, 2, 2] });
  assert.equal(pr.graph.nodes.map((n) => [n.op, n.attrs]), [['LeakyRelu', { alpha: 0.25 }], ['PRelu', {}]]);
});

test('topoSort orders an unsorted graph stably', () => {
  const n = (name: string, i: string[], o: string[]) => ({ name, op: 'Relu', inputs: i, outputs: o, attrs: {} });
  const sorted = topoSort([n('c', ['b'], ['c']), n('a', ['x'], ['a']), n('b', ['a'], ['b']), n('d', ['x'], ['d'])], ['x']);
  assert.equal(sorted.map((m) => m.name), ['a', 'b', 'c', 'd']);
});

test.run();
