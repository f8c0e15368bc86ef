import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OWASP_ERRATA, OWASP_TOP10_CWES } from '../../../src/core/vulns/data/owasp-top10.js';
import {
  OWASP_CATEGORIES,
  categoriesForCwe,
  categoryName,
  deriveCategory,
  parseCategory,
  parseCwe,
  translateCategory,
  type OwaspCategory,
  type OwaspEdition,
} from '../../../src/core/vulns/owasp.js';
import { describeWithSharedData, sharedPath } from '../../support/shared-data.js';
import { expectValidationError, parseCsv } from './helpers.js';

const readJson = <T>(name: string): T => JSON.parse(readFileSync(sharedPath('vuln', name), 'utf8')) as T;

describeWithSharedData('OWASP mappings against the real OWASP files', () => {
  const m2021 = readJson<{ categories: { id: string; name: string; cwes: { cwe: number }[] }[] }>(
    'owasp_top10_2021_cwe_mapping.json',
  );
  const rows2025 = readJson<{ category: string; name: string; cwe: string; note: string }[]>(
    'owasp_top10_2025_cwe_mapping.json',
  );
  const moves = readJson<{ id_2021: string; id_2025: string; name_2021: string; name_2025: string }[]>(
    'owasp_top10_2021_to_2025_categories.json',
  );

  it('2021: every one of the 197 (category, CWE) rows maps back, and nothing else is mapped', () => {
    const rows = m2021.categories.flatMap((c) => c.cwes.map((w) => ({ category: c.id, cwe: w.cwe })));
    expect(rows).toHaveLength(197);
    for (const r of rows) expect(categoriesForCwe(r.cwe, '2021'), `CWE-${r.cwe}`).toContain(r.category);
    const embedded = Object.values(OWASP_TOP10_CWES['2021']).reduce((n, l) => n + l.length, 0);
    expect(embedded).toBe(197);
  });

  it('2021: names, and A02 lists 30 CWEs although its header says 29', () => {
    for (const c of m2021.categories) expect(categoryName(c.id as OwaspCategory, '2021')).toBe(c.name);
    expect(OWASP_TOP10_CWES['2021'].A02).toHaveLength(30);
  });

  it('2021: CWE-259 is the one CWE in two categories (A02 and A07)', () => {
    const multi = m2021.categories
      .flatMap((c) => c.cwes.map((w) => w.cwe))
      .filter((cwe) => categoriesForCwe(cwe, '2021').length > 1);
    expect([...new Set(multi)]).toEqual([259]);
    expect(categoriesForCwe('CWE-259', '2021')).toEqual(['A02', 'A07']);
  });

  it('2025: every one of the 249 rows maps back to exactly its category (CWE-447 via its documented correction)', () => {
    expect(rows2025).toHaveLength(249);
    for (const r of rows2025) {
      const erratum = OWASP_ERRATA.find((e) => e.category === r.category && `CWE-${e.listed}` === r.cwe);
      const cwe = erratum ? erratum.corrected : r.cwe;
      expect(categoriesForCwe(cwe, '2025'), r.cwe).toEqual([r.category]);
      expect(categoryName(r.category as OwaspCategory, '2025')).toBe(r.name);
    }
    const embedded = Object.values(OWASP_TOP10_CWES['2025']).reduce((n, l) => n + l.length, 0);
    expect(embedded).toBe(249);
  });

  it('2025 erratum: A03 lists CWE-447 where CWE-477 (Use of Obsolete Function) is meant', () => {
    const row = rows2025.find((r) => r.cwe === 'CWE-447');
    expect(row?.note).toMatch(/CWE-477/);
    expect(OWASP_ERRATA).toHaveLength(1);
    expect(OWASP_ERRATA[0]).toMatchObject({ edition: '2025', category: 'A03', listed: 447, corrected: 477 });
    expect(OWASP_ERRATA[0]?.note).toBe(row?.note);
    expect(categoriesForCwe(477, '2025')).toEqual(['A03']);
    // MITRE CWE-447 is "Unimplemented or Unsupported Feature in UI": not a supply-chain weakness.
    expect(categoriesForCwe(447, '2025')).toEqual([]);
    // Other notes only correct names; their CWEs stay mapped as listed.
    expect(categoriesForCwe('CWE-298', '2025')).toEqual(['A07']);
    expect(categoriesForCwe('CWE-1035', '2025')).toEqual(['A03']);
  });

  it('translateCategory follows owasp_top10_2021_to_2025_categories.json for every 2021 category', () => {
    const mapped = moves.filter((m) => m.id_2021 !== '');
    expect(mapped).toHaveLength(10);
    for (const m of mapped) {
      expect(translateCategory(m.id_2021 as OwaspCategory, '2021', '2025'), m.id_2021).toBe(m.id_2025);
      expect(categoryName(m.id_2025 as OwaspCategory, '2025')).toBe(m.name_2025);
    }
    // The one new 2025 category has no 2021 counterpart.
    const fresh = moves.filter((m) => m.id_2021 === '');
    expect(fresh.map((m) => m.id_2025)).toEqual(['A10']);
    expect(translateCategory('A10', '2025', '2021')).toBeNull();
  });

  it('translateCategory agrees with the per-CWE moves file for every CWE that followed its category (159)', () => {
    const rows = parseCsv(readFileSync(sharedPath('vuln', 'owasp_top10_2021_2025_cwe_moves.csv'), 'utf8'));
    const follows = rows.filter((r) => r.status === 'follows_category');
    expect(follows).toHaveLength(159);
    for (const r of follows) {
      expect(translateCategory(r.category_2021 as OwaspCategory, '2021', '2025'), r.cwe).toBe(
        r.category_2025,
      );
    }
    // And each row's categories agree with the lookup in both editions (the 447 row aside).
    for (const r of rows) {
      if (r.cwe === 'CWE-447') continue;
      const in2021 = r.category_2021 ? r.category_2021.split('|') : [];
      const in2025 = r.category_2025 ? [r.category_2025] : [];
      expect(categoriesForCwe(r.cwe!, '2021'), `${r.cwe} 2021`).toEqual(in2021);
      expect(categoriesForCwe(r.cwe!, '2025'), `${r.cwe} 2025`).toEqual(in2025);
    }
  });
});

