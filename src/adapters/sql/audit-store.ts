/**
 * The audit ledger's store. Appends take the chain head under a lock (SQLite: an IMMEDIATE
 * transaction, which holds the database write lock; PostgreSQL: SELECT … FOR UPDATE on the single
 * audit_chain_head row), chain the drafts in memory and insert them in the same transaction, so
 * several processes appending at once still build one unforked chain with no gaps.
 *
 * Storage differs by dialect, and only this file knows it (migration 006, docs/DECISIONS.md):
 * - SQLite stores seq, body (the exact text hashed after prev_hash) and hash; every other column
 *   is a virtual column generated from body, so what a query reads is what the hash covers, and
 *   verify hashes body as is (sealedRange).
 * - PostgreSQL stores the eleven columns; verify rebuilds each row's body from them.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { type Kysely, type Transaction, sql } from 'kysely';
import { BulwarkError } from '../../core/errors.js';
import type { Page } from '../../core/pagination.js';
import type {
  AuditCheckpointRow,
  AuditDraft,
  AuditFilter,
  AuditPageRequest,
  AuditRow,
  AuditStore,
  ChainSealer,
  SealedRow,
} from '../../core/ports/audit-store.js';
import type { SqlDatabase } from './dialect.js';
import { type SqliteWriteBatch, sqliteBatchOf } from './sqlite-batch.js';
import type { Database } from './schema.js';
import { nextTurn } from '../../core/time-slice.js';

/** security_audit_log's columns in storage order: every read, raw tuple and insert uses this one list. */
export const AUDIT_ROW_COLUMNS = [
  'id',
  'seq',
  'event_type',
  'user_id',
  'source_ip',
  'action',
  'outcome',
  'timestamp',
  'metadata',
  'prev_hash',
  'hash',
] as const;
/** What SQLite stores of a row (the rest is generated from body): every SQLite insert uses this list. */
export const SQLITE_AUDIT_STORED_COLUMNS = ['seq', 'body', 'hash'] as const;
// PostgreSQL allows 65,535 bind parameters per statement; 11 columns a row.
const PG_ROWS_PER_INSERT = 5000;
// Rows a sealed chunk holds: small, so a chunk is young garbage (as range's SQLite chunks).
const SEALED_CHUNK = 1000;

interface Chained {
  rows: AuditRow[];
  /** bodies[i]: the text rows[i].hash covers after its prev_hash (what SQLite stores). */
  bodies: string[];
}

function chain(drafts: AuditDraft[], head: { seq: number; hash: string }, seal: ChainSealer): Chained {
  let seq = head.seq;
  let prev = head.hash;
  const rows: AuditRow[] = new Array(drafts.length);
  const bodies: string[] = new Array(drafts.length);
  for (let i = 0; i < drafts.length; i++) {
    const d = drafts[i]!;
    seq += 1;
    const { body, hash } = seal(d, seq, prev);
    bodies[i] = body;
    rows[i] = {
      id: d.id,
      seq,
      event_type: d.event_type,
      user_id: d.user_id,
      source_ip: d.source_ip,
      action: d.action,
      outcome: d.outcome,
      timestamp: d.timestamp,
      metadata: d.metadata,
      prev_hash: prev,
      hash,
    };
    prev = hash;
  }
  return { rows, bodies };
}

function storeFailure(err: unknown): BulwarkError {
  if (err instanceof BulwarkError) return err;
  return new BulwarkError(
    'store_unavailable',
    `audit append failed, nothing was written: ${(err as Error).message}`,
    {
      cause: err,
    },
  );
}

export const encodeSeqCursor = (seq: number): string => Buffer.from(`s${seq}`).toString('base64url');
export function decodeSeqCursor(cursor: string): number {
  const m = /^s(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m)
    throw new BulwarkError('validation_failed', 'cursor: not a cursor this API issued', { field: 'cursor' });
  return Number(m[1]);
}

