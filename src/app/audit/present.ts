/** How audit rows leave the interfaces: times ISO 8601, metadata as the JSON object it stores. */
import type { AuditRow } from '../../core/ports/audit-store.js';
import type { SignedCheckpoint } from '../../core/audit/checkpoint.js';

export function presentAuditRow(r: AuditRow) {
  return {
    id: r.id,
    seq: r.seq,
    event_type: r.event_type,
    user_id: r.user_id,
    source_ip: r.source_ip,
    action: r.action,
    outcome: r.outcome,
    timestamp: new Date(r.timestamp).toISOString(),
    metadata: JSON.parse(r.metadata) as Record<string, unknown>,
    prev_hash: r.prev_hash,
    hash: r.hash,
  };
}

export const presentCheckpoint = (c: SignedCheckpoint) => ({
  seq: c.seq,
  hash: c.hash,
  time: new Date(c.time).toISOString(),
  key_id: c.key_id,
  key_version: c.key_version,
  signature: c.signature,
});
