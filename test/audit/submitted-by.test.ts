/**
 * What a new-user tester tried against POST /security/logs and the ledger's read paths, on each
 * SQL backend: forged entries, out-of-range verify and proof, impossible timestamps, and the
 * messages each answer gives.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { FakeClock, bearer, startTestApp, type TestApp } from '../support/app.js';
import { hashLink } from '../../src/app/services/audit.js';
import { canonicalJson } from '../../src/core/audit/canonical-json.js';
import { RESERVED_ACTION_PREFIXES, reservedActionPrefix } from '../../src/core/audit/submission.js';
import type { AuditRow } from '../../src/core/ports/audit-store.js';

const NOW = Date.UTC(2026, 0, 15, 12);

const ev = (over: Record<string, unknown> = {}) => ({
  event_type: 'config_change',
  source_ip: '203.0.113.7',
  action: 'deploy.release',
  outcome: 'allowed',
  user_id: 'alice',
  ...over,
});

describeEachBackend('API-submitted audit events', (backend) => {
  let t: TestApp;
  let writeTokenId: string;
  const clock = new FakeClock(NOW);
  beforeAll(async () => {
    t = await startTestApp(backend.url(), { clock });
    writeTokenId = (await t.bulwark.tokens.list()).find((k) => k.name === 'test-write')!.id;
  });
  afterAll(async () => t?.close());

  const post = (payload: unknown, token = t.tokens.write) =>
    t.app.inject({
      method: 'POST',
      url: '/security/logs',
      headers: bearer(token),
      payload: payload as object,
    });
  const get = (url: string, token = t.tokens.admin) =>
    t.app.inject({ method: 'GET', url, headers: bearer(token) });
  const head = async () => (await t.bulwark.audit.head()).seq;
  const rowAt = async (seq: number): Promise<AuditRow> => {
    for await (const chunk of t.bulwark.audit.range(seq, seq)) return chunk[0]!;
    throw new Error(`no row ${seq}`);
  };

  describe('the submitting token is stamped into every event', () => {
    it("refuses the tester's forged key rotation (Bulwark's own action), nothing stored", async () => {
      const before = await head();
      const r = await post({
        event_type: 'key_rotation',
        action: 'key.rotate',
        user_id: 'token:me',
        source_ip: '127.0.0.1',
        outcome: 'allowed',
        metadata: { key_name: 'bulwark.audit.signing', version_from: 1, version_to: 2 },
      });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ code: 'validation_failed', field: 'action' });
      expect(r.json().message).toMatch(/^action: must not start with key\. \(.*key\.\*.*token\.\*/);
      expect(await head()).toBe(before);
    });

    it.each(['Key.Rotate', '  token.create', 'vulnerability.transition', 'approval.create', 'rate_limit.x'])(
      'refuses the reserved action %j in any case',
      async (action) => {
        const r = await post(ev({ action }));
        expect(r.statusCode).toBe(400);
        expect(r.json().field).toBe('action');
      },
    );

    it('stamps a single event with {token_id, token_name}, inside the hashed row, and shows it as stored', async () => {
      const r = await post(ev({ metadata: { release: '1.2.3' } }));
      expect(r.statusCode).toBe(201);
      const stamp = { token_id: writeTokenId, token_name: 'test-write' };
      expect(r.json().submitted_by).toEqual(stamp);
      const item = (await get('/security/logs?limit=1')).json().items[0];
      expect(item.seq).toBe(r.json().seq);
      expect(item.metadata).toEqual({ release: '1.2.3', submitted_by: stamp });
      // The stamp is part of the chain: the row hashes with it and would not without it.
      const row = await rowAt(r.json().seq);
      expect(hashLink(row, row.seq, row.prev_hash)).toBe(row.hash);
      const unstamped = { ...row, metadata: canonicalJson({ release: '1.2.3' }) };
      expect(hashLink(unstamped, row.seq, row.prev_hash)).not.toBe(row.hash);
      expect((await get('/security/logs/verify')).json().ok).toBe(true);
    });

    it('stamps every event of a batch with the token that sent it (an admin token here)', async () => {
      const r = await post({ events: [ev(), ev({ action: 'deploy.rollback' })] }, t.tokens.admin);
      expect(r.statusCode).toBe(201);
      const adminId = (await t.bulwark.tokens.list()).find((k) => k.name === 'test-admin')!.id;
      expect(r.json().submitted_by).toEqual({ token_id: adminId, token_name: 'test-admin' });
      for (const e of r.json().events as Array<{ seq: number }>) {
        const row = await rowAt(e.seq);
        expect(JSON.parse(row.metadata).submitted_by).toEqual({
          token_id: adminId,
          token_name: 'test-admin',
        });
      }
    });

    it.each(['submitted_by', 'Submitted-By', 'SUBMITTED.BY'])(
      'refuses a client-supplied %s stamp, single and in a batch',
      async (key) => {
        const forged = { [key]: { token_id: 'x', token_name: 'bulwark' } };
        const one = await post(ev({ metadata: forged }));
        expect(one.statusCode).toBe(400);
        expect(one.json().field).toBe(`metadata.${key}`);
        expect(one.json().message).toBe(
          `metadata.${key}: is set by the server (the token that submitted the event) and cannot be supplied`,
        );
        const batch = await post({ events: [ev(), ev({ metadata: forged })] });
        expect(batch.statusCode).toBe(400);
        expect(batch.json().field).toBe(`events.1.metadata.${key}`);
      },
    );

    it("leaves Bulwark's own entries unstamped (token.create, authorization refusals)", async () => {
      await t.app.inject({ method: 'GET', url: '/security/logs' }); // a 401, audited
      const items = (await get('/security/logs?limit=500&order=asc')).json().items as Array<{
        action: string;
        event_type: string;
        metadata: Record<string, unknown>;
      }>;
      const own = items.filter(
        (i) => i.action.startsWith('token.') || i.event_type === 'authorization_violation',
      );
      expect(own.length).toBeGreaterThanOrEqual(4);
      for (const i of own) expect(i.metadata).not.toHaveProperty('submitted_by');
    });
  });

  describe('event timestamps', () => {
    it.each([
      ['9999-12-31T00:00:00Z', 'timestamp: is more than 5 minutes in the future'],
      [NOW + 5 * 60_000 + 1, 'timestamp: is more than 5 minutes in the future'],
      ['1970-01-01T00:00:00Z', 'timestamp: is before 2000-01-01T00:00:00Z'],
      [0, 'timestamp: is before 2000-01-01T00:00:00Z'],
      ['1999-12-31T23:59:59.999Z', 'timestamp: is before 2000-01-01T00:00:00Z'],
    ])('refuses %j', async (timestamp, message) => {
      const r = await post(ev({ timestamp }));
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ code: 'validation_failed', field: 'timestamp', message });
    });

    it('accepts up to 5 minutes ahead and from 2000-01-01; names the event in a batch', async () => {
      expect((await post(ev({ timestamp: NOW + 5 * 60_000 }))).statusCode).toBe(201);
      expect((await post(ev({ timestamp: '2000-01-01T00:00:00Z' }))).statusCode).toBe(201);
      const r = await post({ events: [ev({ timestamp: NOW }), ev({ timestamp: '9999-12-31T00:00:00Z' })] });
      expect(r.statusCode).toBe(400);
      expect(r.json().message).toBe('events.1.timestamp: is more than 5 minutes in the future');
    });

    it('applies the same rule to /auth/attempts at', async () => {
      const r = await t.app.inject({
        method: 'POST',
        url: '/auth/attempts',
        headers: bearer(t.tokens.write),
        payload: { source_ip: '192.0.2.1', result: 'success', at: '1970-01-01T00:00:00Z' },
      });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ field: 'at', message: 'at: is before 2000-01-01T00:00:00Z' });
    });
  });

  describe('verify and proof ranges', () => {
    it('refuses a verify range past the head, naming the head (the tester saw ok:true, checked:0)', async () => {
      const h = await head();
      const r = await get('/security/logs/verify?from=100000&to=200000');
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({
        code: 'validation_failed',
        field: 'from',
        message: `from: is past the head of the audit log (seq ${h})`,
      });
      const to = await get(`/security/logs/verify?to=${h + 1}`);
      expect(to.statusCode).toBe(400);
      expect(to.json().message).toBe(`to: is past the head of the audit log (seq ${h})`);
      const last = await get(`/security/logs/verify?from=${h}&to=${h}`);
      expect(last.statusCode).toBe(200);
      expect(last.json()).toMatchObject({ ok: true, from: h, to: h, checked: 1 });
    });

    it('names the fields, not CLI flags, when from is after to', async () => {
      const r = await get('/security/logs/verify?from=5&to=2');
      expect(r.statusCode).toBe(400);
      expect(r.json().message).toBe('from: must not be after to');
    });

    it('answers validation_failed for a proof of seq 0 and of a seq past the head', async () => {
      const h = await head();
      const zero = await get('/security/logs/0/proof');
      expect(zero.statusCode).toBe(400);
      expect(zero.json()).toMatchObject({ code: 'validation_failed', field: 'seq' });
      const past = await get(`/security/logs/${h + 1}/proof`);
      expect(past.statusCode).toBe(400);
      expect(past.json()).toMatchObject({
        code: 'validation_failed',
        field: 'seq',
        message: `seq: is past the head of the audit log (seq ${h})`,
      });
    });
  });

  describe('messages', () => {
    it('gives limit=0 and limit=-1 the same message', async () => {
      for (const limit of ['0', '-1', '501', 'abc']) {
        const r = await get(`/security/logs?limit=${limit}`);
        expect(r.statusCode).toBe(400);
        expect(r.json().message).toBe('limit: must be a whole number from 1 to 500');
      }
    });

    it('refuses since after until on the list, as verify refuses from after to', async () => {
      const r = await get('/security/logs?since=2026-01-15T12:00:00Z&until=2026-01-15T11:00:00Z');
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ field: 'until', message: 'until: must be later than since' });
    });

    it("labels a single event's errors with its own fields, a batch's with events.<i>", async () => {
      const bad = { event_type: 'nope', source_ip: 'x', action: '', outcome: 'allowed' };
      const one = (await post(bad)).json();
      expect(one.field).toBe('event_type');
      expect(one.message).toMatch(/^event_type: must be one of /);
      expect(one.details.issues.map((i: { field: string }) => i.field)).toEqual([
        'event_type',
        'source_ip',
        'action',
      ]);
      const batch = (await post({ events: [bad] })).json();
      expect(batch.field).toBe('events.0.event_type');
      expect(batch.details.issues.map((i: { field: string }) => i.field)).toEqual([
        'events.0.event_type',
        'events.0.source_ip',
        'events.0.action',
      ]);
    });

    it('lists each field once (cve and advisory_id were listed twice)', async () => {
      const vuln = await t.app.inject({
        method: 'POST',
        url: '/security/vulnerabilities',
        headers: bearer(t.tokens.write),
        payload: { title: 'x', component: 'c', cve: 'bad', cvss_score: 5 },
      });
      expect(vuln.statusCode).toBe(400);
      expect(vuln.json().details.issues).toEqual([
        { field: 'cve', message: 'must be a CVE id such as CVE-2021-44228' },
      ]);
      const approval = await t.app.inject({
        method: 'POST',
        url: '/security/approvals',
        headers: bearer(t.tokens.admin),
        payload: { advisory_id: 'bad id', reason: 'r', approver: 'a', expires: '2026-02-01' },
      });
      expect(approval.statusCode).toBe(400);
      expect(approval.json().details.issues.map((i: { field: string }) => i.field)).toEqual(['advisory_id']);
    });
  });
});

