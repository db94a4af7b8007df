// The built package on Deno's built-in WebGPU (navigator.gpu, wgpu over Vulkan) and on Bun (Dawn from
// the webgpu package, passed as options.gpu): SwiftShader here, as for Node (VK_ICD_FILENAMES given to
// the child). 'webgpu' gives PyTorch's logits; 'auto' leaves the software adapter for wasm and says
// why. No adapter: a loud skip (a failure in CI).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { refLogits, maxAbsDiff, argmaxRows, runLimited } from '../runtimes/helpers.ts';
import { SWIFTSHADER_ICD } from './gpu.ts';

const bin = (name: string) => fileURLToPath(new URL(`../../node_modules/.bin/${name}`, import.meta.url));
const script = fileURLToPath(new URL('./fixtures/runtime.js', import.meta.url));
const RUNTIMES: Record<string, string[]> = { deno: ['run', '--allow-read', '--allow-env', '--allow-ffi', '--no-prompt', script], bun: [script] };

for (const [rt, args] of Object.entries(RUNTIMES)) test(`${rt}: webgpu gives the reference logits; auto leaves a software adapter for wasm`, async () => {
  const cmd = bin(rt);
  if (!existsSync(cmd)) { console.log(`\n!!!!! ${rt.toUpperCase()} WEBGPU TEST SKIPPED: node_modules/.bin/${rt} is missing\n`); if (process.env.CI) assert.unreachable(`${rt} missing`); return; }
  const env = process.env.VK_ICD_FILENAMES || !existsSync(SWIFTSHADER_ICD) ? {} : { VK_ICD_FILENAMES: SWIFTSHADER_ICD };
  const r = await runLimited(cmd, args, 60_000, env);
  const detail = `exit ${r.code} after ${r.ms} ms\n--- stdout\n${r.out}\n--- stderr\n${r.err}`;
  assert.is(r.code, 0, detail);
  const out = JSON.parse(r.out.trim().split('\n').pop()!);
  if (!out.adapter) {
    const msg = `!!!!! ${rt.toUpperCase()} WEBGPU TEST SKIPPED: ${out.hasGpu ? 'no adapter' : 'no navigator.gpu'}`;
    if (process.env.CI) assert.unreachable(msg);
    console.log(`\n${msg}\n`);
    return;
  }
  const [gpu, auto] = out.results;
  assert.match(gpu.backend, /^webgpu \(/, gpu.backend);
  for (const x of out.results) {
    const d = maxAbsDiff(x.logits, refLogits);
    assert.ok(d <= 1e-4, `${x.backend}: max |logit - PyTorch| = ${d}`);
    assert.equal(argmaxRows(x.logits), argmaxRows(refLogits));
  }
  assert.match(auto.backend, /^wasm-\S+, 1 thread \(webgpu: software adapter '[^']+', wasm is faster\)$/, auto.backend);
  console.log(`    ${rt} (${out.adapter}): '${gpu.backend}'; auto: '${auto.backend}'`);
});

test.run();
