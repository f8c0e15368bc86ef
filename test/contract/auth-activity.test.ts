/** GET /auth/attempts/timeseries: failures and successes per bucket, counted by the database, on every backend. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';
import { FakeClock, bearer, startTestApp, type TestApp } from '../support/app.js';
import { describeEachBackend } from '../support/backends.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 15, 0);

/** Attempts as the auth guard stores them (its importer is another capability; the table is 001's). */
export async function insertAttempts(
  t: TestApp,
  rows: { at: number; result: 'success' | 'failure'; ip?: string }[],
) {
  await t.bulwark.store.db
    .insertInto('authentication_attempts')
    .values(
      rows.map((r) => ({
        id: newId(),
        user_id: 'alice',
        sender: null,
        source_ip: r.ip ?? '192.0.2.1',
        ip_key: r.ip ?? '192.0.2.1',
        timestamp: r.at,
        result: r.result,
        failure_reason: r.result === 'failure' ? 'bad_password' : null,
        failure_detail: null,
        rl_bucket_state: '[]',
      })),
    )
    .execute();
}

describeEachBackend('authentication activity over time', (backend) => {
  let t: TestApp;
  const clock = new FakeClock(T0 + 5 * HOUR + 30 * 60_000); // 05:30

  beforeAll(async () => {
    t = await startTestApp(backend.url(), { clock });
    await insertAttempts(t, [
      { at: T0 + 10 * 60_000, result: 'failure' }, // 00:10
      { at: T0 + 59 * 60_000 + 59_999, result: 'failure' }, // 00:59:59.999 — still the first hour
      { at: T0 + HOUR, result: 'success' }, // 01:00 — the second
      { at: T0 + 3 * HOUR + 1, result: 'failure' },
      { at: T0 + 3 * HOUR + 2, result: 'failure', ip: '2001:db8::1' },
      { at: T0 - 1, result: 'failure' }, // before the window
      { at: T0 + 6 * HOUR, result: 'failure' }, // after it
    ]);
  });
  afterAll(() => t.close());

  const get = (query: string) =>
    t.app.inject({ method: 'GET', url: `/auth/attempts/timeseries${query}`, headers: bearer(t.tokens.read) });

  it('counts each hour of the window, zeros included, edges exact', async () => {
    const r = await get(`?since=2026-01-15T00:00:00Z&until=2026-01-15T06:00:00Z`);
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body).toMatchObject({
      since: '2026-01-15T00:00:00.000Z',
      until: '2026-01-15T06:00:00.000Z',
      bucket: 'hour',
      total_failures: 4,
      total_successes: 1,
    });
    expect(
      body.buckets.map((b: { failures: number; successes: number }) => [b.failures, b.successes]),
    ).toEqual([
      [2, 0],
      [0, 1],
      [0, 0],
      [2, 0],
      [0, 0],
      [0, 0],
    ]);
    expect(body.buckets[3].t).toBe('2026-01-15T03:00:00.000Z');
  });

  it('rounds the window out to whole buckets, by day too, and defaults to the last 7 days', async () => {
    const day = (await get('?since=2026-01-14T12:00:00Z&until=2026-01-15T12:00:00Z&bucket=day')).json();
    expect(day.buckets).toEqual([
      // Whole days: the 14th's last millisecond and the 15th's 06:00 are inside the rounded window.
      { t: '2026-01-14T00:00:00.000Z', failures: 1, successes: 0 },
      { t: '2026-01-15T00:00:00.000Z', failures: 5, successes: 1 },
    ]);
    const dflt = (await get('')).json();
    expect(dflt.buckets.length).toBe(7 * 24 + 1); // 7 days back from 05:30, rounded out
    expect(dflt.total_failures).toBe(5); // T0 - 1 is inside; 06:00 is the (exclusive) end
  });

  it.each([
    ['?since=2026-01-15T06:00:00Z&until=2026-01-15T00:00:00Z', 'until'],
    ['?since=2026-01-15T00:00:00Z&until=2026-01-15T00:00:00Z', 'until'],
    ['?since=2020-01-01T00:00:00Z&until=2026-01-15T00:00:00Z', 'since'],
    ['?since=yesterday', 'since'],
    ['?since=2026-01-15', 'since'],
    ['?since=2026-02-30T00:00:00Z', 'since'],
    ['?bucket=minute', 'bucket'],
    ['?until=1&until=2', 'until'],
    ['?limit=5', 'limit'],
  ])('refuses %s with 400 naming %s', async (query, field) => {
    const r = await get(query);
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('validation_failed');
    expect(r.json().message).toContain(field);
  });
});
