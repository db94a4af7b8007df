// Shared by the runtime tests: the bundled samples and their reference logits, and a time-limited spawn.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
const models = new URL('../../models/', import.meta.url);

/** models/digits-sample.logits.bin: [10, 10] float32, PyTorch's logits for the ten samples. */
export const refLogits = (() => {
  const b = readFileSync(new URL('digits-sample.logits.bin', models));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
})();
export const labels: number[] = JSON.parse(readFileSync(new URL('digits-sample.labels.json', models), 'utf8')).labels;

/** Largest |a - b| over the two arrays (Infinity when the lengths differ). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return Number.isNaN(m) ? Infinity : m;
}

/** Whether two float lists have the same float32 bits everywhere. */
export function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  const x = new Uint32Array(Float32Array.from(a).buffer), y = new Uint32Array(Float32Array.from(b).buffer);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Top-1 class of each row of a [rows, 10] logit list. */
export function argmaxRows(l: ArrayLike<number>, cols = 10): number[] {
  const out: number[] = [];
  for (let r = 0; r * cols < l.length; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (l[r * cols + c] > l[r * cols + best]) best = c;
    out.push(best);
  }
  return out;
}

export interface Spawned { code: number | null; signal: string | null; out: string; err: string; ms: number; killed: boolean }

/** Spawns a command and waits for it to exit; kills it (SIGKILL) and reports `killed` after `limitMs`. */
export function runLimited(cmd: string, args: string[], limitMs: number, env: NodeJS.ProcessEnv = {}): Promise<Spawned> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const p = spawn(cmd, args, { cwd: root, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '', killed = false;
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => { killed = true; p.kill('SIGKILL'); }, limitMs);
    p.on('error', (e) => { err += `spawn error: ${e.message}`; });
    p.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, out, err, ms: Date.now() - t0, killed }); });
  });
}

export const CHROMIUM = process.env.EDGECNN_CHROMIUM ?? '/usr/bin/chromium';
// PLATFORMS.md: as root here Chromium needs these (playwright-core adds --headless and a fresh
// temporary --user-data-dir per launch).
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/**
 * Whether Chromium is there. Missing: scripts/ensure-chromium.sh is tried (it installs it as root with
 * apt-get); still missing, a failure in CI (env CI set), else a loud skip (false).
 */
export async function chromiumOrSkip(what = 'BROWSER TEST'): Promise<boolean> {
  if (existsSync(CHROMIUM)) return true;
  console.log(`\n  ${CHROMIUM} is missing: running scripts/ensure-chromium.sh …`);
  const r = await runLimited('bash', ['scripts/ensure-chromium.sh'], 300_000);
  if (existsSync(CHROMIUM)) return true;
  const msg = `!!!!! ${what} SKIPPED: Chromium (${CHROMIUM}) is not installed and scripts/ensure-chromium.sh could not install it (exit ${r.code}):\n${r.out}${r.err}`;
  if (process.env.CI) throw new Error(`${msg}\n(CI must run scripts/ensure-chromium.sh before npm test)`);
  console.log(`\n${'!'.repeat(100)}\n${msg}\n${'!'.repeat(100)}\n`);
  return false;
}

/** Headless Chromium through playwright-core. */
export async function launchChromium(): Promise<import('playwright-core').Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 20_000 });
}

/** Listens on 127.0.0.1 on a free port: the server, its origin, and the request log it fills. */
export function listenLocal(server: import('node:http').Server, requests: string[]): Promise<{ server: import('node:http').Server; origin: string; requests: string[] }> {
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      ok({ server, origin: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`, requests });
    });
  });
}
