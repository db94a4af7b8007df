// Choosing a backend: 'reference' runs the plain-TypeScript backend, 'auto' falls back to it where
// WebAssembly is missing and says why, and both give the wasm backend's answers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Session } from '../../src/session.js';
import { Tensor } from '../../src/tensor.js';
import { InvalidArgumentError } from '../../src/errors.js';

const run = promisify(execFile);
const lenet = new Uint8Array(readFileSync(new URL('../../models/lenet-digits.onnx', import.meta.url)));
const x = new Tensor('float32', new Float32Array(784).fill(0.5), [1, 1, 28, 28]);

async function outputOf(options: Parameters<typeof Session.create>[1]): Promise<{ backend: string; y: Float32Array }> {
  const s = await Session.create(lenet, options);
  const y = Object.values(await s.run({ [s.inputs[0].name]: x }))[0].data;
  const backend = s.backend;
  await s.dispose();
  return { backend, y };
}

test("backend: 'reference' runs plain TypeScript and agrees with wasm", async () => {
  const ref = await outputOf({ backend: 'reference' });
  const wasm = await outputOf({ backend: 'wasm', threads: 1 });
  assert.match(ref.backend, /^reference \(plain TypeScript, NCHW, 1 thread\)$/);
  assert.match(wasm.backend, /^wasm-/);
  for (let i = 0; i < ref.y.length; i++) assert.ok(Math.abs(ref.y[i] - wasm.y[i]) <= 1e-5 * Math.max(1, Math.abs(ref.y[i])), `class ${i}: ${ref.y[i]} vs ${wasm.y[i]}`);
});

test('a summary on the reference backend reports its kernels and its arena', async () => {
  const s = await Session.create(lenet, { backend: 'reference', inputShapes: { [/* symbolic batch */ 'input']: [4, 1, 28, 28] } });
  const r = s.summary();
  assert.ok(r.layers.every((l) => l.kernels.length === 1 && l.kernels[0].startsWith('ref_')), r.layers.map((l) => l.kernels).join());
  assert.ok(r.layers.some((l) => l.op === 'Relu'), 'the reference backend fuses nothing');
  assert.ok(r.arenaBytes > 0 && r.memoryBytes >= r.arenaBytes);
  await s.dispose();
});

test('an unknown backend name is an InvalidArgumentError listing the choices', async () => {
  try { await Session.create(lenet, { backend: 'cuda' as any }); assert.unreachable(); } catch (e) {
    assert.instance(e, InvalidArgumentError);
    assert.match((e as Error).message, /'auto', 'wasm', 'webgpu', 'reference', got 'cuda'/);
  }
});

test("without WebAssembly (node --jitless), 'auto' runs the reference backend and says why", async () => {
  const fixture = fileURLToPath(new URL('./fixtures/no-wasm.mts', import.meta.url));
  const { stdout } = await run(process.execPath, ['--jitless', '--import', 'tsx', fixture], { cwd: fileURLToPath(new URL('../..', import.meta.url)) });
  const r = JSON.parse(stdout.trim().split('\n').pop()!);
  assert.is(r.hasWasm, false);
  assert.is(r.backend, 'reference (plain TypeScript, NCHW, 1 thread) (wasm: this engine has no WebAssembly)');
  const wasm = await outputOf({ threads: 1 });
  r.output.forEach((v: number, i: number) => assert.ok(Math.abs(v - wasm.y[i]) <= 1e-5 * Math.max(1, Math.abs(v)), `class ${i}`));
});

test.run();
