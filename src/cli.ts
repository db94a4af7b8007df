#!/usr/bin/env node
// edgecnn command line: run a model (the bundled digit classifier by default) or print its layer table.
// Errors that edgecnn raises on purpose (EdgeCnnError) print one line, `edgecnn: <message>`, and exit 1;
// `--debug` (or EDGECNN_DEBUG=1) prints the stack trace instead.
import { readFile, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Session, type SessionOptions, type IOInfo } from './session.js';
import { Tensor } from './tensor.js';
import { softmax, topK } from './scores.js';
import { EdgeCnnError, InvalidArgumentError } from './errors.js';
import { demoNetwork } from './model/demo.js';
import { size } from './model/ir.js';
import { decodeNpy, encodeNpy, encodeNpz } from './npy.js';

const BUNDLED = fileURLToPath(new URL('../models/lenet-digits.onnx', import.meta.url));
const BUNDLED_INPUT = fileURLToPath(new URL('../models/digits-sample.bin', import.meta.url));
const BUNDLED_LABELS = fileURLToPath(new URL('../models/digits-sample.labels.json', import.meta.url));

function version(): string {
  return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
}

// ---- options ----

interface Option { name: string; value?: string; help: string }
const OPT: Record<string, Option> = {
  input: { name: 'input', value: 'FILE', help: "the model's first input: .npy (float32, carries its shape) or .bin (raw little-endian float32, the model's layout)" },
  shape: { name: 'shape', value: 'NAME=DIMS', help: 'dims for an input with symbolic dims, e.g. input=1x3x224x224 (several: a=..,b=..)' },
  output: { name: 'output', value: 'FILE', help: 'save the outputs as float32 with their shapes: out.npz (every output, by name) or out.npy (the first; the others go to out.<name>.npy)' },
  json: { name: 'json', help: 'print JSON instead of text' },
  threads: { name: 'threads', value: 'N|auto', help: 'threads per run (default auto)' },
  backend: { name: 'backend', value: 'auto|wasm|webgpu|reference', help: 'what runs the model (default auto)' },
  repeat: { name: 'repeat', value: 'N', help: 'timed runs after the first' },
  profile: { name: 'profile', help: 'after the runs, time every layer (node by node, median of --repeat runs): ms, GFLOP/s, totals by operator' },
  debug: { name: 'debug', help: 'print stack traces of errors (also EDGECNN_DEBUG=1)' },
  help: { name: 'help', help: 'this help' },
  version: { name: 'version', help: "print edgecnn's version" },
};

interface Command { usage: string; about: string; options: Option[]; maxPositional: number; notes?: string }
const COMMON = [OPT.debug, OPT.help, OPT.version];
const COMMANDS: Record<string, Command> = {
  run: {
    usage: 'edgecnn run [model.onnx] [options]',
    about: 'Run a model and print its outputs (top-5 classes of [batch, classes] outputs) and the latency.\nWithout a model: the bundled digit classifier on its ten samples.',
    options: [OPT.input, OPT.shape, OPT.output, { ...OPT.json, help: 'print JSON: input and output dims, every output\'s values (`data`) and top-5, timings' }, OPT.threads, OPT.backend, { ...OPT.repeat, help: 'timed runs after the first (default 10)' }, OPT.profile, ...COMMON],
    maxPositional: 1,
    notes: 'Without --input the inputs get seeded random values. A symbolic batch dim defaults to 1 (said on stderr);\nother symbolic dims (image height, width) need --shape or a .npy input.',
  },
  summary: {
    usage: 'edgecnn summary [model.onnx] [options]',
    about: 'Print the layer table: shapes, parameters, MACs, activation memory (default model: the bundled one).',
    options: [OPT.shape, OPT.json, OPT.threads, OPT.backend, ...COMMON],
    maxPositional: 1,
  },
  demo: {
    usage: 'edgecnn demo [options]',
    about: 'Build a small CNN with the layer builder (seeded weights) and run it.',
    options: [OPT.json, OPT.threads, OPT.backend, { ...OPT.repeat, help: 'timed runs (default 20)' }, ...COMMON],
    maxPositional: 0,
  },
};

