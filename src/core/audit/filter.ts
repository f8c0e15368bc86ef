/** The list filter applied to rows in memory (export streams by seq and filters as it goes). */
import { validationError } from '../errors.js';
import type { AuditFilter, AuditRow } from '../ports/audit-store.js';

/**
 * A time window must be one: `until` (exclusive) later than `since`, as the anomaly and activity
 * views require. An inverted window would answer "nothing", which reads like "nothing happened";
 * verify refuses an inverted seq range for the same reason.
 */
export function checkAuditTimeWindow(f: Pick<AuditFilter, 'since' | 'until'>): void {
  if (f.since !== undefined && f.until !== undefined && !(f.until > f.since))
    throw validationError('until', 'must be later than since');
}

export function matchesAuditFilter(r: AuditRow, f: AuditFilter): boolean {
  if (f.event_type && !f.event_type.includes(r.event_type)) return false;
  if (f.outcome && !f.outcome.includes(r.outcome)) return false;
  if (f.user_id !== undefined && r.user_id !== f.user_id) return false;
  if (f.source_ip !== undefined && r.source_ip !== f.source_ip) return false;
  if (f.action_prefix !== undefined && !r.action.startsWith(f.action_prefix)) return false;
  if (f.since !== undefined && r.timestamp < f.since) return false;
  if (f.until !== undefined && r.timestamp >= f.until) return false;
  return true;
}
