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

interface Placed { req: BufferRequest; offset: number; end: number; seen: number }

/** The placed buffers, queried for those whose lifetime overlaps a request's. */
interface PlacedSet {
  add(p: Placed): void;
  overlapping(req: BufferRequest): Placed[];
}

/** Every placed buffer, scanned per query: O(placed) each. Only for lifetimes that are not intervals
 * (first > last, NaN), where overlap is not interval intersection; the planner never makes those. */
function scanAll(): PlacedSet {
  const placed: Placed[] = [];
  return { add: (p) => { placed.push(p); }, overlapping: (req) => placed.filter((p) => overlaps(p.req, req)) };
}

/**
 * Placed buffers in a segment tree over their lifetimes (time points compressed to ranks), so a query
 * costs O(log steps + the buffers it returns) instead of a scan over every placed buffer. Each tree
 * node keeps `cover`: buffers whose lifetime covers the node's whole range (it is one of the lifetime's
 * canonical nodes), and `inside`: buffers with a canonical node at or below it. A lifetime overlapping
 * [a, b] either has a canonical node inside one of [a, b]'s canonical nodes (`inside` there) or covers
 * an ancestor that [a, b] partly overlaps (`cover` there). A buffer may be found twice: `seen` dedups.
 */
class LifetimeTree implements PlacedSet {
  private readonly rank: Map<number, number>;
  private readonly top: number;
  private readonly cover: (Placed[] | undefined)[] = [];
  private readonly inside: (Placed[] | undefined)[] = [];
  private stamp = 0;
  // the current add or query: its interval (ranks), the buffer added or the buffers found
  private a = 0;
  private b = 0;
  private adding: Placed | null = null;
  private found: Placed[] = [];

  constructor(requests: readonly BufferRequest[]) {
    const points = [...new Set(requests.flatMap((r) => [r.first, r.last]))].sort((x, y) => x - y);
    this.rank = new Map(points.map((p, i) => [p, i]));
    this.top = Math.max(points.length - 1, 0);
  }

  add(p: Placed): void {
    this.a = this.rank.get(p.req.first)!; this.b = this.rank.get(p.req.last)!;
    this.adding = p;
    this.insert(1, 0, this.top);
    this.adding = null;
  }

  overlapping(req: BufferRequest): Placed[] {
    this.a = this.rank.get(req.first)!; this.b = this.rank.get(req.last)!;
    this.stamp++;
    this.found = [];
    this.query(1, 0, this.top);
    return this.found;
  }

  private insert(v: number, lo: number, hi: number): void {
    if (this.b < lo || hi < this.a) return;
    const p = this.adding!;
    (this.inside[v] ??= []).push(p);
    if (this.a <= lo && hi <= this.b) { (this.cover[v] ??= []).push(p); return; }
    const mid = (lo + hi) >> 1;
    this.insert(2 * v, lo, mid);
    this.insert(2 * v + 1, mid + 1, hi);
  }

  private query(v: number, lo: number, hi: number): void {
    if (this.b < lo || hi < this.a) return;
    if (this.a <= lo && hi <= this.b) { this.report(this.inside[v]); return; }
    this.report(this.cover[v]);
    const mid = (lo + hi) >> 1;
    this.query(2 * v, lo, mid);
    this.query(2 * v + 1, mid + 1, hi);
  }

  private report(list: Placed[] | undefined): void {
    if (!list) return;
    const s = this.stamp;
    for (const p of list) if (p.seen !== s) { p.seen = s; this.found.push(p); }
  }
}

export function planArena(requests: readonly BufferRequest[], align = ALIGN): ArenaPlan {
  const order = [...requests].sort((a, b) => b.bytes - a.bytes || a.first - b.first || a.id - b.id);
  const placed = requests.every((r) => r.first <= r.last) ? new LifetimeTree(requests) : scanAll();
  const offsets = new Map<number, number>();
  let bytes = 0, unsharedBytes = 0;
  for (const req of order) {
    const size = alignUp(Math.max(req.bytes, 1), align);
    unsharedBytes += size;
    // live neighbours sorted by offset; take the first gap that fits
    const live = placed.overlapping(req).sort((a, b) => a.offset - b.offset);
    let offset = 0;
    for (const p of live) {
      if (p.offset - offset >= size) break;
      offset = Math.max(offset, p.end);
    }
    placed.add({ req, offset, end: offset + size, seen: 0 });
    offsets.set(req.id, offset);
    bytes = Math.max(bytes, offset + size);
  }
  return { offsets, bytes, unsharedBytes };
}

/** The largest total of simultaneously live buffers: a lower bound for any arena. The maximum over
 * time steps 0, 1, ... of the bytes live at that step, by a sweep over lifetime starts and ends. */
export function liveLowerBound(requests: readonly BufferRequest[]): number {
  let steps = 0;
  for (const r of requests) steps = Math.max(steps, r.last + 1);
  if (!(steps > 0)) return 0;
  // a buffer is live at the integer steps s with first <= s <= last (and 0 <= s < steps)
  const events: [step: number, bytes: number][] = [];
  for (const r of requests) {
    const from = Math.max(0, Math.ceil(r.first)), to = Math.floor(r.last);
    if (!(from <= to)) continue;
    const bytes = alignUp(Math.max(r.bytes, 1));
    events.push([from, bytes], [to + 1, -bytes]);
  }
  events.sort((x, y) => x[0] - y[0]);
  let best = 0, live = 0;
  for (let i = 0; i < events.length;) {
    const s = events[i][0];
    while (i < events.length && events[i][0] === s) live += events[i++][1];
    best = Math.max(best, live);
  }
  return best;
}
