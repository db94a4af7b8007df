// The loader and folding for the reductions, the softmax family and the normalizations: malformed
// attributes and shapes are typed errors naming the node; configurations edgecnn does not compute
// (LayerNormalization's Mean/InvStdDev outputs, another stash_type, axes computed at run time) are
// UnsupportedErrors at load or fold, never a wrong answer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadOnnx } from '../../src/model/onnx/loader.js';
import { bindAndFold } from '../../src/model/fold.js';
import { LayerError, ModelFormatError, UnsupportedError } from '../../src/errors.js';
import { makeModel, type NodeSpec, type TensorSpec } from '../helpers/onnx-builder.js';

const W = (dims: number[]): TensorSpec => ({ dims, data: new Array(dims.reduce((a, b) => a * b, 1)).fill(0.5) });
const I64 = (data: number[]): TensorSpec => ({ dims: [data.length], data, dtype: 'int64' });

function fold(node: NodeSpec, x: number[], init: Record<string, TensorSpec> = {}, opset = 18, inputs: Record<string, number[]> = {}) {
  const bytes = makeModel({ opset, inputs: [{ name: 'x', dims: x }, ...Object.entries(inputs).map(([name, dims]) => ({ name, dims }))],
    outputs: node.outputs.filter((o) => o).map((name) => ({ name })), nodes: [{ name: 'n', ...node }], initializers: init });
  return bindAndFold(loadOnnx(bytes), {});
}

