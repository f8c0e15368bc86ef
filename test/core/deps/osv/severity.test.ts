import { describe, expect, it } from 'vitest';
import {
  severityLevelOfLabel,
  severityLevelOfScore,
  severityOf,
  type OsvRecord,
} from '../../../../src/core/deps/osv/index.js';
import { describeWithSharedData } from '../../../support/shared-data.js';
import { recordById, recordsOf } from './advisory-corpus.js';

describe('severity bands', () => {
  it('maps CVSS scores by the v3.1/v4.0 qualitative bands', () => {
    const cases: [number, string][] = [
      [0, 'none'],
      [0.1, 'low'],
      [3.9, 'low'],
      [4.0, 'medium'],
      [6.9, 'medium'],
      [7.0, 'high'],
      [8.9, 'high'],
      [9.0, 'critical'],
      [10, 'critical'],
    ];
    for (const [score, level] of cases) expect(severityLevelOfScore(score), String(score)).toBe(level);
  });

  it('maps GitHub labels, MODERATE to medium, in any case', () => {
    expect(severityLevelOfLabel('MODERATE')).toBe('medium');
    expect(severityLevelOfLabel('moderate')).toBe('medium');
    expect(severityLevelOfLabel('LOW')).toBe('low');
    expect(severityLevelOfLabel('HIGH')).toBe('high');
    expect(severityLevelOfLabel('CRITICAL')).toBe('critical');
    expect(severityLevelOfLabel('bogus')).toBeUndefined();
    expect(severityLevelOfLabel(7)).toBeUndefined();
  });
});

describeWithSharedData('severityOf on RustSec (1,206 records)', () => {
  const records = recordsOf('crates.io-rustsec');

  it('counts 13 withdrawn, 789 without any severity, 476 informational', () => {
    expect(records).toHaveLength(1206);
    expect(records.filter((r) => r.withdrawn !== undefined)).toHaveLength(13);
    const noSeverity = records.filter(
      (r) => r.severity.length === 0 && r.affected.every((a) => a.severity.length === 0),
    );
    expect(noSeverity).toHaveLength(789);
    expect(noSeverity.every((r) => severityOf(r).level === 'none' && severityOf(r).source === 'none')).toBe(
      true,
    );

    const kinds: Record<string, number> = {};
    for (const r of records) {
      const kind = severityOf(r).informational;
      if (kind !== undefined) kinds[kind] = (kinds[kind] ?? 0) + 1;
    }
    expect(kinds).toEqual({ unmaintained: 267, unsound: 203, notice: 6 });
  });

  it('scores every CVSS v3 (360) and v4 (57) vector, with the highest score deciding', () => {
    const withVectors = records.filter((r) => r.severity.length > 0);
    expect(withVectors).toHaveLength(417);
    const byVersion: Record<string, number> = {};
    for (const r of withVectors) {
      const s = severityOf(r);
      expect(s.source, r.id).toBe('cvss');
      expect(s.unscored, r.id).toBeUndefined();
      const v = s.cvss?.version ?? '?';
      byVersion[v] = (byVersion[v] ?? 0) + 1;
    }
    expect(byVersion['4.0']).toBe(57);
    expect((byVersion['3.0'] ?? 0) + (byVersion['3.1'] ?? 0)).toBe(360);
  });

  it('scores RUSTSEC-2021-0003 (CVSS 3.1 9.8) as critical', () => {
    const s = severityOf(recordById('crates.io-rustsec', 'RUSTSEC-2021-0003'));
    expect(s).toMatchObject({ level: 'critical', source: 'cvss', cvss: { version: '3.1', score: 9.8 } });
  });

  it('gives none to the three v4.0 vectors with no impact at all (score 0.0)', () => {
    for (const id of ['RUSTSEC-2026-0023', 'RUSTSEC-2026-0024', 'RUSTSEC-2026-0026']) {
      expect(severityOf(recordById('crates.io-rustsec', id))).toMatchObject({
        level: 'none',
        source: 'cvss',
        cvss: { score: 0 },
      });
    }
  });

  it('reports an informational advisory that also carries a CVSS score as both', () => {
    const both = records.filter(
      (r) => severityOf(r).informational !== undefined && severityOf(r).source === 'cvss',
    );
    expect(both.length).toBe(38);
  });
});

describeWithSharedData('severityOf on npm advisories', () => {
  it('prefers CVSS over the GitHub label (GHSA-jf85-cpcp-j695: CVSS 3.1 9.1, label CRITICAL)', () => {
    expect(severityOf(recordById('npm-ghsa', 'GHSA-jf85-cpcp-j695'))).toMatchObject({
      level: 'critical',
      source: 'cvss',
      cvss: { score: 9.1 },
    });
  });

  it('falls back to the label without a vector (LOW, HIGH, lower-case moderate)', () => {
    expect(severityOf(recordById('npm-ghsa', 'GHSA-fvqr-27wr-82fm'))).toMatchObject({
      level: 'low',
      source: 'advisory',
    });
    expect(severityOf(recordById('npm-ghsa', 'GHSA-2cf5-4w76-r9qv'))).toMatchObject({
      level: 'high',
      source: 'advisory',
    });
    expect(severityOf(recordById('npm-ghsa', 'GHSA-x5rq-j2xg-h7qm'))).toMatchObject({
      level: 'medium',
      source: 'advisory',
    });
  });

  it('keeps an unscorable vector aside instead of failing (NSWG-504 has I:U/A:U)', () => {
    const s = severityOf(recordById('npm-legacy-as-osv', 'NSWG-504'));
    expect(s).toMatchObject({
      level: 'none',
      source: 'none',
      unscored: ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:U/A:U'],
    });
  });

  it('scores every other legacy record that has a vector', () => {
    const scored = recordsOf('npm-legacy-as-osv').filter((r) => r.severity.length > 0 && r.id !== 'NSWG-504');
    expect(scored).toHaveLength(453);
    expect(scored.every((r) => severityOf(r).source === 'cvss')).toBe(true);
  });
});

describe('severityOf: per-package severities and the top-level informational flag', () => {
  const rec = (over: Partial<OsvRecord>): OsvRecord => ({
    id: 'X-1',
    modified: '2024-01-01T00:00:00Z',
    aliases: [],
    related: [],
    upstream: [],
    severity: [],
    affected: [],
    references: [],
    ...over,
  });

  it('takes the highest score over top-level and affected[].severity', () => {
    const r = rec({
      affected: [
        {
          package: { ecosystem: 'npm', name: 'a' },
          severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
          ranges: [],
          versions: [],
        },
        {
          package: { ecosystem: 'npm', name: 'b' },
          severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:L' }],
          ranges: [],
          versions: [],
        },
      ],
    });
    expect(severityOf(r).level).toBe('critical');
    expect(severityOf(r, [r.affected[1]!]).level).toBe('low');
  });

  it('reads database_specific.informational at the top level too', () => {
    expect(severityOf(rec({ database_specific: { informational: 'notice' } })).informational).toBe('notice');
    expect(severityOf(rec({ database_specific: { informational: null } })).informational).toBeUndefined();
  });
});
