/**
 * fail2ban's jail rule, as a reference to compare detectors with: an address is banned when it
 * has `maxRetry` failures within `findTimeMs` (fail2ban's defaults: 5 in 10 minutes, banned for 10
 * minutes). While banned its failures are ignored (the firewall would have stopped them); after
 * a ban its count starts again from zero.
 */

export interface BanRule {
  maxRetry: number;
  findTimeMs: number;
  /** Default 10 minutes (fail2ban's bantime). */
  banTimeMs?: number;
}

export interface Ban {
  ip: string;
  /** Time of the failure that triggered the ban. */
  banned_at: number;
  /** Time of the oldest of the maxRetry failures counted. */
  first_failure: number;
}

export const FAIL2BAN_DEFAULTS: Readonly<Required<BanRule>> = Object.freeze({
  maxRetry: 5,
  findTimeMs: 600_000,
  banTimeMs: 600_000,
});

/** The bans `rule` issues over failures (sorted by time; successes are ignored). */
export function bannedBy(
  attempts: Iterable<{ timestamp: number; source_ip: string; result: string }>,
  rule: BanRule = FAIL2BAN_DEFAULTS,
): Ban[] {
  const banTime = rule.banTimeMs ?? FAIL2BAN_DEFAULTS.banTimeMs;
  const recent = new Map<string, number[]>();
  const bannedUntil = new Map<string, number>();
  const bans: Ban[] = [];
  for (const a of attempts) {
    if (a.result !== 'failure') continue;
    const t = a.timestamp;
    if ((bannedUntil.get(a.source_ip) ?? -Infinity) > t) continue;
    // fail2ban forgets a failure once it is findtime old (kept while time - findtime < failure time).
    const times = (recent.get(a.source_ip) ?? []).filter((x) => x > t - rule.findTimeMs);
    times.push(t);
    if (times.length >= rule.maxRetry) {
      bans.push({ ip: a.source_ip, banned_at: t, first_failure: times[times.length - rule.maxRetry]! });
      bannedUntil.set(a.source_ip, t + banTime);
      recent.delete(a.source_ip);
    } else recent.set(a.source_ip, times);
  }
  return bans;
}
