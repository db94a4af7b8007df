// Every op case (test/helpers/op-cases.ts) on every backend configuration (test/helpers/backend-configs.ts:
// the reference backend, the wasm backend in each kernel binary this engine validates on one thread, and a
// threads binary on two threads), against onnxruntime-node (the oracle), on seeded random inputs in
// [-2, 2]. Modelled on ggml's test-backend-ops: one table of cases, every backend. onnxruntime runs once
// per case; every backend gets the same inputs. The two-thread configuration must also give the same bits
// as its binary on one thread (it splits every step between the threads).
//
// Tolerances, |ours - expected| ≤ atol + rtol·|expected| elementwise:
// - wasm vs onnxruntime: 2e-5 + 1e-4·|ort|. Both sum float32 products in different orders (K ≤ ~200
//   here: ~1e-6 relative), and exp/tanh approximations differ by a few ulp.
// - reference vs onnxruntime: 2e-6 + 1e-5·|ort|, ten times tighter. The reference accumulates in float64
//   and rounds once per node, so what is left is onnxruntime's own float32 error (its linear Resize and
//   its depthwise convolution the largest): measured at most 0.27 of this bound over the table (Resize
//   linear half_pixel), i.e. within 5.4e-7 + 2.7e-6·|ort|.
// - wasm vs reference: 2e-6 + 1e-5·|ref|, the same tight bound: the reference is exact to a float32
//   rounding per node, so this is the wasm kernels' own error (float32 sums of ≤ 81 terms, polynomial
//   exp/log/erf): measured at most 0.32 of it (a 3-D 3x3x3 Conv, 81 terms per output).
// The measured worst case per backend is printed at the end of the run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as ort from 'onnxruntime-node';
import { makeModel } from '../helpers/onnx-builder.js';
import { OP_CASES, caseInputs, inputDims, compareOutputs, type OpCase, type Outputs, type Tol } from '../helpers/op-cases.js';
import { backendConfigs, type BackendConfig } from '../helpers/backend-configs.js';
import type { Flavor } from '../../src/backends/wasm/binaries.js';
import { Session } from '../../src/session.js';
import { Tensor } from '../../src/tensor.js';
import { UnsupportedError } from '../../src/errors.js';
import { WASM_OPS } from '../../src/backends/wasm/lower.js';
import { OPS } from '../../src/model/ops.js';

const WASM_VS_ORT: Tol = { atol: 2e-5, rtol: 1e-4 };
const REFERENCE_VS_ORT: Tol = { atol: 2e-6, rtol: 1e-5 };
const WASM_VS_REFERENCE: Tol = { atol: 2e-6, rtol: 1e-5 };

const { configs, dispose } = await backendConfigs();


/** case → backend key → 'ran' | 'refused' (as listed) | the failure */
const outcomes = new Map<string, Map<string, string>>();
/** worst |d| / (atol + rtol·|expected|) per comparison ('<backend> vs ort', '<backend> vs reference') */
const worst = new Map<string, { ratio: number; where: string }>();
/** operators the wasm backend ran (from the sessions' summaries) */
const wasmRan = new Set<string>();

const names = (c: OpCase) => c.outputs ?? ['y'];

function modelOf(c: OpCase): Uint8Array {
  return makeModel({ ...c.spec, inputs: Object.entries(inputDims(c)).map(([name, dims]) => ({ name, dims })), outputs: names(c).map((name) => ({ name })) });
}

async function runOrt(bytes: Uint8Array, c: OpCase, feeds: Record<string, Float32Array>): Promise<Outputs> {
  const s = await ort.InferenceSession.create(bytes);
  const out = await s.run(Object.fromEntries(Object.entries(inputDims(c)).map(([n, d]) => [n, new ort.Tensor('float32', feeds[n], d)])));
  await s.release();
  return Object.fromEntries(names(c).map((n) => [n, { dims: [...out[n].dims].map(Number), data: out[n].data as Float32Array }]));
}

/** Runs a case on one backend: its outputs, or null when the backend refused it as the case lists. */
async function runOn(b: BackendConfig, bytes: Uint8Array, c: OpCase, feeds: Record<string, Float32Array>): Promise<Outputs | null> {
  const refusal = c.unsupported?.[b.kind];
  let s: Session;
  try {
    s = await Session.create(bytes, b.options);
  } catch (e) {
    if (!refusal) throw e;
    if (!(e instanceof UnsupportedError)) throw new Error(`listed as unsupported, but failed with ${(e as Error).name}: ${(e as Error).message}`);
    if (!refusal.test(e.message)) throw new Error(`UnsupportedError '${e.message}' does not match the listed ${refusal}`);
    return null;
  }
  try {
    if (refusal) throw new Error(`listed as unsupported (${refusal}) but Session.create accepted it`);
    const want = b.kind === 'wasm' ? `wasm-${b.flavor}` : 'reference';
    if (!s.backend.startsWith(want) || s.threads !== b.threads) throw new Error(`asked for ${b.key}, got '${s.backend}' on ${s.threads} thread(s)`);
    const out = await s.run(Object.fromEntries(Object.entries(inputDims(c)).map(([n, d]) => [n, new Tensor('float32', feeds[n], d)])));
    if (b.kind === 'wasm') for (const l of s.summary().layers) wasmRan.add(l.op);
    return Object.fromEntries(names(c).map((n) => [n, { dims: [...out[n].dims], data: out[n].data as Float32Array }]));
  } finally {
    await s.dispose();
  }
}

