import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { flavors, Harness } from '../helpers/harness.js';
test('flavors', async () => {
  assert.ok(flavors.length >= 3, flavors.join());
  const h = await Harness.create(flavors[0]);
  assert.ok(h.put([1, 2]) > 0);
});
test.run();
