/**
 * `recordAttemptSchema` without zod for the common input (POST /auth/attempts runs it on every
 * request; zod costs ~10 µs here): accepts exactly what the schema accepts with a numeric or
 * absent `at`, and gives the same output; returns undefined for anything else (an ISO `at`, a
 * value set to undefined, any fault), which then takes the schema for its normalising and for the
 * error that names the field. test/app/auth-input-fast.test.ts checks the two agree.
 */
import { ATTEMPT_LIMITS, ATTEMPT_RESULTS, FAILURE_REASONS, isAttemptText } from '../../core/auth/attempt.js';
import { MAX_TIME_MS as MAX_TIME } from '../../core/iso-time.js';
import { parseIp } from '../../core/net/ip.js';
import type { RecordAttempt } from './auth-input.js';

const RESULTS = new Set<string>(ATTEMPT_RESULTS);
const REASONS = new Set<string>(FAILURE_REASONS);
const KEYS = new Set(['user_id', 'sender', 'source_ip', 'result', 'failure_reason', 'failure_text', 'at']);

/** Undefined when the key is absent; null or the text when valid; NaN-like FAULT otherwise. */
const FAULT = Symbol('fault');
function optionalText(v: unknown, max: number): string | null | undefined | typeof FAULT {
  if (v === undefined || v === null) return v;
  if (typeof v !== 'string' || !isAttemptText(v, max)) return FAULT;
  return v;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

export function fastRecordAttempt(input: unknown): RecordAttempt | undefined {
  if (!isPlainObject(input)) return undefined;
  for (const k in input) if (!KEYS.has(k) || input[k] === undefined) return undefined;
  const user = optionalText(input.user_id, ATTEMPT_LIMITS.user_id);
  const sender = optionalText(input.sender, ATTEMPT_LIMITS.sender);
  const text = optionalText(input.failure_text, ATTEMPT_LIMITS.failure_detail);
  if (user === FAULT || sender === FAULT || text === FAULT) return undefined;
  const rawIp = input.source_ip;
  if (typeof rawIp !== 'string' || rawIp.length > 64) return undefined;
  const ip = parseIp(rawIp);
  if (ip === null) return undefined;
  const result = input.result;
  if (typeof result !== 'string' || !RESULTS.has(result)) return undefined;
  const reason = input.failure_reason;
  if (reason !== undefined && reason !== null && (typeof reason !== 'string' || !REASONS.has(reason)))
    return undefined;
  const at = input.at;
  if (at !== undefined && (typeof at !== 'number' || !Number.isInteger(at) || at < 0 || at > MAX_TIME))
    return undefined;
  // The cross-field rules (failureFieldRules): any breach takes the schema path for its message.
  if (
    result === 'success'
      ? reason != null || text != null
      : reason == null || (reason === 'other' && text == null)
  )
    return undefined;
  // Keys in the schema's order, present exactly when the input has them (as zod's output).
  const out: Record<string, unknown> = {};
  if (user !== undefined) out.user_id = user;
  if (sender !== undefined) out.sender = sender;
  out.source_ip = ip;
  out.result = result;
  if (reason !== undefined) out.failure_reason = reason;
  if (text !== undefined) out.failure_text = text;
  if (at !== undefined) out.at = at;
  return out as RecordAttempt;
}
