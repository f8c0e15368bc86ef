/**
 * SQLite's AttemptWriteUnit (src/core/ports/attempt-unit.ts): the job runs as one operation of
 * the handle's write batch (sqlite-batch.ts), so the concurrent requests of one event-loop turn
 * still share a commit, and each request costs one batch operation instead of one per write. The
 * audit append the job asks for (SqlAuditStore.append, on the same handle's batch) joins it.
 */
import type { AttemptWriteUnit, AttemptWrites } from '../../core/ports/attempt-unit.js';
import type { SqlAttemptStore } from './attempt-store.js';
import type { SqlDatabase } from './dialect.js';
import type { SqlLimiterStore } from './limiter-store.js';
import { sqliteBatchOf } from './sqlite-batch.js';

/** The unit for a SQLite database whose limiter is the SQL store; undefined otherwise. */
export function sqliteAttemptUnit(
  store: SqlDatabase,
  stores: { limiter: SqlLimiterStore; attempts: SqlAttemptStore },
): AttemptWriteUnit | undefined {
  const limiter = stores.limiter.inWriteBatch;
  const insertAttempt = stores.attempts.inWriteBatch;
  if (!store.sqlite || !limiter || !insertAttempt) return undefined;
  const batch = sqliteBatchOf(store.sqlite);
  const writes: AttemptWrites = { limiter, insertAttempt };
  return { run: (job) => batch.run(() => job(writes)) };
}
