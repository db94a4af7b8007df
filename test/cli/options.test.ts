// The command line's options and errors, run as a user runs it (the built dist/cli.js): --help, -h and
// --version on every command, unknown options named per command, one-line errors (stack only with
// --debug or EDGECNN_DEBUG=1), symbolic dims asking for --shape, --json raw values, --output .npy/.npz
// read back by a parser written here (and by numpy when python3 has it).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { makeModel } from '../helpers/onnx-builder.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const models = fileURLToPath(new URL('../../models/', import.meta.url));
const version: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
const refLogits = (() => { const b = readFileSync(join(models, 'digits-sample.logits.bin')); return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); })();
const dir = mkdtempSync(join(tmpdir(), 'edgecnn-cli-'));

async function edgecnn(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run(process.execPath, [cli, ...args], { timeout: 60_000, env: { ...process.env, EDGECNN_DEBUG: '', ...env } });
    return { ...r, code: 0 };
  } catch (e: any) {
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : -1 };
  }
}

/** A user error: exit 1, nothing on stdout, exactly one stderr line `edgecnn: …` matching `re`, no stack. */
function oneLineError(r: { stdout: string; stderr: string; code: number }, re: RegExp): void {
  assert.is(r.code, 1, `exit code; stderr: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.is(lines.length, 1, `one stderr line, got:\n${r.stderr}`);
  assert.match(lines[0], /^edgecnn: /);
  assert.match(lines[0], re);
  assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
}

/** A .npy parsed here, independently of src/npy.ts. */
function parseNpy(b: Uint8Array): { descr: string; shape: number[]; data: Float32Array } {
  assert.equal([...b.subarray(0, 6)], [0x93, ...Buffer.from('NUMPY')], 'magic');
  assert.is(b[6], 1, 'format 1.0');
  const hlen = b[8] | (b[9] << 8);
  assert.is((10 + hlen) % 64, 0, 'data aligned to 64 bytes');
  const header = Buffer.from(b.subarray(10, 10 + hlen)).toString('latin1');
  assert.ok(header.endsWith('\n'), 'header ends with a newline');
  const descr = /'descr': '([^']+)'/.exec(header)![1];
  assert.match(header, /'fortran_order': False/);
  const shape = /'shape': \(([^)]*)\)/.exec(header)![1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const body = Uint8Array.prototype.slice.call(b, 10 + hlen); // a copy: aligned, whatever b views
  return { descr, shape, data: new Float32Array(body.buffer) };
}

/** The entries of a stored (uncompressed) zip, parsed here from its central directory; CRCs checked with zlib. */
function parseZip(b: Uint8Array): Map<string, Uint8Array> {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const end = b.length - 22;
  assert.is(v.getUint32(end, true), 0x06054b50, 'end of central directory');
  const n = v.getUint16(end + 10, true);
  let p = v.getUint32(end + 16, true);
  const out = new Map<string, Uint8Array>();
  for (let i = 0; i < n; i++) {
    assert.is(v.getUint32(p, true), 0x02014b50, 'central directory entry');
    assert.is(v.getUint16(p + 10, true), 0, 'stored');
    const crc = v.getUint32(p + 16, true), len = v.getUint32(p + 20, true), nameLen = v.getUint16(p + 28, true), local = v.getUint32(p + 42, true);
    const name = Buffer.from(b.subarray(p + 46, p + 46 + nameLen)).toString();
    assert.is(v.getUint32(local, true), 0x04034b50, 'local header');
    const start = local + 30 + v.getUint16(local + 26, true) + v.getUint16(local + 28, true);
    const data = b.subarray(start, start + len);
    if (typeof (zlib as any).crc32 === 'function') assert.is((zlib as any).crc32(data), crc, `crc of ${name}`);
    out.set(name, data);
    p += 46 + nameLen + v.getUint16(p + 30, true) + v.getUint16(p + 32, true);
  }
  return out;
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => (a.length !== b.length ? Infinity : Array.from(a).reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0));

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
/** numpy's view of a .npy or .npz: { key: { shape, dtype, values } }. */
function numpyLoad(path: string): Record<string, { shape: number[]; dtype: string; values: number[] }> {
  const py = `import numpy as np, json, sys
z = np.load(sys.argv[1])
items = z.items() if hasattr(z, 'files') else [('', z)]
print(json.dumps({k: {'shape': list(a.shape), 'dtype': str(a.dtype), 'values': a.ravel().tolist()} for k, a in items}))`;
  const r = spawnSync('python3', ['-c', py, path], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// x [N, 3, H, W] -> Conv 3->4 3x3 pad 1 -> Relu -> features [N, 4, H, W] -> GlobalAveragePool -> pooled [N, 4, 1, 1]
const symbolicModel = join(dir, 'symbolic.onnx');
writeFileSync(symbolicModel, makeModel({
  opset: 13,
  inputs: [{ name: 'x', dims: ['N', 3, 'H', 'W'] }],
  outputs: [{ name: 'features' }, { name: 'pooled' }],
  nodes: [
    { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    { op: 'Relu', inputs: ['c'], outputs: ['features'] },
    { op: 'GlobalAveragePool', inputs: ['features'], outputs: ['pooled'] },
  ],
  initializers: {
    w: { dims: [4, 3, 3, 3], data: Array.from({ length: 108 }, (_, i) => Math.sin(i) * 0.3) },
    b: { dims: [4], data: [0.1, -0.1, 0.2, 0] },
  },
}));
const lenet = join(models, 'lenet-digits.onnx');

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('--version prints package.json\'s version, alone and on every command', async () => {
  for (const args of [['--version'], ['run', '--version'], ['summary', '--version'], ['demo', '--version'], ['run', lenet, '--version']]) {
    const r = await edgecnn(args);
    assert.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.is(r.stdout, `${version}\n`, args.join(' '));
  }
});

test('--help and -h on every command print that command\'s options and exit 0', async () => {
  const want: Record<string, string[]> = {
    run: ['--input FILE', '--shape NAME=DIMS', '--output FILE', '--json', '--threads', '--backend', '--repeat N', '--debug', '-h, --help', '--version'],
    summary: ['--shape NAME=DIMS', '--json', '--debug', '-h, --help'],
    demo: ['--repeat N', '--json', '-h, --help'],
  };
  for (const [cmd, options] of Object.entries(want)) {
    for (const flag of ['--help', '-h']) {
      const r = await edgecnn([cmd, flag]);
      assert.is(r.code, 0, `${cmd} ${flag}: ${r.stderr}`);
      assert.ok(r.stdout.startsWith(`usage: edgecnn ${cmd} `), `${cmd} ${flag}:\n${r.stdout}`);
      for (const o of options) assert.ok(r.stdout.includes(o), `${cmd} ${flag} lists ${o}:\n${r.stdout}`);
    }
  }
  assert.not.ok((await edgecnn(['summary', '--help'])).stdout.includes('--output'), 'summary has no --output');
  // help wins over a bad option on the same line; `help run` is `run --help`
  const bad = await edgecnn(['run', '--bogus', '--help']);
  assert.is(bad.code, 0, bad.stderr);
  assert.ok(bad.stdout.startsWith('usage: edgecnn run '));
  assert.is((await edgecnn(['help', 'run'])).stdout, (await edgecnn(['run', '-h'])).stdout);
  const top = await edgecnn(['--help']);
  assert.is(top.code, 0);
  assert.match(top.stdout, /edgecnn run .*--output out\.npy\|out\.npz/);
  assert.match(top.stdout, /edgecnn <command> --help/);
});

test('unknown options are named, per command, with the command\'s options', async () => {
  const r = await edgecnn(['run', '--foo']);
  oneLineError(r, /^edgecnn: unknown option --foo for 'run' \(options: --input, --shape, --output, --json, --threads, --backend, --repeat, --profile, --debug, --help, --version; see edgecnn run --help\)$/);
  oneLineError(await edgecnn(['summary', lenet, '--repeat', '3']), /unknown option --repeat for 'summary' \(options: --shape, --json, --threads, --backend, --debug, --help, --version;/);
  oneLineError(await edgecnn(['demo', '--output=x.npy']), /unknown option --output for 'demo'/);
  oneLineError(await edgecnn(['run', '--inptu', 'x.npy']), /unknown option --inptu for 'run' \(did you mean --input\?\)/);
  oneLineError(await edgecnn(['run', '-x']), /unknown option -x for 'run'/);
  oneLineError(await edgecnn(['run', '--json=yes']), /--json takes no value/);
  oneLineError(await edgecnn(['run', '--input']), /--input needs a value \(FILE\)/);
  oneLineError(await edgecnn(['run', lenet, lenet]), /'run' takes one model file, got 2/);
  oneLineError(await edgecnn(['run', '--repeat', '0']), /--repeat must be a positive integer, got '0'/);
  oneLineError(await edgecnn(['run', '--threads', 'many']), /--threads must be a positive integer or auto, got 'many'/);
});

test('a missing --input file is one line, no stack; --debug and EDGECNN_DEBUG=1 show the stack', async () => {
  const missing = join(dir, 'nope.npy');
  oneLineError(await edgecnn(['run', lenet, '--input', missing]), new RegExp(`^edgecnn: cannot read input file '${missing}': no such file$`));
  oneLineError(await edgecnn(['run', lenet, '--input', dir]), /cannot read input file .*: it is a directory/);
  const debug = await edgecnn(['run', lenet, '--input', missing, '--debug']);
  assert.is(debug.code, 1);
  assert.match(debug.stderr, /InvalidArgumentError: cannot read input file/);
  assert.match(debug.stderr, /\n\s+at /, 'stack with --debug');
  const env = await edgecnn(['run', lenet, '--input', missing], { EDGECNN_DEBUG: '1' });
  assert.is(env.code, 1);
  assert.match(env.stderr, /\n\s+at /, 'stack with EDGECNN_DEBUG=1');
});

test('any EdgeCnnError is one line: a corrupt model, a bad .npy, a wrong-sized .bin, a bad backend', async () => {
  const junk = join(dir, 'junk.onnx');
  writeFileSync(junk, Buffer.from('this is not a model at all'));
  const r = await edgecnn(['run', junk]);
  oneLineError(r, /^edgecnn: /);
  const notNpy = join(dir, 'bad.npy');
  writeFileSync(notNpy, Buffer.from('hello'));
  oneLineError(await edgecnn(['run', lenet, '--input', notNpy]), /bad\.npy: not a \.npy file/);
  const odd = join(dir, 'odd.bin');
  writeFileSync(odd, new Uint8Array(4 * 700));
  oneLineError(await edgecnn(['run', lenet, '--input', odd]), /input 'input' has dims \[batch, 1, 28, 28\].*pass --shape input=1x1x28x28/);
  oneLineError(await edgecnn(['run', '--backend', 'cuda']), /backend must be/);
  oneLineError(await edgecnn(['summary', junk]), /^edgecnn: /);
});

test('symbolic height and width: run and summary ask for --shape; with it they run', async () => {
  oneLineError(await edgecnn(['run', symbolicModel]), /^edgecnn: input 'x' has symbolic dims \[N, 3, H, W\]: pass --shape x=1x3x224x224 \(or --input with a \.npy file\)$/);
  oneLineError(await edgecnn(['summary', symbolicModel]), /pass --shape x=1x3x224x224/);
  const r = await edgecnn(['run', symbolicModel, '--shape', 'x=2x3x10x12', '--json', '--repeat', '1']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stderr, '', 'no note when every dim is given');
  const j = JSON.parse(r.stdout);
  assert.equal(j.input.dims, [2, 3, 10, 12]);
  assert.equal(j.outputs.features.dims, [2, 4, 10, 12]);
  assert.equal(j.outputs.pooled.dims, [2, 4, 1, 1]);
  assert.is(j.outputs.features.data.length, 2 * 4 * 10 * 12);
  const s = await edgecnn(['summary', symbolicModel, '--shape', 'x=1x3x16x16', '--json']);
  assert.is(s.code, 0, s.stderr);
  assert.equal(JSON.parse(s.stdout).inputDims, { x: [1, 3, 16, 16] });
  // a raw .bin cannot say H and W: --shape does
  const bin = join(dir, 'x.bin');
  writeFileSync(bin, new Uint8Array(new Float32Array(3 * 5 * 6).fill(0.5).buffer));
  oneLineError(await edgecnn(['run', symbolicModel, '--input', bin]), /input 'x' has dims \[N, 3, H, W\] and a raw file does not say which: pass --shape x=1x3x224x224 or use a \.npy file/);
  const withShape = await edgecnn(['run', symbolicModel, '--input', bin, '--shape', 'x=1x3x5x6', '--json', '--repeat', '1']);
  assert.is(withShape.code, 0, withShape.stderr);
  assert.equal(JSON.parse(withShape.stdout).outputs.features.dims, [1, 4, 5, 6]);
  oneLineError(await edgecnn(['run', symbolicModel, '--input', bin, '--shape', 'x=1x3x5x5']), /--shape x=1x3x5x5 needs 75 values, .*x\.bin has 90/);
  // --shape is checked against the model
  oneLineError(await edgecnn(['run', symbolicModel, '--shape', 'y=1x3x8x8']), /--shape names 'y', which is not an input of the model \(inputs: x\)/);
  oneLineError(await edgecnn(['run', symbolicModel, '--shape', 'x=1x3x8']), /--shape x=1x3x8 does not fit input 'x' \[N, 3, H, W\]/);
  oneLineError(await edgecnn(['run', symbolicModel, '--shape', 'x=1x4x8x8']), /does not fit input 'x'/);
  oneLineError(await edgecnn(['run', symbolicModel, '--shape', 'x=1x3x0x8']), /dims must be positive integers/);
  oneLineError(await edgecnn(['run', symbolicModel, '--shape', '1x3x8x8']), /--shape takes name=1x3x224x224/);
});

test('a symbolic batch alone defaults to 1 and says so on stderr', async () => {
  const r = await edgecnn(['run', lenet, '--json', '--repeat', '1']);
  assert.is(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).input.dims, [1, 1, 28, 28]);
  assert.match(r.stderr, /^edgecnn: note: input 'input' has a symbolic batch dim 'batch': using 1 \(set it with --shape input=8x1x28x28\)\n$/);
  const b = await edgecnn(['run', lenet, '--shape', 'input=3x1x28x28', '--json', '--repeat', '1']);
  assert.is(b.code, 0, b.stderr);
  assert.is(b.stderr, '');
  assert.equal(JSON.parse(b.stdout).outputs.logits.dims, [3, 10]);
  const s = await edgecnn(['summary', lenet]);
  assert.is(s.code, 0, s.stderr);
  assert.match(s.stderr, /symbolic batch dim 'batch': using 1/);
});

test('--json has every output\'s raw values: the bundled logits, as PyTorch computed them', async () => {
  const r = await edgecnn(['run', '--json', '--repeat', '1']);
  assert.is(r.code, 0, r.stderr);
  const o = JSON.parse(r.stdout).outputs.logits;
  assert.equal(o.dims, [10, 10]);
  assert.is(o.data.length, 100);
  const d = maxDiff(o.data, refLogits);
  assert.ok(d < 1e-4, `max |logit - PyTorch| = ${d}`);
  assert.is(o.top5[0][0].class, 0);
});

test('--output out.npy: float32 with its shape, the same values as --json', async () => {
  const path = join(dir, 'logits.npy');
  const r = await edgecnn(['run', '--output', path, '--repeat', '1']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`saved\\s+logits \\[10, 10\\] float32 -> ${path}`));
  const npy = parseNpy(readFileSync(path));
  assert.is(npy.descr, '<f4');
  assert.equal(npy.shape, [10, 10]);
  const d = maxDiff(npy.data, refLogits);
  assert.ok(d < 1e-4, `max |saved - PyTorch| = ${d}`);
  const j = await edgecnn(['run', '--output', path, '--json', '--repeat', '1']);
  assert.is(j.code, 0, j.stderr);
  const out = JSON.parse(j.stdout);
  assert.equal(out.saved, { logits: path });
  const saved = Array.from(parseNpy(readFileSync(path)).data);
  assert.equal(saved, out.outputs.logits.data.map(Math.fround), 'the JSON values are the same float32 values');
  if (hasNumpy) {
    const np = numpyLoad(path)[''];
    assert.equal(np.shape, [10, 10]);
    assert.is(np.dtype, 'float32');
    assert.equal(np.values, saved);
  } else console.log('  (python3 with numpy not found: the numpy cross-check of .npy is skipped)');
});

test('several outputs: out.npy for the first, out.<name>.npy for the others; .npz holds all by name', async () => {
  const sub = mkdtempSync(join(dir, 'multi-'));
  const path = join(sub, 'out.npy');
  const r = await edgecnn(['run', symbolicModel, '--shape', 'x=1x3x4x5', '--output', path, '--json', '--repeat', '1']);
  assert.is(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.saved, { features: path, pooled: join(sub, 'out.pooled.npy') });
  assert.equal(readdirSync(sub).sort(), ['out.npy', 'out.pooled.npy']);
  const f = parseNpy(readFileSync(path)), p = parseNpy(readFileSync(join(sub, 'out.pooled.npy')));
  assert.equal(f.shape, [1, 4, 4, 5]);
  assert.equal(p.shape, [1, 4, 1, 1]);
  assert.equal(Array.from(f.data), j.outputs.features.data.map(Math.fround));
  assert.equal(Array.from(p.data), j.outputs.pooled.data.map(Math.fround));
  // pooled is the mean of features per channel: the two files are the two outputs, not one twice
  for (let c = 0; c < 4; c++) assert.ok(Math.abs(p.data[c] - f.data.subarray(c * 20, c * 20 + 20).reduce((a, b) => a + b) / 20) < 1e-5, `channel ${c}`);

  const npz = join(sub, 'all.npz');
  const z = await edgecnn(['run', symbolicModel, '--shape', 'x=1x3x4x5', '--output', npz, '--repeat', '1']);
  assert.is(z.code, 0, z.stderr);
  assert.match(z.stdout, /saved\s+features \[1, 4, 4, 5\] float32 -> .*all\.npz\['features'\]/);
  assert.match(z.stdout, /saved\s+pooled \[1, 4, 1, 1\] float32 -> .*all\.npz\['pooled'\]/);
  const entries = parseZip(readFileSync(npz));
  assert.equal([...entries.keys()], ['features.npy', 'pooled.npy']);
  assert.equal(parseNpy(entries.get('features.npy')!).shape, [1, 4, 4, 5]);
  assert.equal(Array.from(parseNpy(entries.get('pooled.npy')!).data), Array.from(p.data), 'same seeded input, same values');
  if (hasNumpy) {
    const np = numpyLoad(npz);
    assert.equal(Object.keys(np).sort(), ['features', 'pooled']);
    assert.equal(np.features.shape, [1, 4, 4, 5]);
    assert.is(np.pooled.dtype, 'float32');
    assert.equal(np.pooled.values, Array.from(p.data));
  } else console.log('  (python3 with numpy not found: the numpy cross-check of .npz is skipped)');
});

test('--output is checked before the model runs: extension and folder', async () => {
  oneLineError(await edgecnn(['run', '--output', join(dir, 'out.bin')]), /--output must name a \.npy or \.npz file, got '.*out\.bin'/);
  oneLineError(await edgecnn(['run', '--output', join(dir, 'no', 'such', 'out.npy')]), /--output .*out\.npy: the folder '.*such' does not exist/);
  assert.not.ok(existsSync(join(dir, 'out.bin')));
});

test.run();
