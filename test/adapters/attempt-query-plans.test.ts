/**
 * After 007 (attempts_timestamp_idx dropped: a prefix of attempts_time_id_idx), the attempt
 * queries that ranged over a time window still do, on (timestamp, id): EXPLAIN QUERY PLAN of the
 * exact statements the stores prepare (captured from the handle), SQLite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type BetterSqlite3 from 'better-sqlite3';
import { type SqlDatabase, openSqlDatabase } from '../../src/adapters/sql/dialect.js';
import { migrateToLatest } from '../../src/adapters/sql/migrate.js';
import { SqlAttemptCounts } from '../../src/adapters/sql/attempt-counts.js';
import { SqlAttemptStore } from '../../src/adapters/sql/attempt-store.js';

let store: SqlDatabase;
const prepared: string[] = [];

beforeAll(async () => {
  store = await openSqlDatabase('sqlite::memory:');
  await migrateToLatest(store);
  const h = store.sqlite!;
  const prepare = h.prepare.bind(h);
  (h as { prepare: BetterSqlite3.Database['prepare'] }).prepare = ((text: string) => {
    prepared.push(text);
    return prepare(text);
  }) as BetterSqlite3.Database['prepare'];
});
afterAll(async () => store?.close());

const plan = (text: string, params: unknown): string => {
  const rows = store.sqlite!.prepare(`explain query plan ${text}`).all(params as never) as {
    detail: string;
  }[];
  return rows.map((r) => r.detail).join(' | ');
};

describe('attempt time-window queries after 007', () => {
  it('the schema has no attempts_timestamp_idx any more, and keeps (timestamp, id)', () => {
    const names = (
      store
        .sqlite!.prepare(`select name from sqlite_master where tbl_name = 'authentication_attempts'`)
        .all() as {
        name: string;
      }[]
    ).map((r) => r.name);
    expect(names).not.toContain('attempts_timestamp_idx');
    expect(names).toContain('attempts_time_id_idx');
  });

  it('the time series counts range over attempts_time_id_idx', async () => {
    prepared.length = 0;
    await new SqlAttemptCounts(store.db).countsByBucket(0, 86_400_000, 3_600_000);
    const text = prepared.find((t) => t.includes('count(*)'))!;
    expect(plan(text, [3_600_000, 0, 86_400_000])).toMatch(
      /SEARCH authentication_attempts USING INDEX attempts_time_id_idx \(timestamp>\? AND timestamp<\?\)/,
    );
  });

  it('the window walks (range, scan) search attempts_time_id_idx in its order, no sort', async () => {
    prepared.length = 0;
    const attempts = new SqlAttemptStore(store);
    for await (const _ of attempts.range(0, 1000)) void _;
    for await (const _ of attempts.scan(0, 1000)) void _;
    const walks = prepared.filter((t) => t.includes('order by timestamp, id'));
    expect(walks.length).toBeGreaterThanOrEqual(1);
    for (const text of walks) {
      const p = plan(text, { from: 0, until: 1000, after: null, limit: 10 });
      expect(p).toMatch(/USING (COVERING )?INDEX attempts_time_id_idx/);
      expect(p).not.toMatch(/TEMP B-TREE/);
    }
  });
});
