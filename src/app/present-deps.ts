/** How scans, manifest rows and approvals are shown at the interfaces: times as ISO 8601, UTC. */
import type { ApprovalRecord, ManifestRecord, ScanRecord } from '../core/ports/dependency-store.js';
import { isoOrNull } from './present.js';

export const presentScan = (s: ScanRecord) => ({
  id: s.id,
  status: s.status,
  created_at: isoOrNull(s.created_at),
  finished_at: isoOrNull(s.finished_at),
  requested_by: s.requested_by,
  lockfiles: s.lockfiles,
  summary: s.summary,
  result: s.result,
  error: s.error,
});

export const presentManifest = (m: ManifestRecord) => ({
  ...m,
  scanned_at: isoOrNull(m.scanned_at),
  approved_until: isoOrNull(m.approved_until),
});

export const presentApprovalRecord = (a: ApprovalRecord, now: number) => ({
  ...a,
  expires_at: isoOrNull(a.expires_at),
  created_at: isoOrNull(a.created_at),
  revoked_at: isoOrNull(a.revoked_at),
  state: a.revoked_at !== null ? 'revoked' : a.expires_at <= now ? 'expired' : 'active',
});