const USAGE = `usage:
  edgecnn run [model.onnx] [--input x.npy|x.bin] [--shape input=1x3x224x224] [--output out.npy|out.npz]
              [--threads N|auto] [--backend auto|wasm|webgpu|reference] [--repeat N] [--json]
                                             run a model (default: the bundled digit classifier)
  edgecnn summary [model.onnx] [--shape input=1x3x224x224] [--json]
                                             print the layer table: shapes, params, MACs, memory
  edgecnn demo [--repeat N] [--json]         build a small CNN with the layer builder and run it
  edgecnn <command> --help                   a command's options
  edgecnn --version
`;

function commandHelp(name: string): string {
  const c = COMMANDS[name];
  const rows = c.options.map((o) => [`${o.name === 'help' ? '-h, ' : ''}--${o.name}${o.value ? ` ${o.value}` : ''}`, o.help]);
  const w = 22; // a longer option gets its help on the next line
  const lines = rows.map(([l, r]) => (l.length < w ? `  ${l.padEnd(w)}${r}` : `  ${l}\n  ${''.padEnd(w)}${r}`));
  return `usage: ${c.usage}\n\n${c.about}\n\noptions:\n${lines.join('\n')}\n${c.notes ? `\n${c.notes}\n` : ''}`;
}

interface Args { positional: string[]; flags: Map<string, string> }

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

function parseArgs(cmd: string, argv: string[]): Args {
  const spec = COMMANDS[cmd];
  const byName = new Map(spec.options.map((o) => [o.name, o]));
  const positional: string[] = [];
  const flags = new Map<string, string>();
  const unknown = (raw: string) => {
    const name = raw.replace(/^-+/, '').split('=')[0];
    const near = spec.options.find((o) => distance(o.name, name) <= 2);
    return new InvalidArgumentError(`unknown option ${raw.split('=')[0]} for '${cmd}'${near ? ` (did you mean --${near.name}?)` : ''} (options: ${spec.options.map((o) => `--${o.name}`).join(', ')}; see edgecnn ${cmd} --help)`);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { positional.push(...argv.slice(i + 1)); break; }
    if (a === '-h') { flags.set('help', 'true'); continue; }
    if (!a.startsWith('-') || a === '-') { positional.push(a); continue; }
    if (!a.startsWith('--')) throw unknown(a);
    const eq = a.indexOf('=');
    const k = a.slice(2, eq < 0 ? undefined : eq);
    const opt = byName.get(k);
    if (!opt) throw unknown(a);
    if (!opt.value) {
      if (eq >= 0) throw new InvalidArgumentError(`--${k} takes no value (got '${a}')`);
      flags.set(k, 'true');
    } else if (eq >= 0) flags.set(k, a.slice(eq + 1));
    else {
      const v = argv[i + 1];
      if (v === undefined || (v.startsWith('--') && v.length > 2)) throw new InvalidArgumentError(`--${k} needs a value (${opt.value})`);
      flags.set(k, v);
      i++;
    }
  }
  if (positional.length > spec.maxPositional) {
    throw new InvalidArgumentError(spec.maxPositional === 0
      ? `'${cmd}' takes no file arguments, got ${positional.join(' ')}`
      : `'${cmd}' takes one model file, got ${positional.length}: ${positional.join(' ')}`);
  }
  return { positional, flags };
}

function sessionOptions(a: Args): SessionOptions {
  const t = a.flags.get('threads');
  const threads = t === undefined || t === 'auto' ? 'auto' : Number(t);
  if (threads !== 'auto' && (!Number.isInteger(threads) || threads < 1)) throw new InvalidArgumentError(`--threads must be a positive integer or auto, got '${t}'`);
  return { threads, backend: (a.flags.get('backend') ?? 'auto') as SessionOptions['backend'] };
}

function repeatOf(a: Args, dflt: number): number {
  const r = Number(a.flags.get('repeat') ?? dflt);
  if (!Number.isInteger(r) || r < 1) throw new InvalidArgumentError(`--repeat must be a positive integer, got '${a.flags.get('repeat')}'`);
  return r;
}

/** A file the user named, or a one-line InvalidArgumentError saying why it cannot be read. */
async function readUserFile(path: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e: any) {
    const why = e?.code === 'ENOENT' ? 'no such file' : e?.code === 'EISDIR' ? 'it is a directory' : e?.code === 'EACCES' ? 'permission denied' : e?.message ?? String(e);
    throw new InvalidArgumentError(`cannot read ${what} '${path}': ${why}`);
  }
}

