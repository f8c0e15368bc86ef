import { type Kysely, sql } from 'kysely';
import type { BucketCount } from '../../core/auth/timeseries.js';
import type { AttemptCountsSource } from '../../core/ports/attempt-counts.js';
import type { Database } from './schema.js';

/**
 * One grouped query over a range of attempts_time_id_idx: the database counts, only the buckets
 * leave it. Integer arithmetic on the BIGINT epoch-ms column means the same on SQLite and PostgreSQL.
 */
export class SqlAttemptCounts implements AttemptCountsSource {
  constructor(private readonly db: Kysely<Database>) {}

  async countsByBucket(start: number, end: number, size: number): Promise<BucketCount[]> {
    const r = await sql<{ bucket_start: number | string; result: string; n: number | string }>`
      select (timestamp - (timestamp % ${size})) as bucket_start, result, count(*) as n
        from authentication_attempts
       where timestamp >= ${start} and timestamp < ${end}
       group by 1, 2`.execute(this.db);
    return r.rows.map((row) => ({
      bucket_start: Number(row.bucket_start),
      result: row.result,
      n: Number(row.n),
    }));
  }
}
