// Resize (assembly/resize.ts via src/backends/wasm/kernels/resize.ts) against the reference kernels (src/backends/reference/kernels/resize.ts) (ONNX semantics), every flavor.
// Tolerances: nearest is exact (it copies input floats). Bilinear: float32 weights and three float32
// lerps of values in [-1, 1] against float64 → atol 1e-6, rtol 1e-6.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { flavors, KernelTester, EXACT } from '../helpers/kernel-tester.js';
import { refResize } from '../../src/backends/reference/kernels/resize.js';
import { lowerResize } from '../../src/backends/wasm/kernels/resize.js';

const COORDS = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'half_pixel_symmetric', 'tf_half_pixel_for_nn'];
const NEAREST = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];
const SIZES: [number, number, number, number, number, number][] = [
  // n, c, h, w, oh, ow
  [1, 1, 1, 1, 1, 1], [1, 3, 2, 2, 4, 4], [2, 5, 3, 4, 6, 8], [1, 7, 5, 5, 3, 2], [1, 13, 4, 3, 9, 7],
  [1, 16, 6, 6, 12, 12], [1, 4, 1, 5, 3, 10], [2, 3, 7, 9, 1, 1], [1, 37, 3, 3, 5, 4], [1, 1, 8, 8, 4, 4],
];

KernelTester.each('resize', 'nearest and bilinear, all coordinate and rounding modes', (t) => {
  const r = t.r;
  for (const [n, c, hh, w, oh, ow] of SIZES) for (const coordMode of COORDS) for (const mode of ['nearest', 'linear'] as const) {
    for (const nearestMode of mode === 'nearest' ? NEAREST : ['round_prefer_floor']) {
      for (const useScales of [false, true]) {
        t.reset();
        // with explicit scales (ONNX 'scales' input), the transform divides by the scale, not out/in
        const scales = useScales ? [1, 1, oh / hh * (1 + 0.05 * r.next()), ow / w * (1 + 0.05 * r.next())] : undefined;
        const x = r.floats(n * c * hh * w);
        const X = t.putNhwc(x, n, c, hh, w, c + r.int(0, 3), 0);
        const yps = c + r.int(0, 3);
        const Y = t.allocNhwc(n, c, oh, ow, yps, r.int(0, yps - c));
        const what = `${t.flavor} ${mode} ${coordMode} ${nearestMode} ${[n, c, hh, w]}→${oh}x${ow}${useScales ? ' scales' : ''}`;
        const ref = refResize(x, { mode, coordMode, nearestMode, n, c, h: hh, w, oh, ow, scaleH: scales?.[2], scaleW: scales?.[3] });
        t.check(lowerResize({ mode, coordMode, nearestMode, scales }, X.ref, Y.ref, t.cw), Y, ref, mode === 'nearest' ? EXACT : { atol: 1e-6, rtol: 1e-6 }, what);
      }
    }
  }
  assert.ok(t.checked > 400);
}, 13);

// Cubic: 16 float32 weights (rounded from float64) and 20 float32 products/sums of values in [-1, 1]
// against float64; the weights' absolute sum is at most ~1.6² (Keys' kernel overshoots) → atol 2e-6, rtol 1e-5.
KernelTester.each('resize', 'cubic, every coordinate mode, cubic_coeff_a and exclude_outside', (t) => {
  const r = t.r;
  for (const [n, c, hh, w, oh, ow] of SIZES) for (const coordMode of COORDS) for (const cubicCoeffA of [-0.75, -0.5]) for (const excludeOutside of [false, true]) {
    t.reset();
    const useScales = r.next() < 0.5;
    const scales = useScales ? [1, 1, oh / hh * (1 + 0.05 * r.next()), ow / w * (1 + 0.05 * r.next())] : undefined;
    const x = r.floats(n * c * hh * w);
    const X = t.putNhwc(x, n, c, hh, w, c + r.int(0, 3), 0);
    const yps = c + r.int(0, 3);
    const Y = t.allocNhwc(n, c, oh, ow, yps, r.int(0, yps - c));
    const what = `${t.flavor} cubic ${coordMode} a=${cubicCoeffA} exclude=${excludeOutside} ${[n, c, hh, w]}→${oh}x${ow}${useScales ? ' scales' : ''}`;
    const p = { mode: 'cubic' as const, coordMode, nearestMode: '', cubicCoeffA, excludeOutside };
    const ref = refResize(x, { ...p, n, c, h: hh, w, oh, ow, scaleH: scales?.[2], scaleW: scales?.[3] });
    t.check(lowerResize({ ...p, scales }, X.ref, Y.ref, t.cw), Y, ref, { atol: 2e-6, rtol: 1e-5 }, what);
  }
  assert.ok(t.checked >= SIZES.length * COORDS.length * 4);
}, 13);

