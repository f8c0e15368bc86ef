/**
 * Every error leaves the API as `{code, message}` with the status the catalogue gives its code.
 * Unexpected errors are logged in full and answered with a generic body: never a stack trace, never
 * an internal message that could carry a secret.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { BulwarkError, ERROR_CATALOGUE, type ErrorCode } from '../core/errors.js';

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  field?: string;
  details?: Record<string, unknown>;
}

const FASTIFY_CODES: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload_too_large', message: 'request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported_media_type', message: 'unsupported content type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'validation_failed',
    message: 'content-length does not match the body',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'invalid_json', message: 'body: empty JSON body' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'invalid_json', message: 'body: not valid JSON' },
};

export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof BulwarkError) {
    return {
      code: err.code,
      message: err.message,
      ...(err.field ? { field: err.field } : {}),
      ...(err.details ? { details: err.details } : {}),
    };
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const first = err.validation[0];
    const where = err.validationContext ?? 'body';
    const path = first?.instancePath?.replace(/^\//, '').replace(/\//g, '.') ?? '';
    const field = path ? `${where === 'body' ? '' : where + '.'}${path}` : where;
    return { code: 'validation_failed', message: `${field}: ${first?.message ?? 'invalid'}`, field };
  }
  const fe = err as FastifyError;
  const known = fe?.code ? FASTIFY_CODES[fe.code] : undefined;
  if (known) return { code: known.code, message: known.message };
  if (fe?.statusCode === 400 && fe instanceof SyntaxError)
    return { code: 'invalid_json', message: 'body: not valid JSON' };
  if (fe?.statusCode === 415) return { code: 'unsupported_media_type', message: 'unsupported content type' };
  if (fe?.statusCode === 413) return { code: 'payload_too_large', message: 'request body is too large' };
  if (fe?.statusCode === 400) return { code: 'validation_failed', message: 'bad request' };
  return { code: 'internal', message: 'internal error' };
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const body = toErrorBody(err);
    const status = ERROR_CATALOGUE[body.code].http;
    // A stack is logged for the unexpected only. A catalogue error with a 5xx status (a store
    // down, a capability not configured) is an expected state of the service: one warning line.
    if (body.code === 'internal') req.log.error({ err }, 'request failed');
    else if (status >= 500) req.log.warn({ code: body.code, detail: body.message }, 'request refused');
    // An outage is worth retrying soon; a capability not configured is not (no Retry-After).
    if (body.code === 'store_unavailable') {
      const ms = typeof body.details?.retry_after_ms === 'number' ? body.details.retry_after_ms : 1000;
      reply.header('retry-after', String(Math.max(1, Math.ceil(ms / 1000))));
    }
    if (body.code === 'unauthenticated') reply.header('www-authenticate', 'Bearer realm="bulwark"');
    if (body.code === 'rate_limited' && typeof body.details?.retry_after_ms === 'number') {
      reply.header('retry-after', String(Math.max(1, Math.ceil(body.details.retry_after_ms / 1000))));
    }
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    return reply
      .status(404)
      .send({ code: 'route_not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` });
  });
}
