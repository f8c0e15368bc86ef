import type { Severity } from '../vulns/severity.js';

/** Counts the posture trend needs beyond the posture summary: findings still exposed, by severity. */
export interface RiskCountsSource {
  /** Vulnerabilities with status open or in_progress, by severity (every severity present, 0 when none). */
  activeBySeverity(): Promise<Record<Severity, number>>;
}
