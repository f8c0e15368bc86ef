import { expect, it } from 'vitest';
import { RISK_WEIGHTS, riskScore, utcDay, utcDayBefore } from '../../../src/core/vulns/risk.js';

it('weights exposed findings like Dependency-Track: critical 10, high 5, medium 3, low 1', () => {
  expect(RISK_WEIGHTS).toEqual({ critical: 10, high: 5, medium: 3, low: 1 });
  expect(riskScore({ critical: 0, high: 0, medium: 0, low: 0 })).toBe(0);
  expect(riskScore({ critical: 2, high: 3, medium: 4, low: 5 })).toBe(20 + 15 + 12 + 5);
  expect(riskScore({ critical: 1, high: 0, medium: 0, low: 9 })).toBeGreaterThan(
    riskScore({ critical: 0, high: 0, medium: 0, low: 9 }),
  );
});

it('keys snapshots by the UTC day, whatever the local time zone', () => {
  expect(utcDay(Date.UTC(2026, 0, 15, 23, 59, 59, 999))).toBe('2026-01-15');
  expect(utcDay(Date.UTC(2026, 0, 16, 0, 0, 0, 0))).toBe('2026-01-16');
  expect(utcDayBefore(Date.UTC(2026, 2, 1, 12), 1)).toBe('2026-02-28');
  expect(utcDayBefore(Date.UTC(2024, 2, 1, 12), 1)).toBe('2024-02-29');
  expect(utcDayBefore(Date.UTC(2026, 0, 15), 0)).toBe('2026-01-15');
});
