/**
 * parseIsoTime / parseIsoDate (src/core/iso-time.ts): the one strict reader of typed ISO 8601
 * times. V8's Date.parse rolls impossible days over (2026-02-30 → 2 March); these refuse them.
 */
import { describe, expect, it } from 'vitest';
import { parseIsoDate, parseIsoTime } from '../../src/core/iso-time.js';
import { mulberry32 } from '../support/prng.js';

describe('parseIsoTime', () => {
  it.each([
    ['2026-01-15T12:00:00Z', Date.UTC(2026, 0, 15, 12)],
    ['2026-01-15T12:00Z', Date.UTC(2026, 0, 15, 12)],
    ['2026-01-15T13:30:00+01:30', Date.UTC(2026, 0, 15, 12)],
    ['2026-01-15T07:00:00-05:00', Date.UTC(2026, 0, 15, 12)],
    ['2026-01-15T12:00:00-00:00', Date.UTC(2026, 0, 15, 12)],
    ['2026-01-15T12:00:00.5Z', Date.UTC(2026, 0, 15, 12, 0, 0, 500)],
    ['2026-01-15T12:00:00.123456789Z', Date.UTC(2026, 0, 15, 12, 0, 0, 123)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2000-02-29T23:59:59Z', Date.UTC(2000, 1, 29, 23, 59, 59)],
    ['1970-01-01T00:00:00Z', 0],
    ['0099-06-01T00:00:00Z', Date.parse('0099-06-01T00:00:00Z')],
  ])('%s', (s, ms) => {
    expect(parseIsoTime(s)).toBe(ms);
  });

  it.each([
    ['February 30th', '2026-02-30T12:00:00Z'],
    ['29 February of a common year', '2025-02-29T12:00:00Z'],
    ['29 February of 1900 (divisible by 100)', '1900-02-29T12:00:00Z'],
    ['31 April', '2026-04-31T00:00:00Z'],
    ['month 13', '2026-13-01T00:00:00Z'],
    ['day 0', '2026-01-00T00:00:00Z'],
    ['hour 24', '2026-01-15T24:00:00Z'],
    ['minute 60', '2026-01-15T12:60:00Z'],
    ['leap second', '2026-12-31T23:59:60Z'],
    ['offset hour 24', '2026-01-15T12:00:00+24:00'],
    ['offset minute 60', '2026-01-15T12:00:00+01:60'],
    ['no zone', '2026-01-15T12:00:00'],
    ['offset without colon', '2026-01-15T12:00:00+0100'],
    ['lower case', '2026-01-15t12:00:00z'],
    ['a date alone', '2026-01-15'],
    ['a space for T', '2026-01-15 12:00:00Z'],
    ['ten fraction digits', '2026-01-15T12:00:00.1234567890Z'],
    ['an empty fraction', '2026-01-15T12:00:00.Z'],
    ['trailing text', '2026-01-15T12:00:00Z junk'],
    ['epoch ms', '1768478400000'],
    ['empty', ''],
  ])('refuses %s', (_what, s) => {
    expect(parseIsoTime(s)).toBe(null);
  });

  it('agrees with Date.parse on 20,000 random valid times (every month length, offsets, fractions)', () => {
    const rnd = mulberry32(20261204);
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    for (let i = 0; i < 20_000; i++) {
      const y = 1970 + Math.floor(rnd() * 130);
      const mo = 1 + Math.floor(rnd() * 12);
      const dim = new Date(Date.UTC(y, mo, 0)).getUTCDate();
      const d = 1 + Math.floor(rnd() * dim);
      const frac = rnd() < 0.5 ? '' : `.${pad(Math.floor(rnd() * 1000), 3)}`;
      const zone =
        rnd() < 0.3
          ? 'Z'
          : `${rnd() < 0.5 ? '+' : '-'}${pad(Math.floor(rnd() * 15))}:${pad(Math.floor(rnd() * 4) * 15)}`;
      const s = `${y}-${pad(mo)}-${pad(d)}T${pad(Math.floor(rnd() * 24))}:${pad(Math.floor(rnd() * 60))}:${pad(Math.floor(rnd() * 60))}${frac}${zone}`;
      expect(parseIsoTime(s), s).toBe(Date.parse(s));
    }
  });
});

describe('parseIsoDate', () => {
  it('reads a real calendar date as its midnight UTC', () => {
    expect(parseIsoDate('2026-06-30')).toBe(Date.UTC(2026, 5, 30));
    expect(parseIsoDate('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
  });
  it.each(['2026-06-31', '2025-02-29', '2026-00-10', '2026-6-30', '2026-06-30T00:00:00Z', ''])(
    'refuses %s',
    (s) => {
      expect(parseIsoDate(s)).toBe(null);
    },
  );
});
