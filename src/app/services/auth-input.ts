/**
 * What a caller sends to record an attempt (library and `POST /auth/attempts`). Unknown fields
 * are refused; every error names the field the caller has to change.
 */
import { z } from 'zod';
import {
  ATTEMPT_LIMITS,
  ATTEMPT_RESULTS,
  FAILURE_REASONS,
  attemptText,
  failureFieldRules,
} from '../../core/auth/attempt.js';
import { MAX_TIME_MS as MAX_TIME, parseIsoTime } from '../../core/iso-time.js';
import { parseIp } from '../../core/net/ip.js';
import { parseWithSchema, registerFastPath } from '../../core/validation.js';
import { fastRecordAttempt } from './auth-input-fast.js';

/** The one message for an `at` that is neither form (zod would otherwise list each branch's). */
export const AT_RULE =
  'must be epoch milliseconds (a whole number ≥ 0) or an ISO 8601 time with a zone, e.g. 2025-01-31T12:00:00Z';

const text = attemptText;

export const recordAttemptSchema = z
  .strictObject({
    user_id: text(ATTEMPT_LIMITS.user_id).nullable().optional(),
    sender: text(ATTEMPT_LIMITS.sender).nullable().optional(),
    source_ip: z
      .string()
      .max(64)
      .transform((s, ctx) => {
        const ip = parseIp(s);
        if (ip === null) {
          ctx.addIssue({ code: 'custom', message: 'must be an IPv4 or IPv6 address' });
          return z.NEVER;
        }
        return ip;
      }),
    result: z.enum(ATTEMPT_RESULTS),
    failure_reason: z.enum(FAILURE_REASONS).nullable().optional(),
    failure_text: text(ATTEMPT_LIMITS.failure_detail).nullable().optional(),
    /** When it happened: epoch ms or ISO 8601 with a zone; now when absent (see AT_RULE). */
    at: z
      .unknown()
      .transform((v, ctx) => {
        // One check, one message: a union would report each branch's complaint separately.
        const t =
          typeof v === 'number'
            ? Number.isInteger(v) && v >= 0 && v <= MAX_TIME
              ? v
              : NaN
            : typeof v === 'string'
              ? (parseIsoTime(v) ?? NaN)
              : NaN;
        if (Number.isNaN(t)) {
          ctx.addIssue({ code: 'custom', message: AT_RULE });
          return z.NEVER;
        }
        return t;
      })
      .optional(),
  })
  .superRefine((a, ctx) => failureFieldRules(a, a.failure_text, 'failure_text', ctx));

export type RecordAttemptInput = z.input<typeof recordAttemptSchema>;
export type RecordAttempt = z.output<typeof recordAttemptSchema>;

// The common input without zod (POST /auth/attempts validates every request with this schema).
registerFastPath(recordAttemptSchema, fastRecordAttempt);

export const parseRecordAttempt = (input: unknown): RecordAttempt =>
  parseWithSchema(recordAttemptSchema, input);
