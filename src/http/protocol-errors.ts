/**
 * Answers for requests that never reach a route handler: a method the route does not serve (405
 * with Allow), and connection-level errors from Node's HTTP parser. Both keep the catalogue's body
 * shape and the security headers, like every other answer.
 */
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { ErrorCode } from '../core/errors.js';
import { SECURITY_HEADERS } from './security-headers.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'TRACE'] as const;

/** For every route URL, the methods it does not serve answer 405 method_not_allowed with Allow. */
export function registerMethodNotAllowed(app: FastifyInstance): void {
  const served = new Map<string, Set<string>>();
  for (const r of app.routeTable) {
    const set = served.get(r.url) ?? new Set<string>();
    set.add(r.method);
    served.set(r.url, set);
  }
  for (const [url, methods] of served) {
    const missing = METHODS.filter((m) => !methods.has(m));
    if (missing.length === 0) continue;
    const allow = [...methods, ...(methods.has('GET') ? ['HEAD'] : [])].join(', ');
    app.route({
      method: [...missing, 'OPTIONS'],
      url,
      config: { public: true, methodNotAllowed: true },
      schema: { hide: true },
      handler: async (req, reply) =>
        reply
          .status(405)
          .header('allow', allow)
          .send({
            code: 'method_not_allowed',
            message: `${req.method} is not allowed on ${url}; allowed: ${allow}`,
          }),
    });
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
};

export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? 431
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 408
        : err.code === 'HPE_URI_TOO_LONG'
          ? 414
          : 400;
  const code: ErrorCode =
    status === 431
      ? 'headers_too_large'
      : status === 414
        ? 'uri_too_long'
        : status === 408
          ? 'request_timeout'
          : 'validation_failed';
  const body = JSON.stringify({
    code,
    message:
      status === 431
        ? 'request headers are too large'
        : status === 408
          ? 'request timed out'
          : status === 414
            ? 'request URL is too long'
            : 'malformed HTTP request',
  });
  const headers = {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    connection: 'close',
  };
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Bad Request'}\r\n` +
      Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\r\n') +
      `\r\n\r\n${body}`,
  );
}
