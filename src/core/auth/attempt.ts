/**
 * The AuthenticationAttempt entity (ARCHITECTURE.md §1) and the schema of what a caller may send
 * to record one.
 *
 * An attempt is one try at authenticating: who (user_id, or the sender a messaging API limits),
 * from where (source_ip, normalised), when, and how it ended. A failure says why in
 * `failure_reason`; `other` needs `failure_detail` to say what happened, because "other" alone
 * tells an operator nothing. `rl_bucket_state` records each rate-limit bucket consulted for the
 * decision (its window and count), so a refusal can be explained after the fact.
 */
import { z } from 'zod';
import { MAX_TIME_MS as MAX_TIME } from '../iso-time.js';
import { parseIp } from '../net/ip.js';
import { hasLineUnsafeText, isoTimeString, parseWithSchema } from '../validation.js';

export const ATTEMPT_RESULTS = ['success', 'failure'] as const;
export type AttemptResult = (typeof ATTEMPT_RESULTS)[number];

/**
 * Why an attempt failed. `unknown_user` is kept apart from `bad_password` because a stream of
 * unknown users is the signature of enumeration and credential stuffing; `locked` and
 * `rate_limited` are refusals by policy rather than wrong credentials.
 */
export const FAILURE_REASONS = [
  'bad_password',
  'unknown_user',
  'locked',
  'mfa_failed',
  'expired_session',
  'rate_limited',
  'other',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export const isFailureReason = (v: unknown): v is FailureReason =>
  (FAILURE_REASONS as readonly unknown[]).includes(v);

/** One rate-limit bucket consulted while deciding an attempt. */
export interface RlBucketEntry {
  /** Which bucket: e.g. `ip:192.0.2.1` or `sender:+15551234567`. */
  bucket: string;
  /** Length of the bucket's window (or its refill period), ms. */
  window_ms: number;
  /** Requests counted in the window when the decision was made. */
  count: number;
  /** The bucket's limit, when it has one. */
  limit?: number | undefined;
  /** Milliseconds until the bucket admits again, when it refused. */
  retry_after_ms?: number | undefined;
}

export interface AuthenticationAttempt {
  /** UUID v7. */
  id: string;
  user_id: string | null;
  /** The identity a messaging API limits (a from-address: phone number or e-mail); null elsewhere. */
  sender: string | null;
  /** Canonical IP text: IPv4-mapped IPv6 as IPv4, IPv6 compressed lower case (RFC 5952). */
  source_ip: string;
  /** Epoch ms, UTC. */
  timestamp: number;
  result: AttemptResult;
  /** Null exactly when result is success. */
  failure_reason: FailureReason | null;
  /** Free text for failure_reason `other` (required there); optional context for other reasons. */
  failure_detail: string | null;
  rl_bucket_state: RlBucketEntry[];
}

export const ATTEMPT_LIMITS = {
  user_id: 256,
  sender: 320,
  failure_detail: 512,
  buckets: 32,
  bucket: 256,
} as const;

const NOT_BLANK = /\S/;

/**
 * An attempt's text (user_id, sender, failure text, bucket names), on every path in (API, library,
 * log import): one line, nothing that hides or reorders content in a log, a terminal or the
 * dashboard (control characters, U+2028/U+2029, bidirectional controls; NUL is not storable in
 * PostgreSQL either), and not blank: spaces only say nothing, and are refused rather than trimmed
 * (an identity is compared exactly as sent).
 */
export const isAttemptText = (s: string, max: number): boolean =>
  s.length >= 1 && s.length <= max && !hasLineUnsafeText(s) && NOT_BLANK.test(s);

/** The zod form of isAttemptText, naming which rule failed. */
export const attemptText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => !hasLineUnsafeText(s), { error: 'must not contain control characters or line breaks' })
    .refine((s) => NOT_BLANK.test(s), { error: 'must not be blank' });
const text = attemptText;

/** Epoch ms, or an ISO 8601 time with a zone (the API speaks ISO). */
const timestampSchema = z.union([z.number().int().min(0).max(MAX_TIME), isoTimeString], {
  error: 'must be epoch milliseconds or an ISO 8601 time with a zone (e.g. 2025-01-31T12:00:00Z)',
});

const ipSchema = z
  .string()
  .max(64)
  .transform((s, ctx) => {
    const ip = parseIp(s);
    if (ip === null) {
      ctx.addIssue({ code: 'custom', message: 'must be an IPv4 or IPv6 address' });
      return z.NEVER;
    }
    return ip;
  });

const bucketSchema = z.strictObject({
  bucket: text(ATTEMPT_LIMITS.bucket),
  window_ms: z.number().int().positive(),
  count: z.number().int().min(0),
  limit: z.number().int().min(0).optional(),
  retry_after_ms: z.number().int().min(0).optional(),
});

/**
 * The cross-field rules of an attempt's failure fields, each reported on the field a caller has to
 * change: a success has no reason or detail; a failure has a reason; `other` needs a detail. The
 * detail's field name differs by input (`failure_detail` stored, `failure_text` over the API).
 */
export function failureFieldRules(
  a: { result: string; failure_reason?: string | null | undefined },
  detail: string | null | undefined,
  detailField: string,
  ctx: z.RefinementCtx,
): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (a.result === 'success') {
    if (a.failure_reason != null) issue('failure_reason', 'must be null when result is success');
    if (detail != null) issue(detailField, 'must be null when result is success');
    return;
  }
  if (a.failure_reason == null) issue('failure_reason', 'is required when result is failure');
  else if (a.failure_reason === 'other' && detail == null)
    issue(detailField, 'is required when failure_reason is other');
}

/** What a caller sends to record an attempt. Unknown fields are refused. */
export const attemptInputSchema = z
  .strictObject({
    id: z.uuid().optional(),
    user_id: text(ATTEMPT_LIMITS.user_id).nullable().optional(),
    sender: text(ATTEMPT_LIMITS.sender).nullable().optional(),
    source_ip: ipSchema,
    timestamp: timestampSchema,
    result: z.enum(ATTEMPT_RESULTS),
    failure_reason: z.enum(FAILURE_REASONS).nullable().optional(),
    failure_detail: text(ATTEMPT_LIMITS.failure_detail).nullable().optional(),
    rl_bucket_state: z.array(bucketSchema).max(ATTEMPT_LIMITS.buckets).optional(),
  })
  .superRefine((a, ctx) => failureFieldRules(a, a.failure_detail, 'failure_detail', ctx));

export type AttemptInput = z.input<typeof attemptInputSchema>;

/**
 * Validates `input` and builds the attempt. Throws `validation_failed` naming the first wrong
 * field (see src/core/validation.ts). `newId` supplies the id when the input has none.
 */
export function parseAttemptInput(input: unknown, newId: () => string): AuthenticationAttempt {
  const a = parseWithSchema(attemptInputSchema, input);
  return {
    id: a.id ?? newId(),
    user_id: a.user_id ?? null,
    sender: a.sender ?? null,
    source_ip: a.source_ip,
    timestamp: a.timestamp,
    result: a.result,
    failure_reason: a.result === 'success' ? null : (a.failure_reason ?? null),
    failure_detail: a.failure_detail ?? null,
    rl_bucket_state: a.rl_bucket_state ?? [],
  };
}
