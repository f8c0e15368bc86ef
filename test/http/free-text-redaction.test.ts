/**
 * Every free-text field a user writes and Bulwark stores goes through the audit log's redactor
 * before it is stored, on each SQL backend: the tester's strings (a password assignment and a
 * GitHub token) never come back from the API, the CLI or the database.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { FakeClock, bearer, startTestApp, type TestApp } from '../support/app.js';
import { parsePolicy } from '../../src/core/deps/approvals/policy.js';
import { packageLock } from '../deps/support.js';

const GHP = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';
/** The tester's transition note. */
const NOTE = `password=hunter2Secret! token ${GHP}`;
/** The tester's approval reason. */
const REASON = `token=${GHP}`;
const LEAKS = ['hunter2Secret', GHP];

const expectClean = (value: unknown) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  for (const leak of LEAKS) expect(text).not.toContain(leak);
};

describeEachBackend('free text is redacted before it is stored', (backend) => {
  let t: TestApp;
  const clock = new FakeClock(Date.UTC(2026, 0, 15, 12));
  beforeAll(async () => {
    t = await startTestApp(backend.url(), { clock });
  });
  afterAll(async () => t?.close());

  const send = (method: 'POST' | 'GET', url: string, payload?: object, token = t.tokens.admin) =>
    t.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  /** Every row of a table as JSON text: what the database itself holds. */
  const tableText = async (table: 'vulnerabilities' | 'vulnerability_transitions' | 'approvals') =>
    JSON.stringify(await t.bulwark.store.db.selectFrom(table).selectAll().execute());

  it("redacts a transition note in the history (the tester's note), as its audit copy is", async () => {
    const v = await send('POST', '/security/vulnerabilities', {
      title: 'Log4Shell',
      component: 'log4j-core@2.14.1',
      cvss_score: 9.8,
      cwes: ['CWE-502'],
    });
    expect(v.statusCode, v.body).toBe(201);
    const r = await send('POST', `/security/vulnerabilities/${v.json().id}/transitions`, {
      to: 'in_progress',
      note: NOTE,
    });
    expect(r.statusCode).toBe(201);
    expect(r.json().transition.note).toMatch(
      /^password=\[REDACTED:password[^\]]*\] token \[REDACTED:github_token[^\]]*\]$/,
    );
    expectClean(r.json());
    const history = (await send('GET', `/security/vulnerabilities/${v.json().id}`)).json().history;
    expect(history[0].note).toBe(r.json().transition.note);
    expectClean(await tableText('vulnerability_transitions'));
  });

  it('redacts title, description, remediation, component and the override reason of a vulnerability', async () => {
    const r = await send('POST', '/security/vulnerabilities', {
      title: `Leaked ${GHP}`,
      description: `line one\n${NOTE}\nline three`,
      remediation: `rotate it: ${NOTE}`,
      component: `svc-${GHP}`,
      cvss_score: 5,
      cwes: ['CWE-798'],
      severity: 'critical',
      severity_override_reason: `escalated, ${NOTE}`,
    });
    expect(r.statusCode, r.body).toBe(201);
    const v = r.json();
    expectClean(v);
    expect(v.title).toMatch(/^Leaked \[REDACTED:github_token/);
    expect(v.description.split('\n')).toHaveLength(3); // line breaks are kept
    expectClean((await send('GET', `/security/vulnerabilities/${v.id}`)).json());
    expectClean(await tableText('vulnerabilities'));
  });

  it("redacts an approval reason (the tester's reason) in the response, the list and the table", async () => {
    const r = await send('POST', '/security/approvals', {
      advisory_id: 'GHSA-jf85-cpcp-j695',
      reason: REASON,
      approver: 'alice@example.com',
      expires: '2026-02-01',
    });
    expect(r.statusCode).toBe(201);
    expect(r.json().reason).toMatch(/^token=\[REDACTED:github_token/);
    // The approver is an identity, kept as given (like an audit entry's user_id).
    expect(r.json().approver).toBe('alice@example.com');
    const list = (await send('GET', '/security/approvals')).json();
    expectClean(list);
    expect(JSON.stringify(list)).toContain('[REDACTED:github_token');
    expectClean(await tableText('approvals'));
  });

  it('redacts the reason of a policy-file approval before the scan stores it', async () => {
    const policy = parsePolicy(
      'bulwark.toml',
      `[[approvals]]\nid = "GHSA-aaaa-bbbb-cccc"\nreason = "${REASON}"\napprover = "bob"\nexpires = 2026-02-01\n`,
    );
    const report = await t.bulwark.dependencies.scan(
      [{ path: 'package-lock.json', content: packageLock() }],
      { requestedBy: 'test', policy },
    );
    expect(report.approvals.unused.filter((a) => a.source === 'policy').map((a) => a.reason)).toEqual([
      expect.stringMatching(/^token=\[REDACTED:github_token/),
    ]);
    expectClean((await send('GET', `/security/scans/${report.scan_id}`)).json());
    expectClean(JSON.stringify(await t.bulwark.store.db.selectFrom('scans').selectAll().execute()));
  });

  it('redacts a review title', async () => {
    const r = await send('POST', '/security/reviews', {
      category: 'A01',
      kind: 'control',
      title: `access checks reviewed; ${NOTE}`,
    });
    expect(r.statusCode).toBe(201);
    expectClean(r.json());
    expectClean(JSON.stringify(await t.bulwark.store.db.selectFrom('owasp_reviews').selectAll().execute()));
  });

  it("redacts an attempt's failure_text before it is stored", async () => {
    const r = await send(
      'POST',
      '/auth/attempts',
      { source_ip: '192.0.2.9', result: 'failure', failure_reason: 'other', failure_text: NOTE },
      t.tokens.write,
    );
    expect(r.statusCode).toBe(200);
    const rows = await t.bulwark.store.db.selectFrom('authentication_attempts').selectAll().execute();
    const row = rows.find((a) => a.source_ip === '192.0.2.9')!;
    expect(row.failure_detail).toMatch(/^password=\[REDACTED:password/);
    expectClean(JSON.stringify(rows));
  });

  it('redacts key rotation notes', async () => {
    await send('POST', '/keys', { name: 'orders.pii', type: 'aes256-gcm' });
    const r = await send('POST', '/auth/rotate-keys', { key_name: 'orders.pii', notes: NOTE });
    expect(r.statusCode).toBe(202);
    expectClean(r.json());
    expectClean((await send('GET', '/keys/orders.pii/rotations')).json());
    expectClean(
      JSON.stringify(await t.bulwark.store.db.selectFrom('key_rotation_events').selectAll().execute()),
    );
  });

  it('refuses a token name the redactor would change (a name is an identifier, not a place for a secret)', async () => {
    const actor = { id: 'test', ip: '127.0.0.1' };
    for (const name of [GHP, 'ci@example.com'])
      await expect(t.bulwark.tokens.create({ scope: 'read', name }, actor)).rejects.toMatchObject({
        code: 'validation_failed',
        field: 'name',
      });
    expectClean(JSON.stringify(await t.bulwark.store.db.selectFrom('api_tokens').selectAll().execute()));
    expect((await t.bulwark.tokens.create({ scope: 'read', name: 'ci-deploy' }, actor)).record.name).toBe(
      'ci-deploy',
    );
  });
});
