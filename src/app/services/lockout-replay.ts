/**
 * The configured per-IP lockout rule replayed over stored attempts: which keys Bulwark's own
 * lockout (lockout.ts, exactly as the limiter applies it) bans in a window, and when. Counts
 * credential failures only (bad_password, unknown_user, mfa_failed): a connection closed before
 * authenticating, or a protocol error, is not a guess. Memory is bounded by the memory store.
 */
import type { LockoutRule } from '../../core/ratelimit/policy.js';
import { MemoryLimiterStore } from '../../core/ratelimit/memory-store.js';
import type { StoredAttempt } from '../../core/ports/attempt-store.js';

export interface ReplayBan {
  /** The IP key (address, IPv6 prefix, or host name as logged). */
  key: string;
  banned_at: number;
  until: number;
  level: number;
}

const CREDENTIAL_FAILURES = new Set(['bad_password', 'unknown_user', 'mfa_failed']);

export function lockoutReplay(rule: LockoutRule) {
  const store = new MemoryLimiterStore({ maxKeys: 1, maxLockoutKeys: 200_000 });
  const bans: ReplayBan[] = [];
  let newest = 0;
  return {
    bans,
    observe(a: Pick<StoredAttempt, 'timestamp' | 'result' | 'failure_reason' | 'ip_key'>): void {
      if (!rule.enabled || a.result !== 'failure' || !CREDENTIAL_FAILURES.has(a.failure_reason ?? '')) return;
      newest = Math.max(newest, a.timestamp); // the lockout wants time order per key
      if (store.isLockedSync(a.ip_key, newest).locked) return; // refused while banned: not evidence
      const s = store.recordFailureSync(a.ip_key, rule, newest);
      if (s.locked) bans.push({ key: a.ip_key, banned_at: newest, until: s.until!, level: s.level });
    },
  };
}
