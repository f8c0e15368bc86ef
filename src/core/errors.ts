/**
 * The one catalogue of Bulwark's error codes.
 *
 * Every failure that crosses a boundary (HTTP body, CLI stderr, library exception) carries one of
 * these codes. The HTTP status and CLI exit code are derived from the code here, never chosen at
 * the throw site, so the same fault answers the same way everywhere. docs/ERRORS.md is generated
 * from this table (see test/errors-doc.test.ts, which keeps the two in step).
 */
export const ERROR_CATALOGUE = {
  validation_failed: {
    http: 400,
    exit: 2,
    summary: 'The input is malformed or a field is invalid; the message names the field.',
  },
  invalid_json: { http: 400, exit: 2, summary: 'The request body is not valid JSON.' },
  unauthenticated: { http: 401, exit: 2, summary: 'No bearer token, or the token is unknown or revoked.' },
  forbidden: { http: 403, exit: 2, summary: "The token's scope does not allow this operation." },
  not_found: { http: 404, exit: 2, summary: 'The resource does not exist.' },
  route_not_found: { http: 404, exit: 2, summary: 'No such route.' },
  method_not_allowed: { http: 405, exit: 2, summary: 'The route exists but not for this method.' },
  conflict: {
    http: 409,
    exit: 2,
    summary: 'The operation conflicts with the current state (for example a concurrent rotation).',
  },
  illegal_transition: {
    http: 409,
    exit: 2,
    summary: 'The vulnerability status transition is not allowed by the lifecycle.',
  },
  payload_too_large: {
    http: 413,
    exit: 2,
    summary: 'The request body is over the size limit (256 KiB by default).',
  },
  headers_too_large: {
    http: 431,
    exit: 2,
    summary: 'The request headers (or the request line) are over the server limit.',
  },
  uri_too_long: { http: 414, exit: 2, summary: 'The request URL is over the server limit.' },
  request_timeout: {
    http: 408,
    exit: 2,
    summary: 'The request was not received in time; the connection is closed.',
  },
  unsupported_media_type: {
    http: 415,
    exit: 2,
    summary: 'The request body has a content type the route does not accept.',
  },
  unprocessable: {
    http: 422,
    exit: 2,
    summary: 'The input is well-formed but cannot be processed (for example a lockfile that does not parse).',
  },
  rate_limited: {
    http: 429,
    exit: 2,
    summary: 'A rate limit or lockout refused the request; Retry-After says when to retry.',
  },
  store_unavailable: {
    http: 503,
    exit: 3,
    summary: 'The database or shared store cannot be reached; nothing was written.',
  },
  crypto_failed: {
    http: 400,
    exit: 2,
    summary: 'A ciphertext or signature failed authentication, or its key version is not allowed.',
  },
  config_invalid: {
    http: 500,
    exit: 2,
    summary: 'The configuration is invalid; the message names the setting.',
  },
  not_configured: {
    http: 503,
    exit: 2,
    summary:
      'A capability this server is not configured for; the message names the setting (BULWARK_MASTER_KEY for the keyring, BULWARK_AUDIT_SIGNING_KEY for checkpoints). Everything else works.',
  },
  internal: {
    http: 500,
    exit: 3,
    summary: 'An unexpected error; details are in the service log, never in the response.',
  },
  advisory_source_unavailable: {
    http: 502,
    exit: 3,
    summary:
      'The advisory download (advisories sync) failed or returned something other than a zip; nothing was imported from it.',
  },
  advisories_stale: {
    http: 503,
    exit: 3,
    summary:
      'The advisory database is older than the configured maximum age (or empty) and the policy is to fail.',
  },
} as const satisfies Record<string, { http: number; exit: 2 | 3; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** An error that Bulwark means to show: its message is safe to return to a caller. */
export class BulwarkError extends Error {
  readonly code: ErrorCode;
  /** Dotted path of the offending input field, when there is one. */
  readonly field: string | undefined;
  /** Extra, non-secret details a caller may act on (for example `retry_after_ms`). */
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { field?: string; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'BulwarkError';
    this.code = code;
    this.field = opts.field;
    this.details = opts.details;
  }

  get httpStatus(): number {
    return ERROR_CATALOGUE[this.code].http;
  }

  get exitCode(): 2 | 3 {
    return ERROR_CATALOGUE[this.code].exit;
  }
}

export const validationError = (field: string, message: string): BulwarkError =>
  new BulwarkError('validation_failed', `${field}: ${message}`, { field });

export const isBulwarkError = (e: unknown): e is BulwarkError => e instanceof BulwarkError;
