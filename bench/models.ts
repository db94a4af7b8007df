// Models: edgecnn against onnxruntime-web's wasm backend (SIMD, same thread count) in the same
// process, with the native onnxruntime-node figure for reference. benchmark.js drives every engine
// the same way; the report gives each median and the ratio edgecnn / onnxruntime-web (< 1 is faster).
// Run: npm run bench:models [-- --threads 2] [-- --quick] [-- --only mobilenet_v2]
import Benchmark from 'benchmark';
import { readFileSync, existsSync } from 'node:fs';
import * as ortWeb from 'onnxruntime-web';
import * as ortNode from 'onnxruntime-node';
import { Session } from '../src/session.js';
import { Tensor } from '../src/tensor.js';
import { resnetOnnx } from '../test/helpers/zoo.js';

const args = process.argv.slice(2);
const threads = Number(args.includes('--threads') ? args[args.indexOf('--threads') + 1] : 1);
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const shared = new URL('../test/fixtures/models/', import.meta.url);

interface Model { name: string; bytes: Uint8Array; input: string; dims: number[] }
const models: Model[] = [];
for (const name of ['mobilenet_v2', 'squeezenet1_1', 'conv_3x3', 'conv_1x1', 'dwconv_3x3', 'lenet']) {
  const meta = new URL(`${name}.json`, shared);
  if (!existsSync(meta)) continue;
  const m = JSON.parse(readFileSync(meta, 'utf8'));
  models.push({ name, bytes: new Uint8Array(readFileSync(new URL(`${name}.onnx`, shared))), input: m.input.name, dims: m.input.shape });
}
models.push({ name: 'resnet18-style (generated)', bytes: resnetOnnx(), input: 'input', dims: [1, 3, 224, 224] });

/** Median ms of an async function under benchmark.js (deferred). */
function bench(name: string, fn: () => Promise<unknown>): Promise<number> {
  return new Promise((resolve, reject) => {
    const b = new Benchmark(name, {
      defer: true,
      minSamples: quick ? 5 : 15,
      maxTime: quick ? 1 : 4,
      fn: (d: any) => { fn().then(() => d.resolve(), reject); },
      onComplete: () => {
        const s = [...(b as any).stats.sample].sort((x: number, y: number) => x - y);
        resolve(s[s.length >> 1] * 1e3);
      },
      onError: (e: any) => reject(e.target?.error ?? e),
    });
    b.run({ async: true });
  });
}

ortWeb.env.wasm.numThreads = threads;
ortWeb.env.wasm.simd = true;

console.log(`threads ${threads}; medians in ms (benchmark.js); ratio = edgecnn / onnxruntime-web`);
console.log(`${'model'.padEnd(28)} ${'edgecnn'.padStart(9)} ${'ort-web'.padStart(9)} ${'ratio'.padStart(7)} ${'ort-node'.padStart(9)}`);
for (const m of models) {
  if (only && !m.name.startsWith(only)) continue;
  const size = m.dims.reduce((a, b) => a * b, 1);
  const x = new Float32Array(size).map((_, i) => Math.sin(i * 0.1));
  // one engine alive at a time: an idle peer's thread pool (spinning workers) must not steal a core
  const ours = await Session.create(m.bytes, { threads });
  const feeds = { [m.input]: new Tensor('float32', x, m.dims) };
  for (let t0 = performance.now(), i = 0; i < 10 || performance.now() - t0 < 1000; i++) await ours.run(feeds); // V8 tiers kernels up from Liftoff
  const tOurs = await bench(`edgecnn ${m.name}`, () => ours.run(feeds));
  const backend = ours.backend;
  await ours.dispose();
  const web = await ortWeb.InferenceSession.create(m.bytes, { executionProviders: ['wasm'] });
  const webFeeds = { [m.input]: new ortWeb.Tensor('float32', x, m.dims) };
  for (let i = 0; i < 5; i++) await web.run(webFeeds);
  const tWeb = await bench(`ort-web ${m.name}`, () => web.run(webFeeds));
  await web.release();
  const nat = await ortNode.InferenceSession.create(m.bytes, { intraOpNumThreads: threads, interOpNumThreads: 1 });
  const natFeeds = { [m.input]: new ortNode.Tensor('float32', x, m.dims) };
  const tNat = await bench(`ort-node ${m.name}`, () => nat.run(natFeeds));
  await nat.release();
  console.log(`${m.name.padEnd(28)} ${tOurs.toFixed(2).padStart(9)} ${tWeb.toFixed(2).padStart(9)} ${(tOurs / tWeb).toFixed(2).padStart(7)} ${tNat.toFixed(2).padStart(9)}   (${backend})`);
}