describe('reserved action prefixes', () => {
  it("cover every dotted action Bulwark writes itself (so a new emitter's namespace is not forgotten)", () => {
    const root = path.resolve(__dirname, '../../src');
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = path.join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) files.push(p);
      }
    };
    walk(root);
    const actions = new Set<string>();
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/action: '([a-z_]+\.[a-z_.]+)'/g)) actions.add(m[1]!);
      for (const m of text.matchAll(/report\('([a-z_]+\.[a-z_.]+)'/g)) actions.add(m[1]!);
    }
    expect([...actions]).toEqual(
      expect.arrayContaining(['key.rotate', 'token.create', 'vulnerability.transition']),
    );
    for (const a of actions) expect(reservedActionPrefix(a), a).not.toBeNull();
    expect(RESERVED_ACTION_PREFIXES.length).toBeGreaterThan(0);
  });

  it.each([
    ['key\u200b.rotate', 'a zero-width space'],
    ['\uff4bey.rotate', 'a fullwidth k'],
    ['\u200dtoken.create', 'a leading zero-width joiner'],
    ['vulnerability\u2060.transition', 'a word joiner'],
    ['\u202ekey.rotate', 'a bidi override'],
    ['\uff21pproval.create', 'a fullwidth A'],
  ])('see through look-alikes: %j (%s) is still reserved', (action) => {
    expect(reservedActionPrefix(action)).not.toBeNull();
  });

  it('leave ordinary actions alone', () => {
    for (const a of ['login', 'POST /auth/login', 'keyboard.shortcut', 'tokenize', 'deploy.release'])
      expect(reservedActionPrefix(a), a).toBeNull();
  });
});
