// The model fuzzer: mutations of small models (the fixture models and one-node models built here)
// given to Session.create (and one run when create succeeds), each case under a watchdog in a child
// process. Every case must end in a result or a typed EdgeCnnError within the time limit: the report
// counts ok / typed / untyped / died / over-time, and the children's peak RSS.
//   npm run fuzz -- --cases N --seed S [--workers W] [--timeout-ms T] [--quiet]
// Exit status 1 when any case was untyped, died or ran over time.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mutate, corpus } from './fuzz-mutate.js';

export interface CaseResult { index: number; outcome: 'ok' | 'typed' | 'untyped' | 'died' | 'over-time'; detail?: string; mutation?: string }
export interface FuzzReport { cases: number; seed: number; counts: Record<CaseResult['outcome'], number>; failures: CaseResult[]; peakRssMiB: number; seconds: number }

const DEFAULT_TIMEOUT_MS = 10_000;

/** Runs `cases` cases from `seed` on `workers` child processes; resolves with the report. */
export async function fuzz(opts: { cases: number; seed: number; workers?: number; timeoutMs?: number; onProgress?: (done: number, counts: FuzzReport['counts']) => void }): Promise<FuzzReport> {
  const t0 = performance.now();
  const workers = Math.max(1, opts.workers ?? 2);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const counts: FuzzReport['counts'] = { ok: 0, typed: 0, untyped: 0, died: 0, 'over-time': 0 };
  const failures: CaseResult[] = [];
  let next = 0, done = 0, peakRss = 0;
  const record = (r: CaseResult) => {
    counts[r.outcome]++;
    if (r.outcome !== 'ok' && r.outcome !== 'typed' && failures.length < 50) failures.push(r);
    done++;
    if (opts.onProgress && done % 1000 === 0) opts.onProgress(done, counts);
  };

  const runWorker = () => new Promise<void>((resolve) => {
    let child: ChildProcess | null = null;
    let current = -1;
    let timer: NodeJS.Timeout | null = null;
    const start = () => {
      child = fork(fileURLToPath(import.meta.url), ['--child'], {
        execArgv: ['--import', 'tsx', '--max-old-space-size=2048'], stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      });
      child.on('message', (m: { index: number; outcome: 'ok' | 'typed' | 'untyped'; detail?: string; mutation?: string; rss: number }) => {
        if (m.index !== current) return;
        if (timer) clearTimeout(timer);
        peakRss = Math.max(peakRss, m.rss);
        record({ index: m.index, outcome: m.outcome, detail: m.detail, mutation: m.mutation });
        feed();
      });
      child.on('exit', (code, signal) => {
        if (timer) clearTimeout(timer);
        const c = current;
        current = -1;
        if (c >= 0 && !overTime.has(c)) record({ index: c, outcome: 'died', detail: `exit ${code ?? signal}`, mutation: mutate(opts.seed, c).what });
        overTime.delete(c);
        if (next < opts.cases) start(); else resolve();
      });
      feed();
    };
    const overTime = new Set<number>();
    const feed = () => {
      if (next >= opts.cases) { current = -1; child?.kill(); return; }
      current = next++;
      const c = current;
      timer = setTimeout(() => {
        overTime.add(c);
        record({ index: c, outcome: 'over-time', detail: `> ${timeoutMs} ms`, mutation: mutate(opts.seed, c).what });
        child?.kill('SIGKILL');
      }, timeoutMs);
      child!.send({ seed: opts.seed, index: c });
    };
    start();
  });
  await Promise.all(Array.from({ length: Math.min(workers, opts.cases) }, runWorker));
  return { cases: opts.cases, seed: opts.seed, counts, failures, peakRssMiB: Math.round(peakRss / 2 ** 20), seconds: (performance.now() - t0) / 1e3 };
}

/** The largest activation arena the child runs (bytes). */
const MAX_RUN_ARENA = 512 * 2 ** 20;

/** The child: runs the cases it is sent, one at a time, and reports each. */
async function child(): Promise<void> {
  const { Session } = await import('../src/session.js');
  const { Tensor } = await import('../src/tensor.js');
  const { EdgeCnnError } = await import('../src/errors.js');
  corpus(); // built once per child
  process.on('message', async (m: { seed: number; index: number }) => {
    const { bytes, what } = mutate(m.seed, m.index);
    let outcome: 'ok' | 'typed' | 'untyped' = 'ok', detail: string | undefined;
    try {
      const s = await Session.create(bytes, { threads: 1, inputShapes: undefined });
      try {
        const feeds: Record<string, InstanceType<typeof Tensor>> = {};
        let elements = 0;
        for (const i of s.inputs) {
          const dims = i.dims.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
          elements += dims.reduce((a, b) => a * b, 1);
          if (elements <= 1 << 24) feeds[i.name] = new Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);
        }
        // a declared input of more than 16M elements: no feed this harness could build; and a plan of more than
        // 512 MiB (an Expand or Pad to 3 GB is a valid model): its run is that much memory traffic, seconds of
        // work the model asked for, not a hang. Create (planning included) was the test for both.
        if (elements <= 1 << 24 && s.summary(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, t.dims]))).arenaBytes <= MAX_RUN_ARENA) await s.run(feeds);
      } finally {
        await s.dispose();
      }
    } catch (e) {
      if (e instanceof EdgeCnnError) outcome = 'typed';
      else { outcome = 'untyped'; detail = `${(e as Error)?.name}: ${String((e as Error)?.message ?? e).slice(0, 300)}`; }
    }
    process.send!({ index: m.index, outcome, detail, mutation: outcome === 'ok' || outcome === 'typed' ? undefined : what, rss: process.memoryUsage().rss });
  });
}

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

if (process.argv.includes('--child')) {
  await child();
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quiet = process.argv.includes('--quiet');
  const started = performance.now();
  const cases = arg('cases', 10_000), seed = arg('seed', 1);
  const r = await fuzz({
    cases, seed, workers: arg('workers', 2), timeoutMs: arg('timeout-ms', DEFAULT_TIMEOUT_MS),
    // progress with the counts so far, so a run stopped early still tells what it saw
    onProgress: quiet ? undefined : (d, c) => { if (d % 10_000 === 0) console.error(`fuzz: ${d}/${cases} ${JSON.stringify(c)} (${((performance.now() - started) / 1e3).toFixed(0)} s)`); },
  });
  console.log(`fuzz: ${r.cases} cases from seed ${r.seed} in ${r.seconds.toFixed(0)} s: ok ${r.counts.ok}, typed ${r.counts.typed}, untyped ${r.counts.untyped}, died ${r.counts.died}, over-time ${r.counts['over-time']}; children's peak RSS ${r.peakRssMiB} MiB`);
  for (const f of r.failures) console.log(`  case ${f.index} ${f.outcome}: ${f.detail ?? ''} [${f.mutation ?? ''}]`);
  process.exit(r.counts.untyped + r.counts.died + r.counts['over-time'] ? 1 : 0);
}
