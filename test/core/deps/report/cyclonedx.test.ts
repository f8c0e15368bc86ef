import { expect, it } from 'vitest';
import { toCycloneDx, type CycloneDxBom } from '../../../../src/core/deps/report/index.js';
import { describeWithSharedData } from '../../../support/shared-data.js';
import { retracedScan, sampleScan } from './sample-scan.js';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info', 'none', 'unknown'];
const METHODS = ['CVSSv2', 'CVSSv3', 'CVSSv31', 'CVSSv4', 'OWASP', 'SSVC', 'other'];

describeWithSharedData('toCycloneDx on a scan of real advisories', () => {
  const result = sampleScan();
  const bom: CycloneDxBom = toCycloneDx(result, {
    serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
  });

  it('has the CycloneDX 1.5 envelope', () => {
    expect(bom).toMatchObject({
      $schema: 'http://cyclonedx.org/schema/bom-1.5.schema.json',
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      version: 1,
      metadata: {
        timestamp: '2026-01-15T10:00:00.000Z',
        tools: { components: [{ type: 'application', name: 'bulwark', version: '0.1.0' }] },
      },
    });
    expect(bom.serialNumber).toMatch(
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(toCycloneDx(result).serialNumber).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(JSON.parse(JSON.stringify(bom))).toEqual(bom);
  });

  it('lists every scanned package as a library component with a unique bom-ref = purl', () => {
    expect(bom.components).toHaveLength(8);
    const refs = bom.components.map((c) => c['bom-ref']);
    expect(new Set(refs).size).toBe(refs.length);
    for (const c of bom.components) {
      expect(c.type).toBe('library');
      expect(c.purl).toBe(c['bom-ref']);
      expect(c.purl).toMatch(/^pkg:(npm|cargo)\/.+@.+$/);
    }
    expect(bom.components.find((c) => c.name === 'core')).toMatchObject({
      group: '@babel',
      version: '7.0.0',
      purl: 'pkg:npm/%40babel/core@7.0.0',
      properties: [{ name: 'bulwark:lockfile', value: 'apps/web/package-lock.json' }],
    });
    expect(bom.components.find((c) => c.name === 'smallvec')?.purl).toBe('pkg:cargo/smallvec@0.6.5');
  });

  it('lists each advisory once, with source, ratings, affects refs that resolve, and a recommendation', () => {
    const ids = [...new Set(result.lockfiles.flatMap((lf) => lf.findings.map((f) => f.id)))].sort();
    expect(bom.vulnerabilities.map((v) => v.id)).toEqual(ids);
    const refs = new Set(bom.components.map((c) => c['bom-ref']));
    for (const v of bom.vulnerabilities) {
      expect(v.source.name.length).toBeGreaterThan(0);
      expect(v.source.url).toMatch(/^https:\/\//);
      expect(v.ratings.length).toBeGreaterThan(0);
      for (const r of v.ratings) {
        expect(SEVERITIES).toContain(r.severity);
        expect(METHODS).toContain(r.method);
      }
      expect(v.affects.length).toBeGreaterThan(0);
      for (const a of v.affects) expect(refs.has(a.ref)).toBe(true);
      expect(v.recommendation.length).toBeGreaterThan(0);
    }
  });

  it('carries the CVSS rating, aliases as references, and the fixed versions', () => {
    const v = bom.vulnerabilities.find((x) => x.id === 'GHSA-3fx5-fwvr-xrjg')!;
    expect(v.source).toEqual({
      name: 'GitHub Advisory Database',
      url: 'https://github.com/advisories/GHSA-3fx5-fwvr-xrjg',
    });
    expect(v.ratings).toEqual([
      {
        source: v.source,
        score: 7.5,
        severity: 'high',
        method: 'CVSSv3',
        vector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H',
      },
    ]);
    expect(v.references.map((r) => r.id)).toEqual(['NSWG-46', 'CVE-2015-8315']);
    expect(v.references[1]?.source.name).toBe('NVD');
    expect(v.affects).toEqual([
      { ref: 'pkg:npm/ms@0.7.0', versions: [{ version: '0.7.0', status: 'affected' }] },
    ]);
    expect(v.recommendation).toBe('Upgrade ms to 0.7.1 or later.');
    const rust = bom.vulnerabilities.find((x) => x.id === 'RUSTSEC-2021-0003')!;
    expect(rust.ratings[0]).toMatchObject({ method: 'CVSSv31', score: 9.8, severity: 'critical' });
    expect(rust.recommendation).toBe('Upgrade smallvec to 0.6.14 or 1.6.1 or later.');
  });

  it('rates label-only, unrated and informational advisories without inventing a score', () => {
    const label = bom.vulnerabilities.find((x) => x.id === 'GHSA-w573-4hg7-7wgq')!;
    expect(label.ratings).toEqual([{ source: label.source, severity: 'low', method: 'other' }]);
    const unrated = bom.vulnerabilities.find((x) => x.id === 'RUSTSEC-2022-0096')!;
    expect(unrated.ratings[0]).toMatchObject({ severity: 'unknown', method: 'other' });
    expect(unrated.ratings[0]?.score).toBeUndefined();
    const info = bom.vulnerabilities.find((x) => x.id === 'RUSTSEC-2018-0018')!;
    expect(info.ratings[0]?.severity).toBe('info');
    expect(info.properties).toEqual([{ name: 'bulwark:informational', value: 'unsound' }]);
  });

  it('records an approval as an analysis with will_not_fix and the approver', () => {
    const v = bom.vulnerabilities.find((x) => x.id === 'GHSA-w573-4hg7-7wgq')!;
    expect(v.analysis).toEqual({
      response: ['will_not_fix'],
      detail: 'Approved by alice: not reachable: only used at build time (until 2030-01-01T00:00:00Z)',
    });
    expect(bom.vulnerabilities.filter((x) => x.analysis !== undefined)).toHaveLength(1);
  });

  it('turns a real 867-package lockfile into as many unique components', () => {
    const lf = retracedScan();
    const big = toCycloneDx({ scanned_at: '2026-01-15T10:00:00.000Z', lockfiles: [lf] });
    expect(big.components).toHaveLength(lf.packages.length);
    expect(lf.packages.length).toBe(867);
    expect(big.vulnerabilities).toEqual([]);
  });
});
