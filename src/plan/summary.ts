// The layer table: per layer output dims, parameters, MACs and activation bytes; totals and the
// memory a user must budget (the activation arena's peak, weights, and the whole linear memory).
import { fmtBytes, type PlanReport } from './plan.js';

const num = (n: number): string => n.toLocaleString('en-US');

export function formatSummary(r: PlanReport, inputDims: Record<string, number[]>): string {
  const rows = r.layers.map((l) => [l.name, l.op, l.outputDims.join('x'), num(l.params), num(l.macs), fmtBytes(l.activationBytes), fmtBytes(l.liveBytes)]);
  const head = ['layer', 'op', 'output', 'params', 'MACs', 'act bytes', 'live'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  const out = [
    `input ${Object.entries(inputDims).map(([n, d]) => `${n} [${d.join(', ')}]`).join(', ')}`,
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `total params        ${num(r.totalParams)} (${fmtBytes(r.totalParams * 4)} float32)`,
    `total MACs          ${num(r.totalMacs)}`,
    `activation arena    ${fmtBytes(r.arenaBytes)} peak (${fmtBytes(r.unsharedArenaBytes)} without sharing)`,
    `weights and tables  ${fmtBytes(r.constBytes)}`,
    `wasm memory         ${fmtBytes(r.memoryBytes)}`,
  ];
  return out.join('\n');
}

export interface LayerProfile {
  name: string;
  op: string;
  outputDims: number[];
  /** median wall time of the layer's kernels, ms */
  ms: number;
  /** 2 × MACs for convolutions and GEMMs; 0 where FLOPs are not counted */
  flops: number;
  /** flops / time, or 0 where FLOPs are not counted */
  gflops: number;
  kernels: string[];
}

export interface Profile {
  /** what ran (`session.backend`) */
  backend: string;
  threads: number;
  runs: number;
  /** 'gpu-timestamps': the GPU's timestamp queries per layer (WebGPU with 'timestamp-query');
   * 'wall': wall time around each layer's kernels */
  timing: 'wall' | 'gpu-timestamps';
  /** the layers' medians summed, the boundary conversions included */
  totalMs: number;
  layers: LayerProfile[];
  /** time and count per operator, largest first */
  byOp: { op: string; ms: number; count: number; share: number }[];
  /** the printable table */
  text: string;
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[s.length >> 1] : 0; };

/** The per-layer profile from each layer's time samples (ms, by node name; '(inputs)'/'(outputs)' for the boundary). */
export function buildProfile(r: PlanReport, samples: Map<string, number[]>, backend: string, threads: number, runs: number, timing: 'wall' | 'gpu-timestamps' = 'wall'): Profile {
  const boundary = (name: string, op: string): LayerProfile => ({ name, op, outputDims: [], ms: median(samples.get(name) ?? []), flops: 0, gflops: 0, kernels: [] });
  const layers: LayerProfile[] = [boundary('(inputs)', 'layout'), ...r.layers.map((l) => {
    const ms = median(samples.get(l.name) ?? []);
    const flops = 2 * l.macs;
    return { name: l.name, op: l.op, outputDims: l.outputDims, ms, flops, gflops: flops && ms > 0 ? flops / ms / 1e6 : 0, kernels: l.kernels };
  }), boundary('(outputs)', 'layout')].filter((l) => l.kernels.length || l.ms > 0 || !l.name.startsWith('('));
  const totalMs = layers.reduce((s, l) => s + l.ms, 0);
  const ops = new Map<string, { ms: number; count: number }>();
  for (const l of layers) { const e = ops.get(l.op) ?? { ms: 0, count: 0 }; e.ms += l.ms; e.count++; ops.set(l.op, e); }
  const byOp = [...ops].map(([op, e]) => ({ op, ...e, share: totalMs ? e.ms / totalMs : 0 })).sort((a, b) => b.ms - a.ms);
  const rows = layers.map((l) => [l.name, l.op, l.outputDims.join('x'), l.ms.toFixed(3), l.gflops ? l.gflops.toFixed(1) : '', l.kernels.join('+')]);
  const head = ['layer', 'op', 'output', 'ms', 'GFLOP/s', 'kernels'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 3 || i === 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const text = [
    `${backend}; median of ${runs} node-by-node run${runs === 1 ? '' : 's'}${timing === 'gpu-timestamps' ? ', GPU timestamps' : ''}`
      + (threads > 1 ? `; each node runs alone on the ${threads} threads (a worker wake-up and cross-core traffic per node: more than in a whole run)` : ''),
    line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '',
    `total ${totalMs.toFixed(3)} ms`,
    ...byOp.map((o) => `  ${o.op.padEnd(18)} ${o.ms.toFixed(3).padStart(9)} ms  ${(100 * o.share).toFixed(1).padStart(5)}%  (${o.count} layer${o.count === 1 ? '' : 's'})`),
  ].join('\n');
  return { backend, threads, runs, timing, totalMs, layers, byOp, text };
}
