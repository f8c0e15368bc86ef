import { readFileSync } from 'node:fs';
import semver from 'semver';
import { parse as parseToml } from 'smol-toml';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AdvisoryIndex,
  eventOf,
  type AdvisoryFinding,
  type OsvRecord,
  type ScannedPackage,
} from '../../../../src/core/deps/osv/index.js';
import type { Ecosystem } from '../../../../src/core/deps/versions/index.js';
import { describeWithSharedData, sharedPath } from '../../../support/shared-data.js';
import { CORPORA, recordById, recordsOf } from './advisory-corpus.js';

const npm = (name: string, version: string): ScannedPackage => ({ name, version, ecosystem: 'npm' });
const crate = (name: string, version: string): ScannedPackage => ({ name, version, ecosystem: 'crates.io' });
const ids = (findings: AdvisoryFinding[]): string[] => findings.map((f) => f.id).sort();

describeWithSharedData('AdvisoryIndex over all real advisories', () => {
  const index = new AdvisoryIndex();
  let outcomes: Record<string, number> = {};

  beforeAll(() => {
    outcomes = index.addAll(CORPORA.flatMap((c) => recordsOf(c)));
  });

  it('indexes every parsed record except the 13 withdrawn ones', () => {
    // 1,206 RustSec + 17 GHSA + 463 legacy + 1 osv-scanner = 1,687 parsed records.
    expect(outcomes).toEqual({ indexed: 1674, withdrawn: 13, stale: 0, no_package: 0 });
    expect(index.recordCount).toBe(1674);
  });

  it('lodash 4.17.15 is hit by the prototype pollution GHSA-p6mc-m468-83gw; 4.17.21 is clean', () => {
    const hit = index.match(npm('lodash', '4.17.15'));
    const pp = hit.find((f) => f.id === 'GHSA-p6mc-m468-83gw');
    expect(pp).toMatchObject({
      cves: ['CVE-2020-8203'],
      severity: 'high',
      cvss: { score: 7.4 },
      fixed_versions: ['4.17.20'],
      purl: 'pkg:npm/lodash@4.17.15',
      summary: 'Prototype Pollution in lodash',
    });
    // The lodash advisories fixed by 4.17.12 (GHSA-jf85) and 4.17.11 (GHSA-x5rq) do not apply.
    expect(ids(hit)).not.toContain('GHSA-jf85-cpcp-j695');
    expect(ids(hit)).not.toContain('GHSA-x5rq-j2xg-h7qm');
    expect(index.match(npm('lodash', '4.17.21'))).toEqual([]);
    expect(index.match(npm('lodash', '4.17.20')).map((f) => f.id)).not.toContain('GHSA-p6mc-m468-83gw');
  });

  it('decode-uri-component: last_affected 0.2.0 is inclusive, 0.2.1 is clean, and no fix is claimed', () => {
    const [f, ...rest] = index.match(npm('decode-uri-component', '0.2.0'));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      id: 'GHSA-w573-4hg7-7wgq',
      cves: ['CVE-2022-38900'],
      severity: 'low',
      fixed_versions: [],
    });
    expect(index.match(npm('decode-uri-component', '0.1.9'))).toHaveLength(1);
    expect(index.match(npm('decode-uri-component', '0.2.0-rc.1'))).toHaveLength(1); // pre-release sorts below 0.2.0
    expect(index.match(npm('decode-uri-component', '0.2.1'))).toEqual([]);
  });

  it('RUSTSEC-2021-0003 (smallvec): one range with two intervals, fixed exclusive, introduced inclusive', () => {
    const hitBy = (v: string): boolean =>
      index.match(crate('smallvec', v)).some((f) => f.id === 'RUSTSEC-2021-0003');
    expect(hitBy('0.6.2')).toBe(false);
    expect(hitBy('0.6.3')).toBe(true);
    expect(hitBy('0.6.13')).toBe(true);
    expect(hitBy('0.6.14')).toBe(false);
    expect(hitBy('0.7.0')).toBe(false);
    expect(hitBy('1.0.0')).toBe(true);
    expect(hitBy('1.6.0')).toBe(true);
    expect(hitBy('1.6.1')).toBe(false);
    const f = index.match(crate('smallvec', '0.6.5')).find((x) => x.id === 'RUSTSEC-2021-0003');
    expect(f?.fixed_versions).toEqual(['0.6.14', '1.6.1']);
    expect(
      index.match(crate('smallvec', '1.2.0')).find((x) => x.id === 'RUSTSEC-2021-0003')?.fixed_versions,
    ).toEqual(['1.6.1']);
  });

  it('handlebars: two affected entries for one package are evaluated separately', () => {
    const hitBy = (v: string): string[] =>
      index
        .match(npm('handlebars', v))
        .flatMap((f) => (f.id === 'GHSA-2cf5-4w76-r9qv' ? f.fixed_versions : []));
    expect(hitBy('3.0.7')).toEqual(['3.0.8']);
    expect(hitBy('3.0.8')).toEqual([]);
    expect(hitBy('4.0.0')).toEqual(['4.5.2']);
    expect(hitBy('4.5.2')).toEqual([]);
  });

  it('multi-package GHSA: lodash-es and lodash.defaultsdeep match on their own bounds', () => {
    expect(ids(index.match(npm('lodash-es', '4.17.13')))).toContain('GHSA-jf85-cpcp-j695');
    expect(ids(index.match(npm('lodash-es', '4.17.14')))).not.toContain('GHSA-jf85-cpcp-j695');
    expect(ids(index.match(npm('lodash.defaultsdeep', '4.6.0')))).toEqual(['GHSA-jf85-cpcp-j695']);
  });

  it('merges records linked by aliases into one finding: ms 0.7.0 (GHSA-3fx5 + NSWG-46 via CVE-2015-8315)', () => {
    const found = index.match(npm('ms', '0.7.0'));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      id: 'GHSA-3fx5-fwvr-xrjg',
      ids: ['GHSA-3fx5-fwvr-xrjg', 'NSWG-46', 'CVE-2015-8315'],
      record_ids: ['GHSA-3fx5-fwvr-xrjg', 'NSWG-46'],
      cves: ['CVE-2015-8315'],
      severity: 'high', // GHSA's 7.5 beats NSWG-46's 5.3
      fixed_versions: ['0.7.1'],
    });
    // 0.7.1 is past NSWG-46's last_affected and GHSA's fixed: clean.
    expect(index.match(npm('ms', '0.7.1'))).toEqual([]);
  });

  it('keeps only fixes the whole alias group agrees on (wasmtime RUSTSEC-2022-0096 + -0101)', () => {
    const found = index.match(crate('wasmtime', '0.34.0'));
    const f = found.find((x) => x.record_ids.includes('RUSTSEC-2022-0096'));
    expect(f?.record_ids).toEqual(['RUSTSEC-2022-0096', 'RUSTSEC-2022-0101']);
    expect(f?.cves).toEqual(['CVE-2022-23636', 'CVE-2022-31169']);
    // -0096 is fixed in 0.34.1, but -0101 (same CVEs) still covers everything below 0.38.2.
    expect(f?.fixed_versions).toEqual(['0.38.2']);
    expect(found.filter((x) => x.cves.includes('CVE-2022-23636'))).toHaveLength(1);
  });

  it('merges the duplicate RustSec records for matrix-sdk-base (RUSTSEC-2025-0000 and -0065)', () => {
    const found = index
      .match(crate('matrix-sdk-base', '0.14.0'))
      .filter((f) => f.cves.includes('CVE-2025-59047'));
    expect(found).toHaveLength(1);
    expect(found[0]?.record_ids).toEqual(['RUSTSEC-2025-0000', 'RUSTSEC-2025-0065']);
    expect(found[0]?.fixed_versions).toEqual(['0.14.1']);
  });

  it('ignores withdrawn records (RUSTSEC-2020-0053, dirs)', () => {
    expect(recordById('crates.io-rustsec', 'RUSTSEC-2020-0053').withdrawn).toBeDefined();
    expect(index.get('RUSTSEC-2020-0053')).toBeUndefined();
    expect(index.match(crate('dirs', '1.0.0')).map((f) => f.id)).not.toContain('RUSTSEC-2020-0053');
  });

  it('reports RustSec informational advisories as informational', () => {
    const unsound = index.match(crate('smallvec', '0.6.5')).find((f) => f.id === 'RUSTSEC-2018-0018');
    expect(unsound).toMatchObject({ informational: 'unsound', severity: 'none' });
    const real = index.match(crate('smallvec', '0.6.5')).find((f) => f.id === 'RUSTSEC-2021-0003');
    expect(real?.informational).toBeUndefined();
  });

  it('matches names by ecosystem rules: npm exact, crates.io folded for case and -/_', () => {
    expect(index.match(npm('Lodash', '4.17.15'))).toEqual([]);
    expect(index.match({ ...npm('lodash', '4.17.15'), ecosystem: 'crates.io' })).toEqual([]);
    expect(ids(index.match(crate('SmallVec', '1.0.0')))).toContain('RUSTSEC-2021-0003');
    expect(index.match(crate('no-such-crate', '1.0.0'))).toEqual([]);
  });
});

