// One process per engine: time from process start to the first inference's result, and resident
// memory (RSS) after ten runs — what a phone user feels and pays. Each engine runs in a fresh Node
// process (bench/startup-child.mjs, plain JS over the built dist/), so neither warms the other.
// Run: npm run bench:startup [-- --model mobilenet_v2]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);

{
  const models = args.includes('--model') ? [args[args.indexOf('--model') + 1]] : ['mobilenet_v2', 'squeezenet1_1'];
  const childScript = fileURLToPath(new URL('./startup-child.mjs', import.meta.url));
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  console.log(`${'model'.padEnd(16)} ${'engine'.padEnd(16)} ${'start→1st result'.padStart(17)} ${'RSS after 10 runs'.padStart(18)}`);
  for (const model of models) {
    const res: Record<string, { first: number; rss: number }> = {};
    for (const engine of ['edgecnn', 'onnxruntime-web']) {
      // best of 3 fresh processes (the machine is noisy)
      const runs = [0, 1, 2].map(() => JSON.parse(execFileSync(process.execPath, [childScript, engine, model], { encoding: 'utf8' }).trim().split('\n').pop()!));
      res[engine] = { first: Math.min(...runs.map((r) => r.first)), rss: Math.min(...runs.map((r) => r.rss)) };
      console.log(`${model.padEnd(16)} ${engine.padEnd(16)} ${(res[engine].first.toFixed(0) + ' ms').padStart(17)} ${(mib(res[engine].rss) + ' MiB').padStart(18)}`);
    }
    console.log(`${model.padEnd(16)} ${'ratio'.padEnd(16)} ${(res.edgecnn.first / res['onnxruntime-web'].first).toFixed(2).padStart(17)} ${(res.edgecnn.rss / res['onnxruntime-web'].rss).toFixed(2).padStart(18)}`);
  }
}
