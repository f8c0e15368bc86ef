/**
 * Starting with the Redis limiter store while Redis is down: a warning of one line naming the
 * cause, never an error object with its stack (an expected condition, not a bug), and a store that
 * answers through the failure policy.
 */
import { afterAll, beforeAll, expect, it, describe } from 'vitest';
import type { Logger } from 'pino';
import { type Bulwark, createBulwark } from '../../src/app/bulwark.js';
import { openAuthLimiter } from '../../src/app/auth-wiring.js';

describe('auth limiter wiring, Redis unreachable at start', () => {
  let b: Bulwark;
  beforeAll(async () => {
    b = await createBulwark({ database_url: 'sqlite::memory:' }, { logLevel: 'silent', env: {} });
  });
  afterAll(() => b.close());

  it('warns in one line without a stack and still opens a store', async () => {
    const warnings: unknown[][] = [];
    const logger = { warn: (...args: unknown[]) => warnings.push(args) } as unknown as Logger;
    const limiter = await openAuthLimiter(
      { ...b.config, rate_limit_store: 'redis', redis_url: 'redis://127.0.0.1:1' },
      b.store,
      b.audit,
      b.metrics,
      logger,
    );
    try {
      expect(warnings).toHaveLength(1);
      const [fields, message] = warnings[0]!;
      expect(message).toMatch(/redis limiter store not reachable at start/);
      expect(JSON.stringify(fields)).not.toMatch(/stack|\n\s+at /);
      expect(fields).toMatchObject({ reason: expect.any(String) });
      expect(limiter.store).toBeDefined();
    } finally {
      await limiter.close();
    }
  }, 20_000);
});
