// Builds the demo as a user's app would be built: the package staged in demo/node_modules/edgecnn as
// `npm install edgecnn` lays it out (package.json, dist/, build/edgecnn.*.wasm — a copy, not a link),
// the bundled model and samples and generated icons in public/, then `vite build` with no
// edgecnn-specific configuration (only `base: './'` so the app works under any path), then the service
// worker listing every built file. Output: demo/dist/. Needs the package built (`npm run build`).
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeIcons } from './make-icons.mjs';

export const demoDir = fileURLToPath(new URL('.', import.meta.url));
export const root = join(demoDir, '..');
export const outDir = join(demoDir, 'dist');

function stagePackage() {
  const pkg = join(demoDir, 'node_modules', 'edgecnn');
  rmSync(pkg, { recursive: true, force: true });
  mkdirSync(join(pkg, 'build'), { recursive: true });
  cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
  cpSync(join(root, 'dist'), join(pkg, 'dist'), { recursive: true });
  for (const f of readdirSync(join(root, 'build'))) if (/^edgecnn\..*\.wasm$/.test(f)) cpSync(join(root, 'build', f), join(pkg, 'build', f));
}

function stagePublic() {
  const models = join(demoDir, 'public', 'models');
  mkdirSync(models, { recursive: true });
  for (const f of ['lenet-digits.onnx', 'digits-sample.bin']) cpSync(join(root, 'models', f), join(models, f));
  // demo/models/digits28.onnx (scripts/train-digits28.py), when trained, is the pad's default model
  const list = ['lenet'];
  if (existsSync(join(demoDir, 'models', 'digits28.onnx'))) { cpSync(join(demoDir, 'models', 'digits28.onnx'), join(models, 'digits28.onnx')); list.unshift('digits28'); }
  writeFileSync(join(models, 'models.json'), JSON.stringify(list));
  makeIcons(join(demoDir, 'public', 'icons'));
}

const listFiles = (dir) => readdirSync(dir, { recursive: true }).map(String).filter((f) => statSync(join(dir, f)).isFile());

function writeServiceWorker() {
  const files = listFiles(outDir).map((f) => f.split(sep).join('/')).sort();
  const hash = createHash('sha256');
  for (const f of files) hash.update(f).update(readFileSync(join(outDir, f)));
  const sw = readFileSync(join(demoDir, 'sw.js'), 'utf8')
    .replace("'__VERSION__'", JSON.stringify(hash.digest('hex').slice(0, 12)))
    .replace('__FILES__', JSON.stringify(['./', ...files.filter((f) => f !== 'index.html').map((f) => `./${f}`)], null, 2));
  writeFileSync(join(outDir, 'sw.js'), sw);
  return files;
}

/** Builds demo/dist; returns the files built and the bundler's warnings. */
export async function buildDemo({ quiet = false } = {}) {
  if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('the package is not built: run `npm run build` first');
  const t0 = Date.now();
  stagePackage();
  stagePublic();
  const { build, createLogger } = await import('vite');
  const warnings = [];
  const logger = createLogger('warn', { allowClearScreen: false });
  logger.warn = (m) => { warnings.push(m); if (!quiet) console.warn(m); };
  logger.warnOnce = logger.warn;
  await build({ root: demoDir, base: './', configFile: false, logLevel: 'warn', customLogger: logger, build: { outDir, emptyOutDir: true } });
  const files = writeServiceWorker();
  if (!quiet) console.log(`demo built in ${Date.now() - t0} ms: ${relative(root, outDir)}/ (${files.length} files)`);
  return { files, warnings };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildDemo();
