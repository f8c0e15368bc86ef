import { readFileSync } from 'node:fs';
import calculator from 'ae-cvss-calculator';
import { describe, expect, it } from 'vitest';
import { scoreCvssVector, severityFromVector } from '../../../src/core/vulns/cvss.js';
import { CVSS_METRICS, type CvssVersion } from '../../../src/core/vulns/cvss-metrics.js';
import { describeWithSharedData, sharedPath } from '../../support/shared-data.js';
import { expectValidationError } from './helpers.js';

const lines = (file: string): string[] =>
  readFileSync(sharedPath('vuln', 'cvss', file), 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');

interface Mismatch {
  line: number;
  vector: string;
  expected: number;
  got: number | string;
}

/** Scores every line; returns the lines whose score differs from the expected column. */
function mismatches(
  rows: string[],
  pick: (cols: string[]) => { vector: string; expected: number },
): Mismatch[] {
  const out: Mismatch[] = [];
  rows.forEach((row, i) => {
    const { vector, expected } = pick(row.split(/\s+/));
    try {
      const got = scoreCvssVector(vector).score;
      if (got !== expected) out.push({ line: i + 1, vector, expected, got });
    } catch (e) {
      out.push({ line: i + 1, vector, expected, got: String(e) });
    }
  });
  return out;
}

describeWithSharedData('scoreCvssVector against metaeffekt validation vectors', () => {
  it('CVSS 3.1: all 10,000 vectors give the expected base score (column 3)', () => {
    // Columns: vector overall base impact exploitability temporal environmental modifiedImpact.
    const rows = lines('metaeffekt_cvss-3.1-validation-vectors-001.txt');
    expect(rows).toHaveLength(10_000);
    expect(mismatches(rows, (c) => ({ vector: c[0]!, expected: Number(c[2]) }))).toEqual([]);
  });

  it('CVSS 3.0: all 120 vectors give the expected base score (column 2)', () => {
    // This file has no prefix (the vectors are bare metric lists) and three scores: base,
    // temporal, environmental (checked: the library reproduces all three). `wc -l` says 119
    // because the last line has no newline.
    const rows = lines('metaeffekt_cvss-3.0-validation-vectors-002.txt');
    expect(rows).toHaveLength(120);
    expect(mismatches(rows, (c) => ({ vector: `CVSS:3.0/${c[0]!}`, expected: Number(c[1]) }))).toEqual([]);
  });

  it('CVSS 4.0: all 340 vectors give the expected score (column 3) and MacroVector (column 2)', () => {
    const rows = lines('metaeffekt_cvss-4.0-validation-vectors-001.txt');
    expect(rows).toHaveLength(340);
    expect(mismatches(rows, (c) => ({ vector: c[0]!, expected: Number(c[2]) }))).toEqual([]);
    // The MacroVector is the library's intermediate; checking it too shows the score is right
    // for the right reason, not by a lucky lookup.
    const badMacro = rows.filter((row) => {
      const [vector, macro] = row.split(/\s+/);
      return String(new calculator.Cvss4P0(scoreCvssVector(vector!).vector).getMacroVector()) !== macro;
    });
    expect(badMacro).toEqual([]);
  });

  it('normalisation is idempotent and keeps the score (every 3.0 and 4.0 vector)', () => {
    const vectors = [
      ...lines('metaeffekt_cvss-3.0-validation-vectors-002.txt').map((r) => `CVSS:3.0/${r.split(/\s+/)[0]!}`),
      ...lines('metaeffekt_cvss-4.0-validation-vectors-001.txt').map((r) => r.split(/\s+/)[0]!),
    ];
    for (const v of vectors) {
      const once = scoreCvssVector(v);
      const twice = scoreCvssVector(once.vector);
      expect(twice).toEqual(once);
      expect(once.vector).not.toMatch(/:X(\/|$)/);
    }
  });
});

describe('scoreCvssVector: well-known vectors', () => {
  it('Log4Shell (CVE-2021-44228), v3.1: 10.0 critical', () => {
    expect(severityFromVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H')).toEqual({
      version: '3.1',
      score: 10,
      vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H',
      severity: 'critical',
    });
  });

  it('v4.0 network/no-interaction/high impact: 9.3 (FIRST calculator)', () => {
    expect(scoreCvssVector('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N').score).toBe(
      9.3,
    );
  });

  it('v3.0 and v3.1 base scores agree on all 2,592 base-metric combinations; the version is reported', () => {
    // v3.1 changed Roundup (to avoid floating-point artefacts) and the environmental formula,
    // not the base equations: every base vector must score the same under both prefixes.
    const values: Record<string, string> = {
      AV: 'NALP',
      AC: 'LH',
      PR: 'NLH',
      UI: 'NR',
      S: 'UC',
      C: 'HLN',
      I: 'HLN',
      A: 'HLN',
    };
    let vectors = [''];
    for (const [metric, vs] of Object.entries(values))
      vectors = vectors.flatMap((v) => [...vs].map((x) => `${v}/${metric}:${x}`));
    expect(vectors).toHaveLength(2592);
    for (const m of vectors) {
      const v30 = scoreCvssVector(`CVSS:3.0${m}`);
      const v31 = scoreCvssVector(`CVSS:3.1${m}`);
      expect(v30.version).toBe('3.0');
      expect(v31.version).toBe('3.1');
      expect(v30.score).toBe(v31.score);
    }
  });

  it('a 0.0 vector scores 0 but has no severity', () => {
    expect(scoreCvssVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N').score).toBe(0);
    expectValidationError(
      () => severityFromVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N'),
      'cvss_vector',
      /0\.0 means no vulnerability/,
    );
  });

  it('accepts metrics in any order and normalises to specification order, dropping X values', () => {
    const r = scoreCvssVector('  CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N/E:X/MAV:L/RC:C  ');
    expect(r).toEqual({
      version: '3.1',
      score: 9.8,
      vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/RC:C/MAV:L',
    });
    const v4 = scoreCvssVector(
      'CVSS:4.0/AV:A/AC:H/AT:P/PR:L/UI:P/VC:L/VI:H/VA:H/SC:N/SI:L/SA:N/AU:N/R:U/V:D/RE:L/U:Green/MAV:L/MAC:H/MAT:P/MPR:L/MUI:P/MVC:N/MVI:N/MVA:L/MSC:L/MSI:H/MSA:S/CR:M/IR:H/AR:L/E:P',
    );
    expect(v4.vector).toBe(
      'CVSS:4.0/AV:A/AC:H/AT:P/PR:L/UI:P/VC:L/VI:H/VA:H/SC:N/SI:L/SA:N/E:P/CR:M/IR:H/AR:L/MAV:L/MAC:H/MAT:P/MPR:L/MUI:P/MVC:N/MVI:N/MVA:L/MSC:L/MSI:H/MSA:S/AU:N/R:U/V:D/RE:L/U:Green',
    );
    expect(v4.score).toBe(2.2);
  });

  it('temporal/environmental metrics do not change a v3.x base score', () => {
    const base = scoreCvssVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H').score;
    expect(
      scoreCvssVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:U/MAV:P/CR:L').score,
    ).toBe(base);
  });
});

describe('scoreCvssVector: invalid vectors are refused naming cvss_vector', () => {
  const V31 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
  const V40 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';
  const cases: [string, string, RegExp][] = [
    ['empty', '', /is empty/],
    ['only spaces', '   ', /is empty/],
    ['no prefix (bare metrics)', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /missing the version prefix/],
    ['CVSS v2 (no prefix)', 'AV:N/AC:L/Au:N/C:P/I:P/A:P', /missing the version prefix/],
    ['lower-case prefix', V31.replace('CVSS', 'cvss'), /in capitals/],
    ['unsupported version', V31.replace('3.1', '3.2'), /unsupported CVSS version "3.2"/],
    ['v2 prefix', 'CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P', /unsupported CVSS version "2.0"/],
    ['garbage', 'hello world', /must start with CVSS:3.0\/, CVSS:3.1\/ or CVSS:4.0\//],
    ['missing one base metric', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H', /missing mandatory metric A$/],
    ['missing several base metrics', 'CVSS:3.1/AV:N/AC:L', /missing mandatory metrics PR, UI, S, C, I, A/],
    ['prefix only', 'CVSS:3.1/', /empty metric at position 1/],
    ['unknown metric', `${V31}/FOO:X`, /unknown metric "FOO" for CVSS 3.1/],
    ['v4 metric in v3.1', `${V31}/AT:N`, /unknown metric "AT" for CVSS 3.1/],
    ['v3 metric in v4.0', `${V40}/RL:O`, /unknown metric "RL" for CVSS 4.0/],
    ['bad value', V31.replace('AV:N', 'AV:Q'), /bad value "Q" for metric AV \(allowed: N, A, L, P\)/],
    ['X for a base metric', V31.replace('AV:N', 'AV:X'), /base metric AV must have a value/],
    ['empty value', V31.replace('AV:N', 'AV:'), /bad value "" for metric AV/],
    ['lower-case value', V31.replace('AV:N', 'AV:n'), /values are case-sensitive/],
    ['lower-case v4 supplemental value', `${V40}/U:green`, /bad value "green" for metric U.*case-sensitive/],
    ['v4 base SC:S (only MSI/MSA take S)', V40.replace('SC:N', 'SC:S'), /bad value "S" for metric SC/],
    ['duplicated metric, same value', `${V31}/AV:N`, /metric AV appears more than once/],
    [
      'duplicated metric, other value',
      'CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      /metric AV appears more than once/,
    ],
    ['trailing slash', `${V31}/`, /empty metric at position 9 \(a stray "\/"\)/],
    ['double slash', V31.replace('/AC', '//AC'), /empty metric at position 2/],
    ['metric without value', `${V31}/E`, /"E" is not a METRIC:VALUE pair/],
    ['two colons', V31.replace('AV:N', 'AV:N:N'), /is not a METRIC:VALUE pair/],
    ['lower-case metric name', V31.replace('AV:N', 'av:N'), /unknown metric "av"/],
    ['inner whitespace', V31.replace('/AC', ' /AC'), /bad value "N " for metric AV/],
    ['way too long', `${V31}/${'E:X/'.repeat(200)}E:X`, /too long/],
    ['SQL in a vector', "CVSS:3.1/AV:N'; DROP TABLE vulns;--", /bad value/],
  ];
  it.each(cases)('%s', (_name, vector, message) => {
    expectValidationError(() => scoreCvssVector(vector), 'cvss_vector', message);
  });

  it('non-strings are refused, not crashed on', () => {
    for (const v of [null, undefined, 7.5, {}, ['CVSS:3.1/AV:N']]) {
      expectValidationError(() => scoreCvssVector(v as unknown as string), 'cvss_vector', /must be a string/);
    }
  });

  it('error messages quote at most a short excerpt of the input', () => {
    const err = expectValidationError(() => scoreCvssVector(`CVSS:3.1/${'Z'.repeat(300)}:N`), 'cvss_vector');
    expect(err.message.length).toBeLessThan(120);
  });
});

describe('metric tables', () => {
  // Our tables are written from the specification; every value they allow must also be one the
  // library understands, or the library would be handed a vector it cannot score.
  const libraryFor: Record<
    CvssVersion,
    () => {
      getRegisteredComponents(): Map<unknown, { shortName: string; values: { shortName: string }[] }[]>;
    }
  > = {
    '3.0': () => new calculator.Cvss3P0(),
    '3.1': () => new calculator.Cvss3P1(),
    '4.0': () => new calculator.Cvss4P0(),
  };
  it.each(['3.0', '3.1', '4.0'] as CvssVersion[])(
    'CVSS %s: every metric and value we allow is known to the library',
    (version) => {
      const lib = new Map<string, Set<string>>();
      for (const comps of libraryFor[version]().getRegisteredComponents().values()) {
        for (const c of comps) lib.set(c.shortName, new Set(c.values.map((v) => v.shortName)));
      }
      for (const [name, spec] of CVSS_METRICS[version]) {
        expect(lib.has(name), `${version} ${name}`).toBe(true);
        for (const v of spec.values) expect(lib.get(name)!.has(v), `${version} ${name}:${v}`).toBe(true);
      }
      expect(CVSS_METRICS[version].size).toBe(lib.size);
    },
  );
});
