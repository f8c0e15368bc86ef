/**
 * Service logs (pino). Credentials in request headers are censored by path; free text is never
 * logged with request bodies. See docs/SECURITY.md for the redaction policy.
 */
import pino, { type Logger } from 'pino';

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

export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: { paths: LOG_REDACT_PATHS, censor: '[REDACTED]' },
    base: { service: 'bulwark' },
  });
}
