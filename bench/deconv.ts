// ConvTranspose on wasm: the sub-pixel phase lowering (src/backends/wasm/kernels/deconv.ts) against the
// naive zero-insertion route (a stride-1 convolution with the full kernel over the input with s−1 zeros
// inserted between pixels, which is what ConvTranspose computes). Both run as one-node models through
// Session.profile on one thread; only the layer itself is timed (the naive model is fed its zero-inserted
// input directly, so the insertion copy is not counted: in its favour). Rounds interleave the two models,
// median of the round medians; the single-thread wasm peak of this machine is measured in the same process.
//   node --import tsx bench/deconv.ts [rounds]
import { makeModel } from '../test/helpers/onnx-builder.js';
import { Session } from '../src/session.js';
import { Tensor } from '../src/tensor.js';
import { measurePeak } from './peak.js';

const shapes = [
  { name: 'DCGAN 4x4 s2 p1 256→128, 8x8→16x16', cin: 256, cout: 128, h: 8, k: 4, s: 2, p: 1, op: 0 },
  { name: 'DCGAN 4x4 s2 p1 128→64, 16x16→32x32', cin: 128, cout: 64, h: 16, k: 4, s: 2, p: 1, op: 0 },
  { name: 'decoder 3x3 s2 p1 op1 64→64, 28x28→56x56', cin: 64, cout: 64, h: 28, k: 3, s: 2, p: 1, op: 1 },
  { name: 'U-Net 2x2 s2 128→64, 28x28→56x56', cin: 128, cout: 64, h: 28, k: 2, s: 2, p: 0, op: 0 },
  { name: 'FCN 16x16 s8 p4 21→21, 14x14→112x112', cin: 21, cout: 21, h: 14, k: 16, s: 8, p: 4, op: 0 },
];
const rounds = Number(process.argv[2] ?? 5);
const fill = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 0.5);
const median = (v: number[]) => { const s = v.slice().sort((a, b) => a - b); return s[s.length >> 1]; };

const peak = await measurePeak();
console.log(`single-thread wasm peak (mul+add): ${peak.mulAdd.toFixed(1)} GFLOP/s`);
for (const sh of shapes) {
  const { cin, cout, h, k, s, p, op } = sh;
  const w = { dims: [cin, cout, k, k], data: fill(cin * cout * k * k) };
  const ct = makeModel({ opset: 13, nodes: [{ op: 'ConvTranspose', inputs: ['x', 'w'], outputs: ['y'], attrs: { kernel_shape: [k, k], strides: [s, s], pads: [p, p, p, p], output_padding: [op, op] } }],
    initializers: { w }, inputs: [{ name: 'x', dims: [1, cin, h, h] }], outputs: [{ name: 'y' }] });
  const hz = (h - 1) * s + 1; // zero-inserted input; the conv pads k−1−p at the start, k−1−p+op at the end
  const naive = makeModel({ opset: 13, nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { kernel_shape: [k, k], pads: [k - 1 - p, k - 1 - p, k - 1 - p + op, k - 1 - p + op] } }],
    initializers: { w: { dims: [cout, cin, k, k], data: fill(cin * cout * k * k) } }, inputs: [{ name: 'x', dims: [1, cin, hz, hz] }], outputs: [{ name: 'y' }] });
  const a = await Session.create(ct, { threads: 1 }), b = await Session.create(naive, { threads: 1 });
  const fa = { x: new Tensor('float32', fill(cin * h * h), [1, cin, h, h]) }, fb = { x: new Tensor('float32', fill(cin * hz * hz), [1, cin, hz, hz]) };
  const ta: number[] = [], tb: number[] = [];
  let usefulFlops = 0, dims: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const pa = await a.profile(fa, { runs: 15 }), pb = await b.profile(fb, { runs: 15 });
    const la = pa.layers.find((l) => l.op.startsWith('ConvTranspose'))!, lb = pb.layers.find((l) => l.op.startsWith('Conv'))!;
    ta.push(la.ms); tb.push(lb.ms); usefulFlops = la.flops; dims = la.outputDims;
    if (lb.outputDims.join() !== dims.join()) throw new Error(`naive output ${lb.outputDims} differs from ${dims}`);
  }
  const ma = median(ta), mb = median(tb);
  console.log(`${sh.name} → [${dims.join('x')}]: phases ${ma.toFixed(3)} ms (${(usefulFlops / ma / 1e6).toFixed(1)} GFLOP/s useful), zero-insertion ${mb.toFixed(3)} ms; naive / phases = ${(mb / ma).toFixed(2)}x`);
  await a.dispose(); await b.dispose();
}
process.exit(0);
