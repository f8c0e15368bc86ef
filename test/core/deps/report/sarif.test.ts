import { describe, expect, it } from 'vitest';
import {
  artifactLocation,
  sarifLevel,
  toSarif,
  type SarifLog,
} from '../../../../src/core/deps/report/index.js';
import { describeWithSharedData } from '../../../support/shared-data.js';
import { sampleScan } from './sample-scan.js';

describeWithSharedData('toSarif on a scan of real advisories', () => {
  const result = sampleScan();
  const log: SarifLog = toSarif(result);
  const run = log.runs[0]!;
  const allFindings = result.lockfiles.flatMap((lf) => lf.findings);

  it('has the SARIF 2.1.0 envelope', () => {
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    expect(run.tool.driver).toMatchObject({ name: 'bulwark', version: '0.1.0' });
    expect(run.invocations).toEqual([{ executionSuccessful: true, endTimeUtc: '2026-01-15T10:00:00.000Z' }]);
    // Serialisable as plain JSON (no undefined, no class instances).
    expect(JSON.parse(JSON.stringify(log))).toEqual(log);
  });

  it('declares one rule per advisory, each with id, descriptions, help and helpUri', () => {
    const ids = [...new Set(allFindings.map((f) => f.id))].sort();
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(ids);
    for (const rule of run.tool.driver.rules) {
      expect(rule.shortDescription.text.length).toBeGreaterThan(0);
      expect(rule.fullDescription.text).toContain(rule.id);
      expect(rule.help.text.length).toBeGreaterThan(0);
      expect(rule.help.markdown).toBeDefined();
      expect(rule.helpUri).toMatch(/^https:\/\//);
      expect(rule.name).toMatch(/^[A-Za-z0-9]+$/);
      expect(['error', 'warning', 'note']).toContain(rule.defaultConfiguration.level);
    }
    const pp = run.tool.driver.rules.find((r) => r.id === 'GHSA-p6mc-m468-83gw')!;
    expect(pp.helpUri).toBe('https://github.com/advisories/GHSA-p6mc-m468-83gw');
    expect(pp.help.text).toContain('Upgrade lodash to 4.17.20 or later.');
    expect(pp.properties['security-severity']).toBe('7.4');
    expect(pp.properties.tags).toContain('CVE-2020-8203');
    expect(run.tool.driver.rules.find((r) => r.id === 'RUSTSEC-2021-0003')?.helpUri).toBe(
      'https://rustsec.org/advisories/RUSTSEC-2021-0003.html',
    );
  });

  it('gives one result per finding, its ruleIndex pointing at its rule, located at the lockfile', () => {
    expect(run.results).toHaveLength(allFindings.length);
    expect(run.artifacts.map((a) => a.location.uri)).toEqual([
      'apps/web/package-lock.json',
      'services/engine/Cargo.lock',
    ]);
    for (const r of run.results) {
      expect(run.tool.driver.rules[r.ruleIndex]?.id).toBe(r.ruleId);
      expect(['error', 'warning', 'note']).toContain(r.level);
      expect(r.message.text.length).toBeGreaterThan(0);
      const loc = r.locations[0]!.physicalLocation.artifactLocation;
      expect(loc.uriBaseId).toBe('%SRCROOT%');
      expect(run.artifacts[loc.index]?.location.uri).toBe(loc.uri);
      expect(r.partialFingerprints['bulwarkDependency/v1']).toMatch(/^[0-9a-f]{64}$/);
    }
    const fps = run.results.map((r) => r.partialFingerprints['bulwarkDependency/v1']);
    expect(new Set(fps).size).toBe(fps.length);
  });

  it('maps severity to level: high → error, medium → warning, low and informational → note', () => {
    const level = (id: string): string | undefined => run.results.find((r) => r.ruleId === id)?.level;
    expect(level('GHSA-p6mc-m468-83gw')).toBe('error'); // high
    expect(level('RUSTSEC-2021-0003')).toBe('error'); // critical
    expect(level('NSWG-516')).toBe('warning'); // medium
    expect(level('GHSA-w573-4hg7-7wgq')).toBe('note'); // low
    expect(level('RUSTSEC-2018-0018')).toBe('note'); // informational: unsound
    expect(sarifLevel({ severity: 'critical', informational: 'unmaintained' })).toBe('note');
  });

  it('writes a message naming package, version, ids and the fix', () => {
    const r = run.results.find((x) => x.ruleId === 'GHSA-3fx5-fwvr-xrjg')!;
    expect(r.message.text).toBe(
      'ms@0.7.0 is affected by GHSA-3fx5-fwvr-xrjg (CVE-2015-8315): Regular Expression Denial of Service in ms. ' +
        'Severity: high (CVSS 3.0 7.5). Upgrade ms to 0.7.1 or later.',
    );
    expect(r.properties['ids']).toEqual(['GHSA-3fx5-fwvr-xrjg', 'NSWG-46', 'CVE-2015-8315']);
  });

  it('keeps an approved finding, suppressed with the approval as justification', () => {
    const r = run.results.find((x) => x.ruleId === 'GHSA-w573-4hg7-7wgq')!;
    expect(r.suppressions).toEqual([
      {
        kind: 'external',
        status: 'accepted',
        justification:
          'Approved by alice: not reachable: only used at build time (until 2030-01-01T00:00:00Z)',
      },
    ]);
    expect(run.results.filter((x) => x.suppressions !== undefined)).toHaveLength(1);
  });
});

describe('SARIF artifact locations', () => {
  it('encodes relative, absolute and Windows paths as URIs', () => {
    expect(artifactLocation('./a b/package-lock.json')).toEqual({
      uri: 'a%20b/package-lock.json',
      uriBaseId: '%SRCROOT%',
    });
    expect(artifactLocation('/srv/app/Cargo.lock')).toEqual({ uri: 'file:///srv/app/Cargo.lock' });
    expect(artifactLocation('C:\\work\\app\\yarn.lock')).toEqual({ uri: 'file:///C:/work/app/yarn.lock' });
    expect(artifactLocation('weird#name?.lock').uri).toBe('weird%23name%3F.lock');
  });

  it('produces an empty but valid run for a clean scan', () => {
    const log = toSarif({
      scanned_at: '2026-01-01T00:00:00.000Z',
      lockfiles: [{ path: 'Cargo.lock', format: 'Cargo.lock@4', packages: [], findings: [] }],
    });
    expect(log.runs[0]).toMatchObject({ tool: { driver: { name: 'bulwark', rules: [] } }, results: [] });
  });
});