describeWithSharedData('AdvisoryIndex agrees with node-semver on all legacy npm ranges', () => {
  /**
   * The legacy nodejs/security-wg advisories were converted to OSV only where the node-semver
   * range converts exactly, and `database_specific.vulnerable_versions` keeps the original. For
   * each record, probe the range bounds, their neighbours (± patch, next minor and major) and a
   * few fixed points; OSV matching must agree with semver.satisfies on every release probe.
   */
  const records = recordsOf('npm-legacy-as-osv');

  function probesOf(record: OsvRecord): { releases: Set<string>; prereleases: Set<string> } {
    const releases = new Set(['0.0.0', '0.0.1', '0.1.0', '1.0.0', '99.0.0']);
    const prereleases = new Set<string>();
    for (const a of record.affected)
      for (const r of a.ranges)
        for (const e of r.events) {
          const p = semver.parse(eventOf(e).version);
          if (!p) continue; // "0"
          if (p.prerelease.length > 0) prereleases.add(p.version);
          const { major: M, minor: m, patch: P } = p;
          for (const v of [`${M}.${m}.${P}`, `${M}.${m}.${P + 1}`, `${M}.${m + 1}.0`, `${M + 1}.0.0`])
            releases.add(v);
          if (P > 0) releases.add(`${M}.${m}.${P - 1}`);
          else if (m > 0) releases.add(`${M}.${m - 1}.99`);
          else if (M > 0) releases.add(`${M - 1}.99.99`);
        }
    return { releases, prereleases };
  }

  it('covers all 463 parsed records', () => {
    expect(records).toHaveLength(463);
    expect(records.every((r) => typeof r.database_specific?.['vulnerable_versions'] === 'string')).toBe(true);
  });

  it('agrees on every release probe (thousands of checks)', () => {
    const disagreements: string[] = [];
    let checks = 0;
    for (const record of records) {
      const range = record.database_specific?.['vulnerable_versions'] as string;
      const index = new AdvisoryIndex();
      index.add(record);
      const name = record.affected[0]?.package?.name as string;
      for (const v of probesOf(record).releases) {
        checks++;
        const ours = index.match(npm(name, v)).length > 0;
        if (ours !== semver.satisfies(v, range))
          disagreements.push(`${record.id} ${range} @ ${v}: ours ${ours}`);
      }
    }
    expect(disagreements).toEqual([]);
    expect(checks).toBeGreaterThan(4000);
  });

  it('on pre-release bounds, agrees with node-semver in one of its two pre-release modes', () => {
    // node-semver leaves pre-releases out of a range unless a comparator names the same
    // major.minor.patch (or includePrerelease is set); OSV has no such rule, only the total order.
    // So on pre-release probes the conversion can only be exact under one mode or the other.
    const offDefault: string[] = [];
    const offIncluding: string[] = [];
    let checks = 0;
    for (const record of records) {
      const range = record.database_specific?.['vulnerable_versions'] as string;
      const index = new AdvisoryIndex();
      index.add(record);
      const name = record.affected[0]?.package?.name as string;
      for (const v of probesOf(record).prereleases) {
        checks++;
        const ours = index.match(npm(name, v)).length > 0;
        const label = `${record.id} ${range} @ ${v}: ours ${ours}`;
        const byDefault = semver.satisfies(v, range);
        const including = semver.satisfies(v, range, { includePrerelease: true });
        if (ours !== byDefault && ours !== including) throw new Error(`disagrees with both modes: ${label}`);
        if (ours !== byDefault) offDefault.push(label);
        if (ours !== including) offIncluding.push(label);
      }
    }
    expect(checks).toBe(18);
    // 0.9.0-0 sorts inside [0.2.0, 0.9.6]; node-semver's default mode leaves it out.
    expect(offDefault).toEqual(['NSWG-305 >= 0.2.0 <= 0.9.6 || ~0.8.0-pre @ 0.9.0-0: ours true']);
    // `2.0.x || 2.1.x` became [2.0.0, 2.1.0-0) + [2.1.0, 2.2.0-0): exact for releases, but with
    // includePrerelease node-semver also counts 2.1.0-0 (and other 2.1.0 pre-releases) in 2.1.x.
    expect(offIncluding).toEqual(['NSWG-11 2.0.x || 2.1.x @ 2.1.0-0: ours false']);
  });
});

