// Child of bench/startup.ts: one engine, one model, fresh process, plain JS (the built dist/, no
// TypeScript loader) so the start-up time is what a user's process pays.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const [engine, model] = process.argv.slice(2);
const shared = new URL('../test/fixtures/models/', import.meta.url);
const meta = JSON.parse(readFileSync(new URL(`${model}.json`, shared), 'utf8'));
const bytes = new Uint8Array(readFileSync(new URL(`${model}.onnx`, shared)));
const x = new Float32Array(meta.input.shape.reduce((a, b) => a * b, 1)).fill(0.5);
let run;
if (engine === 'edgecnn') {
  const { Session, Tensor } = await import('../dist/index.js');
  const s = await Session.create(bytes, { threads: 1 });
  const feeds = { [meta.input.name]: new Tensor('float32', x, meta.input.shape) };
  run = () => s.run(feeds);
} else {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const feeds = { [meta.input.name]: new ort.Tensor('float32', x, meta.input.shape) };
  run = () => s.run(feeds);
}
await run();
const first = performance.now(); // ms since this process started (performance.timeOrigin)
for (let i = 0; i < 9; i++) await run();
console.log(JSON.stringify({ first, rss: process.memoryUsage().rss }));
