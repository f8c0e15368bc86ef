/**
 * Faults found by trying the API as a new user: every answer keeps the catalogue's body and the
 * security headers, and no text field can carry characters that the store would refuse or alter.
 */
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, startTestApp, type TestApp } from '../support/app.js';
import { describeEachBackend } from '../support/backends.js';

const VECTOR = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
const valid = { title: 'XSS in profile', component: 'profile', cvss_vector: VECTOR, owasp_category: 'A05' };

const expectSecurityHeaders = (headers: Record<string, unknown>) => {
  for (const h of [
    'content-security-policy',
    'strict-transport-security',
    'x-content-type-options',
    'referrer-policy',
  ]) {
    expect(headers[h], h).toBeTruthy();
  }
  expect(headers['x-frame-options']).toBe('DENY');
};

describeEachBackend('HTTP protocol edges', (backend) => {
  let t: TestApp;
  let id: string;
  beforeAll(async () => {
    t = await startTestApp(backend.url());
    id = (
      await t.app.inject({
        method: 'POST',
        url: '/security/vulnerabilities',
        headers: bearer(t.tokens.write),
        payload: valid,
      })
    ).json().id;
  });
  afterAll(() => t.close());

  const rows = async () =>
    (await sql`select * from vulnerabilities order by id`.execute(t.bulwark.store.db)).rows;

  it.each([
    ['NUL', 'a\u0000b'],
    ['C1 control', 'a\u0085b'],
    ['bidi override', 'safe\u202eexe.txt'],
    ['lone surrogate', 'x\ud800y'],
    ['escape sequence', 'a\u001b[2Jb'],
  ])('refuses %s in every text input, naming the field, with no 5xx', async (_name, bad) => {
    const before = await rows();
    const attempts = [
      { method: 'POST', url: '/security/vulnerabilities', payload: { ...valid, title: bad }, field: 'title' },
      {
        method: 'POST',
        url: '/security/vulnerabilities',
        payload: { ...valid, remediation: bad },
        field: 'remediation',
      },
      {
        method: 'POST',
        url: `/security/vulnerabilities/${id}/transitions`,
        payload: { to: 'in_progress', note: bad },
        field: 'note',
      },
      {
        method: 'POST',
        url: '/security/reviews',
        payload: { category: 'A01', kind: 'control', title: bad },
        field: 'title',
      },
      // A lone surrogate has no UTF-8 form, so it cannot travel in a URL at all.
      ...(bad.includes('\ud800')
        ? []
        : [
            { method: 'GET', url: `/security/vulnerabilities?q=${encodeURIComponent(bad)}`, field: 'q' },
            {
              method: 'GET',
              url: `/security/vulnerabilities?component=${encodeURIComponent(bad)}`,
              field: 'component',
            },
          ]),
    ] as const;
    for (const a of attempts) {
      const res = await t.app.inject({
        method: a.method,
        url: a.url,
        headers: bearer(t.tokens.admin),
        ...('payload' in a ? { payload: a.payload } : {}),
      });
      expect(res.statusCode, `${a.method} ${a.url}`).toBe(400);
      expect(res.json(), a.url).toMatchObject({ code: 'validation_failed', field: a.field });
    }
    expect(await rows()).toEqual(before);
    expect((await t.bulwark.vulnerabilities.history(id)).length).toBe(0);
  });

  it('answers 405 with Allow for a method the route does not serve', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH'] as const) {
      const res = await t.app.inject({
        method,
        url: '/security/vulnerabilities',
        headers: bearer(t.tokens.admin),
      });
      expect(res.statusCode, method).toBe(405);
      expect(res.json()).toMatchObject({ code: 'method_not_allowed' });
      expect(res.headers.allow).toBe('GET, POST, HEAD');
      expectSecurityHeaders(res.headers);
    }
    const get = await t.app.inject({
      method: 'POST',
      url: '/security/posture',
      headers: bearer(t.tokens.admin),
    });
    expect(get.statusCode).toBe(405);
    expect(get.headers.allow).toBe('GET, HEAD');
  });

  it('refuses non-JSON and compressed bodies with 415', async () => {
    const text = await t.app.inject({
      method: 'POST',
      url: '/security/vulnerabilities',
      headers: { ...bearer(t.tokens.write), 'content-type': 'text/plain' },
      payload: JSON.stringify(valid),
    });
    expect(text.statusCode).toBe(415);
    for (const [encoding, body] of [
      ['gzip', gzipSync(JSON.stringify(valid))],
      ['br', Buffer.from(JSON.stringify(valid))],
    ] as const) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/security/vulnerabilities',
        headers: {
          ...bearer(t.tokens.write),
          'content-type': 'application/json',
          'content-encoding': encoding,
        },
        payload: body,
      });
      expect(res.statusCode, encoding).toBe(415);
      expect(res.json()).toMatchObject({ code: 'unsupported_media_type' });
    }
  });

  it('answers malformed URLs in the catalogue shape with the security headers', async () => {
    for (const url of [
      '/security/vulnerabilities/%',
      '/security/vulnerabilities/%zz',
      `/security/vulnerabilities/${'a'.repeat(5000)}`,
    ]) {
      const res = await t.app.inject({ method: 'GET', url, headers: bearer(t.tokens.read) });
      expect(res.statusCode, url.slice(0, 40)).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(typeof res.json().code).toBe('string');
      expectSecurityHeaders(res.headers);
    }
  });

  it('reads the bearer scheme as RFC 6750 and 9110 say: any case, one or more spaces, nothing else', async () => {
    const tok = t.tokens.read;
    const status = async (authorization: string) =>
      (await t.app.inject({ method: 'GET', url: '/security/posture', headers: { authorization } }))
        .statusCode;
    for (const ok of [
      `Bearer ${tok}`,
      `bearer ${tok}`,
      `BEARER ${tok}`,
      `Bearer  ${tok}`,
      `Bearer    ${tok}`,
    ])
      expect(await status(ok), JSON.stringify(ok.replace(tok, 'TOKEN'))).toBe(200);
    for (const bad of [`Bearer\t${tok}`, `Bearer${tok}`, `Basic ${tok}`, `Bearer ${tok}x!`])
      expect(await status(bad), JSON.stringify(bad.replace(tok, 'TOKEN'))).toBe(401);
  });

  it('refuses an OWASP review whose category names another edition than the one given', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/security/reviews',
      headers: bearer(t.tokens.write),
      payload: { category: 'A03:2021', edition: '2025', kind: 'control', title: 'x' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ field: 'category' });
    const ok = await t.app.inject({
      method: 'POST',
      url: '/security/reviews',
      headers: bearer(t.tokens.write),
      payload: { category: 'A03:2021', kind: 'control', title: 'parameterised queries' },
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ category: 'A03', edition: '2021' });
    expect(ok.json().at).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/);
  });

  it('stores a score as one decimal and accepts ISO 8601 discovery times', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/security/vulnerabilities',
      headers: bearer(t.tokens.write),
      payload: {
        title: 'x',
        component: 'y',
        cvss_score: 3.3000000000000003,
        owasp_category: 'A01',
        discovered_at: '2026-01-10T00:00:00Z',
      },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ cvss_score: 3.3, discovered_at: '2026-01-10T00:00:00.000Z' });
    const back = await t.app.inject({
      method: 'GET',
      url: `/security/vulnerabilities/${res.json().id}`,
      headers: bearer(t.tokens.read),
    });
    expect(back.json().cvss_score).toBe(3.3);
  });

  it('says how to authenticate on 401 and names limit errors plainly', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/security/posture' });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="bulwark"');
    for (const q of [
      'limit=99999999999999999999',
      'limit=0x10',
      'limit=1e2',
      'limit=%2B5',
      'limit=1&limit=2',
      'limit=501',
    ]) {
      const r = await t.app.inject({
        method: 'GET',
        url: `/security/vulnerabilities?${q}`,
        headers: bearer(t.tokens.read),
      });
      expect(r.statusCode, q).toBe(400);
      expect(r.json().field, q).toBe('limit');
      expect(r.json().message, q).not.toContain('9007199254740991');
    }
  });
});

it('answers HTTP parser errors with the catalogue body and the security headers', async () => {
  const t = await startTestApp('sqlite::memory:');
  try {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (t.app.server.address() as { port: number }).port;
    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(request));
        let data = '';
        socket.on('data', (d) => (data += d.toString()));
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
      });
    const badLength = await raw(
      'POST /security/vulnerabilities HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
    );
    const bigHeader = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    for (const [name, res] of [
      ['bad content-length', badLength],
      ['oversized header', bigHeader],
    ] as const) {
      expect(res, name).toMatch(/^HTTP\/1\.1 4\d\d /);
      expect(res, name).toContain('x-frame-options: DENY');
      expect(res, name).toContain('content-security-policy:');
      expect(JSON.parse(res.slice(res.indexOf('\r\n\r\n') + 4)).code, name).toBeTruthy();
    }
    expect(bigHeader).toMatch(/^HTTP\/1\.1 431 /);
    // 431 has its own catalogue code (not payload_too_large, which is 413).
    expect(JSON.parse(bigHeader.slice(bigHeader.indexOf('\r\n\r\n') + 4)).code).toBe('headers_too_large');
  } finally {
    await t.close();
  }
});
