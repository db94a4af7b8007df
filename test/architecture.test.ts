// The source layout's rules: no import cycle in src/; the backend-neutral core (src/model, src/plan)
// imports no backend; backends do not import each other; test hooks stay out of the public API.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => { const p = join(dir, f); return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : []; });
}
/** Every relative module a file imports (static, re-export, dynamic), as a path under src/. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g)].map((m) => m[1] ?? m[2]);
  return specs.map((s) => relative(src, resolve(dirname(file), s.replace(/\.js$/, '.ts'))));
}

const graph = new Map(files(src).map((f) => [relative(src, f), imports(f)]));

test('the scan sees the source tree', () => {
  assert.ok(graph.size > 30, `${graph.size} files`);
  assert.ok(graph.get('session.ts')!.includes('backends/wasm/index.ts'));
});

test('no import cycle in src/', () => {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (f: string) => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') assert.unreachable(`import cycle: ${[...path.slice(path.indexOf(f)), f].join(' → ')}`);
    state.set(f, 'open'); path.push(f);
    for (const d of graph.get(f) ?? []) if (graph.has(d)) visit(d);
    path.pop(); state.set(f, 'done');
  };
  for (const f of graph.keys()) visit(f);
});

test('src/model and src/plan import no backend; backends do not import each other', () => {
  for (const [f, deps] of graph) {
    if (f.startsWith('model/') || f.startsWith('plan/')) {
      for (const d of deps) assert.not.ok(d.startsWith('backends/'), `${f} imports ${d}`);
    }
    const own = /^backends\/([^/]+)\//.exec(f)?.[1];
    if (own) for (const d of deps) {
      const other = /^backends\/([^/]+)\//.exec(d)?.[1];
      assert.ok(!other || other === own, `${f} (backend ${own}) imports ${d}`);
    }
  }
});

test('the public entry exports no test hooks', async () => {
  const api = await import('../src/index.js');
  for (const [name, value] of Object.entries(api)) {
    assert.not.match(name, /^_|test/i, name);
    if (typeof value === 'function' && value.prototype) {
      for (const key of Object.getOwnPropertyNames(value.prototype)) assert.not.match(key, /^_test|^_worker|^_id$/, `${name}.${key}`);
    }
  }
});

test.run();
