/**
 * The risk score the posture trend plots, and the UTC day a snapshot belongs to.
 *
 * Risk score: Dependency-Track's weighting of the findings still exposed (status open or
 * in_progress): critical × 10 + high × 5 + medium × 3 + low × 1. A weighted count rather than a sum
 * of CVSS scores, so that one critical outweighs several lows and the figure stays comparable with
 * what people already read off Dependency-Track's portfolio chart.
 */
import type { Severity } from './severity.js';

export const RISK_WEIGHTS: Readonly<Record<Severity, number>> = { critical: 10, high: 5, medium: 3, low: 1 };

export function riskScore(active: Readonly<Record<Severity, number>>): number {
  let score = 0;
  for (const [severity, weight] of Object.entries(RISK_WEIGHTS) as [Severity, number][]) {
    score += (active[severity] ?? 0) * weight;
  }
  return score;
}

/** `YYYY-MM-DD` of an epoch-ms instant, in UTC: the key of a daily posture snapshot. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The UTC day `days` days before the one holding `ms` (days ≥ 0). */
export const utcDayBefore = (ms: number, days: number): string => utcDay(ms - days * 86_400_000);
