/**
 * Real lockfiles scanned against real advisories (RustSec's OSV export, GitHub's npm advisories),
 * through the service, on SQLite. The sample below was checked by hand against the advisory files
 * in ../shared/data/osv/advisories; each line says which range makes it a hit (or a miss).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Bulwark, createBulwark } from '../../src/app/bulwark.js';
import { gateSeverity, type ScanFinding } from '../../src/core/deps/report/scan-result.js';
import { FakeClock } from '../support/app.js';
import { describeWithSharedData, sharedPath } from '../support/shared-data.js';

const LOCKS = {
  yarn: 'yarn-v1__yarnpkg-yarn__yarn.lock',
  kysely: 'npm-v2__kysely-example__package-lock.json',
  retraced: 'npm-v3__retracedhq-retraced__package-lock.json',
  pnpm: 'pnpm-v9__osv.dev-frontend3__pnpm-lock.yaml',
  cargo: 'cargo-v4__rustsec-rustsec__Cargo.lock',
} as const;

describeWithSharedData('real lockfiles × real OSV advisories', () => {
  let b: Bulwark;
  const findings: Record<string, ScanFinding[]> = {};

  beforeAll(async () => {
    b = await createBulwark(
      { database_url: 'sqlite::memory:' },
      { logLevel: 'silent', env: {}, clock: new FakeClock(Date.UTC(2026, 8, 1)) },
    );
    for (const dir of ['crates.io-rustsec', 'npm-ghsa', 'osv-scanner-misc']) {
      const s = await b.advisories.importPath(sharedPath('osv', 'advisories', dir));
      expect(s.invalid, s.invalid_samples.join('\n')).toBe(0);
    }
    for (const [key, file] of Object.entries(LOCKS)) {
      const r = await b.dependencies.scan(
        [{ path: file, content: readFileSync(sharedPath('osv', 'lockfiles', file)) }],
        { requestedBy: 'test' },
      );
      findings[key] = r.outcome.result.lockfiles[0]!.findings;
    }
  }, 120_000);
  afterAll(() => b.close());

  const hit = (lock: keyof typeof LOCKS, pkg: string, version: string, id: string) =>
    findings[lock]!.find((f) => f.package === pkg && f.version === version && f.id === id);
  const shown = (lock: keyof typeof LOCKS) =>
    findings[lock]!.map((f) => `${f.package}@${f.version} ${f.id}`).sort();

  it('imports every RustSec record and the npm GHSA records (13 RustSec ones withdrawn)', async () => {
    const st = await b.advisories.status();
    expect(st.advisories_by_ecosystem['crates.io']).toBe(1206);
    expect(st.advisories_by_ecosystem['npm']).toBe(18);
    expect(st.withdrawn).toBe(13);
  });

  it('yarn v1 (yarnpkg/yarn): known vulnerable old versions are found, hand-checked', () => {
    // lodash 4.17.10: GHSA-jf85-cpcp-j695 (CVE-2019-10744) affects lodash introduced 0, fixed 4.17.12;
    // CVSS:3.1/…/C:N/I:H/A:H scores 9.1 → critical.
    expect(hit('yarn', 'lodash', '4.17.10', 'GHSA-jf85-cpcp-j695')).toMatchObject({
      cves: ['CVE-2019-10744'],
      severity: 'critical',
      fixed_versions: ['4.17.12'],
    });
    expect(hit('yarn', 'lodash', '4.17.10', 'GHSA-jf85-cpcp-j695')?.cvss?.score).toBe(9.1);
    // minimist: GHSA-vh95-rmgr-6w4m has two ranges, [0, 0.2.1) and [1.0.0, 1.2.3); each version
    // is fixed in its own branch.
    expect(hit('yarn', 'minimist', '0.0.8', 'GHSA-vh95-rmgr-6w4m')?.fixed_versions).toEqual(['0.2.1']);
    expect(hit('yarn', 'minimist', '0.0.10', 'GHSA-vh95-rmgr-6w4m')?.fixed_versions).toEqual(['0.2.1']);
    expect(hit('yarn', 'minimist', '1.2.0', 'GHSA-vh95-rmgr-6w4m')?.fixed_versions).toEqual(['1.2.3']);
    // decode-uri-component 0.2.0: GHSA-w573-4hg7-7wgq is introduced 0, last_affected 0.2.0
    // (inclusive), no fix event → a hit with no fixed version; severity from the GHSA label LOW.
    expect(hit('yarn', 'decode-uri-component', '0.2.0', 'GHSA-w573-4hg7-7wgq')).toMatchObject({
      fixed_versions: [],
      severity: 'low',
      severity_source: 'advisory',
    });
    // semver 5.5.0: GHSA-c2qf-rxjj-qqgw third range [0, 5.7.2).
    expect(hit('yarn', 'semver', '5.5.0', 'GHSA-c2qf-rxjj-qqgw')?.fixed_versions).toEqual(['5.7.2']);
    expect(shown('yarn')).toEqual([
      'ansi-regex@3.0.0 GHSA-93q8-gq69-wqmw',
      'decode-uri-component@0.2.0 GHSA-w573-4hg7-7wgq',
      'glob-parent@3.1.0 GHSA-ww39-953v-wcq6',
      'handlebars@4.0.11 GHSA-2cf5-4w76-r9qv',
      'hosted-git-info@2.7.1 GHSA-43f8-2h32-f4cj',
      'json5@0.5.1 GHSA-9c47-m6qq-7p4h',
      'json5@1.0.1 GHSA-9c47-m6qq-7p4h',
      'lodash@4.17.10 GHSA-jf85-cpcp-j695',
      'lodash@4.17.10 GHSA-p6mc-m468-83gw',
      'lodash@4.17.10 GHSA-x5rq-j2xg-h7qm',
      'lodash@4.17.5 GHSA-jf85-cpcp-j695',
      'lodash@4.17.5 GHSA-p6mc-m468-83gw',
      'lodash@4.17.5 GHSA-x5rq-j2xg-h7qm',
      'mem@1.1.0 GHSA-4xcv-9jjx-gfj3',
      'minimatch@3.0.4 GHSA-f8q6-p94x-37v3',
      'minimist@0.0.10 GHSA-vh95-rmgr-6w4m',
      'minimist@0.0.8 GHSA-vh95-rmgr-6w4m',
      'minimist@1.2.0 GHSA-vh95-rmgr-6w4m',
      'path-parse@1.0.5 GHSA-hj48-42vr-x3v9',
      'semver@5.5.0 GHSA-c2qf-rxjj-qqgw',
    ]);
  });

  it('npm v2 (kysely example): semver 7.3.8 is in [7.0.0, 7.5.2) of GHSA-c2qf-rxjj-qqgw', () => {
    expect(shown('kysely')).toEqual(['semver@7.3.8 GHSA-c2qf-rxjj-qqgw']);
    expect(hit('kysely', 'semver', '7.3.8', 'GHSA-c2qf-rxjj-qqgw')).toMatchObject({
      cves: ['CVE-2022-25883'],
      fixed_versions: ['7.5.2'],
      // CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L scores 5.3 → medium (GitHub's label: MODERATE).
      severity: 'medium',
      severity_source: 'cvss',
    });
    expect(hit('kysely', 'semver', '7.3.8', 'GHSA-c2qf-rxjj-qqgw')?.cvss?.score).toBe(5.3);
  });

  it('npm v3 (retraced): up-to-date versions, including exact fixed boundaries, are not findings', () => {
    // lodash 4.17.21 > every lodash fix; semver 6.3.1 is the `fixed` of [6.0.0, 6.3.1) (exclusive);
    // glob-parent 5.1.2 is the `fixed` of GHSA-ww39-953v-wcq6; minimist 1.2.8 > 1.2.3; ms 2.0.0 > 0.7.1.
    expect(shown('retraced')).toEqual([]);
  });

  it('Cargo.lock v4 (rustsec/rustsec): h2 0.4.15 is below the 0.4.16 fix of RUSTSEC-2026-0258', () => {
    expect(shown('cargo')).toEqual(['h2@0.4.15 RUSTSEC-2026-0258']);
    expect(hit('cargo', 'h2', '0.4.15', 'RUSTSEC-2026-0258')).toMatchObject({
      ids: ['RUSTSEC-2026-0258', 'GHSA-q83h-524g-xf6h'],
      fixed_versions: ['0.4.16'],
      severity: 'none',
      severity_source: 'none', // the record carries no severity at all: unrated
    });
  });

  it('unrated h2 (RUSTSEC-2026-0258): the register and the --fail-on gate agree on low, and the row says unrated', async () => {
    const f = hit('cargo', 'h2', '0.4.15', 'RUSTSEC-2026-0258')!;
    // The report keeps the advisory's own (absent) rating; thresholds compare it as the register's low.
    expect(f.severity).toBe('none');
    expect(gateSeverity(f)).toBe('low');
    const rows = await b.vulnerabilities.list({}, { limit: 500 });
    const row = rows.items.find((v) => v.source_key === 'crates.io/h2@0.4.15#RUSTSEC-2026-0258');
    expect(row).toMatchObject({ severity: 'low', cvss_score: 0.1, cvss_vector: null });
    expect(row?.description).toContain('Unrated: no CVSS vector or severity label in the advisory');
  });

  it('pnpm v9 (osv.dev frontend3): no advisory in this set names its versions', () => {
    expect(shown('pnpm')).toEqual([]);
  });

  it('every finding became one register row (component = package@version), none for informational ones', async () => {
    const all = Object.values(findings)
      .flat()
      .filter((f) => f.informational === undefined);
    const rows = await b.vulnerabilities.list({}, { limit: 500 });
    expect(rows.items).toHaveLength(new Set(all.map((f) => `${f.package}@${f.version}#${f.id}`)).size);
    const lodash = rows.items.find((v) => v.source_key === 'npm/lodash@4.17.10#GHSA-jf85-cpcp-j695');
    expect(lodash).toMatchObject({
      cve: 'CVE-2019-10744',
      cvss_score: 9.1,
      severity: 'critical',
      component: 'lodash@4.17.10',
    });
    expect(lodash?.remediation).toBe('Upgrade lodash to 4.17.12 (or later).');
  });
});