describe('categoriesForCwe / parseCwe', () => {
  it('accepts 79, "79", "CWE-79", " cwe-79 "', () => {
    for (const c of [79, '79', 'CWE-79', ' cwe-79 ']) expect(categoriesForCwe(c)).toEqual(['A05']);
    expect(categoriesForCwe(79, '2021')).toEqual(['A03']);
  });

  it('SSRF moved from A10:2021 to A01:2025', () => {
    expect(categoriesForCwe('CWE-918', '2021')).toEqual(['A10']);
    expect(categoriesForCwe('CWE-918', '2025')).toEqual(['A01']);
  });

  it('an unmapped CWE gives no candidates (not an error)', () => {
    expect(categoriesForCwe('CWE-9999999')).toEqual([]);
  });

  it.each([
    ['CWE-'],
    ['CWE-0'],
    [0],
    [-79],
    [7.9],
    ['CWE-79a'],
    ['CWE79'],
    ['79; DROP TABLE x'],
    [''],
    ['CWE-12345678'],
    [NaN],
  ] as [string | number][])('refuses %j', (input) => {
    expectValidationError(() => parseCwe(input), 'cwe', /CWE id such as CWE-79/);
  });

  it('refuses an unknown edition', () => {
    expectValidationError(() => categoriesForCwe(79, '2017' as OwaspEdition), 'owasp_edition', /2025, 2021/);
  });
});

