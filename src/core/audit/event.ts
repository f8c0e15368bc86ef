/**
 * Validation of incoming audit events (API body, CLI, library call) and of batches of them.
 *
 * An event: `event_type` and `outcome` from their enums; `action` 1–1024 characters (control
 * characters neutralised after the length check); `user_id` null or 1–256 characters (absent means
 * null); `source_ip` an IPv4 or IPv6 address, normalised (source-ip.ts); `timestamp` optional,
 * epoch milliseconds or an ISO 8601 date-time with a zone (`Z` or `±hh:mm`); `metadata` optional
 * JSON object of at most METADATA_MAX_BYTES bytes (as JSON, UTF-8) nested at most
 * METADATA_MAX_DEPTH levels, holding only JSON values. Unknown fields are refused.
 *
 * Metadata is validated here but redacted later (prepareMetadata), where the redactor's
 * configuration lives; action is neutralised here so that every path gets it. Events from API
 * clients take the further checks and the stamp of submission.ts (parseClientEvent).
 * parseAuditEvent's errors name the event's own fields; validateBatch's name `events.<i>.<field>`.
 */
import { z } from 'zod';
import { BulwarkError, validationError } from '../errors.js';
import { MAX_TIME_MS } from '../iso-time.js';
import { ROOT_FIELD, friendlyErrorMap, isoTimeString, zodIssuesToError } from '../validation.js';
import { neutralizeControlChars } from './sanitize.js';
import { type Submitter, clientEventProblem, stampSubmitter } from './submission.js';
import { normalizeIp } from './source-ip.js';
import {
  AUDIT_EVENT_TYPES,
  AUDIT_OUTCOMES,
  type AuditEventType,
  type AuditOutcome,
  type JsonObject,
} from './types.js';

export const ACTION_MAX_LENGTH = 1024;
export const USER_ID_MAX_LENGTH = 256;
/** Metadata size limit: 16 KiB of JSON. */
export const METADATA_MAX_BYTES = 16 * 1024;
/** Metadata nesting limit: the object itself is depth 1. */
export const METADATA_MAX_DEPTH = 8;

/** A validated, normalised incoming event (metadata not yet redacted). */
export interface IncomingAuditEvent {
  event_type: AuditEventType;
  user_id: string | null;
  source_ip: string;
  action: string;
  outcome: AuditOutcome;
  /** Epoch ms; undefined when the caller sent none (validateBatch fills it in). */
  timestamp: number | undefined;
  metadata: JsonObject;
}

/** Why `v` is not JSON within the limits, with the path of the offender; null when it is. */
export function jsonProblem(
  v: unknown,
  depth: number,
  path: string,
): { path: string; message: string } | null {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(v) ? null : { path, message: 'must be a finite number' };
    case 'object': {
      if (v === null) return null;
      if (depth > METADATA_MAX_DEPTH)
        return { path, message: `is nested deeper than ${METADATA_MAX_DEPTH} levels` };
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const p = jsonProblem(v[i], depth + 1, `${path}.${i}`);
          if (p) return p;
        }
        return null;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null)
        return { path, message: 'must be a plain JSON object' };
      for (const [k, child] of Object.entries(v)) {
        const p = jsonProblem(child, depth + 1, `${path}.${k}`);
        if (p) return p;
      }
      return null;
    }
    default:
      return { path, message: `must be a JSON value, got ${typeof v}` };
  }
}

/** Most UTF-8 bytes JSON.stringify gives a finite number (`-1.7976931348623157e+308` is 24). */
const NUMBER_JSON_MAX = 25;

/**
 * fastParse's form of jsonProblem: -1 exactly when jsonProblem finds a problem, otherwise an upper
 * bound on the UTF-8 bytes of JSON.stringify(v), so the size limit is settled without serialising
 * metadata that is far below it (nearly all). A UTF-16 unit is at most 6 bytes as JSON (`\uXXXX`;
 * unescaped it is at most 3), so a string of n units is at most 6n + 2 with its quotes. No path
 * strings are built: on any problem the schema path runs and names it.
 */
export function jsonSizeBound(v: unknown, depth: number): number {
  switch (typeof v) {
    case 'string':
      return 6 * v.length + 2;
    case 'boolean':
      return 5;
    case 'number':
      return Number.isFinite(v) ? NUMBER_JSON_MAX : -1;
    case 'object': {
      if (v === null) return 4;
      if (depth > METADATA_MAX_DEPTH) return -1;
      let total = 2;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const b = jsonSizeBound(v[i], depth + 1);
          if (b < 0) return -1;
          total += b + 1;
        }
        return total;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return -1;
      const obj = v as Record<string, unknown>;
      const keys = Object.keys(obj);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as string;
        const b = jsonSizeBound(obj[k], depth + 1);
        if (b < 0) return -1;
        total += 6 * k.length + 4 + b;
      }
      return total;
    }
    default:
      return -1;
  }
}

