/**
 * Authentication anomaly detection over a stream of attempts, incrementally.
 *
 * `AnomalyDetector.observe(attempt)` is fed attempts in time order (an attempt older than the
 * newest seen is treated as happening then) and returns the findings that attempt completed.
 * Rules (thresholds and the reason for each in anomaly-thresholds.ts):
 *
 * | kind                       | keyed on                     | mechanism                                   |
 * |----------------------------|------------------------------|---------------------------------------------|
 * | brute_force                | source (IPv4, IPv6 /64)      | leaky bucket over failures                  |
 * | password_spraying          | source                       | leaky bucket over failures for new users    |
 * | slow_brute_force           | source                       | slow leaky bucket, or time-based median gap |
 * | slow_password_spraying     | source                       | the same over failures for new users        |
 * | distributed_account_attack | user                         | leaky bucket over failures from new sources |
 * | credential_stuffing        | all traffic                  | sliding window: sources, users, ratios      |
 *
 * Buckets follow CrowdSec's semantics (overflow at capacity + 1, a blackhole after each finding,
 * a success cancelling the time-based rule) so that its hub's test cases can check this code. A
 * finding's `count` is the number of events of the burst that fired it: for a leaky bucket, the
 * events since the bucket was last empty, which is CrowdSec's alert event count whenever the burst
 * starts on an empty bucket. Every finding also satisfies `classify` (anomaly-classify.ts) on its
 * own aggregate, the form a SQL view computes.
 *
 * Memory is bounded: per-key state is dropped once idle (nothing left in any bucket, no blackhole
 * running) and the least recently seen keys are dropped past `maxKeys`; each burst keeps at most
 * `maxAttemptRefs` attempt references (counts stay exact); at most `maxFindings` findings are kept
 * (oldest dropped first).
 */
import { dedupeFindings } from './anomaly-dedupe.js';
import { ipKey } from '../net/ip.js';
import type { AttemptResult, FailureReason } from './attempt.js';
import {
  LeakyBucket,
  SlidingWindow,
  TimeBasedQueue,
  type Burst,
  type Ref,
  type WindowEvent,
} from './anomaly-buckets.js';
import { classify, type FindingKind, type FindingScope, type WindowAggregate } from './anomaly-classify.js';
import {
  resolveThresholds,
  type AnomalyThresholds,
  type AnomalyThresholdsInput,
} from './anomaly-thresholds.js';

export { classify, type FindingKind, type FindingScope, type WindowAggregate } from './anomaly-classify.js';

/** What the detector reads of an attempt (AuthenticationAttempt and ParsedAttempt both fit). */
export interface DetectorAttempt {
  /** Referenced in findings; the 0-based observation index is used when absent. */
  id?: string | undefined;
  timestamp: number;
  source_ip: string;
  user_id?: string | null | undefined;
  user?: string | null | undefined;
  result: AttemptResult;
  failure_reason: FailureReason | null;
}

export interface Finding {
  kind: FindingKind;
  scope: FindingScope;
  /** The address, `prefix/64` range, host name or user name, or `*` for global findings. */
  key: string;
  /** The window the rule looked at (for a bucket: from when it last was empty to the firing event). */
  window: { start: number; end: number };
  count: number;
  distinct_users: number;
  distinct_ips: number;
  unknown_user_ratio: number;
  failure_ratio: number;
  span_ms: number;
  median_gap_ms: number;
  first_seen: number;
  last_seen: number;
  /** Ids (or observation indices) of the attempts behind the finding, oldest first. */
  attempts: Ref[];
  /** True when the burst had more attempts than are listed. */
  attempts_truncated: boolean;
  /** Up to 20 distinct source addresses and users seen in the burst. */
  ips: string[];
  users: string[];
  /** The rule that fired, in words. */
  rule: string;
}

export interface DetectorOptions {
  /** Keys (sources and users) tracked at once; least recently seen dropped first. Default 100,000. */
  maxKeys?: number;
  /** Findings kept for findings(); oldest dropped first. Default 10,000. */
  maxFindings?: number;
  /** Attempt references kept per burst. Default 1,000. */
  maxAttemptRefs?: number;
  /** Attempts kept in the credential-stuffing window. Default 200,000. */
  maxWindowEvents?: number;
}

interface SourceState {
  scope: FindingScope;
  fast: LeakyBucket;
  spray: LeakyBucket;
  slow: LeakyBucket;
  slowSpray: LeakyBucket;
  timed: TimeBasedQueue;
  timedSpray: TimeBasedQueue;
  last: number;
}

