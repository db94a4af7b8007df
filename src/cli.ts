#!/usr/bin/env node
// edgecnn command line: run a model (the bundled digit classifier by default) or print its layer table.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Session, type SessionOptions } from './session.js';
import { Tensor } from './tensor.js';
import { EdgeCnnError, InvalidArgumentError } from './errors.js';
import { demoNetwork } from './model/demo.js';
import { size } from './model/ir.js';

const USAGE = `usage:
  edgecnn run [model.onnx] [--input file.bin|file.npy] [--threads N|auto] [--backend auto|wasm|webgpu|reference]
              [--repeat N] [--json]          run a model (default: the bundled digit classifier)
  edgecnn summary <model.onnx> [--shape name=1x3x224x224] [--json]
                                             print the layer table: shapes, params, MACs, memory
  edgecnn demo [--repeat N] [--json]         build a small CNN with the layer builder and run it
`;

const BUNDLED = fileURLToPath(new URL('../models/lenet-digits.onnx', import.meta.url));
const BUNDLED_INPUT = fileURLToPath(new URL('../models/digits-sample.bin', import.meta.url));
const BUNDLED_LABELS = fileURLToPath(new URL('../models/digits-sample.labels.json', import.meta.url));

interface Args { positional: string[]; flags: Map<string, string> }

function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const [k, v] = a.slice(2).split('=', 2);
      if (v !== undefined) flags.set(k, v);
      else if (k === 'json' || k === 'help') flags.set(k, 'true');
      else {
        if (i + 1 >= argv.length) throw new InvalidArgumentError(`--${k} needs a value`);
        flags.set(k, argv[++i]);
      }
    } else positional.push(a);
  }
  const known = new Set(['input', 'threads', 'backend', 'repeat', 'json', 'help', 'shape']);
  for (const k of flags.keys()) if (!known.has(k)) throw new InvalidArgumentError(`unknown option --${k}`);
  return { positional, flags };
}

function sessionOptions(a: Args): SessionOptions {
  const t = a.flags.get('threads');
  const threads = t === undefined || t === 'auto' ? 'auto' : Number(t);
  return { threads, backend: (a.flags.get('backend') ?? 'auto') as SessionOptions['backend'] };
}

function repeatOf(a: Args, dflt: number): number {
  const r = Number(a.flags.get('repeat') ?? dflt);
  if (!Number.isInteger(r) || r < 1) throw new InvalidArgumentError(`--repeat must be a positive integer`);
  return r;
}

/** Reads .npy (float32, C order) or raw little-endian float32. */
export async function readInput(path: string): Promise<{ data: Float32Array; dims?: number[] }> {
  const bytes = new Uint8Array(await readFile(path));
  if (path.endsWith('.npy')) {
    if (bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== 'NUMPY') throw new InvalidArgumentError(`${path}: not a .npy file`);
    const major = bytes[6];
    const hlen = major >= 2 ? bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (bytes[11] << 24) : bytes[8] | (bytes[9] << 8);
    const start = major >= 2 ? 12 : 10;
    const header = new TextDecoder().decode(bytes.subarray(start, start + hlen));
    if (!/'descr':\s*'<f4'/.test(header)) throw new InvalidArgumentError(`${path}: only little-endian float32 .npy is supported (${header.trim()})`);
    if (/'fortran_order':\s*True/.test(header)) throw new InvalidArgumentError(`${path}: Fortran-order arrays are not supported`);
    const shape = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1].split(',').map((s) => s.trim()).filter(Boolean).map(Number) ?? [];
    const body = bytes.slice(start + hlen);
    const data = new Float32Array(body.buffer, 0, body.byteLength >> 2);
    if (data.length !== size(shape)) throw new InvalidArgumentError(`${path}: shape (${shape.join(', ')}) needs ${size(shape)} values, file has ${data.length}`);
    return { data, dims: shape };
  }
  if (bytes.byteLength % 4) throw new InvalidArgumentError(`${path}: ${bytes.byteLength} bytes is not a whole number of float32 values`);
  const copy = bytes.slice();
  return { data: new Float32Array(copy.buffer) };
}

