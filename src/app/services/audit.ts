/**
 * The audit append path: every event is validated, its action and metadata neutralised and
 * redacted, serialised canonically and chained, in that order, before it reaches the store.
 * Appends fail closed: when the store fails the caller gets the error, nothing is dropped silently.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { Clock } from '../../core/clock.js';
import { BulwarkError, validationError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { AuditDraft, AuditRow, AuditStore } from '../../core/ports/audit-store.js';
import type { Metrics } from '../metrics.js';

export const AUDIT_EVENT_TYPES = [
  'auth_failure',
  'auth_success',
  'authorization_violation',
  'rate_limit_trigger',
  'key_rotation',
  'config_change',
] as const;
export const AUDIT_OUTCOMES = ['allowed', 'denied', 'error'] as const;

export interface AuditEventInput {
  event_type: (typeof AUDIT_EVENT_TYPES)[number];
  user_id?: string | null;
  source_ip: string;
  action: string;
  outcome: (typeof AUDIT_OUTCOMES)[number];
  timestamp?: number;
  metadata?: Record<string, unknown>;
}

const SENSITIVE_KEY =
  /pass(word|wd)?|secret|token|api_?key|authori[sz]ation|cookie|session|private_?key|credential|ssn|card_?number|cvv/i;

function redactKeys(value: unknown, depth = 0): unknown {
  if (depth > 32) return '[TRUNCATED:depth]';
  if (Array.isArray(value)) return value.map((v) => redactKeys(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SENSITIVE_KEY.test(k.replace(/[-_\s]/g, '_')) ? '[REDACTED:key]' : redactKeys(v, depth + 1);
    }
    return out;
  }
  return value;
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const neutralise = (s: string): string =>
  s.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

function normaliseIp(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const v = mapped ? mapped[1]! : ip;
  if (isIP(v) === 0) throw validationError('source_ip', 'must be an IPv4 or IPv6 address');
  return v.toLowerCase();
}

export const hashLink = (draft: AuditDraft, seq: number, prevHash: string): string =>
  createHash('sha256')
    .update(prevHash)
    .update(canonical({ ...draft, seq }))
    .digest('hex');

export class AuditService {
  constructor(
    private readonly store: AuditStore,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  /** Validates, neutralises and redacts one event into the draft the store chains and writes. */
  prepare(e: AuditEventInput): AuditDraft {
    if (!(AUDIT_EVENT_TYPES as readonly string[]).includes(e.event_type))
      throw validationError('event_type', 'unknown event type');
    if (!(AUDIT_OUTCOMES as readonly string[]).includes(e.outcome))
      throw validationError('outcome', 'unknown outcome');
    return {
      id: newId(),
      event_type: e.event_type,
      user_id: e.user_id ?? null,
      source_ip: normaliseIp(e.source_ip),
      action: neutralise(e.action),
      outcome: e.outcome,
      timestamp: e.timestamp ?? this.clock.now(),
      metadata: canonical(redactKeys(e.metadata ?? {})),
    };
  }

  async append(event: AuditEventInput): Promise<AuditRow> {
    const [row] = await this.appendBatch([event]);
    return row!;
  }

  async appendBatch(events: AuditEventInput[]): Promise<AuditRow[]> {
    const drafts = events.map((e) => this.prepare(e));
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