const metadataSchema = z
  .record(z.string(), z.unknown(), { error: 'must be a JSON object' })
  .superRefine((meta, ctx) => {
    const problem = jsonProblem(meta, 1, '');
    if (problem) {
      ctx.addIssue({
        code: 'custom',
        message: problem.message,
        path: problem.path.split('.').filter((p) => p !== ''),
      });
      return;
    }
    const bytes = Buffer.byteLength(JSON.stringify(meta), 'utf8');
    if (bytes > METADATA_MAX_BYTES)
      ctx.addIssue({
        code: 'custom',
        message: `must be at most ${METADATA_MAX_BYTES} bytes as JSON (got ${bytes})`,
      });
  });

const timestampSchema = z.union([z.number().int().min(0).max(MAX_TIME_MS), isoTimeString], {
  error: 'must be epoch milliseconds or an ISO 8601 date-time with a time zone',
});

const sourceIpSchema = z
  .string()
  .max(64)
  .transform((s, ctx) => {
    const ip = normalizeIp(s);
    if (ip === null) {
      ctx.addIssue({ code: 'custom', message: 'is not a valid IPv4 or IPv6 address' });
      return z.NEVER;
    }
    return ip;
  });

/** The strict zod schema of one incoming audit event. */
export const incomingAuditEventSchema = z.strictObject({
  event_type: z.enum(AUDIT_EVENT_TYPES),
  user_id: z.string().min(1).max(USER_ID_MAX_LENGTH).nullable().optional(),
  source_ip: sourceIpSchema,
  action: z.string().min(1).max(ACTION_MAX_LENGTH),
  outcome: z.enum(AUDIT_OUTCOMES),
  timestamp: timestampSchema.optional(),
  metadata: metadataSchema.optional(),
});

function toEvent(parsed: z.output<typeof incomingAuditEventSchema>): IncomingAuditEvent {
  return {
    event_type: parsed.event_type,
    // Neutralised like action: a user id is shown in exports and terminals too.
    user_id: parsed.user_id == null ? null : neutralizeControlChars(parsed.user_id),
    source_ip: parsed.source_ip,
    action: neutralizeControlChars(parsed.action),
    outcome: parsed.outcome,
    timestamp: parsed.timestamp,
    metadata: (parsed.metadata ?? {}) as JsonObject,
  };
}

const EVENT_KEYS = new Set([
  'event_type',
  'user_id',
  'source_ip',
  'action',
  'outcome',
  'timestamp',
  'metadata',
]);
const EVENT_TYPE_SET = new Set<string>(AUDIT_EVENT_TYPES);
const OUTCOME_SET = new Set<string>(AUDIT_OUTCOMES);

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/**
 * The common case without zod (the audit hot path): accepts exactly what the schema accepts with a
 * numeric or absent timestamp, and returns undefined for anything else (an ISO timestamp, or any
 * fault), which then takes the schema path for its normalising and its error naming the field.
 */
function fastParse(input: unknown): IncomingAuditEvent | undefined {
  if (!isPlainObject(input)) return undefined;
  for (const k in input) if (!EVENT_KEYS.has(k)) return undefined;
  const { event_type, user_id, source_ip, action, outcome, timestamp, metadata } = input;
  if (typeof event_type !== 'string' || !EVENT_TYPE_SET.has(event_type)) return undefined;
  if (typeof outcome !== 'string' || !OUTCOME_SET.has(outcome)) return undefined;
  if (
    user_id !== undefined &&
    user_id !== null &&
    (typeof user_id !== 'string' || user_id.length < 1 || user_id.length > USER_ID_MAX_LENGTH)
  )
    return undefined;
  if (typeof action !== 'string' || action.length < 1 || action.length > ACTION_MAX_LENGTH) return undefined;
  if (typeof source_ip !== 'string' || source_ip.length > 64) return undefined;
  const ip = normalizeIp(source_ip);
  if (ip === null) return undefined;
  if (
    timestamp !== undefined &&
    (typeof timestamp !== 'number' ||
      !Number.isSafeInteger(timestamp) ||
      timestamp < 0 ||
      timestamp > MAX_TIME_MS)
  )
    return undefined;
  if (metadata !== undefined) {
    if (!isPlainObject(metadata)) return undefined;
    const bound = jsonSizeBound(metadata, 1);
    if (bound < 0) return undefined;
    if (
      bound > METADATA_MAX_BYTES &&
      Buffer.byteLength(JSON.stringify(metadata), 'utf8') > METADATA_MAX_BYTES
    )
      return undefined;
  }
  return {
    event_type: event_type as AuditEventType,
    user_id: user_id == null ? null : neutralizeControlChars(user_id as string),
    source_ip: ip,
    action: neutralizeControlChars(action),
    outcome: outcome as AuditOutcome,
    timestamp: timestamp as number | undefined,
    metadata: (metadata ?? {}) as JsonObject,
  };
}

