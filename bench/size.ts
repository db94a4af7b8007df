// Bundle size: for each engine, a tiny browser app (load a model from a URL, run it once) bundled with
// esbuild (--bundle --format=esm --platform=browser --minify), JS raw and gzip (level 9), plus the
// files each fetches beside its JS in a SIMD+threads-capable browser, raw and gzip.
// - edgecnn: the app bundle (protobuf reader included), the pool worker as a second entry point (README
//   "In web apps": esbuild needs it; fetched only when a session runs on more than one thread) and one
//   kernel binary, build/edgecnn.relaxed-threads.wasm.
// - onnxruntime-web: `onnxruntime-web/wasm` (the wasm-only build; its Emscripten glue is inlined in the
//   bundle) and, as most apps write it, `onnxruntime-web`; ort-wasm-simd-threaded.wasm. The
//   `onnxruntime-web-use-extern-wasm` condition fetches the glue (ort-wasm-simd-threaded.mjs) instead:
//   listed as its own row.
// - tfjs-backend-wasm: tfjs-core + tfjs-backend-wasm, with bench/peers/tfjs-graph.ts as the model loader
//   and executor (it reads ONNX with edgecnn's own reader, standing in for tfjs-converter, which is not
//   installed here — a real tfjs app adds tfjs-converter), and alone (core + backend: a lower bound);
//   tfjs-backend-wasm-threaded-simd.wasm (its pthread worker is inlined in the JS).
// Run: npm run bench:size   (after npm run build)
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const work = root + 'node_modules/.cache/edgecnn-bench/size/';
mkdirSync(work, { recursive: true });
const gz = (b: Uint8Array) => gzipSync(b, { level: 9 }).length;
const kb = (n: number) => (n / 1024).toFixed(1);

interface App { engine: string; variant: string; source: string; entries?: Record<string, string>; conditions?: string[]; fetched: string[] }
const apps: App[] = [
  {
    engine: 'edgecnn', variant: 'edgecnn (app + worker entry)',
    source: `import { Session, Tensor } from ${JSON.stringify(root + 'dist/index.js')};
const s = await Session.create('models/lenet-digits.onnx');
const out = await s.run({ input: new Tensor('float32', new Float32Array(784), [1, 1, 28, 28]) });
console.log(out);`,
    entries: { worker: root + 'dist/backends/wasm/pool/worker.js' },
    fetched: ['build/edgecnn.relaxed-threads.wasm'],
  },
  {
    engine: 'onnxruntime-web', variant: "onnxruntime-web/wasm",
    source: `import * as ort from 'onnxruntime-web/wasm';
const s = await ort.InferenceSession.create('models/lenet-digits.onnx');
const out = await s.run({ input: new ort.Tensor('float32', new Float32Array(784), [1, 1, 28, 28]) });
console.log(out);`,
    fetched: ['node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm'],
  },
  {
    engine: 'onnxruntime-web', variant: "onnxruntime-web",
    source: `import * as ort from 'onnxruntime-web';
const s = await ort.InferenceSession.create('models/lenet-digits.onnx');
const out = await s.run({ input: new ort.Tensor('float32', new Float32Array(784), [1, 1, 28, 28]) });
console.log(out);`,
    fetched: ['node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm'],
  },
  {
    engine: 'onnxruntime-web', variant: 'onnxruntime-web/wasm, extern glue',
    source: `import * as ort from 'onnxruntime-web/wasm';
const s = await ort.InferenceSession.create('models/lenet-digits.onnx');
const out = await s.run({ input: new ort.Tensor('float32', new Float32Array(784), [1, 1, 28, 28]) });
console.log(out);`,
    conditions: ['onnxruntime-web-use-extern-wasm'],
    fetched: ['node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm', 'node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.mjs'],
  },
  {
    engine: 'tfjs-backend-wasm', variant: 'tfjs-wasm + graph executor',
    source: `import { initTfjsWasm, createTfjsSession } from ${JSON.stringify(root + 'bench/peers/tfjs-graph.ts')};
await initTfjsWasm('/js/', 4);
const bytes = new Uint8Array(await (await fetch('models/lenet-digits.onnx')).arrayBuffer());
const s = await createTfjsSession(bytes, { input: [1, 1, 28, 28] });
console.log(await s.run({ input: new Float32Array(784) }));`,
    fetched: ['node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm'],
  },
  {
    engine: 'tfjs-backend-wasm', variant: 'tfjs-wasm core+backend only',
    source: `import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
setWasmPaths('/js/');
await tf.setBackend('wasm');
const x = tf.tensor4d(new Float32Array(784), [1, 28, 28, 1]);
console.log(await tf.conv2d(x, tf.zeros([5, 5, 1, 6]), 1, 'same').data());`,
    fetched: ['node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm'],
  },
];

