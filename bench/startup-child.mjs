// Child of bench/startup.ts: one engine, one model, fresh process, plain JS (the built dist/, no
// TypeScript loader) so the start-up time is what a user's process pays. Every engine runs on one
// thread. Prints one JSON line:
//   script    ms from process start to this script running (Node itself)
//   first     ms from process start (performance.timeOrigin) to the first result
//   created   ms from process start to the session being ready
//   hwmCreate peak RSS (VmHWM) right after create; hwmFirst right after the first run
//   rss       RSS after ten runs (the first included); hwm: VmHWM then
// argv: engine (edgecnn | onnxruntime-web | tfjs-backend-wasm) model (lenet-digits | a fixture name)
//       [tfjs peer module, bundled by bench/startup.ts from bench/peers/tfjs.ts]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const script = performance.now(); // Node's own start-up, before any engine code
const [engine, model, tfjsPeer] = process.argv.slice(2);
const hwm = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
let file, input;
if (model === 'lenet-digits') {
  file = new URL('../models/lenet-digits.onnx', import.meta.url);
  input = { name: 'input', shape: [1, 1, 28, 28] };
} else {
  const shared = new URL('../test/fixtures/models/', import.meta.url);
  file = new URL(`${model}.onnx`, shared);
  input = JSON.parse(readFileSync(new URL(`${model}.json`, shared), 'utf8')).input;
}
const buf = readFileSync(file); // a view, not a copy: the file's bytes are held once, as a browser app's fetched model would be
const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
const x = new Float32Array(input.shape.reduce((a, b) => a * b, 1)).fill(0.5);
let run;
if (engine === 'edgecnn') {
  const { Session, Tensor } = await import('../dist/index.js');
  const s = await Session.create(bytes, { threads: 1 });
  const feeds = { [input.name]: new Tensor('float32', x, input.shape) };
  run = async () => { const r = await s.run(feeds); return Object.values(r)[0].data; };
} else if (engine === 'onnxruntime-web') {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const feeds = { [input.name]: new ort.Tensor('float32', x, input.shape) };
  run = async () => { const r = await s.run(feeds); return r[s.outputNames[0]].data; };
} else if (engine === 'tfjs-backend-wasm') {
  const { createTfjsSession } = await import(tfjsPeer);
  const s = await createTfjsSession(bytes, { [input.name]: input.shape });
  const feeds = { [input.name]: x };
  run = async () => Object.values(await s.run(feeds))[0];
} else throw new Error(`unknown engine ${engine}`);
const created = performance.now();
const hwmCreate = hwm();
const y = await run();
const first = performance.now(); // ms since this process started (performance.timeOrigin)
const hwmFirst = hwm();
if (!(y.length > 0) || !Number.isFinite(y[0])) throw new Error(`${engine} ${model}: no result`);
for (let i = 0; i < 9; i++) await run();
console.log(JSON.stringify({ script, first, created, hwmCreate, hwmFirst, rss: process.memoryUsage().rss, hwm: hwm() }));