function throws(f: () => unknown, type: Function, re: RegExp): void {
  try { f(); } catch (e) {
    assert.instance(e, type, `${(e as Error).name}: ${(e as Error).message}`);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected ${type.name} ${re}`);
}

test('Reduce*: axes resolved (negative, attribute or input, none = all), keepdims, noop', () => {
  const a = fold({ op: 'ReduceL2', inputs: ['x', 'ax'], outputs: ['y'], attrs: { keepdims: 0 } }, [2, 3, 4, 5], { ax: I64([-1, 1, 1]) });
  assert.equal(a.graph.nodes[0].attrs, { axes: [1, 3], keepdims: false });
  assert.equal(a.dims.get('y'), [2, 4]);
  const b = fold({ op: 'ReduceSum', inputs: ['x'], outputs: ['y'], attrs: { axes: [0, -2] } }, [2, 3, 4], {}, 11);
  assert.equal(b.graph.nodes[0].attrs.axes, [0, 1]);
  assert.equal(b.dims.get('y'), [1, 1, 4]);
  const c = fold({ op: 'ReduceSum', inputs: ['x'], outputs: ['y'], attrs: { keepdims: 0 } }, [2, 3], {}, 13);
  assert.equal(c.dims.get('y'), []);
  const d = fold({ op: 'ReduceProd', inputs: ['x'], outputs: ['y'], attrs: { noop_with_empty_axes: 1 } }, [2, 3]);
  assert.is(d.graph.nodes[0].op, 'Reshape');
});

test('Reduce*: axes out of range, axes computed at run time', () => {
  throws(() => fold({ op: 'ReduceMax', inputs: ['x'], outputs: ['y'], attrs: { axes: [3] } }, [2, 3, 4], {}, 13), LayerError, /node 'n' \(ReduceMax\): axis 3 out of range for rank 3/);
  throws(() => fold({ op: 'ReduceMin', inputs: ['x', 'ax'], outputs: ['y'] }, [2, 3], {}, 18, { ax: [1] }), UnsupportedError, /node 'n' \(ReduceMin\): axes \(input 1\) must be constant/);
  throws(() => fold({ op: 'ReduceSum', inputs: ['x'], outputs: ['y'], attrs: { axes: [1] } }, [2, 3], {}, 13), ModelFormatError, /attribute 'axes' is not defined at opset 13 \(axes is input 1 from opset 13\)/);
  throws(() => fold({ op: 'ReduceMean', inputs: ['x'], outputs: ['y'], attrs: { axes: [1] } }, [2, 3], {}, 18), ModelFormatError, /axes is input 1 from opset 18/);
  throws(() => fold({ op: 'ReduceL1', inputs: ['x', 'ax'], outputs: ['y'] }, [2, 3], { ax: I64([1]) }, 17), ModelFormatError, /has an axes input at opset 17 \(an input from opset 18/);
});

test('Softmax family: opset-13 and legacy axes', () => {
  const a = fold({ op: 'Hardmax', inputs: ['x'], outputs: ['y'], attrs: { axis: -2 } }, [2, 3, 4], {}, 13);
  assert.equal(a.graph.nodes[0].attrs, { axis: 1, legacy: false });
  const b = fold({ op: 'LogSoftmax', inputs: ['x'], outputs: ['y'] }, [2, 3, 4], {}, 11);
  assert.equal(b.graph.nodes[0].attrs, { axis: 1, legacy: true });
  throws(() => fold({ op: 'Softmax', inputs: ['x'], outputs: ['y'], attrs: { axis: 3 } }, [2, 3, 4], {}, 13), LayerError, /axis 3 out of range/);
});

test('LayerNormalization: outputs, stash_type, scale shapes', () => {
  const ok = fold({ op: 'LayerNormalization', inputs: ['x', 's'], outputs: ['y', '', ''], attrs: { axis: -2 } }, [2, 3, 4], { s: W([3, 1]) }, 17);
  assert.equal(ok.graph.nodes[0].attrs, { axis: 1, epsilon: 1e-5 });
  throws(() => fold({ op: 'LayerNormalization', inputs: ['x', 's'], outputs: ['y', 'mean'] }, [2, 3], { s: W([3]) }, 17), UnsupportedError, /node 'n' \(LayerNormalization\): the Mean and InvStdDev outputs are not supported/);
  throws(() => fold({ op: 'LayerNormalization', inputs: ['x', 's'], outputs: ['y'], attrs: { stash_type: 0 } }, [2, 3], { s: W([3]) }, 17), UnsupportedError, /stash_type 0 is not supported/);
  throws(() => fold({ op: 'LayerNormalization', inputs: ['x', 's', 'b'], outputs: ['y'], attrs: { axis: 1 } }, [2, 3, 4], { s: W([3, 4]), b: W([2, 4]) }, 17), LayerError, /input 2 \[2, 4\] does not broadcast to the normalized shape \[3, 4\]/);
  throws(() => fold({ op: 'LayerNormalization', inputs: ['x', 's'], outputs: ['y'] }, [2, 3], {}, 17, { s: [3] }), UnsupportedError, /scale \(input 1\) must be constant/);
});

test('GroupNormalization, InstanceNormalization, LRN: required attributes and parameter sizes', () => {
  const g = fold({ op: 'GroupNormalization', inputs: ['x', 's', 'b'], outputs: ['y'], attrs: { num_groups: 2 } }, [1, 4, 3], { s: W([4]), b: W([4]) }, 21);
  assert.equal(g.graph.nodes[0].attrs.perChannel, true);
  throws(() => fold({ op: 'GroupNormalization', inputs: ['x', 's', 'b'], outputs: ['y'] }, [1, 4, 3], { s: W([2]), b: W([2]) }), ModelFormatError, /attribute 'num_groups' is required/);
  throws(() => fold({ op: 'GroupNormalization', inputs: ['x', 's', 'b'], outputs: ['y'], attrs: { num_groups: 3 } }, [1, 4, 3], { s: W([3]), b: W([3]) }), LayerError, /num_groups 3 does not divide the 4 channels/);
  throws(() => fold({ op: 'GroupNormalization', inputs: ['x', 's', 'b'], outputs: ['y'], attrs: { num_groups: 2 } }, [1, 4, 3], { s: W([4]), b: W([4]) }, 18), LayerError, /input 1 has 4 elements, expected 2 \(groups\)/);
  throws(() => fold({ op: 'InstanceNormalization', inputs: ['x', 's', 'b'], outputs: ['y'] }, [1, 4, 3], { s: W([3]), b: W([4]) }, 13), LayerError, /input 1 has 3 elements, expected 4 channels/);
  throws(() => fold({ op: 'InstanceNormalization', inputs: ['x', 's', 'b'], outputs: ['y'] }, [4, 3], { s: W([3]), b: W([3]) }, 13), LayerError, /rank 3 or more/);
  throws(() => fold({ op: 'LRN', inputs: ['x'], outputs: ['y'] }, [1, 4, 3, 3], {}, 13), ModelFormatError, /attribute 'size' is required/);
  throws(() => fold({ op: 'LRN', inputs: ['x'], outputs: ['y'], attrs: { size: 0 } }, [1, 4, 3, 3], {}, 13), LayerError, /size must be positive/);
});

test('MeanVarianceNormalization: default and negative axes', () => {
  const a = fold({ op: 'MeanVarianceNormalization', inputs: ['x'], outputs: ['y'] }, [2, 3, 4, 5], {}, 13);
  assert.equal(a.graph.nodes[0].attrs.axes, [0, 2, 3]);
  const b = fold({ op: 'MeanVarianceNormalization', inputs: ['x'], outputs: ['y'], attrs: { axes: [-1, 0] } }, [2, 3, 4], {}, 13);
  assert.equal(b.graph.nodes[0].attrs.axes, [0, 2]);
});

test.run();
