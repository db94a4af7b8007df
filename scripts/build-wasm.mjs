// Compiles assembly/ into one binary per target of asconfig.json (scalar, simd, relaxed, simd-threads,
// relaxed-threads) and the benchmark-only binaries of asconfig.bench.json.
// `node scripts/build-wasm.mjs [target...]` builds only the named targets of asconfig.json.
import { readFileSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const asc = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
const only = process.argv.slice(2);
mkdirSync(join(root, 'build'), { recursive: true });
for (const file of ['asconfig.json', 'asconfig.bench.json']) {
  if (only.length && file !== 'asconfig.json') continue;
  const config = JSON.parse(readFileSync(join(root, file), 'utf8'));
  for (const target of Object.keys(config.targets)) {
    if (only.length && !only.includes(target)) continue;
    execFileSync(process.execPath, [asc, '--config', file, '--target', target], { cwd: root, stdio: 'inherit' });
  }
}

// Kernels must not carry data segments: every instance on a shared memory would rewrite them, and
// the host owns every byte of linear memory (docs/DESIGN.md, "Binaries").
import { readdirSync } from 'node:fs';
function dataSegments(bytes) {
  let p = 8, count = 0;
  const leb = () => { let r = 0, s = 0, b; do { b = bytes[p++]; r |= (b & 0x7f) << s; s += 7; } while (b & 0x80); return r >>> 0; };
  while (p < bytes.length) {
    const id = bytes[p++];
    const len = leb();
    if (id === 11) { const q = p; count += leb(); p = q; }
    p += len;
  }
  return count;
}
for (const f of readdirSync(join(root, 'build'))) {
  if (!f.startsWith('edgecnn.') || !f.endsWith('.wasm')) continue;
  const n = dataSegments(readFileSync(join(root, 'build', f)));
  if (n) { console.error(`build/${f}: ${n} data segment(s); kernels must not use static data (a lookup table from Mathf?)`); process.exitCode = 1; }
}
