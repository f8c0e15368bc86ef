/**
 * Service logs (pino). Credentials in request headers are censored by path; free text is never
 * logged with request bodies. See docs/SECURITY.md for the redaction policy.
 *
 * On top of the paths, every log line goes through the audit ledger's redactor (the same rules as
 * audit metadata): the merged log object (formatters.log), the message string (hooks.logMethod),
 * error messages and stacks, and the request URL. A JWT, cloud key or password under an innocent
 * key therefore never reaches stdout either.
 */
import { format } from 'node:util';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { type Redactor, createRedactor } from '../core/audit/redaction.js';

export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["set-cookie"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.secret',
  '*.api_key',
];

const logRedactor: Redactor = createRedactor();

/** Keys whose values pino/fastify serialise themselves (a raw request must not be deep-walked). */
const SERIALISED = new Set(['req', 'res', 'reqId', 'responseTime', 'level', 'time', 'pid', 'hostname']);

function redactError(e: Error): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: e.name,
    message: logRedactor.redactString(e.message),
    stack: e.stack ? logRedactor.redactString(e.stack) : undefined,
  };
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') out.code = code;
  if (e.cause instanceof Error) out.cause = redactError(e.cause);
  return out;
}

/** The log object with every value but pino's own fields run through the redactor. */
export function redactLogObject(obj: Record<string, unknown>): Record<string, unknown> {
  const own: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (SERIALISED.has(k)) own[k] = v;
    else rest[k] = v instanceof Error ? redactError(v) : v;
  }
  return { ...(logRedactor.redact(rest) as Record<string, unknown>), ...own };
}

/** The pino options every Bulwark logger uses (the service logger and Fastify's). */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: LOG_REDACT_PATHS, censor: '[REDACTED]' },
    base: { service: 'bulwark' },
    formatters: { log: redactLogObject },
    hooks: {
      logMethod(args, method) {
        // Interpolate first (`password=%s` only reads as an assignment once filled in), then redact.
        const i = typeof args[0] === 'string' ? 0 : typeof args[1] === 'string' ? 1 : -1;
        if (i >= 0) {
          const msg = logRedactor.redactString(format(...(args.slice(i) as unknown[])));
          const next = [...args.slice(0, i), msg] as unknown as Parameters<typeof method>;
          return method.apply(this, next);
        }
        return method.apply(this, args as Parameters<typeof method>);
      },
    },
    serializers: {
      req: (req: { method?: string; url?: string; hostname?: string; ip?: string; id?: string }) => ({
        method: req.method,
        // The path only: a query string can carry a credential (?access_token=…).
        url: req.url === undefined ? undefined : logRedactor.redactString(req.url.split('?')[0]!),
        host: req.hostname,
        remoteAddress: req.ip,
      }),
      err: (e: unknown) => (e instanceof Error ? redactError(e) : e),
    },
  };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}