/** Reads .npy (float32, C order) or raw little-endian float32. */
export async function readInput(path: string): Promise<{ data: Float32Array; dims?: number[] }> {
  const bytes = await readUserFile(path, 'input file');
  if (path.endsWith('.npy')) return decodeNpy(bytes, path);
  if (bytes.byteLength % 4) throw new InvalidArgumentError(`${path}: ${bytes.byteLength} bytes is not a whole number of float32 values`);
  const copy = bytes.slice();
  return { data: new Float32Array(copy.buffer) };
}

const isFixed = (d: unknown): d is number => typeof d === 'number' && d > 0;
const showDims = (dims: readonly unknown[]) => `[${dims.map((d) => (d === '' || d === undefined ? '?' : d)).join(', ')}]`;
/** `--shape` text for an input: its fixed dims, 1 for the batch, 3 for an NCHW image's channels, 224 for other symbols. */
const exampleShape = (inp: IOInfo) => `${inp.name}=${inp.dims.map((d, i) => (isFixed(d) ? d : i === 0 ? 1 : i === 1 && inp.dims.length === 4 ? 3 : 224)).join('x')}`;

/** Dims for raw data: the model's dims, with a symbolic leading (batch) dim taken from the data length. */
function dimsFor(inp: IOInfo, n: number): number[] {
  const known = inp.dims.map((d) => (isFixed(d) ? d : 0));
  const fixed = known.reduce((a, d) => a * (d || 1), 1);
  const free = known.filter((d) => !d).length;
  if (free === 0) {
    if (fixed !== n) throw new InvalidArgumentError(`input '${inp.name}' needs ${fixed} values ${showDims(inp.dims)}, the file has ${n}`);
    return known;
  }
  if (free === 1 && known[0] === 0 && n % fixed === 0) return known.map((d) => d || n / fixed);
  throw new InvalidArgumentError(`input '${inp.name}' has dims ${showDims(inp.dims)} and a raw file does not say which: pass --shape ${exampleShape(inp)} or use a .npy file, which carries its shape`);
}

/** `--shape a=1x3x224x224,b=...`, checked against the model's inputs (names, rank, fixed dims). */
function parseShapes(a: Args, inputs: readonly IOInfo[]): Record<string, number[]> {
  const s = a.flags.get('shape');
  const out: Record<string, number[]> = {};
  if (s === undefined) return out;
  for (const part of s.split(',')) {
    const [name, d, extra] = part.split('=');
    if (!name || !d || extra !== undefined) throw new InvalidArgumentError(`--shape takes name=1x3x224x224[,name2=...], got '${s}'`);
    const inp = inputs.find((i) => i.name === name);
    if (!inp) throw new InvalidArgumentError(`--shape names '${name}', which is not an input of the model (inputs: ${inputs.map((i) => i.name).join(', ')})`);
    const dims = d.split('x').map((v) => (/^\d+$/.test(v) ? Number(v) : NaN));
    if (dims.some((v) => !(v > 0))) throw new InvalidArgumentError(`--shape ${name}=${d}: dims must be positive integers separated by x`);
    if (dims.length !== inp.dims.length || dims.some((v, i) => isFixed(inp.dims[i]) && inp.dims[i] !== v)) {
      throw new InvalidArgumentError(`--shape ${name}=${d} does not fit input '${name}' ${showDims(inp.dims)}`);
    }
    out[name] = dims;
  }
  return out;
}

/**
 * Dims for an input with no file: --shape, else the model's dims with a symbolic batch (leading dim)
 * set to 1 (said on stderr); any other symbolic dim needs --shape.
 */
function defaultDims(inp: IOInfo, shapes: Record<string, number[]>): number[] {
  if (shapes[inp.name]) return shapes[inp.name];
  if (inp.dims.every(isFixed)) return inp.dims as number[];
  if (inp.dims.slice(1).some((d) => !isFixed(d))) {
    throw new InvalidArgumentError(`input '${inp.name}' has symbolic dims ${showDims(inp.dims)}: pass --shape ${exampleShape(inp)} (or --input with a .npy file)`);
  }
  const dims = inp.dims.map((d) => (isFixed(d) ? d : 1));
  console.error(`edgecnn: note: input '${inp.name}' has a symbolic batch dim '${inp.dims[0]}': using 1 (set it with --shape ${inp.name}=${['8', ...dims.slice(1)].join('x')})`);
  return dims;
}

