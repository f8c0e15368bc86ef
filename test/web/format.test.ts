/**
 * The dashboard's wording helpers, in Node (they are pure): counts in words and day tick labels.
 * The browser suites check them on the pages; these pin the edge cases the pages' data may not hit.
 */
import { describe, expect, it } from 'vitest';

// Plain ES modules without type declarations: imported untyped.
const DOM = '../../src/web/assets/js/dom.js';
const CHART = '../../src/web/assets/js/chart.js';
const { count } = (await import(DOM as string)) as {
  count: (n: number, one: string, many?: string) => string;
};
const { dayTickLabels } = (await import(CHART as string)) as {
  dayTickLabels: (splits: number[], endYear: string) => string[];
};

describe('count', () => {
  it('says 1 finding, 0 and 2 findings, with irregular plurals and thousands separators', () => {
    expect(count(1, 'finding')).toBe('1 finding');
    expect(count(0, 'finding')).toBe('0 findings');
    expect(count(2, 'ban')).toBe('2 bans');
    expect(count(1, 'entry', 'entries')).toBe('1 entry');
    expect(count(3, 'entry', 'entries')).toBe('3 entries');
    expect(count(1, 'advisory', 'advisories')).toBe('1 advisory');
    expect(count(12_345, 'attempt')).toBe('12,345 attempts');
  });
});

const COMPONENTS = '../../src/web/assets/js/components.js';
const KEYS_PAGE = '../../src/web/assets/js/pages/keys.js';
type PageCountArgs = { page: number; hasNext: boolean; shown: number; one: string; many?: string };
const { pageCount } = (await import(COMPONENTS as string)) as { pageCount: (a: PageCountArgs) => string };
const { rotationEffect } = (await import(KEYS_PAGE as string)) as { rotationEffect: (t: string) => string };

describe('pageCount', () => {
  it("says a page's count is the page's, and only a lone page's is the total", () => {
    expect(pageCount({ page: 1, hasNext: true, shown: 25, one: 'finding' })).toBe('showing 25 findings');
    expect(pageCount({ page: 3, hasNext: false, shown: 12, one: 'finding' })).toBe('showing 12 findings');
    expect(pageCount({ page: 2, hasNext: false, shown: 1, one: 'entry', many: 'entries' })).toBe(
      'showing 1 entry',
    );
    expect(pageCount({ page: 1, hasNext: false, shown: 1, one: 'package' })).toBe('1 package in all');
    expect(pageCount({ page: 1, hasNext: false, shown: 0, one: 'finding' })).toBe('0 findings in all');
  });
});

describe('rotationEffect', () => {
  it('words a rotation by what the key does: encrypts, signs or MACs', () => {
    expect(rotationEffect('aes256-gcm')).toBe(
      'New data is encrypted with the new version; older versions still decrypt.',
    );
    expect(rotationEffect('ed25519')).toBe(
      'New signatures use the new version; signatures made with older versions still verify.',
    );
    expect(rotationEffect('hmac-sha256')).toBe(
      'New MACs use the new version; MACs made with older versions still verify.',
    );
    for (const t of ['ed25519', 'hmac-sha256']) expect(rotationEffect(t)).not.toMatch(/encrypt|decrypt/);
  });
});

describe('dayTickLabels', () => {
  const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 1000;

  it('leaves the axis end year out, and names a year where it changes', () => {
    const splits = ['2026-12-28', '2026-12-30', '2027-01-01', '2027-01-03'].map(day);
    expect(dayTickLabels(splits, '2027')).toEqual(['28 Dec 2026', '30 Dec', '1 Jan 2027', '3 Jan']);
    expect(dayTickLabels(splits.slice(2), '2027')).toEqual(['1 Jan', '3 Jan']);
    expect(dayTickLabels([day('2026-12-01'), day('2026-12-04')], '2026')).toEqual(['1 Dec', '4 Dec']);
  });
});
