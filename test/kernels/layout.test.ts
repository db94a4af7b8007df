// Layout kernels (assembly/layout.ts via src/backends/wasm/kernels/layout.ts) against the reference kernels (src/backends/reference/kernels/layout.ts), every flavor.
// Tolerance: none — every kernel here moves floats, results must be bit-exact (NaN fill outside).
import { test } from 'uvu';
import { KernelTester, EXACT } from '../helpers/kernel-tester.js';
import { refTranspose } from '../../src/backends/reference/kernels/layout.js';
import { lowerNchwToNhwc, lowerNhwcToNchw, lowerStridedCopy, denseStrides } from '../../src/backends/wasm/kernels/layout.js';

/** Transpose as the wasm backend lowers it: a strided copy reading x's axes in perm order. */
const transpose = (x: number, dims: number[], perm: number[], y: number, cw: Parameters<typeof lowerStridedCopy>[1]) => {
  const xs = denseStrides(dims), ydims = perm.map((p) => dims[p]);
  return lowerStridedCopy({ dims: ydims, src: x, srcStrides: perm.map((p) => xs[p]), dst: y, dstStrides: denseStrides(ydims) }, cw);
};

const SHAPES = [[1, 1, 1, 1], [1, 3, 5, 7], [2, 4, 4, 4], [1, 5, 17, 3], [2, 13, 6, 5], [1, 16, 16, 16], [3, 7, 1, 1], [1, 1, 9, 11], [1, 37, 19, 21], [2, 64, 3, 9]];

KernelTester.each('layout', 'NCHW <-> NHWC with pixelStride, partitions', (t) => {
  const r = t.r;
  for (const [n, c, hh, w] of SHAPES) {
    t.reset();
    const x = r.floats(n * c * hh * w);
    const X = t.putDense(x);
    const ps = c + r.int(0, 5), off = r.int(0, ps - c);
    const T = t.allocNhwc(n, c, hh, w, ps, off);
    const what = `${t.flavor} [${n},${c},${hh},${w}] ps ${ps}`;
    t.check(lowerNchwToNhwc(X.ptr, T.ref, t.cw), T, x, EXACT, `${what}: nchw → nhwc`);
    const back = t.allocDense(x.length);
    t.check(lowerNhwcToNchw(T.ref, back.ptr, t.cw), back, x, EXACT, `${what}: nhwc → nchw`);
  }
}, 9);

KernelTester.each('layout', 'RGB planes into dense RGB pixels (the 3-row path) and back, partitions', (t) => {
  const r = t.r;
  for (const [n, hh, w] of [[1, 1, 3], [1, 2, 2], [1, 4, 4], [2, 13, 11], [1, 16, 16], [1, 17, 19], [3, 5, 67]]) {
    t.reset();
    const x = r.floats(n * 3 * hh * w);
    const X = t.putDense(x);
    const T = t.allocNhwc(n, 3, hh, w, 3, 0); // pixelStride 3: pixels dense, as an image model's input
    t.check(lowerNchwToNhwc(X.ptr, T.ref, t.cw), T, x, EXACT, `${t.flavor} [${n},3,${hh},${w}]: nchw → dense rgb`);
    const back = t.allocDense(x.length);
    t.check(lowerNhwcToNchw(T.ref, back.ptr, t.cw), back, x, EXACT, `${t.flavor} [${n},3,${hh},${w}]: rgb → nchw`);
  }
}, 23);

