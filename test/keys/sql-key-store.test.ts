/** The KeyStore contract on SQLite and PostgreSQL (the same suite the memory store passes). */
import { sql } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import { type SqlDatabase, openSqlDatabase } from '../../src/adapters/sql/dialect.js';
import { migrateToLatest } from '../../src/adapters/sql/migrate.js';
import { SqlKeyStore } from '../../src/adapters/sql/key-store.js';
import { describeEachBackend } from '../support/backends.js';
import { describeKeyStoreContract } from '../core/keys/key-store.contract.js';

describeEachBackend('SqlKeyStore', (backend) => {
  let store: SqlDatabase;
  beforeAll(async () => {
    store = await openSqlDatabase(backend.url());
    await migrateToLatest(store);
  });
  afterAll(async () => {
    await store.close();
  });

  describeKeyStoreContract(backend.name, async () => {
    // One database per suite; each contract case starts from empty key tables.
    for (const table of ['key_rotation_events', 'key_versions', 'keys', 'keyring_meta']) {
      await sql`delete from ${sql.table(table)}`.execute(store.db);
    }
    return new SqlKeyStore(store);
  });
});
