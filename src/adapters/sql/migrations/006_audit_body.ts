/**
 * 006 (SQLite only): security_audit_log keeps each row's hashed text. The table stores seq, body
 * (canonicalRowBody of the row: exactly the text its hash covers after prev_hash) and hash; id,
 * event_type, user_id, source_ip, action, outcome, timestamp, metadata and prev_hash are VIRTUAL
 * columns generated from body, so a query can never read a value the hash does not cover, and
 * verify hashes body as it is stored instead of rebuilding it from eleven columns (the read and the
 * rebuild were ~80% of its time). The chain format is unchanged: existing hashes, checkpoints,
 * inclusion proofs and exports stay valid. See docs/DECISIONS.md.
 *
 * seq becomes the INTEGER PRIMARY KEY (the rowid): the ledger is stored in seq order and read by
 * seq with no separate index. Every index and the append-only triggers are recreated on the same
 * names; id keeps its uniqueness through a unique index.
 *
 * Existing rows are copied with body computed from their columns by canonicalRowBody and their hash
 * kept. A row that cannot be canonicalised (a column of the wrong type, metadata that is not JSON:
 * only a tampered row) is stored with its raw values as body, a text that does not match its hash,
 * so verify still names it and why, as before. A row whose seq is not an integer cannot be put in
 * seq order at all (before 006, verify's seq-bounded reads never saw a text seq either); such rows
 * are kept, unchanged, in security_audit_log_unchained, created only when there are any.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import { canonicalRowBody } from '../../../core/audit/hash-chain.js';
import type { ChainRow } from '../../../core/audit/types.js';
import type { SqlDialectName } from '../dialect.js';

type Db = Kysely<unknown>;

// The eleven columns of the table as 001/002 made it. Frozen here rather than taken from the
// store's AUDIT_ROW_COLUMNS: a migration reads the schema of its own time, whatever the store becomes.
const OLD_COLUMNS = [
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

/** Columns generated from body, with their type and whether they may be null (as in 001). */
const GENERATED: Array<[string, string, boolean]> = [
  ['id', 'text', false],
  ['event_type', 'text', false],
  ['user_id', 'text', true],
  ['source_ip', 'text', false],
  ['action', 'text', false],
  ['outcome', 'text', false],
  ['timestamp', 'integer', false],
  ['metadata', 'text', false],
  ['prev_hash', 'text', false],
];

/** 001's and 002's indexes, same names, now over generated columns. */
const INDEXES: Array<[string, string[]]> = [
  ['audit_event_type_idx', ['event_type', 'timestamp']],
  ['audit_timestamp_idx', ['timestamp']],
  ['audit_user_id_idx', ['user_id', 'timestamp']],
  ['audit_source_ip_idx', ['source_ip', 'timestamp']],
  ['audit_event_type_seq_idx', ['event_type', 'seq']],
  ['audit_user_id_seq_idx', ['user_id', 'seq']],
  ['audit_source_ip_seq_idx', ['source_ip', 'seq']],
  ['audit_outcome_seq_idx', ['outcome', 'seq']],
  ['audit_action_seq_idx', ['action', 'seq']],
];

const COPY_CHUNK = 5000;

// metadata as the JSON text of the value (`->`), every other column as its SQL value (json_extract).
const generatedColumn = ([name, type, nullable]: [string, string, boolean]): string =>
  `${name} ${type} generated always as (${name === 'metadata' ? `body -> '$.metadata'` : `json_extract(body, '$.${name}')`}) virtual${nullable ? '' : ' not null'}`;

/** The table 006 creates (exported so a test can hold the shape to it). */
export const AUDIT_BODY_TABLE_SQL = (name: string): string => `create table ${name} (
  seq integer primary key,
  body text not null,
  hash text not null,
  ${GENERATED.map(generatedColumn).join(',\n  ')},
  constraint audit_event_type check (event_type in ('auth_failure', 'auth_success', 'authorization_violation', 'rate_limit_trigger', 'key_rotation', 'config_change')),
  constraint audit_outcome check (outcome in ('allowed', 'denied', 'error'))
)`;

/**
 * The body stored for an old row: its canonical text when that is a JSON object, else its raw
 * values as JSON (metadata parsed when it parses), which never equals a hashed text.
 */
export function bodyOfOldRow(row: Record<string, unknown>): string {
  try {
    const body = canonicalRowBody(row as unknown as ChainRow);
    const parsed: unknown = JSON.parse(body);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return body;
  } catch {
    // Not canonicalisable: a tampered row, stored by its raw values below.
  }
  const raw: Record<string, unknown> = {};
  for (const c of OLD_COLUMNS) if (c !== 'hash') raw[c] = row[c];
  if (typeof raw.metadata === 'string') {
    try {
      raw.metadata = JSON.parse(raw.metadata);
    } catch {
      // Kept as the string it is.
    }
  }
  return JSON.stringify(raw, (_k, v: unknown) => {
    if (Buffer.isBuffer(v)) return `blob:${v.toString('hex')}`;
    if (typeof v === 'bigint') return String(v);
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    return v;
  });
}

async function rebuildSqlite(db: Db, handle: BetterSqlite3.Database): Promise<void> {
  await sql.raw(AUDIT_BODY_TABLE_SQL('security_audit_log_006')).execute(db);
  // Through the raw handle, inside the migration's transaction (the same connection): one
  // prepared insert per row instead of a query built per chunk.
  const read = handle.prepare(
    `select rowid as rid, ${OLD_COLUMNS.join(', ')} from security_audit_log
     where rowid > ? and typeof(seq) = 'integer' order by rowid limit ${COPY_CHUNK}`,
  );
  const insert = handle.prepare('insert into security_audit_log_006 (seq, body, hash) values (?, ?, ?)');
  for (let after = -Infinity; ;) {
    const rows = read.all(after) as Array<Record<string, unknown> & { rid: number }>;
    if (rows.length === 0) break;
    for (const r of rows) insert.run(r.seq, bodyOfOldRow(r), r.hash);
    after = rows[rows.length - 1]!.rid;
  }
  const unchained = handle
    .prepare(`select count(*) as n from security_audit_log where typeof(seq) != 'integer'`)
    .get() as { n: number };
  if (unchained.n > 0) {
    await sql`create table security_audit_log_unchained as select * from security_audit_log where typeof(seq) != 'integer'`.execute(
      db,
    );
  }
  await sql`drop table security_audit_log`.execute(db);
  await sql`alter table security_audit_log_006 rename to security_audit_log`.execute(db);
  await sql`create unique index audit_id_idx on security_audit_log (id)`.execute(db);
  for (const [name, columns] of INDEXES)
    await sql.raw(`create index ${name} on security_audit_log (${columns.join(', ')})`).execute(db);
  for (const op of ['update', 'delete'])
    await sql
      .raw(
        `create trigger security_audit_log_no_${op} before ${op} on security_audit_log
         begin select raise(abort, 'security_audit_log is append-only: ${op.toUpperCase()} refused'); end`,
      )
      .execute(db);
}

export function migration006(dialect: SqlDialectName, sqlite: BetterSqlite3.Database | undefined) {
  return {
    async up(db: Db): Promise<void> {
      // PostgreSQL keeps its eleven stored columns (docs/DECISIONS.md).
      if (dialect !== 'sqlite') return;
      if (!sqlite) throw new Error('migration 006 needs the SQLite handle');
      await rebuildSqlite(db, sqlite);
    },
  };
}
