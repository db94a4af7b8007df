// Resize mode 'cubic' along one axis (ONNX Resize): the 4 taps of a source coordinate, shared by the
// wasm host tables and the WebGPU generator (the reference kernel computes them on its own).

/**
 * Taps of the cubic convolution kernel (Keys, coefficient `a`) at source coordinate `x` on an axis of
 * `lenIn`: indices floor(x)-1 .. floor(x)+2 and their float64 weights. Indices outside the axis are
 * clamped to the edge (as onnxruntime does); with `excludeOutside` their weights are zeroed instead and
 * the others renormalized to sum to 1. The coordinate itself is not clamped (ONNX).
 */
export function cubicTaps(x: number, lenIn: number, a: number, excludeOutside: boolean): { idx: number[]; w: number[] } {
  const f = Math.floor(x), s = x - f;
  const near = (d: number) => ((a + 2) * d - (a + 3)) * d * d + 1; // |d| <= 1
  const far = (d: number) => ((a * d - 5 * a) * d + 8 * a) * d - 4 * a; // 1 < |d| < 2
  const w = [far(1 + s), near(s), near(1 - s), far(2 - s)];
  const idx = [f - 1, f, f + 1, f + 2];
  if (excludeOutside) {
    let sum = 0;
    for (let k = 0; k < 4; k++) if (idx[k] < 0 || idx[k] >= lenIn) w[k] = 0; else sum += w[k];
    for (let k = 0; k < 4; k++) w[k] = sum === 0 ? 0 : w[k] / sum;
  }
  for (let k = 0; k < 4; k++) idx[k] = Math.min(Math.max(idx[k], 0), lenIn - 1);
  return { idx, w };
}
