import { type Kysely, sql } from 'kysely';
import type { OwaspReview, PostureStore } from '../../core/ports/posture-store.js';
import type { Database } from './schema.js';

export class SqlPostureStore implements PostureStore {
  constructor(private readonly db: Kysely<Database>) {}

  async addReview(review: OwaspReview): Promise<void> {
    await this.db.insertInto('owasp_reviews').values(review).execute();
  }

  async reviewsSince(since: number): Promise<OwaspReview[]> {
    const rows = await this.db
      .selectFrom('owasp_reviews')
      .selectAll()
      .where('at', '>=', since)
      .orderBy('at')
      .execute();
    return rows.map((r) => ({ ...r, at: Number(r.at) }) as OwaspReview);
  }

  async lastScanAt(): Promise<number | null> {
    const r = await this.db
      .selectFrom('scans')
      .select((eb) => eb.fn.max('finished_at').as('last'))
      .where('status', '=', 'done')
      .executeTakeFirst();
    return r?.last == null ? null : Number(r.last);
  }

  async saveDailySnapshot(day: string, capturedAt: number, summary: unknown): Promise<void> {
    const row = { day, captured_at: capturedAt, summary: JSON.stringify(summary) };
    await this.db
      .insertInto('posture_snapshots')
      .values(row)
      .onConflict((oc) =>
        oc
          .column('day')
          .doUpdateSet({ captured_at: sql`excluded.captured_at`, summary: sql`excluded.summary` }),
      )
      .execute();
  }

  async dailySnapshots(sinceDay: string) {
    const rows = await this.db
      .selectFrom('posture_snapshots')
      .selectAll()
      .where('day', '>=', sinceDay)
      .orderBy('day')
      .execute();
    return rows.map((r) => ({
      day: r.day,
      captured_at: Number(r.captured_at),
      summary: JSON.parse(r.summary) as unknown,
    }));
  }
}
