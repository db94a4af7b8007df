// The in-repo architectures beyond classification (test/helpers/architectures.ts: U-Net, ESPCN, style
// transfer, 1-D audio, ConvNeXt) on every backend configuration of the op-case table and on WebGPU where
// an adapter exists, against onnxruntime-node. Tolerance as the model bar of the shared-model tests:
// max |err| ≤ 1e-4 × max |reference| (float32 sums of up to 9·9·8 = 648 products through 10–20 layers
// in another order than onnxruntime's; instance and layer norm divide by a standard deviation, which
// can amplify a relative error, so the bound is on the output's scale, not elementwise).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as ort from 'onnxruntime-node';
import { ARCHITECTURES, type Architecture } from '../helpers/architectures.js';
import { backendConfigs, webgpuConfig, type BackendConfig } from '../helpers/backend-configs.js';
import { Session } from '../../src/session.js';
import { Tensor } from '../../src/tensor.js';
import { rng } from '../helpers/rng.js';

const { configs, dispose } = await backendConfigs();
const gpu = await webgpuConfig();
const all: BackendConfig[] = [...configs, ...(gpu ? [gpu] : [])];

async function oracle(a: Architecture, x: Float32Array): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(a.bytes);
  const y = (await s.run({ input: new ort.Tensor('float32', x, a.dims) })).output.data as Float32Array;
  await s.release();
  return y;
}

assert.ok(ARCHITECTURES.length >= 5, 'the architecture list is not empty');

for (const make of ARCHITECTURES) {
  const a = make();
  test(`${a.name} (${a.ops.join(', ')}) matches onnxruntime-node on ${all.map((c) => c.key).join(', ')}`, async () => {
    const x = rng(7).floats(a.dims.reduce((p, d) => p * d, 1), 1);
    const want = await oracle(a, x);
    const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    assert.ok(scale > 1e-3 && want.every(Number.isFinite), `${a.name}: the oracle's output is degenerate (max |y| = ${scale})`);
    for (const c of all) {
      const s = await Session.create(a.bytes, c.options);
      try {
        const got = (await s.run({ input: new Tensor('float32', x, a.dims) })).output;
        assert.equal(got.data.length, want.length, `${a.name} on ${c.key}: output size`);
        let err = 0;
        for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got.data[i] - want[i]));
        assert.ok(err <= 1e-4 * scale, `${a.name} on ${c.key}: max |err| ${err.toExponential(2)} > 1e-4 × ${scale.toExponential(2)}`);
        const left = s.summary().layers.map((l) => l.op.split('+')[0]).filter((op) => a.absent.includes(op));
        assert.equal(left, [], `${a.name} on ${c.key}: left in the planned graph`);
        console.log(`    ${a.name} on ${c.key}: max |err| = ${(err / scale).toExponential(2)} × max |ref|`);
      } finally {
        await s.dispose();
      }
    }
  });
}

test.after(dispose);
test.run();
