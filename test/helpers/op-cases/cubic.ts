// Op cases of Resize mode 'cubic' (issue 12): every coordinate mode the loader accepts, cubic_coeff_a
// -0.75 (the default, PyTorch's) and -0.5, exclude_outside 0 and 1, scales and sizes inputs, up- and
// downsampling, odd sizes and channel counts that are not multiples of 4; then tf_crop_and_resize (a
// constant roi inside and beyond the input, extrapolation_value) in every mode. Appended to OP_CASES.
import type { OpCase } from '../op-cases.js';
import type { TensorSpec } from '../onnx-builder.js';

const F = (data: number[]): TensorSpec => ({ dims: [data.length], data });
const I64 = (data: number[]): TensorSpec => ({ dims: [data.length], data, dtype: 'int64' });
const cubic = (attrs: Record<string, unknown>, input: 'sc' | 'sz', v: number[], opset = 13) => ({
  opset,
  nodes: [{ op: 'Resize', inputs: ['x', '', ...(input === 'sc' ? ['sc'] : ['', 'sz'])], outputs: ['y'], attrs: { mode: 'cubic', ...attrs } }],
  initializers: input === 'sc' ? { sc: F(v) } : { sz: I64(v) },
});

const crop = (mode: string, attrs: Record<string, unknown>, roi: number[], sizes: number[]) => ({
  opset: 13,
  nodes: [{ op: 'Resize', inputs: ['x', 'roi', '', 'sz'], outputs: ['y'], attrs: { mode, coordinate_transformation_mode: 'tf_crop_and_resize', ...attrs } }],
  initializers: { roi: F(roi), sz: I64(sizes) },
});

export const CUBIC_CASES: OpCase[] = [
  { name: 'Resize cubic half_pixel x2 (scales)', x: [1, 3, 4, 5], spec: cubic({}, 'sc', [1, 1, 2, 2]) },
  { name: 'Resize cubic half_pixel sizes, a=-0.5', x: [1, 5, 5, 7], spec: cubic({ cubic_coeff_a: -0.5 }, 'sz', [1, 5, 9, 11]) },
  { name: 'Resize cubic half_pixel exclude_outside', x: [2, 3, 6, 5], spec: cubic({ exclude_outside: 1 }, 'sz', [2, 3, 11, 9]) },
  { name: 'Resize cubic pytorch_half_pixel downscale', x: [1, 6, 9, 11], spec: cubic({ coordinate_transformation_mode: 'pytorch_half_pixel' }, 'sz', [1, 6, 4, 1]) },
  { name: 'Resize cubic align_corners x1.5, a=-0.5', x: [1, 7, 5, 4], spec: cubic({ coordinate_transformation_mode: 'align_corners', cubic_coeff_a: -0.5 }, 'sc', [1, 1, 1.5, 1.5]) },
  { name: 'Resize cubic asymmetric exclude_outside, sizes', x: [1, 2, 4, 6], spec: cubic({ coordinate_transformation_mode: 'asymmetric', exclude_outside: 1 }, 'sz', [1, 2, 7, 13]) },
  { name: 'Resize cubic asymmetric downscale 0.6', x: [1, 5, 10, 7], spec: cubic({ coordinate_transformation_mode: 'asymmetric' }, 'sc', [1, 1, 0.6, 0.6]) },
  { name: 'Resize cubic half_pixel_symmetric (opset 19)', x: [1, 3, 5, 4], spec: cubic({ coordinate_transformation_mode: 'half_pixel_symmetric' }, 'sz', [1, 3, 8, 7], 19) },
  { name: 'Resize cubic half_pixel downscale exclude_outside a=-0.5', x: [1, 9, 8, 9], spec: cubic({ exclude_outside: 1, cubic_coeff_a: -0.5 }, 'sz', [1, 9, 3, 5]) },
  { name: 'Resize cubic 1x1 input', x: [1, 3, 1, 1], spec: cubic({}, 'sc', [1, 1, 3, 3]) },
  { name: 'Resize tf_crop_and_resize linear, roi inside', x: [1, 3, 6, 7], spec: crop('linear', {}, [0, 0, 0.2, 0.3, 1, 1, 0.8, 0.9], [1, 3, 5, 9]) },
  { name: 'Resize tf_crop_and_resize nearest beyond, extrapolation 0.5', x: [2, 5, 5, 4], spec: crop('nearest', { extrapolation_value: 0.5 }, [0, 0, -0.3, 0.1, 1, 1, 1.2, 1.4], [2, 5, 7, 6]) },
  { name: 'Resize tf_crop_and_resize cubic beyond, extrapolation -1', x: [1, 6, 7, 5], spec: crop('cubic', { extrapolation_value: -1 }, [0, 0, -0.25, -0.5, 1, 1, 0.9, 1.3], [1, 6, 9, 11]) },
  { name: 'Resize tf_crop_and_resize cubic exclude_outside, flipped roi, 1 column', x: [1, 3, 5, 6], spec: crop('cubic', { exclude_outside: 1, cubic_coeff_a: -0.5 }, [0, 0, 0.9, 0.2, 1, 1, 0.1, 0.7], [1, 3, 4, 1]) },
  { name: 'Resize tf_crop_and_resize linear, default extrapolation', x: [1, 2, 4, 4], spec: crop('linear', {}, [0, 0, 0.5, -0.6, 1, 1, 1.7, 0.6], [1, 2, 5, 5]) },
];
