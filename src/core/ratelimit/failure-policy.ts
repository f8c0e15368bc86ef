/**
 * What the limiter does when its shared store fails (Redis down, a command timing out): an
 * explicit policy, never an exception in the host's request path.
 *
 * - `fail-closed` (the default, and the right one for logins): every decision is refused with a
 *   retry hint (`retryAfterMs`, default 1 s) and the reason `store_unavailable` (no counts: none
 *   were read). An attacker cannot turn an outage into unlimited password guessing; legitimate
 *   users see 503 `store_unavailable` + Retry-After from the middleware for as long as it lasts.
 * - `fail-open`: every decision is allowed (nothing counted). For traffic where availability
 *   matters more than the limit (reads, message sends behind other controls).
 * - `fallback`: decisions go to a bounded in-process store (MemoryLimiterStore) until the shared
 *   one answers again: limits hold per instance (N instances admit up to N×L), lockouts recorded
 *   meanwhile are kept only in that instance and forgotten when the shared store returns.
 *
 * Every call tries the shared store first; there is no breaker to wait out, because the Redis
 * client fails fast while disconnected (no offline queue, see createLimiterRedis) and a hung
 * server costs at most its command timeout. So the first decision after recovery is already
 * back on the shared store.
 *
 * Visibility: `metrics` is called on every failure (counters) and on each change of the degraded
 * state (gauge); `onStoreFailure(err, policy)` — meant for the audit log — on entering the
 * degraded state and then at most once per `reportEveryMs` while it lasts, so an outage under load
 * is a handful of audit entries, not one per request; `onStoreRecovered(downForMs)` when it ends.
 * Administrative `unlock` is not absorbed: it throws store_unavailable, so the admin knows.
 */
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { BulwarkError, validationError } from '../errors.js';
import type { BucketDecision } from './gcra.js';
import type { LockoutPolicy, LockState } from './lockout.js';
import { MemoryLimiterStore } from './memory-store.js';
import type { BucketRequest, CheckAndConsumeResult, LimiterStore } from './ports.js';

export type StoreFailurePolicy = 'fail-closed' | 'fail-open' | 'fallback';
export const STORE_FAILURE_POLICIES: readonly StoreFailurePolicy[] = ['fail-closed', 'fail-open', 'fallback'];

export type LimiterOperation =
  'checkAndConsume' | 'consume' | 'recordFailure' | 'isLocked' | 'clear' | 'unlock';

/** Where failures are counted (the app layer maps it to Prometheus). */
export interface StoreFailureMetrics {
  failure(operation: LimiterOperation, policy: StoreFailurePolicy): void;
  degraded(isDegraded: boolean): void;
}

export interface FailurePolicyOptions {
  /** Default 'fail-closed'. */
  policy?: StoreFailurePolicy;
  /** Wait announced to refused callers under fail-closed (default 1000 ms). */
  retryAfterMs?: number;
  /** Store used under 'fallback' (default: a MemoryLimiterStore of 10,000 buckets and lockouts). */
  fallback?: LimiterStore;
  /**
   * Entering the degraded state, and every `reportEveryMs` while it lasts (audit log). May be
   * async; a throw or a rejection of this or any hook is ignored, never the decision's.
   */
  onStoreFailure?: (err: unknown, policy: StoreFailurePolicy) => unknown;
  onStoreRecovered?: (downForMs: number) => unknown;
  /** Default 60,000 ms. */
  reportEveryMs?: number;
  metrics?: StoreFailureMetrics;
  clock?: Clock;
}

/**
 * Calls a host hook (audit, metrics) so that its failure cannot change the decision: a throw is
 * dropped (under fail-open it turned the allowed answer into an error) and a rejected promise is
 * caught (an async hook writing to an audit store that is down too was an unhandled rejection,
 * which ends a Node process).
 */
function notify(hook: () => unknown): void {
  try {
    const r = hook();
    if (r instanceof Promise) r.catch(() => {});
  } catch {
    // the hook's own failure is not the limiter's to report
  }
}

const CLEAN: LockState = { locked: false, until: null, level: 0, failures: 0, retryAfterMs: 0 };

export class FailurePolicyLimiterStore implements LimiterStore {
  readonly policy: StoreFailurePolicy;
  readonly retryAfterMs: number;
  readonly fallback: LimiterStore | null;
  private readonly reportEveryMs: number;
  private readonly clock: Clock;
  private downSince: number | null = null;
  private lastReport = 0;
  /** Failures absorbed since construction. */
  failures = 0;

  constructor(
    readonly primary: LimiterStore,
    private readonly options: FailurePolicyOptions = {},
  ) {
    const policy = options.policy ?? 'fail-closed';
    if (!STORE_FAILURE_POLICIES.includes(policy))
      throw validationError('policy', `must be one of ${STORE_FAILURE_POLICIES.join(', ')}`);
    this.policy = policy;
    const retry = options.retryAfterMs ?? 1000;
    if (!Number.isInteger(retry) || retry < 1 || retry > 3_600_000)
      throw validationError('retryAfterMs', 'must be an integer from 1 to 3,600,000');
    this.retryAfterMs = retry;
    this.reportEveryMs = options.reportEveryMs ?? 60_000;
    this.clock = options.clock ?? systemClock;
    this.fallback =
      policy === 'fallback'
        ? (options.fallback ?? new MemoryLimiterStore({ maxKeys: 10_000, maxLockoutKeys: 10_000 }))
        : null;
  }

