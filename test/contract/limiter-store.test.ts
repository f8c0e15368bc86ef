/** The LimiterStore contract run against the memory store and the SQL store on both backends. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { openSqlDatabase, type SqlDatabase } from '../../src/adapters/sql/dialect.js';
import { SqlLimiterStore } from '../../src/adapters/sql/limiter-store.js';
import { migrateToLatest } from '../../src/adapters/sql/migrate.js';
import { MemoryLimiterStore } from '../../src/core/ratelimit/memory-store.js';
import { describeEachBackend } from '../support/backends.js';
import { limiterStoreContract } from './limiter-store.contract.js';

limiterStoreContract('memory', async () => ({ store: new MemoryLimiterStore(), close: async () => {} }));

const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-limiter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

describeEachBackend('SqlLimiterStore', (backend) => {
  limiterStoreContract(`sql [${backend.name}]`, async () => {
    // SQLite on a file (not :memory:) so that reopening finds the same data.
    const url = backend.name === 'sqlite' ? `sqlite:${path.join(dir, `l${files++}.db`)}` : backend.url();
    let db: SqlDatabase = await openSqlDatabase(url);
    await migrateToLatest(db);
    return {
      store: new SqlLimiterStore(db),
      reopen: async () => {
        await db.close();
        db = await openSqlDatabase(url);
        return new SqlLimiterStore(db);
      },
      close: () => db.close(),
    };
  });
});