interface UserState {
  distributed: LeakyBucket;
  last: number;
}

const LIST_CAP = 20;
const SWEEP_EVERY = 1024;

const seconds = (ms: number): string =>
  ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;

export class AnomalyDetector {
  readonly thresholds: AnomalyThresholds;
  private readonly maxKeys: number;
  private readonly maxFindings: number;
  private readonly maxRefs: number;
  private readonly sources = new Map<string, SourceState>();
  private readonly users = new Map<string, UserState>();
  private readonly window: SlidingWindow;
  private stuffingBlackholeUntil = -Infinity;
  private readonly stored: Finding[] = [];
  private observed = 0;
  private newest = -Infinity;

  constructor(thresholds: AnomalyThresholdsInput = {}, options: DetectorOptions = {}) {
    this.thresholds = resolveThresholds(thresholds);
    this.maxKeys = options.maxKeys ?? 100_000;
    this.maxFindings = options.maxFindings ?? 10_000;
    this.maxRefs = options.maxAttemptRefs ?? 1_000;
    this.window = new SlidingWindow(
      this.thresholds.credentialStuffing.windowMs,
      options.maxWindowEvents ?? 200_000,
    );
  }

  /** Sources and users currently holding state. */
  get trackedKeys(): number {
    return this.sources.size + this.users.size;
  }

  /** Feeds one attempt; returns the findings it completed (also kept for findings()). */
  observe(a: DetectorAttempt): Finding[] {
    const ref: Ref = a.id ?? this.observed;
    this.observed++;
    const t = Math.max(a.timestamp, this.newest);
    this.newest = t;
    const user = a.user_id ?? a.user ?? null;
    const failure = a.result === 'failure';
    const e: WindowEvent = {
      t,
      ref,
      ip: a.source_ip,
      user,
      unknownUser: failure && a.failure_reason === 'unknown_user',
      failure,
    };
    const out: Finding[] = [];

    const [sourceKey, scope] = this.sourceKey(a.source_ip);
    const src = this.source(sourceKey, scope, t);
    if (!failure) {
      src.timed.cancel();
      src.timedSpray.cancel();
    } else {
      this.fire(
        out,
        'brute_force',
        scope,
        sourceKey,
        src.fast.pour(e),
        `more than ${this.thresholds.bruteForce.capacity} failures, faster than one per ${seconds(this.thresholds.bruteForce.leakMs)}`,
      );
      if (user !== null)
        this.fire(
          out,
          'password_spraying',
          scope,
          sourceKey,
          src.spray.pour(e, user),
          `failures for more than ${this.thresholds.passwordSpraying.capacity} distinct users, faster than one new user per ${seconds(this.thresholds.passwordSpraying.leakMs)}`,
        );
      this.fireSlow(
        out,
        'slow_brute_force',
        scope,
        sourceKey,
        src.slow.pour(e),
        this.thresholds.slowBruteForce.minSpanMs,
      );
      if (user !== null)
        this.fireSlow(
          out,
          'slow_password_spraying',
          scope,
          sourceKey,
          src.slowSpray.pour(e, user),
          this.thresholds.slowPasswordSpraying.minSpanMs,
        );
      const tb = this.thresholds.timeBased;
      const timedRule = `${tb.minFailures} or more failures within ${seconds(tb.windowMs)}, the last ${tb.minFailures} a median of more than ${seconds(tb.minMedianGapMs)} apart`;
      this.fire(out, 'slow_brute_force', scope, sourceKey, src.timed.failure(e), timedRule);
      if (user !== null)
        this.fire(
          out,
          'slow_password_spraying',
          scope,
          sourceKey,
          src.timedSpray.failure(e),
          `${timedRule}, each for a new user`,
        );
      if (user !== null) {
        const u = this.user(user, t);
        const da = this.thresholds.distributedAccount;
        this.fire(
          out,
          'distributed_account_attack',
          'user',
          user,
          u.distributed.pour(e, sourceKey),
          `failures from more than ${da.capacity} distinct sources, faster than one new source per ${seconds(da.leakMs)}`,
        );
      }
    }
    this.window.add(e);
    if (t >= this.stuffingBlackholeUntil) this.checkStuffing(out, t);

    if (this.observed % SWEEP_EVERY === 0) this.sweep(t);
    return out;
  }

