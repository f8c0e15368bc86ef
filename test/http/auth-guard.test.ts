/**
 * The auth guard end to end over HTTP on both SQL backends: decisions, stored attempts with their
 * bucket state, audit entries, lockouts (list, unlock), snapshots, and bad input naming the field.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { type Bulwark, createBulwark } from '../../src/app/bulwark.js';
import type { BulwarkConfigInput } from '../../src/app/config.js';
import { buildServer } from '../../src/http/server.js';
import { describeEachBackend } from '../support/backends.js';
import { bearer, FakeClock } from '../support/app.js';

interface Ctx {
  bulwark: Bulwark;
  app: FastifyInstance;
  clock: FakeClock;
  write: string;
  read: string;
  admin: string;
}

async function start(url: string, config: BulwarkConfigInput = {}): Promise<Ctx> {
  const clock = new FakeClock();
  const bulwark = await createBulwark(
    { database_url: url, ...config },
    { logLevel: 'silent', env: {}, clock },
  );
  const app = await buildServer(bulwark);
  const actor = { id: 'test', ip: '127.0.0.1' };
  const tok = async (scope: 'read' | 'write' | 'admin') =>
    (await bulwark.tokens.create({ scope, name: `t-${scope}` }, actor)).token;
  return {
    bulwark,
    app,
    clock,
    write: await tok('write'),
    read: await tok('read'),
    admin: await tok('admin'),
  };
}
const stop = async (c: Ctx) => {
  await c.app.close();
  await c.bulwark.close();
};

const post = (c: Ctx, body: unknown) =>
  c.app.inject({ method: 'POST', url: '/auth/attempts', headers: bearer(c.write), payload: body as object });

async function auditOf(c: Ctx, type: string) {
  const page = await c.bulwark.audit.list({ event_type: [type] }, { limit: 500, order: 'asc' });
  return page.items;
}

describeEachBackend('auth guard over HTTP', (backend) => {
  describe('decisions, attempts, audit', () => {
    let c: Ctx;
    beforeAll(async () => {
      c = await start(backend.url(), { rate_limit_per_ip: 3, rate_limit_per_sender: 2 });
    });
    afterAll(() => stop(c));

    it('records an attempt with its bucket state and answers the decision', async () => {
      const r = await post(c, {
        user_id: 'alice',
        sender: '+15550001',
        source_ip: '192.0.2.10',
        result: 'success',
      });
      expect(r.statusCode).toBe(200);
      const d = r.json();
      expect(d).toMatchObject({ allowed: true, reason: 'allowed', retry_after_ms: 0, ip_key: '192.0.2.10' });
      expect(
        d.limits.map((l: { name: string; count: number; limit: number }) => [l.name, l.count, l.limit]),
      ).toEqual([
        ['ip', 1, 3],
        ['sender', 1, 2],
      ]);
      const page = await c.bulwark.store.db
        .selectFrom('authentication_attempts')
        .selectAll()
        .where('id', '=', d.attempt_id)
        .executeTakeFirstOrThrow();
      expect(page).toMatchObject({
        user_id: 'alice',
        result: 'success',
        failure_reason: null,
        ip_key: '192.0.2.10',
      });
      expect(JSON.parse(page.rl_bucket_state)).toEqual([
        { bucket: 'ip:192.0.2.10', window_ms: 60_000, count: 1, limit: 3 },
        { bucket: 'sender:+15550001', window_ms: 60_000, count: 1, limit: 2 },
      ]);
      const audits = await auditOf(c, 'auth_success');
      expect(audits.some((a) => (a.metadata as string).includes(d.attempt_id))).toBe(true);
    });

    it('refuses over the per-sender limit with a retry-after, stores it as a failure, audits rate_limit_trigger', async () => {
      await post(c, { sender: '+15550001', source_ip: '192.0.2.11', result: 'success' });
      const r = (await post(c, { sender: '+15550001', source_ip: '192.0.2.12', result: 'success' })).json();
      expect(r).toMatchObject({ allowed: false, reason: 'rate_limited' });
      expect(r.retry_after_ms).toBeGreaterThan(0);
      expect(r.retry_after_ms).toBeLessThanOrEqual(30_000);
      const row = await c.bulwark.store.db
        .selectFrom('authentication_attempts')
        .selectAll()
        .where('id', '=', r.attempt_id)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        result: 'failure',
        failure_reason: 'rate_limited',
        failure_detail: 'refused: rate_limited',
      });
      const triggers = await auditOf(c, 'rate_limit_trigger');
      expect(
        triggers.some((t) => t.outcome === 'denied' && (t.metadata as string).includes(r.attempt_id)),
      ).toBe(true);
      // Capacity comes back one request per window/limit (GCRA), not at a window edge.
      c.clock.advance(r.retry_after_ms);
      expect(
        (await post(c, { sender: '+15550001', source_ip: '192.0.2.13', result: 'success' })).json().allowed,
      ).toBe(true);
    });

    it('groups IPv6 clients by /64 and IPv4-mapped addresses with their IPv4', async () => {
      c.clock.advance(120_000);
      const a = (await post(c, { source_ip: '2001:db8:1:2::1', result: 'success' })).json();
      const b = (await post(c, { source_ip: '2001:db8:1:2:ffff::9', result: 'success' })).json();
      expect(a.ip_key).toBe('2001:db8:1:2::/64');
      expect(b.limits[0]).toMatchObject({ key: '2001:db8:1:2::/64', count: 2 });
      const m = (await post(c, { source_ip: '::ffff:198.51.100.3', result: 'success' })).json();
      expect(m.ip_key).toBe('198.51.100.3');
    });

    it('five failures for one user from one IP lock the (user, IP) and the IP; the lock is listed, refuses, and an admin lifts it', async () => {
      c.clock.advance(120_000);
      let last;
      for (let i = 0; i < 5; i++) {
        c.clock.advance(20_000); // within the per-IP limit of 3/min
        last = (
          await post(c, {
            user_id: 'bob',
            source_ip: '203.0.113.5',
            result: 'failure',
            failure_reason: 'bad_password',
          })
        ).json();
        expect(last.allowed).toBe(true);
      }
      const locked = last.locks
        .filter((l: { locked: boolean }) => l.locked)
        .map((l: { name: string }) => l.name);
      expect(locked.sort()).toEqual(['ip', 'user_ip']);
      const until = last.locks.find((l: { name: string }) => l.name === 'ip').until;
      expect(Date.parse(until)).toBe(c.clock.now() + 600_000);
      const refused = (await post(c, { user_id: 'bob', source_ip: '203.0.113.5', result: 'success' })).json();
      expect(refused).toMatchObject({ allowed: false, reason: 'locked', retry_after_ms: 600_000 });
      expect(
        (await auditOf(c, 'rate_limit_trigger')).filter((t) => t.action.startsWith('lockout')).length,
      ).toBe(2);

      const list = await c.app.inject({ method: 'GET', url: '/auth/lockouts', headers: bearer(c.read) });
      expect(
        list
          .json()
          .items.map((i: { key: string }) => i.key)
          .sort(),
      ).toEqual(['ip:203.0.113.5', 'user_ip:203.0.113.5|bob']);
      const un = await c.app.inject({
        method: 'DELETE',
        url: `/auth/lockouts/${encodeURIComponent('ip:203.0.113.5')}`,
        headers: bearer(c.admin),
      });
      expect(un.statusCode).toBe(200);
      expect(un.json()).toEqual({ key: 'ip:203.0.113.5', was_locked: true });
      expect((await auditOf(c, 'config_change')).some((e) => e.action === 'unlock ip:203.0.113.5')).toBe(
        true,
      );
      const forbidden = await c.app.inject({
        method: 'DELETE',
        url: `/auth/lockouts/${encodeURIComponent('user_ip:203.0.113.5|bob')}`,
        headers: bearer(c.write),
      });
      expect(forbidden.statusCode).toBe(403);
      // The (user, IP) lock still holds.
      expect(
        (await post(c, { user_id: 'bob', source_ip: '203.0.113.5', result: 'success' })).json().reason,
      ).toBe('locked');
    });

    it('snapshots list the heaviest IPs and senders of the window with error bounds', async () => {
      c.clock.advance(600_000);
      for (let i = 0; i < 3; i++)
        await post(c, { sender: 'heavy@example.com', source_ip: '198.51.100.77', result: 'success' });
      const none = await c.app.inject({
        method: 'GET',
        url: '/auth/rate-limit/status',
        headers: bearer(c.read),
      });
      expect(none.statusCode).toBe(404);
      const s = await c.app.inject({
        method: 'POST',
        url: '/auth/rate-limit/snapshots',
        headers: bearer(c.admin),
      });
      expect(s.statusCode).toBe(201);
      const status = (
        await c.app.inject({ method: 'GET', url: '/auth/rate-limit/status', headers: bearer(c.read) })
      ).json();
      expect(status).toMatchObject({ per_ip_limit: 3, per_sender_limit: 2, id: s.json().id });
      expect(status.counters.ips.top[0]).toEqual({ key: '198.51.100.77', count: 3, error: 0 });
      expect(status.counters.senders.top[0]).toMatchObject({ key: 'heavy@example.com' });
      expect(typeof status.captured_at).toBe('string');
    });
  });

  describe('concurrency', () => {
    let c: Ctx;
    beforeAll(async () => {
      c = await start(backend.url(), { rate_limit_per_ip: 10 });
    });
    afterAll(() => stop(c));

    it('of 40 simultaneous attempts from one IP against a limit of 10, exactly 10 pass; all 40 are stored and audited', async () => {
      const rs = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          post(c, { user_id: `u${i}`, source_ip: '198.51.100.200', result: 'success' }),
        ),
      );
      const ds = rs.map((r) => r.json());
      expect(rs.every((r) => r.statusCode === 200)).toBe(true);
      expect(ds.filter((d) => d.allowed)).toHaveLength(10);
      const n = await c.bulwark.store.db
        .selectFrom('authentication_attempts')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('source_ip', '=', '198.51.100.200')
        .executeTakeFirstOrThrow();
      expect(Number(n.n)).toBe(40);
      const audits = [...(await auditOf(c, 'auth_success')), ...(await auditOf(c, 'auth_failure'))];
      for (const d of ds)
        expect(audits.filter((a) => (a.metadata as string).includes(d.attempt_id))).toHaveLength(1);
      expect((await auditOf(c, 'rate_limit_trigger')).length).toBe(30);
    });

    it('GET /security/anomalies shows the brute force and spraying of six fast failures from one address', async () => {
      c.clock.advance(3_600_000);
      const start = c.clock.now();
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        c.clock.advance(500);
        const d = (
          await post(c, {
            user_id: `victim${i}`,
            source_ip: '203.0.113.99',
            result: 'failure',
            failure_reason: 'unknown_user',
          })
        ).json();
        ids.push(d.attempt_id);
      }
      const since = new Date(start).toISOString();
      const until = new Date(c.clock.now() + 1).toISOString();
      const r = await c.app.inject({
        method: 'GET',
        url: `/security/anomalies?since=${since}&until=${until}`,
        headers: bearer(c.read),
      });
      expect(r.statusCode).toBe(200);
      const body = r.json();
      const kinds = body.findings.map((f: { kind: string; key: string }) => `${f.kind} ${f.key}`).sort();
      expect(kinds).toEqual(['brute_force 203.0.113.99', 'password_spraying 203.0.113.99']);
      for (const f of body.findings) {
        expect(f).toMatchObject({ count: 6, distinct_ips: 1, unknown_user_ratio: 1 });
        expect(f.attempts).toEqual(ids);
        expect(f.first_seen).toBe(new Date(start + 500).toISOString());
      }
      // The fifth failure locked the address: the view's lockout replay agrees.
      expect(body.bans.map((b: { key: string }) => b.key)).toEqual(['203.0.113.99']);
      const noRead = await c.app.inject({ method: 'GET', url: '/security/anomalies' });
      expect(noRead.statusCode).toBe(401);
    });
  });

  describe('lists and bad input', () => {
    let c: Ctx;
    beforeAll(async () => {
      c = await start(backend.url(), {
        rate_limit_allow_list: ['10.0.0.0/8'],
        rate_limit_deny_list: ['192.0.2.66'],
        rate_limit_per_ip: 1,
      });
    });
    afterAll(() => stop(c));

    it('the allow-list exempts from limits and lockouts; the deny-list always refuses', async () => {
      for (let i = 0; i < 10; i++) {
        const r = (
          await post(c, {
            user_id: 'ops',
            source_ip: '10.1.2.3',
            result: 'failure',
            failure_reason: 'bad_password',
          })
        ).json();
        expect(r).toMatchObject({ allowed: true, reason: 'allowlisted', limits: [], locks: [] });
      }
      const d = (await post(c, { source_ip: '192.0.2.66', result: 'success' })).json();
      expect(d).toMatchObject({ allowed: false, reason: 'denylisted', retry_after_ms: null });
    });

    it.each([
      [{ result: 'success' }, 'source_ip'],
      [{ source_ip: 'not-an-ip', result: 'success' }, 'source_ip'],
      [{ source_ip: '192.0.2.1', result: 'maybe' }, 'result'],
      [{ source_ip: '192.0.2.1', result: 'failure' }, 'failure_reason'],
      [{ source_ip: '192.0.2.1', result: 'failure', failure_reason: 'other' }, 'failure_text'],
      [{ source_ip: '192.0.2.1', result: 'success', failure_reason: 'bad_password' }, 'failure_reason'],
      [{ source_ip: '192.0.2.1', result: 'failure', failure_reason: 'guessing' }, 'failure_reason'],
      [{ source_ip: '192.0.2.1', result: 'success', at: 'yesterday' }, 'at'],
      [{ source_ip: '192.0.2.1', result: 'success', user_id: 'x'.repeat(300) }, 'user_id'],
      [{ source_ip: '192.0.2.1', result: 'success', extra: 1 }, 'extra'],
      // Blank text (spaces only, any Unicode space) says nothing: refused, never trimmed.
      [
        { source_ip: '192.0.2.1', result: 'failure', failure_reason: 'other', failure_text: '   ' },
        'failure_text: must not be blank',
      ],
      [{ source_ip: '192.0.2.1', result: 'success', user_id: ' \u00a0\u2003' }, 'user_id: must not be blank'],
      [{ source_ip: '192.0.2.1', result: 'success', sender: '\t' }, 'sender'],
    ])('refuses %j with 400 naming %s, storing nothing', async (body, field) => {
      const before = await c.bulwark.store.db
        .selectFrom('authentication_attempts')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      const r = await post(c, body);
      expect(r.statusCode).toBe(400);
      expect(r.json().code).toBe('validation_failed');
      expect(r.json().message).toContain(field);
      const after = await c.bulwark.store.db
        .selectFrom('authentication_attempts')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
    });

    it('keeps a user_id or sender that looks like a secret as sent (what limits and lockouts count), as API.md says', async () => {
      const body = {
        source_ip: '192.0.2.77',
        result: 'failure',
        failure_reason: 'bad_password',
        user_id: 'password=hunter2',
        sender: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      };
      const r = await post(c, body);
      expect(r.statusCode).toBe(200);
      const row = await c.bulwark.store.db
        .selectFrom('authentication_attempts')
        .select(['user_id', 'sender'])
        .where('id', '=', r.json().attempt_id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ user_id: body.user_id, sender: body.sender });
      const doc = readFileSync(new URL('../../docs/API.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
      expect(doc).toContain("An attempt's `user_id` and `sender` are stored as sent");
    });

    it('refuses a malformed unlock key and anomaly window with 400 naming the field', async () => {
      const r = await c.app.inject({
        method: 'DELETE',
        url: '/auth/lockouts/bogus',
        headers: bearer(c.admin),
      });
      expect(r.statusCode).toBe(400);
      expect(r.json().message).toContain('key');
      const q = await c.app.inject({
        method: 'GET',
        url: '/security/anomalies?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z',
        headers: bearer(c.read),
      });
      expect(q.statusCode).toBe(400);
      expect(q.json().message).toContain('until');
      const bad = await c.app.inject({
        method: 'GET',
        url: '/security/anomalies?since=soon',
        headers: bearer(c.read),
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().message).toContain('since');
    });
  });
});

describe('configuration of the guard', () => {
  it('names the setting and its variable when a limit is not positive', async () => {
    await expect(
      createBulwark(
        { database_url: 'sqlite::memory:' },
        { env: { BULWARK_RATE_LIMIT_PER_IP: '0' }, logLevel: 'silent' },
      ),
    ).rejects.toThrow(/rate_limit_per_ip \(BULWARK_RATE_LIMIT_PER_IP\)/);
    await expect(
      createBulwark(
        { database_url: 'sqlite::memory:' },
        { env: { BULWARK_RATE_LIMIT_DENY_LIST: '10.0.0.0/8,nope' }, logLevel: 'silent' },
      ),
    ).rejects.toThrow(/rate_limit_deny_list.*BULWARK_RATE_LIMIT_DENY_LIST/);
    await expect(
      createBulwark(
        { database_url: 'sqlite::memory:', rate_limit_store: 'redis' },
        { env: {}, logLevel: 'silent' },
      ),
    ).rejects.toThrow(/redis_url \(BULWARK_REDIS_URL\): required when BULWARK_RATE_LIMIT_STORE is redis/);
  });
});

describe('store failure', () => {
  it('answers 503 store_unavailable (fail closed) when the limiter store is down, and stores nothing', async () => {
    const { openSqlDatabase } = await import('../../src/adapters/sql/dialect.js');
    const { migrateToLatest } = await import('../../src/adapters/sql/migrate.js');
    const { SqlLimiterStore } = await import('../../src/adapters/sql/limiter-store.js');
    const gone = await openSqlDatabase('sqlite::memory:');
    await migrateToLatest(gone);
    const limiterStore = new SqlLimiterStore(gone);
    await gone.close(); // the store's database is gone
    const bulwark = await createBulwark(
      { database_url: 'sqlite::memory:' },
      { logLevel: 'silent', env: {}, limiterStore },
    );
    const app = await buildServer(bulwark);
    try {
      const token = (await bulwark.tokens.create({ scope: 'write', name: 'w' }, { id: 't', ip: '127.0.0.1' }))
        .token;
      const r = await app.inject({
        method: 'POST',
        url: '/auth/attempts',
        headers: bearer(token),
        payload: { source_ip: '192.0.2.1', result: 'success' },
      });
      expect(r.statusCode).toBe(503);
      expect(r.json().code).toBe('store_unavailable');
      expect(r.body).not.toMatch(/at .*\.ts/);
      const n = await bulwark.store.db
        .selectFrom('authentication_attempts')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(n.n)).toBe(0);
    } finally {
      await app.close();
      await bulwark.close();
    }
  });
});
