/**
 * Bad input as a new user would send it: each gets a 4xx with a message naming the field, never a
 * 5xx, and the stored rows stay exactly as they were.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, startTestApp, type TestApp } from '../support/app.js';
import { describeEachBackend } from '../support/backends.js';

const VECTOR = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'; // 9.8
const valid = {
  title: 'SQL injection in search',
  component: 'search-api',
  cvss_vector: VECTOR,
  owasp_category: 'A05',
};

describeEachBackend('HTTP bad input', (backend) => {
  let t: TestApp;
  let existingId: string;

  beforeAll(async () => {
    t = await startTestApp(backend.url());
    const res = await t.app.inject({
      method: 'POST',
      url: '/security/vulnerabilities',
      headers: bearer(t.tokens.write),
      payload: valid,
    });
    expect(res.statusCode).toBe(201);
    existingId = res.json().id;
  });
  afterAll(() => t.close());

  const snapshot = async () =>
    (await sql`select * from vulnerabilities order by id`.execute(t.bulwark.store.db)).rows;
  const post = (payload: unknown, raw = false) =>
    t.app.inject({
      method: 'POST',
      url: '/security/vulnerabilities',
      headers: { ...bearer(t.tokens.write), 'content-type': 'application/json' },
      payload: raw ? (payload as string) : JSON.stringify(payload),
    });

  const cases: [string, unknown, string, boolean?][] = [
    ['malformed JSON', '{"title": "x",', 'body', true],
    ['NaN literal', '{"title":"x","component":"y","cvss_score":NaN,"owasp_category":"A01"}', 'body', true],
    [
      'Infinity literal',
      '{"title":"x","component":"y","cvss_score":Infinity,"owasp_category":"A01"}',
      'body',
      true,
    ],
    ['empty body', '', 'body', true],
    ['JSON array', [], 'input'],
    ['JSON string', 'hello', 'input'],
    ['title of wrong type', { ...valid, title: 42 }, 'title'],
    [
      'score as string',
      { title: 'x', component: 'y', cvss_score: '7.5', owasp_category: 'A01' },
      'cvss_score',
    ],
    [
      'score NaN as string',
      { title: 'x', component: 'y', cvss_score: 'NaN', owasp_category: 'A01' },
      'cvss_score',
    ],
    ['score 10.05', { title: 'x', component: 'y', cvss_score: 10.05, owasp_category: 'A01' }, 'cvss_score'],
    ['score -0.1', { title: 'x', component: 'y', cvss_score: -0.1, owasp_category: 'A01' }, 'cvss_score'],
    ['score 1e308', { title: 'x', component: 'y', cvss_score: 1e308, owasp_category: 'A01' }, 'cvss_score'],
    ['score 0.0', { title: 'x', component: 'y', cvss_score: 0, owasp_category: 'A01' }, 'cvss_score'],
    ['score 7.55', { title: 'x', component: 'y', cvss_score: 7.55, owasp_category: 'A01' }, 'cvss_score'],
    ['unknown field', { ...valid, admin: true }, 'admin'],
    [
      'prototype key',
      '{"title":"x","component":"y","cvss_score":5,"owasp_category":"A01","__proto__":{"polluted":1}}',
      '__proto__',
      true,
    ],
    ['huge title', { ...valid, title: 'x'.repeat(100_000) }, 'title'],
    ['invalid CVSS vector', { ...valid, cvss_vector: 'CVSS:3.1/AV:X/AC:L' }, 'cvss_vector'],
    ['CVSS vector missing metrics', { ...valid, cvss_vector: 'CVSS:3.1/AV:N/AC:L/PR:N' }, 'cvss_vector'],
    ['CVSS 2 vector', { ...valid, cvss_vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P' }, 'cvss_vector'],
    ['vector and disagreeing score', { ...valid, cvss_score: 5.0 }, 'cvss_score'],
    ['unknown category', { ...valid, owasp_category: 'A11' }, 'owasp_category'],
    ['category of unknown edition', { ...valid, owasp_category: 'A01:2017' }, 'owasp_category'],
    ['no category and no CWE', { title: 'x', component: 'y', cvss_vector: VECTOR }, 'owasp_category'],
    ['bad CVE id', { ...valid, cve: 'CVE-21-1' }, 'cve'],
    ['severity override without reason', { ...valid, severity: 'low' }, 'severity_override_reason'],
    ['missing component', { title: 'x', cvss_vector: VECTOR, owasp_category: 'A01' }, 'component'],
    ['control characters in title', { ...valid, title: 'line1\nforged: line2' }, 'title'],
    [
      'SQL injection in category',
      { ...valid, owasp_category: "A01'; DROP TABLE vulnerabilities; --" },
      'owasp_category',
    ],
  ];

  it.each(cases)('%s → 4xx naming the field, nothing stored', async (_name, payload, field, raw) => {
    const before = await snapshot();
    const res = await post(payload, raw);
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    const body = res.json();
    expect(typeof body.code).toBe('string');
    expect(body.message).toContain(field === 'body' ? 'body' : field);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
    expect(await snapshot()).toEqual(before);
  });

  it('refuses bodies over 256 KiB with 413', async () => {
    const res = await post({ ...valid, description: 'x'.repeat(300 * 1024) });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ code: 'payload_too_large', message: 'request body is too large' });
  });

  it('refuses a non-JSON content type with 415', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/security/vulnerabilities',
      headers: { ...bearer(t.tokens.write), 'content-type': 'text/xml' },
      payload: '<x/>',
    });
    expect(res.statusCode).toBe(415);
  });

  it('refuses bad transitions, ids and queries with the field named', async () => {
    const before = await snapshot();
    const tr = (id: string, payload: unknown) =>
      t.app.inject({
        method: 'POST',
        url: `/security/vulnerabilities/${id}/transitions`,
        headers: bearer(t.tokens.write),
        payload: payload as object,
      });
    expect((await tr(existingId, { to: 'resolved' })).statusCode).toBe(409);
    expect((await tr(existingId, { to: 'done' })).json()).toMatchObject({
      code: 'validation_failed',
      field: 'to',
    });
    expect((await tr(existingId, {})).json()).toMatchObject({ field: 'to' });
    expect((await tr('not-a-uuid', { to: 'in_progress' })).json()).toMatchObject({ field: 'id' });
    expect((await tr('01890a5d-ac96-774b-bcce-b302099a8057', { to: 'in_progress' })).statusCode).toBe(404);
    const get = (q: string) =>
      t.app.inject({ method: 'GET', url: `/security/vulnerabilities?${q}`, headers: bearer(t.tokens.read) });
    expect((await get('limit=0')).json()).toMatchObject({ field: 'limit' });
    expect((await get('limit=abc')).json()).toMatchObject({ field: 'limit' });
    expect((await get('cursor=%27%20OR%201%3D1')).json()).toMatchObject({ field: 'cursor' });
    expect((await get('status=open&bogus=1')).json()).toMatchObject({ field: 'bogus' });
    expect((await get(`q=${encodeURIComponent("' OR 1=1 --")}`)).json()).toEqual({
      items: [],
      next_cursor: null,
    });
    expect(await snapshot()).toEqual(before);
  });

  it('answers unknown routes with the catalogue error and the security headers', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'route_not_found' });
    for (const h of [
      'content-security-policy',
      'strict-transport-security',
      'x-content-type-options',
      'referrer-policy',
    ]) {
      expect(res.headers[h], h).toBeTruthy();
    }
    expect(res.headers['x-frame-options']).toBe('DENY');
  });
});
