// The operator table is the one list of operators: every operator a backend lowers has a loader entry
// and a shape rule, every planned operator runs on every backend, and the README lists the table.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { OPS, PLANNED_OPS, operatorList } from '../../src/model/ops.js';
import { WASM_OPS } from '../../src/backends/wasm/lower.js';
import { REFERENCE_OPS } from '../../src/backends/reference/index.js';

const BACKENDS: Record<string, Record<string, unknown>> = { wasm: WASM_OPS, reference: REFERENCE_OPS };

test('every operator a backend lowers is in the table, with a shape rule', () => {
  for (const [backend, ops] of Object.entries(BACKENDS)) {
    const names = Object.keys(ops);
    assert.ok(names.length > 20, `${backend} lowers ${names.length} operators`);
    for (const op of names) {
      assert.ok(OPS[op], `${backend} lowers ${op}, which has no loader entry`);
      assert.ok(OPS[op].shape, `${backend} lowers ${op}, which has no shape rule`);
    }
  }
});

test('every planned operator runs on every backend', () => {
  assert.ok(PLANNED_OPS.size > 20);
  for (const op of PLANNED_OPS) for (const [backend, ops] of Object.entries(BACKENDS)) assert.ok(ops[op], `${op} has no ${backend} kernel`);
});

test('table entries are consistent: opsets in range, input counts ordered', () => {
  for (const [op, s] of Object.entries(OPS)) {
    for (const opset of [7, 13, 21]) {
      const min = typeof s.minInputs === 'number' ? s.minInputs : s.minInputs(opset);
      assert.ok(min >= 0 && min <= s.maxInputs, `${op}: minInputs ${min} > maxInputs ${s.maxInputs} at opset ${opset}`);
    }
    assert.ok(s.maxOutputs >= 1, op);
    assert.ok(!s.until || s.until >= s.since, op);
    assert.ok(!s.constantOnly || s.folds, `${op}: constant-only operators must fold`);
  }
});

test("the README's operator list is the table's (npm run docs:ops writes it)", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const m = /<!-- ops:begin -->\n([\s\S]*?)<!-- ops:end -->/.exec(readme);
  assert.ok(m, 'README has the ops markers');
  assert.fixture(m![1].trim(), operatorList());
  for (const op of Object.keys(OPS)) assert.match(m![1], new RegExp(`\\b${op}\\b`), op);
});

test.run();
