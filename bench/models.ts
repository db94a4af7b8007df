// Models: edgecnn against two wasm peers, onnxruntime-web (wasm EP, SIMD) and tfjs-backend-wasm
// (XNNPACK; bench/peers/tfjs.ts runs edgecnn's folded graph with tfjs-core ops in NHWC, fused conv +
// bias + activation, as a converted tfjs model runs), same thread count, same inputs; the native
// onnxruntime-node figure for reference. One engine alive at a time (an idle peer's thread pool would
// steal a core), and the engines interleave: each round creates, warms, measures (benchmark.js) and
// releases every engine in turn; the figure is the median of the round medians. The tfjs output is
// checked against onnxruntime-node's on every model (relative max error printed).
// Ratio = edgecnn / best peer (< 1 is faster).
// Run: npm run bench:models [-- --threads 2] [-- --quick] [-- --only mobilenet_v2] [-- --rounds 3]
import Benchmark from 'benchmark';
import { readFileSync, existsSync } from 'node:fs';
import * as ortWeb from 'onnxruntime-web';
import * as ortNode from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs-core';
import { Session } from '../src/session.js';
import { Tensor } from '../src/tensor.js';
import { resnetOnnx, efficientnetOnnx } from '../test/helpers/zoo.js';
import { initTfjsWasm, createTfjsSession } from './peers/tfjs.js';

const args = process.argv.slice(2);
const threads = Number(args.includes('--threads') ? args[args.indexOf('--threads') + 1] : 1);
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const rounds = Number(args.includes('--rounds') ? args[args.indexOf('--rounds') + 1] : quick ? 2 : 3);
const shared = new URL('../test/fixtures/models/', import.meta.url);

interface Model { name: string; bytes: Uint8Array; input: string; dims: number[] }
const models: Model[] = [];
for (const name of ['mobilenet_v2', 'squeezenet1_1', 'conv_3x3', 'conv_1x1', 'dwconv_3x3', 'lenet']) {
  const meta = new URL(`${name}.json`, shared);
  if (!existsSync(meta)) continue;
  const m = JSON.parse(readFileSync(meta, 'utf8'));
  models.push({ name, bytes: new Uint8Array(readFileSync(new URL(`${name}.onnx`, shared))), input: m.input.name, dims: m.input.shape });
}
models.push({ name: 'lenet-digits (bundled)', bytes: new Uint8Array(readFileSync(new URL('../models/lenet-digits.onnx', import.meta.url))), input: 'input', dims: [1, 1, 28, 28] });
models.push({ name: 'resnet18-style (generated)', bytes: resnetOnnx(), input: 'input', dims: [1, 3, 224, 224] });
models.push({ name: 'efficientnet-b0-style (gen.)', bytes: efficientnetOnnx(), input: 'input', dims: [1, 3, 224, 224] });

