/**
 * Every route × {no token, revoked token, wrong scope, right scope}: 401, 401, 403, and anything
 * but 401/403; every refusal is in the audit log as an authorization_violation with route and IP.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Scope } from '../../src/core/tokens.js';
import { bearer, startTestApp, type TestApp } from '../support/app.js';
import { describeEachBackend } from '../support/backends.js';

const BELOW: Record<Scope, Scope | null> = { read: null, write: 'read', admin: 'write' };
const SAMPLE_ID = '01890a5d-ac96-774b-bcce-b302099a8057';

const concrete = (url: string) => url.replace(':id', SAMPLE_ID).replace(':name', 'sample');

describeEachBackend('route × token matrix', (backend) => {
  let t: TestApp;
  let revoked: string;

  beforeAll(async () => {
    t = await startTestApp(backend.url());
    const r = await t.bulwark.tokens.create(
      { scope: 'admin', name: 'to-revoke' },
      { id: 'test', ip: '127.0.0.1' },
    );
    await t.bulwark.tokens.revoke(r.record.id, { id: 'test', ip: '127.0.0.1' });
    revoked = r.token;
  });
  afterAll(() => t.close());

  const violations = async () =>
    (
      await sql<{ action: string; source_ip: string; metadata: string; outcome: string }>`
        select action, source_ip, metadata, outcome from security_audit_log
        where event_type = 'authorization_violation' order by seq`.execute(t.bulwark.store.db)
    ).rows;

  it('declares an access rule on every route', () => {
    const routes = t.app.routeTable;
    expect(routes.length).toBeGreaterThanOrEqual(9);
    for (const r of routes)
      expect(r.public === true || r.scope !== undefined, `${r.method} ${r.url}`).toBe(true);
  });

  it('answers 401 / 401 / 403 / allowed and audits each refusal', async () => {
    const protectedRoutes = t.app.routeTable.filter((r) => !r.public);
    for (const [i, route] of protectedRoutes.entries()) {
      const url = concrete(route.url);
      const method = route.method as 'GET' | 'POST';
      const before = (await violations()).length;
      // One client address per route: a single address failing on every route would be
      // throttled after 10 failures (auth-throttle.test.ts covers that), not refused 401.
      const remoteAddress = `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`;

      const none = await t.app.inject({ method, url, remoteAddress });
      expect(none.statusCode, `${method} ${url} without token`).toBe(401);
      expect(none.json()).toMatchObject({ code: 'unauthenticated' });

      const rev = await t.app.inject({ method, url, remoteAddress, headers: bearer(revoked) });
      expect(rev.statusCode, `${method} ${url} revoked`).toBe(401);

      const below = BELOW[route.scope!];
      if (below) {
        const wrong = await t.app.inject({ method, url, headers: bearer(t.tokens[below]) });
        expect(wrong.statusCode, `${method} ${url} with ${below}`).toBe(403);
        expect(wrong.json()).toMatchObject({ code: 'forbidden' });
      }

      const right = await t.app.inject({
        method,
        url,
        headers: bearer(t.tokens[route.scope!]),
        payload: method === 'POST' ? {} : undefined,
      });
      expect([401, 403], `${method} ${url} with ${route.scope}`).not.toContain(right.statusCode);
      expect(right.statusCode, `${method} ${url} must not 500`).toBeLessThan(500);

      const after = await violations();
      expect(after.length - before).toBe(below ? 3 : 2);
      const first = after[before]!;
      expect(first.action).toBe(`${method} ${route.url}`);
      expect(first.source_ip).toBe(remoteAddress);
      expect(first.outcome).toBe('denied');
      expect(JSON.parse(first.metadata)).toMatchObject({ route: route.url, reason: 'missing_token' });
      if (below) {
        // Identifiers are evidence, not secrets: the refusal names the token that was refused.
        const forbidden = JSON.parse(after[before + 2]!.metadata);
        expect(forbidden).toMatchObject({
          reason: 'insufficient_scope',
          token_scope: below,
          required_scope: route.scope,
        });
        expect(forbidden.token_id).toMatch(/^[0-9a-f-]{36}$/);
      }
    }
  });

  it('leaves public routes open', async () => {
    for (const route of t.app.routeTable.filter((r) => r.public)) {
      const res = await t.app.inject({ method: route.method as 'GET', url: route.url });
      expect(res.statusCode, route.url).toBe(200);
    }
  });

  it('refuses malformed Authorization headers as unauthenticated', async () => {
    for (const authorization of [
      'Bearer',
      'Basic dXNlcjpwYXNz',
      `Bearer ${t.tokens.admin} extra`,
      'Bearer ' + 'x'.repeat(600),
    ]) {
      const res = await t.app.inject({ method: 'GET', url: '/security/posture', headers: { authorization } });
      expect(res.statusCode, authorization.slice(0, 20)).toBe(401);
    }
    const log = await violations();
    expect(JSON.stringify(log)).not.toContain(t.tokens.admin);
  });
});
