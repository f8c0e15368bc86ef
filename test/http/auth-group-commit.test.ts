/**
 * POST /auth/attempts under concurrency on SQLite, where the limiter, attempt and audit writes of
 * requests in flight share commits (src/adapters/sql/sqlite-batch.ts): every acknowledged attempt
 * is stored with its audit entry, the chain verifies with non-decreasing timestamps, and a commit
 * that fails fails every request whose writes were in it (503, nothing of theirs stored).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteBatchOf } from '../../src/adapters/sql/sqlite-batch.js';
import { type Bulwark, createBulwark } from '../../src/app/bulwark.js';
import { buildServer } from '../../src/http/server.js';
import { bearer } from '../support/app.js';

let dir: string;
let bulwark: Bulwark;
let app: FastifyInstance;
let token: string;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'bulwark-group-'));
  bulwark = await createBulwark(
    { database_url: `sqlite:${path.join(dir, 'g.db')}`, rate_limit_per_ip: 1000 },
    { logLevel: 'silent', env: {} },
  );
  app = await buildServer(bulwark);
  token = (await bulwark.tokens.create({ scope: 'write', name: 'w' }, { id: 't', ip: '127.0.0.1' })).token;
});
afterEach(async () => {
  await app.close();
  await bulwark.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (body: object) =>
  app.inject({ method: 'POST', url: '/auth/attempts', headers: bearer(token), payload: body });

const storedIds = async (): Promise<Set<string>> =>
  new Set(
    (await bulwark.store.db.selectFrom('authentication_attempts').select('id').execute()).map((r) => r.id),
  );

async function auditRows() {
  const rows = [];
  for await (const chunk of bulwark.audit.range(1, (await bulwark.audit.head()).seq)) rows.push(...chunk);
  return rows;
}

describe('POST /auth/attempts with group commit (SQLite)', () => {
  it('records every one of 60 concurrent attempts with its audit entry, in fewer commits; the chain verifies', async () => {
    const batch = sqliteBatchOf(bulwark.store.sqlite!);
    const before = { ...batch.stats };
    const rs = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        post({
          user_id: `u${i % 7}`,
          source_ip: `198.51.100.${i % 5}`,
          ...(i % 3 === 0 ? { result: 'failure', failure_reason: 'bad_password' } : { result: 'success' }),
        }),
      ),
    );
    expect(rs.map((r) => r.statusCode)).toEqual(rs.map(() => 200));
    const ids = rs.map((r) => r.json().attempt_id as string);
    const stored = await storedIds();
    for (const id of ids) expect(stored.has(id)).toBe(true);

    const rows = await auditRows();
    for (const id of ids)
      expect(
        rows.filter((a) => a.event_type.startsWith('auth_') && a.metadata.includes(`"${id}"`)),
      ).toHaveLength(1);
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i]!.seq).toBe(rows[i - 1]!.seq + 1);
      expect(rows[i]!.timestamp).toBeGreaterThanOrEqual(rows[i - 1]!.timestamp);
    }
    expect((await bulwark.audit.verify()).ok).toBe(true);
    // One batch operation a request (limiter, lockouts and attempt row), its audit append joined
    // to it; concurrent requests share commits: far fewer commits than requests.
    const commits = batch.stats.commits - before.commits;
    const operations = batch.stats.operations - before.operations;
    expect(operations).toBe(2 * 60);
    expect(commits).toBeLessThan(60 / 4);
  });

  it('a commit that fails fails every request in it: 503, none of their attempts or audit entries stored', async () => {
    // The attempt of user "poison" makes the COMMIT of its batch fail (a deferred foreign key is
    // checked there), as a full disk or an I/O error would.
    bulwark.store.sqlite!.exec(`
      create table poison_parent (id integer primary key);
      create table poison_child (parent integer references poison_parent (id) deferrable initially deferred);
      create trigger poison after insert on authentication_attempts when new.user_id = 'poison'
        begin insert into poison_child (parent) values (1); end;`);
    const users = ['a', 'b', 'poison', 'c', 'd', 'e'];
    const rs = await Promise.all(
      users.map((u, i) => post({ user_id: u, source_ip: `203.0.113.${i}`, result: 'success' })),
    );
    // The six requests run in step, so their attempt jobs share the batch whose commit fails.
    expect(rs.map((r) => r.statusCode)).toEqual(users.map(() => 503));
    for (const r of rs) expect(r.json().code).toBe('store_unavailable');
    expect((await storedIds()).size).toBe(0);
    const rows = await auditRows();
    expect(rows.filter((a) => a.event_type.startsWith('auth_'))).toHaveLength(0);
    expect((await bulwark.audit.verify()).ok).toBe(true);

    // The store works on: the next attempts are recorded and audited.
    const ok = await post({ user_id: 'a', source_ip: '203.0.113.9', result: 'success' });
    expect(ok.statusCode).toBe(200);
    expect((await storedIds()).has(ok.json().attempt_id)).toBe(true);
    expect((await bulwark.audit.verify()).ok).toBe(true);
  });

  it('an attempt whose audit entry cannot be written is not stored either: 503, its neighbours are recorded', async () => {
    // The ledger refuses the entry of user "unaudited" (as a failing insert would): the attempt's
    // limiter charge, lockout updates and row roll back with it, in the same transaction.
    bulwark.store.sqlite!.exec(`
      create trigger refuse_audit before insert on security_audit_log when new.user_id = 'unaudited'
        begin select raise(abort, 'audit insert refused'); end;`);
    const users = ['a', 'unaudited', 'b'];
    const rs = await Promise.all(
      users.map((u, i) =>
        post({ user_id: u, source_ip: `192.0.2.${i}`, result: 'failure', failure_reason: 'bad_password' }),
      ),
    );
    expect(rs.map((r) => r.statusCode)).toEqual([200, 503, 200]);
    expect(rs[1]!.json().code).toBe('store_unavailable');
    const stored = await bulwark.store.db.selectFrom('authentication_attempts').select('user_id').execute();
    expect(stored.map((r) => r.user_id).sort()).toEqual(['a', 'b']);
    const locks = await bulwark.store.db.selectFrom('lockouts').select('key').execute();
    expect(locks.some((l) => l.key.includes('unaudited'))).toBe(false);
    const buckets = await bulwark.store.db.selectFrom('rate_limit_buckets').select('key').execute();
    expect(buckets.map((b) => b.key).sort()).toEqual(['rl:ip:192.0.2.0', 'rl:ip:192.0.2.2']);
    expect((await bulwark.audit.verify()).ok).toBe(true);
  });
});