describe('deriveCategory', () => {
  it('one CWE, one category: rule single', () => {
    expect(deriveCategory(['CWE-89'])).toEqual({
      category: 'A05',
      edition: '2025',
      candidates: [{ category: 'A05', cwes: ['CWE-89'] }],
      rule: 'single',
    });
  });

  it('2021 CWE-259 (A02 and A07): tie broken by rank, A02', () => {
    expect(deriveCategory(['CWE-259'], '2021')).toEqual({
      category: 'A02',
      edition: '2021',
      candidates: [
        { category: 'A02', cwes: ['CWE-259'] },
        { category: 'A07', cwes: ['CWE-259'] },
      ],
      rule: 'tie_rank',
    });
  });

  it('most votes win: XSS + SQLi (A05) against path traversal (A01)', () => {
    const d = deriveCategory(['CWE-22', 'CWE-79', 'CWE-89']);
    expect(d?.category).toBe('A05');
    expect(d?.rule).toBe('majority');
    expect(d?.candidates).toEqual([
      { category: 'A05', cwes: ['CWE-79', 'CWE-89'] },
      { category: 'A01', cwes: ['CWE-22'] },
    ]);
  });

  it('2021: CWE-259 + CWE-287 gives A07 a majority (2 votes to 1)', () => {
    const d = deriveCategory([259, 287], '2021');
    expect(d?.category).toBe('A07');
    expect(d?.rule).toBe('majority');
  });

  it('tie between two CWEs pointing to different categories: the higher-ranked (A01) wins, whatever the order', () => {
    const a = deriveCategory(['CWE-79', 'CWE-22']);
    const b = deriveCategory(['CWE-22', 'CWE-79']);
    expect(a).toEqual(b);
    expect(a?.category).toBe('A01');
    expect(a?.rule).toBe('tie_rank');
  });

  it('duplicates count once; unmapped CWEs are ignored; none mapped gives null', () => {
    expect(deriveCategory(['CWE-22', 'cwe-22', 22, 'CWE-79', 'CWE-9999999'])?.rule).toBe('tie_rank');
    expect(deriveCategory(['CWE-9999999'])).toBeNull();
    expect(deriveCategory([])).toBeNull();
  });

  it('the result depends only on the set of CWEs (every permutation of a 4-CWE list)', () => {
    const cwes = ['CWE-352', 'CWE-89', 'CWE-798', 'CWE-79'];
    const expected = deriveCategory(cwes);
    const permute = (xs: string[]): string[][] =>
      xs.length <= 1
        ? [xs]
        : xs.flatMap((x, i) => permute([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
    for (const p of permute(cwes)) expect(deriveCategory(p)).toEqual(expected);
    expect(expected?.category).toBe('A05');
  });

  it('names the malformed entry by index', () => {
    expectValidationError(() => deriveCategory(['CWE-79', 'XSS']), 'cwes.1', /CWE id/);
  });
});

describe('translateCategory', () => {
  it('same edition is the identity', () => {
    for (const c of OWASP_CATEGORIES) expect(translateCategory(c, '2025', '2025')).toBe(c);
  });

  it('2025 → 2021 inverts the mapping, choosing the same-titled category where two merged', () => {
    expect(translateCategory('A01', '2025', '2021')).toBe('A01');
    expect(translateCategory('A04', '2025', '2021')).toBe('A02');
    expect(translateCategory('A03', '2025', '2021')).toBe('A06');
    expect(translateCategory('A02', '2025', '2021')).toBe('A05');
    // Round trip from 2025 is exact for every category that existed in 2021.
    for (const c of OWASP_CATEGORIES) {
      const back = translateCategory(c, '2025', '2021');
      if (back) expect(translateCategory(back, '2021', '2025')).toBe(c);
    }
  });

  it('refuses what is not a category or an edition', () => {
    expectValidationError(() => translateCategory('A11' as OwaspCategory, '2021', '2025'), 'owasp_category');
    expectValidationError(() => translateCategory('A01', '2017' as OwaspEdition, '2025'), 'owasp_edition');
  });
});

describe('parseCategory', () => {
  it.each([
    ['A01', 'A01', null],
    ['a01', 'A01', null],
    ['A1', 'A01', null],
    ['a9', 'A09', null],
    ['A10', 'A10', null],
    [' A05 ', 'A05', null],
    ['A01:2021', 'A01', '2021'],
    ['a7:2025', 'A07', '2025'],
    ['A03:2021 - Injection', 'A03', '2021'],
    ['A03:2021 – Injection', 'A03', '2021'],
    ['A05:2025-injection', 'A05', '2025'],
    ['A10 - Server-Side Request Forgery (SSRF)', 'A10', '2021'],
    ['A10 - Mishandling of Exceptional Conditions', 'A10', '2025'],
    ['A01 - Broken Access Control', 'A01', null],
  ])('%j → %s (%s)', (input, category, edition) => {
    expect(parseCategory(input)).toEqual({ category, edition });
  });

  it.each([
    ['', /must be an OWASP Top 10 category/],
    ['A00', /must be an OWASP Top 10 category/],
    ['A11', /must be an OWASP Top 10 category/],
    ['A001', /must be an OWASP Top 10 category/],
    ['A01:', /must be an OWASP Top 10 category/],
    ['A01:21', /must be an OWASP Top 10 category/],
    ['01', /must be an OWASP Top 10 category/],
    ['Broken Access Control', /must be an OWASP Top 10 category/],
    ['A01:2017', /edition 2017 is not supported/],
    ['A01:2021 - Injection', /title does not match A01: expected "Broken Access Control" \(2021\)/],
    ['A03 - Cross-Site Scripting', /title does not match A03/],
    ["A01' OR '1'='1", /must be an OWASP Top 10 category/],
    [`A01 - ${'x'.repeat(500)}`, /must be an OWASP Top 10 category/],
  ])('refuses %j', (input, message) => {
    expectValidationError(() => parseCategory(input), 'owasp_category', message);
  });

  it('refuses non-strings', () => {
    expectValidationError(() => parseCategory(1 as unknown as string), 'owasp_category');
  });
});
