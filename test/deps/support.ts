/** Synthetic OSV records and lockfiles for the dependency-scanning suites (real data has its own suite). */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const CRITICAL_VECTOR = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';

export function osv(id: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schema_version: '1.6.0',
    id,
    modified: '2026-01-01T00:00:00Z',
    published: '2025-12-01T00:00:00Z',
    aliases: [],
    summary: `summary of ${id}`,
    affected: [],
    references: [{ type: 'ADVISORY', url: `https://example.test/${id}` }],
    ...over,
  };
}

export const npmAffected = (
  name: string,
  events: Record<string, string>[],
  extra: Record<string, unknown> = {},
) => ({
  package: { ecosystem: 'npm', name },
  ranges: [{ type: 'SEMVER', events }],
  ...extra,
});

/** The synthetic advisory set most suites use. */
export function advisorySet(): Record<string, unknown>[] {
  return [
    // left-pad < 1.3.0: critical by CVSS, known under a GHSA and a CVE.
    osv('GHSA-aaaa-bbbb-cccc', {
      aliases: ['CVE-2099-0001'],
      severity: [{ type: 'CVSS_V3', score: CRITICAL_VECTOR }],
      affected: [npmAffected('left-pad', [{ introduced: '0' }, { fixed: '1.3.0' }])],
      database_specific: { severity: 'CRITICAL', cwe_ids: ['CWE-400'] },
    }),
    // The same vulnerability from a second database: one finding, not two.
    osv('NSWG-0001', {
      aliases: ['CVE-2099-0001'],
      affected: [npmAffected('left-pad', [{ introduced: '0' }, { fixed: '1.3.0' }])],
    }),
    // Withdrawn: never a finding.
    osv('GHSA-wwww-xxxx-yyyy', {
      withdrawn: '2026-01-02T00:00:00Z',
      affected: [npmAffected('lodash', [{ introduced: '0' }])],
      database_specific: { severity: 'HIGH' },
    }),
    // Label only (GHSA MODERATE → medium), no vector.
    osv('GHSA-mmmm-nnnn-pppp', {
      aliases: ['CVE-2099-0002'],
      affected: [npmAffected('minimist', [{ introduced: '1.0.0' }, { fixed: '1.2.6' }])],
      database_specific: { severity: 'MODERATE' },
    }),
    // A transitive one (app → express → qs), label HIGH; fixed twice in two branches.
    osv('GHSA-qqqq-rrrr-ssss', {
      affected: [
        npmAffected('qs', [
          { introduced: '6.0.0' },
          { fixed: '6.0.4' },
          { introduced: '6.1.0' },
          { fixed: '6.1.2' },
        ]),
      ],
      database_specific: { severity: 'HIGH' },
    }),
    // Informational (RustSec unmaintained).
    osv('RUSTSEC-2099-0001', {
      affected: [
        {
          package: { ecosystem: 'crates.io', name: 'smallvec' },
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0.0.0-0' }] }],
        },
      ],
      database_specific: { informational: 'unmaintained' },
    }),
    // A crates.io vulnerability with a CVSS vector: high.
    osv('RUSTSEC-2099-0002', {
      aliases: ['CVE-2099-0003', 'GHSA-rrrr-ssss-tttt'],
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' }],
      affected: [
        {
          package: { ecosystem: 'crates.io', name: 'time' },
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0.0.0-0' }, { fixed: '0.2.23' }] }],
        },
      ],
    }),
  ];
}

export function writeAdvisoryDir(
  records: Record<string, unknown>[],
  dir = mkdtempSync(path.join(tmpdir(), 'bw-osv-')),
): string {
  mkdirSync(dir, { recursive: true });
  for (const r of records) writeFileSync(path.join(dir, `${String(r.id)}.json`), JSON.stringify(r, null, 2));
  return dir;
}

/** npm lockfile v3: app → left-pad@1.2.0, lodash@4.17.0, dev minimist@1.2.0; a workspace and a git dependency. */
export function packageLock(leftPad = '1.2.0'): string {
  return JSON.stringify(
    {
      name: 'app',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': {
          name: 'app',
          version: '1.0.0',
          workspaces: ['packages/util'],
          dependencies: {
            'left-pad': '^1.0.0',
            lodash: '^4.0.0',
            gitdep: 'github:o/gitdep',
            util: '*',
            express: '^4.0.0',
          },
          devDependencies: { minimist: '^1.0.0' },
        },
        'node_modules/left-pad': {
          version: leftPad,
          resolved: `https://registry.npmjs.org/left-pad/-/left-pad-${leftPad}.tgz`,
        },
        'node_modules/lodash': {
          version: '4.17.0',
          resolved: 'https://registry.npmjs.org/lodash/-/lodash-4.17.0.tgz',
        },
        'node_modules/minimist': {
          version: '1.2.0',
          dev: true,
          resolved: 'https://registry.npmjs.org/minimist/-/minimist-1.2.0.tgz',
        },
        'node_modules/gitdep': {
          version: '1.2.0',
          resolved: 'git+ssh://git@github.com/o/gitdep.git#0123456789abcdef0123456789abcdef01234567',
        },
        'node_modules/express': { version: '4.0.0', dependencies: { qs: '^6.0.0' } },
        'node_modules/qs': { version: '6.0.0' },
        'node_modules/util': { resolved: 'packages/util', link: true },
        'packages/util': { name: 'util', version: '0.1.0', dependencies: { 'left-pad': '^1.0.0' } },
      },
    },
    null,
    2,
  );
}

export const CARGO_LOCK = `# This file is automatically @generated by Cargo.
version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["smallvec", "time"]

[[package]]
name = "smallvec"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "time"
version = "0.2.22"
source = "registry+https://github.com/rust-lang/crates.io-index"
`;

/**
 * A package-lock v3 with `n` synthetic packages in a binary tree under the root (a few real names
 * first, so that the scan finds something): the shape of a big monorepo's lockfile, ~75 bytes a package.
 */
export function syntheticPackageLock(n: number): string {
  const packages: Record<string, unknown> = {
    '': { name: 'big', version: '1.0.0', dependencies: { 'left-pad': '^1.0.0', 'pkg-1': '^1.0.0' } },
    'node_modules/left-pad': { version: '1.2.0' },
  };
  for (let i = 1; i < n; i++) {
    const deps: Record<string, string> = {};
    for (const j of [2 * i, 2 * i + 1]) if (j < n) deps[`pkg-${j}`] = '^1.0.0';
    packages[`node_modules/pkg-${i}`] =
      Object.keys(deps).length > 0 ? { version: `1.${i % 50}.0`, dependencies: deps } : { version: '1.0.0' };
  }
  return JSON.stringify({ name: 'big', version: '1.0.0', lockfileVersion: 3, requires: true, packages });
}
