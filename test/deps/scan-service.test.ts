/**
 * The scan service end to end on each SQL backend: advisories imported from OSV files, lockfiles
 * scanned, manifests stored, register rows created and refreshed, approvals applied and audited.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bulwark, createBulwark } from '../../src/app/bulwark.js';
import { parsePolicy } from '../../src/core/deps/approvals/policy.js';
import { describeEachBackend } from '../support/backends.js';
import { FakeClock } from '../support/app.js';
import { advisorySet, CARGO_LOCK, osv, npmAffected, packageLock, writeAdvisoryDir } from './support.js';

const DAY = 86_400_000;
const actor = { id: 'cli:test', ip: '127.0.0.1' };

describeEachBackend('dependency scan service', (backend) => {
  let b: Bulwark;
  let dir: string;
  const clock = new FakeClock(Date.UTC(2026, 0, 3, 12));

  beforeAll(async () => {
    b = await createBulwark({ database_url: backend.url() }, { logLevel: 'silent', env: {}, clock });
    dir = writeAdvisoryDir(advisorySet());
  });
  afterAll(async () => {
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const files = (leftPad = '1.2.0') => [
    { path: 'web/package-lock.json', content: packageLock(leftPad) },
    { path: 'core/Cargo.lock', content: CARGO_LOCK },
  ];

  it('imports a directory of OSV records, idempotently, keeping the history of modified', async () => {
    const first = await b.advisories.importPath(dir);
    expect(first).toMatchObject({ read: 7, inserted: 7, updated: 0, unchanged: 0, withdrawn: 1, invalid: 0 });
    const again = await b.advisories.importPath(dir);
    expect(again).toMatchObject({ read: 7, inserted: 0, updated: 0, unchanged: 7 });

    // A newer copy replaces the stored one and adds a history row; an older one is ignored.
    const newer = writeAdvisoryDir([
      osv('GHSA-mmmm-nnnn-pppp', {
        modified: '2026-01-02T00:00:00Z',
        aliases: ['CVE-2099-0002'],
        affected: [npmAffected('minimist', [{ introduced: '1.0.0' }, { fixed: '1.2.6' }])],
        database_specific: { severity: 'MODERATE' },
      }),
      // Older than the stored copy: ignored, not even validated.
      osv('RUSTSEC-2099-0002', { modified: '2025-06-01T00:00:00Z', affected: [] }),
      // No package in an ecosystem Bulwark scans: not stored.
      osv('PYSEC-2099-0001', {
        affected: [
          {
            package: { ecosystem: 'PyPI', name: 'x' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
          },
        ],
      }),
    ]);
    const upd = await b.advisories.importPath(newer);
    rmSync(newer, { recursive: true, force: true });
    expect(upd).toMatchObject({ read: 3, inserted: 0, updated: 1, stale: 1, other_ecosystem: 1 });
    const history = await b.advisories.history('GHSA-mmmm-nnnn-pppp');
    expect(history.map((h) => new Date(h.modified).toISOString())).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-01-02T00:00:00.000Z',
    ]);
    const older = writeAdvisoryDir([
      osv('GHSA-mmmm-nnnn-pppp', {
        modified: '2025-01-01T00:00:00Z',
        affected: [npmAffected('minimist', [{ introduced: '0' }])],
      }),
    ]);
    expect(await b.advisories.importPath(older)).toMatchObject({ stale: 1, updated: 0 });
    rmSync(older, { recursive: true, force: true });

    const st = await b.advisories.status();
    expect(st.advisories).toBe(7);
    expect(st.withdrawn).toBe(1);
    expect(st.advisories_by_ecosystem).toEqual({ npm: 5, 'crates.io': 2 });
    expect(new Date(st.newest_modified as number).toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(st.age_ms).toBe(clock.now() - Date.UTC(2026, 0, 2));
    expect(st.stale).toBe(false);
  });

  it('loads only the advisories of the scanned packages (by ecosystem + name), growing one cached index', async () => {
    const index = await b.advisories.indexFor([{ ecosystem: 'npm', name: 'left-pad' }]);
    expect(index.recordCount).toBe(2);
    expect(index.get('GHSA-mmmm-nnnn-pppp')).toBeUndefined();
    // Unknown names add nothing.
    expect((await b.advisories.indexFor([{ ecosystem: 'npm', name: 'no-such-package' }])).recordCount).toBe(
      2,
    );
    // crates.io names fold case and _ to - as crates.io does: Small_Vec is small-vec, not smallvec.
    expect((await b.advisories.indexFor([{ ecosystem: 'crates.io', name: 'Small_Vec' }])).recordCount).toBe(
      2,
    );
    const crates = await b.advisories.indexFor([{ ecosystem: 'crates.io', name: 'SmallVec' }]);
    expect(crates.recordCount).toBe(3);
    expect(crates.get('RUSTSEC-2099-0001')).toBeDefined();
    expect(crates.get('RUSTSEC-2099-0002')).toBeUndefined();
  });

  it('a new import is seen by the next lookup (the cached index follows the database generation)', async () => {
    const before = await b.advisories.indexFor([{ ecosystem: 'npm', name: 'lodash' }]);
    expect(before.get('GHSA-llll-llll-llll')).toBeUndefined();
    const extra = writeAdvisoryDir([
      osv('GHSA-llll-llll-llll', {
        affected: [npmAffected('lodash', [{ introduced: '5.0.0' }])],
        database_specific: { severity: 'LOW' },
      }),
    ]);
    await b.advisories.importPath(extra);
    rmSync(extra, { recursive: true, force: true });
    const after = await b.advisories.indexFor([{ ecosystem: 'npm', name: 'lodash' }]);
    expect(after.get('GHSA-llll-llll-llll')).toBeDefined();
    // lodash 4.17.0 is outside its range: the scans below are unchanged by it.
    expect(after.match({ ecosystem: 'npm', name: 'lodash', version: '4.17.0' })).toEqual([]);
  });

  let firstScan: string;

  it('scans: one finding per vulnerability, withdrawn ignored, informational reported as such, own code and git deps not looked up', async () => {
    const r = await b.dependencies.scan(files(), { requestedBy: 'test' });
    firstScan = r.scan_id;
    const [npm, cargo] = r.outcome.result.lockfiles;
    const ids = (npm?.findings ?? []).map((f) => `${f.package}@${f.version} ${f.id} ${f.severity}`).sort();
    expect(ids).toEqual([
      'left-pad@1.2.0 GHSA-aaaa-bbbb-cccc critical',
      'minimist@1.2.0 GHSA-mmmm-nnnn-pppp medium',
      'qs@6.0.0 GHSA-qqqq-rrrr-ssss high',
    ]);
    const leftPad = npm?.findings.find((f) => f.package === 'left-pad');
    expect(leftPad?.ids).toEqual(['GHSA-aaaa-bbbb-cccc', 'NSWG-0001', 'CVE-2099-0001']);
    expect(leftPad?.fixed_versions).toEqual(['1.3.0']);
    expect(npm?.findings.find((f) => f.package === 'qs')?.fixed_versions).toEqual(['6.0.4', '6.1.2']);
    expect(cargo?.findings.map((f) => [f.package, f.id, f.informational ?? null])).toEqual([
      ['smallvec', 'RUSTSEC-2099-0001', 'unmaintained'],
      ['time', 'RUSTSEC-2099-0002', null],
    ]);
    expect(r.summary).toMatchObject({ findings: 5, informational: 1, severity_max: 'critical' });
    expect(r.vulnerabilities).toEqual({ created: 4, updated: 0, unchanged: 0 });

    const page = await b.dependencies.dependencies({}, { limit: 100 });
    expect(page.scan_id).toBe(r.scan_id);
    const rows = Object.fromEntries(page.items.map((m) => [`${m.lockfile}:${m.package}`, m]));
    expect(Object.keys(rows).sort()).toEqual(
      [
        'core/Cargo.lock:app',
        'core/Cargo.lock:smallvec',
        'core/Cargo.lock:time',
        'web/package-lock.json:express',
        'web/package-lock.json:gitdep',
        'web/package-lock.json:left-pad',
        'web/package-lock.json:lodash',
        'web/package-lock.json:minimist',
        'web/package-lock.json:qs',
        'web/package-lock.json:util',
      ].sort(),
    );
    expect(rows['web/package-lock.json:left-pad']).toMatchObject({
      version: '1.2.0',
      ecosystem: 'npm',
      purl: 'pkg:npm/left-pad@1.2.0',
      direct: true,
      cves: ['CVE-2099-0001'],
      advisory_ids: ['GHSA-aaaa-bbbb-cccc'],
      severity_max: 'critical',
      approved: false,
      scanned_at: clock.now(),
    });
    expect(rows['web/package-lock.json:minimist']).toMatchObject({ groups: ['dev'], severity_max: 'medium' });
    expect(rows['web/package-lock.json:qs']).toMatchObject({
      direct: false,
      paths: [['express@4.0.0', 'qs@6.0.0']],
    });
    expect(rows['web/package-lock.json:lodash']).toMatchObject({ severity_max: 'none', cves: [] });
    expect(rows['web/package-lock.json:gitdep']).toMatchObject({
      kind: 'git',
      commit: '0123456789abcdef0123456789abcdef01234567',
    });
    expect(rows['web/package-lock.json:util']).toMatchObject({ kind: 'workspace' });
    // Informational only: no severity, but the advisory id is kept.
    expect(rows['core/Cargo.lock:smallvec']).toMatchObject({
      severity_max: 'none',
      advisory_ids: ['RUSTSEC-2099-0001'],
    });

    const cves = await b.dependencies.dependencies({ has_cves: true }, { limit: 100 });
    expect(cves.items.map((m) => m.package).sort()).toEqual(['left-pad', 'minimist', 'time']);
    const high = await b.dependencies.dependencies({ severity: ['high', 'critical'] }, { limit: 100 });
    expect(high.items.map((m) => m.package).sort()).toEqual(['left-pad', 'qs', 'time']);
    const p1 = await b.dependencies.dependencies({}, { limit: 4 });
    const p2 = await b.dependencies.dependencies({}, { limit: 4, cursor: p1.next_cursor as string });
    const p3 = await b.dependencies.dependencies({}, { limit: 4, cursor: p2.next_cursor as string });
    expect(p3.next_cursor).toBeNull();
    expect(new Set([...p1.items, ...p2.items, ...p3.items].map((m) => m.id)).size).toBe(10);
  });

  it('links findings to the register: A03:2025, CVSS from the advisory, remediation = fixed versions', async () => {
    const page = await b.vulnerabilities.list({}, { limit: 50 });
    const byComponent = Object.fromEntries(page.items.map((v) => [v.component, v]));
    expect(Object.keys(byComponent).sort()).toEqual([
      'left-pad@1.2.0',
      'minimist@1.2.0',
      'qs@6.0.0',
      'time@0.2.22',
    ]);
    expect(byComponent['left-pad@1.2.0']).toMatchObject({
      cve: 'CVE-2099-0001',
      aliases: ['GHSA-aaaa-bbbb-cccc', 'NSWG-0001'],
      cvss_score: 9.8,
      cvss_vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      severity: 'critical',
      owasp_category: 'A03',
      owasp_edition: '2025',
      status: 'open',
      source: 'scan',
      source_key: 'npm/left-pad@1.2.0#GHSA-aaaa-bbbb-cccc',
    });
    expect(byComponent['left-pad@1.2.0']?.remediation).toBe('Upgrade left-pad to 1.3.0 (or later).');
    // Label only: the floor of the band, so the register never overstates.
    expect(byComponent['minimist@1.2.0']).toMatchObject({
      cvss_score: 4,
      severity: 'medium',
      cvss_vector: null,
    });
    expect(byComponent['qs@6.0.0']?.remediation).toBe('Upgrade qs to 6.0.4 or 6.1.2 (or later).');
    expect(byComponent['time@0.2.22']).toMatchObject({
      severity: 'high',
      cvss_score: 7.5,
      cve: 'CVE-2099-0003',
    });
  });

  it('re-scans without duplicates and never reopens what was resolved; a new version is a new finding', async () => {
    const leftPad = (await b.vulnerabilities.list({ component: 'left-pad@1.2.0' }, { limit: 5 })).items[0]!;
    await b.vulnerabilities.transition(leftPad.id, { to: 'in_progress' }, 'test');
    await b.vulnerabilities.transition(leftPad.id, { to: 'resolved' }, 'test');
    clock.advance(60_000);
    const again = await b.dependencies.scan(files(), { requestedBy: 'test' });
    expect(again.vulnerabilities).toEqual({ created: 0, updated: 0, unchanged: 4 });
    expect((await b.vulnerabilities.get(leftPad.id)).status).toBe('resolved');
    expect((await b.vulnerabilities.list({}, { limit: 50 })).items).toHaveLength(4);

    const bumped = await b.dependencies.scan(files('1.2.5'), { requestedBy: 'test' });
    expect(bumped.vulnerabilities).toEqual({ created: 1, updated: 0, unchanged: 3 });
    const rows = (await b.vulnerabilities.list({ component: 'left-pad@1.2.5' }, { limit: 5 })).items;
    expect(rows.map((v) => v.status)).toEqual(['open']);
    // The first scan's manifest rows are still there, under their own scan.
    const old = await b.dependencies.dependencies({ scan_id: firstScan, package: 'left-pad' }, { limit: 5 });
    expect(old.items.map((m) => m.version)).toEqual(['1.2.0']);
  });

  it("health's last_scan is the latest completed scan", async () => {
    const health = await b.posture.health();
    expect(health.last_scan).toBe(new Date(clock.now()).toISOString());
  });

  it('approvals: alias-aware, narrowed by package, range and path, audited; expired and unused reported', async () => {
    // By the CVE alias of the GHSA record.
    const byCve = await b.dependencies.addApproval(
      {
        advisory_id: 'CVE-2099-0001',
        reason: 'not reachable from our code',
        approver: 'alice',
        expires: '2026-02-01',
      },
      actor,
    );
    // Narrowed to a range that does not cover minimist 1.2.0: holds for nothing (unused).
    const narrow = await b.dependencies.addApproval(
      {
        advisory_id: 'GHSA-mmmm-nnnn-pppp',
        package: 'minimist',
        version_range: '>=1.2.1 <1.2.6',
        reason: 'only the CLI uses it',
        approver: 'bob',
        expires: '2026-02-01T00:00:00Z',
      },
      actor,
    );
    // By dependency path.
    await b.dependencies.addApproval(
      {
        advisory_id: 'GHSA-qqqq-rrrr-ssss',
        dep_path: 'express > qs',
        reason: 'express never parses untrusted query strings here',
        approver: 'carol',
        expires: '2026-03-01',
      },
      actor,
    );
    // A path that does not match: does not approve.
    const wrongPath = await b.dependencies.addApproval(
      {
        advisory_id: 'GHSA-qqqq-rrrr-ssss',
        dep_path: 'koa > qs',
        reason: 'wrong path',
        approver: 'carol',
        expires: '2026-03-01',
      },
      actor,
    );
    const policy = parsePolicy(
      'bulwark.toml',
      `[[approvals]]
id = "RUSTSEC-2099-0002"
package = "time"
reason = "we never format user dates"
approver = "dave"
expires = 2026-01-01
`,
    );
    const r = await b.dependencies.scan(files(), { requestedBy: 'test', policy });
    const findings = r.outcome.result.lockfiles.flatMap((l) => l.findings);
    const state = Object.fromEntries(
      findings.map((f) => [f.package, f.approved === true ? f.approval?.approved_by : null]),
    );
    expect(state).toEqual({ 'left-pad': 'alice', minimist: null, qs: 'carol', smallvec: null, time: 'dave' });
    expect(r.summary.approved).toBe(2);
    expect(r.summary.approval_expired).toBe(1); // time: the policy approval ended on 2026-01-01
    expect(r.approvals.expired.map((e) => e.id)).toEqual(['policy:bulwark.toml#0']);
    expect(r.approvals.unused.map((e) => e.id).sort()).toEqual([narrow.id, wrongPath.id].sort());

    const approved = await b.dependencies.dependencies({ approved: true }, { limit: 50 });
    expect(
      approved.items.map((m) => [m.package, m.approved_by, m.approval_reason, m.approved_until]),
    ).toEqual(
      expect.arrayContaining([
        ['left-pad', 'alice', 'not reachable from our code', Date.UTC(2026, 1, 2) - 1],
        ['qs', 'carol', 'express never parses untrusted query strings here', Date.UTC(2026, 2, 2) - 1],
      ]),
    );
    expect(approved.items).toHaveLength(2);

    const audit = await b.audit.list({ event_type: ['config_change'] }, { limit: 50, order: 'asc' });
    const actions = audit.items.map((e) => e.action);
    expect(actions.filter((a) => a === 'approval.create')).toHaveLength(4);

    await b.dependencies.revokeApproval(byCve.id, actor);
    await expect(b.dependencies.revokeApproval(byCve.id, actor)).rejects.toMatchObject({ code: 'not_found' });
    expect((await b.dependencies.listApprovals()).map((a) => a.id)).not.toContain(byCve.id);
    expect((await b.dependencies.listApprovals(true)).map((a) => a.id)).toContain(byCve.id);
  });

  it('refuses approvals without reason, approver or a future expiry, naming the field; stores nothing', async () => {
    const before = (await b.dependencies.listApprovals(true)).length;
    const base = { advisory_id: 'GHSA-aaaa-bbbb-cccc', reason: 'r', approver: 'a', expires: '2027-01-01' };
    for (const [input, field] of [
      [{ ...base, reason: undefined }, 'reason'],
      [{ ...base, reason: '  ' }, 'reason'],
      [{ ...base, approver: undefined }, 'approver'],
      [{ ...base, expires: undefined }, 'expires'],
      [{ ...base, expires: 'next tuesday' }, 'expires'],
      [{ ...base, expires: '2026-02-30' }, 'expires'],
      [{ ...base, expires: '2025-12-31' }, 'expires'],
      [{ ...base, version_range: 'not a range!' }, 'version_range'],
      [{ ...base, advisory_id: 'has space' }, 'advisory_id'],
      [{ ...base, extra: 1 }, 'extra'],
    ] as const) {
      await expect(b.dependencies.addApproval(input, actor), JSON.stringify(input)).rejects.toMatchObject({
        code: 'validation_failed',
        field,
      });
    }
    expect((await b.dependencies.listApprovals(true)).length).toBe(before);
  });

  it('refuses malformed advisory ids and expiries beyond the 730-day bound, naming the field (issue 5)', async () => {
    const before = (await b.dependencies.listApprovals(true)).length;
    const base = { advisory_id: 'GHSA-mmmm-nnnn-pppp', reason: 'r', approver: 'a', expires: '2026-06-30' };
    for (const [input, field] of [
      [{ ...base, advisory_id: 'NOT-AN-ID' }, 'advisory_id'],
      [{ ...base, advisory_id: 'GHSA-mmmm-nnnn' }, 'advisory_id'],
      [{ ...base, advisory_id: 'GHSA-MMMM-NNNN-PPPP' }, 'advisory_id'],
      [{ ...base, advisory_id: 'CVE-2021-1' }, 'advisory_id'],
      [{ ...base, advisory_id: 'RUSTSEC-21-1' }, 'advisory_id'],
      [{ ...base, advisory_id: 'ghsa-mmmm-nnnn-pppp' }, 'advisory_id'],
      [{ ...base, advisory_id: '12345' }, 'advisory_id'],
      // the clock is 2026-01-03: 730 days ahead is 2028-01-03
      [{ ...base, expires: '2028-01-04' }, 'expires'],
      [{ ...base, expires: '2099-01-01' }, 'expires'],
    ] as const) {
      await expect(b.dependencies.addApproval(input, actor), JSON.stringify(input)).rejects.toMatchObject({
        code: 'validation_failed',
        field,
      });
    }
    expect((await b.dependencies.listApprovals(true)).length).toBe(before);
  });

  it('accepts well-formed ids; warns (does not refuse) when the advisory database lacks the id', async () => {
    const base = { reason: 'r', approver: 'a', expires: '2028-01-02' };
    const known = await b.dependencies.addApproval({ ...base, advisory_id: 'GHSA-mmmm-nnnn-pppp' }, actor);
    expect(known.warnings).toEqual([]);
    // CVE ids are aliases, not own ids in the store: not checked, so no false warning.
    const cve = await b.dependencies.addApproval({ ...base, advisory_id: 'CVE-2099-0001' }, actor);
    expect(cve.warnings).toEqual([]);
    for (const id of ['PYSEC-2021-1', 'GO-2022-0001', 'RUSTSEC-2030-0001', 'RHSA-2023:1234']) {
      const a = await b.dependencies.addApproval({ ...base, advisory_id: id }, actor);
      expect(a.warnings).toEqual([
        `advisory_id: ${id} is not in the advisory database; the approval is stored and applies once it is imported`,
      ]);
      await b.dependencies.revokeApproval(a.id, actor);
    }
    await b.dependencies.revokeApproval(known.id, actor);
    await b.dependencies.revokeApproval(cve.id, actor);
  });

  it('a bad lockfile is refused naming the file and line, and stores nothing', async () => {
    const scansBefore = (await b.dependencies.dependencies({}, { limit: 1 })).scan_id;
    const err = await b.dependencies
      .scan([{ path: 'web/package-lock.json', content: '{\n  "lockfileVersion": 3,\n  "packages": {\n' }], {
        requestedBy: 't',
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unprocessable' });
    expect((err as Error).message).toMatch(/web\/package-lock\.json/);
    expect((await b.dependencies.dependencies({}, { limit: 1 })).scan_id).toBe(scansBefore);
  });

  it('staleness: warns by default, fails (advisories_stale) under the fail policy, before storing anything', async () => {
    clock.advance(30 * DAY);
    const warn = await b.dependencies.scan(files(), { requestedBy: 't' });
    expect(warn.freshness.stale).toBe(true);
    expect(warn.freshness.message).toMatch(/days old/);
    const strict = await createBulwark(
      { database_url: backend.url(), advisory_stale_policy: 'fail' },
      { logLevel: 'silent', env: {}, clock },
    );
    try {
      await expect(strict.dependencies.scan(files(), { requestedBy: 't' })).rejects.toMatchObject({
        code: 'advisories_stale',
      });
      // Empty database: stale too.
      expect((await strict.advisories.status()).advisories).toBe(0);
    } finally {
      await strict.close();
    }
  });
});

describe('policy file (bulwark.toml)', () => {
  it('parses approvals with TOML dates, strings and optional narrowing', () => {
    const rules = parsePolicy(
      'bulwark.toml',
      `[[approvals]]
id = "GHSA-jf85-cpcp-j695"
package = "lodash"
versions = "<4.17.12"
path = "webpack > lodash"
reason = "build-time only"
approver = "alice@example.com"
expires = 2026-06-30

[[approvals]]
id = "CVE-2019-10744"
reason = "x"
approver = "bob"
expires = "2026-06-30T12:00:00+02:00"
`,
    );
    expect(rules).toEqual([
      {
        id: 'policy:bulwark.toml#0',
        advisory_id: 'GHSA-jf85-cpcp-j695',
        package: 'lodash',
        version_range: '<4.17.12',
        dep_path: 'webpack > lodash',
        reason: 'build-time only',
        approver: 'alice@example.com',
        expires_at: Date.UTC(2026, 6, 1) - 1,
        source: 'policy',
      },
      expect.objectContaining({
        advisory_id: 'CVE-2019-10744',
        expires_at: Date.UTC(2026, 5, 30, 10),
        package: null,
      }),
    ]);
  });

  it.each([
    ['[[approvals]\nid = 1', /bulwark\.toml:\d+: not valid TOML/],
    ['[[approvals]]\nid = "OSV-2020-1"\nreason = "r"\napprover = "a"', /approvals\.0\.expires/],
    [
      '[[approvals]]\nid = "OSV-2020-1"\nreason = "r"\napprover = "a"\nexpires = 2026-01-01\nexpiry = 2027-01-01',
      /approvals\.0\.expiry/,
    ],
    ['[[approvals]]\nid = "OSV-2020-1"\napprover = "a"\nexpires = 2026-01-01', /approvals\.0\.reason/],
    [
      '[[approvals]]\nid = "OSV-2020-1"\nreason = "r"\napprover = "a"\nexpires = 2026-01-01\nversions = "~~~"',
      /approvals\.0\.versions/,
    ],
    ['approvals = "all"', /array of tables/],
    ['[ignore]\nall = true', /unknown key "ignore"/],
  ])('refuses %j naming the file and field', (text, message) => {
    expect(() => parsePolicy('bulwark.toml', text)).toThrow(message);
  });

  it('is read from a scanned directory by the CLI helper', async () => {
    const { readPolicyFile } = await import('../../src/adapters/fs/lockfile-files.js');
    const d = writeAdvisoryDir([]);
    writeFileSync(path.join(d, 'bulwark.toml'), '[[approvals]]\n');
    expect((await readPolicyFile(d))?.text).toBe('[[approvals]]\n');
    expect(await readPolicyFile(path.join(d, 'nope'))).toBeNull();
    rmSync(d, { recursive: true, force: true });
  });
});
