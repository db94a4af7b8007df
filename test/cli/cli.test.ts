// The command line as a user runs it (the built dist/cli.js): the bundled model, summary, demo, errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const shared = FIXTURES_DIR;

async function edgecnn(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run(process.execPath, [cli, ...args], { timeout: 60_000 });
    return { ...r, code: 0 };
  } catch (e: any) {
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: e.code ?? -1 };
  }
}

test('run with no model: the bundled digit classifier gets its ten samples right', async () => {
  const r = await edgecnn('run', '--repeat', '3');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /bundled lenet-digits/);
  assert.match(r.stdout, /output\s+logits \[10, 10\]/);
  assert.match(r.stdout, /accuracy 10\/10/);
  assert.match(r.stdout, /latency\s+median [\d.]+ ms/);
});

test('run --profile prints every layer with its time, GFLOP/s for convolutions and totals by operator', async () => {
  const r = await edgecnn('run', '--profile', '--repeat', '2', '--threads', '1');
  assert.is(r.code, 0, r.stderr);
  const prof = r.stdout.slice(r.stdout.indexOf('profile'));
  for (const layer of ['/conv1/Conv', '/conv2/Conv', '/fc3/Gemm']) assert.match(prof, layer);
  assert.match(prof, /\/conv1\/Conv\s+Conv\+act\s+10x6x28x28\s+[\d.]+\s+[\d.]+\s+f32_igemm_4x8/);
  assert.match(prof, /median of 2 node-by-node runs/);
  assert.match(prof, /total [\d.]+ ms\n(\s+\S+\s+[\d.]+ ms\s+[\d.]+%\s+\(\d+ layers?\)\n?)+/); // totals by operator, largest first
  assert.match(prof.slice(prof.indexOf('total ')), /\n\s+Conv\+act\s+[\d.]+ ms/);
  const j = JSON.parse((await edgecnn('run', '--profile', '--repeat', '1', '--json')).stdout);
  assert.ok(j.profile.layers.length >= 9 && j.profile.totalMs > 0);
});

test('run --json on a shared model with a .bin input', async () => {
  const r = await edgecnn('run', `${shared}lenet.onnx`, '--input', `${shared}lenet.input.bin`, '--json', '--repeat', '2');
  assert.is(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.outputs.output.dims, [1, 10]);
  assert.is(j.outputs.output.top5[0].length, 5);
  assert.ok(j.medianMs > 0);
});

test('run with a .npy input', async () => {
  const r = await edgecnn('run', fileURLToPath(new URL('../../models/lenet-digits.onnx', import.meta.url)), '--input', fileURLToPath(new URL('../../models/digits-sample.npy', import.meta.url)), '--repeat', '1', '--json');
  assert.is(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).input.dims, [10, 1, 28, 28]);
});

test('summary prints the layer table and the memory totals', async () => {
  const r = await edgecnn('summary', `${shared}mobilenet_v2.onnx`);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /layer\s+op\s+output\s+params\s+MACs\s+act bytes/);
  assert.match(r.stdout, /Conv\+act\s+1x32x112x112/);
  assert.match(r.stdout, /total MACs\s+300,774,272/);
  assert.match(r.stdout, /activation arena\s+[\d.]+ MiB peak/);
  const big = await edgecnn('summary', fileURLToPath(new URL('../../models/lenet-digits.onnx', import.meta.url)), '--shape', 'input=32x1x28x28', '--json');
  assert.is(big.code, 0, big.stderr);
  assert.equal(JSON.parse(big.stdout).inputDims, { input: [32, 1, 28, 28] });
});

test('demo builds and runs the layer-builder network', async () => {
  const r = await edgecnn('demo', '--repeat', '2');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /conv1\s+Conv\+act\s+1x16x32x32/);
  assert.match(r.stdout, /output\s+\[1, 10\]/);
});

test('errors: unknown command, unknown option, missing file', async () => {
  assert.is((await edgecnn('frobnicate')).code, 2);
  const opt = await edgecnn('run', '--bogus', '1');
  assert.is(opt.code, 1);
  assert.match(opt.stderr, /unknown option --bogus/);
  const missing = await edgecnn('run', '/nonexistent.onnx');
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /edgecnn: cannot read model file/);
  assert.not.match(missing.stderr, /at .*\.js/, 'no stack trace for a user error');
});

test.run();
