// The built package on Deno's built-in WebGPU (navigator.gpu, wgpu over Vulkan): SwiftShader here, as
// for Node (VK_ICD_FILENAMES given to the child). 'webgpu' gives PyTorch's logits; 'auto' leaves the
// software adapter for wasm and says why. No adapter: a loud skip (a failure in CI).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { refLogits, maxAbsDiff, argmaxRows, runLimited } from '../runtimes/helpers.ts';
import { SWIFTSHADER_ICD } from './gpu.ts';

const deno = fileURLToPath(new URL('../../node_modules/.bin/deno', import.meta.url));
const script = fileURLToPath(new URL('./fixtures/deno.js', import.meta.url));

test('deno navigator.gpu: webgpu gives the reference logits; auto leaves a software adapter for wasm', async () => {
  if (!existsSync(deno)) { console.log('\n!!!!! DENO WEBGPU TEST SKIPPED: node_modules/.bin/deno is missing\n'); if (process.env.CI) assert.unreachable('deno missing'); return; }
  const env = process.env.VK_ICD_FILENAMES || !existsSync(SWIFTSHADER_ICD) ? {} : { VK_ICD_FILENAMES: SWIFTSHADER_ICD };
  const r = await runLimited(deno, ['run', '--allow-read', '--allow-env', '--no-prompt', script], 60_000, env);
  const detail = `exit ${r.code} after ${r.ms} ms\n--- stdout\n${r.out}\n--- stderr\n${r.err}`;
  assert.is(r.code, 0, detail);
  const out = JSON.parse(r.out.trim().split('\n').pop()!);
  if (!out.adapter) {
    const msg = `!!!!! DENO WEBGPU TEST SKIPPED: ${out.hasGpu ? 'no adapter' : 'no navigator.gpu'}`;
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
  console.log(`    deno (${out.adapter}): '${gpu.backend}'; auto: '${auto.backend}'`);
});

test.run();
