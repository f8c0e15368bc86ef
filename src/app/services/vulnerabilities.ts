/**
 * The vulnerability register: create (validated and derived by the core), read, list, and the
 * lifecycle with its history. Transitions are compare-and-set in the store, so a refused or lost
 * race changes nothing.
 */
import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { UNSAFE_TEXT_MESSAGE, hasUnsafeText, multiLineText, parseWithSchema } from '../../core/validation.js';
import { BulwarkError, validationError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import type {
  TransitionRecord,
  VulnerabilityFilter,
  VulnerabilityRecord,
  VulnerabilityStore,
} from '../../core/ports/vulnerability-store.js';
import {
  checkTransition,
  illegalTransitionError,
  isVulnStatus,
  type VulnStatus,
} from '../../core/vulns/lifecycle.js';
import type { SlaPolicy } from '../../core/vulns/sla.js';
import { buildVulnerability } from '../../core/vulns/vulnerability.js';
import type { AuditRow } from '../../core/ports/audit-store.js';
import { redactString } from '../../core/audit/redaction.js';
import type { AuditService } from './audit.js';

const noteSchema = z.object({ note: multiLineText(4096).optional() });

export class VulnerabilityService {
  /** Secrets and PII out of the free text people write here, before it is stored (AuditService.redactFreeText). */
  private readonly redact: (text: string) => string;

  constructor(
    private readonly store: VulnerabilityStore,
    private readonly clock: Clock,
    private readonly sla: SlaPolicy,
    // When given, every transition is recorded in the audit log (config_change) and the entry returned.
    private readonly audit?: AuditService,
  ) {
    // The ledger's (keyed) redactor when there is a ledger; the same rules, unkeyed, when not.
    this.redact = audit ? (text) => audit.redactFreeText(text) : redactString;
  }

  async create(input: unknown): Promise<VulnerabilityRecord> {
    const built = buildVulnerability(input, { now: this.clock.now(), slaPolicy: this.sla });
    const record: VulnerabilityRecord = {
      ...built,
      title: this.redact(built.title),
      description: this.redact(built.description),
      remediation: this.redact(built.remediation),
      component: this.redact(built.component),
      severity_override_reason:
        built.severity_override_reason === null ? null : this.redact(built.severity_override_reason),
      source: 'manual',
      source_key: null,
    };
    await this.store.insert(record);
    return record;
  }

  async get(id: string): Promise<VulnerabilityRecord> {
    const v = await this.store.get(id);
    if (!v) throw new BulwarkError('not_found', `no vulnerability with id ${id}`);
    return v;
  }

  list(filter: VulnerabilityFilter, page: PageRequest): Promise<Page<VulnerabilityRecord>> {
    // The same text rule as every stored field, for callers that are not the HTTP layer (CLI, library).
    for (const field of ['text', 'component'] as const) {
      const value = filter[field];
      if (value !== undefined && hasUnsafeText(value)) throw validationError(field, UNSAFE_TEXT_MESSAGE);
    }
    return this.store.list(filter, page);
  }

  history(id: string): Promise<TransitionRecord[]> {
    return this.store.history(id);
  }

  /** Moves a vulnerability along its lifecycle; an illegal move is refused (illegal_transition) and changes nothing. */
  async transition(
    id: string,
    input: { to: unknown; note?: unknown },
    actor: string,
    sourceIp = '127.0.0.1',
  ): Promise<{ vulnerability: VulnerabilityRecord; transition: TransitionRecord; audit?: AuditRow }> {
    if (!isVulnStatus(input.to))
      throw validationError('to', 'must be one of open, in_progress, mitigated, resolved');
    const to: VulnStatus = input.to;
    const given = parseWithSchema(noteSchema, { note: input.note ?? undefined }).note || null;
    // Redacted before it is stored: the history returns it as is (its audit copy is redacted too).
    const note = given === null ? null : this.redact(given);
    const current = await this.get(id);
    const check = checkTransition(current.status, to);
    if (!check.ok) throw illegalTransitionError(current.status, to, check.reason);
    const now = this.clock.now();
    const record: TransitionRecord = {
      id: newId(),
      vulnerability_id: id,
      from_status: current.status,
      to_status: to,
      actor,
      note,
      at: now,
    };
    const resolvedAt = to === 'resolved' ? now : current.resolved_at;
    if (!(await this.store.transition(record, resolvedAt))) {
      throw new BulwarkError(
        'conflict',
        `vulnerability ${id} changed status while this transition was being applied; reload and retry`,
      );
    }
    const audit = await this.audit?.append({
      event_type: 'config_change',
      user_id: actor,
      source_ip: sourceIp,
      action: 'vulnerability.transition',
      outcome: 'allowed',
      metadata: {
        vulnerability_id: id,
        transition_id: record.id,
        from: record.from_status,
        to: record.to_status,
        ...(note ? { note } : {}),
      },
    });
    return {
      vulnerability: { ...current, status: to, updated_at: now, resolved_at: resolvedAt },
      transition: record,
      ...(audit ? { audit } : {}),
    };
  }
}
