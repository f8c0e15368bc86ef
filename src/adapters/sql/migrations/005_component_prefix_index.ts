/**
 * 005: an index for the vulnerability list's component filter, which matches a whole component or
 * the package name before `@version` through a range (`component >= 'name@' and < 'nameA'`).
 *
 * A range over text is a prefix only in binary (code point) order. SQLite compares TEXT with
 * BINARY by default, so 001's `vulnerabilities_component_idx` already serves it. PostgreSQL orders
 * text by the database's collation, where a locale such as en_US sorts punctuation like `@` by
 * other rules; the query compares `component collate "C"` there, and this index in the same
 * collation is the one that comparison can use.
 */
import { type Kysely, sql } from 'kysely';
import type { SqlDialectName } from '../dialect.js';

type Db = Kysely<unknown>;

export function migration005(dialect: SqlDialectName) {
  return {
    async up(db: Db): Promise<void> {
      if (dialect !== 'postgres') return;
      await sql`create index vulnerabilities_component_c_idx on vulnerabilities (component collate "C")`.execute(
        db,
      );
    },
  };
}
