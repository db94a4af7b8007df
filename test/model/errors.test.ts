import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { loadOnnx } from '../../src/model/onnx/loader.js';
import { bindAndFold } from '../../src/model/fold.js';
import { EdgeCnnError, InvalidArgumentError, LayerError, ModelFormatError, UnsupportedError } from '../../src/errors.js';
import { encodeModel } from '../helpers/onnx-encode.js';
import { makeModel, oneNode, tensorProto } from '../helpers/onnx-builder.js';
import { rng } from '../helpers/rng.js';
import { modelUrl } from '../helpers/fixtures.js';

const lenet = new Uint8Array(readFileSync(modelUrl('lenet')));

function throwsType(fn: () => unknown, type: new (...a: any[]) => Error, re?: RegExp): Error {
  try { fn(); } catch (e) {
    assert.instance(e, type, `${(e as Error).name}: ${(e as Error).message}`);
    if (re) assert.match((e as Error).message, re);
    return e as Error;
  }
  assert.unreachable(`expected ${type.name}`);
  throw new Error('unreachable');
}

test('unsupported operator names node, op and opset', () => {
  const bytes = makeModel({ opset: 13, inputs: [{ name: 'x', dims: [1, 4] }], outputs: [{ name: 'y' }], nodes: [{ name: 'foo', op: 'LSTM', inputs: ['x'], outputs: ['y'] }] });
  const e = throwsType(() => loadOnnx(bytes), UnsupportedError);
  assert.is(e.message, "node 'foo' (LSTM): operator LSTM is not supported (opset 13)");
  assert.is((e as EdgeCnnError).code, 'UNSUPPORTED');
});

test('unknown domain and unsupported opset', () => {
  const bytes = makeModel({ inputs: [{ name: 'x', dims: [1, 4] }], outputs: [{ name: 'y' }], extraOpsets: [{ domain: 'com.microsoft', version: 1 }],
    nodes: [{ name: 'g', op: 'Gelu', domain: 'com.microsoft', inputs: ['x'], outputs: ['y'] }] });
  throwsType(() => loadOnnx(bytes), UnsupportedError, /domain 'com\.microsoft'/);
  throwsType(() => loadOnnx(oneNode('Relu', {}, [{ name: 'x', dims: [1] }], {}, 6)), UnsupportedError, /opset 6/);
  throwsType(() => loadOnnx(oneNode('Relu', {}, [{ name: 'x', dims: [1] }], {}, 22)), UnsupportedError, /opset 22/);
  throwsType(() => bindAndFold(loadOnnx(oneNode('Pad', { mode: 'reflect', pads: [0, 3, 0, 3] }, [{ name: 'x', dims: [2, 2] }], {}, 9)), {}), UnsupportedError, /reflect pads of axis 1 \(3, 3\) must be smaller than its size 2/);
  throwsType(() => loadOnnx(oneNode('Pad', { mode: 'wrap', pads: [0, 1, 0, 1] }, [{ name: 'x', dims: [2, 2] }], {}, 9)), ModelFormatError, /unknown mode 'wrap' \(one of constant, reflect, edge\)/);
});

test('external data is refused clearly', () => {
  const t = { ...tensorProto('w', { dims: [2], data: [1, 2] }), rawData: undefined, dataLocation: 1, externalData: [{ key: 'location', value: 'w.bin' }] };
  const bytes = encodeModel({ irVersion: 7, opsetImport: [{ domain: '', version: 13 }], graph: {
    node: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }], initializer: [t],
    input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 2 }] } } } }], output: [{ name: 'y' }] } });
  throwsType(() => loadOnnx(bytes), ModelFormatError, /external data/);
});

test('structural problems are ModelFormatError', () => {
  throwsType(() => loadOnnx(new Uint8Array(0)), ModelFormatError);
  throwsType(() => loadOnnx(makeModel({ inputs: [{ name: 'x', dims: [1] }], outputs: [{ name: 'x' }], nodes: [] })), ModelFormatError, /no nodes/);
  throwsType(() => loadOnnx(makeModel({ inputs: [{ name: 'x', dims: [1] }], outputs: [{ name: 'y' }], nodes: [{ op: 'Add', inputs: ['x', 'ghost'], outputs: ['y'] }] })), ModelFormatError, /'ghost' is not produced/);
  throwsType(() => loadOnnx(makeModel({ inputs: [{ name: 'x', dims: [1] }], outputs: [{ name: 'y' }], nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['z'] }] })), ModelFormatError, /output 'y'/);
  // a cycle
  const cyc = loadOnnx(makeModel({ inputs: [{ name: 'x', dims: [1] }], outputs: [{ name: 'y' }], nodes: [
    { op: 'Add', inputs: ['x', 'b'], outputs: ['a'] }, { op: 'Relu', inputs: ['a'], outputs: ['b'] }, { op: 'Relu', inputs: ['a'], outputs: ['y'] }] }));
  throwsType(() => bindAndFold(cyc, {}), ModelFormatError, /cycle/);
  // not protobuf at all
  throwsType(() => loadOnnx(new TextEncoder().encode('this is not an onnx model at all')), ModelFormatError);
});

