/**
 * The anomaly rules as small pure functions over a window's aggregate counts, so that the
 * in-memory detector (anomaly.ts) and a SQL view (indexed window queries computing the same
 * counts) name the same things the same way.
 *
 * The leaky-bucket rules have a closed form: a bucket of capacity C leaking one event per L
 * overflows at an event exactly when the run of events since it was last empty satisfies
 * `count − span / L > C` (the level is never clamped at zero inside such a run, so it equals
 * count − span / L). A query can test every candidate window with that inequality.
 */
import type { AnomalyThresholds } from './anomaly-thresholds.js';

export const FINDING_KINDS = [
  'brute_force',
  'slow_brute_force',
  'password_spraying',
  'slow_password_spraying',
  'distributed_account_attack',
  'credential_stuffing',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** What a finding is keyed on: one address, an IPv6 prefix, an unresolved host name, an account, or all traffic. */
export type FindingScope = 'ip' | 'ip_range' | 'host' | 'user' | 'global';

export interface WindowAggregate {
  /** Failures in the window (for distinct rules: the events that counted, one per new user/address). */
  count: number;
  distinctUsers: number;
  distinctIps: number;
  /** Failures naming an unknown user / failures (0 when there are none). */
  unknownUserRatio: number;
  /** Failures / all attempts. */
  failureRatio: number;
  /** Last event time − first event time. */
  spanMs: number;
  /** Median of the gaps between consecutive events (0 with fewer than two). */
  medianGapMs: number;
}

/** Whether a leaky bucket (capacity, leakMs) overflows on a gap-free run of `count` events over `spanMs`. */
export const overflows = (
  count: number,
  spanMs: number,
  rule: { capacity: number; leakMs: number },
): boolean => count * rule.leakMs - spanMs > rule.capacity * rule.leakMs; // integer form of count − span/L > C

/** Median of consecutive gaps of ascending times (0 with fewer than two times). */
export function medianGap(times: readonly number[]): number {
  if (times.length < 2) return 0;
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) gaps.push(times[i]! - times[i - 1]!);
  gaps.sort((a, b) => a - b);
  const mid = gaps.length >> 1;
  return gaps.length % 2 === 1 ? gaps[mid]! : (gaps[mid - 1]! + gaps[mid]!) / 2;
}

/** The kinds a window of `scope` shows under thresholds `t` (empty when it is ordinary traffic). */
export function classify(agg: WindowAggregate, scope: FindingScope, t: AnomalyThresholds): FindingKind[] {
  const kinds: FindingKind[] = [];
  if (scope === 'ip' || scope === 'ip_range' || scope === 'host') {
    if (overflows(agg.count, agg.spanMs, t.bruteForce)) kinds.push('brute_force');
    if (overflows(agg.distinctUsers, agg.spanMs, t.passwordSpraying)) kinds.push('password_spraying');
    const timeBased = agg.medianGapMs > t.timeBased.minMedianGapMs && agg.spanMs <= t.timeBased.windowMs;
    const slow =
      agg.spanMs >= t.slowBruteForce.minSpanMs && overflows(agg.count, agg.spanMs, t.slowBruteForce);
    if (slow || (timeBased && agg.count >= t.timeBased.minFailures)) kinds.push('slow_brute_force');
    const slowSpray =
      agg.spanMs >= t.slowPasswordSpraying.minSpanMs &&
      overflows(agg.distinctUsers, agg.spanMs, t.slowPasswordSpraying);
    if (slowSpray || (timeBased && agg.distinctUsers >= t.timeBased.minFailures))
      kinds.push('slow_password_spraying');
  } else if (scope === 'user') {
    if (overflows(agg.distinctIps, agg.spanMs, t.distributedAccount))
      kinds.push('distributed_account_attack');
  } else {
    const c = t.credentialStuffing;
    if (
      agg.count >= c.minFailures &&
      agg.distinctIps >= c.minDistinctIps &&
      agg.distinctUsers >= c.minDistinctUsers &&
      agg.failureRatio >= c.minFailureRatio &&
      agg.unknownUserRatio >= c.minUnknownUserRatio &&
      agg.spanMs <= c.windowMs
    )
      kinds.push('credential_stuffing');
  }
  return kinds;
}
