/**
 * Ports (store interfaces) the rate limiter needs. Implementations: the in-process memory store
 * here (memory-store.ts), and Redis / SQL adapters under src/adapters.
 *
 * Shaped for one round trip per decision:
 * - Every operation takes `nowMs` from the caller, so a Redis Lua script or a SQL statement does
 *   not need the server's clock (and tests control time).
 * - `consumeMany` decides several buckets atomically, all-or-nothing: if any bucket refuses, none
 *   is charged. A refused request therefore never eats the per-sender quota of the account it
 *   targets, and a caller's retry after a 429 does not push its own limit further out.
 *   Redis: one EVALSHA over all keys (GCRA arithmetic as in gcra.ts, two integers per key,
 *   PEXPIRE at the reset time); in Redis Cluster the keys must share a hash slot or the adapter
 *   splits the call and documents the weaker guarantee. SQL: one transaction with
 *   `SELECT ... FOR UPDATE` (PostgreSQL) or `BEGIN IMMEDIATE` (SQLite) over the rows.
 * - `checkAndConsume` folds the lockout check into the same round trip: lock states first, and
 *   only when no key is locked are the buckets consumed.
 */
import type { BucketDecision } from './gcra.js';
import type { LockoutPolicy, LockState } from './lockout.js';

export type { BucketDecision } from './gcra.js';
export type { LockoutPolicy, LockState } from './lockout.js';

export interface BucketRequest {
  key: string;
  /** Requests allowed per window (≥ 1). */
  limit: number;
  windowMs: number;
  /** Requests this one counts as (default 1; 0 reads the bucket without charging it). */
  cost?: number;
}

export interface RateLimitStore {
  /** One GCRA decision on one bucket. */
  consume(key: string, limit: number, windowMs: number, cost: number, nowMs: number): Promise<BucketDecision>;
  /** Decisions on several buckets at once, all-or-nothing; results in request order. */
  consumeMany(requests: readonly BucketRequest[], nowMs: number): Promise<BucketDecision[]>;
}

export interface LockoutStore {
  /** Records a failed login for `key` and returns its state afterwards (locked if this one tipped it). */
  recordFailure(key: string, policy: LockoutPolicy, nowMs: number): Promise<LockState>;
  isLocked(key: string, nowMs: number): Promise<LockState>;
  /** Forgets recent failures (success under a clearOnSuccess policy); an active lock and the level stay. */
  clear(key: string): Promise<void>;
  /** Forgets everything about the key, lifting a lock: an administrator's action. */
  unlock(key: string): Promise<void>;
}

export interface CheckAndConsumeResult {
  /** Lock states, in `lockKeys` order. */
  locks: LockState[];
  /** Bucket decisions in request order; null when a lock refused the attempt (no bucket charged). */
  buckets: BucketDecision[] | null;
  /**
   * Set when nothing was decided because the store could not be reached and the failure policy
   * refuses (fail-closed): no lock or bucket was read, so there is no count to report.
   */
  unavailable?: { retryAfterMs: number };
}

/** Everything `decide` needs, in one object so an adapter can serve it in one round trip. */
export interface LimiterStore extends RateLimitStore, LockoutStore {
  checkAndConsume(
    lockKeys: readonly string[],
    requests: readonly BucketRequest[],
    nowMs: number,
  ): Promise<CheckAndConsumeResult>;
}
