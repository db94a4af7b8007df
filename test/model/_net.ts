import { loadOnnx } from '../../src/model/onnx/loader.js';
import { bindAndFold } from '../../src/model/fold.js';
import { makeModel } from '../helpers/onnx-builder.js';
import { rng } from '../helpers/rng.js';
const r = rng(5);
const small = makeModel({ opset: 13, inputs: [{ name: 'x', dims: [1, 2, 6, 6] }], outputs: [{ name: 'y' }], nodes: [
    { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    { op: 'Shape', inputs: ['c'], outputs: ['s'] },
    { op: 'Gather', inputs: ['s', 'i0'], outputs: ['g'], attrs: { axis: 0 } },
    { op: 'Unsqueeze', inputs: ['g', 'ax'], outputs: ['u'] },
    { op: 'Concat', inputs: ['u', 'm1'], outputs: ['shp'], attrs: { axis: 0 } },
    { op: 'Reshape', inputs: ['c', 'shp'], outputs: ['y'] }],
  initializers: { w: { dims: [3, 2, 3, 3], data: r.floats(54) }, b: { dims: [3], data: r.floats(3) }, i0: { dims: [], data: [0], dtype: 'int64' },
    ax: { dims: [1], data: [0], dtype: 'int64' }, m1: { dims: [1], data: [-1], dtype: 'int64' } } });
try { const f = bindAndFold(loadOnnx(small), {}); console.log(f.graph.nodes); } catch (e) { console.log(e); }
