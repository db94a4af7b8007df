// The threaded Session in Deno and Bun (npm packages `deno` and `bun`, run from node_modules/.bin): each
// runtime runs test/runtimes/fixtures/session.js on the built package (dist/) and prints JSON; here we
// check the logits (threads 2 bit-identical to threads 1 on the same binary, all within 1e-4 of
// PyTorch's), that the threaded session says "2 threads", and that the process ends by itself after
// dispose() (each spawn is killed after 30 s, which fails the test). A process that forgets dispose()
// must also end by itself (workers are unref'ed between runs): Bun's web Worker has unref(); Deno's has
// none, so in Deno the pool spawns its workers through node:worker_threads, whose unref() Deno honours
// (docs/DESIGN.md, "Runtimes"). `backend` may end with a note from another backend, e.g. Deno's software
// WebGPU adapter: " (webgpu: software adapter 'llvmpipe', wasm is faster)".
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { refLogits, labels, maxAbsDiff, sameBits, argmaxRows, runLimited, type Spawned } from './helpers.ts';

const LIMIT_MS = 30_000;
const script = fileURLToPath(new URL('./fixtures/session.js', import.meta.url));
const bin = (name: string) => fileURLToPath(new URL(`../../node_modules/.bin/${name}`, import.meta.url));
const runtimes: Record<string, { cmd: string; args: (mode: string) => string[] }> = {
  deno: { cmd: bin('deno'), args: (mode) => ['run', '--allow-read', '--no-prompt', script, mode] },
  bun: { cmd: bin('bun'), args: (mode) => [script, mode] },
};

interface Result { threads: number; flavor: string | null; sessionThreads: number; backend: string; dims: number[]; logits: number[]; repeatSame: boolean }

function parse(r: Spawned, what: string): { runtime: string; results: Result[] } {
  const detail = `${what}: exit ${r.code}${r.signal ? ` (${r.signal})` : ''} after ${r.ms} ms\n--- stdout\n${r.out}\n--- stderr\n${r.err}`;
  assert.not.ok(r.killed, `${what} did not exit within ${LIMIT_MS / 1000} s (killed)\n${detail}`);
  assert.is(r.code, 0, detail);
  const line = r.out.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line);
  } catch {
    assert.unreachable(`${what} printed no JSON\n${detail}`);
    throw new Error('unreachable');
  }
}

function checkResults(name: string, out: { runtime: string; results: Result[] }): void {
  const [t2, t1, t1same] = out.results;
  assert.is(out.results.length, 3);
  assert.is(t2.sessionThreads, 2, `${name}: ${t2.backend}`);
  assert.match(t2.backend, /(^|, )2 threads( \(webgpu: [^)]*\))?$/, `${name}: backend '${t2.backend}'`);
  assert.match(t2.backend, /^wasm-[a-z]+-threads, /, `${name}: a threads binary runs the 2-thread session`);
  assert.match(t1.backend, /, 1 thread( \(webgpu: [^)]*\))?$/, `${name}: ${t1.backend}`);
  assert.match(t1same.backend, /, 1 thread( \(webgpu: [^)]*\))?$/, `${name}: ${t1same.backend}`);
  assert.ok(t1same.backend.startsWith(t2.backend.split(',')[0] + ','), `${name}: same binary: ${t1same.backend} vs ${t2.backend}`);
  for (const r of out.results) {
    assert.equal(r.dims, [10, 10]);
    assert.ok(r.repeatSame, `${name} ${r.backend}: a second run gave other bits`);
    const d = maxAbsDiff(r.logits, refLogits);
    assert.ok(d <= 1e-4, `${name} ${r.backend}: max |logit - PyTorch| = ${d}`);
    assert.equal(argmaxRows(r.logits), argmaxRows(refLogits), `${name} ${r.backend}: top-1 classes`);
  }
  assert.ok(sameBits(t2.logits, t1same.logits), `${name}: threads 2 and threads 1 on ${t2.backend.split(',')[0]} differ (max ${maxAbsDiff(t2.logits, t1same.logits)})`);
  // The 1-thread default binary (plain SIMD) may differ from the relaxed one by rounding only; where
  // both are the same binary (or the engine computes relaxed madd unfused) the bits agree too.
  if (t1.backend.split(',')[0] === t2.backend.split(',')[0]) assert.ok(sameBits(t2.logits, t1.logits), `${name}: threads 2 vs threads 1`);
}

for (const [name, rt] of Object.entries(runtimes)) {
  test(`${name}: Session with threads 2 and 1 gives the reference logits and exits after dispose()`, async () => {
    assert.ok(existsSync(rt.cmd), `${rt.cmd} is missing: run 'npm ci' (devDependency '${name}')`);
    const r = await runLimited(rt.cmd, rt.args('dispose'), LIMIT_MS);
    const out = parse(r, `${name} (dispose)`);
    assert.match(out.runtime, new RegExp(`^${name} `));
    checkResults(name, out);
    const acc = argmaxRows(out.results[0].logits).filter((c, i) => c === labels[i]).length;
    console.log(`  ${out.runtime}: ${out.results[0].backend}; ${acc}/10 correct; exited ${r.ms} ms after start`);
  });
}

for (const [name, rt] of Object.entries(runtimes)) {
  test(`${name}: a process that forgets dispose() still exits by itself (workers unref'ed between runs)`, async () => {
    const r = await runLimited(rt.cmd, rt.args('forget'), LIMIT_MS);
    const out = parse(r, `${name} (forget)`);
    checkResults(`${name} (forget)`, out);
    // it ended by itself, promptly: not by the 30 s kill (parse checks that) nor after a long linger
    assert.ok(r.ms < 15_000, `${name} (forget) took ${r.ms} ms to exit`);
  });
}

test.run();