export class SqlAuditStore implements AuditStore {
  private readonly db: Kysely<Database>;
  private readonly sqliteAppend: ((drafts: AuditDraft[], seal: ChainSealer) => AuditRow[]) | undefined;
  private readonly sqliteRange: BetterSqlite3.Statement | undefined;
  private readonly sqliteBatch: SqliteWriteBatch | undefined;
  /** The appender in a transaction of its own (a savepoint inside the caller's). */
  private readonly sqliteAppendAtomic: ((drafts: AuditDraft[], seal: ChainSealer) => AuditRow[]) | undefined;
  /** SQLite: rows as stored, [seq, body, hash] (AuditStore.sealedRange); undefined on PostgreSQL. */
  readonly sealedRange: ((fromSeq: number, toSeq: number) => AsyncIterable<SealedRow[]>) | undefined;

  constructor(private readonly store: SqlDatabase) {
    this.db = store.db;
    if (store.sqlite) {
      const append = makeSqliteAppender(store.sqlite);
      const atomic = store.sqlite.transaction(append);
      this.sqliteAppend = append;
      this.sqliteAppendAtomic = (drafts, seal) => atomic.immediate(drafts, seal);
      this.sqliteBatch = sqliteBatchOf(store.sqlite);
      this.sealedRange = sealedReader(store.sqlite);
    }
    // verify and export read the whole ledger: a prepared statement, no query building per chunk.
    // Rows come back as arrays (.raw()): better-sqlite3 then skips building each row object by
    // column name, which costs more than the read itself; fromTuple builds it in one literal.
    this.sqliteRange = store.sqlite
      ?.prepare(
        `select ${AUDIT_ROW_COLUMNS.join(', ')} from security_audit_log where seq >= ? and seq <= ? order by seq limit ?`,
      )
      .raw();
  }

  async append(drafts: AuditDraft[], seal: ChainSealer): Promise<AuditRow[]> {
    if (drafts.length === 0) return [];
    try {
      // In the handle's write batch (sqlite-batch.ts): appends of concurrent requests (and their
      // limiter and attempt writes) share one commit, in the order asked, each reading and writing
      // the head inside it, so the chain has no fork and no gap; settles after the commit.
      if (this.sqliteAppend) {
        const append = this.sqliteAppend;
        return await this.sqliteBatch!.run(() => append(drafts, seal));
      }
      return await this.db.transaction().execute((trx) => this.appendInTransaction(trx, drafts, seal));
    } catch (err) {
      throw storeFailure(err);
    }
  }

  /**
   * Appends inside a transaction the caller already holds, so that an audit entry commits or rolls
   * back together with the change it records (a key rotation, say). On PostgreSQL the head row is
   * locked FOR UPDATE; on SQLite the caller's transaction holds the database write lock once it
   * has written, and the head is read and written inside it.
   */
  async appendInTransaction(
    trx: Transaction<Database>,
    drafts: AuditDraft[],
    seal: ChainSealer,
  ): Promise<AuditRow[]> {
    if (drafts.length === 0) return [];
    const lock = this.store.dialect === 'postgres' ? sql` for update` : sql``;
    const head = await sql<{
      seq: number;
      hash: string;
    }>`select seq, hash from audit_chain_head where id = 1${lock}`.execute(trx);
    const current = head.rows[0];
    if (!current) throw new Error('audit_chain_head row missing');
    const { rows, bodies } = chain(drafts, { seq: Number(current.seq), hash: current.hash }, seal);
    const stored =
      this.store.dialect === 'sqlite'
        ? rows.map((r, i) => ({ seq: r.seq, body: bodies[i]!, hash: r.hash }))
        : rows;
    for (let i = 0; i < stored.length; i += PG_ROWS_PER_INSERT) {
      await trx
        .insertInto('security_audit_log')
        .values(stored.slice(i, i + PG_ROWS_PER_INSERT) as AuditRow[])
        .execute();
    }
    const last = rows[rows.length - 1]!;
    await trx
      .updateTable('audit_chain_head')
      .set({ seq: last.seq, hash: last.hash })
      .where('id', '=', 1)
      .execute();
    return rows;
  }

