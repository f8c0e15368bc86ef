/**
 * Versioned migrations, applied in order, each recorded in `bulwark_migrations`, all pending ones
 * in one transaction (DDL is transactional on both backends: a failed migration leaves nothing
 * half-applied). Concurrent migrators are serialised: an advisory lock per schema on PostgreSQL,
 * the database write lock on SQLite.
 *
 * Why not Kysely's Migrator: it checks for its tables by introspecting every schema of the
 * database, which fails when another process drops an unrelated schema at the same moment (each
 * test run has its own schema, created and dropped concurrently).
 */
import { type Kysely, sql } from 'kysely';
import { BulwarkError } from '../../core/errors.js';
import type { SqlDatabase } from './dialect.js';
import { migration001 } from './migrations/001_initial.js';
import { migration002 } from './migrations/002_audit_ledger.js';
import { migration003 } from './migrations/003_auth_guard.js';
import { migration004 } from './migrations/004_dependency_scans.js';
import { migration005 } from './migrations/005_component_prefix_index.js';
import { migration006 } from './migrations/006_audit_body.js';
import { migration007 } from './migrations/007_attempts_index.js';

export interface Migration {
  up(db: Kysely<unknown>): Promise<void>;
}

function migrationsFor(store: Pick<SqlDatabase, 'dialect' | 'sqlite'>): [string, Migration][] {
  const { dialect } = store;
  return [
    ['001_initial', migration001(dialect)],
    ['002_audit_ledger', migration002(dialect)],
    ['003_auth_guard', migration003()],
    ['004_dependency_scans', migration004(dialect)],
    ['005_component_prefix_index', migration005(dialect)],
    ['006_audit_body', migration006(dialect, store.sqlite)],
    ['007_attempts_index', migration007()],
  ];
}

export interface MigrationReport {
  applied: string[];
  current: string[];
}

/**
 * Applies every pending migration; `through` stops after the one of that name (a test builds a
 * database as an older release left it).
 */
export async function migrateToLatest(
  store: SqlDatabase,
  opts: { through?: string } = {},
): Promise<MigrationReport> {
  let all = migrationsFor(store);
  if (opts.through !== undefined) {
    const at = all.findIndex(([n]) => n === opts.through);
    if (at < 0) throw new Error(`no migration named ${opts.through}`);
    all = all.slice(0, at + 1);
  }
  try {
    return await store.db.transaction().execute(async (trx) => {
      if (store.dialect === 'postgres') {
        await sql`select pg_advisory_xact_lock(hashtext('bulwark_migrations:' || current_schema()))`.execute(
          trx,
        );
      }
      await sql`create table if not exists bulwark_migrations (name text primary key, applied_at bigint not null)`.execute(
        trx,
      );
      const done = new Set(
        (await sql<{ name: string }>`select name from bulwark_migrations`.execute(trx)).rows.map(
          (r) => r.name,
        ),
      );
      const applied: string[] = [];
      for (const [name, migration] of all) {
        if (done.has(name)) continue;
        try {
          await migration.up(trx as unknown as Kysely<unknown>);
        } catch (err) {
          throw new BulwarkError('store_unavailable', `migration ${name} failed: ${(err as Error).message}`, {
            cause: err,
          });
        }
        await sql`insert into bulwark_migrations (name, applied_at) values (${name}, ${Date.now()})`.execute(
          trx,
        );
        applied.push(name);
      }
      return { applied, current: all.map(([n]) => n).filter((n) => done.has(n) || applied.includes(n)) };
    });
  } catch (err) {
    if (err instanceof BulwarkError) throw err;
    throw new BulwarkError(
      'store_unavailable',
      `migrations could not be applied: ${(err as Error).message}`,
      { cause: err },
    );
  }
}
