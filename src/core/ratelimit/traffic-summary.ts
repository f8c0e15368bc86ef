/**
 * Heaviest IPs and senders per time window, for RateLimitSnapshot.counters.
 *
 * Each window (aligned to multiples of `windowMs` since the epoch, so every instance of the
 * service cuts windows at the same instants) has its own Space-Saving summary; when time moves
 * into a new window the current summary becomes `previous` and a cleared one takes over. Two
 * summaries per dimension, each k counters: memory is flat however many keys arrive.
 */
import { validationError } from '../errors.js';
import { type HeavyHitter, SpaceSaving } from './space-saving.js';

export interface WindowTop {
  /** Epoch ms where the window starts. */
  window_start: number;
  window_ms: number;
  /** Units counted in the window (every key, monitored or not). */
  total: number;
  /** Upper bound on the count of any key not listed in the summary. */
  unmonitored_max: number;
  top: HeavyHitter[];
}

export class WindowedHeavyHitters {
  readonly windowMs: number;
  private current: SpaceSaving;
  private previous: SpaceSaving;
  private currentStart = -1;
  private previousStart = -1;

  constructor(capacity: number, windowMs: number) {
    if (!Number.isInteger(windowMs) || windowMs < 1)
      throw validationError('windowMs', 'must be a positive integer');
    this.windowMs = windowMs;
    this.current = new SpaceSaving(capacity);
    this.previous = new SpaceSaving(capacity);
  }

  private roll(nowMs: number): void {
    const start = nowMs - (nowMs % this.windowMs);
    if (start === this.currentStart) return;
    if (start < this.currentStart) return; // clock stepped back: keep counting into the current window
    const spare = this.previous;
    spare.clear();
    if (start - this.currentStart === this.windowMs) {
      this.previous = this.current;
      this.previousStart = this.currentStart;
    } else {
      // More than one window passed with no traffic: the previous window was empty.
      this.current.clear();
      this.previous = this.current;
      this.previousStart = start - this.windowMs;
    }
    this.current = spare;
    this.currentStart = start;
  }

  offer(key: string, nowMs: number, n = 1): void {
    this.roll(nowMs);
    this.current.offer(key, n);
  }

  /** Top `limit` of the window containing `nowMs`. */
  currentTop(limit: number, nowMs: number): WindowTop {
    this.roll(nowMs);
    return this.describe(this.current, this.currentStart, limit);
  }

  /** Top `limit` of the last complete window before the one containing `nowMs`. */
  previousTop(limit: number, nowMs: number): WindowTop {
    this.roll(nowMs);
    return this.describe(this.previous, this.previousStart, limit);
  }

  /**
   * Top `limit` of the sliding window (nowMs − windowMs, nowMs]: the current window's counts plus
   * the previous window's, weighted by how much of it the sliding window still covers (two-window
   * interpolation, as sliding-window rate limiters estimate). A snapshot taken just after a window
   * boundary thus still shows the last minute's traffic instead of an empty new window. Counts are
   * estimates (the previous window's traffic is assumed spread evenly), rounded to whole units.
   */
  slidingTop(limit: number, nowMs: number): WindowTop {
    this.roll(nowMs);
    const weight = Math.max(0, 1 - (nowMs - this.currentStart) / this.windowMs);
    const prevOf = weight > 0 && this.previousStart === this.currentStart - this.windowMs;
    const merged = new Map<string, { count: number; error: number }>();
    for (const h of this.current.top(this.current.size))
      merged.set(h.key, { count: h.count, error: h.error });
    if (prevOf)
      for (const h of this.previous.top(this.previous.size)) {
        const m = merged.get(h.key) ?? { count: 0, error: 0 };
        m.count += h.count * weight;
        m.error += h.error * weight;
        merged.set(h.key, m);
      }
    const top = [...merged]
      .map(([key, m]) => ({
        key,
        count: Math.round(m.count),
        error: Math.min(Math.round(m.error), Math.round(m.count)),
      }))
      .filter((h) => h.count > 0)
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .slice(0, limit);
    const prevTotal = prevOf ? this.previous.total * weight : 0;
    const prevMin = prevOf ? this.previous.minCount * weight : 0;
    return {
      window_start: nowMs - this.windowMs,
      window_ms: this.windowMs,
      total: Math.round(this.current.total + prevTotal),
      unmonitored_max: Math.round(this.current.minCount + prevMin),
      top,
    };
  }

  private describe(s: SpaceSaving, start: number, limit: number): WindowTop {
    return {
      window_start: start,
      window_ms: this.windowMs,
      total: s.total,
      unmonitored_max: s.minCount,
      top: s.top(limit),
    };
  }
}

export interface TrafficCounters {
  window_start: number;
  window_ms: number;
  ips: WindowTop;
  senders: WindowTop;
}

/** Per-IP-key and per-sender heavy hitters, fed by `decide`. */
export class TrafficSummary {
  readonly ips: WindowedHeavyHitters;
  readonly senders: WindowedHeavyHitters;

  /** @param capacity counters per dimension (default 1,000); @param windowMs default 60 s */
  constructor(options: { capacity?: number; windowMs?: number } = {}) {
    const capacity = options.capacity ?? 1000;
    const windowMs = options.windowMs ?? 60_000;
    this.ips = new WindowedHeavyHitters(capacity, windowMs);
    this.senders = new WindowedHeavyHitters(capacity, windowMs);
  }

  record(ipKey: string, sender: string | null | undefined, nowMs: number): void {
    this.ips.offer(ipKey, nowMs);
    if (sender !== null && sender !== undefined && sender !== '') this.senders.offer(sender, nowMs);
  }

  /**
   * The `counters` of a RateLimitSnapshot: top `n` IPs and senders of the last `windowMs` (a
   * sliding view, see slidingTop: `window_start` is `nowMs − windowMs`), not of the clock minute.
   */
  snapshotCounters(n: number, nowMs: number): TrafficCounters {
    const ips = this.ips.slidingTop(n, nowMs);
    const senders = this.senders.slidingTop(n, nowMs);
    return { window_start: ips.window_start, window_ms: ips.window_ms, ips, senders };
  }
}