describe('AdvisoryIndex: OSV evaluation rules on constructed records', () => {
  const record = (over: Partial<OsvRecord> & Pick<OsvRecord, 'affected'>): OsvRecord => ({
    id: 'OSV-TEST-1',
    modified: '2024-01-01T00:00:00Z',
    aliases: [],
    related: [],
    upstream: [],
    severity: [],
    references: [],
    ...over,
  });
  const pkg = { ecosystem: 'npm', name: 'pkg' };

  it('skips GIT ranges without hiding the SEMVER range or the versions list beside them', () => {
    const index = new AdvisoryIndex();
    index.add(
      record({
        affected: [
          {
            package: pkg,
            severity: [],
            // If the GIT range were evaluated like a version range, "0" would make every version affected.
            ranges: [
              {
                type: 'GIT',
                repo: 'https://example.invalid/r.git',
                events: [{ introduced: '0' }, { fixed: 'a'.repeat(40) }],
              },
              { type: 'SEMVER', events: [{ introduced: '2.0.0' }, { fixed: '2.1.0' }] },
            ],
            versions: ['1.5.0'],
          },
        ],
      }),
    );
    expect(index.match(npm('pkg', '1.0.0'))).toEqual([]);
    expect(index.match(npm('pkg', '1.5.0'))).toHaveLength(1); // from versions[]
    expect(index.match(npm('pkg', '2.0.5'))).toHaveLength(1); // from the SEMVER range
    expect(index.match(npm('pkg', '2.1.0'))).toEqual([]);
  });

  it('a GIT-only entry matches through its versions list alone', () => {
    const index = new AdvisoryIndex();
    index.add(
      record({
        affected: [
          {
            package: pkg,
            severity: [],
            ranges: [{ type: 'GIT', events: [{ introduced: '0' }] }],
            versions: ['1.0.0', '1.0.1+build.7'],
          },
        ],
      }),
    );
    expect(index.match(npm('pkg', '1.0.0'))).toHaveLength(1);
    expect(index.match(npm('pkg', '1.0.1'))).toHaveLength(1); // equal precedence: build metadata ignored
    expect(index.match(npm('pkg', '1.0.2'))).toEqual([]);
  });

  it('applies limit events as an exclusive upper bound, "*" as infinity', () => {
    const index = new AdvisoryIndex();
    index.add(
      record({
        affected: [
          {
            package: pkg,
            severity: [],
            versions: [],
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0.0' }, { limit: '1.5.0' }] }],
          },
        ],
      }),
    );
    expect(index.match(npm('pkg', '0.9.0'))).toEqual([]);
    expect(index.match(npm('pkg', '1.4.9'))).toHaveLength(1);
    expect(index.match(npm('pkg', '1.5.0'))).toEqual([]);
    const star = new AdvisoryIndex();
    star.add(
      record({
        affected: [
          {
            package: pkg,
            severity: [],
            versions: [],
            ranges: [{ type: 'SEMVER', events: [{ introduced: '1.0.0' }, { limit: '*' }] }],
          },
        ],
      }),
    );
    expect(star.match(npm('pkg', '999.0.0'))).toHaveLength(1);
  });

  it('evaluates each range on its own and sorts unsorted events', () => {
    const index = new AdvisoryIndex();
    index.add(
      record({
        affected: [
          {
            package: pkg,
            severity: [],
            versions: [],
            ranges: [
              // written out of order on purpose
              {
                type: 'SEMVER',
                events: [
                  { fixed: '3.0.0' },
                  { introduced: '2.0.0' },
                  { fixed: '1.2.0' },
                  { introduced: '0' },
                ],
              },
              { type: 'SEMVER', events: [{ introduced: '5.0.0' }, { last_affected: '5.1.0' }] },
            ],
          },
        ],
      }),
    );
    const affected = (v: string): boolean => index.match(npm('pkg', v)).length > 0;
    expect(['0.0.0', '1.1.9', '2.0.0', '2.9.9', '5.0.0', '5.1.0'].every(affected)).toBe(true);
    expect(['1.2.0', '1.9.9', '3.0.0', '4.0.0', '5.1.1'].some(affected)).toBe(false);
  });

  it('replaces a record by a newer copy, ignores an older one, and drops it on withdrawal', () => {
    const index = new AdvisoryIndex();
    const v1 = record({ affected: [{ package: pkg, severity: [], versions: ['1.0.0'], ranges: [] }] });
    const v2 = {
      ...v1,
      modified: '2024-02-01T00:00:00Z',
      affected: [{ package: pkg, severity: [], versions: ['2.0.0'], ranges: [] }],
    };
    expect(index.add(v1)).toBe('indexed');
    expect(index.add(v2)).toBe('indexed');
    expect(index.match(npm('pkg', '1.0.0'))).toEqual([]);
    expect(index.match(npm('pkg', '2.0.0'))).toHaveLength(1);
    expect(index.add(v1)).toBe('stale');
    expect(index.add({ ...v2, modified: '2024-03-01T00:00:00Z', withdrawn: '2024-03-01T00:00:00Z' })).toBe(
      'withdrawn',
    );
    expect(index.match(npm('pkg', '2.0.0'))).toEqual([]);
    expect(index.add(v2)).toBe('stale'); // an older copy after the withdrawal stays out
    expect(index.recordCount).toBe(0);
    expect(index.packageCount).toBe(0);
  });

  it('does not index ecosystems it does not scan', () => {
    const index = new AdvisoryIndex();
    const r = record({
      affected: [
        { package: { ecosystem: 'PyPI', name: 'pkg' }, severity: [], versions: ['1.0.0'], ranges: [] },
      ],
    });
    expect(index.add(r)).toBe('no_package');
  });
});

