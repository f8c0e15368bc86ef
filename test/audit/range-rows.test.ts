/**
 * AuditStore.range on each SQL backend (SQLite reads raw tuples, PostgreSQL goes through Kysely):
 * the same rows as the list query, field for field and in the same key order, in chunks of at most
 * the size asked for, and every row with the store's default chunk size.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditRow } from '../../src/core/ports/audit-store.js';
import { postgresAvailable } from '../support/backends.js';
import { type LedgerDb, event, postgresLedger, sqliteLedger } from './support/ledger.js';
import { AUDIT_ROW_COLUMNS } from '../../src/adapters/sql/audit-store.js';

const COLUMNS = AUDIT_ROW_COLUMNS;

const backends: Array<[string, () => LedgerDb]> = [['sqlite', sqliteLedger]];
if (postgresAvailable || process.env.CI === 'true') backends.push(['postgres', postgresLedger]);

for (const [name, make] of backends) {
  describe(`audit range [${name}]`, () => {
    const dbs: LedgerDb[] = [];
    afterAll(async () => {
      for (const d of dbs) await d.cleanup();
    });

    it('yields the rows list returns, in chunks of at most the size asked for', async () => {
      const db = make();
      dbs.push(db);
      const b = await db.open();
      try {
        await b.audit.appendBatch(
          Array.from({ length: 30 }, (_, i) => event(i + 1, i % 3 ? {} : { user_id: null })),
        );
        const listed = (await b.audit.list({}, { limit: 100, order: 'asc' })).items;
        const chunks: AuditRow[][] = [];
        for await (const chunk of b.audit.range(4, 26, 7)) chunks.push(chunk);
        expect(chunks.map((c) => c.length)).toEqual([7, 7, 7, 2]);
        const ranged = chunks.flat();
        expect(ranged).toEqual(listed.slice(3, 26));
        for (const row of ranged) expect(Object.keys(row)).toEqual(COLUMNS);
        expect(ranged.some((r) => r.user_id === null)).toBe(true);

        const all: AuditRow[] = [];
        for await (const chunk of b.audit.range(1, 30)) all.push(...chunk);
        expect(all).toEqual(listed);
      } finally {
        await b.close();
      }
    });

    it('lets the event loop run between chunks (a verify of a big ledger never holds the server)', async () => {
      const db = make();
      dbs.push(db);
      const b = await db.open();
      try {
        await b.audit.appendBatch(Array.from({ length: 30 }, (_, i) => event(i + 1)));
        let turns = 0;
        let ticking = true;
        const tick = () => {
          turns += 1;
          if (ticking) setImmediate(tick);
        };
        setImmediate(tick);
        let chunks = 0;
        for await (const _chunk of b.audit.range(1, 30, 5)) chunks += 1;
        ticking = false;
        expect(chunks).toBe(6);
        expect(turns).toBeGreaterThanOrEqual(chunks - 1);
      } finally {
        await b.close();
      }
    });
  });
}
