/**
 * Every route that takes `since` / `until` in its query reads them with one parser
 * (src/http/schemas.ts queryTime), as API.md's conventions promise for every input time: epoch
 * milliseconds or an ISO 8601 date-time with its zone. `/security/anomalies` and
 * `/auth/attempts/timeseries` took ISO only (a new-user trial found `since=<epoch ms>` refused).
 * The routes that take no input refuse a body with fields instead of ignoring it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, FakeClock, startTestApp, type TestApp } from '../support/app.js';

const SINCE_MS = Date.UTC(2026, 0, 14, 12);
const UNTIL_MS = Date.UTC(2026, 0, 15, 12);
const SINCE_ISO = new Date(SINCE_MS).toISOString();
const UNTIL_ISO = '2026-01-15T13:00:00+01:00'; // the same instant as UNTIL_MS, with an offset

const ROUTES = ['/security/logs', '/security/anomalies', '/auth/attempts/timeseries'];

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp('sqlite::memory:', { clock: new FakeClock(UNTIL_MS + 60_000) });
  for (const [i, result] of (['failure', 'failure', 'success'] as const).entries())
    await t.bulwark.auth.recordAttempt({
      user_id: 'alice',
      source_ip: '192.0.2.7',
      result,
      ...(result === 'failure' ? { failure_reason: 'bad_password' } : {}),
      at: SINCE_MS + 3_600_000 * (i + 1),
    });
});
afterAll(async () => t.close());

const get = (url: string) => t.app.inject({ method: 'GET', url, headers: bearer(t.tokens.read) });

describe.each(ROUTES)('%s since/until', (route) => {
  it('takes epoch milliseconds and ISO 8601 with a zone alike', async () => {
    const byMs = await get(`${route}?since=${SINCE_MS}&until=${UNTIL_MS}`);
    const byIso = await get(`${route}?since=${SINCE_ISO}&until=${encodeURIComponent(UNTIL_ISO)}`);
    expect(byMs.statusCode, byMs.body).toBe(200);
    expect(byIso.statusCode, byIso.body).toBe(200);
    expect(byMs.json()).toEqual(byIso.json());
  });

  it.each([
    ['a word', 'soon'],
    ['a date without a time', '2026-01-14'],
    ['a time without a zone', '2026-01-14T12:00:00'],
    ['an impossible date', '2026-02-30T12:00:00Z'],
    ['a negative number', '-5'],
    ['an exponent', '1e12'],
  ])('refuses %s with the one rule', async (_what, value) => {
    const r = await get(`${route}?since=${encodeURIComponent(value)}`);
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ code: 'validation_failed', field: 'since' });
    expect(r.json().message).toBe(
      'since: must be epoch milliseconds or an ISO 8601 date-time with a zone (2026-01-15T12:00:00Z)',
    );
  });
});

it('the anomaly view reads the same window either way (the attempts inside it count)', async () => {
  const r = (await get(`/security/anomalies?since=${SINCE_MS}&until=${UNTIL_MS}`)).json();
  expect(r.since).toBe(SINCE_ISO);
  expect(r.in_window).toBe(3);
});

describe.each(['/auth/rate-limit/snapshots', '/security/logs/checkpoints'])(
  'POST %s takes no input',
  (route) => {
    const post = (payload?: unknown) =>
      t.app.inject({
        method: 'POST',
        url: route,
        headers: bearer(t.tokens.admin),
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
    it('answers with no body or {}', async () => {
      expect((await post()).statusCode).toBeLessThan(300);
      expect((await post({})).statusCode).toBeLessThan(300);
    });
    it('refuses a field, naming it (it was ignored)', async () => {
      const r = await post({ x: 1 });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ code: 'validation_failed' });
      expect(r.json().message).toContain('x');
    });
  },
);