function seeded(n: number, seed: number): Float32Array {
  const data = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) >>> 0; data[i] = (s / 4294967296) * 2 - 1; }
  return data;
}

/** The shortest decimal that reads back as the same float32 (JSON: NaN and ±Infinity become null). */
function f32(v: number): number | null {
  if (!Number.isFinite(v)) return null;
  for (let p = 1; p < 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return s;
  }
  return Number(v.toPrecision(9));
}

/** JSON with two-space indentation, arrays of numbers on one line. */
function toJson(v: unknown, indent = ''): string {
  if (Array.isArray(v) && v.every((x) => typeof x === 'number' || x === null)) return `[${v.map((x) => JSON.stringify(x)).join(', ')}]`;
  if (Array.isArray(v)) return v.length ? `[\n${v.map((x) => `${indent}  ${toJson(x, indent + '  ')}`).join(',\n')}\n${indent}]` : '[]';
  if (v && typeof v === 'object') {
    const e = Object.entries(v).filter(([, x]) => x !== undefined);
    if (e.length <= 4 && e.every(([, x]) => x === null || typeof x !== 'object')) return `{ ${e.map(([k, x]) => `${JSON.stringify(k)}: ${JSON.stringify(x)}`).join(', ')} }`;
    return e.length ? `{\n${e.map(([k, x]) => `${indent}  ${JSON.stringify(k)}: ${toJson(x, indent + '  ')}`).join(',\n')}\n${indent}}` : '{}';
  }
  return JSON.stringify(v) ?? 'null';
}

async function timeRuns(session: Session, feeds: Record<string, Tensor>, repeat: number) {
  const first = performance.now();
  let out = await session.run(feeds);
  const firstMs = performance.now() - first;
  // the timed runs write into the first run's arrays, as a frame loop would (RunOptions.outputs): fresh
  // arrays would time the allocator too (up to 0.5 ms of page faults for a 1.6 MB output)
  const outputs = Object.fromEntries(Object.entries(out).map(([name, t]) => [name, t.data as Float32Array]));
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t = performance.now();
    out = await session.run(feeds, { outputs });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { out, firstMs, medianMs: times[times.length >> 1], minMs: times[0] };
}

/** `--output`: checked before anything runs. */
function outputTarget(a: Args): { path: string; kind: 'npy' | 'npz' } | undefined {
  const path = a.flags.get('output');
  if (path === undefined) return undefined;
  const kind = path.endsWith('.npz') ? 'npz' : path.endsWith('.npy') ? 'npy' : undefined;
  if (!kind) throw new InvalidArgumentError(`--output must name a .npy or .npz file, got '${path}'`);
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InvalidArgumentError(`--output ${path}: the folder '${dir}' does not exist`);
  return { path, kind };
}

const safeName = (name: string) => name.replace(/[^A-Za-z0-9_.-]/g, '_');

/** Writes the outputs; returns which file holds which output. */
async function saveOutputs(target: { path: string; kind: 'npy' | 'npz' }, names: string[], out: Record<string, Tensor>): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const write = async (path: string, bytes: Uint8Array) => {
    try { await writeFile(path, bytes); } catch (e: any) { throw new InvalidArgumentError(`cannot write '${path}': ${e?.code ?? e?.message ?? e}`); }
  };
  if (target.kind === 'npz') {
    const used = new Set<string>();
    const arrays = names.map((name) => {
      let key = safeName(name);
      while (used.has(key)) key += '_';
      used.add(key);
      files[name] = `${target.path}['${key}']`;
      return { name: key, data: out[name].data, dims: out[name].dims };
    });
    await write(target.path, encodeNpz(arrays));
    return files;
  }
  const stem = target.path.slice(0, -'.npy'.length);
  for (const [i, name] of names.entries()) {
    const path = i === 0 ? target.path : `${stem}.${safeName(name)}.npy`;
    await write(path, encodeNpy(out[name].data, out[name].dims));
    files[name] = path;
  }
  return files;
}

