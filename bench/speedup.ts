// Thread speed-up of whole models: edgecnn at 1 thread against N threads (explicit counts), sessions
// alternated in one process, R rounds; per model the median of the round medians and the speed-up.
// (Same-run ratios: the 2-core VMs here are shared, and separate processes see different neighbours.)
//   node --import tsx bench/speedup.ts [--threads N] [--rounds R] [--only NAME] [--fresh-outputs | --bind]
import { readFileSync } from 'node:fs';
import { Session, Tensor } from '../src/index.js';
import { resnetOnnx, efficientnetOnnx } from '../test/helpers/zoo.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : dflt);
const threads = opt('threads', 2), rounds = opt('rounds', 5);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
// Runs write into one output array (RunOptions.outputs) unless --fresh-outputs: a fresh output array may
// cost a page fault per 4 KB (0.3 ms for 800 KB here) or none, as the allocator happens to be, which is
// not the threads' doing.
const fresh = args.includes('--fresh-outputs');
// --bind: inputs and outputs in the session's own memory (session.bind()): no copies in or out, which on a
// threaded run are main-thread copies to and from shared memory (≈ 30 GB/s here).
const bind = args.includes('--bind');
const dir = new URL('../test/fixtures/models/', import.meta.url);
const fixture = (m: string): [string, Uint8Array] => [m, new Uint8Array(readFileSync(new URL(`${m}.onnx`, dir)))];
const models: [string, Uint8Array][] = [
  fixture('mobilenet_v2'), fixture('squeezenet1_1'), ['resnet18-style', resnetOnnx()], ['efficientnet-b0-style', efficientnetOnnx()],
  fixture('conv_3x3'), fixture('conv_1x1'), fixture('dwconv_3x3'), fixture('lenet'),
];
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];

async function medianRun(bytes: Uint8Array, t: number): Promise<number> {
  const s = await Session.create(bytes, { threads: t });
  const dims = s.inputs[0].dims.map((d) => (typeof d === 'number' ? d : 1));
  const io = bind ? await s.bind() : null;
  const x = io ? io.feeds[s.inputs[0].name].data as Float32Array : new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i);
  const feeds = io?.feeds ?? { [s.inputs[0].name]: new Tensor('float32', x, dims) };
  const y = (await s.run(feeds))[s.outputs[0].name].data as Float32Array;
  const options = fresh ? {} : { outputs: io?.outputs ?? { [s.outputs[0].name]: new Float32Array(y.length) } };
  for (const t0 = performance.now(); performance.now() - t0 < 800;) await s.run(feeds, options); // past V8's tier-up
  const ts: number[] = [];
  for (let i = 0; i < 15; i++) { const t0 = performance.now(); await s.run(feeds, options); ts.push(performance.now() - t0); }
  await s.dispose();
  return median(ts);
}

/** Round trip of one cache line between this thread and a worker, both spinning: which cores the VM gave us.
 * On the 2-core EPYC VM it measured ≈ 500 ns on some days (cores on different CCDs: 2-thread runs 1.6–1.7x)
 * and less on others (1.8–1.85x), so every run prints it. */
async function coreRoundTripNs(): Promise<number> {
  const { Worker } = await import('node:worker_threads');
  const a = new Int32Array(new SharedArrayBuffer(256));
  const n = 100_000;
  const w = new Worker(`const a = new Int32Array(require('node:worker_threads').workerData);
    for (let i = 1; i <= ${n}; i++) { while (Atomics.load(a, 0) !== i); Atomics.store(a, 16, i); }`, { eval: true, workerData: a.buffer });
  await new Promise((r) => setTimeout(r, 100));
  const t0 = performance.now();
  for (let i = 1; i <= n; i++) { Atomics.store(a, 0, i); while (Atomics.load(a, 16) !== i); }
  const ns = ((performance.now() - t0) / n) * 1e6;
  await w.terminate();
  return ns;
}

console.log(`speed-up: 1 thread against ${threads} (explicit), ${rounds} alternated rounds in one process, ${fresh ? 'fresh output arrays' : bind ? 'inputs and outputs bound (session.bind)' : 'outputs written to one array'}, Node ${process.versions.node}; core-to-core round trip ${(await coreRoundTripNs()).toFixed(0)} ns`);
for (const [name, bytes] of models) {
  if (only && !name.includes(only)) continue;
  const one: number[] = [], n: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2) { n.push(await medianRun(bytes, threads)); one.push(await medianRun(bytes, 1)); }
    else { one.push(await medianRun(bytes, 1)); n.push(await medianRun(bytes, threads)); }
  }
  const a = median(one), b = median(n);
  // the VM may move its cores between rows: the round trip again, after the row's runs
  console.log(`${name.padEnd(24)} 1 thread ${a.toFixed(3).padStart(8)} ms | ${threads} threads ${b.toFixed(3).padStart(8)} ms | speed-up ${(a / b).toFixed(2)}x | round trip after ${(await coreRoundTripNs()).toFixed(0)} ns`);
}
