/**
 * An approval's identifiers (approver, package, dependency path) are stored and shown as given, so
 * what the redactor's secret rules would change is refused (an e-mail approver stays readable), and
 * a package must be an npm or crates.io name. A lockfile version that is no version is a 422.
 * HTTP, on each backend.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, FakeClock, startTestApp, type TestApp } from '../support/app.js';
import { describeEachBackend } from '../support/backends.js';
import { advisorySet, packageLock, writeAdvisoryDir } from './support.js';

const S = 'password=hunter2Secret! token ghp_0123456789abcdefghijABCDEFGHIJ012345';
const TOKEN = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';

describeEachBackend('approval identifiers and lockfile versions', (backend) => {
  let t: TestApp;
  const clock = new FakeClock(Date.UTC(2026, 0, 3, 12));
  beforeAll(async () => {
    t = await startTestApp(backend.url(), { clock });
    await t.bulwark.advisories.importPath(writeAdvisoryDir(advisorySet()));
  });
  afterAll(() => t.close());

  const post = (url: string, payload: unknown) =>
    t.app.inject({ method: 'POST', url, headers: bearer(t.tokens.admin), payload: payload as object });
  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: bearer(t.tokens.read) });
  const base = { advisory_id: 'GHSA-jf85-cpcp-j695', reason: 'r', expires: '2027-01-01' };

  it('refuses an approver, package or path holding a secret, and a package that is no package name; stores nothing', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ approver: S }, 'approver', /approver: looks like a secret/],
      [{ approver: TOKEN }, 'approver', /approver: looks like a secret/],
      [{ approver: 'a', package: S }, 'package', /package: must be an npm package name/],
      [{ approver: 'a', package: 'lodash utils' }, 'package', /package: must be an npm package name/],
      [{ approver: 'a', package: '@scope' }, 'package', /package: must be an npm package name/],
      // Syntactically a crate name, but a GitHub token: still refused.
      [{ approver: 'a', package: TOKEN }, 'package', /package: looks like a secret/],
      [{ approver: 'a', dep_path: `express > ${S}` }, 'dep_path', /dep_path: must be package names/],
      [{ approver: 'a', dep_path: `express@${S}` }, 'dep_path', /dep_path: looks like a secret/],
    ];
    for (const [extra, field, message] of cases) {
      const r = await post('/security/approvals', { ...base, ...extra });
      expect(r.statusCode, r.body).toBe(400);
      const body = r.json();
      expect(body).toMatchObject({ code: 'validation_failed', field });
      expect(body.message).toMatch(message);
      expect(r.body).not.toContain('hunter2');
      expect(r.body).not.toContain(TOKEN);
    }
    const list = await get('/security/approvals?include_revoked=true');
    expect(list.json().items).toEqual([]);
  });

  it('keeps an e-mail approver readable and takes npm (scoped) and crates.io package names', async () => {
    for (const pkg of ['lodash', '@babel/core', 'serde_json', 'JSONStream']) {
      const r = await post('/security/approvals', { ...base, approver: 'alice@example.com', package: pkg });
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json()).toMatchObject({ approver: 'alice@example.com', package: pkg });
    }
    const items = (await get('/security/approvals')).json().items as { approver: string; package: string }[];
    expect(items.map((i) => i.package).sort()).toEqual(['@babel/core', 'JSONStream', 'lodash', 'serde_json']);
    expect(items.every((i) => i.approver === 'alice@example.com')).toBe(true);
    for (const i of items as unknown as { id: string }[])
      await t.app.inject({
        method: 'DELETE',
        url: `/security/approvals/${i.id}`,
        headers: bearer(t.tokens.admin),
      });
  });

  it('refuses a policy approval whose approver or package holds a secret, before any scan', async () => {
    const before = (await get('/security/dependencies')).json().scan_id;
    const files = [{ name: 'package-lock.json', content: packageLock() }];
    const entry = (extra: string) =>
      `[[approvals]]\nid = "GHSA-jf85-cpcp-j695"\nreason = "r"\nexpires = 2027-01-01\n${extra}\n`;
    const cases: [string, RegExp][] = [
      [`approver = "${S}"`, /policy: approvals\.0\.approver: looks like a secret/],
      [`approver = "a"\npackage = "${S}"`, /policy: approvals\.0\.package: must be an npm package name/],
      [`approver = "a"\npackage = "${TOKEN}"`, /policy: approvals\.0\.package: looks like a secret/],
    ];
    for (const [extra, message] of cases) {
      const r = await post('/security/scans', { files, policy: entry(extra) });
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().code).toBe('validation_failed');
      expect(r.json().message).toMatch(message);
      expect(r.body).not.toContain('hunter2');
    }
    const ok = await post('/security/scans', { files, policy: entry('approver = "alice@example.com"') });
    expect(ok.statusCode, ok.body).toBe(202);
    await t.bulwark.dependencies.drain();
    expect((await get('/security/dependencies')).json().scan_id).not.toBe(before);
  });

  it('a lockfile version that is not a version is a 422 naming the file, package and field; nothing stored', async () => {
    const before = (await get('/security/dependencies')).json().scan_id;
    const content = JSON.stringify({
      name: 'app',
      lockfileVersion: 3,
      packages: { '': { name: 'app' }, 'node_modules/lodash': { version: 'password=hunter2Secret!' } },
    });
    const r = await post('/security/scans', { files: [{ name: 'package-lock.json', content }] });
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json()).toMatchObject({
      code: 'unprocessable',
      message: 'cannot parse lockfile package-lock.json: package lodash: version is not a valid npm version',
      details: { file: 'package-lock.json', package: 'lodash', field: 'version' },
    });
    expect(r.body).not.toContain('hunter2');
    expect((await get('/security/dependencies')).json().scan_id).toBe(before);
    const reg = await get('/security/vulnerabilities?limit=100');
    expect(reg.body).not.toContain('hunter2');
  });
});
