// Start-up and memory, one fresh process per (engine, model): edgecnn, onnxruntime-web (wasm) and
// tfjs-backend-wasm (XNNPACK, running edgecnn's folded graph through tfjs-core ops: bench/peers/tfjs.ts),
// all on one thread. Per run: time from process start to the first result, peak RSS (VmHWM) right
// after create and after the first run, RSS after ten runs; and bare Node's RSS (a process that imports
// nothing) so memory is also reported over bare Node. Children are plain JS over the built dist/
// (bench/startup-child.mjs); the tfjs peer is bundled to plain JS once with esbuild (packages external).
// Rounds interleave the engines; the table gives medians over the rounds.
// Run: npm run bench:startup [-- --model mobilenet_v2] [-- --rounds 5]   (after npm run build)
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mkdirSync } from 'node:fs';
import { build } from 'esbuild';

const args = process.argv.slice(2);
const opt = (k: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
const models = opt('--model') ? [opt('--model')!] : ['lenet-digits', 'squeezenet1_1', 'mobilenet_v2'];
const rounds = Number(opt('--rounds') ?? 5);
const engines = ['edgecnn', 'onnxruntime-web', 'tfjs-backend-wasm'] as const;
const peers = engines.slice(1);

const root = new URL('../', import.meta.url);
const childScript = fileURLToPath(new URL('bench/startup-child.mjs', root));
// inside node_modules so the bundle resolves @tensorflow/* (and finds the tfjs wasm files) like the source
const cacheDir = fileURLToPath(new URL('node_modules/.cache/edgecnn-bench/', root));
mkdirSync(cacheDir, { recursive: true });
const peerFile = cacheDir + 'tfjs-peer.mjs';
await build({ entryPoints: [fileURLToPath(new URL('bench/peers/tfjs.ts', root))], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: peerFile, logLevel: 'warning' });
const peerUrl = pathToFileURL(peerFile).href;

interface Result { script: number; first: number; created: number; hwmCreate: number; hwmFirst: number; rss: number; hwm: number }
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const mb = (b: number) => (b / 1e6).toFixed(1);

// bare Node: a process that imports nothing
const bareRuns = Array.from({ length: rounds }, () => JSON.parse(execFileSync(process.execPath, ['-e',
  `const s=require('fs').readFileSync('/proc/self/status','utf8');console.log(JSON.stringify({rss:process.memoryUsage().rss,hwm:+/VmHWM:\\s+(\\d+)/.exec(s)[1]*1024}))`], { encoding: 'utf8' })));
const bare = { rss: median(bareRuns.map((r) => r.rss)), hwm: median(bareRuns.map((r) => r.hwm)) };

const lscpu = (() => { try { return /Model name:\s*(.*)/.exec(execFileSync('lscpu', { encoding: 'utf8' }))?.[1] ?? '?'; } catch { return '?'; } })();
console.log(`node ${process.version}, ${lscpu}; threads: 1 for every engine; ${rounds} fresh processes per (engine, model), medians`);
const scriptMs: number[] = [];
console.log(`bare Node (imports nothing): RSS ${mb(bare.rss)} MB, peak ${mb(bare.hwm)} MB.  MB = 10^6 bytes; "+bare" = over bare Node's RSS`);
console.log('first = process start → first result; peak@create / peak@1st = VmHWM right after create / after the first run; RSS@10 = after ten runs');
const cols = ['first ms', 'create ms', 'peak@create', 'peak@1st', 'RSS@10', 'RSS@10 +bare'];
console.log(`${'model'.padEnd(14)} ${'engine'.padEnd(18)} ${cols.map((c) => c.padStart(12)).join(' ')}`);
for (const model of models) {
  const runs: Record<string, Result[]> = Object.fromEntries(engines.map((e) => [e, []]));
  for (let r = 0; r < rounds; r++) {
    for (const engine of engines) {
      const out = execFileSync(process.execPath, [childScript, engine, model, peerUrl], { encoding: 'utf8' });
      runs[engine].push(JSON.parse(out.trim().split('\n').pop()!));
    }
  }
  const med: Record<string, number[]> = {};
  for (const engine of engines) {
    const rs = runs[engine];
    scriptMs.push(...rs.map((x) => x.script));
    const m = (k: keyof Result) => median(rs.map((x) => x[k]));
    med[engine] = [m('first'), m('created'), m('hwmCreate'), m('hwmFirst'), m('rss'), m('rss') - bare.rss];
    const row = [med[engine][0].toFixed(0), med[engine][1].toFixed(0), ...med[engine].slice(2).map(mb)];
    console.log(`${model.padEnd(14)} ${engine.padEnd(18)} ${row.map((c) => c.padStart(12)).join(' ')}`);
  }
  const best = cols.map((_, i) => Math.min(...peers.map((p) => med[p][i])));
  const bestName = cols.map((_, i) => peers.reduce((a, p) => (med[p][i] < med[a][i] ? p : a), peers[0]));
  console.log(`${model.padEnd(14)} ${'edgecnn/best peer'.padEnd(18)} ${cols.map((_, i) => (med.edgecnn[i] / best[i]).toFixed(2).padStart(12)).join(' ')}`);
  console.log(`${''.padEnd(14)} ${'  best peer'.padEnd(18)} ${bestName.map((n) => (n === 'onnxruntime-web' ? 'ort-web' : 'tfjs-wasm').padStart(12)).join(' ')}`);
  if (model === 'mobilenet_v2') console.log(`${''.padEnd(14)} ${'edgecnn/tfjs-wasm'.padEnd(18)} ${cols.map((_, i) => (med.edgecnn[i] / med['tfjs-backend-wasm'][i]).toFixed(2).padStart(12)).join(' ')}`);
  if (process.env.STARTUP_RAW) console.log(JSON.stringify(runs));
}
console.log(`Node itself (process start → the child script running): median ${median(scriptMs).toFixed(0)} ms of every 'first' above`);
