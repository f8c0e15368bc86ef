/** Versioned migrations, applied in order and recorded by Kysely's migrator. */
import { type Migration, type MigrationProvider, Migrator } from 'kysely';
import { BulwarkError } from '../../core/errors.js';
import type { SqlDatabase, SqlDialectName } from './dialect.js';
import { migration001 } from './migrations/001_initial.js';

function migrationsFor(dialect: SqlDialectName): Record<string, Migration> {
  return {
    '001_initial': migration001(dialect),
  };
}

export interface MigrationReport {
  applied: string[];
  current: string[];
}

export async function migrateToLatest(store: SqlDatabase): Promise<MigrationReport> {
  const provider: MigrationProvider = { getMigrations: async () => migrationsFor(store.dialect) };
  const migrator = new Migrator({
    db: store.db,
    provider,
    ...(store.schema ? { migrationTableSchema: store.schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new BulwarkError('store_unavailable', `migration ${failed} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const all = await migrator.getMigrations();
  return {
    applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
    current: all.filter((m) => m.executedAt).map((m) => m.name),
  };
}