/** Median ms of an async function under benchmark.js (deferred). */
function bench(name: string, fn: () => Promise<unknown>): Promise<number> {
  return new Promise((resolve, reject) => {
    const b = new Benchmark(name, {
      defer: true,
      minSamples: quick ? 5 : 10,
      maxTime: quick ? 0.5 : 1.5,
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
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

ortWeb.env.wasm.numThreads = threads;
ortWeb.env.wasm.simd = true;
await initTfjsWasm(threads);

/** One engine's round: create, warm up, measure, release. */
type Engine = (m: Model, x: Float32Array) => Promise<{ ms: number; note?: string; out?: Float32Array }>;
const engines: Record<string, Engine> = {
  async edgecnn(m, x) {
    const s = await Session.create(m.bytes, { threads });
    const feeds = { [m.input]: new Tensor('float32', x, m.dims) };
    for (let t0 = performance.now(), i = 0; i < 10 || performance.now() - t0 < 1000; i++) await s.run(feeds); // V8 tiers kernels up from Liftoff
    const ms = await bench(`edgecnn ${m.name}`, () => s.run(feeds));
    const note = s.backend;
    await s.dispose();
    return { ms, note };
  },
  async 'ort-web'(m, x) {
    const s = await ortWeb.InferenceSession.create(m.bytes, { executionProviders: ['wasm'] });
    const feeds = { [m.input]: new ortWeb.Tensor('float32', x, m.dims) };
    for (let i = 0; i < 5; i++) await s.run(feeds);
    const ms = await bench(`ort-web ${m.name}`, () => s.run(feeds));
    await s.release();
    return { ms };
  },
  async 'tfjs-wasm'(m, x) {
    const s = await createTfjsSession(m.bytes, { [m.input]: m.dims });
    const feeds = { [m.input]: x };
    let out: Float32Array | undefined;
    for (let i = 0; i < 5; i++) out = Object.values(await s.run(feeds))[0];
    const ms = await bench(`tfjs-wasm ${m.name}`, () => s.run(feeds));
    s.dispose();
    return { ms, out };
  },
};
const peers = ['ort-web', 'tfjs-wasm'];

const tfInfo = `${tf.getBackend()}, SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}, multithread ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')}`;
console.log(`threads ${threads} (every engine; tfjs-backend-wasm ${tf.version_core}: ${tfInfo}); ${rounds} interleaved rounds per model, one engine alive at a time;`);
console.log(`median of the round medians in ms (benchmark.js); ratio = edgecnn / best peer; tfjs err = max|tfjs − ort-node| / max|ort-node|`);
console.log(`${'model'.padEnd(28)} ${'edgecnn'.padStart(9)} ${'ort-web'.padStart(9)} ${'tfjs-wasm'.padStart(9)} ${'ratio'.padStart(6)} ${'best'.padStart(9)} ${'ort-node'.padStart(9)} ${'tfjs err'.padStart(9)}`);
for (const m of models) {
  if (only && !m.name.startsWith(only)) continue;
  const size = m.dims.reduce((a, b) => a * b, 1);
  const x = new Float32Array(size).map((_, i) => Math.sin(i * 0.1));
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(engines).map((e) => [e, []]));
  let note = '', tfOut: Float32Array | undefined;
  const failed: Record<string, string> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of Object.entries(engines)) {
      if (failed[name]) continue;
      try {
        const res = await run(m, x);
        times[name].push(res.ms);
        if (res.note) note = res.note;
        if (res.out) tfOut = res.out;
      } catch (e) {
        failed[name] = (e as Error).message;
      }
    }
  }
  const nat = await ortNode.InferenceSession.create(m.bytes, { intraOpNumThreads: threads, interOpNumThreads: 1 });
  const natFeeds = { [m.input]: new ortNode.Tensor('float32', x, m.dims) };
  const ref = (await nat.run(natFeeds))[nat.outputNames[0]].data as Float32Array;
  const tNat = await bench(`ort-node ${m.name}`, () => nat.run(natFeeds));
  await nat.release();
  let err = NaN;
  if (tfOut) {
    let e = 0, mx = 0;
    for (let i = 0; i < ref.length; i++) { e = Math.max(e, Math.abs(tfOut[i] - ref[i])); mx = Math.max(mx, Math.abs(ref[i])); }
    err = tfOut.length === ref.length ? e / mx : Infinity;
  }
  const med = (e: string) => (times[e].length ? median(times[e]) : NaN);
  const t = Object.fromEntries(Object.keys(engines).map((e) => [e, med(e)]));
  const bestPeer = peers.filter((p) => !Number.isNaN(t[p])).reduce((a, p) => (t[p] < t[a] ? p : a), 'ort-web');
  const f = (v: number) => (Number.isNaN(v) ? '—' : v.toFixed(2)).padStart(9);
  console.log(`${m.name.padEnd(28)} ${f(t.edgecnn)} ${f(t['ort-web'])} ${f(t['tfjs-wasm'])} ${(t.edgecnn / t[bestPeer]).toFixed(2).padStart(6)} ${bestPeer.padStart(9)} ${f(tNat)} ${(Number.isNaN(err) ? '—' : err.toExponential(1) + (err > 1e-3 ? '!' : '')).padStart(9)}   (${note})`);
  for (const [e, msg] of Object.entries(failed)) console.log(`  ${e} failed: ${msg}`);
}
