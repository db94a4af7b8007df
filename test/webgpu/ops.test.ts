// Every op case (test/helpers/op-cases.ts) on the WebGPU backend (Dawn for Node on the first adapter,
// SwiftShader without a GPU) against onnxruntime-node, and against the reference backend.
//
// Tolerance, |ours - expected| ≤ atol + rtol·|expected| elementwise:
// - webgpu vs onnxruntime: 2e-5 + 1e-4·|ort|, the wasm backend's bound. The WGSL kernels sum float32
//   products in their own order (an 8-deep tile at a time, fma), like wasm; WGSL's exp and tanh are
//   allowed 3 + 2·|x| ulp, more than wasm's polynomials, which the relative term still covers at the
//   case sizes (|x| ≤ ~10).
// - webgpu vs reference: 2e-6 + 1e-5·|ref|, the wasm-vs-reference bound. The reference is exact to one
//   float32 rounding per node, so this is the kernels' own error (measured ~0.15 of it at most).
// The measured worst case is printed at the end of the run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as ort from 'onnxruntime-node';
import { makeModel } from '../helpers/onnx-builder.js';
import { OP_CASES, caseInputs, inputDims, compareOutputs, type OpCase, type Outputs, type Tol } from '../helpers/op-cases.js';
import { webgpuConfig } from '../helpers/backend-configs.js';
import { Session } from '../../src/session.js';
import { Tensor } from '../../src/tensor.js';
import { UnsupportedError } from '../../src/errors.js';
import { WEBGPU_OPS } from '../../src/backends/webgpu/kernels.js';
import { OPS, PLANNED_OPS } from '../../src/model/ops.js';

const VS_ORT: Tol = { atol: 2e-5, rtol: 1e-4 };
const VS_REFERENCE: Tol = { atol: 2e-6, rtol: 1e-5 };

const config = await webgpuConfig();
const names = (c: OpCase) => c.outputs ?? ['y'];
const worst = new Map<string, { ratio: number; where: string }>();
const ran = new Set<string>();
const results = new Map<string, string>();

const modelOf = (c: OpCase) => makeModel({ ...c.spec, inputs: Object.entries(inputDims(c)).map(([name, dims]) => ({ name, dims })), outputs: names(c).map((name) => ({ name })) });
const feedsOf = (c: OpCase, feeds: Record<string, Float32Array>) => Object.fromEntries(Object.entries(inputDims(c)).map(([n, d]) => [n, new Tensor('float32', feeds[n], d)]));

async function runOrt(bytes: Uint8Array, c: OpCase, feeds: Record<string, Float32Array>): Promise<Outputs> {
  const s = await ort.InferenceSession.create(bytes);
  const out = await s.run(Object.fromEntries(Object.entries(inputDims(c)).map(([n, d]) => [n, new ort.Tensor('float32', feeds[n], d)])));
  await s.release();
  return Object.fromEntries(names(c).map((n) => [n, { dims: [...out[n].dims].map(Number), data: out[n].data as Float32Array }]));
}

async function runOn(options: any, bytes: Uint8Array, c: OpCase, feeds: Record<string, Float32Array>, gpu: boolean): Promise<Outputs | null> {
  const refusal = gpu ? c.unsupported?.webgpu : undefined;
  let s: Session;
  try {
    s = await Session.create(bytes, options);
  } catch (e) {
    if (!refusal) throw e;
    if (!(e instanceof UnsupportedError) || !refusal.test(e.message)) throw new Error(`listed as unsupported (${refusal}), failed with ${(e as Error).name}: ${(e as Error).message}`);
    return null;
  }
  try {
    if (refusal) throw new Error(`listed as unsupported (${refusal}) but Session.create accepted it`);
    const out = await s.run(feedsOf(c, feeds));
    if (gpu) {
      if (!s.backend.startsWith('webgpu (')) throw new Error(`asked for webgpu, got '${s.backend}'`);
      for (const l of s.summary().layers) ran.add(l.op.replace(/\+.*$/, ''));
    }
    return Object.fromEntries(names(c).map((n) => [n, { dims: [...out[n].dims], data: out[n].data as Float32Array }]));
  } finally {
    await s.dispose();
  }
}

const compare = (label: string, c: OpCase, got: Outputs, want: Outputs, tol: Tol) => compareOutputs(worst, label, c, got, want, tol);

if (config) {
  for (const c of OP_CASES) {
    test(`${c.name}: webgpu matches onnxruntime and the reference backend`, async () => {
      const bytes = modelOf(c), feeds = caseInputs(c);
      try {
        const want = await runOrt(bytes, c, feeds);
        const got = await runOn(config.options, bytes, c, feeds, true);
        if (!got) { results.set(c.name, 'refused'); return; }
        compare('webgpu vs ort', c, got, want, VS_ORT);
        const ref = await runOn({ backend: 'reference' }, bytes, c, feeds, false);
        compare('webgpu vs reference', c, got, ref!, VS_REFERENCE);
        results.set(c.name, 'ran');
      } catch (e) {
        results.set(c.name, (e as Error).message);
        throw e;
      }
    });
  }

  test('every case ran on webgpu (or was refused as listed); every planned operator ran', () => {
    const failed = [...results].filter(([, r]) => r !== 'ran' && r !== 'refused');
    console.log(`    webgpu op cases: ${[...results.values()].filter((r) => r === 'ran').length} ran, ${[...results.values()].filter((r) => r === 'refused').length} refused, ${failed.length} failed of ${OP_CASES.length}`);
    for (const [label, w] of [...worst].sort()) console.log(`    ${label}: worst ${w.ratio.toFixed(3)} of the bound (${w.where})`);
    assert.equal(failed, []);
    assert.equal(Object.keys(WEBGPU_OPS).sort(), [...PLANNED_OPS].sort(), 'WEBGPU_OPS covers PLANNED_OPS');
    // builder-only operators (no ONNX form) run in their own tests (LocallyConnected: test/model/locally-connected.test.ts)
    const missing = Object.keys(WEBGPU_OPS).filter((op) => !ran.has(op) && !OPS[op]?.builderOnly);
    assert.equal(missing, [], `operators no case ran on webgpu: ${missing.join(', ')}`);
  });
}

test.run();