  /**
   * Findings whose window overlaps [since, until] (both optional, inclusive), oldest first; one
   * burst seen by two rules (same kind, key, overlapping window) is one finding (anomaly-dedupe.ts).
   */
  findings(since = -Infinity, until = Infinity): Finding[] {
    return dedupeFindings(this.stored.filter((f) => f.window.end >= since && f.window.start <= until));
  }

  private sourceKey(ip: string): [string, FindingScope] {
    const key = ipKey(ip, { ipv6Prefix: this.thresholds.ipv6PrefixLength });
    if (key === null) return [ip, 'host'];
    return [key, key.includes('/') ? 'ip_range' : 'ip'];
  }

  private source(key: string, scope: FindingScope, t: number): SourceState {
    let s = this.sources.get(key);
    if (s)
      this.sources.delete(key); // re-inserted below: Map order is recency order
    else {
      const th = this.thresholds;
      const leaky = (r: { capacity: number; leakMs: number; blackholeMs: number }, distinct: boolean) =>
        new LeakyBucket(r.capacity, r.leakMs, r.blackholeMs, this.maxRefs, distinct);
      const tb = th.timeBased;
      s = {
        scope,
        fast: leaky(th.bruteForce, false),
        spray: leaky(th.passwordSpraying, true),
        slow: leaky(th.slowBruteForce, false),
        slowSpray: leaky(th.slowPasswordSpraying, true),
        timed: new TimeBasedQueue(
          tb.minFailures,
          tb.minMedianGapMs,
          tb.windowMs,
          tb.blackholeMs,
          this.maxRefs,
          false,
        ),
        timedSpray: new TimeBasedQueue(
          tb.minFailures,
          tb.minMedianGapMs,
          tb.windowMs,
          tb.blackholeMs,
          this.maxRefs,
          true,
        ),
        last: t,
      };
    }
    s.last = t;
    this.sources.set(key, s);
    if (this.sources.size > this.maxKeys) this.sources.delete(this.sources.keys().next().value!);
    return s;
  }

  private user(key: string, t: number): UserState {
    let u = this.users.get(key);
    if (u) this.users.delete(key);
    else {
      const r = this.thresholds.distributedAccount;
      u = { distributed: new LeakyBucket(r.capacity, r.leakMs, r.blackholeMs, this.maxRefs, true), last: t };
    }
    u.last = t;
    this.users.set(key, u);
    if (this.users.size > this.maxKeys) this.users.delete(this.users.keys().next().value!);
    return u;
  }

  /** A slow bucket's burst only counts when it lasted at least minSpan; a shorter one is the fast rules'. */
  private fireSlow(
    out: Finding[],
    kind: FindingKind,
    scope: FindingScope,
    key: string,
    burst: Burst | null,
    minSpan: number,
  ): void {
    if (!burst || burst.end - burst.start < minSpan) return;
    const r =
      kind === 'slow_brute_force' ? this.thresholds.slowBruteForce : this.thresholds.slowPasswordSpraying;
    const what = kind === 'slow_brute_force' ? 'failures' : 'failures for distinct users';
    this.fire(
      out,
      kind,
      scope,
      key,
      burst,
      `more than ${r.capacity} ${what}, faster than one per ${seconds(r.leakMs)}, over at least ${seconds(minSpan)}`,
    );
  }

  private fire(
    out: Finding[],
    kind: FindingKind,
    scope: FindingScope,
    key: string,
    burst: Burst | null,
    rule: string,
  ): void {
    if (!burst) return;
    const f = this.finding(kind, scope, key, burst, rule);
    out.push(f);
    this.stored.push(f);
    if (this.stored.length > this.maxFindings) this.stored.splice(0, this.stored.length - this.maxFindings);
  }

  private finding(kind: FindingKind, scope: FindingScope, key: string, b: Burst, rule: string): Finding {
    const ips = new Set<string>();
    const users = new Set<string>();
    let failures = 0;
    let unknown = 0;
    for (const e of b.events) {
      ips.add(e.ip);
      if (e.user !== null) users.add(e.user);
      if (e.failure) failures++;
      if (e.unknownUser) unknown++;
    }
    const first = b.events[0]?.t ?? b.start;
    const last = b.events[b.events.length - 1]?.t ?? b.end;
    return {
      kind,
      scope,
      key,
      window: { start: b.start, end: b.end },
      count: b.count,
      distinct_users: users.size,
      distinct_ips: ips.size,
      unknown_user_ratio: failures === 0 ? 0 : unknown / failures,
      failure_ratio: b.events.length === 0 ? 0 : failures / b.events.length,
      span_ms: b.end - b.start,
      median_gap_ms: b.medianGapMs,
      first_seen: first,
      last_seen: last,
      attempts: b.events.map((e) => e.ref),
      attempts_truncated: b.truncated,
      ips: [...ips].slice(0, LIST_CAP),
      users: [...users].slice(0, LIST_CAP),
      rule,
    };
  }

