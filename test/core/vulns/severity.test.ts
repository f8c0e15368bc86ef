import { describe, expect, it } from 'vitest';
import { assertCvssScore, severityFromScore } from '../../../src/core/vulns/severity.js';
import { expectValidationError } from './helpers.js';

describe('severityFromScore', () => {
  it('maps the CVSS band edges', () => {
    const cases: [number, string][] = [
      [0.1, 'low'],
      [3.9, 'low'],
      [4.0, 'medium'],
      [6.9, 'medium'],
      [7.0, 'high'],
      [8.9, 'high'],
      [9.0, 'critical'],
      [10.0, 'critical'],
    ];
    for (const [score, severity] of cases) expect(severityFromScore(score), String(score)).toBe(severity);
  });

  it('every one-decimal score from 0.1 to 10.0 gets a band, and bands never go down as the score rises', () => {
    const order = ['low', 'medium', 'high', 'critical'];
    let previous = 0;
    const counts: Record<string, number> = {};
    for (let tenths = 1; tenths <= 100; tenths++) {
      // Build the score the way a parser would (from text), so 0.3 is the double 0.3, not 3 * 0.1.
      const s = severityFromScore(Number((tenths / 10).toFixed(1)));
      const rank = order.indexOf(s);
      expect(rank).toBeGreaterThanOrEqual(previous);
      previous = rank;
      counts[s] = (counts[s] ?? 0) + 1;
    }
    expect(counts).toEqual({ low: 39, medium: 30, high: 20, critical: 11 });
  });

  it('accepts floating-point noise around a one-decimal score (0.1 + 0.2)', () => {
    expect(severityFromScore(0.1 + 0.2)).toBe('low');
    expect(severityFromScore(6.9 + 1e-12)).toBe('medium');
  });

  it('refuses 0.0 with the reason, including -0', () => {
    expectValidationError(
      () => severityFromScore(0),
      'cvss_score',
      /a score of 0\.0 means no vulnerability; the register has no severity for it/,
    );
    expectValidationError(() => severityFromScore(-0), 'cvss_score', /0\.0 means no vulnerability/);
  });

  it.each([
    ['NaN', NaN, /got NaN/],
    ['Infinity', Infinity, /must be finite, got Infinity/],
    ['-Infinity', -Infinity, /must be finite, got -Infinity/],
    ['10.05', 10.05, /between 0\.0 and 10\.0/],
    ['10.1', 10.1, /between 0\.0 and 10\.0/],
    ['-0.1', -0.1, /between 0\.0 and 10\.0/],
    ['7.25 (two decimals)', 7.25, /at most one decimal/],
    ['9.99', 9.99, /at most one decimal/],
    ['1e-7', 1e-7, /at most one decimal/],
    ['the string "7.5"', '7.5', /must be a number, got string/],
    ['null', null, /must be a number, got object/],
  ] as [string, unknown, RegExp][])('refuses %s', (_name, score, message) => {
    expectValidationError(() => severityFromScore(score as number), 'cvss_score', message);
  });

  it('names the field it is told to', () => {
    expectValidationError(() => severityFromScore(11, 'scores.0'), 'scores.0', /between/);
  });

  it('assertCvssScore lets 0.0 through (only severity refuses it)', () => {
    expect(() => assertCvssScore(0)).not.toThrow();
    expect(() => assertCvssScore(10)).not.toThrow();
  });
});
