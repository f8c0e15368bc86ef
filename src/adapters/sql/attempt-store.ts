/**
 * Authentication attempts on SQL. `insertMany` is the importers' path: one transaction, a
 * prepared statement per row on SQLite (better-sqlite3 runs ~10^5 rows/s that way; the inserts
 * of concurrent requests share the handle's write batch, sqlite-batch.ts), multi-row
 * INSERTs of up to 5,000 rows on PostgreSQL (10 columns, under the 65,535-parameter cap).
 * `range` walks a time window by keyset (timestamp, id) on the timestamp index, chunk by chunk
 * (attempt-window.ts), so a reader never loads a table into memory and never scans outside its
 * window; `scan` is the anomaly view's narrower read of the same rows (attempt-scan.ts).
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely, Selectable } from 'kysely';
import type { FailureReason, RlBucketEntry } from '../../core/auth/attempt.js';
import { decodeCursor, type Page, type PageRequest, toPage } from '../../core/pagination.js';
import type {
  AttemptFilter,
  AttemptStore,
  ScannedAttempt,
  StoredAttempt,
} from '../../core/ports/attempt-store.js';
import { attemptScanner } from './attempt-scan.js';
import { type PageStart, pageWhere, walkWindow } from './attempt-window.js';
import type { SqlDatabase } from './dialect.js';
import { sqliteBatchOf } from './sqlite-batch.js';
import type { AuthAttemptsTable, Database } from './schema.js';

const PG_ROWS_PER_INSERT = 5000;
const COLUMNS = [
  'id',
  'user_id',
  'sender',
  'source_ip',
  'ip_key',
  'timestamp',
  'result',
  'failure_reason',
  'failure_detail',
  'rl_bucket_state',
] as const;

const toRow = (a: StoredAttempt): AuthAttemptsTable => ({
  id: a.id,
  user_id: a.user_id,
  sender: a.sender,
  source_ip: a.source_ip,
  ip_key: a.ip_key,
  timestamp: a.timestamp,
  result: a.result,
  failure_reason: a.failure_reason,
  failure_detail: a.failure_detail,
  rl_bucket_state: JSON.stringify(a.rl_bucket_state),
});

export const attemptFromRow = (r: Selectable<AuthAttemptsTable>): StoredAttempt => ({
  id: r.id,
  user_id: r.user_id,
  sender: r.sender,
  source_ip: r.source_ip,
  ip_key: r.ip_key,
  timestamp: Number(r.timestamp),
  result: r.result as StoredAttempt['result'],
  failure_reason: r.failure_reason as FailureReason | null,
  failure_detail: r.failure_detail,
  rl_bucket_state: JSON.parse(r.rl_bucket_state) as RlBucketEntry[],
});

export class SqlAttemptStore implements AttemptStore {
  private readonly db: Kysely<Database>;
  private readonly liteInsertMany: ((rows: AuthAttemptsTable[]) => Promise<void>) | undefined;
  /**
   * SQLite only: one attempt inserted synchronously, for a job already inside the handle's write
   * batch (sqlite-attempt-unit.ts); undefined on PostgreSQL.
   */
  readonly inWriteBatch: ((attempt: StoredAttempt) => void) | undefined;
  private readonly liteRange: BetterSqlite3.Statement | undefined;
  private readonly scanner: ReturnType<typeof attemptScanner>;

  constructor(store: SqlDatabase) {
    this.db = store.db;
    const lite = store.sqlite ? sqliteInsert(store.sqlite) : undefined;
    this.liteInsertMany = lite?.many;
    this.inWriteBatch = lite ? (a) => lite.one(toRow(a)) : undefined;
    // A prepared keyset statement: no query building per chunk.
    this.liteRange = store.sqlite?.prepare(
      `select * from authentication_attempts where ${pageWhere((name) => `@${name}`)}
        order by timestamp, id limit @limit`,
    );
    this.scanner = attemptScanner(store);
  }

  async insert(attempt: StoredAttempt): Promise<void> {
    await this.insertMany([attempt]);
  }

  async insertMany(attempts: StoredAttempt[]): Promise<number> {
    if (attempts.length === 0) return 0;
    const rows = attempts.map(toRow);
    if (this.liteInsertMany) {
      await this.liteInsertMany(rows);
      return rows.length;
    }
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += PG_ROWS_PER_INSERT)
        await trx
          .insertInto('authentication_attempts')
          .values(rows.slice(i, i + PG_ROWS_PER_INSERT))
          .execute();
    });
    return rows.length;
  }

  async list(filter: AttemptFilter, page: PageRequest): Promise<Page<StoredAttempt>> {
    let q = this.db.selectFrom('authentication_attempts').selectAll();
    if (filter.since !== undefined) q = q.where('timestamp', '>=', filter.since);
    if (filter.until !== undefined) q = q.where('timestamp', '<', filter.until);
    if (filter.source_ip !== undefined) q = q.where('source_ip', '=', filter.source_ip);
    if (filter.user_id !== undefined) q = q.where('user_id', '=', filter.user_id);
    if (filter.result !== undefined) q = q.where('result', '=', filter.result);
    if (page.cursor) q = q.where('id', '<', decodeCursor(page.cursor));
    const rows = await q
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute();
    return toPage(rows.map(attemptFromRow), page.limit);
  }

  range(since: number, until: number, chunkSize = 5000): AsyncIterable<StoredAttempt[]> {
    const page = async (start: PageStart, limit: number): Promise<StoredAttempt[]> => {
      const rows = this.liteRange
        ? (this.liteRange.all({ ...start, until, limit }) as Selectable<AuthAttemptsTable>[])
        : await this.db
            .selectFrom('authentication_attempts')
            .selectAll()
            .where('timestamp', '>=', start.from)
            .where('timestamp', '<', until)
            .$if(start.after !== null, (q) =>
              q.where((eb) => eb.or([eb('timestamp', '>', start.from), eb('id', '>', start.after!)])),
            )
            .orderBy('timestamp')
            .orderBy('id')
            .limit(limit)
            .execute();
      return rows.map(attemptFromRow);
    };
    return walkWindow(since, until, chunkSize, page);
  }

  scan(since: number, until: number, chunkSize?: number): AsyncIterable<ScannedAttempt[]> {
    return this.scanner(since, until, chunkSize);
  }

  async get(id: string): Promise<StoredAttempt | null> {
    const row = await this.db
      .selectFrom('authentication_attempts')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? attemptFromRow(row) : null;
  }
}

function sqliteInsert(h: BetterSqlite3.Database) {
  // Positional parameters: better-sqlite3 binds them without a property lookup per column.
  const stmt = h.prepare(
    `insert into authentication_attempts (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')})`,
  );
  const batch = sqliteBatchOf(h);
  const one = (r: AuthAttemptsTable): void => {
    stmt.run(
      r.id,
      r.user_id,
      r.sender,
      r.source_ip,
      r.ip_key,
      r.timestamp,
      r.result,
      r.failure_reason,
      r.failure_detail,
      r.rl_bucket_state,
    );
  };
  // In the handle's write batch: concurrent requests' inserts (and their limiter and audit writes)
  // share one commit; the promise settles after it (sqlite-batch.ts).
  const write = (rows: AuthAttemptsTable[]) => {
    for (const r of rows) one(r);
  };
  return { many: (rows: AuthAttemptsTable[]) => batch.run(() => write(rows)), one };
}
