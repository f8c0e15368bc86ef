/**
 * Severity of a vulnerability, and the CVSS qualitative bands that tie it to a score
 * (CVSS v3.1 §5 / v4.0 §6: None 0.0, Low 0.1–3.9, Medium 4.0–6.9, High 7.0–8.9, Critical 9.0–10.0).
 */
import { validationError } from '../errors.js';

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Rank for sorting and comparing: critical is 4, low is 1. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 4, high: 3, medium: 2, low: 1 };

/**
 * Checks that `score` is a CVSS score the register can hold: a finite number in [0, 10] with at
 * most one decimal. Throws `validationError(field, …)` naming the problem otherwise. A score of 0.0
 * passes here; severityFromScore is the one that refuses it.
 */
export function assertCvssScore(score: unknown, field = 'cvss_score'): asserts score is number {
  if (typeof score !== 'number') throw validationError(field, `must be a number, got ${typeof score}`);
  if (Number.isNaN(score)) throw validationError(field, 'must be a number, got NaN');
  if (!Number.isFinite(score))
    throw validationError(field, `must be finite, got ${score > 0 ? 'Infinity' : '-Infinity'}`);
  if (score < 0 || score > 10) throw validationError(field, 'must be between 0.0 and 10.0');
  // CVSS scores have exactly one decimal; 7.25 is not a score any calculator produces. The
  // tolerance absorbs binary floating point (7.3 * 10 is 73.00000000000001 on some paths).
  const tenths = score * 10;
  if (Math.abs(tenths - Math.round(tenths)) > 1e-9)
    throw validationError(field, 'must have at most one decimal (e.g. 7.5)');
}

/**
 * The severity band of a CVSS score. Throws for 0.0 (CVSS "None": no vulnerability, and the
 * register has no severity for it) and for anything assertCvssScore refuses.
 */
export function severityFromScore(score: number, field = 'cvss_score'): Severity {
  assertCvssScore(score, field);
  // Compare on tenths, as integers, so that 6.9 and 7.0 fall on the right side of the boundary.
  const tenths = Math.round(score * 10);
  if (tenths === 0)
    throw validationError(
      field,
      'a score of 0.0 means no vulnerability; the register has no severity for it',
    );
  if (tenths >= 90) return 'critical';
  if (tenths >= 70) return 'high';
  if (tenths >= 40) return 'medium';
  return 'low';
}
