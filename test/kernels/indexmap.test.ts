// The data-movement operators' two descriptions (src/model/indexmap.ts) against each other: the moves
// (strided copies with zero and negative strides, fills, borders copied from the output, table
// gathers), lowered as the wasm backend lowers them onto NHWC views with a pixel stride or dense
// views, must give exactly the element formula's result, in every flavor and every partition.
// This also covers what onnxruntime cannot check: Pad 'wrap' with pads larger than the axis (numpy's
// repeated wrap, the ONNX reference; onnxruntime 1.x returns uninitialized values there).
// Tolerance: none (floats are moved, never computed).
import { test } from 'uvu';
import { KernelTester, EXACT, type View } from '../helpers/kernel-tester.js';
import { lowerGatherTable, lowerStridedCopy } from '../../src/backends/wasm/kernels/layout.js';
import { elementSource, forEachIndex, movesOf, physicalOffset, resolveCopy } from '../../src/model/indexmap.js';
import { inferNode } from '../../src/model/ops.js';
import type { Node } from '../../src/model/ir.js';
import { size } from '../../src/model/ir.js';

const node = (op: string, attrs: Record<string, unknown>, inputs = ['x']): Node => ({ name: op.toLowerCase(), op, inputs, outputs: ['y'], attrs });

/** [node, input dims (first is x), ...]: planned attributes as folding resolves them. */
const CASES: [Node, number[][]][] = [
  [node('Pad', { pads: [5, 7, 4, 8], mode: 'wrap' }), [[2, 3]]],
  [node('Pad', { pads: [0, 2, 7, 1, 0, 5, 2, 9], mode: 'wrap' }), [[1, 3, 2, 4]]],
  [node('Pad', { pads: [0, -1, 3, -1, 1, 2, -2, 4], mode: 'wrap' }), [[1, 4, 5, 6]]],
  [node('Pad', { pads: [1, 0, 2, 3, 0, 1, 1, 2], mode: 'reflect' }), [[2, 5, 3, 4]]],
  [node('Pad', { pads: [0, 4, 3, 0, 0, 4, 3, 1], mode: 'reflect' }), [[1, 5, 4, 3]]],
  [node('Pad', { pads: [3, 0, 9, 2, 6, 0], mode: 'edge' }), [[2, 1, 3]]],
  [node('Pad', { pads: [0, 1, -1, 2, 0, 2, 1, -3], mode: 'constant', value: -2.5 }), [[1, 3, 4, 5]]],
  [node('Expand', { shape: [3, 1, 4, 1] }), [[5, 1, 2]]],
  [node('Tile', { repeats: [2, 3, 1, 2] }), [[1, 3, 2, 5]]],
  [node('Tile', { repeats: [1, 2, 3, 2] }), [[2, 5, 3, 1]]],
  [node('Tile', { repeats: [3, 1, 2] }), [[2, 3, 4]]],
  [node('DepthToSpace', { blocksize: 2, mode: 'DCR' }), [[2, 12, 3, 2]]],
  [node('DepthToSpace', { blocksize: 3, mode: 'CRD' }), [[1, 9, 2, 3]]],
  [node('SpaceToDepth', { blocksize: 2 }), [[1, 5, 4, 6]]],
  [node('Gather', { axis: 1, indices: [4, 3, 2, 1, 0, 0, 2, 4, 6, 1], indicesDims: [2, 5] }), [[1, 7, 3, 2]]],
  [node('Gather', { axis: 3, indices: [2], indicesDims: [] }), [[2, 3, 2, 5]]],
  [node('GatherElements', { axis: 2, indices: Array.from({ length: 30 }, (_, k) => (k * 7) % 4), indicesDims: [1, 2, 5, 3] }), [[1, 3, 4, 3]]],
  [node('Where', { cond: [1, 0, 0, 1, 1, 0], condDims: [2, 1, 3] }, ['x', 'z']), [[1, 2, 4, 3], [4, 1]]],
];

KernelTester.each('layout', 'index maps: moves on NHWC/dense views equal the element formula', (t) => {
  const r = t.r;
  for (const [n, inDims] of CASES) {
    t.reset();
    const out = inferNode(n, inDims)[0];
    // 4-D values NHWC with a pixel stride wider than C (as a channel slice), others dense
    const place = (dims: number[], data?: Float32Array): View => {
      if (dims.length !== 4) { const v = t.allocStrided(size(dims) + 1, dims); return data ? v.write(data) : v; }
      const [a, c, h, w] = dims, ps = c + 3;
      return data ? t.putNhwc(data, a, c, h, w, ps, 1) : t.allocNhwc(a, c, h, w, ps, 1);
    };
    const xs = inDims.map((d) => r.floats(size(d)));
    const views = inDims.map((d, k) => place(d, xs[k]));
    const Y = place(out);
    const value = t.putDense([n.attrs.value ?? 0]);
    const innerFirst = out.map((_, k) => k).sort((p, q) => Y.strides[p] - Y.strides[q] || q - p);
    const steps = movesOf(n, inDims, out, innerFirst).flatMap((m) => {
      const src = m.from === 'out' ? Y : m.from === 'value' ? value : views[m.from];
      if (m.kind === 'table') {
        const tb = new Int32Array(2 * m.srcIdx.length);
        m.srcIdx.forEach((s, k) => { tb[2 * k] = physicalOffset(s, src.dims, src.strides); tb[2 * k + 1] = physicalOffset(m.dstIdx[k], Y.dims, Y.strides); });
        return lowerGatherTable(src.ptr, Y.ptr, tb, t.cw);
      }
      const c = resolveCopy(m, m.from === 'value' ? [] : src.strides, Y.strides);
      return lowerStridedCopy({ dims: c.dims, src: src.ptr + c.srcOffset * 4, srcStrides: c.srcStrides, dst: Y.ptr + c.dstOffset * 4, dstStrides: c.dstStrides }, t.cw);
    });
    const f = elementSource(n, inDims, out), want = new Float32Array(size(out));
    forEachIndex(out, (idx, k) => { const s = f(idx); want[k] = s ? xs[s[0]][s[1]] : n.attrs.value; });
    t.check(steps, Y, want, EXACT, `${t.flavor} ${n.op} ${JSON.stringify(n.attrs).slice(0, 80)} on [${inDims.map((d) => d.join('x'))}]`);
  }
}, 41);

test.run();
