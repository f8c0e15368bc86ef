/** The audit row as the design fixes it (docs: ARCHITECTURE.md §1, SecurityAuditLog). */

export const AUDIT_EVENT_TYPES = [
  'auth_failure',
  'auth_success',
  'authorization_violation',
  'rate_limit_trigger',
  'key_rotation',
  'config_change',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export const AUDIT_OUTCOMES = ['allowed', 'denied', 'error'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** A JSON object (metadata after validation). */
export type JsonObject = { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

/** One stored, chained audit row. */
export interface AuditEvent {
  /** UUID (v7). */
  id: string;
  /** 1, 2, 3, … with no gaps: a gap is a deleted row. */
  seq: number;
  event_type: AuditEventType;
  user_id: string | null;
  /** Normalised: IPv4-mapped IPv6 as IPv4, IPv6 compressed lower case. */
  source_ip: string;
  /** Control characters already neutralised. */
  action: string;
  outcome: AuditOutcome;
  /** Epoch milliseconds, UTC. */
  timestamp: number;
  /**
   * Redacted, sanitised metadata: either its canonical JSON text (as the store keeps it) or the
   * object itself. Both hash the same, because the hash covers the canonical text.
   */
  metadata: string | JsonObject;
  /** Hash of the previous row (64 zeros for the first row). */
  prev_hash: string;
  /** SHA-256 hex over prev_hash ‖ canonical JSON of every other field but `hash`. */
  hash: string;
}

/**
 * What the hash chain reads of a row: the fields of AuditEvent, with the enums loosened to strings
 * so rows come straight from a store (and a tampered value is reported, not a type error).
 */
export type ChainRow = Omit<AuditEvent, 'event_type' | 'outcome' | 'metadata'> & {
  event_type: string;
  outcome: string;
  metadata: string | JsonObject | Record<string, unknown>;
};
