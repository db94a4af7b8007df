// Malformed layer specs throw typed errors that name the layer; nothing is half-built.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NetworkBuilder } from '../../src/model/builder.js';
import { LayerError, EdgeCnnError } from '../../src/errors.js';

function throwsLayer(fn: () => unknown, layer: string, pattern: RegExp) {
  try {
    fn();
  } catch (e) {
    assert.instance(e, LayerError, `expected a LayerError, got ${e}`);
    assert.instance(e, EdgeCnnError);
    assert.is((e as LayerError).code, 'INVALID_LAYER');
    assert.is((e as LayerError).layer, layer, (e as Error).message);
    assert.match((e as Error).message, pattern);
    assert.match((e as Error).message, new RegExp(`'${layer}'`));
    return;
  }
  assert.unreachable('no error thrown');
}

const base = () => new NetworkBuilder({ seed: 1 }).input([1, 3, 8, 8]);

test('negative and zero strides name the layer', () => {
  throwsLayer(() => base().conv({ filters: 4, kernel: 3, stride: -1, name: 'c1' }), 'c1', /strides must be positive/);
  throwsLayer(() => base().conv({ filters: 4, kernel: 3, stride: [1, 0], name: 'c2' }), 'c2', /strides must be positive/);
  throwsLayer(() => base().maxPool({ kernel: 2, stride: -2, name: 'p' }), 'p', /strides/);
});

test('zero channels', () => {
  throwsLayer(() => base().conv({ filters: 0, kernel: 3, name: 'c' }), 'c', /filters must be a positive integer/);
  throwsLayer(() => base().fc({ units: 0, name: 'f' }), 'f', /units must be a positive integer/);
  throwsLayer(() => new NetworkBuilder().input([1, 0, 8, 8], 'img'), 'img', /positive integers/);
});

test('kernel larger than the padded input', () => {
  throwsLayer(() => base().conv({ filters: 4, kernel: 9, name: 'big' }), 'big', /kernel 9 \(height.*larger than padded input 8/);
  throwsLayer(() => base().conv({ filters: 4, kernel: [3, 11], padding: 1, name: 'wide' }), 'wide', /kernel 11 \(width.*larger than padded input 10/);
  throwsLayer(() => base().conv({ filters: 4, kernel: 3, dilation: 4, name: 'dil' }), 'dil', /kernel 9 \(height, with dilation 4\)/);
  throwsLayer(() => base().maxPool({ kernel: 2 }).maxPool({ kernel: 2 }).maxPool({ kernel: 2 }).maxPool({ kernel: 2, name: 'p4' }), 'p4', /larger than padded input 1/);
});

test('mismatched weight lengths', () => {
  throwsLayer(() => base().conv({ filters: 4, kernel: 3, weights: new Float32Array(10), name: 'w' }), 'w', /weights has 10 values, expected 108/);
  throwsLayer(() => base().conv({ filters: 4, kernel: 3, biasValues: [1, 2], name: 'b' }), 'b', /bias has 2 values, expected 4/);
  throwsLayer(() => base().fc({ units: 5, weights: new Float32Array(7), name: 'fc' }), 'fc', /weights has 7 values, expected 960/);
  throwsLayer(() => base().batchNorm({ scale: [1, 2], name: 'bn' }), 'bn', /scale has 2 values, expected 3/);
  throwsLayer(() => base().conv({ filters: 4, kernel: 1, weights: [NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], name: 'nan' }), 'nan', /non-finite/);
});

test('groups that do not divide the channels', () => {
  throwsLayer(() => base().conv({ filters: 4, kernel: 3, groups: 2, name: 'g' }), 'g', /groups 2 must divide input channels 3/);
  throwsLayer(() => base().conv({ filters: 4, kernel: 3, groups: -1, name: 'g2' }), 'g2', /groups must be a positive integer/);
});

test('pool padding not below the kernel, residual shape mismatch', () => {
  throwsLayer(() => base().maxPool({ kernel: 2, padding: 2, name: 'pp' }), 'pp', /smaller than the kernel/);
  const b = base().conv({ filters: 4, kernel: 3, padding: 1 });
  const skip = b.current;
  throwsLayer(() => b.conv({ filters: 5, kernel: 3, padding: 1 }).add(skip, 'res'), 'res', /cannot broadcast shapes \[1, 5, 8, 8\] and \[1, 4, 8, 8\]/);
});

test('a failed layer leaves the builder usable', () => {
  const b = base();
  assert.throws(() => b.conv({ filters: 4, kernel: 30 }));
  b.conv({ filters: 4, kernel: 3 });
  assert.equal(b.current.dims, [1, 4, 6, 6]);
});

test('shape inference follows (W - F + 2P)/S + 1 per axis', () => {
  const b = new NetworkBuilder().input([2, 3, 31, 17]);
  b.conv({ filters: 5, kernel: [5, 3], stride: [2, 3], padding: [1, 2] });
  // H: (31 - 5 + 2)/2 + 1 = 15; W: (17 - 3 + 4)/3 + 1 = 7
  assert.equal(b.current.dims, [2, 5, 15, 7]);
  b.conv({ filters: 6, kernel: 3, padding: 'same', stride: 2 });
  assert.equal(b.current.dims, [2, 6, 8, 4]);
  b.maxPool({ kernel: 3, stride: 2, ceilMode: true });
  assert.equal(b.current.dims, [2, 6, 4, 2]);
});

test.run();
