/**
 * The example host app (examples/messaging-api), in process, on both frameworks: the SMS route
 * answers 429 + Retry-After once a sender passes its limit, and failed logins lock the client
 * out, with the attempts written to Bulwark's audit log.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type Bulwark, createBulwark } from '../../src/app/bulwark.js';
import { SqlAuditStore } from '../../src/adapters/sql/audit-store.js';
import { buildExpressApp } from '../../examples/messaging-api/express-app.js';
import { buildFastifyApp } from '../../examples/messaging-api/fastify-app.js';
import { type ExampleLimiter, exampleLimiter } from '../../examples/messaging-api/limiter.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(): Promise<{ bulwark: Bulwark; guard: ExampleLimiter }> {
  const bulwark = await createBulwark({ database_url: 'sqlite::memory:' }, { logLevel: 'silent', env: {} });
  const guard = exampleLimiter({ audit: (e) => bulwark.audit.append(e) });
  cleanups.push(
    () => bulwark.close(),
    () => guard.close(),
  );
  return { bulwark, guard };
}

const sms = { from: '+15550100', to: '+15550199', text: 'hello' };
const login = (password: string) => ({ username: 'alice', password });

describe('example messaging API', () => {
  it('Fastify: per-sender 429 with Retry-After, lockout after failed logins, audit entries', async () => {
    const { bulwark, guard } = await setup();
    const app = await buildFastifyApp(guard);
    cleanups.push(() => app.close());
    for (let i = 0; i < 5; i++) {
      const r = await app.inject({ method: 'POST', url: '/api/messages/sms', payload: sms });
      expect(r.statusCode).toBe(202);
    }
    const limited = await app.inject({ method: 'POST', url: '/api/messages/sms', payload: sms });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBe(12); // 60 s / 5 per sender
    expect(limited.json()).toMatchObject({ code: 'rate_limited' });
    expect(limited.headers.ratelimit).toContain('"sender";r=0');
    // another sender is not affected
    const other = await app.inject({
      method: 'POST',
      url: '/api/messages/sms',
      payload: { ...sms, from: '+15550101' },
    });
    expect(other.statusCode).toBe(202);
    // The same number spelled otherwise is the same sender (it had a bucket per spelling).
    for (const from of [' +15550100', '+1 555 0100', '+1-555-0100', '(+1555) 0100'])
      expect(
        (await app.inject({ method: 'POST', url: '/api/messages/sms', payload: { ...sms, from } }))
          .statusCode,
        from,
      ).toBe(429);
    const notANumber = await app.inject({
      method: 'POST',
      url: '/api/messages/sms',
      payload: { ...sms, from: 'x'.repeat(100_000) },
    });
    expect(notANumber.statusCode).toBe(400);

    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/auth/login',
          payload: login('correct horse battery staple'),
        })
      ).statusCode,
    ).toBe(200);
    for (let i = 0; i < 5; i++)
      expect(
        (await app.inject({ method: 'POST', url: '/auth/login', payload: login('guess') })).statusCode,
      ).toBe(401);
    const locked = await app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: login('correct horse battery staple'),
    });
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe('600');
    await new Promise((r) => setTimeout(r, 50));
    // (createBulwark writes its own start-up entries; the login's are under its action)
    const audit = await new SqlAuditStore(bulwark.store).list(
      { action_prefix: 'POST /auth/login' },
      { limit: 50, order: 'asc' },
    );
    expect(audit.items.map((e) => [e.event_type, e.outcome])).toEqual([
      ['auth_success', 'allowed'],
      ...Array.from({ length: 5 }, () => ['auth_failure', 'denied']),
      ['rate_limit_trigger', 'denied'],
    ]);
    expect(audit.items[6]).toMatchObject({ user_id: 'alice', source_ip: '127.0.0.1' });
  });

  it('Express: the same limits over a real socket', async () => {
    const { guard } = await setup();
    const server = buildExpressApp(guard).listen(0, '127.0.0.1');
    await new Promise<void>((r) => server.once('listening', () => r()));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const post = (path: string, body: unknown) =>
      fetch(base + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (let i = 0; i < 5; i++) expect((await post('/api/messages/sms', sms)).status).toBe(202);
    const limited = await post('/api/messages/sms', sms);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('12');
    expect(limited.headers.get('ratelimit-policy')).toBe('"ip";q=120;w=60, "sender";q=5;w=60');
    for (let i = 0; i < 5; i++) expect((await post('/auth/login', login('nope'))).status).toBe(401);
    expect((await post('/auth/login', login('correct horse battery staple'))).status).toBe(429);
    await new Promise((r) => setTimeout(r, 50));
    expect(guard.attempts.map((a) => a.failure_reason).at(-1)).toBe('locked');
  });
});
