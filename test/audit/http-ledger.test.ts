import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { FakeClock, bearer, startTestApp, type TestApp } from '../support/app.js';

const ev = (over: Record<string, unknown> = {}) => ({
  event_type: 'auth_failure',
  source_ip: '203.0.113.7',
  action: 'login',
  outcome: 'denied',
  user_id: 'alice',
  ...over,
});

describeEachBackend('audit ledger over HTTP', (backend) => {
  let t: TestApp;
  const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
  /** An hour before the clock starts: explicit event times within the accepted bounds. */
  const T = Date.UTC(2026, 0, 15, 11);
  beforeAll(async () => {
    t = await startTestApp(backend.url(), { clock });
  });
  afterAll(async () => t?.close());

  const post = (payload: unknown, token = t.tokens.write) =>
    t.app.inject({
      method: 'POST',
      url: '/security/logs',
      headers: bearer(token),
      payload: payload as object,
    });
  const get = (url: string, token = t.tokens.read) =>
    t.app.inject({ method: 'GET', url, headers: bearer(token) });
  const count = async () => (await t.bulwark.audit.head()).seq;

  it('appends one event and answers its id and seq; source_ip normalised, control characters neutralised', async () => {
    const before = await count();
    const r = await post(
      ev({
        source_ip: '::ffff:192.0.2.1',
        action: 'login\r\nFAKE 200 admin',
        user_id: 'bob\nadmin',
        metadata: { note: 'line1\nline2', deep: [{ x: { y: '\u001b[31mred' } }] },
      }),
    );
    expect(r.statusCode).toBe(201);
    const body = r.json();
    expect(body.seq).toBe(before + 1);
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    const list = await get('/security/logs?limit=1');
    const item = list.json().items[0];
    expect(item.id).toBe(body.id);
    expect(item.source_ip).toBe('192.0.2.1');
    expect(item.action).not.toMatch(/[\r\n]/);
    expect(item.user_id).not.toMatch(/\n/);
    // eslint-disable-next-line no-control-regex -- looking for control characters
    const control = /[\u0000-\u001f]/;
    expect(item.metadata.note).not.toMatch(control);
    expect(item.metadata.deep[0].x.y).not.toMatch(control);
    expect(item.metadata.note).toContain('line1');
    expect(item.timestamp).toBe('2026-01-15T12:00:00.000Z');
  });

  it('redacts secrets and PII in metadata at any depth before the write', async () => {
    const jwt =
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
    const r = await post(
      ev({ metadata: { a: [{ b: { note: `token ${jwt}`, password: 'hunter2' } }], mail: 'x@example.com' } }),
    );
    expect(r.statusCode).toBe(201);
    const item = (await get('/security/logs?limit=1')).json().items[0];
    const text = JSON.stringify(item.metadata);
    expect(text).not.toContain(jwt);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('x@example.com');
    expect(text).toContain('[REDACTED:');
  });

  it('appends a batch and answers each id and seq in order', async () => {
    const before = await count();
    const r = await post({
      events: [ev({ timestamp: T + 1000 }), ev({ timestamp: T + 1000 }), ev({ timestamp: T + 2000 })],
    });
    expect(r.statusCode).toBe(201);
    expect(r.json().events.map((e: { seq: number }) => e.seq)).toEqual([before + 1, before + 2, before + 3]);
    expect(r.json().count).toBe(3);
  });

  it('refuses a batch whose timestamps decrease, naming the first offending index; nothing stored', async () => {
    const before = await count();
    const r = await post({
      events: [
        ev({ timestamp: T + 5000 }),
        ev({ timestamp: T + 6000 }),
        ev({ timestamp: T + 5999 }),
        ev({ timestamp: T + 1 }),
      ],
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().field).toBe('events.2.timestamp');
    expect(r.json().details.index).toBe(2);
    expect(await count()).toBe(before);
  });

  it('refuses a batch with one invalid event whole, naming index and field; nothing stored', async () => {
    const before = await count();
    for (const [bad, field] of [
      [{ source_ip: 'not-an-ip' }, 'events.1.source_ip'],
      [{ event_type: 'nope' }, 'events.1.event_type'],
      [{ outcome: 'maybe' }, 'events.1.outcome'],
      [{ extra: 1 }, 'events.1'],
      [{ metadata: 'text' }, 'events.1.metadata'],
    ] as const) {
      const r = await post({ events: [ev(), ev(bad), ev()] });
      expect(r.statusCode, JSON.stringify(bad)).toBe(400);
      expect(r.json().field).toContain(field);
    }
    const tooMany = await post({ events: Array.from({ length: 1001 }, () => ev()) });
    expect([400, 413]).toContain(tooMany.statusCode);
    expect((await post({ events: [] })).json().field).toBe('events');
    expect((await post({ events: [ev()], more: 1 })).json().field).toBe('more');
    expect((await post([ev()])).statusCode).toBe(400);
    expect(await count()).toBe(before);
  });

  it('needs the write scope to append and the read scope to list', async () => {
    expect((await post(ev(), t.tokens.read)).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/security/logs' })).statusCode).toBe(401);
    expect((await get('/security/logs/verify', t.tokens.read)).statusCode).toBe(403);
  });

  it('filters, orders newest first by default, and pages with a stable cursor', async () => {
    const base = Date.UTC(2026, 1, 1);
    // Events may not be dated ahead of the clock: the clock moves past the batch first.
    clock.t = Math.max(clock.t, base + 60_000);
    const events = [];
    for (let i = 0; i < 30; i++) {
      events.push(
        ev({
          timestamp: base + i * 1000,
          event_type: i % 3 === 0 ? 'config_change' : 'auth_success',
          outcome: i % 2 ? 'allowed' : 'error',
          user_id: `filter-user-${i % 5}`,
          source_ip: i % 4 === 0 ? '198.51.100.4' : '198.51.100.5',
          action: i % 2 ? `vault.read.${i}` : `vault.write.${i}`,
        }),
      );
    }
    expect((await post({ events })).statusCode).toBe(201);
    const since = new Date(base).toISOString();
    const all: Array<{ seq: number; user_id: string; timestamp: string }> = [];
    let cursor: string | null = null;
    do {
      const r = await get(`/security/logs?since=${since}&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.statusCode).toBe(200);
      all.push(...r.json().items);
      cursor = r.json().next_cursor;
      // A write between pages must not shift them.
      if (cursor) await post(ev({ user_id: 'interleaved' }));
    } while (cursor);
    expect(all).toHaveLength(30);
    const seqs = all.map((x) => x.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(new Set(seqs).size).toBe(30);

    const asc = (await get(`/security/logs?since=${base}&order=asc&limit=3`)).json().items;
    expect(asc.map((x: { seq: number }) => x.seq)).toEqual([seqs[29], seqs[28], seqs[27]]);

    const q = async (qs: string) =>
      (await get(`/security/logs?since=${base}&limit=500&${qs}`)).json().items as Array<
        Record<string, string>
      >;
    expect(await q('event_type=config_change')).toHaveLength(10);
    expect(await q('event_type=config_change,auth_success')).toHaveLength(30);
    expect(await q('outcome=allowed')).toHaveLength(15);
    expect(await q('user_id=filter-user-2')).toHaveLength(6);
    expect(await q('source_ip=198.51.100.4')).toHaveLength(8);
    expect(await q('source_ip=::ffff:198.51.100.4')).toHaveLength(8);
    expect(await q('action_prefix=vault.read.')).toHaveLength(15);
    expect(await q('action_prefix=vault.read.1')).toHaveLength(6); // 1, 11, 13, 15, 17, 19
    expect(await q(`until=${new Date(base + 10_000).toISOString()}`)).toHaveLength(10);
    expect(await q('action_prefix=vault.read.&outcome=error')).toHaveLength(0);
  });

  it('refuses bad queries with 400 naming the parameter', async () => {
    for (const [qs, field] of [
      ['event_type=bogus', 'event_type'],
      ['outcome=x', 'outcome'],
      ['source_ip=999.1.1.1', 'source_ip'],
      ['since=yesterday', 'since'],
      ['order=sideways', 'order'],
      ['limit=0', 'limit'],
      ['cursor=garbage', 'cursor'],
      ['colour=red', 'colour'],
    ]) {
      const r = await get(`/security/logs?${qs}`);
      expect(r.statusCode, qs).toBe(400);
      expect(r.json().field ?? r.json().message, qs).toContain(field);
    }
  });

  it('says what is wrong with an empty or over-long text parameter (not "must be given once")', async () => {
    for (const [qs, said] of [
      ['user_id=', 'user_id: must not be empty'],
      ['action_prefix=', 'action_prefix: must not be empty'],
      [`user_id=${'u'.repeat(257)}`, 'user_id: must be at most 256 characters'],
      [`since=${'1'.repeat(41)}`, 'since: must be at most 40 characters'],
      ['user_id=a&user_id=b', 'user_id: must be given once'],
    ]) {
      const r = await get(`/security/logs?${qs}`);
      expect(r.statusCode, qs).toBe(400);
      expect(JSON.stringify(r.json()), qs).toContain(said);
    }
  });

  it('verifies the chain over HTTP (admin), with checkpoints signed by the keyring key', async () => {
    // Test apps have a master key, so the keyring's Ed25519 key signs checkpoints (no key file set).
    const cp = await t.app.inject({
      method: 'POST',
      url: '/security/logs/checkpoints',
      headers: bearer(t.tokens.admin),
    });
    expect(cp.statusCode).toBe(201);
    expect(cp.json().checkpoint.key_id).toBe('bulwark.audit.checkpoint');
    const r = await get('/security/logs/verify', t.tokens.admin);
    expect(r.statusCode).toBe(200);
    const v = r.json();
    expect(v.ok).toBe(true);
    expect(v.from).toBe(1);
    expect(v.to).toBe(await count());
    expect(v.checked).toBe(v.to);
    expect(v.checkpoints).toBe('verified');
    const part = (await get('/security/logs/verify?from=3&to=5', t.tokens.admin)).json();
    expect(part).toMatchObject({ ok: true, from: 3, to: 5, checked: 3 });
    expect((await get('/security/logs/verify?from=0', t.tokens.admin)).statusCode).toBe(400);
  });
});
