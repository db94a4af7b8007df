// Scratch buffers (PlanCaps.scratchBytes → MemoryPlan.scratch): a node's temporary lives only while that
// node runs, never overlaps a live value, and only the wasm backend's NHWC → NHWC reshapes ask for one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planMemory } from '../../src/plan/plan.js';
import { WASM_CAPS } from '../../src/backends/wasm/index.js';
import type { Graph, Node } from '../../src/model/ir.js';
import { alignUp } from '../../src/plan/memory.js';

const reshape = (name: string, x: string, y: string, shape: number[]): Node => ({ name, op: 'Reshape', inputs: [x], outputs: [y], attrs: { shape } });

test('NHWC → NHWC reshapes get a scratch buffer of the input size, live only at their step, disjoint from live values', () => {
  const nodes: Node[] = [
    { name: 'relu', op: 'Relu', inputs: ['x'], outputs: ['a'], attrs: {} },
    reshape('across', 'a', 'b', [1, 3, 4, 2]), // [1,6,2,2] → [1,3,4,2]: bytes differ in NHWC → scratch
    reshape('same', 'b', 'c', [1, 3, 4, 2]), // same dims: a copy or an alias, no scratch
    reshape('flat', 'c', 'd', [1, 24]), // to 2-D: one copy
    reshape('pixels', 'd', 'e', [1, 24, 1, 1]), // H = W = 1: NHWC bytes are NCHW bytes
    { name: 'relu2', op: 'Relu', inputs: ['e'], outputs: ['y'], attrs: {} },
  ];
  const dims = new Map<string, number[]>([['x', [1, 6, 2, 2]], ['a', [1, 6, 2, 2]], ['b', [1, 3, 4, 2]], ['c', [1, 3, 4, 2]], ['d', [1, 24]], ['e', [1, 24, 1, 1]], ['y', [1, 24, 1, 1]]]);
  const g: Graph = { inputs: [{ name: 'x', dims: [1, 6, 2, 2], dtype: 'float32' }], outputs: [{ name: 'y', dims: [1, 24, 1, 1], dtype: 'float32' }], nodes, consts: new Map(), opset: 13 };
  const plan = planMemory(g, dims, WASM_CAPS);
  assert.equal([...plan.scratch.keys()], ['across']);
  const s = plan.scratch.get('across')!;
  assert.is(s.bytes, 24 * 4);
  assert.is(s.first, 2); assert.is(s.last, 2); // node k runs at step k + 1
  for (const b of plan.buffers) {
    if (b === s || b.last < s.first || b.first > s.last) continue;
    const disjoint = s.offset + alignUp(s.bytes, 64) <= b.offset || b.offset + alignUp(b.bytes, 64) <= s.offset;
    assert.ok(disjoint, `scratch [${s.offset}, +${s.bytes}) overlaps live buffer ${b.id} [${b.offset}, +${b.bytes})`);
  }
  // backends without scratchBytes plan none
  assert.is(planMemory(g, dims, { ...WASM_CAPS, scratchBytes: undefined }).scratch.size, 0);
});

test.run();
