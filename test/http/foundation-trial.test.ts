/**
 * Faults found by a fresh-clone trial of the foundation: each bad input the trial tried, with the
 * answer it must get.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, startTestApp, type TestApp } from '../support/app.js';
import { describeEachBackend } from '../support/backends.js';
import { loggerOptions } from '../../src/app/logger.js';

const VECTOR = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N'; // 6.5 medium

describeEachBackend('foundation trial faults', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend.url());
  });
  afterAll(() => t.close());

  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/security/vulnerabilities',
      headers: { ...bearer(t.tokens.write), 'content-type': 'application/json', ...headers },
      payload: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
    });
  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: bearer(t.tokens.read) });
  const count = async () => (await get('/security/vulnerabilities?limit=500')).json().items.length;

  it('refuses a body that is not valid UTF-8 instead of storing replacement characters', async () => {
    const before = await count();
    const body = Buffer.concat([
      Buffer.from('{"title":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`","component":"c","cvss_vector":"${VECTOR}","owasp_category":"A01"}`),
    ]);
    const res = await post(body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'validation_failed', field: 'body' });
    expect(res.json().message).toMatch(/UTF-8/);
    expect(await count()).toBe(before);
  });

  it('refuses prototype keys at any depth by name, as unknown fields', async () => {
    const res = await post('{"title":"t","component":"c","cwes":[{"constructor":{"prototype":{}}}]}');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'validation_failed', field: 'cwes.0.constructor' });
  });

  it('refuses a severity override reason when nothing is overridden', async () => {
    const res = await post({
      title: 't',
      component: 'c',
      cvss_score: 5,
      owasp_category: 'A01',
      severity_override_reason: 'x',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('severity_override_reason');
  });

  it('returns the category candidates the CWEs map to (CWE-259 is A02 and A07 in 2021)', async () => {
    const res = await post({
      title: 'hard-coded password',
      component: 'c',
      cvss_vector: VECTOR,
      cwes: ['CWE-259'],
      owasp_edition: '2021',
    });
    expect(res.statusCode).toBe(201);
    const v = res.json();
    expect(v.owasp_category).toBe('A02');
    expect(v.owasp_candidates.map((c: { category: string }) => c.category)).toEqual(['A02', 'A07']);
    expect((await get(`/security/vulnerabilities/${v.id}`)).json().owasp_candidates).toHaveLength(2);
  });

  it('filters by category in one edition: A03 means Injection in 2021, supply chain in 2025', async () => {
    const injection2021 = (
      await post({ title: 'sqli', component: 'db', cvss_vector: VECTOR, owasp_category: 'A03:2021' })
    ).json();
    const ids = async (query: string) =>
      (await get(`/security/vulnerabilities?${query}`)).json().items.map((v: { id: string }) => v.id);
    expect(await ids('owasp_category=A03')).not.toContain(injection2021.id); // 2025 by default
    expect(await ids('owasp_category=A03:2021')).toContain(injection2021.id);
    expect(await ids('owasp_category=A03&owasp_edition=2021')).toContain(injection2021.id);
    expect(await ids('owasp_category=A05')).toContain(injection2021.id); // Injection is A05:2025
    for (const [query, field] of [
      ['owasp_category=A03:2021&owasp_edition=2025', 'owasp_category'],
      ['owasp_category=A03:2021,A01:2025', 'owasp_category'],
      ['owasp_edition=2021', 'owasp_edition'],
      ['owasp_category=A11', 'owasp_category'],
    ]) {
      const res = await get(`/security/vulnerabilities?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().field, query).toBe(field);
    }
  });

  it('does not echo an overlong path parameter back', async () => {
    const res = await get(`/security/vulnerabilities/${'a'.repeat(5000)}`);
    expect(res.statusCode).toBe(400);
    expect(res.body.length).toBeLessThan(200);
    expect(res.body).not.toContain('aaaa');
  });

  it('answers TRACE with 405 and Allow, and refuses unknown query parameters on /metrics', async () => {
    const trace = await t.app.inject({ method: 'TRACE', url: '/healthz' });
    expect(trace.statusCode).toBe(405);
    expect(trace.headers.allow).toContain('GET');
    const metrics = await get('/metrics?x=1');
    expect(metrics.statusCode).toBe(400);
    expect(metrics.json().field).toBe('x');
  });

  it('says a missing transition target is required', async () => {
    const v = (await post({ title: 't', component: 'c', cvss_vector: VECTOR, owasp_category: 'A01' })).json();
    const res = await t.app.inject({
      method: 'POST',
      url: `/security/vulnerabilities/${v.id}/transitions`,
      headers: bearer(t.tokens.write),
      payload: {},
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe('to: is required');
  });

  it('names both accepted forms when discovered_at is neither', async () => {
    const res = await post({
      title: 't',
      component: 'c',
      cvss_vector: VECTOR,
      owasp_category: 'A01',
      discovered_at: 'yesterday',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/epoch milliseconds or an ISO 8601 time/);
  });

  it('lists /healthz and /openapi.json in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/healthz', '/openapi.json']));
  });
});

it('logs request paths without their query strings (a credential can ride in one)', () => {
  const serialize = loggerOptions('info').serializers!.req as (req: object) => Record<string, unknown>;
  const logged = serialize({ id: 'r1', method: 'GET', url: '/x?access_token=bwk_secret' });
  expect(logged.url).toBe('/x');
  expect(JSON.stringify(logged)).not.toContain('bwk_secret');
});
