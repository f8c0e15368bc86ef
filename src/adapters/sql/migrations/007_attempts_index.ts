/**
 * 007: authentication_attempts loses `attempts_timestamp_idx` (timestamp), a prefix of 003's
 * `attempts_time_id_idx` (timestamp, id): every query that ranged over the first (the time
 * series counts, the window walks of range and scan) ranges over the second as well, in the same
 * order, and each attempt inserted wrote one b-tree less (bench/auth-http.ts: 7.30 → 7.16 WAL
 * frames per attempt, plus the insert into it). test/adapters/attempt-query-plans.test.ts checks
 * the plans.
 */
import type { Kysely } from 'kysely';

export function migration007() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('attempts_timestamp_idx').ifExists().execute();
    },
  };
}
