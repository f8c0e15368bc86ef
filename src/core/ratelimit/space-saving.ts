/**
 * Space-Saving heavy hitters (Metwally, Agrawal, El Abbadi, "Efficient Computation of Frequent and
 * Top-k Elements in Data Streams", ICDT 2005) over the Stream-Summary structure.
 *
 * With capacity k, over a stream of N units:
 * - every monitored key's `count` is an upper bound on its true count and `count − error` a lower
 *   bound (`error` is the count of the key it replaced, i.e. what it may have inherited);
 * - any key whose true count exceeds N/k is monitored, and `minCount` (≤ N/k) bounds the true count
 *   of every key that is not;
 * - memory is k counters whatever the number of distinct keys: a flood of one-off keys only churns
 *   the least-counted slot.
 *
 * Stream-Summary keeps counters in buckets of equal count, in a doubly linked list ordered by
 * count. A unit increment moves a counter to the next bucket or a new one beside it: O(1).
 * A weighted `offer(key, n)` walks forward over the buckets it jumps past (O(1) for n = 1, short
 * walks in practice). Buckets are pooled, so steady-state updates allocate nothing.
 */
import { validationError } from '../errors.js';

class SsBucket {
  count = 0;
  head: SsCounter | null = null;
  prev: SsBucket | null = null;
  next: SsBucket | null = null;
}

class SsCounter {
  key: string;
  error: number;
  bucket: SsBucket | null = null;
  prev: SsCounter | null = null;
  next: SsCounter | null = null;
  constructor(key: string, error: number) {
    this.key = key;
    this.error = error;
  }
}

export interface HeavyHitter {
  key: string;
  /** Upper bound on the key's true count. */
  count: number;
  /** Overestimation bound: the true count is in [count − error, count]. */
  error: number;
}

export class SpaceSaving {
  readonly capacity: number;
  private readonly counters = new Map<string, SsCounter>();
  /** Lowest-count bucket (eviction end) and highest (top end). */
  private min: SsBucket | null = null;
  private max: SsBucket | null = null;
  private readonly pool: SsBucket[] = [];
  private n = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1_000_000) {
      throw validationError('capacity', 'must be an integer from 1 to 1,000,000');
    }
    this.capacity = capacity;
  }

  /** Stream length so far (sum of offered weights). */
  get total(): number {
    return this.n;
  }

  /** Keys currently monitored (≤ capacity). */
  get size(): number {
    return this.counters.size;
  }

  /** Upper bound on the true count of any key that is not monitored (0 until the summary is full). */
  get minCount(): number {
    return this.counters.size < this.capacity || this.min === null ? 0 : this.min.count;
  }

  /** Counts `n` (a positive integer, default 1) occurrences of `key`. */
  offer(key: string, n = 1): void {
    if (!(n >= 1) || !Number.isInteger(n)) throw validationError('n', 'must be a positive integer');
    this.n += n;
    const c = this.counters.get(key);
    if (c !== undefined) {
      this.move(c, c.bucket!, c.bucket!.count + n);
      return;
    }
    if (this.counters.size < this.capacity) {
      const fresh = new SsCounter(key, 0);
      this.counters.set(key, fresh);
      this.insertFromBottom(fresh, n);
      return;
    }
    // Replace a least-counted key: the newcomer inherits its count as possible error.
    const low = this.min!;
    const victim = low.head!;
    this.counters.delete(victim.key);
    victim.key = key;
    victim.error = low.count;
    this.counters.set(key, victim);
    this.move(victim, low, low.count + n);
  }

  /** Estimated count of `key` (0 when not monitored; then its true count is ≤ minCount). */
  estimate(key: string): HeavyHitter | null {
    const c = this.counters.get(key);
    return c === undefined ? null : { key, count: c.bucket!.count, error: c.error };
  }

  /** The `limit` highest counts, highest first; ties by smaller error, then key. */
  top(limit: number = this.capacity): HeavyHitter[] {
    const out: HeavyHitter[] = [];
    for (let b = this.max; b !== null && out.length < limit; b = b.prev) {
      const group: HeavyHitter[] = [];
      for (let c = b.head; c !== null; c = c.next) group.push({ key: c.key, count: b.count, error: c.error });
      group.sort((x, y) => x.error - y.error || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
      for (const h of group) {
        if (out.length === limit) break;
        out.push(h);
      }
    }
    return out;
  }

  /** Forgets everything (keeps the pooled memory). */
  clear(): void {
    for (let b = this.min; b !== null;) {
      const next = b.next;
      this.release(b);
      b = next;
    }
    this.counters.clear();
    this.min = null;
    this.max = null;
    this.n = 0;
  }

  // ---- Stream-Summary plumbing -------------------------------------------------------------

  private acquire(count: number): SsBucket {
    const b = this.pool.pop() ?? new SsBucket();
    b.count = count;
    b.head = null;
    b.prev = null;
    b.next = null;
    return b;
  }

  private release(b: SsBucket): void {
    b.head = null;
    b.prev = null;
    b.next = null;
    this.pool.push(b);
  }

  private attach(c: SsCounter, b: SsBucket): void {
    c.bucket = b;
    c.prev = null;
    c.next = b.head;
    if (b.head !== null) b.head.prev = c;
    b.head = c;
  }

  private detach(c: SsCounter): void {
    const b = c.bucket!;
    if (c.prev !== null) c.prev.next = c.next;
    else b.head = c.next;
    if (c.next !== null) c.next.prev = c.prev;
    c.prev = null;
    c.next = null;
    c.bucket = null;
  }

  /** Links bucket `nb` between `before` (may be null: new min) and `after` (may be null: new max). */
  private link(nb: SsBucket, before: SsBucket | null, after: SsBucket | null): void {
    nb.prev = before;
    nb.next = after;
    if (before !== null) before.next = nb;
    else this.min = nb;
    if (after !== null) after.prev = nb;
    else this.max = nb;
  }

  private unlink(b: SsBucket): void {
    if (b.prev !== null) b.prev.next = b.next;
    else this.min = b.next;
    if (b.next !== null) b.next.prev = b.prev;
    else this.max = b.prev;
    this.release(b);
  }

  /** Places a counter not in any bucket into the bucket for `count`, searching up from the minimum. */
  private insertFromBottom(c: SsCounter, count: number): void {
    let before: SsBucket | null = null;
    let at = this.min;
    while (at !== null && at.count < count) {
      before = at;
      at = at.next;
    }
    if (at !== null && at.count === count) {
      this.attach(c, at);
      return;
    }
    const nb = this.acquire(count);
    this.link(nb, before, at);
    this.attach(c, nb);
  }

  /** Moves counter `c`, currently in bucket `from`, to count `target` (> from.count). */
  private move(c: SsCounter, from: SsBucket, target: number): void {
    let before: SsBucket = from;
    let at = from.next;
    while (at !== null && at.count < target) {
      before = at;
      at = at.next;
    }
    this.detach(c);
    if (at !== null && at.count === target) {
      this.attach(c, at);
    } else {
      const nb = this.acquire(target);
      this.link(nb, before, at);
      this.attach(c, nb);
    }
    if (from.head === null) this.unlink(from);
  }
}
