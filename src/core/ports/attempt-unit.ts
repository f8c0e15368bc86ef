/**
 * One authentication attempt's writes as ONE synchronous job in one transaction: the limiter's
 * decision and lockout updates, the attempt row, and the audit append the job asks for while it
 * runs (an append on the same database joins the job: src/adapters/sql/sqlite-batch.ts). A store
 * that offers this (SQLite: src/adapters/sql/sqlite-attempt-unit.ts) saves a request a promise hop
 * and a shared commit per separate write; the answer still waits for the commit, and the attempt
 * is stored with its audit entries or not at all.
 *
 * The job must be a pure function of the database and of values computed before it (ids, the
 * decision plan): the store may run it again after a rollback caused by another job in the same
 * transaction; the writes a rolled-back run asked for are dropped and asked again by the re-run.
 */
import type { SyncLimiterStore } from '../ratelimit/sync-store.js';
import type { StoredAttempt } from './attempt-store.js';

export interface AttemptWrites {
  readonly limiter: SyncLimiterStore;
  insertAttempt(attempt: StoredAttempt): void;
}

export interface AttemptWriteUnit {
  /** Runs `job` in a write transaction; settles with its value after the COMMIT, or rejects (nothing stored). */
  run<T>(job: (writes: AttemptWrites) => T): Promise<T>;
}
