/**
 * POST /auth/attempts and DELETE /auth/lockouts/:key on the inputs a tester found: far-future
 * times, zone ids, unreadable times, unlock keys that are not IPs, raw IPv6 addresses. 400 naming
 * the field with one clear message, nothing stored or audited; an IP maps to its ip key.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Bulwark, createBulwark } from '../../src/app/bulwark.js';
import { buildServer } from '../../src/http/server.js';
import { describeEachBackend } from '../support/backends.js';
import { bearer, FakeClock } from '../support/app.js';

describeEachBackend('auth guard over HTTP: bad input', (backend) => {
  let bulwark: Bulwark;
  let app: FastifyInstance;
  let clock: FakeClock;
  let write: string;
  let admin: string;
  beforeAll(async () => {
    clock = new FakeClock();
    bulwark = await createBulwark({ database_url: backend.url() }, { logLevel: 'silent', env: {}, clock });
    app = await buildServer(bulwark);
    const actor = { id: 'test', ip: '127.0.0.1' };
    write = (await bulwark.tokens.create({ scope: 'write', name: 'w' }, actor)).token;
    admin = (await bulwark.tokens.create({ scope: 'admin', name: 'a' }, actor)).token;
  });
  afterAll(async () => {
    await app.close();
    await bulwark.close();
  });

  const post = (body: object) =>
    app.inject({ method: 'POST', url: '/auth/attempts', headers: bearer(write), payload: body });
  const fail = {
    user_id: 'alice',
    source_ip: '192.0.2.50',
    result: 'failure',
    failure_reason: 'bad_password',
  };
  const count = async () =>
    Number(
      (
        await bulwark.store.db
          .selectFrom('authentication_attempts')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('refuses an at more than five minutes ahead of the clock; a little skew is accepted', async () => {
    const before = await count();
    for (const at of ['9999-12-31T00:00:00Z', clock.now() + 6 * 60_000]) {
      const r = await post({ ...fail, at });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ code: 'validation_failed', field: 'at' });
      expect(r.json().message).toBe('at: is more than 5 minutes in the future');
    }
    expect(await count()).toBe(before);
    expect((await post({ ...fail, at: clock.now() + 60_000 })).statusCode).toBe(200);
  });

  it('names the accepted forms of at, in one message', async () => {
    for (const at of ['yesterday', -1e300, 1.5, '2025-01-31T12:00:00']) {
      const r = await post({ ...fail, at });
      expect(r.statusCode).toBe(400);
      expect(r.json().message).toBe(
        'at: must be epoch milliseconds (a whole number ≥ 0) or an ISO 8601 time with a zone, e.g. 2025-01-31T12:00:00Z',
      );
    }
  });

  it('drops an IPv6 zone id, as every address reader does: fe80::1%eth0 is stored as fe80::1', async () => {
    const r = await post({ ...fail, source_ip: 'fe80::1%eth0' });
    expect(r.statusCode).toBe(200);
    const row = await bulwark.store.db
      .selectFrom('authentication_attempts')
      .select(['source_ip'])
      .where('id', '=', r.json().attempt_id)
      .executeTakeFirstOrThrow();
    expect(row.source_ip).toBe('fe80::1');
    expect(r.json().ip_key).toBe('fe80::/64');
  });

  it('DELETE /auth/lockouts/:key: 400 for an IP part that is not an IP, nothing audited', async () => {
    const audited = async () =>
      (await bulwark.audit.list({ event_type: ['config_change'] }, { limit: 500, order: 'asc' })).items
        .length;
    const before = await audited();
    for (const key of ['ip:not-an-ip', 'user_ip:not-an-ip|bob']) {
      const r = await app.inject({
        method: 'DELETE',
        url: `/auth/lockouts/${encodeURIComponent(key)}`,
        headers: bearer(admin),
      });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ code: 'validation_failed', field: 'key' });
    }
    expect(await audited()).toBe(before);
  });

  it('DELETE /auth/lockouts/:key: a raw address inside a locked /64 lifts that lock', async () => {
    for (let i = 1; i <= 6; i++) await post({ ...fail, user_id: `v${i}`, source_ip: `2001:db8:9:9::${i}` });
    const r = await app.inject({
      method: 'DELETE',
      url: `/auth/lockouts/${encodeURIComponent('ip:2001:db8:9:9::5')}`,
      headers: bearer(admin),
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ key: 'ip:2001:db8:9:9::/64', was_locked: true });
  });
});
