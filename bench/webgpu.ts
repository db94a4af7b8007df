// WebGPU vs wasm on the fixture models: median wall time of a run (upload, every dispatch, one
// submit, read-back) after warm-up, and the compile time (pipelines included). Node: Dawn from the
// `webgpu` package on the first adapter it finds (SwiftShader where there is no GPU: set
// VK_ICD_FILENAMES, or let this script set it as the tests do).
//   node --import tsx bench/webgpu.ts [model ...]   (default: lenet conv_1x1 dwconv_3x3 conv_3x3 squeezenet1_1 mobilenet_v2)
import { Session } from '../src/session.js';
import { Tensor } from '../src/tensor.js';
import { modelBytes, modelMeta } from '../test/helpers/fixtures.js';
import { softwareGpu } from '../test/webgpu/gpu.js';

const setup = await softwareGpu();
if (!setup.ok) { console.error(`bench/webgpu: ${setup.reason}`); process.exit(1); }
console.log(`adapter: ${setup.adapterName}`);
const models = process.argv.slice(2).length ? process.argv.slice(2) : ['lenet', 'conv_1x1', 'dwconv_3x3', 'conv_3x3', 'squeezenet1_1', 'mobilenet_v2'];
const median = (a: number[]) => a.slice().sort((x, y) => x - y)[a.length >> 1];

async function time(name: string, options: Parameters<typeof Session.create>[1]): Promise<{ compile: number; run: number; backend: string }> {
  const meta = modelMeta(name);
  const t0 = performance.now();
  const s = await Session.create(modelBytes(name), options);
  const compile = performance.now() - t0;
  const x = new Tensor('float32', Float32Array.from({ length: meta.input.shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i)), meta.input.shape);
  const feeds = { [s.inputs[0].name]: x };
  await s.run(feeds);
  const ts: number[] = [];
  const until = performance.now() + 3000;
  while (ts.length < 5 || (ts.length < 50 && performance.now() < until)) { const a = performance.now(); await s.run(feeds); ts.push(performance.now() - a); }
  const backend = s.backend;
  await s.dispose();
  return { compile, run: median(ts), backend };
}

console.log('model          webgpu run ms  (compile ms)   wasm run ms  (compile ms)');
for (const name of models) {
  const g = await time(name, { backend: 'webgpu', gpu: setup.gpu });
  const w = await time(name, { backend: 'wasm' });
  console.log(`${name.padEnd(14)} ${g.run.toFixed(2).padStart(13)}  (${g.compile.toFixed(0).padStart(8)})   ${w.run.toFixed(2).padStart(11)}  (${w.compile.toFixed(0).padStart(8)})`);
}
console.log('(webgpu on a software adapter is expected to lose to wasm: that is why backend \'auto\' does not take it)');
process.exit(0);
