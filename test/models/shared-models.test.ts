// The torchvision exports in test/fixtures/models against PyTorch's outputs (lenet, squeezenet1_1,
// mobilenet_v2) or onnxruntime-node's on a seeded input (the single-layer models), in every kernel
// binary, single-threaded, and on the reference backend. Tolerance: max |err| ≤ 1e-4 × max |oracle|:
// float32 accumulation in another order over K up to 9·960 terms drifts by ~1e-6 relative per
// layer; 50+ layers stay well inside 1e-4.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as ort from 'onnxruntime-node';
import { Session, type SessionOptions } from '../../src/session.js';
import { Tensor } from '../../src/tensor.js';
import { flavors } from '../helpers/harness.js';
import { MODEL_NAMES, modelBytes, modelMeta, torchIO } from '../helpers/fixtures.js';
import { rng } from '../helpers/rng.js';

export const results: Record<string, number> = {};
const BIG = new Set<string>(['mobilenet_v2', 'squeezenet1_1']);

/** The model's input and the oracle's output: PyTorch's when the fixture has it, else onnxruntime-node's. */
async function oracle(name: string): Promise<{ input: Float32Array; output: Float32Array; by: string }> {
  const io = torchIO(name);
  if (io) return { ...io, by: 'PyTorch' };
  const meta = modelMeta(name);
  const input = Float32Array.from(rng(5).floats(meta.input.shape.reduce((a, b) => a * b, 1), 1));
  const s = await ort.InferenceSession.create(modelBytes(name));
  const out = await s.run({ [meta.input.name]: new ort.Tensor('float32', input, meta.input.shape) });
  return { input, output: out[meta.output.name].data as Float32Array, by: 'onnxruntime-node' };
}

let cases = 0;
for (const name of MODEL_NAMES) {
  const meta = modelMeta(name);
  // the big models run in the two SIMD binaries only; the scalar binary is covered by the small ones
  const configs: SessionOptions[] = (BIG.has(name) ? flavors.filter((f) => f === 'simd' || f === 'relaxed-threads') : flavors).map((flavor) => ({ flavor, threads: 1 }));
  // the reference backend on the small models (mobilenet_v2 takes tens of seconds there)
  if (!BIG.has(name) || name === 'squeezenet1_1') configs.push({ backend: 'reference' });
  for (const options of configs) {
    const label = options.backend ?? options.flavor;
    cases++;
    test(`${name} matches its oracle (${label})`, async () => {
      const { input, output: ref, by } = await oracle(name);
      const session = await Session.create(modelBytes(name), options);
      try {
        const out = await session.run({ [meta.input.name]: new Tensor('float32', input, meta.input.shape) });
        const y = out[meta.output.name];
        assert.equal([...y.dims], meta.output.shape);
        let maxErr = 0, maxRef = 0;
        for (let i = 0; i < ref.length; i++) {
          maxErr = Math.max(maxErr, Math.abs(y.data[i] - ref[i]));
          maxRef = Math.max(maxRef, Math.abs(ref[i]));
        }
        const rel = maxErr / maxRef;
        results[`${name}/${label}`] = rel;
        console.log(`    ${name} ${label} vs ${by}: max |err| ${maxErr.toExponential(2)} = ${rel.toExponential(2)} x max |ref|`);
        assert.ok(Number.isFinite(rel) && rel <= 1e-4, `${name}: max |err| / max |ref| = ${rel}`);
      } finally {
        await session.dispose();
      }
    });
  }
}

test('every fixture model ran on at least two configurations', () => {
  assert.ok(cases >= MODEL_NAMES.length * 2, `${cases} cases`);
});

test.run();
