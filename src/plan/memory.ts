// Activation arena planner: buffers whose lifetimes do not overlap share bytes. Greedy by size,
// largest first, each placed at the lowest offset that does not collide with an already placed
// buffer whose lifetime overlaps (the "greedy by size" strategy of XNNPACK and ggml/TFLite).

export interface BufferRequest {
  id: number;
  /** bytes; rounded up to the plan's alignment */
  bytes: number;
  /** first step that writes it (inclusive) */
  first: number;
  /** last step that reads it (inclusive) */
  last: number;
}

export interface ArenaPlan {
  /** byte offset of each buffer (by id) relative to the arena base */
  offsets: Map<number, number>;
  /** arena size: max over buffers of offset + bytes */
  bytes: number;
  /** sum of all buffer sizes: what the arena would need without sharing */
  unsharedBytes: number;
}

export const ALIGN = 64; // cache line; also keeps every tensor 16-byte aligned for v128 loads

export const alignUp = (n: number, a = ALIGN): number => Math.ceil(n / a) * a;

const overlaps = (a: BufferRequest, b: BufferRequest): boolean => a.first <= b.last && b.first <= a.last;

export function planArena(requests: readonly BufferRequest[], align = ALIGN): ArenaPlan {
  const order = [...requests].sort((a, b) => b.bytes - a.bytes || a.first - b.first || a.id - b.id);
  const placed: { req: BufferRequest; offset: number; end: number }[] = [];
  const offsets = new Map<number, number>();
  let bytes = 0, unsharedBytes = 0;
  for (const req of order) {
    const size = alignUp(Math.max(req.bytes, 1), align);
    unsharedBytes += size;
    // live neighbours sorted by offset; take the first gap that fits
    const live = placed.filter((p) => overlaps(p.req, req)).sort((a, b) => a.offset - b.offset);
    let offset = 0;
    for (const p of live) {
      if (p.offset - offset >= size) break;
      offset = Math.max(offset, p.end);
    }
    placed.push({ req, offset, end: offset + size });
    offsets.set(req.id, offset);
    bytes = Math.max(bytes, offset + size);
  }
  return { offsets, bytes, unsharedBytes };
}

/** The largest total of simultaneously live buffers: a lower bound for any arena. */
export function liveLowerBound(requests: readonly BufferRequest[]): number {
  let steps = 0;
  for (const r of requests) steps = Math.max(steps, r.last + 1);
  let best = 0;
  for (let s = 0; s < steps; s++) {
    let sum = 0;
    for (const r of requests) if (r.first <= s && s <= r.last) sum += alignUp(Math.max(r.bytes, 1));
    best = Math.max(best, sum);
  }
  return best;
}
