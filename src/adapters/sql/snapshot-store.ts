/** RateLimitSnapshot rows; the latest is one index lookup on captured_at. */
import type { Kysely } from 'kysely';
import type { RateLimitSnapshot, SnapshotStore } from '../../core/ports/snapshot-store.js';
import type { TrafficCounters } from '../../core/ratelimit/traffic-summary.js';
import type { Database } from './schema.js';

export class SqlSnapshotStore implements SnapshotStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(s: RateLimitSnapshot): Promise<void> {
    await this.db
      .insertInto('rate_limit_snapshots')
      .values({ ...s, counters: JSON.stringify(s.counters) })
      .execute();
  }

  async latest(): Promise<RateLimitSnapshot | null> {
    const r = await this.db
      .selectFrom('rate_limit_snapshots')
      .selectAll()
      .orderBy('captured_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!r) return null;
    return {
      id: r.id,
      captured_at: Number(r.captured_at),
      per_ip_limit: Number(r.per_ip_limit),
      per_sender_limit: Number(r.per_sender_limit),
      counters: JSON.parse(r.counters) as TrafficCounters,
    };
  }
}
