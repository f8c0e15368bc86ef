/**
 * 003 (auth guard): what the SQL limiter store and the anomaly view need beyond 001.
 * - rate_limit_buckets.tat_rem: GCRA keeps its theoretical arrival time as integer ms (`state`)
 *   plus a remainder in 1/limit ms (gcra.ts); one BIGINT cannot hold both exactly in a JS number.
 * - lockouts(locked_until): listing the current lockouts is an index range, not a scan.
 * - authentication_attempts(result, timestamp): the anomaly view reads failures of a window.
 * - authentication_attempts(timestamp, id): the view's keyset walk over a window, in index order.
 */
import { type Kysely } from 'kysely';

export function migration003() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('rate_limit_buckets')
        .addColumn('tat_rem', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createIndex('lockouts_locked_until_idx')
        .on('lockouts')
        .column('locked_until')
        .execute();
      await db.schema
        .createIndex('attempts_result_time_idx')
        .on('authentication_attempts')
        .columns(['result', 'timestamp'])
        .execute();
      await db.schema
        .createIndex('attempts_time_id_idx')
        .on('authentication_attempts')
        .columns(['timestamp', 'id'])
        .execute();
    },
  };
}