KernelTester.each('layout', 'Transpose of rank 1..6 (general permute, 2-D transposes, copies)', (t) => {
  const r = t.r;
  const cases: [number[], number[]][] = [
    [[5], [0]], [[3, 4], [1, 0]], [[2, 3, 4], [0, 2, 1]], [[2, 3, 4], [2, 0, 1]], [[2, 3, 4, 5], [0, 2, 3, 1]],
    [[2, 3, 4, 5], [3, 1, 0, 2]], [[2, 3, 2, 3, 2], [4, 3, 2, 1, 0]], [[2, 1, 3, 2, 2, 3], [5, 0, 2, 4, 1, 3]],
    [[1, 17, 33], [0, 2, 1]], [[2, 2, 2, 2, 2, 2, 2], [6, 5, 4, 3, 2, 1, 0]], [[4, 5, 6], [0, 1, 2]], [[3, 2, 1, 4], [0, 2, 1, 3]],
  ];
  for (const [dims, perm] of cases) {
    t.reset();
    const x = r.floats(dims.reduce((a, b) => a * b, 1));
    const X = t.putDense(x), Y = t.allocDense(x.length);
    t.check(transpose(X.ptr, dims, perm, Y.ptr, t.cw), Y, refTranspose(x, dims, perm).y, EXACT, `${t.flavor} transpose [${dims}] perm [${perm}]`);
  }
}, 19);

KernelTester.each('layout', 'strided copies (channel slice concat, slice with steps, pad interior)', (t) => {
  const r = t.r;
  // concat along C in NHWC: copy [2,5,4,3] (ps 5) into channels [2,7) of a ps-9 tensor
  {
    t.reset();
    const [n, c, hh, w] = [2, 5, 4, 3];
    const x = r.floats(n * c * hh * w);
    const X = t.putNhwc(x, n, c, hh, w);
    const Y = t.allocNhwc(n, c, hh, w, 9, 2);
    const phys = (ps: number) => [hh * w * ps, 1, w * ps, ps];
    t.check(lowerStridedCopy({ dims: [n, c, hh, w], src: X.ptr, srcStrides: phys(c), dst: Y.ptr, dstStrides: phys(9) }, t.cw), Y, x, EXACT, `${t.flavor} concat slice`);
  }
  // relayout as the planner lowers it: NHWC (ps c+2, offset 1) → dense NCHW over logical dims (transpose2d path)
  for (const [n, c, hh, w] of [[2, 5, 3, 4], [1, 16, 5, 5], [1, 1, 3, 3]]) {
    t.reset();
    const x = r.floats(n * c * hh * w);
    const ps = c + 2;
    const X = t.putNhwc(x, n, c, hh, w, ps, 1);
    const Y = t.allocDense(x.length);
    t.check(lowerStridedCopy({ dims: [n, c, hh, w], src: X.ptr, srcStrides: [hh * w * ps, 1, w * ps, ps], dst: Y.ptr, dstStrides: [c * hh * w, hh * w, w, 1] }, t.cw), Y, x, EXACT, `${t.flavor} relayout [${n},${c},${hh},${w}]`);
  }
  // slice with steps: x[:, 1:7:2, ::3] of a dense [2, 8, 10]
  {
    t.reset();
    const x = r.floats(2 * 8 * 10);
    const X = t.putDense(x), Y = t.allocDense(2 * 3 * 4);
    const want: number[] = [];
    for (let a = 0; a < 2; a++) for (let b = 1; b < 7; b += 2) for (let c = 0; c < 10; c += 3) want.push(x[a * 80 + b * 10 + c]);
    t.check(lowerStridedCopy({ dims: [2, 3, 4], src: X.ptr + (1 * 10) * 4, srcStrides: [80, 20, 3], dst: Y.ptr, dstStrides: [12, 4, 1] }, t.cw), Y, want, EXACT, `${t.flavor} slice with steps`);
  }
  // pad interior: dense [3, 5] into the middle of [5, 9] (row stride 9, offset (1, 2)); borders untouched
  {
    t.reset();
    const x = r.floats(15);
    const X = t.putDense(x);
    const Y = t.allocStrided(45, [3, 5], [9, 1], 9 + 2);
    t.check(lowerStridedCopy({ dims: [3, 5], src: X.ptr, srcStrides: [5, 1], dst: Y.ptr, dstStrides: [9, 1] }, t.cw), Y, x, EXACT, `${t.flavor} pad interior`);
  }
}, 29);

test.run();
