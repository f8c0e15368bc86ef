/**
 * The limiter's decision for one authentication attempt, and the recording of its outcome.
 *
 * Order of checks (each a value in the result, never an exception):
 * 1. deny-list → refused, no retry helps (`retry_after_ms: null`); nothing is counted;
 * 2. allow-list → allowed, exempt from limits, lockouts and heavy-hitter counts (no alerts);
 * 3. lockouts per IP key, per user, per (user, IP key) → refused until the latest lock ends;
 *    buckets are not charged;
 * 4. per-IP and per-sender buckets, all-or-nothing → refused with the longest retry-after.
 * 3 and 4 are one store call (`checkAndConsume`), so one round trip with a shared store.
 *
 * IPs are limited and locked under their `ipKey` (IPv6 grouped by `ipv6Prefix`); the lists are
 * matched against the exact address. The result doubles as the attempt's `rl_bucket_state`.
 */
import { validationError } from '../errors.js';
import { ipKeyUnchecked } from '../net/ip.js';
import type { LockState } from './lockout.js';
import type { CompiledRateLimitPolicy, LockoutRule } from './policy.js';
import type { BucketRequest, CheckAndConsumeResult, LimiterStore, LockoutStore } from './ports.js';
import type { SyncCheckStore, SyncLimiterStore } from './sync-store.js';
import type { TrafficSummary } from './traffic-summary.js';

export interface AuthAttempt {
  /** The client address (from `clientIpFrom`), any accepted text form. */
  ip: string;
  /** Identity limited per sender (user name, API key, from-address); absent = no sender bucket. */
  sender?: string | null | undefined;
  /** Account the attempt is for; absent = no per-user lockouts. */
  user?: string | null | undefined;
  /** Units this attempt counts as in the buckets (default 1). */
  cost?: number;
}

export type LimitName = 'ip' | 'sender';
export type LockName = 'ip' | 'user' | 'user_ip';

/** One bucket consulted, as stored in `rl_bucket_state`. */
export interface LimitView {
  name: LimitName;
  key: string;
  limit: number;
  window_ms: number;
  count: number;
  remaining: number;
  reset_ms: number;
  /** Whether this bucket had room (the attempt passes only if all do). */
  allowed: boolean;
}

export interface LockView {
  name: LockName;
  key: string;
  locked: boolean;
  /** Epoch ms when the lock ends; null when not locked. */
  until: number | null;
  level: number;
  failures: number;
}

/** `store_unavailable`: the store could not be reached and its failure policy refuses (fail-closed). */
export type DecisionReason =
  'allowed' | 'allowlisted' | 'denylisted' | 'locked' | 'rate_limited' | 'store_unavailable';

export interface RateLimitDecision {
  allowed: boolean;
  reason: DecisionReason;
  /** 0 when allowed; ms to wait when limited or locked; null when deny-listed (waiting won't help). */
  retry_after_ms: number | null;
  /** The key the address is limited under (e.g. `2001:db8:1:2::/64`). */
  ip_key: string;
  /** Buckets consulted; empty when the lists or a lock decided first. */
  limits: LimitView[];
  locks: LockView[];
}

export interface DecideOptions {
  /** Heavy-hitter counts for snapshots; every attempt that reaches the limiter is counted. */
  traffic?: TrafficSummary;
}

/** Store keys: a prefix per kind so an IP key can never collide with a sender or user name. */
const bucketKey = (name: LimitName, subject: string): string => `rl:${name}:${subject}`;
const lockKey = (name: LockName, subject: string): string => `lock:${name}:${subject}`;
/** The IP key never contains '|', so the split point of a (user, IP) subject is unambiguous. */
const userIpSubject = (ipKey: string, user: string): string => `${ipKey}|${user}`;

/** What one attempt asks of the store. Built without intermediate arrays: this runs per request. */
export interface Plan {
  ipKey: string;
  user: string | null;
  sender: string | null;
  lockNames: readonly LockName[];
  lockSubjects: string[];
  lockKeys: string[];
  requests: BucketRequest[];
}

