/**
 * The vulnerability lifecycle: four statuses and the only transitions allowed between them.
 *
 *   open ──▶ in_progress ──▶ mitigated ──▶ resolved
 *                  └────────────────────────▲
 *
 * Work must start (in_progress) before anything can be mitigated or resolved, and nothing goes
 * backwards: a vulnerability that comes back is a new finding, so its history stays truthful.
 * A refused transition is an expected outcome, returned as a value; the service turns it into an
 * `illegal_transition` error (see illegalTransitionError) when it has to refuse a request.
 */
import { BulwarkError } from '../errors.js';

export const VULN_STATUSES = ['open', 'in_progress', 'mitigated', 'resolved'] as const;
export type VulnStatus = (typeof VULN_STATUSES)[number];

export const isVulnStatus = (v: unknown): v is VulnStatus =>
  (VULN_STATUSES as readonly unknown[]).includes(v);

const NEXT: Readonly<Record<VulnStatus, readonly VulnStatus[]>> = {
  open: ['in_progress'],
  in_progress: ['mitigated', 'resolved'],
  mitigated: ['resolved'],
  resolved: [],
};

export type TransitionCheck = { ok: true } | { ok: false; reason: string };

/** The statuses a vulnerability in `from` may move to (empty for resolved, and for an unknown status). */
export const allowedNextStatuses = (from: VulnStatus): VulnStatus[] =>
  isVulnStatus(from) ? [...NEXT[from]] : [];

/** True for a status nothing can follow. */
export const isTerminalStatus = (status: VulnStatus): boolean => allowedNextStatuses(status).length === 0;

/** Whether `from → to` is allowed; when it is not, `reason` says why in words a caller can show. */
export function checkTransition(from: VulnStatus, to: VulnStatus): TransitionCheck {
  if (!isVulnStatus(from))
    return { ok: false, reason: `unknown current status; statuses are ${VULN_STATUSES.join(', ')}` };
  if (!isVulnStatus(to))
    return { ok: false, reason: `unknown target status; statuses are ${VULN_STATUSES.join(', ')}` };
  if (from === to) return { ok: false, reason: `the vulnerability is already ${from}` };
  const next = NEXT[from];
  if (next.includes(to)) return { ok: true };
  const allowed =
    next.length === 0
      ? `${from} is final: no transition is allowed from it`
      : `from ${from} it can only move to ${next.join(' or ')}`;
  return { ok: false, reason: `cannot move from ${from} to ${to}; ${allowed}` };
}

/** The error to raise when a request asks for a transition checkTransition refused. */
export const illegalTransitionError = (from: VulnStatus, to: VulnStatus, reason: string): BulwarkError =>
  new BulwarkError('illegal_transition', reason, {
    field: 'status',
    details: { from, to, allowed: allowedNextStatuses(from) },
  });
