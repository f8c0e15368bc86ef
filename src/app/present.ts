/** How entities are shown at the interfaces (API and CLI JSON): times as ISO 8601, UTC. */
import type { OwaspReview } from '../core/ports/posture-store.js';
import { deriveCategory } from '../core/vulns/owasp.js';
import type { TransitionRecord, VulnerabilityRecord } from '../core/ports/vulnerability-store.js';

export const isoOrNull = (ms: number | null | undefined): string | null =>
  ms == null ? null : new Date(ms).toISOString();

export function presentVulnerability(v: VulnerabilityRecord) {
  return {
    ...v,
    // Every category the CWEs map to in the recorded edition, best first (the first one is the
    // derivation's pick when the category was not given explicitly): 2021 maps CWE-259 to A02 and A07.
    owasp_candidates: v.cwes.length ? (deriveCategory(v.cwes, v.owasp_edition)?.candidates ?? []) : [],
    discovered_at: isoOrNull(v.discovered_at),
    due_at: isoOrNull(v.due_at),
    created_at: isoOrNull(v.created_at),
    updated_at: isoOrNull(v.updated_at),
    resolved_at: isoOrNull(v.resolved_at),
  };
}

export const presentTransition = (t: TransitionRecord) => ({ ...t, at: isoOrNull(t.at) });

export const presentReview = (r: OwaspReview) => ({ ...r, at: isoOrNull(r.at) });