test('truncated bytes: every prefix throws ModelFormatError', () => {
  const cuts = new Set<number>([1, 2, 3, 5, 8, 13, 21, 34, 55, 89]);
  for (let i = 0; i < 50; i++) cuts.add(Math.floor((lenet.length * i) / 50));
  cuts.add(lenet.length - 1);
  cuts.add(lenet.length - 10);
  cuts.delete(0);
  for (const n of cuts) {
    try {
      loadOnnx(lenet.subarray(0, n));
      assert.unreachable(`prefix ${n} of ${lenet.length} loaded`);
    } catch (e) {
      assert.instance(e, ModelFormatError, `prefix ${n}: ${(e as Error).name}: ${(e as Error).message}`);
    }
  }
});

test('corrupt bytes: EdgeCnnError or a valid graph, never anything else', () => {
  const r = rng(42);
  const small = makeModel({ opset: 13, inputs: [{ name: 'x', dims: [1, 2, 6, 6] }], outputs: [{ name: 'y' }], nodes: [
    { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    { op: 'Shape', inputs: ['c'], outputs: ['s'] },
    { op: 'Gather', inputs: ['s', 'i0'], outputs: ['g'], attrs: { axis: 0 } },
    { op: 'Unsqueeze', inputs: ['g', 'ax'], outputs: ['u'] },
    { op: 'Concat', inputs: ['u', 'm1'], outputs: ['shp'], attrs: { axis: 0 } },
    { op: 'Reshape', inputs: ['c', 'shp'], outputs: ['y'] }],
  initializers: { w: { dims: [3, 2, 3, 3], data: r.floats(54) }, b: { dims: [3], data: r.floats(3) }, i0: { dims: [], data: [0], dtype: 'int64' },
    ax: { dims: [1], data: [0], dtype: 'int64' }, m1: { dims: [1], data: [-1], dtype: 'int64' } } });
  let ok = 0, failed = 0;
  for (const base of [small, lenet]) {
    const flips = base === lenet ? 150 : 600;
    for (let t = 0; t < flips; t++) {
      const b = Uint8Array.from(base);
      const nflip = r.int(1, 4);
      for (let k = 0; k < nflip; k++) b[r.int(0, b.length - 1)] = r.int(0, 255);
      try {
        const g = loadOnnx(b);
        try { bindAndFold(g, {}); } catch (e) { if (!(e instanceof EdgeCnnError)) throw e; }
        ok++;
      } catch (e) {
        if (!(e instanceof EdgeCnnError)) assert.unreachable(`flip trial ${t}: ${(e as Error)?.name}: ${(e as Error)?.message}\n${(e as Error)?.stack}`);
        failed++;
      }
    }
  }
  assert.ok(ok > 0 && failed > 0, `${ok} loaded, ${failed} refused`);
});

test('fold: shapes contradicting fixed dims, unknown inputs, unbound symbols', () => {
  const g = loadOnnx(oneNode('Relu', {}, [{ name: 'x', dims: ['N', 3, 8, 8] }]));
  throwsType(() => bindAndFold(g, {}), InvalidArgumentError, /symbolic dims.*'N'/);
  throwsType(() => bindAndFold(g, { x: [1, 4, 8, 8] }), InvalidArgumentError, /fixed dim 1 = 3/);
  throwsType(() => bindAndFold(g, { x: [1, 3, 8] }), InvalidArgumentError, /rank 4/);
  throwsType(() => bindAndFold(g, { z: [1] }), InvalidArgumentError, /unknown input 'z'/);
  throwsType(() => bindAndFold(g, { x: [1, 3, 8, 8.5] }), InvalidArgumentError);
  const two = loadOnnx(makeModel({ inputs: [{ name: 'a', dims: ['N', 2] }, { name: 'b', dims: ['N', 2] }], outputs: [{ name: 'y' }], nodes: [{ op: 'Add', inputs: ['a', 'b'], outputs: ['y'] }] }));
  throwsType(() => bindAndFold(two, { a: [1, 2], b: [3, 2] }), InvalidArgumentError, /dim 'N' is 1/);
});

test('fold: bad layer shapes throw LayerError naming the node', () => {
  const g = loadOnnx(makeModel({ inputs: [{ name: 'x', dims: [1, 3, 4, 4] }], outputs: [{ name: 'y' }],
    nodes: [{ name: 'conv3', op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { kernel_shape: [7, 7] } }],
    initializers: { w: { dims: [2, 3, 7, 7], data: new Float32Array(294) } } }));
  const e = throwsType(() => bindAndFold(g, {}), LayerError, /^node 'conv3' \(Conv\): kernel 7/);
  assert.is((e as LayerError).layer, 'conv3');
  const r = loadOnnx(makeModel({ inputs: [{ name: 'x', dims: [1, 3, 4, 4] }], outputs: [{ name: 'y' }],
    nodes: [{ name: 'rs', op: 'Reshape', inputs: ['x', 's'], outputs: ['y'] }], initializers: { s: { dims: [2], data: [5, -1], dtype: 'int64' } } }));
  throwsType(() => bindAndFold(r, {}), LayerError, /node 'rs' \(Reshape\): cannot reshape/);
  const gather = loadOnnx(makeModel({ inputs: [{ name: 'x', dims: [2, 3] }], outputs: [{ name: 'y' }],
    nodes: [{ name: 'ga', op: 'Gather', inputs: ['x', 'i'], outputs: ['y'] }], initializers: { i: { dims: [1], data: [-3], dtype: 'int64' } } }));
  throwsType(() => bindAndFold(gather, {}), LayerError, /node 'ga' \(Gather\): index -3 out of range for an axis of size 2/);
});

test.run();