  /**
   * SQLite only: appends synchronously inside a better-sqlite3 transaction the caller already
   * runs (the nested transaction becomes a savepoint), so that a caller which must not await while
   * it holds the write lock (a key rotation) can still commit its audit entry atomically with it.
   */
  appendInSqliteTransaction(drafts: AuditDraft[], seal: ChainSealer): AuditRow[] {
    if (!this.sqliteAppendAtomic) throw new Error('appendInSqliteTransaction needs a SQLite store');
    if (drafts.length === 0) return [];
    return this.sqliteAppendAtomic(drafts, seal);
  }

  async head(): Promise<{ seq: number; hash: string }> {
    const r = await this.db
      .selectFrom('audit_chain_head')
      .select(['seq', 'hash'])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    return { seq: Number(r.seq), hash: r.hash };
  }

  /** The list query (exposed so a test can EXPLAIN exactly what list runs). */
  listQuery(filter: AuditFilter, page: AuditPageRequest) {
    // The row's columns by name: SQLite's table also holds body, which is not part of the row.
    let q = this.db.selectFrom('security_audit_log').select([...AUDIT_ROW_COLUMNS]);
    if (filter.event_type?.length) q = q.where('event_type', 'in', filter.event_type);
    if (filter.outcome?.length) q = q.where('outcome', 'in', filter.outcome);
    if (filter.user_id !== undefined) q = q.where('user_id', '=', filter.user_id);
    if (filter.source_ip !== undefined) q = q.where('source_ip', '=', filter.source_ip);
    if (filter.since !== undefined) q = q.where('timestamp', '>=', filter.since);
    if (filter.until !== undefined) q = q.where('timestamp', '<', filter.until);
    if (filter.action_prefix) {
      // A range on the prefix instead of LIKE: no wildcard escaping, and index-friendly.
      q = q
        .where('action', '>=', filter.action_prefix)
        .where('action', '<', filter.action_prefix + '\u{10FFFF}');
    }
    if (page.cursor) q = q.where('seq', page.order === 'desc' ? '<' : '>', decodeSeqCursor(page.cursor));
    return q.orderBy('seq', page.order).limit(page.limit + 1);
  }

  async list(filter: AuditFilter, page: AuditPageRequest): Promise<Page<AuditRow>> {
    const rows = (await this.listQuery(filter, page).execute()) as AuditRow[];
    const hasMore = rows.length > page.limit;
    const items = (hasMore ? rows.slice(0, page.limit) : rows).map(normalise);
    const last = items[items.length - 1];
    return { items, next_cursor: hasMore && last ? encodeSeqCursor(last.seq) : null };
  }

  /**
   * Default chunk: small on SQLite, where a chunk costs no round trip and a big one only keeps more
   * rows alive through garbage collections (verify runs ~1.3x as fast with 1,000 as with 20,000);
   * larger on PostgreSQL, where each chunk is a round trip.
   */
  async *range(fromSeq: number, toSeq: number, chunkSize?: number): AsyncIterable<AuditRow[]> {
    const limit = chunkSize ?? (this.sqliteRange ? 1000 : 5000);
    let next = fromSeq;
    if (this.sqliteRange) {
      while (next <= toSeq) {
        let tuples: SqliteTuple[];
        try {
          tuples = this.sqliteRange.all(next, toSeq, limit) as SqliteTuple[];
        } catch (err) {
          throw storeFailure(err);
        }
        if (tuples.length === 0) return;
        const rows: AuditRow[] = new Array(tuples.length);
        for (let i = 0; i < tuples.length; i++) rows[i] = fromTuple(tuples[i]!);
        yield rows;
        next = rows[rows.length - 1]!.seq + 1;
        await nextTurn();
      }
      return;
    }
    while (next <= toSeq) {
      const rows = await this.db
        .selectFrom('security_audit_log')
        .select([...AUDIT_ROW_COLUMNS])
        .where('seq', '>=', next)
        .where('seq', '<=', toSeq)
        .orderBy('seq')
        .limit(limit)
        .execute();
      if (rows.length === 0) return;
      yield rows.map(normalise);
      next = Number(rows[rows.length - 1]!.seq) + 1;
    }
  }

