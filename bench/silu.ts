// SiLU fusion, A/B in one process: Conv → Sigmoid → Mul (EfficientNet's activation) with fuseSilu (one
// Conv whose epilogue computes x·sigmoid(x)) against the same model with 'Silu' taken out of the wasm
// backend's fusable activations (Conv+Sigmoid, then Mul: Sigmoid fuses into neither, two more passes
// over the tensor). Interleaved rounds, median of per-round medians, 1 thread.
//   node --import tsx bench/silu.ts [--rounds N]
import { Session } from '../src/session.js';
import { Tensor } from '../src/tensor.js';
import { WASM_CAPS } from '../src/backends/wasm/index.js';
import { makeModel } from '../test/helpers/onnx-builder.js';
import { rng } from '../test/helpers/rng.js';

const args = process.argv.slice(2);
const rounds = Number(args.includes('--rounds') ? args[args.indexOf('--rounds') + 1] : 9);
const r = rng(5);
const median = (xs: number[]) => { const a = [...xs].sort((x, y) => x - y); return a[a.length >> 1]; };

const SHAPES = [
  { name: '1x1 conv 24→144, 56x56 (expansion)', x: [1, 24, 56, 56], w: [144, 24, 1, 1], group: 1, pad: 0 },
  { name: '3x3 depthwise 144, 56x56', x: [1, 144, 56, 56], w: [144, 1, 3, 3], group: 144, pad: 1 },
  { name: '1x1 conv 80→480, 14x14', x: [1, 80, 14, 14], w: [480, 80, 1, 1], group: 1, pad: 0 },
];
const fusable = WASM_CAPS.fusableActivations as Set<string>;

for (const s of SHAPES) {
  const bytes = makeModel({ opset: 13, inputs: [{ name: 'x', dims: s.x }], outputs: [{ name: 'y' }], nodes: [
    { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: { kernel_shape: s.w.slice(2), pads: [s.pad, s.pad, s.pad, s.pad], group: s.group } },
    { op: 'Sigmoid', inputs: ['c'], outputs: ['sg'] },
    { op: 'Mul', inputs: ['c', 'sg'], outputs: ['y'] },
  ], initializers: { w: { dims: s.w, data: r.floats(s.w.reduce((a, b) => a * b, 1), 0.3) }, b: { dims: [s.w[0]], data: r.floats(s.w[0]) } } });
  const fused = await Session.create(bytes, { threads: 1 });
  fusable.delete('Silu');
  const plain = await Session.create(bytes, { threads: 1 });
  fusable.add('Silu');
  const layers = (ss: Session) => ss.summary().layers.map((l) => l.op).join('+');
  const feed = { x: new Tensor('float32', r.floats(s.x.reduce((a, b) => a * b, 1)), s.x) };
  const a = await fused.run(feed), b = await plain.run(feed);
  let maxd = 0;
  for (let i = 0; i < a.y.data.length; i++) maxd = Math.max(maxd, Math.abs((a.y.data as Float32Array)[i] - (b.y.data as Float32Array)[i]));
  const time = async (ss: Session, n: number) => { const t: number[] = []; for (let i = 0; i < n; i++) { const t0 = performance.now(); await ss.run(feed); t.push(performance.now() - t0); } return median(t); };
  await time(fused, 30); await time(plain, 30); // warm-up: V8 tiers the kernels up
  const tf: number[] = [], tp: number[] = [];
  for (let k = 0; k < rounds; k++) { tf.push(await time(fused, 15)); tp.push(await time(plain, 15)); }
  const f = median(tf), p = median(tp);
  const arena = (ss: Session) => (ss.summary().arenaBytes / 2 ** 20).toFixed(2);
  console.log(`${s.name}: fused (${layers(fused)}) ${f.toFixed(3)} ms, unfused (${layers(plain)}) ${p.toFixed(3)} ms, unfused/fused ${(p / f).toFixed(2)}x; `
    + `arena ${arena(fused)} vs ${arena(plain)} MiB; max |diff| ${maxd.toExponential(1)}`);
  await fused.dispose(); await plain.dispose();
}
