import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import {
  compareParsed,
  compareVersions,
  ECOSYSTEMS,
  isStrictVersion,
  packageKeyName,
  parseVersion,
} from '../../../../src/core/deps/versions/index.js';
import { describeWithSharedData, sharedPath } from '../../../support/shared-data.js';

interface Comparison {
  line: number;
  text: string;
  a: string;
  op: '<' | '=' | '>';
  b: string;
}

/** osv-scalibr's fixture format: `A < B` (or `=`, `>`) a line; `#` and `//` lines are comments. */
function readComparisons(file: string): Comparison[] {
  const out: Comparison[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      const text = raw.trim();
      if (text === '' || text.startsWith('#') || text.startsWith('//')) return;
      const m = /^(\S+) ([<=>]) (\S+)$/.exec(text);
      if (!m) throw new Error(`line ${i + 1} is not a comparison: ${text}`);
      out.push({ line: i + 1, text, a: m[1] as string, op: m[2] as Comparison['op'], b: m[3] as string });
    });
  return out;
}

const expected = { '<': -1, '=': 0, '>': 1 } as const;

describeWithSharedData('compareVersions against osv-scalibr semver-versions.txt', () => {
  const comparisons = readComparisons(sharedPath('osv', 'semantic', 'semver-versions.txt'));

  it('reads every comparison of the truth file', () => {
    // 10 + 31 + 31 + 13 + 1 comparison lines in the upstream fixture (2 comment lines).
    expect(comparisons.length).toBe(86);
  });

  for (const ecosystem of ECOSYSTEMS) {
    it.each(comparisons)(`${ecosystem}: line $line: $text`, ({ a, op, b }) => {
      expect(compareVersions(ecosystem, a, b)).toBe(expected[op]);
      // and the mirror image, so that the order is antisymmetric
      expect(compareVersions(ecosystem, b, a)).toBe(-expected[op] || 0);
    });
  }

  it('names the lines the semver library cannot parse strictly (the quirks the fallback covers)', () => {
    const nonStrict = new Set<string>();
    for (const { a, b } of comparisons)
      for (const v of [a, b]) if (!isStrictVersion(parseVersion('npm', v))) nonStrict.add(v);
    expect([...nonStrict].sort()).toEqual([
      '1.1.3.4.5', // a fourth and fifth component
      '999999999999999999999999999991', // one component, beyond Number.MAX_SAFE_INTEGER
      '999999999999999999999999999991.999999999999999999999999999991.999999999999999999999999999991',
      '999999999999999999999999999999',
      '999999999999999999999999999999.999999999999999999999999999991.999999999999999999999999999991',
    ]);
  });
});

describe('compareVersions: build metadata, lenient forms', () => {
  it('ignores build metadata for ordering (SemVer §10), for npm and crates.io alike', () => {
    for (const eco of ECOSYSTEMS) {
      expect(compareVersions(eco, '1.0.0+20130313144700', '1.0.0')).toBe(0);
      expect(compareVersions(eco, '1.0.0-beta+exp.sha.5114f85', '1.0.0-beta')).toBe(0);
      expect(compareVersions(eco, '1.0.0-beta+zzz', '1.0.0-rc+aaa')).toBe(-1);
    }
  });

  it('orders missing components as 0 and leading zeros by value (scalibr semantics)', () => {
    expect(compareVersions('npm', '1.2', '1.2.0')).toBe(0);
    expect(compareVersions('npm', '1', '1.0.1')).toBe(-1);
    expect(compareVersions('npm', '01.02.03', '1.2.3')).toBe(0);
    expect(compareVersions('npm', '1.2', '1.2.0-rc.1')).toBe(1);
  });

  it('keeps scalibr’s 4-component quirk: extra components become pre-release text', () => {
    expect(compareVersions('crates.io', '1.1.3.4', '1.1.3')).toBe(-1);
    expect(compareVersions('crates.io', '1.1.3.4', '1.1.2')).toBe(1);
    expect(compareVersions('crates.io', '1.2.3.4+build', '1.2.3')).toBe(0);
  });

  it('agrees with semver.compare on every pair of strict versions drawn from real advisories', () => {
    const versions = [
      '0.0.0',
      '0.0.1',
      '0.2.0',
      '0.2.1',
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta.11',
      '1.0.0-beta.2',
      '1.0.0-rc.1',
      '1.0.0',
      '2.0.0-rc7',
      '2.1.0-M1',
      '2.1.0-M2',
      '3.0.0-beta.1',
      '4.17.15',
      '4.17.20',
      '4.17.21',
      '5.0.0-beta.5',
      '10.0.0',
      '1.2.3-r100',
      '1.2.3-R2',
    ];
    for (const a of versions) {
      for (const b of versions) {
        const viaLibrary = semver.compare(a, b);
        expect(compareVersions('npm', a, b), `${a} vs ${b}`).toBe(viaLibrary);
        // the lenient path alone must give the same answer, so mixed comparisons stay consistent
        const pa = parseVersion('npm', a);
        const pb = parseVersion('npm', b);
        expect(compareParsed({ ...pa, strict: null }, { ...pb, strict: null }), `lenient ${a} vs ${b}`).toBe(
          viaLibrary,
        );
      }
    }
  });
});

describe('packageKeyName', () => {
  it('keeps npm names exact and folds crates.io case and -/_', () => {
    expect(packageKeyName('npm', 'JSONStream')).toBe('JSONStream');
    expect(packageKeyName('npm', '@scope/Pkg_x')).toBe('@scope/Pkg_x');
    expect(packageKeyName('crates.io', 'Serde_JSON')).toBe('serde-json');
  });
});
