/**
 * Failed-login lockout, in fail2ban's spirit: `maxFailures` failures within `findTimeMs` ban the
 * key for `banMs`; each further ban of a repeat offender lasts `banMultiplier` times longer, up to
 * `maxBanMs` (fail2ban's bantime.increment / bantime.maxtime). The escalation level is forgotten
 * once the key has stayed clean for `forgetAfterMs` after its last ban ended.
 *
 * Decisions written down here (the stores follow them):
 * - Failures are counted exactly: the last `maxFailures` failure times are kept, so "5 in 10
 *   minutes" means five failures whose first and last are at most 10 minutes apart — no window
 *   edges to slip between.
 * - A ban resets the failure count (as fail2ban does): the next ban needs `maxFailures` new ones.
 * - Failures while a key is locked are not counted: the lock refuses the attempt before the
 *   credentials are checked, so no new evidence exists, and extending bans on refused traffic
 *   would let anyone keep a victim's account locked for ever at no cost.
 * - Success: fail2ban never clears on success (an attacker who owns one account could interleave
 *   logins to reset an IP's counter while spraying others); CrowdSec's ssh-time-based scenario
 *   lets a success cancel. Both are right for different keys, so it is per policy
 *   (`clearOnSuccess`): off for the per-IP key, on for per-user and per-(user, IP), where a
 *   success proves the account holder is the one typing. Clearing forgets recent failures only;
 *   an active lock and the escalation level stay.
 */
export interface LockoutPolicy {
  /** Failures within `findTimeMs` that trigger a ban (≥ 1). */
  maxFailures: number;
  findTimeMs: number;
  /** First ban's length. */
  banMs: number;
  /** Growth factor for each further ban (1 = constant bans). */
  banMultiplier: number;
  /** Cap on a ban's length. */
  maxBanMs: number;
  /** Clean time after a ban ends before the escalation level is forgotten. */
  forgetAfterMs: number;
  /** Whether a successful login forgets this key's recent failures. */
  clearOnSuccess: boolean;
}

/** What a store reports about a key. */
export interface LockState {
  locked: boolean;
  /** Epoch ms when the current lock ends; null when not locked. */
  until: number | null;
  /** Bans counted towards escalation (0 = clean record). */
  level: number;
  /** Failures recorded within the current find window (not counting those that caused a ban). */
  failures: number;
  /** 0 when not locked; otherwise ms until the lock ends. */
  retryAfterMs: number;
}

/** Per-key memory of a lockout store. */
export interface LockoutEntry {
  /** Ring of the last failure times (length = the policy's maxFailures). */
  ring: Float64Array;
  /** Next write position in `ring`. */
  head: number;
  /** Failures held in `ring` (≤ ring.length). */
  held: number;
  level: number;
  /** End of the current or last ban (0 = never banned). */
  lockedUntil: number;
  /** When the escalation level falls back to 0. */
  levelExpiresAt: number;
  /** Instant after which the entry says nothing a fresh one would not (safe to evict). */
  staleAt: number;
  /** findTime of the policy last applied, to count live failures without the policy. */
  findTimeMs: number;
}

export function newLockoutEntry(maxFailures: number): LockoutEntry {
  return {
    ring: new Float64Array(maxFailures),
    head: 0,
    held: 0,
    level: 0,
    lockedUntil: 0,
    levelExpiresAt: 0,
    staleAt: 0,
    findTimeMs: 0,
  };
}

/**
 * Length of the n-th ban (level starting at 1), capped, in whole milliseconds (rounded up), so a
 * fractional multiplier still gives integer expiry times every store can hold (BIGINT, Redis).
 */
export function banLength(policy: LockoutPolicy, level: number): number {
  const raw = policy.banMs * Math.pow(policy.banMultiplier, level - 1);
  return Math.ceil(Math.min(Number.isFinite(raw) ? raw : policy.maxBanMs, policy.maxBanMs));
}

function liveFailures(e: LockoutEntry, nowMs: number): number {
  let n = 0;
  const len = e.ring.length;
  for (let k = 1; k <= e.held; k++) {
    const t = e.ring[(e.head - k + len) % len]!;
    if (nowMs - t <= e.findTimeMs) n++;
    else break; // the ring is in time order: older ones are older still
  }
  return n;
}

/** State of an entry at `nowMs` (a missing entry is clean). */
export function lockStateOf(e: LockoutEntry | undefined, nowMs: number, out?: LockState): LockState {
  const s = out ?? { locked: false, until: null, level: 0, failures: 0, retryAfterMs: 0 };
  if (e === undefined) {
    s.locked = false;
    s.until = null;
    s.level = 0;
    s.failures = 0;
    s.retryAfterMs = 0;
    return s;
  }
  const locked = e.lockedUntil > nowMs;
  s.locked = locked;
  s.until = locked ? e.lockedUntil : null;
  s.level = nowMs >= e.levelExpiresAt ? 0 : e.level;
  s.failures = liveFailures(e, nowMs);
  s.retryAfterMs = locked ? e.lockedUntil - nowMs : 0;
  return s;
}

/**
 * Records one failure at `nowMs` (in time order per key) and bans when the policy says so.
 * Mutates the entry; resizes its ring when the policy's maxFailures changed.
 */
export function applyFailure(e: LockoutEntry, policy: LockoutPolicy, nowMs: number): LockoutEntry {
  if (e.lockedUntil > nowMs) return e; // refused attempts are not evidence (see above)
  if (e.ring.length !== policy.maxFailures) {
    e.ring = new Float64Array(policy.maxFailures);
    e.head = 0;
    e.held = 0;
  }
  e.findTimeMs = policy.findTimeMs;
  const len = e.ring.length;
  e.ring[e.head] = nowMs;
  e.head = (e.head + 1) % len;
  if (e.held < len) e.held++;
  if (e.held === len && nowMs - e.ring[e.head % len]! <= policy.findTimeMs) {
    // The oldest of the last maxFailures is within findTime: ban.
    const level = nowMs >= e.levelExpiresAt ? 1 : e.level + 1;
    e.level = level;
    e.lockedUntil = nowMs + banLength(policy, level);
    e.levelExpiresAt = e.lockedUntil + policy.forgetAfterMs;
    e.held = 0;
    e.head = 0;
  }
  e.staleAt = Math.max(e.levelExpiresAt, e.held > 0 ? nowMs + policy.findTimeMs : 0);
  return e;
}

/** Forgets recent failures (a successful login under a `clearOnSuccess` policy); lock and level stay. */
export function clearFailures(e: LockoutEntry): void {
  e.held = 0;
  e.head = 0;
  e.staleAt = e.levelExpiresAt;
}
