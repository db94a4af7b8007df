// Peer: tfjs-backend-wasm (XNNPACK) running the same network as edgecnn. tfjs cannot load ONNX, so this
// takes edgecnn's own folded graph (loadOnnx → bindAndFold → optimize with no fusion caps: batch-norm
// and pads folded, nothing fused) and executes it with tfjs-core ops on the wasm backend in NHWC, the
// way a tfjs-converter GraphModel runs a converted CNN: conv + bias + activation as one
// tf.fused.conv2d / tf.fused.depthwiseConv2d, Gemm + bias (+ activation) as tf.fused.matMul, pools,
// concat, elementwise ops. Weights are converted to tfjs layouts (HWIO, depthwise HW·C·mult, K×N)
// once at load. 4-D activations are NHWC throughout; the NCHW input is transposed once per run and a
// 4-D output back (the ONNX contract), other values keep ONNX's logical layout.
// Check against onnxruntime-node: node --import tsx bench/peers/tfjs.ts
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { initTfjsWasm as init, createTfjsSession as create, type TfjsSession } from './tfjs-graph.js';

export type { TfjsSession };
/** The wasm backend with its files from node_modules, `threads` threads. */
export const initTfjsWasm = (threads = 1) => init(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')) + '/', threads);
/** Creates a tfjs session for an ONNX model at fixed input shapes (the wasm backend, 1 thread, unless initTfjsWasm ran first). */
export async function createTfjsSession(bytes: Uint8Array, inputDims: Record<string, number[]>): Promise<TfjsSession> {
  await initTfjsWasm();
  return create(bytes, inputDims);
}

// ---------------------------------------------------------------------------------------------
// check against onnxruntime-node (the oracle): node --import tsx bench/peers/tfjs.ts

if (import.meta.url === `file://${process.argv[1]}`) {
  const { readFileSync } = await import('node:fs');
  const ort = await import('onnxruntime-node');
  const root = new URL('../../', import.meta.url);
  const cases: [string, string, number[]][] = [
    ['mobilenet_v2', 'test/fixtures/models/mobilenet_v2.onnx', [1, 3, 224, 224]],
    ['squeezenet1_1', 'test/fixtures/models/squeezenet1_1.onnx', [1, 3, 224, 224]],
    ['lenet-digits', 'models/lenet-digits.onnx', [1, 1, 28, 28]],
  ];
  let bad = 0;
  console.log(`tfjs ${tf.version_core}, backend ${(await initTfjsWasm(), tf.getBackend())}`);
  for (const [name, file, shape] of cases) {
    const bytes = new Uint8Array(readFileSync(new URL(file, root)));
    const x = new Float32Array(shape.reduce((p, q) => p * q, 1)).map((_, i) => Math.sin(i * 0.1) * 0.9 + 0.05 * Math.cos(i * 0.37));
    const ref = await ort.InferenceSession.create(bytes);
    const r = await ref.run({ [ref.inputNames[0]]: new ort.Tensor('float32', x, shape) });
    const want = r[ref.outputNames[0]].data as Float32Array;
    const s = await createTfjsSession(bytes, { [ref.inputNames[0]]: shape });
    const got = Object.values(await s.run({ [ref.inputNames[0]]: x }))[0];
    let err = 0, mx = 0;
    for (let i = 0; i < want.length; i++) { err = Math.max(err, Math.abs(got[i] - want[i])); mx = Math.max(mx, Math.abs(want[i])); }
    if (got.length !== want.length) err = Infinity;
    const ok = err <= 1e-3 * mx;
    if (!ok) bad++;
    console.log(`${name.padEnd(14)} ${String(s.steps).padStart(3)} tf steps  max|err| ${err.toExponential(2)}  max|ref| ${mx.toExponential(2)}  rel ${(err / mx).toExponential(2)}  ${ok ? 'ok (≤ 1e-3·max|ref|)' : 'FAIL'}`);
    s.dispose();
    await ref.release();
  }
  process.exit(bad ? 1 : 0);
}
