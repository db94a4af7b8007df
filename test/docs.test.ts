// The API reference (TypeDoc from the TSDoc: `npm run docs:api` writes docs/api/) builds without a
// warning, and documents what users configure: every SessionOptions field, the errors and their codes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

test('typedoc builds the API reference with no warnings; SessionOptions, RunOptions and the errors are documented', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgecnn-api-'));
  try {
    const json = join(dir, 'api.json');
    await promisify(execFile)(process.execPath, [join(root, 'node_modules/typedoc/bin/typedoc'), '--json', json, '--out', join(dir, 'html'), '--treatWarningsAsErrors'], { cwd: root, timeout: 120_000 });
    const api = JSON.parse(readFileSync(json, 'utf8'));
    const byName = new Map<string, any>(api.children.map((c: any) => [c.name, c]));
    const text = (c: any) => (c?.comment?.summary ?? c?.signatures?.[0]?.comment?.summary ?? c?.getSignature?.comment?.summary ?? []).map((p: any) => p.text).join('');
    const options = byName.get('SessionOptions');
    assert.ok(options, 'SessionOptions is in the reference');
    for (const field of ['backend', 'threads', 'inputShapes', 'onProgress', 'planCacheSize', 'pool', 'wasm', 'workerUrl']) {
      const f = options.children.find((c: any) => c.name === field);
      assert.ok(f, `SessionOptions.${field} is documented`);
      assert.ok(text(f).length > 20, `SessionOptions.${field} has a description: '${text(f)}'`);
    }
    for (const name of ['Session', 'Tensor', 'RunOptions', 'Profile', 'EdgeCnnError', 'InvalidArgumentError', 'LayerError', 'ModelFormatError', 'UnsupportedError', 'ResourceLimitError', 'BackendError', 'DisposedError', 'ErrorCode', 'softmax', 'topK']) {
      assert.ok(byName.has(name), `${name} is in the reference`);
    }
    const session = byName.get('Session');
    for (const m of ['create', 'run', 'profile', 'summary', 'dispose']) assert.ok(text(session.children.find((c: any) => c.name === m)).length > 10, `Session.${m} is described`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