  private checkStuffing(out: Finding[], t: number): void {
    const c = this.thresholds.credentialStuffing;
    const w = this.window;
    const failures = w.failures;
    if (failures < c.minFailures || w.byIp.size < c.minDistinctIps || w.byUser.size < c.minDistinctUsers)
      return;
    // Decided on the running counts (O(1)); the window's contents are copied only when it fires.
    const agg: WindowAggregate = {
      count: failures,
      distinctUsers: w.byUser.size,
      distinctIps: w.byIp.size,
      unknownUserRatio: w.unknownFailures / failures,
      failureRatio: failures / w.size,
      spanMs: t - w.oldestTime(),
      medianGapMs: 0,
    };
    if (!classify(agg, 'global', this.thresholds).includes('credential_stuffing')) return;
    const all = w.contents();
    const failed = all.filter((e) => e.failure);
    const kept = failed.slice(-this.maxRefs);
    const burst: Burst = {
      start: all[0]!.t,
      end: t,
      count: failures,
      events: kept,
      truncated: kept.length < failed.length,
      medianGapMs: 0,
    };
    const f = this.finding(
      'credential_stuffing',
      'global',
      '*',
      burst,
      `${c.minFailures}+ failures from ${c.minDistinctIps}+ sources against ${c.minDistinctUsers}+ users within ${seconds(c.windowMs)}, ${c.minFailureRatio * 100}%+ failing, ${c.minUnknownUserRatio * 100}%+ for unknown users`,
    );
    // The window's own counts describe it better than the (possibly truncated) reference list.
    f.distinct_ips = agg.distinctIps;
    f.distinct_users = agg.distinctUsers;
    f.unknown_user_ratio = agg.unknownUserRatio;
    f.failure_ratio = agg.failureRatio;
    out.push(f);
    this.stored.push(f);
    if (this.stored.length > this.maxFindings) this.stored.splice(0, this.stored.length - this.maxFindings);
    this.stuffingBlackholeUntil = t + c.blackholeMs;
  }

  /** Drops state of keys that have gone quiet (oldest first: Map order is recency order). */
  private sweep(now: number): void {
    for (const [k, s] of this.sources) {
      if (!(
        s.fast.idle(now) &&
        s.spray.idle(now) &&
        s.slow.idle(now) &&
        s.slowSpray.idle(now) &&
        s.timed.idle(now) &&
        s.timedSpray.idle(now)
      )) {
        if (s.last > now - this.thresholds.timeBased.windowMs) break; // the rest are more recent
        continue;
      }
      this.sources.delete(k);
    }
    for (const [k, u] of this.users) {
      if (!u.distributed.idle(now)) {
        if (u.last > now - this.thresholds.distributedAccount.leakMs) break;
        continue;
      }
      this.users.delete(k);
    }
  }
}

/** Runs a fresh detector over attempts (sorted by time) and returns every finding. */
export function detectAnomalies(
  attempts: Iterable<DetectorAttempt>,
  thresholds: AnomalyThresholdsInput = {},
  options: DetectorOptions = {},
): Finding[] {
  const d = new AnomalyDetector(thresholds, { maxFindings: Number.MAX_SAFE_INTEGER, ...options });
  const out: Finding[] = [];
  for (const a of attempts) out.push(...d.observe(a));
  return out;
}

/** The aggregate a finding reports, for classify(). */
export const findingAggregate = (f: Finding): WindowAggregate => ({
  count: f.count,
  distinctUsers:
    f.kind === 'password_spraying' || f.kind === 'slow_password_spraying' ? f.count : f.distinct_users,
  distinctIps: f.kind === 'distributed_account_attack' ? f.count : f.distinct_ips,
  unknownUserRatio: f.unknown_user_ratio,
  failureRatio: f.failure_ratio,
  spanMs: f.span_ms,
  medianGapMs: f.median_gap_ms,
});
