/**
 * Applying a status change to a vulnerability: the new row and the history entry to store with it.
 * Pure: the caller (the service) persists both in one transaction.
 */
import { validationError } from '../errors.js';
import { checkTransition, type VulnStatus } from './lifecycle.js';
import type { SecurityVulnerability } from './vulnerability.js';

/** One entry of a vulnerability's status history. */
export interface VulnStatusChange {
  vulnerability_id: string;
  from: VulnStatus;
  to: VulnStatus;
  /** Epoch ms. */
  at: number;
  /** Who made the change (a token's subject, a service identity); null when unknown. */
  actor: string | null;
  note: string | null;
}

export type TransitionResult =
  | { ok: true; vulnerability: SecurityVulnerability; change: VulnStatusChange }
  | { ok: false; reason: string };

export const MAX_TRANSITION_NOTE = 2048;

/**
 * Moves `vuln` to status `to` at time `now`, if the lifecycle allows it. Moving to `resolved` sets
 * resolved_at; updated_at becomes `now`. A refused transition is returned, not thrown.
 * @throws validationError('note') for a note over 2048 characters (malformed input, not an outcome).
 */
export function transitionVulnerability(
  vuln: SecurityVulnerability,
  to: VulnStatus,
  opts: { now: number; actor?: string | null; note?: string | null },
): TransitionResult {
  const note = opts.note?.trim() || null;
  if (note !== null && note.length > MAX_TRANSITION_NOTE)
    throw validationError('note', `must be at most ${MAX_TRANSITION_NOTE} characters`);
  const check = checkTransition(vuln.status, to);
  if (!check.ok) return check;
  // A change cannot predate what it changes: keeps remediation durations non-negative.
  if (opts.now < vuln.discovered_at)
    return { ok: false, reason: 'the change is dated before the vulnerability was discovered' };

  const vulnerability: SecurityVulnerability = {
    ...vuln,
    status: to,
    updated_at: opts.now,
    resolved_at: to === 'resolved' ? opts.now : vuln.resolved_at,
  };
  const change: VulnStatusChange = {
    vulnerability_id: vuln.id,
    from: vuln.status,
    to,
    at: opts.now,
    actor: opts.actor ?? null,
    note,
  };
  return { ok: true, vulnerability, change };
}
