/** Shared pieces of route schemas. */
import { z } from 'zod';
import { parseEpochOrIsoTime } from '../core/iso-time.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../core/pagination.js';

/** `?severity=high,critical` or `?severity=high&severity=critical`. */
export const csvList = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) =>
      (Array.isArray(v) ? v : [v])
        .flatMap((s) => s.split(','))
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(values)).max(values.length * 2));

/**
 * A whole number in a query string, written plainly (no 0x, exponents or signs), within [min, max].
 * Every value outside that (`0`, `-1`, `1e3`, `abc`) gets the one message naming the range, so a
 * caller is told the same rule whichever way the value was wrong.
 */
export const queryInt = (min: number, max: number) =>
  z.string({ error: 'must be given once, as a whole number' }).transform((s, ctx) => {
    const n = /^\d{1,9}$/.test(s) ? Number(s) : NaN;
    if (!(n >= min && n <= max)) {
      ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}` });
      return z.NEVER;
    }
    return n;
  });

export const QUERY_TIME_RULE =
  'must be epoch milliseconds or an ISO 8601 date-time with a zone (2026-01-15T12:00:00Z)';

/**
 * A time in a query string, as API.md's conventions take every input time: epoch milliseconds or an
 * ISO 8601 date-time with its zone. One parser for every route's `since` / `until`, so the same
 * value means the same instant everywhere and is refused with the same words.
 */
export const queryTime = z
  .string({ error: 'must be given once' })
  .max(40, { error: 'must be at most 40 characters' })
  .transform((s, ctx) => {
    const ms = parseEpochOrIsoTime(s);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: QUERY_TIME_RULE });
      return z.NEVER;
    }
    return ms;
  });

/**
 * The body of an action that takes no input (sign a checkpoint, take a snapshot): none, or `{}`.
 * Anything else is refused naming the field, as every other body's unknown fields are.
 */
export const emptyBody = z.strictObject({}).nullish(); // Fastify hands the validator null for no body

export const pageQuery = {
  limit: queryInt(1, MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: z
    .string({ error: 'must be given once' })
    .max(200, { error: 'must be at most 200 characters' })
    .optional(),
};

export const idParams = z.strictObject({ id: z.uuid({ error: 'must be a UUID' }) });

export const errorBody = z.object({ code: z.string(), message: z.string() });

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input; `field` names the offending field',
  401: 'No valid bearer token',
  403: 'Token scope too small',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'Body over the size limit',
  415: 'Body not JSON',
  422: 'Well-formed but unprocessable',
  429: 'Rate limited; see Retry-After',
  503: 'Store unavailable',
};

/**
 * Response documentation for the OpenAPI document: the success status with its description, and
 * the error statuses the route can answer (always 400/401/403 for authenticated routes).
 * Only documentation: responses are serialised as they are.
 */
export function responses(success: number, description: string, errors: number[] = []) {
  const out: Record<number, z.ZodType> = { [success]: z.any().describe(description) };
  for (const code of [400, 401, 403, ...errors]) {
    out[code] = errorBody.describe(ERROR_DESCRIPTIONS[code] ?? 'Error');
  }
  return out;
}
