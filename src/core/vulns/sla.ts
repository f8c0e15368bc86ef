/**
 * Remediation service levels: how long a vulnerability of each severity may stay unremediated,
 * counted from its discovery, and the measures derived from it (overdue, mean time to remediate).
 */
import { BulwarkError, validationError } from '../errors.js';
import { SEVERITIES, type Severity } from './severity.js';
import type { VulnStatus } from './lifecycle.js';

/** Days allowed per severity. */
export type SlaPolicy = Readonly<Record<Severity, number>>;

const DAY_MS = 86_400_000;
/** Ten years: a longer deadline is a typo (ms given for days), not a policy. */
const MAX_SLA_DAYS = 3650;

/** Defaults: critical 2 days, high 7, medium 90, low 120. */
export const DEFAULT_SLA_POLICY: SlaPolicy = Object.freeze({ critical: 2, high: 7, medium: 90, low: 120 });

/**
 * A full policy from a partial one (missing severities take the defaults). Each value must be a
 * positive number of days, at most 3650; fractions are allowed (0.5 = 12 hours). A stricter
 * severity may not get a longer deadline than a milder one (critical ≤ high ≤ medium ≤ low), which
 * catches swapped values.
 * @throws BulwarkError config_invalid naming `sla.<severity>`.
 */
export function resolveSlaPolicy(partial: Partial<Record<Severity, number>> = {}): SlaPolicy {
  const policy = { ...DEFAULT_SLA_POLICY };
  for (const [key, days] of Object.entries(partial)) {
    if (!(SEVERITIES as readonly string[]).includes(key))
      throw configError(key, `unknown severity; expected ${SEVERITIES.join(', ')}`);
    if (days === undefined) continue;
    if (typeof days !== 'number' || !Number.isFinite(days) || days <= 0 || days > MAX_SLA_DAYS) {
      throw configError(key, `must be a number of days greater than 0 and at most ${MAX_SLA_DAYS}`);
    }
    policy[key as Severity] = days;
  }
  for (let i = 1; i < SEVERITIES.length; i++) {
    const graver = SEVERITIES[i - 1] as Severity;
    const milder = SEVERITIES[i] as Severity;
    if (policy[graver] > policy[milder])
      throw configError(graver, `must not be longer than ${milder} (${policy[milder]} days)`);
  }
  return Object.freeze(policy);
}

const configError = (key: string, message: string): BulwarkError =>
  new BulwarkError('config_invalid', `sla.${key}: ${message}`, { field: `sla.${key}` });

/** When a vulnerability of this severity, discovered at `discoveredAt` (ms), must be remediated by. */
export function dueAt(
  severity: Severity,
  discoveredAt: number,
  policy: SlaPolicy = DEFAULT_SLA_POLICY,
): number {
  const days = policy[severity];
  if (days === undefined) throw validationError('severity', `must be one of ${SEVERITIES.join(', ')}`);
  return discoveredAt + Math.round(days * DAY_MS);
}

/**
 * Overdue: still exposed (open or in_progress) after its due time. A mitigated vulnerability is not
 * overdue: the SLA is about exposure, and mitigation (a workaround, a compensating control) ends
 * it even though the fix itself may come later. Resolved ones are never overdue.
 */
export function isOverdue(vuln: { status: VulnStatus; due_at: number }, now: number): boolean {
  return (vuln.status === 'open' || vuln.status === 'in_progress') && now > vuln.due_at;
}

/** How long a resolved vulnerability took from discovery to resolution (ms); null while unresolved. */
export function remediationDuration(vuln: {
  discovered_at: number;
  resolved_at: number | null;
}): number | null {
  return vuln.resolved_at === null ? null : vuln.resolved_at - vuln.discovered_at;
}

/**
 * Mean time to remediate, in ms, over the durations of resolved vulnerabilities; null when there
 * are none (no mean, rather than a misleading 0).
 * @throws validationError('resolved_durations') for a negative or non-finite duration: a
 * resolution before discovery is bad data that would silently skew the mean.
 */
export function meanTimeToRemediate(resolvedDurations: readonly number[]): number | null {
  if (resolvedDurations.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < resolvedDurations.length; i++) {
    const d = resolvedDurations[i];
    if (typeof d !== 'number' || !Number.isFinite(d) || d < 0) {
      throw validationError(`resolved_durations.${i}`, 'must be a finite, non-negative duration in ms');
    }
    sum += d;
  }
  return sum / resolvedDurations.length;
}
