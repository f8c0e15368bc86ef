/**
 * The dependency-scanning HTTP API on each backend: 202 + background scan, the scan's status and
 * results, /security/dependencies with filters and cursor pages, approvals (audited), the route's
 * own body limit, and bad input (4xx naming the field, nothing stored).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, FakeClock, startTestApp, type TestApp } from '../support/app.js';
import { describeEachBackend } from '../support/backends.js';
import { advisorySet, CARGO_LOCK, packageLock, writeAdvisoryDir } from './support.js';

describeEachBackend('dependency scanning API', (backend) => {
  let t: TestApp;
  const clock = new FakeClock(Date.UTC(2026, 0, 3, 12));
  beforeAll(async () => {
    t = await startTestApp(backend.url(), { clock });
    await t.bulwark.advisories.importPath(writeAdvisoryDir(advisorySet()));
  });
  afterAll(() => t.close());

  const post = (url: string, payload: unknown, token = t.tokens.admin) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: bearer(token),
      payload: payload as Record<string, unknown>,
    });
  const get = (url: string, token = t.tokens.read) =>
    t.app.inject({ method: 'GET', url, headers: bearer(token) });

  const files = [
    { name: 'package-lock.json', content: packageLock() },
    { name: 'rust/Cargo.lock', content: CARGO_LOCK },
  ];

  async function waitDone(id: string) {
    await t.bulwark.dependencies.drain();
    const r = await get(`/security/scans/${id}`);
    expect(r.statusCode).toBe(200);
    return r.json();
  }

  let scanId: string;

  it('POST /security/scans answers 202 with a scan id; the scan completes in the background', async () => {
    const r = await post('/security/scans', { files });
    expect(r.statusCode, r.body).toBe(202);
    const body = r.json();
    expect(body).toMatchObject({ status: 'queued', location: `/security/scans/${body.id}` });
    expect(r.headers.location).toBe(`/security/scans/${body.id}`);
    scanId = body.id;
    const scan = await waitDone(scanId);
    expect(scan).toMatchObject({
      id: scanId,
      status: 'done',
      requested_by: 'token:test-admin',
      lockfiles: ['package-lock.json', 'rust/Cargo.lock'],
      error: null,
      summary: { findings: 5, informational: 1, severity_max: 'critical', vulnerabilities: { created: 4 } },
    });
    expect(scan.finished_at).toBe(new Date(clock.now()).toISOString());
    const ids = scan.result.lockfiles
      .flatMap((l: { findings: { id: string }[] }) => l.findings.map((f) => f.id))
      .sort();
    expect(ids).toEqual([
      'GHSA-aaaa-bbbb-cccc',
      'GHSA-mmmm-nnnn-pppp',
      'GHSA-qqqq-rrrr-ssss',
      'RUSTSEC-2099-0001',
      'RUSTSEC-2099-0002',
    ]);
    const linked = scan.result.lockfiles[0].findings.find(
      (f: { id: string }) => f.id === 'GHSA-aaaa-bbbb-cccc',
    );
    const vuln = await get(`/security/vulnerabilities/${linked.vulnerability_id}`);
    expect(vuln.json()).toMatchObject({ component: 'left-pad@1.2.0', owasp_category: 'A03', status: 'open' });

    const health = await get('/security/health');
    expect(health.json().last_scan).toBe(new Date(clock.now()).toISOString());
  });

  it('GET /security/dependencies filters by package, severity, approved, has_cves, with cursor pages', async () => {
    const all = await get('/security/dependencies?limit=500');
    expect(all.statusCode).toBe(200);
    expect(all.json()).toMatchObject({ scan_id: scanId, next_cursor: null });
    expect(all.json().items).toHaveLength(10);
    const lp = (await get('/security/dependencies?package=left-pad')).json().items;
    expect(lp).toEqual([
      expect.objectContaining({
        package: 'left-pad',
        version: '1.2.0',
        cves: ['CVE-2099-0001'],
        severity_max: 'critical',
        approved: false,
        scanned_at: new Date(clock.now()).toISOString(),
        approved_until: null,
      }),
    ]);
    expect(
      (await get('/security/dependencies?severity=high,critical'))
        .json()
        .items.map((m: { package: string }) => m.package)
        .sort(),
    ).toEqual(['left-pad', 'qs', 'time']);
    expect((await get('/security/dependencies?has_cves=false')).json().items).toHaveLength(7);
    const p1 = (await get('/security/dependencies?limit=6')).json();
    const p2 = (await get(`/security/dependencies?limit=6&cursor=${p1.next_cursor}`)).json();
    expect(p2.next_cursor).toBeNull();
    expect(new Set([...p1.items, ...p2.items].map((m: { id: string }) => m.id)).size).toBe(10);
    for (const bad of [
      'approved=yes',
      'severity=urgent',
      'limit=0',
      'scan_id=nope',
      'unknown=1',
      'cursor=abc',
    ]) {
      const r = await get(`/security/dependencies?${bad}`);
      expect(r.statusCode, bad).toBe(400);
      expect(r.json().code).toBe('validation_failed');
    }
  });

  it('approvals: POST (admin, audited) → the next scan approves; GET lists; DELETE revokes', async () => {
    const created = await post('/security/approvals', {
      advisory_id: 'CVE-2099-0001',
      package: 'left-pad',
      reason: 'only in a build script',
      approver: 'alice',
      expires: '2026-03-01',
    });
    expect(created.statusCode, created.body).toBe(201);
    const a = created.json();
    expect(a).toMatchObject({ state: 'active', source: 'api', expires_at: '2026-03-01T23:59:59.999Z' });
    expect(a.warnings).toEqual([]);
    // Issue 5: a malformed id is a 400 naming the field; an unknown well-formed one is stored with a warning.
    const malformed = await post('/security/approvals', {
      advisory_id: 'NOT-AN-ID',
      reason: 'r',
      approver: 'a',
      expires: '2026-03-01',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ code: 'validation_failed', field: 'advisory_id' });
    const tooLong = await post('/security/approvals', {
      advisory_id: 'CVE-2099-0001',
      reason: 'r',
      approver: 'a',
      expires: '2099-01-01',
    });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json()).toMatchObject({ code: 'validation_failed', field: 'expires' });
    // An impossible date is refused, not rolled over into the next month by Date.parse.
    for (const expires of ['2026-02-30', '2026-02-30T12:00:00Z', '2026-04-31T00:00:00+02:00']) {
      const impossible = await post('/security/approvals', {
        advisory_id: 'CVE-2099-0001',
        reason: 'r',
        approver: 'a',
        expires,
      });
      expect(impossible.statusCode, expires).toBe(400);
      expect(impossible.json()).toMatchObject({ code: 'validation_failed', field: 'expires' });
    }
    const unknown = await post('/security/approvals', {
      advisory_id: 'PYSEC-2021-1',
      reason: 'r',
      approver: 'a',
      expires: '2026-03-01',
    });
    expect(unknown.statusCode).toBe(201);
    expect(unknown.json().warnings).toEqual([
      'advisory_id: PYSEC-2021-1 is not in the advisory database; the approval is stored and applies once it is imported',
    ]);
    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/security/approvals/${unknown.json().id}`,
      headers: bearer(t.tokens.admin),
    });
    expect(revoked.statusCode).toBe(204);
    expect(
      (
        await post(
          '/security/approvals',
          { advisory_id: 'OSV-2020-1', reason: 'r', approver: 'a', expires: '2026-03-01' },
          t.tokens.write,
        )
      ).statusCode,
    ).toBe(403);

    const scan = await post('/security/scans', { files });
    await waitDone(scan.json().id);
    const approved = (await get('/security/dependencies?approved=true')).json().items;
    expect(approved.map((m: { package: string; approved_by: string }) => [m.package, m.approved_by])).toEqual(
      [['left-pad', 'alice']],
    );

    const audit = await get('/security/logs?event_type=config_change', t.tokens.read);
    if (audit.statusCode === 200)
      expect(audit.json().items.map((e: { action: string }) => e.action)).toContain('approval.create');
    else {
      const rows = await t.bulwark.audit.list({ event_type: ['config_change'] }, { limit: 50, order: 'asc' });
      expect(rows.items.map((e) => e.action)).toContain('approval.create');
    }

    expect((await get('/security/approvals')).json().items.map((x: { id: string }) => x.id)).toEqual([a.id]);
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/security/approvals/${a.id}`,
      headers: bearer(t.tokens.admin),
    });
    expect(del.statusCode).toBe(204);
    expect(
      (
        await t.app.inject({
          method: 'DELETE',
          url: `/security/approvals/${a.id}`,
          headers: bearer(t.tokens.admin),
        })
      ).statusCode,
    ).toBe(404);
    expect((await get('/security/approvals')).json().items).toEqual([]);
    expect((await get('/security/approvals?include_revoked=true')).json().items[0]).toMatchObject({
      id: a.id,
      state: 'revoked',
    });
    const rows = await t.bulwark.audit.list({ event_type: ['config_change'] }, { limit: 50, order: 'asc' });
    expect(rows.items.map((e) => e.action)).toEqual(
      expect.arrayContaining(['approval.create', 'approval.revoke']),
    );
  });

  it('refuses bad scan requests with a 4xx naming the field, and stores nothing', async () => {
    const before = (await get('/security/dependencies')).json().scan_id;
    const cases: [unknown, number, string | RegExp][] = [
      [{}, 400, 'files'],
      [{ files: [] }, 400, 'files'],
      [{ files: [{ name: 'package-lock.json' }] }, 400, 'files.0.content'],
      [{ files: [{ name: 'a\u0000b', content: 'x' }] }, 400, 'files.0.name'],
      [{ files, extra: true }, 400, 'extra'],
      [
        { files: [{ name: 'package-lock.json', content: '{"lockfileVersion": 3, "packages": ' }] },
        422,
        /cannot parse lockfile package-lock\.json/,
      ],
      [{ files: [{ name: 'notes.txt', content: 'hello' }] }, 422, /not a recognised lockfile/],
      // Wrong-format or unsupported lockfiles: a 422 naming the file, never an empty scan.
      [
        { files: [{ name: 'pnpm-lock.yaml', content: 'name: x\n' }] },
        422,
        /pnpm-lock\.yaml: no "lockfileVersion": expected a pnpm lockfile/,
      ],
      [
        { files: [{ name: 'pnpm-lock.yaml', content: 'lockfileVersion: "99.0"\n' }] },
        422,
        /pnpm-lock\.yaml: unsupported lockfileVersion "99\.0": expected 5\.x, 6\.x or 9\.x/,
      ],
      [
        { files: [{ name: 'package-lock.json', content: '{}' }] },
        422,
        /package-lock\.json: no "lockfileVersion": expected an npm lockfile with lockfileVersion 1, 2 or 3/,
      ],
      [
        { files: [{ name: 'Cargo.lock', content: 'version = 99\n' }] },
        422,
        /Cargo\.lock: unsupported version 99: expected 3 or 4/,
      ],
      // An empty file is the parser's to refuse, as the CLI does (422, not a schema 400).
      [{ files: [{ name: 'package-lock.json', content: '' }] }, 422, /package-lock\.json: empty file/],
      // One bad file refuses the whole request, even beside a good one.
      [{ files: [...files, { name: 'web/yarn.lock', content: '\n' }] }, 422, /web\/yarn\.lock: empty file/],
      [{ files, policy: '[[approvals]]\nid = "X"' }, 400, /policy: approvals\.0/],
    ];
    for (const [payload, status, what] of cases) {
      const r = await post('/security/scans', payload);
      expect(r.statusCode, `${JSON.stringify(payload).slice(0, 80)} → ${r.body}`).toBe(status);
      const body = r.json();
      if (typeof what === 'string') expect(body.field ?? body.message).toContain(what);
      else expect(body.message).toMatch(what);
      if (status === 422) expect(body.code).toBe('unprocessable');
      expect(body.message).not.toMatch(/\n\s+at /);
    }
    expect((await get('/security/scans/01890a5d-ac96-774b-bcce-b302099a8057')).statusCode).toBe(404);
    expect((await get('/security/dependencies')).json().scan_id).toBe(before);
  });

  it('takes lockfiles past the global 256 KiB body limit, up to its own limit', async () => {
    // A real-sized lockfile: ~600 KiB of package-lock v3.
    const packages: Record<string, unknown> = { '': { name: 'big', dependencies: {} } };
    for (let i = 0; i < 4000; i++)
      packages[`node_modules/pkg-${i}`] = {
        version: `1.0.${i}`,
        resolved: `https://registry.npmjs.org/pkg-${i}/-/pkg-${i}-1.0.${i}.tgz`,
        integrity: 'sha512-' + 'A'.repeat(86) + '==',
      };
    const content = JSON.stringify({ name: 'big', lockfileVersion: 3, packages });
    expect(content.length).toBeGreaterThan(256 * 1024);
    const r = await post('/security/scans', { files: [{ name: 'package-lock.json', content }] });
    expect(r.statusCode, r.body.slice(0, 200)).toBe(202);
    expect((await waitDone(r.json().id)).summary.packages).toBe(4000);
    // Over the route's limit: 413, nothing stored.
    const tiny = await (
      await import('../../src/app/bulwark.js')
    ).createBulwark(
      { database_url: 'sqlite::memory:', scan_body_limit_bytes: 1024 },
      { logLevel: 'silent', env: {} },
    );
    const { buildServer } = await import('../../src/http/server.js');
    const app = await buildServer(tiny);
    try {
      const token = (await tiny.tokens.create({ scope: 'admin', name: 'x' }, { id: 't', ip: '127.0.0.1' }))
        .token;
      const big = await app.inject({
        method: 'POST',
        url: '/security/scans',
        headers: bearer(token),
        payload: { files: [{ name: 'package-lock.json', content }] },
      });
      expect(big.statusCode).toBe(413);
      expect(big.json().code).toBe('payload_too_large');
    } finally {
      await app.close();
      await tiny.close();
    }
  });

  it('GET /security/advisories/status shows counts and age', async () => {
    const r = await get('/security/advisories/status');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      advisories: 7,
      withdrawn: 1,
      stale: false,
      newest_modified: '2026-01-01T00:00:00.000Z',
    });
  });
});
