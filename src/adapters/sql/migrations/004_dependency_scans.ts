/**
 * 004: what dependency scanning needs beyond 001's tables: the dependency paths and source kind of
 * each manifest row, the full result of a scan (findings, approval report) for GET /security/scans/:id,
 * the scanned lockfile names, and the indexes the advisory lookups and history reads use.
 */
import { type Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect.js';

type Db = Kysely<unknown>;

export function migration004(_dialect: SqlDialectName) {
  return {
    async up(db: Db): Promise<void> {
      await db.schema
        .alterTable('dependency_manifests')
        .addColumn('dep_paths', 'text', (c) => c.notNull().defaultTo('[]'))
        .execute();
      await db.schema
        .alterTable('dependency_manifests')
        .addColumn('kind', 'text', (c) => c.notNull().defaultTo('registry'))
        .execute();
      await db.schema.alterTable('dependency_manifests').addColumn('commit_sha', 'text').execute();
      await db.schema.alterTable('scans').addColumn('result', 'text').execute();
      await db.schema
        .alterTable('scans')
        .addColumn('lockfiles', 'text', (c) => c.notNull().defaultTo('[]'))
        .execute();
      await db.schema
        .createIndex('advisory_history_advisory_idx')
        .on('advisory_history')
        .columns(['advisory_id', 'modified'])
        .execute();
      await db.schema.createIndex('advisories_modified_idx').on('advisories').column('modified').execute();
      await db.schema
        .createIndex('scans_finished_idx')
        .on('scans')
        .columns(['status', 'finished_at'])
        .execute();
      await db.schema.createIndex('approvals_advisory_idx').on('approvals').column('advisory_id').execute();
    },
  };
}