/** Validates one event; throws validation_failed naming the field. */
export function parseAuditEvent(input: unknown): IncomingAuditEvent {
  const fast = fastParse(input);
  if (fast) return fast;
  const r = incomingAuditEventSchema.safeParse(input, { error: friendlyErrorMap });
  if (!r.success) throw zodIssuesToError(r.error);
  return toEvent(r.data);
}

export const BATCH_MAX_EVENTS = 1000;

/**
 * One event from an API client (submission.ts): valid, nothing of Bulwark's own claimed, its time
 * (now when absent) within the event-time rule; returned stamped with its submitter. Errors name
 * the event's own fields (`timestamp`, `metadata.submitted_by`).
 */
export function parseClientEvent(
  input: unknown,
  now: number,
  submitter: Submitter,
): IncomingAuditEvent & { timestamp: number } {
  const ev = parseAuditEvent(input);
  const timestamp = ev.timestamp ?? now;
  const problem = clientEventProblem({ ...ev, timestamp }, now);
  if (problem) throw validationError(problem.field, problem.message);
  return { ...ev, timestamp, metadata: stampSubmitter(ev.metadata, submitter) };
}

/** The error of event `i` of a batch: its field and message prefixed with `events.<i>`. */
function inBatch(e: BulwarkError, i: number): BulwarkError {
  const inner = e.field ?? ROOT_FIELD;
  const field = inner === ROOT_FIELD ? `events.${i}` : `events.${i}.${inner}`;
  const message = e.message.startsWith(`${inner}: `) ? e.message.slice(inner.length + 2) : e.message;
  const issues = Array.isArray(e.details?.issues)
    ? (e.details.issues as Array<{ field: string; message: string }>).map((x) => ({
        ...x,
        field: x.field === ROOT_FIELD ? `events.${i}` : `events.${i}.${x.field}`,
      }))
    : undefined;
  return new BulwarkError('validation_failed', `${field}: ${message}`, {
    field,
    details: { index: i, ...(e.details ?? {}), ...(issues ? { issues } : {}) },
  });
}

/**
 * Validates a batch as a whole: every event valid, and timestamps non-decreasing (equal is fine).
 * A missing timestamp takes `now` (so a batch mixing explicit and missing timestamps must still be
 * in order). With `client`, every event is an API client's (parseClientEvent). Throws
 * validation_failed naming `events.<index>.<field>`; nothing in a refused batch is accepted.
 * Returns the normalised events with every timestamp set.
 */
export function validateBatch(
  events: unknown,
  opts: { now?: number; maxEvents?: number; client?: Submitter } = {},
): Array<IncomingAuditEvent & { timestamp: number }> {
  const maxEvents = opts.maxEvents ?? BATCH_MAX_EVENTS;
  if (!Array.isArray(events))
    throw new BulwarkError('validation_failed', 'events: must be an array', { field: 'events' });
  if (events.length === 0)
    throw new BulwarkError('validation_failed', 'events: must not be empty', { field: 'events' });
  if (events.length > maxEvents)
    throw new BulwarkError('validation_failed', `events: must be at most ${maxEvents} items`, {
      field: 'events',
    });
  const now = opts.now ?? Date.now();
  const out: Array<IncomingAuditEvent & { timestamp: number }> = [];
  for (let i = 0; i < events.length; i++) {
    let ev: IncomingAuditEvent & { timestamp: number };
    try {
      if (opts.client) ev = parseClientEvent(events[i], now, opts.client);
      else {
        const parsed = parseAuditEvent(events[i]);
        ev = { ...parsed, timestamp: parsed.timestamp ?? now };
      }
    } catch (e) {
      if (!(e instanceof BulwarkError)) throw e;
      throw inBatch(e, i);
    }
    const prev = out[i - 1];
    if (prev !== undefined && ev.timestamp < prev.timestamp) {
      throw new BulwarkError(
        'validation_failed',
        `events.${i}.timestamp: is earlier than the event before it (timestamps must not decrease within a batch; the batch was refused whole)`,
        { field: `events.${i}.timestamp`, details: { index: i } },
      );
    }
    out.push(ev);
  }
  return out;
}
