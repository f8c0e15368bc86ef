/**
 * Daily posture snapshots and GET /security/posture/trend, the audit entry a transition writes,
 * and GET /auth/whoami — on every SQL backend.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REFRESH_MS } from '../../src/app/services/posture-trend.js';
import { FakeClock, bearer, startTestApp, type TestApp } from '../support/app.js';
import { describeEachBackend } from '../support/backends.js';

const DAY = 86_400_000;

describeEachBackend('posture trend', (backend) => {
  let t: TestApp;
  const clock = new FakeClock(Date.UTC(2026, 0, 10, 9));

  beforeAll(async () => {
    t = await startTestApp(backend.url(), { clock });
  });
  afterAll(() => t.close());

  const trend = (query = '', token = t.tokens.read) =>
    t.app.inject({ method: 'GET', url: `/security/posture/trend${query}`, headers: bearer(token) });
  const add = (score: number, title: string) =>
    t.bulwark.vulnerabilities.create({ title, component: 'svc@1', cvss_score: score, owasp_category: 'A01' });

  it('keeps one snapshot a day, the last capture of that day, and reads them oldest first', async () => {
    // Day 1: a critical and a low. Day 2: a high more, the critical in progress. Day 3: the critical resolved.
    const crit = await add(9.8, 'critical one');
    await add(2.0, 'low one');
    await t.bulwark.postureTrend.capture();
    clock.advance(DAY);
    await add(7.5, 'high one');
    await t.bulwark.postureTrend.capture();
    await t.bulwark.vulnerabilities.transition(crit.id, { to: 'in_progress' }, 'test');
    await t.bulwark.postureTrend.capture(); // same day: replaces the earlier capture
    clock.advance(DAY);
    await t.bulwark.vulnerabilities.transition(crit.id, { to: 'resolved' }, 'test');
    await t.bulwark.postureTrend.capture();

    const r = await trend('?days=7');
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body).toMatchObject({ from: '2026-01-06', to: '2026-01-12', days: 7 });
    expect(body.points.map((p: { day: string }) => p.day)).toEqual([
      '2026-01-10',
      '2026-01-11',
      '2026-01-12',
    ]);
    const [d1, d2, d3] = body.points;
    expect(d1).toMatchObject({ total: 2, open_criticals: 1, risk_score: 11 });
    expect(d1.active_by_severity).toEqual({ critical: 1, high: 0, medium: 0, low: 1 });
    // in_progress is still exposed: the critical counts until it is resolved.
    expect(d2).toMatchObject({ total: 3, open_criticals: 1, risk_score: 16 });
    expect(d2.by_status).toMatchObject({ open: 2, in_progress: 1 });
    expect(d3).toMatchObject({ total: 3, open_criticals: 0, risk_score: 6, mttr_days: 2 });
    expect(d3.captured_at).toBe(new Date(clock.now()).toISOString());
    const rows = await sql<{ n: number }>`select count(*) as n from posture_snapshots`.execute(
      t.bulwark.store.db,
    );
    expect(Number(rows.rows[0]!.n)).toBe(3);
  });

  it('captures today on read when the day has no snapshot yet, or when it is stale', async () => {
    clock.advance(DAY); // a new day nobody captured
    const r = (await trend('?days=2')).json();
    expect(r.points.map((p: { day: string }) => p.day)).toEqual(['2026-01-12', '2026-01-13']);
    const first = r.points[1].captured_at;
    clock.advance(60_000);
    expect((await trend('?days=2')).json().points[1].captured_at).toBe(first); // fresh: not recaptured
    await add(9.1, 'another critical');
    clock.advance(REFRESH_MS + 1);
    const later = (await trend('?days=2')).json().points[1];
    expect(later.captured_at).not.toBe(first);
    expect(later.open_criticals).toBe(1);
  });

  it('leaves out snapshot rows of another shape instead of guessing', async () => {
    await t.bulwark.store.db
      .insertInto('posture_snapshots')
      .values({ day: '2026-01-09', captured_at: Date.UTC(2026, 0, 9), summary: '{"something":"else"}' })
      .execute();
    const days = (await trend('?days=30')).json().points.map((p: { day: string }) => p.day);
    expect(days).not.toContain('2026-01-09');
    expect(days[0]).toBe('2026-01-10');
  });

  it.each([
    ['?days=0', 'days'],
    ['?days=731', 'days'],
    ['?days=abc', 'days'],
    ['?days=1e2', 'days'],
    ['?days=7&days=8', 'days'],
    ['?other=1', 'other'],
  ])('refuses %s with 400 naming the field', async (query, field) => {
    const r = await trend(query);
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('validation_failed');
    expect(r.json().message).toContain(field);
  });

  it('defaults to 90 days and needs a token', async () => {
    expect((await trend('')).json().days).toBe(90);
    const none = await t.app.inject({ method: 'GET', url: '/security/posture/trend' });
    expect(none.statusCode).toBe(401);
  });

  it('records every transition in the audit log and answers with that entry', async () => {
    const v = await add(8.0, 'to walk');
    const r = await t.app.inject({
      method: 'POST',
      url: `/security/vulnerabilities/${v.id}/transitions`,
      headers: bearer(t.tokens.write),
      payload: { to: 'in_progress', note: 'owner: team-a' },
      remoteAddress: '198.51.100.4',
    });
    expect(r.statusCode).toBe(201);
    const { audit, transition } = r.json();
    expect(audit).toMatchObject({
      event_type: 'config_change',
      action: 'vulnerability.transition',
      outcome: 'allowed',
      user_id: 'token:test-write',
      source_ip: '198.51.100.4',
      metadata: { vulnerability_id: v.id, transition_id: transition.id, from: 'open', to: 'in_progress' },
    });
    const stored = (await t.bulwark.audit.list({}, { limit: 1, order: 'desc' })).items[0]!;
    expect(stored.seq).toBe(audit.seq);
    expect(stored.hash).toBe(audit.hash);
    expect(audit.timestamp).toBe(new Date(clock.now()).toISOString());

    // A refused transition changes nothing and writes no config_change entry.
    const before = await t.bulwark.audit.list(
      { action_prefix: 'vulnerability.' },
      { limit: 100, order: 'desc' },
    );
    const bad = await t.app.inject({
      method: 'POST',
      url: `/security/vulnerabilities/${v.id}/transitions`,
      headers: bearer(t.tokens.write),
      payload: { to: 'open' },
    });
    expect(bad.statusCode).toBe(409);
    const after = await t.bulwark.audit.list(
      { action_prefix: 'vulnerability.' },
      { limit: 100, order: 'desc' },
    );
    expect(after.items.length).toBe(before.items.length);
  });

  it('tells a token who it is (name, scope, display prefix), never the token itself', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/auth/whoami', headers: bearer(t.tokens.write) });
    expect(r.statusCode).toBe(200);
    const me = r.json();
    expect(me).toMatchObject({ name: 'test-write', scope: 'write' });
    expect(t.tokens.write.startsWith(me.prefix)).toBe(true);
    expect(r.body).not.toContain(t.tokens.write);
    expect(Object.keys(me).sort()).toEqual(['created_at', 'id', 'name', 'prefix', 'scope']);
    const none = await t.app.inject({ method: 'GET', url: '/auth/whoami' });
    expect(none.statusCode).toBe(401);
  });
});
