/**
 * Opening a database from one setting, BULWARK_DATABASE_URL:
 *   sqlite:./bulwark.db (default) · sqlite::memory: · postgres://user@host:5432/db[?schema=name]
 * The optional `schema` parameter puts every Bulwark table in that PostgreSQL schema (created if
 * missing); the test suites use it so that each run has its own.
 */
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
// Types only: the driver is loaded when a PostgreSQL URL is opened, so SQLite users (and every CLI
// start-up) do not pay for loading it.
import type pg from 'pg';
import { BulwarkError } from '../../core/errors.js';
import type { Database } from './schema.js';
import { sqliteBatchOf } from './sqlite-batch.js';
import { STARTUP_COMMITS, SqliteCheckpointer } from './sqlite-checkpointer.js';

export type SqlDialectName = 'sqlite' | 'postgres';

export interface SqlDatabase {
  readonly db: Kysely<Database>;
  readonly dialect: SqlDialectName;
  /** The raw better-sqlite3 handle, for the few hot paths that bypass the query builder (SQLite only). */
  readonly sqlite: BetterSqlite3.Database | undefined;
  /** The pg pool (PostgreSQL only). */
  readonly pool: pg.Pool | undefined;
  /** PostgreSQL schema in use, when one was given. */
  readonly schema: string | undefined;
  /** A printable form of the URL with any password removed. */
  readonly displayUrl: string;
  /** WAL checkpoints off the event loop (SQLite files only; sqlite-checkpointer.ts). */
  readonly checkpointer?: SqliteCheckpointer | null;
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

// BIGINT (int8) and NUMERIC come back as strings from pg by default; Bulwark's BIGINTs are epoch
// milliseconds and sequence numbers, far below 2^53, so numbers are exact.
const pgTypesOf = (driver: typeof pg) => ({
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (v: string) => Number(v);
    return driver.types.getTypeParser(oid, format as 'text');
  },
});

export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

export async function openSqlDatabase(url: string): Promise<SqlDatabase> {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length));
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url);
  throw new BulwarkError(
    'config_invalid',
    `database URL (--db or BULWARK_DATABASE_URL): unsupported database URL "${redactUrl(url)}" (use sqlite:PATH, sqlite::memory: or postgres://…)`,
    { field: 'database_url' },
  );
}

function openSqlite(file: string): SqlDatabase {
  if (file === '') {
    throw new BulwarkError(
      'config_invalid',
      'database URL (--db or BULWARK_DATABASE_URL): sqlite: needs a path or :memory:',
      {
        field: 'database_url',
      },
    );
  }
  let handle: BetterSqlite3.Database;
  try {
    handle = new BetterSqlite3(file);
  } catch (err) {
    throw new BulwarkError(
      'store_unavailable',
      `cannot open SQLite database ${file}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  if (file !== ':memory:') handle.pragma('journal_mode = WAL');
  handle.pragma('synchronous = NORMAL'); // durable across process crashes in WAL mode; fsync at checkpoints
  handle.pragma('foreign_keys = ON');
  handle.pragma('busy_timeout = 5000'); // several processes on one file wait for the write lock
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: handle }) });
  // A file under steady writes gets its WAL checkpoints on a thread of their own (fsyncs off the
  // event loop); started by the write batch once it is busy.
  const checkpointer = file === ':memory:' ? null : new SqliteCheckpointer(handle, file);
  if (checkpointer) sqliteBatchOf(handle).whenBusy(STARTUP_COMMITS, () => checkpointer.start());
  return {
    db,
    dialect: 'sqlite',
    sqlite: handle,
    pool: undefined,
    schema: undefined,
    displayUrl: `sqlite:${file}`,
    checkpointer,
    close: async () => {
      await checkpointer?.stop();
      await db.destroy();
      // Kysely closes the handle only if it ever ran a query on it.
      if (handle.open) handle.close();
    },
  };
}

async function openPostgres(rawUrl: string): Promise<SqlDatabase> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new BulwarkError(
      'config_invalid',
      `database URL (--db or BULWARK_DATABASE_URL): "${redactUrl(rawUrl)}" is not a valid URL`,
      {
        field: 'database_url',
      },
    );
  }
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new BulwarkError(
      'config_invalid',
      `database URL (--db or BULWARK_DATABASE_URL): invalid schema name "${schema}"`,
      {
        field: 'database_url',
      },
    );
  }
  const { default: driver } = await import('pg');
  const pool = new driver.Pool({
    connectionString: url.toString(),
    max: 10,
    connectionTimeoutMillis: 5000,
    types: pgTypesOf(driver),
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client's error (server restart) must not crash the process; the next query reports it.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    try {
      if (schema) await client.query(`create schema if not exists ${schema}`);
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => {});
    throw new BulwarkError(
      'store_unavailable',
      `cannot connect to PostgreSQL at ${redactUrl(rawUrl)}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    sqlite: undefined,
    pool,
    schema,
    displayUrl: redactUrl(rawUrl),
    close: () => db.destroy(),
  };
}
