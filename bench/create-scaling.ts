// Session.create time per stage against node count, for long graphs of three shapes: a Relu chain,
// a Conv+Relu+Add residual chain, a wide graph of Concat branches, and a Conv+BatchNorm+Clip chain
// sharing one weight. Planning should grow about
// linearly with node count. Run: node --import tsx bench/create-scaling.ts [relu|residual|concat ...] [--sizes 5000,10000]
import { performance } from 'node:perf_hooks';
import { makeModel, type ModelSpec } from '../test/helpers/onnx-builder.js';
import { reluChain, residualChain, concatWide, convBnChain } from '../test/helpers/long-graphs.js';
import { loadOnnx } from '../src/model/onnx/loader.js';
import { bindAndFold } from '../src/model/fold.js';
import { optimize } from '../src/model/passes.js';
import { planMemory } from '../src/plan/plan.js';
import { WASM_CAPS } from '../src/backends/wasm/index.js';
import { Session } from '../src/session.js';

/** graph shapes by name: a model of about n nodes */
const SHAPES: Record<string, (n: number) => ModelSpec> = {
  relu: reluChain,
  residual: (n) => residualChain(Math.round(n / 3)),
  concat: (n) => concatWide(Math.round(n / 18), 8),
  convbn: (n) => convBnChain(Math.round(n / 3)),
};

const ms = (t: number) => (t / 1000).toFixed(3).padStart(8);

async function time(shape: string, n: number) {
  const spec = SHAPES[shape](n);
  const bytes = makeModel(spec);
  const t: Record<string, number> = {};
  let t0 = performance.now();
  const g = loadOnnx(bytes); t.load = performance.now() - t0;
  t0 = performance.now();
  const f = bindAndFold(g, {}); t.fold = performance.now() - t0;
  t0 = performance.now();
  const o = optimize(f.graph, f.dims, WASM_CAPS); t.optimize = performance.now() - t0;
  t0 = performance.now();
  planMemory(o, f.dims, WASM_CAPS); t.plan = performance.now() - t0;
  t0 = performance.now();
  const s = await Session.create(bytes, { threads: 1 }); t.create = performance.now() - t0;
  await s.dispose();
  console.log(`${shape.padEnd(9)} ${String(spec.nodes.length).padStart(6)} ${ms(t.load)} ${ms(t.fold)} ${ms(t.optimize)} ${ms(t.plan)} ${ms(t.create)}`);
}

const argv = process.argv.slice(2);
const si = argv.indexOf('--sizes');
const sizes = si >= 0 ? argv[si + 1].split(',').map(Number) : [5000, 10000, 20000, 40000];
const shapes = argv.filter((a, i) => SHAPES[a] && argv[i - 1] !== '--sizes');
console.log(`${'shape'.padEnd(9)} ${'nodes'.padStart(6)} ${'load s'.padStart(8)} ${'fold s'.padStart(8)} ${'opt s'.padStart(8)} ${'plan s'.padStart(8)} ${'create s'.padStart(8)}`);
for (const shape of shapes.length ? shapes : Object.keys(SHAPES)) for (const n of sizes) await time(shape, n);