async function cmdRun(a: Args): Promise<void> {
  const bundled = a.positional.length === 0;
  const modelPath = a.positional[0] ?? BUNDLED;
  const target = outputTarget(a);
  const repeat = repeatOf(a, 10);
  const session = await Session.create(modelPath, sessionOptions(a));
  try {
    const shapes = parseShapes(a, session.inputs);
    const inputPath = a.flags.get('input') ?? (bundled ? BUNDLED_INPUT : undefined);
    const feeds: Record<string, Tensor> = {};
    for (const [k, inp] of session.inputs.entries()) {
      let data: Float32Array, dims: number[];
      if (k === 0 && inputPath) {
        const r = await readInput(inputPath);
        data = r.data;
        const given = shapes[inp.name];
        if (r.dims) {
          if (given && given.join('x') !== r.dims.join('x')) throw new InvalidArgumentError(`--shape ${inp.name}=${given.join('x')} but ${inputPath} has shape ${r.dims.join('x')}`);
          dims = r.dims;
        } else if (given) {
          if (size(given) !== data.length) throw new InvalidArgumentError(`--shape ${inp.name}=${given.join('x')} needs ${size(given)} values, ${inputPath} has ${data.length}`);
          dims = given;
        } else dims = dimsFor(inp, data.length);
      } else {
        dims = defaultDims(inp, shapes);
        data = seeded(size(dims), 1234 + k);
      }
      feeds[inp.name] = new Tensor('float32', data, dims);
    }
    const { out, firstMs, medianMs, minMs } = await timeRuns(session, feeds, repeat);
    const profile = a.flags.has('profile') ? await session.profile(feeds, { runs: repeat }) : undefined;
    const names = session.outputs.map((o) => o.name);
    const saved = target ? await saveOutputs(target, names, out) : undefined;
    const labels: number[] | undefined = bundled && !a.flags.has('input') ? JSON.parse(await readFile(BUNDLED_LABELS, 'utf8')).labels : undefined;
    const first = session.inputs[0];
    const outputs: Record<string, { dims: number[]; top5?: { class: number; p: number }[][]; data?: (number | null)[] }> = {};
    for (const name of names) {
      const t = out[name];
      const o: (typeof outputs)[string] = { dims: [...t.dims] };
      if (t.dims.length === 2 && t.dims[1] >= 2) {
        o.top5 = [];
        for (let b = 0; b < t.dims[0]; b++) {
          const row = t.data.subarray(b * t.dims[1], (b + 1) * t.dims[1]);
          const p = isProb(row) ? row : softmax(row);
          o.top5.push(topK(p, 5).map((e) => ({ class: e.index, p: +e.score.toFixed(4) })));
        }
      }
      outputs[name] = o;
    }
    if (a.flags.has('json')) {
      for (const name of names) outputs[name].data = Array.from(out[name].data, f32);
      const inputs = session.inputs.length > 1 ? Object.fromEntries(session.inputs.map((i) => [i.name, [...feeds[i.name].dims]])) : undefined;
      console.log(toJson({
        model: bundled ? 'bundled lenet-digits' : modelPath, backend: session.backend,
        input: { name: first.name, dims: [...feeds[first.name].dims] }, inputs, outputs, saved, firstRunMs: firstMs, medianMs, minMs,
        profile: profile && (({ text, ...rest }) => rest)(profile),
      }));
      return;
    }
    console.log(`model    ${bundled ? 'bundled lenet-digits' : modelPath}`);
    console.log(`backend  ${session.backend}`);
    for (const inp of session.inputs) console.log(`input    ${inp.name} [${feeds[inp.name].dims.join(', ')}]${inp === first && inputPath ? '' : ' (seeded random values)'}`);
    for (const [name, o] of Object.entries(outputs)) {
      console.log(`output   ${name} [${o.dims.join(', ')}]`);
      (o.top5 ?? []).slice(0, 16).forEach((top, b) => {
        const label = labels ? `  (label ${labels[b]}${labels[b] === top[0].class ? ', correct' : ', WRONG'})` : '';
        console.log(`  #${b}: ${top.map((t) => `${t.class}:${t.p.toFixed(3)}`).join('  ')}${label}`);
      });
      if (o.top5 && o.top5.length > 16) console.log(`  … ${o.top5.length - 16} more rows (--json or --output for all)`);
    }
    if (labels) {
      const top = outputs[names[0]].top5!;
      const correct = top.filter((t, b) => t[0].class === labels[b]).length;
      console.log(`accuracy ${correct}/${labels.length} on the bundled samples`);
    }
    for (const [name, file] of Object.entries(saved ?? {})) console.log(`saved    ${name} [${out[name].dims.join(', ')}] float32 -> ${file}`);
    console.log(`latency  median ${medianMs.toFixed(3)} ms, min ${minMs.toFixed(3)} ms over ${repeat} runs (first run ${firstMs.toFixed(2)} ms)`);
    if (profile) console.log(`\nprofile  ${profile.text.replace(/\n/g, '\n  ')}`);
  } finally {
    await session.dispose();
  }
}