function checkNow(nowMs: number): void {
  if (!Number.isInteger(nowMs) || nowMs < 0)
    throw validationError('nowMs', 'must be a non-negative integer (epoch milliseconds)');
}

function normaliseIp(attempt: AuthAttempt, compiled: CompiledRateLimitPolicy): string {
  if (attempt === null || typeof attempt !== 'object') throw validationError('attempt', 'must be an object');
  const p = compiled.policy;
  const key = typeof attempt.ip === 'string' ? ipKeyUnchecked(attempt.ip, p.ipv6Prefix, p.ipv4Prefix) : null;
  if (key === null) throw validationError('ip', 'not an IP address');
  return key;
}

function optionalText(value: unknown, field: string): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'string') throw validationError(field, 'must be a string');
  return value;
}

/** Enabled lock rules for an attempt, in a fixed order (ip, user, user_ip). */
function lockNamesFor(compiled: CompiledRateLimitPolicy, withUser: boolean): LockName[] {
  const l = compiled.policy.lockout;
  const names: LockName[] = [];
  if (l.ip.enabled) names.push('ip');
  if (withUser && l.user.enabled) names.push('user');
  if (withUser && l.userIp.enabled) names.push('user_ip');
  return names;
}

/** Lock-name lists per policy, computed once (the policy object is immutable after compile). */
const lockNameCache = new WeakMap<CompiledRateLimitPolicy, [LockName[], LockName[]]>();
function cachedLockNames(compiled: CompiledRateLimitPolicy, withUser: boolean): readonly LockName[] {
  let entry = lockNameCache.get(compiled);
  if (entry === undefined) {
    entry = [lockNamesFor(compiled, false), lockNamesFor(compiled, true)];
    lockNameCache.set(compiled, entry);
  }
  return withUser ? entry[1] : entry[0];
}

function lockSubject(name: LockName, pl: { ipKey: string; user: string | null }): string {
  return name === 'ip' ? pl.ipKey : name === 'user' ? pl.user! : userIpSubject(pl.ipKey, pl.user!);
}

/** The allow/deny verdict, or null when the limiter must decide. */
function listVerdict(
  attempt: AuthAttempt,
  ipKey: string,
  compiled: CompiledRateLimitPolicy,
): RateLimitDecision | null {
  if (compiled.denyList.size > 0 && compiled.denyList.has(attempt.ip)) {
    return {
      allowed: false,
      reason: 'denylisted',
      retry_after_ms: null,
      ip_key: ipKey,
      limits: [],
      locks: [],
    };
  }
  if (compiled.allowList.size > 0 && compiled.allowList.has(attempt.ip)) {
    return { allowed: true, reason: 'allowlisted', retry_after_ms: 0, ip_key: ipKey, limits: [], locks: [] };
  }
  return null;
}

function plan(
  attempt: AuthAttempt,
  ipKey: string,
  compiled: CompiledRateLimitPolicy,
  nowMs: number,
  traffic: TrafficSummary | undefined,
): Plan {
  const sender = optionalText(attempt.sender, 'sender');
  const user = optionalText(attempt.user, 'user');
  traffic?.record(ipKey, sender, nowMs);
  const lockNames = cachedLockNames(compiled, user !== null);
  const lockKeys = new Array<string>(lockNames.length);
  const lockSubjects = new Array<string>(lockNames.length);
  const subjects = { ipKey, user };
  for (let i = 0; i < lockNames.length; i++) {
    const subject = lockSubject(lockNames[i]!, subjects);
    lockSubjects[i] = subject;
    lockKeys[i] = lockKey(lockNames[i]!, subject);
  }
  const p = compiled.policy;
  const cost = attempt.cost ?? 1;
  const requests: BucketRequest[] = [
    { key: bucketKey('ip', ipKey), limit: p.perIp.limit, windowMs: p.perIp.windowMs, cost },
  ];
  if (sender !== null)
    requests.push({
      key: bucketKey('sender', sender),
      limit: p.perSender.limit,
      windowMs: p.perSender.windowMs,
      cost,
    });
  return { ipKey, user, sender, lockNames, lockSubjects, lockKeys, requests };
}