describeWithSharedData('AdvisoryIndex performance', () => {
  /** Real package names and versions: retraced's package-lock (v3) and rustsec's Cargo.lock. */
  function realPackages(): ScannedPackage[] {
    const lock = JSON.parse(
      readFileSync(sharedPath('osv', 'lockfiles', 'npm-v3__retracedhq-retraced__package-lock.json'), 'utf8'),
    ) as {
      packages: Record<string, { version?: string }>;
    };
    const out: ScannedPackage[] = [];
    for (const [path, p] of Object.entries(lock.packages)) {
      const at = path.lastIndexOf('node_modules/');
      if (at < 0 || !p.version) continue;
      out.push(npm(path.slice(at + 'node_modules/'.length), p.version));
    }
    const cargo = parseToml(
      readFileSync(sharedPath('osv', 'lockfiles', 'cargo-v4__rustsec-rustsec__Cargo.lock'), 'utf8'),
    ) as {
      package: { name: string; version: string }[];
    };
    for (const p of cargo.package) out.push(crate(p.name, p.version));
    return out;
  }

  it('scans 2,000 packages against every advisory in well under 200 ms', () => {
    const index = new AdvisoryIndex();
    index.addAll(CORPORA.flatMap((c) => recordsOf(c)));
    const base = realPackages();
    expect(base.length).toBeGreaterThan(900);
    // Pad to 2,000 with older versions of the same real names, which hit more advisories.
    const packages: ScannedPackage[] = [];
    for (let i = 0; packages.length < 2000; i++) {
      const p = base[i % base.length] as ScannedPackage;
      packages.push(i < base.length ? p : { ...p, version: `0.${i % 7}.${i % 5}` });
    }
    const ecosystems = new Set<Ecosystem>(packages.map((p) => p.ecosystem));
    expect(ecosystems.size).toBe(2);

    // Speed is measured in bench/ (npm run bench:deps); here, only that the padded set really matches.
    let findings = 0;
    for (const p of packages) findings += index.match(p).length;
    expect(findings).toBeGreaterThan(0);
  });
});

describeWithSharedData('AdvisoryIndex.matchAll', () => {
  it('matches a name@version listed at several lockfile paths once', () => {
    const index = new AdvisoryIndex();
    index.add(recordById('npm-ghsa', 'GHSA-p6mc-m468-83gw'));
    const found = index.matchAll([
      npm('lodash', '4.17.15'),
      npm('lodash', '4.17.15'),
      npm('lodash', '4.17.21'),
      npm('lodash-es', '4.17.15'),
    ]);
    expect(found.map((f) => `${f.package}@${f.version}`)).toEqual(['lodash@4.17.15', 'lodash-es@4.17.15']);
  });
});
