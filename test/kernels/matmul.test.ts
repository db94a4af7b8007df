// f32_matmul (batched product of strided operands, numpy batch broadcasting) against the float64 reference,
// in every flavor: dense operands (the 4x8 SIMD tiles), padded rows, B and C not contiguous along n (the
// element path), broadcast batch dims, more batch dims than the kernel's two levels (one Step per outer index),
// row and column tails; every case rerun with cut ranges (identical bytes) and checked for writes outside C.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelTester } from '../helpers/kernel-tester.js';
import { rng } from '../helpers/rng.js';
import { refMatMul } from '../../src/backends/reference/kernels/gemm.js';
import { lowerMatMul, MATMUL } from '../../src/backends/wasm/kernels/matmul.js';

// Tolerance: float32 sums in k order against float64 (inputs in [-1, 1]): the GEMM family's bound.
const tol = (k: number) => ({ atol: 2e-5 * Math.sqrt(k + 1), rtol: 1e-5 });

interface Case { a: number[]; b: number[]; m: number; k: number; n: number; pad: number; bT: boolean; cT: boolean }
const cases: Case[] = [
  { a: [], b: [], m: 1, k: 1, n: 1, pad: 0, bT: false, cT: false },
  { a: [], b: [], m: 7, k: 13, n: 9, pad: 0, bT: false, cT: false },
  { a: [], b: [], m: 4, k: 5, n: 8, pad: 3, bT: false, cT: false },
  { a: [], b: [], m: 5, k: 6, n: 17, pad: 1, bT: true, cT: false },
  { a: [], b: [], m: 6, k: 3, n: 5, pad: 0, bT: false, cT: true },
  { a: [3], b: [3], m: 5, k: 7, n: 11, pad: 2, bT: false, cT: false },
  { a: [2], b: [], m: 9, k: 4, n: 3, pad: 0, bT: false, cT: false },
  { a: [], b: [4], m: 3, k: 9, n: 12, pad: 1, bT: false, cT: false },
  { a: [2, 1], b: [1, 3], m: 5, k: 6, n: 7, pad: 0, bT: false, cT: false },
  { a: [2, 3], b: [3], m: 4, k: 5, n: 9, pad: 0, bT: true, cT: true },
  { a: [2, 1, 2], b: [1, 3, 2], m: 3, k: 5, n: 2, pad: 1, bT: false, cT: false },
  { a: [2, 2, 1, 3], b: [2, 1, 2, 1], m: 2, k: 3, n: 10, pad: 0, bT: false, cT: false },
  { a: [1], b: [1], m: 37, k: 1, n: 29, pad: 0, bT: false, cT: false },
];

/** Row-major strides of `dims`, the last axis `inner` floats apart and rows padded by `pad`. */
function strides(dims: number[], pad: number, transposed: boolean): { st: number[]; total: number } {
  const q = dims.length, rows = dims[q - 2], cols = dims[q - 1];
  // transposed: the matrix is stored column-major ([cols][rows + pad])
  const mat = transposed ? [1, rows + pad] : [cols + pad, 1];
  const matSize = transposed ? cols * (rows + pad) : rows * (cols + pad);
  const st = new Array(q).fill(0);
  st[q - 2] = mat[0]; st[q - 1] = mat[1];
  let acc = matSize;
  for (let i = q - 3; i >= 0; i--) { st[i] = acc; acc *= dims[i]; }
  return { st, total: acc };
}

KernelTester.each('matmul', `${cases.length} shapes (broadcast batch dims, strided and transposed operands, tails, partitions)`, (t) => {
  const r = rng(7);
  for (const c of cases) {
    t.reset();
    const nb = Math.max(c.a.length, c.b.length);
    const batch = Array.from({ length: nb }, (_, i) => {
      const da = c.a[i - (nb - c.a.length)] ?? 1, db = c.b[i - (nb - c.b.length)] ?? 1;
      return Math.max(da, db);
    });
    const ad = [...c.a, c.m, c.k], bd = [...c.b, c.k, c.n], yd = [...batch, c.m, c.n];
    const a = r.floats(ad.reduce((p, d) => p * d, 1)), b = r.floats(bd.reduce((p, d) => p * d, 1));
    const sa = strides(ad, c.pad, false), sb = strides(bd, c.pad, c.bT), sy = strides(yd, c.pad, c.cT);
    const A = t.allocStrided(sa.total, ad, sa.st).write(a), B = t.allocStrided(sb.total, bd, sb.st).write(b);
    const Y = t.allocStrided(sy.total, yd, sy.st);
    const op = (v: typeof A, own: number[], st: number[]) => {
      const off = nb - own.length;
      return { ptr: v.ptr, batchStrides: batch.map((_, i) => (i < off || own[i - off] === 1 ? 0 : st[i - off])), rowStride: st[st.length - 2], colStride: st[st.length - 1] };
    };
    const steps = lowerMatMul({ batch, m: c.m, k: c.k, n: c.n, a: op(A, c.a, sa.st), b: op(B, c.b, sb.st), c: op(Y, batch, sy.st) }, t.cw);
    assert.ok(steps.length >= 1 && steps.every((s) => s.kernel === MATMUL.kernel));
    assert.is(steps.reduce((s, x) => s + x.flops, 0), 2 * batch.reduce((p, d) => p * d, 1) * c.m * c.k * c.n);
    t.check(steps, Y, refMatMul(a, ad, b, bd, yd), tol(c.k), `${t.flavor} A [${ad}] B [${bd}] pad ${c.pad} bT ${c.bT} cT ${c.cT}`);
  }
  assert.is(t.checked, cases.length);
});

test.run();