console.log(`esbuild --bundle --format=esm --platform=browser --minify --splitting; JS = what a page loads before its first result (entry + static chunks); gzip level 9; KB = 1024 bytes`);
console.log(`${'app'.padEnd(36)} ${'JS raw'.padStart(8)} ${'JS gz'.padStart(8)} ${'wasm etc raw'.padStart(13)} ${'gz'.padStart(8)} ${'total gz'.padStart(9)}  files fetched beside the JS`);
const totals: Record<string, number[]> = {};
for (const app of apps) {
  const entry = `${work}${app.variant.replace(/[^a-z0-9]+/gi, '-')}.js`;
  writeFileSync(entry, app.source);
  const res = await build({
    entryPoints: { app: entry, ...(app.entries ?? {}) }, bundle: true, format: 'esm', platform: 'browser', minify: true, splitting: true,
    write: false, outdir: work + 'out', conditions: app.conditions, logLevel: 'error', absWorkingDir: root,
  });
  const js = res.outputFiles.filter((f) => f.path.endsWith('.js') || f.path.endsWith('.mjs'));
  const byName = new Map(js.map((f) => [f.path.split(/[\\/]/).pop()!, f]));
  // The JS a page loads before its first result: the entry and the chunks it imports statically
  // (code split off behind a dynamic import — the WebGPU and reference backends — loads only when used).
  const initial = new Set<string>();
  const visit = (name: string) => {
    if (initial.has(name) || !byName.has(name)) return;
    initial.add(name);
    for (const m of byName.get(name)!.text.matchAll(/(?:import|export)[^"'()]*?from\s*["']\.\/([^"']+)["']|import\s*["']\.\/([^"']+)["']/g)) visit(m[1] ?? m[2]);
  };
  visit([...byName.keys()].find((n) => /^app\.m?js$/.test(n))!);
  const concat = (names: string[]) => Buffer.concat(names.map((n) => Buffer.from(byName.get(n)!.contents)));
  const appJs = { path: 'app.js', contents: concat([...initial]) };
  const rest = js.filter((f) => !initial.has(f.path.split(/[\\/]/).pop()!) && !/^chunk-/.test(f.path.split(/[\\/]/).pop()!));
  const fetched = app.fetched.map((p) => readFileSync(root + p));
  const row = (label: string, jsRaw: number, jsGz: number, note: string) => {
    const fr = fetched.reduce((s, b) => s + b.length, 0), fg = fetched.reduce((s, b) => s + gz(b), 0);
    console.log(`${label.padEnd(36)} ${kb(jsRaw).padStart(8)} ${kb(jsGz).padStart(8)} ${kb(fr).padStart(13)} ${kb(fg).padStart(8)} ${kb(jsGz + fg).padStart(9)}  ${note}`);
    return [jsRaw, jsGz, fr, fg];
  };
  const names = app.fetched.map((p) => p.split('/').pop()).join(' + ');
  totals[app.variant] = row(app.variant.replace(' (app + worker entry)', ' (app)'), appJs.contents.length, gz(appJs.contents), names);
  for (const f of rest) {
    const name = f.path.split(/[\\/]/).pop()!;
    const why = /^worker/.test(name) ? 'the pool worker (threads > 1 only)' : `loaded only when the ${name.replace(/-.*$/, '')} backend is chosen`;
    console.log(`${('  + ' + name).padEnd(36)} ${kb(f.contents.length).padStart(8)} ${kb(gz(f.contents)).padStart(8)}${''.padStart(33)}  ${why}`);
  }
}
const ours = totals['edgecnn (app + worker entry)'];
const peers = ['onnxruntime-web/wasm', 'tfjs-wasm + graph executor'];
const best = (i: number) => Math.min(...peers.map((p) => totals[p][i]));
console.log(`edgecnn / best peer (onnxruntime-web/wasm, tfjs-wasm + graph executor): JS gz ${(ours[1] / best(1)).toFixed(3)}, wasm gz ${(ours[3] / best(3)).toFixed(3)}, total gz ${((ours[1] + ours[3]) / Math.min(...peers.map((p) => totals[p][1] + totals[p][3]))).toFixed(3)}`);
console.log(`target: edgecnn app JS ≤ 60 KB gzip (protobuf reader included): ${kb(ours[1])} KB — ${ours[1] <= 60 * 1024 ? 'met' : 'NOT met'}; one wasm binary fetched: ${apps[0].fetched.length === 1 ? 'yes' : 'no'}`);
