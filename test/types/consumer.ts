// Compiled (not run) by test/types.test.ts against dist/*.d.ts with lib ES2022 and @types/node only:
// the package's declarations must type-check for a user without the DOM lib.
import { Session, Tensor, NetworkBuilder, WorkerPool, topK, softmax, EdgeCnnError, type SessionOptions, type Profile, type WasmSources } from '../../dist/index.js';

const wasm: WasmSources = { simd: new URL('file:///edgecnn.simd.wasm') };
const options: SessionOptions = { threads: 1, backend: 'auto', keepWeights: true, wasm, onProgress: (p) => void p.stage };
export async function use(): Promise<Profile> {
  const s = await Session.create(new NetworkBuilder().input([1, 1, 8, 8]).conv({ filters: 2, kernel: 3 }).toGraph(), options);
  const out = await s.run({ input: new Tensor('float32', new Float32Array(64), [1, 1, 8, 8]) }, { fetch: [] });
  topK(softmax(Object.values(out)[0]), 1);
  const pool = await WorkerPool.create(2);
  await pool.dispose();
  try { s.weights('conv1'); } catch (e) { if (e instanceof EdgeCnnError) void e.code; }
  return s.profile({});
}
