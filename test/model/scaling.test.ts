// Plan construction must grow about linearly with node count (it was quadratic: a 40k-node Relu chain
// took seconds to plan). These tests count work instead of timing it, so a loaded machine cannot make
// them fail: every read of a graph's node list, of a node's fields and of the dims/constant maps, and
// of a buffer request's fields, through proxies that count. The same stages run on a graph and on one
// with 8x the nodes; linear (or n log n) work reads about 8-11x as much, a quadratic scan 64x.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadOnnx, removeIdentities } from '../../src/model/onnx/loader.js';
import { bindAndFold } from '../../src/model/fold.js';
import { PASSES } from '../../src/model/passes.js';
import { planMemory } from '../../src/plan/plan.js';
import { planArena, liveLowerBound, type BufferRequest } from '../../src/plan/memory.js';
import { WASM_CAPS } from '../../src/backends/wasm/index.js';
import type { Graph, Node } from '../../src/model/ir.js';
import { makeModel, type ModelSpec } from '../helpers/onnx-builder.js';
import { concatWide, convBnChain, mixedChain, reluChain, residualChain } from '../helpers/long-graphs.js';

/** Largest allowed ratio of work for 8x the nodes: 8 is linear, 64 quadratic. */
const MAX_RATIO = 16;

let reads = 0;

/** `obj` with every property read counted. */
function counted<T extends object>(obj: T): T {
  return new Proxy(obj, { get(t, k, r) { reads++; return Reflect.get(t, k, r); } });
}

/** An array whose element reads are counted (filter, find, includes, for-of, ... all read through it). */
const countingArrays = new WeakSet<object>();
function countedArray<T>(a: T[]): T[] {
  if (countingArrays.has(a)) return a;
  const p = new Proxy(a, {
    get(t, k, r) {
      if (typeof k === 'string' && k.length && k.charCodeAt(0) >= 48 && k.charCodeAt(0) <= 57) reads++;
      return Reflect.get(t, k, r);
    },
  });
  countingArrays.add(p);
  return p;
}

class CountedMap<K, V> extends Map<K, V> {
  get(k: K) { reads++; return super.get(k); }
  has(k: K) { reads++; return super.has(k); }
  set(k: K, v: V) { reads++; return super.set(k, v); }
}

/** A graph whose nodes, node list (also a list assigned later) and constants count their reads. */
function countedGraph(g: Graph): Graph {
  const target: Graph = { ...g, nodes: countedArray(g.nodes.map((n) => counted(n))), consts: new CountedMap(g.consts) };
  return new Proxy(target, {
    set(t, k, v) {
      (t as any)[k] = k === 'nodes' ? countedArray(v) : v;
      return true;
    },
  });
}

/** Reads per stage of planning one model: bind and fold, each pass, the memory plan, the arena. */
function work(spec: ModelSpec): { nodes: number; stages: Map<string, number> } {
  const stages = new Map<string, number>();
  const measure = <T>(name: string, f: () => T): T => {
    reads = 0;
    const out = f();
    stages.set(name, (stages.get(name) ?? 0) + reads);
    return out;
  };
  const loaded = loadOnnx(makeModel(spec));
  const folded = measure('bindAndFold', () => bindAndFold(countedGraph(loaded), {}));
  const dims = new CountedMap(folded.dims);
  const g = countedGraph(folded.graph);
  for (const p of PASSES) measure(p.name, () => p.run(g, dims, WASM_CAPS));
  const plan = measure('planMemory', () => planMemory(g, dims, WASM_CAPS));
  const requests = plan.buffers.map((b) => counted<BufferRequest>({ id: b.id, bytes: b.bytes, first: b.first, last: b.last }));
  const arena = measure('planArena', () => planArena(requests, Math.max(16, WASM_CAPS.alignment)));
  assert.ok(arena.bytes <= arena.unsharedBytes);
  measure('liveLowerBound', () => liveLowerBound(requests));
  return { nodes: loaded.nodes.length, stages };
}

function assertLinear(make: (scale: number) => ModelSpec, scale: number) {
  const small = work(make(scale)), large = work(make(8 * scale));
  assert.ok(large.nodes >= 7 * small.nodes, `the large model has ${large.nodes} nodes, the small ${small.nodes}`);
  for (const [stage, n] of small.stages) {
    const ratio = large.stages.get(stage)! / Math.max(n, 1);
    assert.ok(ratio < MAX_RATIO, `${stage}: ${large.nodes} nodes do ${large.stages.get(stage)} reads, ${small.nodes} nodes ${n}: ${ratio.toFixed(1)}x for ${(large.nodes / small.nodes).toFixed(1)}x the nodes`);
  }
}

test('plan work grows linearly: Relu chain', () => assertLinear(reluChain, 1000));
test('plan work grows linearly: Conv+Relu+Add residual chain', () => assertLinear(residualChain, 300));
test('plan work grows linearly: wide graph of 8-branch Concats', () => assertLinear((s) => concatWide(s, 8), 50));
test('plan work grows linearly: Conv+BatchNorm+Clip chain sharing one weight', () => assertLinear(convBnChain, 300));
test('plan work grows linearly: every pass rewriting every block', () => assertLinear(mixedChain, 100));

test('removing Identity nodes at load grows linearly (it rescanned the graph per Identity)', () => {
  // a chain alternating Relu and Identity, ending in an Identity that names the graph output
  const chain = (n: number): Graph => {
    const nodes: Node[] = [];
    let prev = 'x';
    for (let i = 0; i < n; i++) {
      const y = i === n - 1 ? 'y' : `v${i}`;
      nodes.push({ name: `n${i}`, op: i % 2 ? 'Identity' : 'Relu', inputs: [prev], outputs: [y], attrs: {} });
      prev = y;
    }
    return { inputs: [{ name: 'x', dims: [1, 4], dtype: 'float32' }], outputs: [{ name: 'y', dims: [1, 4], dtype: 'float32' }], nodes, consts: new Map(), opset: 13 };
  };
  const count = (n: number) => { const g = countedGraph(chain(n)); reads = 0; const out = removeIdentities(g); assert.is(out.nodes.length, n / 2); return reads; };
  const small = count(1000), large = count(8000);
  assert.ok(small > 1000, `${small} reads`);
  assert.ok(large / small < MAX_RATIO, `${(large / small).toFixed(1)}x the reads for 8x the nodes`);
});

test('the counting proxies see the passes work: each stage reads the graph', () => {
  const { nodes, stages } = work(mixedChain(20));
  for (const [stage, n] of stages) assert.ok(n >= nodes / 9, `${stage} read ${n} times for ${nodes} nodes`);
});

test.run();