function lockView(name: LockName, key: string, s: LockState): LockView {
  return { name, key, locked: s.locked, until: s.until, level: s.level, failures: s.failures };
}

function assemble(pl: Plan, result: CheckAndConsumeResult): RateLimitDecision {
  if (result.unavailable !== undefined)
    return {
      allowed: false,
      reason: 'store_unavailable',
      retry_after_ms: result.unavailable.retryAfterMs,
      ip_key: pl.ipKey,
      limits: [],
      locks: [],
    };
  const n = pl.lockNames.length;
  const locks = new Array<LockView>(n);
  let lockWait = 0;
  for (let i = 0; i < n; i++) {
    const s = result.locks[i]!;
    locks[i] = lockView(pl.lockNames[i]!, pl.lockSubjects[i]!, s);
    if (s.locked && s.retryAfterMs > lockWait) lockWait = s.retryAfterMs;
  }
  const buckets = result.buckets;
  if (buckets === null)
    return {
      allowed: false,
      reason: 'locked',
      retry_after_ms: lockWait,
      ip_key: pl.ipKey,
      limits: [],
      locks,
    };
  const limits = new Array<LimitView>(buckets.length);
  let wait = 0;
  let allowed = true;
  for (let i = 0; i < buckets.length; i++) {
    const d = buckets[i]!;
    const r = pl.requests[i]!;
    limits[i] = {
      name: i === 0 ? 'ip' : 'sender',
      key: i === 0 ? pl.ipKey : pl.sender!,
      limit: r.limit,
      window_ms: r.windowMs,
      count: d.count,
      remaining: d.remaining,
      reset_ms: d.resetMs,
      allowed: d.allowed,
    };
    if (!d.allowed) {
      allowed = false;
      if (d.retryAfterMs > wait) wait = d.retryAfterMs;
    }
  }
  return {
    allowed,
    reason: allowed ? 'allowed' : 'rate_limited',
    retry_after_ms: allowed ? 0 : wait,
    ip_key: pl.ipKey,
    limits,
    locks,
  };
}

/**
 * The part of a decision that needs no store: the lists' verdict, or the plan of what to ask the
 * store (and the heavy-hitter count, taken here, once per attempt). Split from the store call so
 * that a caller which runs the store call inside a transaction that may be re-run (the SQLite
 * write batch) does its side effects once.
 */
export interface PreparedDecision {
  readonly verdict: RateLimitDecision | null;
  readonly plan: Plan | null;
}

export function prepareDecision(
  attempt: AuthAttempt,
  compiled: CompiledRateLimitPolicy,
  nowMs: number,
  options: DecideOptions = {},
): PreparedDecision {
  checkNow(nowMs);
  const ipKey = normaliseIp(attempt, compiled);
  const verdict = listVerdict(attempt, ipKey, compiled);
  if (verdict !== null) return { verdict, plan: null };
  return { verdict: null, plan: plan(attempt, ipKey, compiled, nowMs, options.traffic) };
}

/** The prepared decision completed by a synchronous store (one `checkAndConsumeSync` call). */
export function completeDecisionSync(
  prepared: PreparedDecision,
  store: SyncCheckStore,
  nowMs: number,
): RateLimitDecision {
  if (prepared.verdict !== null) return prepared.verdict;
  const pl = prepared.plan!;
  return assemble(pl, store.checkAndConsumeSync(pl.lockKeys, pl.requests, nowMs));
}

/** Decides one attempt against any limiter store (one `checkAndConsume` call). */
export async function decide(
  attempt: AuthAttempt,
  compiled: CompiledRateLimitPolicy,
  store: LimiterStore,
  nowMs: number,
  options: DecideOptions = {},
): Promise<RateLimitDecision> {
  const prepared = prepareDecision(attempt, compiled, nowMs, options);
  if (prepared.verdict !== null) return prepared.verdict;
  const pl = prepared.plan!;
  return assemble(pl, await store.checkAndConsume(pl.lockKeys, pl.requests, nowMs));
}

