/** The LimiterStore contract run against the memory store and the SQL store on both backends. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openSqlDatabase, type SqlDatabase } from '../../src/adapters/sql/dialect.js';
import { SqlLimiterStore } from '../../src/adapters/sql/limiter-store.js';
import { migrateToLatest } from '../../src/adapters/sql/migrate.js';
import { MemoryLimiterStore } from '../../src/core/ratelimit/memory-store.js';
import { describeEachBackend } from '../support/backends.js';
import { limiterStoreContract } from './limiter-store.contract.js';

limiterStoreContract('memory', async () => ({ store: new MemoryLimiterStore(), close: async () => {} }), {
  persistent: false,
});

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

describeEachBackend('SqlLimiterStore sweep and listing', (backend) => {
  it('lists locks in force and sweeps rows that no longer say anything, keeping live ones', async () => {
    const db = await openSqlDatabase(backend.url());
    try {
      await migrateToLatest(db);
      const s = new SqlLimiterStore(db);
      const T = 1_760_000_000_000;
      const rule = {
        maxFailures: 2,
        findTimeMs: 1000,
        banMs: 5000,
        banMultiplier: 2,
        maxBanMs: 10_000,
        forgetAfterMs: 0,
        clearOnSuccess: false,
      };
      await s.recordFailure('lock:ip:a', rule, T);
      await s.recordFailure('lock:ip:a', rule, T + 1); // locked until T + 5001
      await s.recordFailure('lock:ip:b', rule, T); // one failure, stale after T + 1000
      await s.consume('rl:ip:a', 10, 1000, 1, T); // idle after T + 100
      expect(await s.listActiveLocks(T + 2, 10)).toEqual([{ key: 'lock:ip:a', until: T + 5001, level: 1 }]);
      expect(await s.sweep(T + 2000)).toEqual({ buckets: 1, lockouts: 1 });
      expect((await s.isLocked('lock:ip:a', T + 2000)).locked).toBe(true);
      expect(await s.sweep(T + 6000)).toEqual({ buckets: 0, lockouts: 1 });
      expect(await s.listActiveLocks(T + 6000, 10)).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
