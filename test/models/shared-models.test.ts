// The torchvision exports in ../shared/models against their PyTorch reference outputs, in every
// kernel binary, single-threaded. Tolerance: max |err| ≤ 1e-4 × max |reference| (the bar):
// float32 accumulation in another order over K up to 9·960 terms drifts by ~1e-6 relative per
// layer; 50+ layers stay well inside 1e-4.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, existsSync } from 'node:fs';
import { Session } from '../../src/session.js';
import { Tensor } from '../../src/tensor.js';
import { flavors } from '../helpers/harness.js';

const dir = new URL('../../../shared/models/', import.meta.url);
const names = ['lenet', 'conv_1x1', 'conv_3x3', 'dwconv_3x3', 'squeezenet1_1', 'mobilenet_v2'];
const f32 = (file: string) => { const b = readFileSync(new URL(file, dir)); return new Float32Array(b.buffer, b.byteOffset, b.byteLength >> 2); };

export const results: Record<string, number> = {};

for (const name of names) {
  const meta = existsSync(new URL(`${name}.json`, dir)) ? JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8')) : null;
  if (!meta) continue;
  // the big models run in the two SIMD binaries only; the scalar binary is covered by the small ones
  const fl = ['mobilenet_v2', 'squeezenet1_1'].includes(name) ? flavors.filter((f) => f === 'simd' || f === 'relaxed-threads') : flavors;
  for (const flavor of fl) {
    test(`${name} matches PyTorch (${flavor})`, async () => {
      const session = await Session.create(new URL(`${name}.onnx`, dir), { flavor, threads: 1 });
      try {
        const x = new Tensor('float32', f32(`${name}.input.bin`), meta.input.shape);
        const out = await session.run({ [meta.input.name]: x });
        const y = out[meta.output.name];
        const ref = f32(`${name}.output.bin`);
        assert.equal([...y.dims], meta.output.shape);
        let maxErr = 0, maxRef = 0;
        for (let i = 0; i < ref.length; i++) {
          maxErr = Math.max(maxErr, Math.abs(y.data[i] - ref[i]));
          maxRef = Math.max(maxRef, Math.abs(ref[i]));
        }
        const rel = maxErr / maxRef;
        results[`${name}/${flavor}`] = rel;
        console.log(`    ${name} ${flavor}: max |err| ${maxErr.toExponential(2)} = ${rel.toExponential(2)} x max |ref|`);
        assert.ok(Number.isFinite(rel) && rel <= 1e-4, `${name}: max |err| / max |ref| = ${rel}`);
      } finally {
        await session.dispose();
      }
    });
  }
}

test.run();