/** `decide` without the promise, for a synchronous store (the in-process one). */
export function decideSync(
  attempt: AuthAttempt,
  compiled: CompiledRateLimitPolicy,
  store: SyncCheckStore,
  nowMs: number,
  options: DecideOptions = {},
): RateLimitDecision {
  return completeDecisionSync(prepareDecision(attempt, compiled, nowMs, options), store, nowMs);
}

/** The lockout keys an outcome touches, in rule order; null for listed addresses (not recorded). */
interface OutcomeTargets {
  names: LockName[];
  subjects: string[];
  keys: string[];
  rules: LockoutRule[];
}

function outcomeTargets(
  attempt: AuthAttempt,
  outcome: 'success' | 'failure',
  compiled: CompiledRateLimitPolicy,
  nowMs: number,
): OutcomeTargets | null {
  if (outcome !== 'success' && outcome !== 'failure')
    throw validationError('outcome', "must be 'success' or 'failure'");
  checkNow(nowMs);
  const ipKey = normaliseIp(attempt, compiled);
  if (compiled.denyList.has(attempt.ip) || compiled.allowList.has(attempt.ip)) return null;
  const subjects = { ipKey, user: optionalText(attempt.user, 'user') };
  const l = compiled.policy.lockout;
  const t: OutcomeTargets = { names: [], subjects: [], keys: [], rules: [] };
  for (const name of cachedLockNames(compiled, subjects.user !== null)) {
    const rule = name === 'ip' ? l.ip : name === 'user' ? l.user : l.userIp;
    // A success only touches the rules that forget failures on success.
    if (outcome === 'success' && !rule.clearOnSuccess) continue;
    const subject = lockSubject(name, subjects);
    t.names.push(name);
    t.subjects.push(subject);
    t.keys.push(lockKey(name, subject));
    t.rules.push(rule);
  }
  return t;
}

/**
 * Records how an attempt ended. A failure counts towards every enabled lockout (IP key, user,
 * (user, IP key)) and returns their states (a `locked: true` here is a new ban to alert on);
 * a success forgets recent failures of the rules with `clearOnSuccess`. Allow- and deny-listed
 * addresses are not recorded. Several store calls: they are independent, and an ioredis client
 * pipelines them.
 */
export async function recordOutcome(
  attempt: AuthAttempt,
  outcome: 'success' | 'failure',
  compiled: CompiledRateLimitPolicy,
  store: LockoutStore,
  nowMs: number,
): Promise<LockView[]> {
  const t = outcomeTargets(attempt, outcome, compiled, nowMs);
  if (t === null) return [];
  if (outcome === 'success') {
    await Promise.all(t.keys.map((key) => store.clear(key)));
    return [];
  }
  const states = await Promise.all(t.keys.map((key, i) => store.recordFailure(key, t.rules[i]!, nowMs)));
  return states.map((s, i) => lockView(t.names[i]!, t.subjects[i]!, s));
}

/** `recordOutcome` on a synchronous store, in the same order. */
export function recordOutcomeSync(
  attempt: AuthAttempt,
  outcome: 'success' | 'failure',
  compiled: CompiledRateLimitPolicy,
  store: SyncLimiterStore,
  nowMs: number,
): LockView[] {
  const t = outcomeTargets(attempt, outcome, compiled, nowMs);
  if (t === null) return [];
  if (outcome === 'success') {
    for (const key of t.keys) store.clearSync(key);
    return [];
  }
  const views = new Array<LockView>(t.keys.length);
  for (let i = 0; i < t.keys.length; i++)
    views[i] = lockView(t.names[i]!, t.subjects[i]!, store.recordFailureSync(t.keys[i]!, t.rules[i]!, nowMs));
  return views;
}

/** Store key of a lock, for administrators' unlock (`store.unlock(lockStoreKey('user', 'alice'))`). */
export const lockStoreKey = lockKey;