/** Dims for raw data: the model's dims, with a symbolic leading (batch) dim taken from the data length. */
function dimsFor(modelDims: (number | string)[], n: number, name: string): number[] {
  const known = modelDims.map((d) => (typeof d === 'number' && d > 0 ? d : 0));
  const fixed = known.reduce((a, d) => a * (d || 1), 1);
  const free = known.filter((d) => !d).length;
  if (free === 0) {
    if (fixed !== n) throw new InvalidArgumentError(`input '${name}' needs ${fixed} values [${modelDims.join(', ')}], the file has ${n}`);
    return known;
  }
  if (free === 1 && n % fixed === 0) return known.map((d) => d || n / fixed);
  throw new InvalidArgumentError(`input '${name}' has dims [${modelDims.join(', ')}]; use a .npy file that carries its shape`);
}

function softmax(x: Float32Array): Float32Array {
  const m = Math.max(...x);
  const e = x.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

async function timeRuns(session: Session, feeds: Record<string, Tensor>, repeat: number) {
  const first = performance.now();
  let out = await session.run(feeds);
  const firstMs = performance.now() - first;
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t = performance.now();
    out = await session.run(feeds);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { out, firstMs, medianMs: times[times.length >> 1], minMs: times[0] };
}

async function cmdRun(a: Args): Promise<void> {
  const bundled = a.positional.length === 0;
  const modelPath = a.positional[0] ?? BUNDLED;
  const session = await Session.create(modelPath, sessionOptions(a));
  try {
    const inp = session.inputs[0];
    let data: Float32Array, dims: number[];
    const inputPath = a.flags.get('input') ?? (bundled ? BUNDLED_INPUT : undefined);
    if (inputPath) {
      const r = await readInput(inputPath);
      data = r.data;
      dims = r.dims ?? dimsFor(inp.dims, data.length, inp.name);
    } else {
      dims = inp.dims.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
      data = new Float32Array(size(dims));
      let s = 1234;
      for (let i = 0; i < data.length; i++) { s = (s * 1103515245 + 12345) >>> 0; data[i] = (s / 4294967296) * 2 - 1; }
    }
    const feeds = { [inp.name]: new Tensor('float32', data, dims) };
    const { out, firstMs, medianMs, minMs } = await timeRuns(session, feeds, repeatOf(a, 10));
    const labels: number[] | undefined = bundled ? JSON.parse(await readFile(BUNDLED_LABELS, 'utf8')).labels : undefined;
    const result: any = { model: bundled ? 'bundled lenet-digits' : modelPath, backend: session.backend, input: { name: inp.name, dims }, outputs: {}, firstRunMs: firstMs, medianMs, minMs };
    for (const [name, t] of Object.entries(out)) {
      const o: any = { dims: t.dims };
      if (t.dims.length === 2 && t.dims[1] >= 2) {
        o.top5 = [];
        for (let b = 0; b < t.dims[0]; b++) {
          const row = t.data.subarray(b * t.dims[1], (b + 1) * t.dims[1]);
          const p = isProb(row) ? row : softmax(row);
          o.top5.push([...p.keys()].sort((i, j) => p[j] - p[i]).slice(0, 5).map((i) => ({ class: i, p: +p[i].toFixed(4) })));
        }
      }
      result.outputs[name] = o;
    }
    if (a.flags.has('json')) { console.log(JSON.stringify(result, null, 2)); return; }
    console.log(`model    ${result.model}`);
    console.log(`backend  ${session.backend}`);
    console.log(`input    ${inp.name} [${dims.join(', ')}]`);
    for (const [name, o] of Object.entries<any>(result.outputs)) {
      console.log(`output   ${name} [${o.dims.join(', ')}]`);
      (o.top5 ?? []).slice(0, 16).forEach((top: any[], b: number) => {
        const label = labels ? `  (label ${labels[b]}${labels[b] === top[0].class ? ', correct' : ', WRONG'})` : '';
        console.log(`  #${b}: ${top.map((t) => `${t.class}:${t.p.toFixed(3)}`).join('  ')}${label}`);
      });
    }
    if (labels) {
      const top = result.outputs[session.outputs[0].name].top5 as any[][];
      const correct = top.filter((t, b) => t[0].class === labels[b]).length;
      console.log(`accuracy ${correct}/${labels.length} on the bundled samples`);
    }
    console.log(`latency  median ${medianMs.toFixed(3)} ms, min ${minMs.toFixed(3)} ms over ${repeatOf(a, 10)} runs (first run ${firstMs.toFixed(2)} ms)`);
  } finally {
    await session.dispose();
  }
}

const isProb = (r: Float32Array) => r.every((v) => v >= 0) && Math.abs(r.reduce((s, v) => s + v, 0) - 1) < 1e-3;

function parseShapes(a: Args): Record<string, number[]> | undefined {
  const s = a.flags.get('shape');
  if (!s) return undefined;
  const out: Record<string, number[]> = {};
  for (const part of s.split(',')) {
    const [name, d] = part.split('=');
    if (!d) throw new InvalidArgumentError(`--shape takes name=1x3x224x224[,name2=...]`);
    out[name] = d.split('x').map(Number);
  }
  return out;
}

async function cmdSummary(a: Args): Promise<void> {
  const modelPath = a.positional[0] ?? BUNDLED;
  const shapes = parseShapes(a);
  const session = await Session.create(modelPath, { ...sessionOptions(a), inputShapes: shapes });
  try {
    const s = session.summary(shapes ?? (session.inputs.every((i) => i.dims.every((d) => typeof d === 'number' && d > 0)) ? undefined : Object.fromEntries(session.inputs.map((i) => [i.name, i.dims.map((d) => (typeof d === 'number' && d > 0 ? d : 1))]))));
    if (a.flags.has('json')) { const { text, ...rest } = s; console.log(JSON.stringify(rest, null, 2)); return; }
    console.log(`model ${modelPath}`);
    console.log(s.text);
  } finally {
    await session.dispose();
  }
}

async function cmdDemo(a: Args): Promise<void> {
  const net = demoNetwork();
  const session = await Session.create(net.toGraph(), sessionOptions(a));
  try {
    const s = session.summary();
    const x = new Float32Array(3 * 32 * 32).map((_, i) => Math.sin(i * 0.01));
    const { out, medianMs, minMs } = await timeRuns(session, { input: new Tensor('float32', x, [1, 3, 32, 32]) }, repeatOf(a, 20));
    const y = out[session.outputs[0].name];
    if (a.flags.has('json')) { const { text, ...rest } = s; console.log(JSON.stringify({ summary: rest, output: Array.from(y.data), medianMs, minMs, backend: session.backend }, null, 2)); return; }
    console.log('layer-builder demo network (seeded weights)');
    console.log(s.text);
    console.log(`backend  ${session.backend}`);
    console.log(`output   [${y.dims.join(', ')}] = ${Array.from(y.data, (v) => v.toFixed(4)).join(' ')}`);
    console.log(`latency  median ${medianMs.toFixed(3)} ms, min ${minMs.toFixed(3)} ms`);
  } finally {
    await session.dispose();
  }
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === 'help') { console.log(USAGE); return cmd ? 0 : 1; }
  const a = parseArgs(rest);
  if (cmd === 'run') await cmdRun(a);
  else if (cmd === 'summary') await cmdSummary(a);
  else if (cmd === 'demo') await cmdDemo(a);
  else { console.error(`unknown command '${cmd}'\n${USAGE}`); return 2; }
  return 0;
}

// `edgecnn run | head`: a closed pipe ends the program quietly, as Unix tools do
process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(0); throw e; });

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
  if (e instanceof EdgeCnnError) console.error(`edgecnn: ${e.message}`);
  else console.error(e);
  process.exitCode = 1;
});
