/**
 * The anomaly view's read of a time window (AttemptStore.scan): only the columns its rules and the
 * lockout replay use, rows fetched as arrays, keyset pages on (timestamp, id) (attempt-window.ts).
 *
 * Why it is shaped so (bench/anomalies.ts, a 24 h window of 1,000,000 attempts): the view's cost
 * is per row read, and most of a full row's cost was what the view never looks at: parsing
 * rl_bucket_state (JSON), the sender, and the driver building one keyed object per row. Both
 * dialects skip the query builder here: a prepared better-sqlite3 statement in raw mode, and the pg
 * pool in array row mode; both are parameterised.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { FailureReason } from '../../core/auth/attempt.js';
import type { ScannedAttempt } from '../../core/ports/attempt-store.js';
import type { SqlDatabase } from './dialect.js';
import { type PageStart, pageWhere, walkWindow } from './attempt-window.js';

/** Rows per page: few round trips on PostgreSQL, a bounded array either way. */
export const SCAN_PAGE_SIZE = 10_000;

type Row = [
  id: string,
  timestamp: number | string,
  source_ip: string,
  user_id: string | null,
  ip_key: string,
  result: string,
  failure_reason: string | null,
  failure_detail: string | null,
];

const scanSql = (p: (name: 'from' | 'until' | 'after' | 'limit') => string): string =>
  `select id, timestamp, source_ip, user_id, ip_key, result, failure_reason, failure_detail
     from authentication_attempts
    where ${pageWhere(p)}
    order by timestamp, id
    limit ${p('limit')}`;

const fromRow = (r: Row): ScannedAttempt => ({
  id: r[0],
  timestamp: Number(r[1]),
  source_ip: r[2],
  user_id: r[3],
  ip_key: r[4],
  result: r[5] as ScannedAttempt['result'],
  failure_reason: r[6] as FailureReason | null,
  failure_detail: r[7],
});

type ReadPage = (start: PageStart, until: number, limit: number) => Row[] | Promise<Row[]>;

/** AttemptStore.scan over one database. */
export function attemptScanner(
  store: SqlDatabase,
): (since: number, until: number, pageSize?: number) => AsyncIterable<ScannedAttempt[]> {
  const read = store.sqlite ? sqliteReader(store.sqlite) : postgresReader(store);
  return (since, until, pageSize = SCAN_PAGE_SIZE) =>
    walkWindow(since, until, pageSize, async (start, limit) =>
      (await read(start, until, limit)).map(fromRow),
    );
}

function sqliteReader(h: BetterSqlite3.Database): ReadPage {
  const statement = h.prepare(scanSql((name) => `@${name}`)).raw(true);
  return (start, until, limit) => statement.all({ ...start, until, limit }) as Row[];
}

function postgresReader(store: SqlDatabase): ReadPage {
  const pool = store.pool!;
  const index = { from: 1, until: 2, after: 3, limit: 4 } as const;
  // `after` is typed: PostgreSQL cannot infer a parameter's type from `is null` alone.
  const text = scanSql((name) => (name === 'after' ? '$3::text' : `$${index[name]}`));
  return async (start, until, limit) =>
    (await pool.query<Row>({ text, values: [start.from, until, start.after, limit], rowMode: 'array' })).rows;
}
