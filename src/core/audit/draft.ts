/**
 * From a validated incoming event to the row draft the store chains and appends: a fresh id,
 * the action with secrets and PII redacted (it is free text too), the metadata redacted,
 * neutralised and serialised as canonical JSON (the exact text the row hash covers).
 *
 * user_id and source_ip are kept as given: they are the identity and address the log is about.
 */
import type { AuditDraft } from '../ports/audit-store.js';
import type { IncomingAuditEvent } from './event.js';
import type { Redactor } from './redaction.js';
import { neutralizeControlChars } from './sanitize.js';

export function toAuditDraft(
  ev: IncomingAuditEvent & { timestamp: number },
  redactor: Redactor,
  id: string,
): AuditDraft {
  return {
    id,
    event_type: ev.event_type,
    user_id: ev.user_id,
    source_ip: ev.source_ip,
    // Already neutralised by validation; neutralising again is a no-op and keeps a marker-free path safe.
    action: neutralizeControlChars(redactor.redactString(ev.action)),
    outcome: ev.outcome,
    timestamp: ev.timestamp,
    // One walk: redacted, neutralised and written canonically (canonicalJson(prepareMetadata(…))).
    metadata: redactor.preparedJson(ev.metadata),
  };
}
