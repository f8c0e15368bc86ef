/**
 * Thresholds of the authentication anomaly detectors, with the reason for each default.
 *
 * Most rules are leaky buckets with CrowdSec's semantics: a bucket holds `capacity` events and
 * leaks one every `leakMs`; the event that finds it full overflows it (so an alert carries
 * capacity + 1 events), after which the key is ignored by that rule for `blackholeMs`. The
 * defaults are CrowdSec hub scenarios' (crowdsecurity/hub, MIT), named on each rule, because
 * they are tuned on a very large fleet and because matching them lets Bulwark be checked against
 * that project's own test cases. A leaky bucket overflows exactly when some run of events with no
 * idle gap satisfies `count > capacity + span / leak` (see anomaly-classify.ts): the closed form a
 * SQL view can evaluate.
 */

export interface LeakyRule {
  /** Events the bucket holds; the next one overflows it. */
  capacity: number;
  /** One event leaks out every leakMs. */
  leakMs: number;
  /** After an overflow the key is ignored by this rule for this long (one finding per burst). */
  blackholeMs: number;
}

export interface SlowLeakyRule extends LeakyRule {
  /**
   * A burst shorter than this is fast, not slow: the fast rules judge it, and the slow rule stays
   * quiet so that one burst is not reported twice. (A span, not a median gap: bots that try three
   * passwords per connection every quarter hour have short gaps inside each connection, and are
   * exactly what the slow rule is for.)
   */
  minSpanMs: number;
}

export interface TimeBasedRule {
  /** Failures needed (CrowdSec: `len(failedAuths) >= 4`). */
  minFailures: number;
  /** The median gap between the last minFailures failures must exceed this. */
  minMedianGapMs: number;
  /** Failures older than this (relative to the newest) are forgotten (CrowdSec's leakspeed 2h). */
  windowMs: number;
  blackholeMs: number;
}

export interface CredentialStuffingRule {
  /** Sliding window over all attempts (successes too: they make the failure ratio). */
  windowMs: number;
  minFailures: number;
  minDistinctIps: number;
  minDistinctUsers: number;
  /** failures / attempts in the window. */
  minFailureRatio: number;
  /** failures for unknown users / failures. */
  minUnknownUserRatio: number;
  blackholeMs: number;
}

export interface AnomalyThresholds {
  /**
   * One source, many failures fast. crowdsecurity/ssh-bf: capacity 5, leak 10 s, blackhole 1 min:
   * six failures inside a few seconds is a script, not a person retyping a password, and the
   * 10 s leak forgives a person's occasional retries. Same numbers as crowdsecurity/http-generic-bf.
   */
  bruteForce: LeakyRule;
  /**
   * One source, many distinct users fast (spraying one password over accounts, or enumerating
   * names). crowdsecurity/ssh-bf_user-enum: distinct target_user, capacity 5, leak 10 s, 1 min.
   * A person mistypes their own name once or twice; six different names in seconds is a list.
   */
  passwordSpraying: LeakyRule;
  /**
   * One source, failures spaced minutes apart. melite/dovecot-slow-bf: capacity 3, leak 1 h,
   * blackhole 5 min: four failures faster than one an hour. minSpanMs 1 min (the leak of
   * crowdsecurity/ssh-slow-bf): a burst over within a minute is the fast rules' business.
   */
  slowBruteForce: SlowLeakyRule;
  /** Same, counting distinct users only (melite/dovecot-slow-bf_user-enum). */
  slowPasswordSpraying: SlowLeakyRule;
  /**
   * Failures deliberately spaced to stay under rate limits. crowdsecurity/ssh-time-based-bf: at
   * least 4 failures whose last 4 have a median gap over 10 min, within 2 h; a success from the
   * source cancels (a person who finally got it right); blackhole 5 min. Reported as
   * slow_brute_force; the distinct-user variant as slow_password_spraying.
   */
  timeBased: TimeBasedRule;
  /**
   * One account, many sources: a botnet guessing one password each. Distinct source addresses per
   * user, capacity 4, leak 5 min, blackhole 10 min: five different addresses failing the same
   * account within minutes; a person's own devices rarely show more than two or three (home,
   * phone, office), and the leak forgives one new address every five minutes.
   */
  distributedAccount: LeakyRule;
  /**
   * Many sources and many accounts at once with leaked credential lists: over 10 min, at least 20
   * failures from at least 5 addresses against at least 10 accounts, at least 90 % of all
   * attempts failing and at least 25 % of failures naming accounts that do not exist (lists
   * leaked elsewhere hold many names this service never had). Each bar alone occurs in normal
   * traffic (a busy login page at 9 a.m., an outage that fails every login); all together do not.
   */
  credentialStuffing: CredentialStuffingRule;
  /**
   * IPv6 sources are grouped by this prefix (default /64: one subscriber gets a whole /64, so an
   * attacker rotates addresses inside it for free; CrowdSec's ipv6_to_range decides on the /64
   * too). 128 groups single addresses. Findings list the addresses seen.
   */
  ipv6PrefixLength: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export const DEFAULT_ANOMALY_THRESHOLDS: Readonly<AnomalyThresholds> = Object.freeze({
  bruteForce: { capacity: 5, leakMs: 10 * SECOND, blackholeMs: MINUTE },
  passwordSpraying: { capacity: 5, leakMs: 10 * SECOND, blackholeMs: MINUTE },
  slowBruteForce: { capacity: 3, leakMs: HOUR, blackholeMs: 5 * MINUTE, minSpanMs: MINUTE },
  slowPasswordSpraying: { capacity: 3, leakMs: HOUR, blackholeMs: 5 * MINUTE, minSpanMs: MINUTE },
  timeBased: { minFailures: 4, minMedianGapMs: 10 * MINUTE, windowMs: 2 * HOUR, blackholeMs: 5 * MINUTE },
  distributedAccount: { capacity: 4, leakMs: 5 * MINUTE, blackholeMs: 10 * MINUTE },
  credentialStuffing: {
    windowMs: 10 * MINUTE,
    minFailures: 20,
    minDistinctIps: 5,
    minDistinctUsers: 10,
    minFailureRatio: 0.9,
    minUnknownUserRatio: 0.25,
    blackholeMs: 10 * MINUTE,
  },
  ipv6PrefixLength: 64,
});

export type AnomalyThresholdsInput = {
  [K in keyof AnomalyThresholds]?: AnomalyThresholds[K] extends number
    ? number
    : Partial<AnomalyThresholds[K]>;
};

/** Defaults overridden field by field. */
export function resolveThresholds(input: AnomalyThresholdsInput = {}): AnomalyThresholds {
  const d = DEFAULT_ANOMALY_THRESHOLDS;
  return {
    bruteForce: { ...d.bruteForce, ...input.bruteForce },
    passwordSpraying: { ...d.passwordSpraying, ...input.passwordSpraying },
    slowBruteForce: { ...d.slowBruteForce, ...input.slowBruteForce },
    slowPasswordSpraying: { ...d.slowPasswordSpraying, ...input.slowPasswordSpraying },
    timeBased: { ...d.timeBased, ...input.timeBased },
    distributedAccount: { ...d.distributedAccount, ...input.distributedAccount },
    credentialStuffing: { ...d.credentialStuffing, ...input.credentialStuffing },
    ipv6PrefixLength: input.ipv6PrefixLength ?? d.ipv6PrefixLength,
  };
}
