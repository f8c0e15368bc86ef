/**
 * The audit append path: every event is validated, its action and metadata neutralised and
 * redacted, serialised canonically and chained, in that order, before it reaches the store.
 * Appends fail closed: when the store fails the caller gets the error, nothing is dropped silently.
 */
import type { Clock } from '../../core/clock.js';
import { BulwarkError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { AuditDraft, AuditRow, AuditStore } from '../../core/ports/audit-store.js';
import { type IncomingAuditEvent, parseAuditEvent, validateBatch } from '../../core/audit/event.js';
import { chainLink } from '../../core/audit/hash-chain.js';
import { type Redactor, createRedactor } from '../../core/audit/redaction.js';
import { toAuditDraft } from '../../core/audit/draft.js';
import type { AuditEventType, AuditOutcome } from '../../core/audit/types.js';
import type { Metrics } from '../metrics.js';

/** What internal emitters and library callers pass; validated like any other input. */
export interface AuditEventInput {
  event_type: AuditEventType;
  user_id?: string | null;
  source_ip: string;
  action: string;
  outcome: AuditOutcome;
  /** Epoch ms or ISO 8601; now when absent. */
  timestamp?: number | string;
  metadata?: Record<string, unknown>;
}

/** The row hash: SHA-256 over the previous hash and the canonical row (src/core/audit/hash-chain.ts). */
export const hashLink = chainLink;

export class AuditService {
  constructor(
    private readonly store: AuditStore,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly redactor: Redactor = createRedactor(),
  ) {}

  /** Validates, neutralises and redacts one event into the draft the store chains and writes. */
  prepare(e: AuditEventInput): AuditDraft {
    const event: IncomingAuditEvent = parseAuditEvent(e);
    return toAuditDraft({ ...event, timestamp: event.timestamp ?? this.clock.now() }, this.redactor, newId());
  }

  /** Validates a whole batch (timestamps non-decreasing, every event valid) into drafts, or throws. */
  prepareBatch(events: unknown[]): AuditDraft[] {
    return validateBatch(events, { now: this.clock.now() }).map((ev) =>
      toAuditDraft(ev, this.redactor, newId()),
    );
  }

  async append(event: AuditEventInput): Promise<AuditRow> {
    const [row] = await this.appendBatch([event]);
    return row!;
  }

  async appendBatch(events: AuditEventInput[]): Promise<AuditRow[]> {
    const drafts = this.prepareBatch(events);
    try {
      const rows = await this.store.append(drafts, hashLink);
      for (const r of rows) this.metrics.auditAppends.inc({ event_type: r.event_type });
      return rows;
    } catch (err) {
      this.metrics.auditAppendFailures.inc();
      throw err instanceof BulwarkError
        ? err
        : new BulwarkError('store_unavailable', 'audit append failed', { cause: err });
    }
  }

  list(...args: Parameters<AuditStore['list']>) {
    return this.store.list(...args);
  }
}
