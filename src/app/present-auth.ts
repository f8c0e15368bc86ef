/** How the auth guard's values are shown at the interfaces: times ISO 8601 (UTC), durations in ms. */
import type { Finding } from '../core/auth/anomaly.js';
import type { ActiveLock } from '../core/ports/lockout-registry.js';
import type { RateLimitSnapshot } from '../core/ports/snapshot-store.js';
import type { LockView } from '../core/ratelimit/decide.js';
import type { AnomalyReport, AuthDecision } from './services/auth.js';

const iso = (ms: number | null | undefined): string | null =>
  ms == null ? null : new Date(ms).toISOString();

const presentLock = (l: LockView) => ({ ...l, until: iso(l.until) });

export const presentDecision = (d: AuthDecision) => ({ ...d, locks: d.locks.map(presentLock) });

export const presentActiveLock = (l: ActiveLock) => ({ ...l, until: iso(l.until) });

export const presentSnapshot = (s: RateLimitSnapshot) => ({
  ...s,
  captured_at: iso(s.captured_at),
  counters: {
    window_start: iso(s.counters.window_start),
    window_ms: s.counters.window_ms,
    ips: { ...s.counters.ips, window_start: iso(s.counters.ips.window_start) },
    senders: { ...s.counters.senders, window_start: iso(s.counters.senders.window_start) },
  },
});

export const presentFinding = (f: Finding) => ({
  kind: f.kind,
  scope: f.scope,
  key: f.key,
  window: { start: iso(f.window.start), end: iso(f.window.end) },
  count: f.count,
  distinct_users: f.distinct_users,
  distinct_ips: f.distinct_ips,
  failure_ratio: Math.round(f.failure_ratio * 1000) / 1000,
  unknown_user_ratio: Math.round(f.unknown_user_ratio * 1000) / 1000,
  first_seen: iso(f.first_seen),
  last_seen: iso(f.last_seen),
  attempts: f.attempts.map(String),
  attempts_truncated: f.attempts_truncated,
  ips: f.ips,
  users: f.users,
  rule: f.rule,
});

export const presentAnomalies = (r: AnomalyReport) => ({
  since: iso(r.since),
  until: iso(r.until),
  scanned: r.scanned,
  in_window: r.in_window,
  findings: r.findings.map(presentFinding),
  bans: r.bans.map((b) => ({ ...b, banned_at: iso(b.banned_at), until: iso(b.until) })),
});