  async count(): Promise<number> {
    const r = await this.db
      .selectFrom('security_audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async addCheckpoint(cp: AuditCheckpointRow): Promise<void> {
    await this.db.insertInto('audit_checkpoints').values(cp).execute();
  }

  async checkpoints(): Promise<AuditCheckpointRow[]> {
    const rows = await this.db.selectFrom('audit_checkpoints').selectAll().orderBy('seq').execute();
    return rows.map((r) => ({ ...r, seq: Number(r.seq), time: Number(r.time) }));
  }

  get dialect(): string {
    return this.store.dialect;
  }
}

/** A security_audit_log row as better-sqlite3 returns it in raw mode: the values in AUDIT_ROW_COLUMNS order. */
type SqliteTuple = [
  AuditRow['id'],
  AuditRow['seq'],
  AuditRow['event_type'],
  AuditRow['user_id'],
  AuditRow['source_ip'],
  AuditRow['action'],
  AuditRow['outcome'],
  AuditRow['timestamp'],
  AuditRow['metadata'],
  AuditRow['prev_hash'],
  AuditRow['hash'],
];

/** The row object, keys in AUDIT_ROW_COLUMNS order (what the object-mode read returned). */
const fromTuple = (t: SqliteTuple): AuditRow => ({
  id: t[0],
  seq: t[1],
  event_type: t[2],
  user_id: t[3],
  source_ip: t[4],
  action: t[5],
  outcome: t[6],
  timestamp: t[7],
  metadata: t[8],
  prev_hash: t[9],
  hash: t[10],
});

const normalise = (r: AuditRow): AuditRow => ({ ...r, seq: Number(r.seq), timestamp: Number(r.timestamp) });

/**
 * SQLite hot path: prepared statements, no query building per row. The caller provides the
 * transaction (the write batch, or its own), which holds the write lock from the head read to the
 * head write.
 */
function makeSqliteAppender(
  handle: BetterSqlite3.Database,
): (drafts: AuditDraft[], seal: ChainSealer) => AuditRow[] {
  const readHead = handle.prepare('select seq, hash from audit_chain_head where id = 1');
  // Positional parameters: better-sqlite3 binds them without a property lookup per column.
  const insert = handle.prepare(
    `insert into security_audit_log (${SQLITE_AUDIT_STORED_COLUMNS.join(', ')}) values (?, ?, ?)`,
  );
  const writeHead = handle.prepare('update audit_chain_head set seq = ?, hash = ? where id = 1');
  return (drafts: AuditDraft[], seal: ChainSealer) => {
    const head = readHead.get() as { seq: number; hash: string };
    const { rows, bodies } = chain(drafts, head, seal);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      insert.run(r.seq, bodies[i], r.hash);
    }
    const last = rows[rows.length - 1]!;
    writeHead.run(last.seq, last.hash);
    return rows;
  };
}

/**
 * SQLite's sealed read: [seq, body, hash] tuples in seq order, chunk by chunk, from one prepared
 * raw statement (three columns, none generated: no JSON is parsed by the database).
 */
function sealedReader(handle: BetterSqlite3.Database) {
  const read = handle
    .prepare(
      `select ${SQLITE_AUDIT_STORED_COLUMNS.join(', ')} from security_audit_log where seq >= ? and seq <= ? order by seq limit ${SEALED_CHUNK}`,
    )
    .raw();
  return async function* sealedRange(fromSeq: number, toSeq: number): AsyncIterable<SealedRow[]> {
    let next = fromSeq;
    while (next <= toSeq) {
      let tuples: SealedRow[];
      try {
        tuples = read.all(next, toSeq) as SealedRow[];
      } catch (err) {
        throw storeFailure(err);
      }
      if (tuples.length === 0) return;
      yield tuples;
      next = tuples[tuples.length - 1]![0] + 1;
      await nextTurn();
    }
  };
}
