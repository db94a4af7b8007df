// Host side of the batched matrix product of run-time operands (assembly/matmul.ts, f32_matmul): ONNX MatMul
// with numpy batch broadcasting and the Gemm forms that are not a constant-weights GEMM. Operands are given by
// element strides (any layout: NHWC values, dense ones, constants; stride 0 broadcasts a batch dim).
import type { ConstWriter, Step } from './types.js';
import { step } from '../abi.js';
import { coalesceDims } from './eltwise.js';

export const MATMUL = { kernel: 'f32_matmul', mr: 4 } as const;

/** One operand: its address and per-axis element strides (batch axes aligned to `batch`, then its 2 matrix axes). */
export interface MatMulOperand { ptr: number; batchStrides: number[]; rowStride: number; colStride: number }

export interface MatMulDesc {
  /** Output batch dims (broadcast of both operands'). */
  batch: number[];
  m: number; k: number; n: number;
  /** [.., m, k] */ a: MatMulOperand;
  /** [.., k, n] */ b: MatMulOperand;
  /** [.., m, n] */ c: MatMulOperand;
}

/**
 * C = A · B over the batch dims: batch dims are coalesced (runs all three operands step through uniformly,
 * broadcast ones included), the last two become the kernel's two batch levels and any further outer dims one
 * Step each. Each Step: `f32_matmul(a, b, c, prm, m, k, n, begin, end)`, range = d0·d1·ceil(m/4) row tiles.
 */
export function lowerMatMul(desc: MatMulDesc, cw: ConstWriter): Step[] {
  const { m, k, n } = desc;
  if (m === 0 || n === 0 || desc.batch.some((d) => d === 0)) return [];
  if (k === 0) throw new Error('lowerMatMul: k = 0'); // shape rules keep K ≥ 1 for planned nodes
  const co = coalesceDims(desc.batch, [desc.a.batchStrides, desc.b.batchStrides, desc.c.batchStrides]);
  const dims = co.dims, [as, bs, cs] = co.strides;
  const outer = Math.max(0, dims.length - 2);
  const lead = (s: number[]) => [...new Array(Math.max(0, 2 - dims.length)).fill(0), ...s.slice(outer)];
  const d = [...new Array(Math.max(0, 2 - dims.length)).fill(1), ...dims.slice(outer)];
  const [sa, sb, sc] = [lead(as), lead(bs), lead(cs)];
  const prm = cw.i32(Int32Array.from([d[0], d[1], sa[0], sa[1], sb[0], sb[1], sc[0], sc[1],
    desc.a.rowStride, desc.a.colStride, desc.b.rowStride, desc.b.colStride, desc.c.rowStride, desc.c.colStride]));
  const range = d[0] * d[1] * Math.ceil(m / MATMUL.mr), flops = 2 * d[0] * d[1] * m * k * n;
  const steps: Step[] = [];
  const walk = (i: number, a: number, b: number, c: number) => {
    if (i >= outer) { steps.push(step(MATMUL.kernel, { a, b, c, prm, m, k, n }, range, flops)); return; }
    for (let j = 0; j < dims[i]; j++) walk(i + 1, a + j * as[i] * 4, b + j * bs[i] * 4, c + j * cs[i] * 4);
  };
  walk(0, desc.a.ptr, desc.b.ptr, desc.c.ptr);
  return steps;
}
