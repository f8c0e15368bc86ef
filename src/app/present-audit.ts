/** How an audit row is shown at the interfaces: time as ISO 8601, metadata parsed back to JSON. */
import type { AuditRow } from '../core/ports/audit-store.js';

export function presentAuditEntry(r: AuditRow) {
  return {
    id: r.id,
    seq: r.seq,
    event_type: r.event_type,
    user_id: r.user_id,
    source_ip: r.source_ip,
    action: r.action,
    outcome: r.outcome,
    timestamp: new Date(r.timestamp).toISOString(),
    metadata: JSON.parse(r.metadata) as unknown,
    hash: r.hash,
  };
}