// tf_crop_and_resize: a random roi in [-0.3, 1.3] per spatial axis (crops, flips, and coordinates beyond
// the input, whose pixels take extrapolation_value after the sampling step), every mode.
KernelTester.each('resize', 'tf_crop_and_resize, roi beyond the input, extrapolation_value, every mode', (t) => {
  const r = t.r;
  for (const [n, c, hh, w, oh, ow] of SIZES) for (const mode of ['nearest', 'linear', 'cubic'] as const) for (let rep = 0; rep < 3; rep++) {
    t.reset();
    const lo = () => -0.3 + 1.6 * r.next();
    const roi = [0, 0, lo(), lo(), 1, 1, lo(), lo()];
    const extrapolationValue = 4 * r.next() - 2;
    const x = r.floats(n * c * hh * w);
    const X = t.putNhwc(x, n, c, hh, w, c + r.int(0, 3), 0);
    const yps = c + r.int(0, 3);
    const Y = t.allocNhwc(n, c, oh, ow, yps, r.int(0, yps - c));
    const p = { mode, coordMode: 'tf_crop_and_resize', nearestMode: 'round_prefer_floor', extrapolationValue };
    const what = `${t.flavor} ${mode} tf_crop_and_resize roi [${roi.map((v) => v.toFixed(2))}] ${[n, c, hh, w]}→${oh}x${ow}`;
    const ref = refResize(x, { ...p, n, c, h: hh, w, oh, ow, roiH: [roi[2], roi[6]], roiW: [roi[3], roi[7]] });
    t.check(lowerResize({ ...p, roi }, X.ref, Y.ref, t.cw), Y, ref, mode === 'nearest' ? EXACT : { atol: 2e-6, rtol: 1e-5 }, what);
  }
  assert.ok(t.checked >= SIZES.length * 9);
}, 14);

test('resize golden values from the ONNX operator tests, every flavor', async () => {
  const x = [1, 2, 3, 4];
  const cases: [string, string, string, number[]][] = [
    // resize_upsample_scales_linear (half_pixel, scales 2)
    ['linear', 'half_pixel', '', [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4]],
    // resize_upsample_scales_linear_align_corners
    ['linear', 'align_corners', '', [1, 4 / 3, 5 / 3, 2, 5 / 3, 2, 7 / 3, 8 / 3, 7 / 3, 8 / 3, 3, 10 / 3, 3, 10 / 3, 11 / 3, 4]],
    // resize_upsample_scales_nearest (asymmetric + round_prefer_floor... ONNX default half_pixel gives the same here)
    ['nearest', 'asymmetric', 'floor', [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]],
  ];
  for (const flavor of flavors) {
    const t = await KernelTester.create(flavor);
    for (const [mode, coordMode, nearestMode, want] of cases) {
      t.reset();
      const X = t.putNhwc(x, 1, 1, 2, 2);
      const Y = t.allocNhwc(1, 1, 4, 4);
      t.check(lowerResize({ mode: mode as 'linear', coordMode, nearestMode }, X.ref, Y.ref, t.cw), Y, want, { atol: 1e-6, rtol: 1e-6 }, `${flavor} ${mode} ${coordMode}`);
    }
  }
});

test.run();
