/**
 * Failed authentication on Bulwark's own API is throttled per client (OWASP A07): the tester's 150
 * bad-token requests from one address answer 10 × 401 and then 429 `rate_limited` with
 * Retry-After, the audit log gains 10 authorization_violation rows and one rate_limit_trigger (not
 * 150 rows), and the rest are counted in /metrics. A throttled address is refused before its token
 * is read, valid or not; other addresses are served. The client is the trusted-proxy walk's,
 * IPv6 grouped by /64.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Bulwark, createBulwark } from '../../src/app/bulwark.js';
import type { BulwarkConfigInput } from '../../src/app/config.js';
import { buildServer } from '../../src/http/server.js';
import { FakeClock, bearer } from '../support/app.js';
import { describeEachBackend } from '../support/backends.js';

const BAD = { authorization: 'Bearer bwk_not-a-real-token' };

describeEachBackend('API authentication throttle', (backend) => {
  const clock = new FakeClock();
  let b: Bulwark;
  let app: FastifyInstance;
  let admin: string;

  const open = async (extra: BulwarkConfigInput = {}) => {
    const bulwark = await createBulwark(
      { database_url: backend.url(), master_key: randomBytes(32).toString('base64'), ...extra },
      { logLevel: 'silent', env: {}, clock },
    );
    return { bulwark, app: await buildServer(bulwark) };
  };

  beforeAll(async () => {
    ({ bulwark: b, app } = await open({ trusted_proxies: ['10.0.0.1'] }));
    admin = (await b.tokens.create({ scope: 'admin', name: 'ops' }, { id: 'test', ip: '127.0.0.1' })).token;
  });
  afterAll(async () => {
    await app.close();
    await b.close();
  });

  const rows = async (ip: string) =>
    (
      await sql<{ event_type: string; metadata: string }>`
        select event_type, metadata from security_audit_log where source_ip = ${ip} order by seq`.execute(
        b.store.db,
      )
    ).rows;

  const get = (remoteAddress: string, headers: Record<string, string> = BAD, url = '/security/posture') =>
    app.inject({ method: 'GET', url, remoteAddress, headers });

  it('answers 10 × 401, then 429 with Retry-After; one audit row per failure, one per throttled episode', async () => {
    const ip = '198.51.100.20';
    const codes: number[] = [];
    let last;
    for (let i = 0; i < 150; i++) {
      last = await get(ip, i % 2 ? BAD : {}); // bad and missing tokens alike
      codes.push(last.statusCode);
    }
    expect(codes.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(codes.slice(10)).toEqual(Array(140).fill(429));
    expect(last!.json()).toMatchObject({ code: 'rate_limited' });
    // 10 a minute: one failure comes back every 6 s
    expect(last!.headers['retry-after']).toBe('6');
    expect(last!.json().details.retry_after_ms).toBe(6000);

    const audit = await rows(ip);
    expect(audit.map((r) => r.event_type)).toEqual([
      ...Array(10).fill('authorization_violation'),
      'rate_limit_trigger',
    ]);
    expect(JSON.parse(audit[10]!.metadata)).toMatchObject({
      reason: 'failed_authentication_limit',
      ip_key: ip,
      limit: 10,
      window_ms: 60_000,
      retry_after_ms: 6000,
      route: '/security/posture',
    });
    const metrics = await get('192.0.2.200', bearer(admin), '/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toMatch(/^bulwark_api_auth_throttled_total 140$/m);
  });

  it('refuses a valid token from the throttled address (before reading it); other addresses are served', async () => {
    const ip = '198.51.100.21';
    for (let i = 0; i < 10; i++) expect((await get(ip)).statusCode).toBe(401);
    const valid = await get(ip, bearer(admin));
    expect(valid.statusCode).toBe(429);
    expect(valid.json()).toMatchObject({ code: 'rate_limited' });
    expect((await get('198.51.100.22', bearer(admin))).statusCode).toBe(200);
    // a valid token never counts: 20 successes from a fresh address, then still 401 for a bad one
    for (let i = 0; i < 20; i++) expect((await get('198.51.100.23', bearer(admin))).statusCode).toBe(200);
    expect((await get('198.51.100.23')).statusCode).toBe(401);
  });

  it('lets one failure through again after Retry-After (a new episode is audited again)', async () => {
    const ip = '198.51.100.24';
    for (let i = 0; i < 10; i++) await get(ip);
    expect((await get(ip)).statusCode).toBe(429);
    clock.advance(6000);
    expect((await get(ip)).statusCode).toBe(401);
    expect((await get(ip)).statusCode).toBe(429);
    // still the same throttled episode (the bucket never emptied): no second trigger row
    expect((await rows(ip)).filter((r) => r.event_type === 'rate_limit_trigger')).toHaveLength(1);
    clock.advance(60_000); // the bucket is empty again: a new episode
    for (let i = 0; i < 10; i++) expect((await get(ip)).statusCode).toBe(401);
    expect((await get(ip)).statusCode).toBe(429);
    expect((await rows(ip)).filter((r) => r.event_type === 'rate_limit_trigger')).toHaveLength(2);
  });

  it('groups IPv6 clients by /64', async () => {
    for (let i = 1; i <= 10; i++) expect((await get(`2001:db8:7:1::${i}`)).statusCode).toBe(401);
    expect((await get('2001:db8:7:1:ffff::1')).statusCode).toBe(429);
    expect((await get('2001:db8:7:2::1')).statusCode).toBe(401);
  });

  it('takes the client from a trusted proxy, and ignores X-Forwarded-For from anyone else', async () => {
    const viaProxy = (client: string) => get('10.0.0.1', { ...BAD, 'x-forwarded-for': client });
    for (let i = 0; i < 10; i++) expect((await viaProxy('203.0.113.50')).statusCode).toBe(401);
    expect((await viaProxy('203.0.113.50')).statusCode).toBe(429);
    // the proxy's other clients are not throttled with it
    expect((await viaProxy('203.0.113.51')).statusCode).toBe(401);
    expect((await rows('203.0.113.50')).length).toBe(11);
    // an untrusted peer cannot dodge its own throttle by naming another client
    const spoofer = '198.51.100.30';
    for (let i = 0; i < 10; i++) await get(spoofer, { ...BAD, 'x-forwarded-for': `192.0.2.${i + 1}` });
    expect((await get(spoofer, { ...BAD, 'x-forwarded-for': '192.0.2.99' })).statusCode).toBe(429);
  });

  it('is a setting: BULWARK_API_AUTH_FAILURE_LIMIT=0 turns it off', async () => {
    const off = await open({ api_auth_failure_limit: 0 });
    try {
      for (let i = 0; i < 30; i++)
        expect(
          (await off.app.inject({ method: 'GET', url: '/security/posture', remoteAddress: '198.51.100.40' }))
            .statusCode,
        ).toBe(401);
    } finally {
      await off.app.close();
      await off.bulwark.close();
    }
  });
});