  /** Whether the last call to the shared store failed. */
  get degraded(): boolean {
    return this.downSince !== null;
  }

  private failed(err: unknown, op: LimiterOperation): void {
    // Bad arguments are the caller's fault, not an outage: let them through as they are.
    if (err instanceof BulwarkError && err.code === 'validation_failed') throw err;
    this.failures++;
    const m = this.options.metrics;
    if (m) notify(() => m.failure(op, this.policy));
    const now = this.clock.now();
    const onFailure = this.options.onStoreFailure;
    if (this.downSince === null) {
      this.downSince = now;
      this.lastReport = now;
      if (m) notify(() => m.degraded(true));
      if (onFailure) notify(() => onFailure(err, this.policy));
    } else if (now - this.lastReport >= this.reportEveryMs) {
      this.lastReport = now;
      if (onFailure) notify(() => onFailure(err, this.policy));
    }
  }

  private succeeded(): void {
    if (this.downSince === null) return;
    const downFor = this.clock.now() - this.downSince;
    this.downSince = null;
    const m = this.options.metrics;
    if (m) notify(() => m.degraded(false));
    const onRecovered = this.options.onStoreRecovered;
    if (onRecovered) notify(() => onRecovered(downFor));
  }

  private substitute(requests: readonly BucketRequest[]): BucketDecision[] {
    const closed = this.policy === 'fail-closed';
    return requests.map((r) =>
      closed
        ? {
            allowed: false,
            count: r.limit,
            remaining: 0,
            resetMs: this.retryAfterMs,
            retryAfterMs: this.retryAfterMs,
          }
        : { allowed: true, count: 0, remaining: r.limit, resetMs: 0, retryAfterMs: 0 },
    );
  }

  async checkAndConsume(
    lockKeys: readonly string[],
    requests: readonly BucketRequest[],
    nowMs: number,
  ): Promise<CheckAndConsumeResult> {
    try {
      const r = await this.primary.checkAndConsume(lockKeys, requests, nowMs);
      this.succeeded();
      return r;
    } catch (err) {
      this.failed(err, 'checkAndConsume');
      if (this.fallback !== null) return this.fallback.checkAndConsume(lockKeys, requests, nowMs);
      // Fail-closed says it is an outage (decide answers reason store_unavailable), never a made-up
      // full bucket that would read as a real rate limit.
      if (this.policy === 'fail-closed')
        return { locks: [], buckets: null, unavailable: { retryAfterMs: this.retryAfterMs } };
      return { locks: lockKeys.map(() => ({ ...CLEAN })), buckets: this.substitute(requests) };
    }
  }

  async consumeMany(requests: readonly BucketRequest[], nowMs: number): Promise<BucketDecision[]> {
    try {
      const r = await this.primary.consumeMany(requests, nowMs);
      this.succeeded();
      return r;
    } catch (err) {
      this.failed(err, 'consume');
      if (this.fallback !== null) return this.fallback.consumeMany(requests, nowMs);
      return this.substitute(requests);
    }
  }

  async consume(
    key: string,
    limit: number,
    windowMs: number,
    cost: number,
    nowMs: number,
  ): Promise<BucketDecision> {
    return (await this.consumeMany([{ key, limit, windowMs, cost }], nowMs))[0]!;
  }

  async recordFailure(key: string, policy: LockoutPolicy, nowMs: number): Promise<LockState> {
    try {
      const r = await this.primary.recordFailure(key, policy, nowMs);
      this.succeeded();
      return r;
    } catch (err) {
      this.failed(err, 'recordFailure');
      if (this.fallback !== null) return this.fallback.recordFailure(key, policy, nowMs);
      return { ...CLEAN }; // not counted: nowhere to count it
    }
  }

  async isLocked(key: string, nowMs: number): Promise<LockState> {
    try {
      const r = await this.primary.isLocked(key, nowMs);
      this.succeeded();
      return r;
    } catch (err) {
      this.failed(err, 'isLocked');
      if (this.fallback !== null) return this.fallback.isLocked(key, nowMs);
      if (this.policy === 'fail-open') return { ...CLEAN };
      return {
        locked: true,
        until: nowMs + this.retryAfterMs,
        level: 0,
        failures: 0,
        retryAfterMs: this.retryAfterMs,
      };
    }
  }

  async clear(key: string): Promise<void> {
    try {
      await this.primary.clear(key);
      this.succeeded();
    } catch (err) {
      this.failed(err, 'clear');
      await this.fallback?.clear(key);
    }
  }

  async unlock(key: string): Promise<void> {
    await this.fallback?.unlock(key);
    try {
      await this.primary.unlock(key);
      this.succeeded();
    } catch (err) {
      this.failed(err, 'unlock');
      throw new BulwarkError(
        'store_unavailable',
        'The rate-limit store cannot be reached; the lock was not lifted.',
        {
          cause: err,
        },
      );
    }
  }
}