const isProb = (r: Float32Array) => r.every((v) => v >= 0) && Math.abs(r.reduce((s, v) => s + v, 0) - 1) < 1e-3;

async function cmdSummary(a: Args): Promise<void> {
  const modelPath = a.positional[0] ?? BUNDLED;
  const session = await Session.create(modelPath, sessionOptions(a));
  try {
    const given = parseShapes(a, session.inputs);
    const shapes = Object.fromEntries(session.inputs.map((i) => [i.name, defaultDims(i, given)]));
    const s = session.summary(shapes);
    if (a.flags.has('json')) { const { text, ...rest } = s; console.log(toJson(rest)); return; }
    console.log(`model ${modelPath}`);
    console.log(s.text);
  } finally {
    await session.dispose();
  }
}

async function cmdDemo(a: Args): Promise<void> {
  const repeat = repeatOf(a, 20);
  const net = demoNetwork();
  const session = await Session.create(net.toGraph(), sessionOptions(a));
  try {
    const s = session.summary();
    const x = new Float32Array(3 * 32 * 32).map((_, i) => Math.sin(i * 0.01));
    const { out, medianMs, minMs } = await timeRuns(session, { input: new Tensor('float32', x, [1, 3, 32, 32]) }, repeat);
    const y = out[session.outputs[0].name];
    if (a.flags.has('json')) { const { text, ...rest } = s; console.log(toJson({ summary: rest, output: Array.from(y.data, f32), medianMs, minMs, backend: session.backend })); return; }
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
  if (!cmd) { console.error(USAGE); return 1; }
  if (cmd === '--help' || cmd === '-h') { console.log(USAGE); return 0; }
  if (cmd === '--version' || cmd === '-v') { console.log(version()); return 0; }
  if (cmd === 'help') {
    if (!rest[0]) { console.log(USAGE); return 0; }
    if (!COMMANDS[rest[0]]) { console.error(`edgecnn: unknown command '${rest[0]}' (commands: ${Object.keys(COMMANDS).join(', ')})`); return 2; }
    console.log(commandHelp(rest[0]));
    return 0;
  }
  if (!COMMANDS[cmd]) {
    console.error(`edgecnn: unknown ${cmd.startsWith('-') ? 'option' : 'command'} '${cmd}' (commands: ${Object.keys(COMMANDS).join(', ')})\n${USAGE}`);
    return 2;
  }
  // --help and --version win over everything else on the line, bad options included
  const before = rest.indexOf('--');
  const opts = before < 0 ? rest : rest.slice(0, before);
  if (opts.includes('--help') || opts.includes('-h')) { console.log(commandHelp(cmd)); return 0; }
  if (opts.includes('--version')) { console.log(version()); return 0; }
  const a = parseArgs(cmd, rest);
  if (cmd === 'run') await cmdRun(a);
  else if (cmd === 'summary') await cmdSummary(a);
  else await cmdDemo(a);
  return 0;
}

function report(e: unknown, debug: boolean): void {
  if (debug) {
    let x: any = e;
    console.error(x?.stack ?? x);
    while (x?.cause) { x = x.cause; console.error('caused by:', x?.stack ?? x); }
  } else if (e instanceof EdgeCnnError) console.error(`edgecnn: ${e.message}`);
  else console.error(`edgecnn: unexpected error: ${(e as Error)?.message ?? e} (run with --debug for the stack trace)`);
}

// `edgecnn run | head`: a closed pipe ends the program quietly, as Unix tools do
process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(0); throw e; });

const argv = process.argv.slice(2);
const debug = argv.includes('--debug') || /^(1|true|yes)$/i.test(process.env.EDGECNN_DEBUG ?? '');
main(argv).then((code) => { process.exitCode = code; }, (e) => {
  report(e, debug);
  process.exitCode = 1;
});
