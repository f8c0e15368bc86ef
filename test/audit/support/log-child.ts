/** Logs secrets through the service logger to stdout (the logger-redaction test reads it). */
import { createLogger } from '../../../src/app/logger.js';

const [jwt, aws, password] = process.argv.slice(2) as [string, string, string];
const log = createLogger('info');
log.info(
  { note: `user sent ${jwt}`, nested: { list: [{ harmless: aws }] }, password },
  `login by bob with ${jwt}`,
);
log.warn('key in message %s and password=%s', aws, password);
log.error({ err: new Error(`upstream refused Authorization: Bearer ${jwt} (${aws})`) }, 'request failed');
log.info({ user: 'bob', count: 3 }, 'plain line stays readable');
