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
