// Resize (assembly/resize.ts via src/backends/wasm/kernels/resize.ts) against the reference kernels (src/backends/reference/kernels/resize.ts) (ONNX semantics), every flavor.
// Tolerances: nearest is exact (it copies input floats). Bilinear: float32 weights and three float32
// lerps of values in [-1, 1] against float64 → atol 1e-6, rtol 1e-6.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { flavors, Harness, assertClose } from '../helpers/harness.js';
import { HarnessConstWriter } from '../helpers/const-writer.js';
import { rng } from '../helpers/rng.js';
import { refResize } from '../../src/backends/reference/kernels/resize.js';
import { putNhwc, allocNhwc, getNhwc, firstTouchedOutside, runSteps, someCuts, bytesAt, sameBits } from '../ref/nhwc.js';
import { lowerResize } from '../../src/backends/wasm/kernels/resize.js';

const COORDS = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'half_pixel_symmetric'];
const NEAREST = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];
const SIZES: [number, number, number, number, number, number][] = [
  // n, c, h, w, oh, ow
  [1, 1, 1, 1, 1, 1], [1, 3, 2, 2, 4, 4], [2, 5, 3, 4, 6, 8], [1, 7, 5, 5, 3, 2], [1, 13, 4, 3, 9, 7],
  [1, 16, 6, 6, 12, 12], [1, 4, 1, 5, 3, 10], [2, 3, 7, 9, 1, 1], [1, 37, 3, 3, 5, 4], [1, 1, 8, 8, 4, 4],
];

for (const flavor of flavors) {
  test(`resize ${flavor}: nearest and bilinear, all coordinate and rounding modes`, async () => {
    const h = await Harness.create(flavor);
    const cw = new HarnessConstWriter(h);
    const r = rng(13);
    let count = 0;
    for (const [n, c, hh, w, oh, ow] of SIZES) for (const coordMode of COORDS) for (const mode of ['nearest', 'linear'] as const) {
      for (const nearestMode of mode === 'nearest' ? NEAREST : ['round_prefer_floor']) {
        for (const useScales of [false, true]) {
          h.reset();
          // with explicit scales (ONNX 'scales' input), the transform divides by the scale, not out/in
          const scales = useScales ? [1, 1, oh / hh * (1 + 0.05 * r.next()), ow / w * (1 + 0.05 * r.next())] : undefined;
          const x = r.floats(n * c * hh * w);
          const X = putNhwc(h, x, n, c, hh, w, c + r.int(0, 3), 0);
          const yps = c + r.int(0, 3);
          const Y = allocNhwc(h, n, c, oh, ow, yps, r.int(0, yps - c));
          const steps = lowerResize({ mode, coordMode, nearestMode, scales }, X.ref, Y.ref, cw);
          runSteps(h, steps);
          const what = `${flavor} ${mode} ${coordMode} ${nearestMode} ${[n, c, hh, w]}→${oh}x${ow}${useScales ? ' scales' : ''}`;
          const ref = refResize(x, { mode, coordMode, nearestMode, n, c, h: hh, w, oh, ow, scaleH: scales?.[2], scaleW: scales?.[3] });
          if (mode === 'nearest') assertClose(getNhwc(h, Y), Float32Array.from(ref), 0, 0, what);
          else assertClose(getNhwc(h, Y), ref, 1e-6, 1e-6, what);
          assert.is(firstTouchedOutside(h, Y), -1, `${what}: wrote outside its channels`);
          const full = bytesAt(h, Y.base, Y.total);
          h.f32.fill(NaN, Y.base >> 2, (Y.base >> 2) + Y.total);
          runSteps(h, steps, someCuts(r.next));
          assert.is(sameBits(bytesAt(h, Y.base, Y.total), full), -1, `${what}: partition`);
          count++;
        }
      }
    }
    assert.ok(count > 400);
  });
}

test('resize golden values from the ONNX operator tests', async () => {
  const h = await Harness.create(flavors[0]);
  const cw = new HarnessConstWriter(h);
  const x = [1, 2, 3, 4];
  const cases: [string, string, string, number[]][] = [
    // resize_upsample_scales_linear (half_pixel, scales 2)
    ['linear', 'half_pixel', '', [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4]],
    // resize_upsample_scales_linear_align_corners
    ['linear', 'align_corners', '', [1, 4 / 3, 5 / 3, 2, 5 / 3, 2, 7 / 3, 8 / 3, 7 / 3, 8 / 3, 3, 10 / 3, 3, 10 / 3, 11 / 3, 4]],
    // resize_upsample_scales_nearest (asymmetric + round_prefer_floor... ONNX default half_pixel gives the same here)
    ['nearest', 'asymmetric', 'floor', [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]],
  ];
  for (const [mode, coordMode, nearestMode, want] of cases) {
    h.reset();
    const X = putNhwc(h, x, 1, 1, 2, 2);
    const Y = allocNhwc(h, 1, 1, 4, 4);
    runSteps(h, lowerResize({ mode: mode as 'linear', coordMode, nearestMode }, X.ref, Y.ref, cw));
    assertClose(getNhwc(h, Y), want, 1e-6, 1e-6, `${mode} ${coordMode}`);
  }
});

test.run();
