// The published declarations (dist/*.d.ts) type-check for a user without the DOM lib: lib ES2022 and
// @types/node only, skipLibCheck off (test/types/consumer.ts uses the public API).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

test('dist/*.d.ts type-check with lib ES2022 and @types/node, no DOM lib', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgecnn-types-'));
  try {
    const config = join(dir, 'tsconfig.json');
    writeFileSync(config, JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022'], types: ['node'], typeRoots: [join(root, 'node_modules/@types')], strict: true, skipLibCheck: false, noEmit: true },
      files: [join(root, 'test/types/consumer.ts')],
    }));
    const r = await promisify(execFile)(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', config], { cwd: root }).catch((e) => e);
    assert.is(r.code ?? 0, 0, `tsc reported:\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
