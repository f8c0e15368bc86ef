/**
 * The limiter store's operations as synchronous calls, for stores that answer without a round
 * trip: the memory store, and the SQLite store inside its write batch's transaction (where one
 * request's decision, lockout updates, attempt row and audit rows run as one synchronous job).
 * Same semantics as the async LimiterStore methods of the same names without `Sync`.
 */
import type { LockoutPolicy, LockState } from './lockout.js';
import type { BucketRequest, CheckAndConsumeResult } from './ports.js';

export interface SyncCheckStore {
  checkAndConsumeSync(
    lockKeys: readonly string[],
    requests: readonly BucketRequest[],
    nowMs: number,
  ): CheckAndConsumeResult;
}

export interface SyncLimiterStore extends SyncCheckStore {
  recordFailureSync(key: string, policy: LockoutPolicy, nowMs: number): LockState;
  clearSync(key: string): void;
}
