import { describe, expect, it } from 'vitest';
import {
  summarise,
  terminalSafe,
  toCycloneDx,
  toSarif,
  toTable,
} from '../../../../src/core/deps/report/index.js';
import { describeWithSharedData } from '../../../support/shared-data.js';
import { sampleScan } from './sample-scan.js';

describeWithSharedData('toTable on a scan of real advisories', () => {
  const result = sampleScan();
  const text = toTable(result);
  const lines = text.split('\n');

  it('has a section per lockfile with a header row, aligned columns and one row per finding', () => {
    const webAt = lines.indexOf('apps/web/package-lock.json (package-lock.json@3): 5 packages, 4 findings');
    expect(webAt).toBeGreaterThanOrEqual(0);
    const header = lines[webAt + 1] as string;
    expect(header.split(/\s{2,}/)).toEqual([
      'SEVERITY',
      'PACKAGE',
      'VERSION',
      'ID',
      'CVE',
      'FIXED IN',
      'NOTE',
    ]);
    expect(lines[webAt + 2]).toMatch(/^-+( {2}-+){6}$/);
    const rows = lines.slice(webAt + 3, webAt + 7);
    // Most severe first; columns start where the header's do.
    expect(rows.map((r) => r.split(/\s+/)[0])).toEqual(['high', 'high', 'medium', 'low']);
    const idCol = header.indexOf('ID');
    expect(rows.map((r) => r.slice(idCol).split(' ')[0])).toEqual([
      'GHSA-p6mc-m468-83gw',
      'GHSA-3fx5-fwvr-xrjg',
      'NSWG-516',
      'GHSA-w573-4hg7-7wgq',
    ]);
    expect(rows[3]).toContain('approved by alice until 2030-01-01');
    expect(lines.some((l) => l.startsWith('services/engine/Cargo.lock (Cargo.lock@4): 3 packages, '))).toBe(
      true,
    );
  });

  it('marks informational and unrated advisories for what they are', () => {
    expect(lines.find((l) => l.includes('RUSTSEC-2018-0018'))).toMatch(
      /^info\s+smallvec\s+0\.6\.5\s.*unsound$/,
    );
    expect(lines.find((l) => l.includes('RUSTSEC-2022-0096'))).toMatch(/^unrated\s+wasmtime/);
  });

  it('ends with totals consistent with summarise()', () => {
    const s = summarise(result);
    expect(s.severity_max).toBe('critical');
    expect(s.open_severity_max).toBe('critical');
    expect(s.approval_expired).toBe(0);
    expect(s.approved).toBe(1);
    expect(s.informational).toBe(1);
    const total = lines.find((l) => l.startsWith('Total: '));
    expect(total).toContain(`${s.packages} packages`);
    expect(total).toContain(`${s.findings - s.informational} vulnerabilities`);
    expect(total).toContain('1 informational, 1 approved; highest open severity: critical');
  });
});

describeWithSharedData('approvals that have expired', () => {
  // The same scan, run after the approval of decode-uri-component (until 2030-01-01) ran out.
  const later = { ...sampleScan(), scanned_at: '2030-06-01T00:00:00.000Z' };
  const onlyWeb = { ...later, lockfiles: later.lockfiles.slice(0, 1) };

  it('count as open again: in the summary, the table, SARIF and CycloneDX', () => {
    const s = summarise(onlyWeb);
    expect(s).toMatchObject({
      approved: 0,
      approval_expired: 1,
      severity_max: 'high',
      open_severity_max: 'high',
    });
    expect(toTable(onlyWeb)).toContain('approval expired 2030-01-01');
    expect(toTable(onlyWeb)).toContain('0 approved (1 expired)');
    expect(toSarif(onlyWeb).runs[0]?.results.some((r) => r.suppressions !== undefined)).toBe(false);
    expect(toCycloneDx(onlyWeb).vulnerabilities.some((v) => v.analysis !== undefined)).toBe(false);
  });

  it('an approval in force lowers the open severity, not severity_max', () => {
    const now = { ...sampleScan(), lockfiles: sampleScan().lockfiles.slice(0, 1) };
    for (const f of now.lockfiles[0]!.findings) f.approved = true;
    expect(summarise(now)).toMatchObject({ severity_max: 'high', open_severity_max: 'none', approved: 4 });
  });
});

describe('toTable safety and empty scans', () => {
  it('neutralises terminal escape sequences and control characters in cells', () => {
    expect(terminalSafe('evil\u001b[2J\u0007name')).toBe('evil\uFFFD[2J\uFFFDname');
    expect(terminalSafe('a\u202Eb')).toBe('a\uFFFDb');
    expect(terminalSafe('x'.repeat(60))).toHaveLength(48);
    const text = toTable({
      scanned_at: '2026-01-01T00:00:00.000Z',
      lockfiles: [
        {
          path: 'pkg\u001b]0;pwned\u0007.json',
          format: 'package-lock.json@3',
          packages: [],
          findings: [
            {
              package: 'x\u001b[31m',
              version: '1.0.0',
              ecosystem: 'npm',
              purl: 'pkg:npm/x@1.0.0',
              id: 'GHSA-xxxx-xxxx-xxxx',
              ids: ['GHSA-xxxx-xxxx-xxxx'],
              record_ids: ['GHSA-xxxx-xxxx-xxxx'],
              cves: [],
              severity: 'high',
              severity_source: 'advisory',
              summary: 's',
              fixed_versions: [],
              references: [],
            },
          ],
        },
      ],
    });
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\u0007');
  });

  it('says so when nothing was found', () => {
    const text = toTable({
      scanned_at: '2026-01-01T00:00:00.000Z',
      lockfiles: [{ path: 'Cargo.lock', format: 'Cargo.lock@4', packages: [], findings: [] }],
    });
    expect(text).toBe(
      'Cargo.lock (Cargo.lock@4): 0 packages, 0 findings\n  no known vulnerabilities\n\n' +
        'Total: 0 packages scanned at 2026-01-01T00:00:00.000Z; 0 vulnerabilities, 0 informational, 0 approved; highest open severity: none\n',
    );
  });
});
