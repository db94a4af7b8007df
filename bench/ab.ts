// Same-run A/B of two checkouts of edgecnn (e.g. main against a commit before a refactor), interleaved
// in one process: median run and create time per model, and the ratio B/A (< 1 is faster).
//   git worktree add /tmp/base <commit> && (cd /tmp/base && npm ci)
//   node --import tsx bench/ab.ts /tmp/base [--threads N] [--rounds R] [--only MODEL] [--bind]
// --bind: both run on session.bind()'s arrays (both checkouts need it): no copies in or out and no fresh
// output arrays, whose page faults vary between processes more than many changes measure.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resnetOnnx, efficientnetOnnx } from '../test/helpers/zoo.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : dflt);
const other = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
if (!other) { console.error('usage: node --import tsx bench/ab.ts <other checkout> [--threads N] [--rounds R]'); process.exit(2); }
const threads = opt('threads', 1), rounds = opt('rounds', 5), bind = args.includes('--bind');
const A = await import(pathToFileURL(resolve(other, 'src/index.ts')).href);
const B = await import('../src/index.js');
const dir = new URL('../test/fixtures/models/', import.meta.url);
const models: [string, Uint8Array][] = [
  ['mobilenet_v2', new Uint8Array(readFileSync(new URL('mobilenet_v2.onnx', dir)))],
  ['squeezenet1_1', new Uint8Array(readFileSync(new URL('squeezenet1_1.onnx', dir)))],
  ['resnet18-style', resnetOnnx()],
  ['efficientnet-b0-style', efficientnetOnnx()],
  ...['conv_3x3', 'conv_1x1', 'dwconv_3x3'].map((m): [string, Uint8Array] => [m, new Uint8Array(readFileSync(new URL(`${m}.onnx`, dir)))]),
].filter(([name]) => !args.includes('--only') || name === args[args.indexOf('--only') + 1]) as [string, Uint8Array][];
const median = (a: number[]) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
console.log(`A = ${other}, B = this checkout; ${threads} thread(s), ${rounds} interleaved rounds, medians${bind ? ', bound inputs and outputs' : ''}`);
for (const [name, bytes] of models) {
  const probe = await B.Session.create(bytes, { threads: 1 });
  const dims = probe.inputs[0].dims.map((d: number | string) => (typeof d === "number" ? d : 1));
  await probe.dispose();
  const x = new Float32Array(dims.reduce((a, b) => a * b, 1)).map((_, i) => Math.sin(i));
  const t = { A: [] as number[], B: [] as number[] }, c = { A: [] as number[], B: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    for (const [k, lib] of (r % 2 ? [['B', B], ['A', A]] : [['A', A], ['B', B]]) as ['A' | 'B', any][]) {
      const t0 = performance.now();
      const s = await lib.Session.create(bytes, { threads });
      c[k].push(performance.now() - t0);
      const io = bind ? await s.bind() : null;
      io?.feeds[s.inputs[0].name].data.set(x);
      const feeds = io?.feeds ?? { [s.inputs[0].name]: new lib.Tensor('float32', x, dims) };
      const options = io ? { outputs: io.outputs } : {};
      for (const t1 = performance.now(); performance.now() - t1 < 1500;) await s.run(feeds, options); // past V8's tier-up
      for (let i = 0; i < 12; i++) { const t2 = performance.now(); await s.run(feeds, options); t[k].push(performance.now() - t2); }
      await s.dispose();
    }
  }
  console.log(`${name.padEnd(16)} run A ${median(t.A).toFixed(2)} ms, B ${median(t.B).toFixed(2)} ms (B/A ${(median(t.B) / median(t.A)).toFixed(3)}); create A ${median(c.A).toFixed(0)} ms, B ${median(c.B).toFixed(0)} ms; B runs ${(await B.Session.create(bytes, { threads })).backend}`);
}
