// Architectures beyond the shared models, built as ONNX in code (test/helpers/zoo.ts) the way
// torchvision exports them, against onnxruntime-node. Tolerance as the model bar:
// max |err| ≤ 1e-4 × max |reference|.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as ort from 'onnxruntime-node';
import { resnetOnnx, efficientnetOnnx } from '../helpers/zoo.js';
import { Session } from '../../src/session.js';
import { Tensor } from '../../src/tensor.js';
import { rng } from '../helpers/rng.js';

async function check(label: string, bytes: Uint8Array, dims: number[], flavor: 'simd' | 'scalar' | 'relaxed-threads' = 'simd', threads = 1) {
  const x = rng(11).floats(dims.reduce((a, b) => a * b, 1), 1);
  const ref = await ort.InferenceSession.create(bytes);
  const want = (await ref.run({ input: new ort.Tensor('float32', x, dims) })).output.data as Float32Array;
  const s = await Session.create(bytes, { flavor, threads });
  const got = (await s.run({ input: new Tensor('float32', x, dims) })).output.data;
  const kinds = s.summary().layers.map((l) => l.op);
  await s.dispose();
  let err = 0, mx = 0;
  for (let i = 0; i < want.length; i++) { err = Math.max(err, Math.abs(got[i] - want[i])); mx = Math.max(mx, Math.abs(want[i])); }
  console.log(`    ${label} (${flavor}, ${threads} thread${threads > 1 ? 's' : ''}): max |err| = ${(err / mx).toExponential(2)} x max |ref|`);
  assert.ok(err <= 1e-4 * mx, `${label}: ${err / mx}`);
  return kinds;
}

test('resnet-style network, small (widths 16..128, 64x64, batch 2), simd and scalar', async () => {
  const bytes = resnetOnnx({ widths: [16, 32, 64, 128], size: 64, classes: 37, batch: 2 });
  const kinds = await check('resnet-small', bytes, [2, 3, 64, 64]);
  await check('resnet-small', bytes, [2, 3, 64, 64], 'scalar');
  // batch-norm folded, residual add and ReLU fused into the second convolution of each block
  assert.not.ok(kinds.includes('BatchNormalization'));
  assert.ok(kinds.filter((k) => k === 'Conv+act+add').length === 8, kinds.join(','));
});

test('resnet-18-style network at 224x224 (the benchmark model)', async () => {
  await check('resnet18', resnetOnnx(), [1, 3, 224, 224]);
});

test('efficientnet-style network (SiLU, squeeze-excite), small (width 0.5, 96x96, batch 2), simd and scalar, 2 threads', async () => {
  const bytes = efficientnetOnnx({ width: 0.5, head: 320, size: 96, classes: 23, batch: 2 });
  const kinds = await check('efficientnet-small', bytes, [2, 3, 96, 96]);
  await check('efficientnet-small', bytes, [2, 3, 96, 96], 'scalar');
  await check('efficientnet-small', bytes, [2, 3, 96, 96], 'relaxed-threads', 2);
  // batch-norm folded; the squeeze-excite scale is a broadcast Mul; SiLU's Sigmoid fused into no conv (it has two users)
  assert.not.ok(kinds.includes('BatchNormalization'));
  assert.ok(kinds.includes('Mul') && kinds.includes('GlobalAveragePool'), kinds.join(','));
});

test('efficientnet-b0-style network at 224x224 (the benchmark model)', async () => {
  await check('efficientnet-b0', efficientnetOnnx(), [1, 3, 224, 224]);
});

test.run();
