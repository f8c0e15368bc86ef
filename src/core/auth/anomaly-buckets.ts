/**
 * The windowed state behind the anomaly rules, one small object per (rule, key), each bounded:
 *
 * - LeakyBucket: CrowdSec's leaky bucket. Level kept in integer milliseconds (level × leak), so
 *   the overflow test is exact and equals the closed form in anomaly-classify.ts. It remembers the
 *   events of the current busy period (since it was last empty) up to `maxRefs`; counts stay exact.
 *   With `distinct`, an event whose value is already in the busy period is not poured.
 * - TimeBasedQueue: CrowdSec's conditional time-based bucket: failures within a window, a success
 *   clears it, fires when the last N failures' median gap is long enough.
 * - SlidingWindow: every attempt of the last `windowMs`, with running counts by user and address.
 */
import { medianGap } from './anomaly-classify.js';

export type Ref = string | number;

export interface WindowEvent {
  t: number;
  ref: Ref;
  ip: string;
  user: string | null;
  unknownUser: boolean;
  failure: boolean;
}

/** The events a rule fired on, and the window it looked at. */
export interface Burst {
  start: number;
  end: number;
  count: number;
  events: WindowEvent[];
  /** Events beyond maxRefs are counted but not kept. */
  truncated: boolean;
  medianGapMs: number;
}

export class LeakyBucket {
  private levelMs = 0;
  private last = 0;
  private start = 0;
  private count = 0;
  private events: WindowEvent[] = [];
  private seen: Set<string> | null;
  private blackholeUntil = -Infinity;

  constructor(
    private readonly capacity: number,
    private readonly leakMs: number,
    private readonly blackholeMs: number,
    private readonly maxRefs: number,
    distinct: boolean,
  ) {
    this.seen = distinct ? new Set() : null;
  }

  /** True when nothing is pending: the bucket may be dropped. */
  idle(now: number): boolean {
    return now >= this.blackholeUntil && (this.count === 0 || this.levelMs - (now - this.last) <= 0);
  }

  /** Pours one event (`distinctValue` for distinct buckets); returns the burst when it overflows. */
  pour(e: WindowEvent, distinctValue?: string): Burst | null {
    if (e.t < this.blackholeUntil) return null;
    if (this.count > 0) {
      const level = this.levelMs - Math.max(0, e.t - this.last);
      if (level <= 0) this.reset();
      else this.levelMs = level;
    }
    this.last = Math.max(this.last, e.t);
    if (this.seen) {
      if (distinctValue === undefined || this.seen.has(distinctValue)) return null;
      this.seen.add(distinctValue);
    }
    if (this.count === 0) this.start = e.t;
    this.count++;
    this.levelMs += this.leakMs;
    if (this.events.length < this.maxRefs) this.events.push(e);
    if (this.levelMs <= this.capacity * this.leakMs) return null;
    const burst: Burst = {
      start: this.start,
      end: e.t,
      count: this.count,
      events: this.events,
      truncated: this.count > this.events.length,
      medianGapMs: medianGap(this.events.map((x) => x.t)),
    };
    this.reset();
    this.blackholeUntil = e.t + this.blackholeMs;
    return burst;
  }

  /** Empties the bucket without firing (a burst judged to belong to another rule). */
  reset(): void {
    this.levelMs = 0;
    this.count = 0;
    this.events = [];
    this.seen?.clear();
  }
}

export class TimeBasedQueue {
  private events: WindowEvent[] = [];
  private blackholeUntil = -Infinity;

  constructor(
    private readonly minFailures: number,
    private readonly minMedianGapMs: number,
    private readonly windowMs: number,
    private readonly blackholeMs: number,
    private readonly maxRefs: number,
    private readonly distinct: boolean,
  ) {}

  idle(now: number): boolean {
    const newest = this.events[this.events.length - 1];
    return now >= this.blackholeUntil && (newest === undefined || newest.t < now - this.windowMs);
  }

  /** A success from the key: whoever it is got in, so the slow-failure evidence is dropped. */
  cancel(): void {
    this.events = [];
  }

  failure(e: WindowEvent): Burst | null {
    if (e.t < this.blackholeUntil) return null;
    const horizon = e.t - this.windowMs;
    let drop = 0;
    while (drop < this.events.length && this.events[drop]!.t < horizon) drop++;
    if (drop > 0) this.events = this.events.slice(drop);
    if (this.distinct && this.events.some((x) => x.user === e.user)) return null;
    this.events.push(e);
    if (this.events.length > this.maxRefs) this.events.shift();
    if (this.events.length < this.minFailures) return null;
    const recent = this.events.slice(-this.minFailures).map((x) => x.t);
    const gap = medianGap(recent);
    if (gap <= this.minMedianGapMs) return null;
    const events = this.events;
    this.events = [];
    this.blackholeUntil = e.t + this.blackholeMs;
    return {
      start: events[0]!.t,
      end: e.t,
      count: events.length,
      events,
      truncated: false,
      medianGapMs: gap,
    };
  }
}

const bump = (m: Map<string, number>, k: string, d: number): void => {
  const v = (m.get(k) ?? 0) + d;
  if (v <= 0) m.delete(k);
  else m.set(k, v);
};

/** All attempts of the last windowMs (capped at maxEvents: past that the oldest go early). */
export class SlidingWindow {
  private readonly events: WindowEvent[] = [];
  private head = 0;
  readonly byIp = new Map<string, number>();
  readonly byUser = new Map<string, number>();
  failures = 0;
  unknownFailures = 0;

  constructor(
    private readonly windowMs: number,
    private readonly maxEvents: number,
  ) {}

  get size(): number {
    return this.events.length - this.head;
  }

  add(e: WindowEvent): void {
    this.events.push(e);
    if (e.failure) {
      this.failures++;
      if (e.unknownUser) this.unknownFailures++;
      bump(this.byIp, e.ip, 1);
      if (e.user !== null) bump(this.byUser, e.user, 1);
    }
    const horizon = e.t - this.windowMs;
    while (this.size > 0 && (this.events[this.head]!.t < horizon || this.size > this.maxEvents))
      this.evictOne();
    // Compact now and then so the array does not grow with everything ever evicted.
    if (this.head > 1024 && this.head * 2 > this.events.length) {
      this.events.splice(0, this.head);
      this.head = 0;
    }
  }

  private evictOne(): void {
    const e = this.events[this.head++]!;
    if (!e.failure) return;
    this.failures--;
    if (e.unknownUser) this.unknownFailures--;
    bump(this.byIp, e.ip, -1);
    if (e.user !== null) bump(this.byUser, e.user, -1);
  }

  /** Time of the oldest event in the window (NaN when empty). */
  oldestTime(): number {
    return this.size > 0 ? this.events[this.head]!.t : NaN;
  }

  /** Events currently in the window, oldest first. */
  contents(): WindowEvent[] {
    return this.events.slice(this.head);
  }

  clear(): void {
    while (this.size > 0) this.evictOne();
  }
}
