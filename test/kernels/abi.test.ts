// The typed kernel ABI (src/backends/wasm/abi.ts) against the AssemblyScript sources and against every
// binary: the same kernels, the same parameters in the same order, and each export's arity.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync } from 'node:fs';
import { KERNELS, step } from '../../src/backends/wasm/abi.js';
import { flavors, Harness } from '../helpers/harness.js';

const assemblyDir = new URL('../../assembly/', import.meta.url);

/** `export function f32_...(a: T, b: T, ...)` signatures of assembly/*.ts, parameters by name. */
function sourceSignatures(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of readdirSync(assemblyDir).filter((n) => n.endsWith('.ts'))) {
    const text = readFileSync(new URL(f, assemblyDir), 'utf8');
    for (const m of text.matchAll(/export function (f32_\w+)\(([^)]*)\)/g)) {
      out.set(m[1], m[2].split(',').map((p) => p.trim().split(':')[0].trim()).filter((p) => p));
    }
  }
  return out;
}

test('the ABI table lists every kernel of the sources with its parameters in order', () => {
  const src = sourceSignatures();
  assert.ok(src.size >= 16, `${src.size} kernels found in assembly/`);
  assert.equal([...src.keys()].sort(), Object.keys(KERNELS).sort());
  for (const [name, params] of src) {
    assert.equal(params.slice(-2), ['begin', 'end'], `${name} ends with begin, end`);
    assert.equal(params.slice(0, -2), [...KERNELS[name as keyof typeof KERNELS]], name);
  }
});

test('every binary exports exactly these kernels, each taking its parameters plus begin and end', async () => {
  assert.ok(flavors.length >= 1);
  for (const flavor of flavors) {
    const h = await Harness.create(flavor, 1 << 16);
    const exported = Object.entries(h.k.exports as Record<string, unknown>).filter(([, v]) => typeof v === 'function').map(([k]) => k).sort();
    assert.equal(exported, Object.keys(KERNELS).sort(), flavor);
    for (const [name, params] of Object.entries(KERNELS)) {
      assert.is((h.k.exports as Record<string, Function>)[name].length, params.length + 2, `${flavor} ${name}`);
    }
  }
});

test('step() lays the named arguments out in the ABI order', () => {
  const s = step('f32_softmax', { n: 7, y: 2048, x: 1024 }, 5, 100);
  assert.equal(s, { kernel: 'f32_softmax', args: [1024, 2048, 7], range: 5, flops: 100 });
  assert.equal(step('f32_gemm_4x8', { a: 1, aStride: 2, w: 3, c: 4, cStride: 5, r: 6, rStride: 7, k: 8, n: 9, act: 10, p0: 11, p1: 12 }, 3, 1, 6).args, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
});

test.run();