const compare = (label: string, c: OpCase, got: Outputs, want: Outputs, tol: Tol) => compareOutputs(worst, label, c, got, want, tol);

/** A threads binary splits every step between its threads; the result must not depend on the split. */
function sameBits(label: string, c: OpCase, got: Outputs, serial: Outputs): void {
  for (const n of names(c)) {
    const a = new Uint32Array(got[n].data.buffer, got[n].data.byteOffset, got[n].data.length);
    const b = new Uint32Array(serial[n].data.buffer, serial[n].data.byteOffset, serial[n].data.length);
    const i = a.findIndex((v, k) => v !== b[k]);
    if (a.length !== b.length || i >= 0) throw new Error(`${label}: output '${n}' differs at index ${i}: ${got[n].data[i]} vs ${serial[n].data[i]}`);
  }
}

test('the case table and the backend list are not empty', () => {
  assert.ok(OP_CASES.length >= 50, `${OP_CASES.length} op cases`);
  assert.ok(configs.some((b) => b.kind === 'reference'), 'the reference backend is configured');
  assert.ok(configs.filter((b) => b.kind === 'wasm' && b.threads === 1).length >= 3, `wasm flavors at 1 thread: ${configs.map((b) => b.key)}`);
  assert.ok(configs.some((b) => b.kind === 'wasm' && b.threads === 2), 'a threads flavor at 2 threads is configured');
  assert.is(new Set(OP_CASES.map((c) => c.name)).size, OP_CASES.length, 'case names are unique');
});

for (const c of OP_CASES) {
  test(`${c.name}: every backend matches onnxruntime`, async () => {
    const bytes = modelOf(c);
    const feeds = caseInputs(c);
    const want = await runOrt(bytes, c, feeds);
    const results = new Map<string, string>();
    outcomes.set(c.name, results);
    let reference: Outputs | null = null;
    const oneThread = new Map<Flavor, Outputs>();
    for (const b of configs) {
      try {
        const got = await runOn(b, bytes, c, feeds);
        if (!got) { results.set(b.key, 'refused'); continue; }
        compare(`${b.key} vs ort`, c, got, want, b.kind === 'reference' ? REFERENCE_VS_ORT : WASM_VS_ORT);
        if (b.kind === 'reference') reference = got;
        else if (reference) compare(`${b.key} vs reference`, c, got, reference, WASM_VS_REFERENCE);
        if (b.kind === 'wasm' && b.threads === 1) oneThread.set(b.flavor!, got);
        else if (b.kind === 'wasm' && oneThread.has(b.flavor!)) sameBits(`${b.key} vs 1 thread`, c, got, oneThread.get(b.flavor!)!);
        results.set(b.key, 'ran');
      } catch (e) {
        results.set(b.key, `${(e as Error).name}: ${(e as Error).message}`);
      }
    }
    const failed = [...results].filter(([, r]) => r !== 'ran' && r !== 'refused');
    if (failed.length) assert.unreachable(`${c.name}:\n${failed.map(([k, r]) => `  ${k}: ${r}`).join('\n')}`);
  });
}

test('every backend ran every case, or refused it as the case lists', () => {
  assert.is(outcomes.size, OP_CASES.length, 'every case ran');
  for (const c of OP_CASES) {
    const results = outcomes.get(c.name)!;
    for (const b of configs) {
      const r = results.get(b.key);
      const expected = c.unsupported?.[b.kind] ? 'refused' : 'ran';
      assert.is(r, expected, `${c.name} on ${b.key}: ${r}`);
    }
  }
  // the wasm-vs-reference comparison ran for every wasm configuration
  for (const b of configs) if (b.kind === 'wasm') assert.ok(worst.has(`${b.key} vs reference`), `${b.key} was compared with the reference backend`);
  for (const [label, w] of [...worst].sort()) console.log(`    ${label}: worst ${w.ratio.toFixed(3)} of the bound (${w.where})`);
});

test('every operator the wasm backend lowers (WASM_OPS) runs in some case', () => {
  // builder-only operators (no ONNX form) are run by their own tests (LocallyConnected: test/model/locally-connected.test.ts)
  const missing = Object.keys(WASM_OPS).filter((op) => !wasmRan.has(op) && !OPS[op]?.builderOnly);
  assert.ok(Object.keys(WASM_OPS).length > 0);
  assert.equal(missing, [], `operators of WASM_OPS no case runs on the wasm backend: ${missing.join(', ')}`);
});

test.after(dispose);

test.run();
