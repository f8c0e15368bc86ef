/**
 * The list filters of GET /security/logs use an index on both backends: EXPLAIN (PostgreSQL, after
 * ANALYZE over 20,000 rows) and EXPLAIN QUERY PLAN (SQLite) of exactly the query the store runs.
 * The plans are printed; docs/AUDIT.md shows them.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { type SqlDatabase, openSqlDatabase } from '../../src/adapters/sql/dialect.js';
import { migrateToLatest } from '../../src/adapters/sql/migrate.js';
import { SqlAuditStore } from '../../src/adapters/sql/audit-store.js';
import { canonicalRowBody } from '../../src/core/audit/hash-chain.js';
import type { AuditFilter } from '../../src/core/ports/audit-store.js';
import { describeEachBackend } from '../support/backends.js';

const N = 20_000;
const TYPES = [
  'auth_failure',
  'auth_success',
  'authorization_violation',
  'rate_limit_trigger',
  'config_change',
];

const FILTERS: Array<[string, AuditFilter]> = [
  ['no filter', {}],
  ['event_type', { event_type: ['key_rotation'] }],
  ['user_id', { user_id: 'user-42' }],
  ['source_ip', { source_ip: '10.0.1.42' }],
  ['outcome', { outcome: ['error'] }],
  ['action prefix', { action_prefix: 'admin.key.' }],
  ['since/until', { since: 1_700_000_000_000 + 100, until: 1_700_000_000_000 + 200 }],
  ['user_id + since', { user_id: 'user-42', since: 1_700_000_000_000 }],
];

describeEachBackend('audit list query plans', (backend) => {
  let store: SqlDatabase;
  let audit: SqlAuditStore;
  beforeAll(async () => {
    store = await openSqlDatabase(backend.url());
    await migrateToLatest(store);
    audit = new SqlAuditStore(store);
    // Rows inserted directly (plans depend on shape, not on hashes): rare values for the selective filters.
    const rows = Array.from({ length: N }, (_, i) => ({
      id: `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
      seq: i + 1,
      event_type: i % 500 === 0 ? 'key_rotation' : TYPES[i % TYPES.length]!,
      user_id: `user-${i % 2000}`,
      source_ip: `10.0.${Math.floor(i / 250) % 256}.${i % 250}`,
      action: i % 400 === 0 ? `admin.key.${i}` : `login.${i % 50}`,
      outcome: i % 300 === 0 ? 'error' : i % 2 ? 'denied' : 'allowed',
      timestamp: 1_700_000_000_000 + i,
      metadata: '{}',
      prev_hash: '0'.repeat(64),
      hash: '0'.repeat(64),
    }));
    // SQLite stores seq, body and hash; the other columns are generated from body (migration 006).
    const stored =
      backend.name === 'sqlite'
        ? rows.map((r) => ({ seq: r.seq, body: canonicalRowBody(r), hash: r.hash }))
        : rows;
    for (let i = 0; i < stored.length; i += 2000)
      await store.db
        .insertInto('security_audit_log')
        .values(stored.slice(i, i + 2000) as typeof rows)
        .execute();
    await sql`analyze`.execute(store.db);
  }, 60_000);
  afterAll(async () => store?.close());

  for (const [name, filter] of FILTERS) {
    it(`${name}: uses an index`, async () => {
      const compiled = audit.listQuery(filter, { limit: 50, order: 'desc' }).compile();
      let plan: string;
      if (backend.name === 'sqlite') {
        const rows = store
          .sqlite!.prepare(`explain query plan ${compiled.sql}`)
          .all(...compiled.parameters) as Array<{
          detail: string;
        }>;
        plan = rows.map((r) => r.detail).join('\n');
        if (name === 'no filter') {
          // seq is the rowid (migration 006): the table itself is the seq-ordered walk, no sort.
          expect(plan).toBe('SCAN security_audit_log');
        } else {
          expect(plan).toMatch(/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/);
          expect(plan).not.toMatch(/^SCAN security_audit_log$/m);
        }
      } else {
        const r = await store.pool!.query(`explain ${compiled.sql}`, compiled.parameters as unknown[]);
        plan = r.rows.map((x: Record<string, string>) => x['QUERY PLAN']).join('\n');
        expect(plan).toMatch(/Index (Only )?Scan|Bitmap Index Scan/);
        expect(plan).not.toMatch(/Seq Scan on security_audit_log/);
      }
      console.log(`[${backend.name}] ${name}\n${compiled.sql}\n${plan}\n`);
    });
  }
});
