/**
 * BULWARK_RATE_LIMIT_STORE=redis through the composition root: decisions live in the real Redis
 * under the configured prefix, shared by two Bulwark instances; an unreachable Redis fails closed
 * and the outage is in the audit log; redis without a URL is a config error naming it.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBulwark } from '../../src/app/bulwark.js';
import { BulwarkError } from '../../src/core/errors.js';
import { REDIS_URL, deleteKeys, describeWithRedis, uniquePrefix } from '../support/redis.js';

describeWithRedis('Redis limiter store wired by configuration', () => {
  const prefix = `${uniquePrefix('wiring')}:`;
  let client: Redis;
  beforeAll(() => {
    client = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await deleteKeys(client, prefix);
    await client.quit();
  });

  const open = (redisUrl: string) =>
    createBulwark(
      {
        database_url: 'sqlite::memory:',
        rate_limit_store: 'redis',
        redis_url: redisUrl,
        rate_limit_redis_prefix: prefix,
        rate_limit_per_sender: 3,
      },
      { logLevel: 'silent', env: {} },
    );

  it('counts one sender across two instances sharing Redis', async () => {
    const [a, b] = [await open(REDIS_URL), await open(REDIS_URL)];
    try {
      const attempt = { sender: '+15551234567', source_ip: '198.51.100.7', result: 'success' };
      const allowed: boolean[] = [];
      for (const bulwark of [a, b, a, b, a])
        allowed.push((await bulwark.auth.recordAttempt(attempt)).allowed);
      expect(allowed).toEqual([true, true, true, false, false]);
      expect((await client.keys(`${prefix}*`)).length).toBeGreaterThan(0);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('fails closed while Redis is unreachable and writes the outage to the audit log', async () => {
    const down = await open('redis://127.0.0.1:1');
    try {
      const d = await down.auth.recordAttempt({
        user_id: 'alice',
        source_ip: '203.0.113.9',
        result: 'failure',
        failure_reason: 'bad_password',
      });
      expect(d.allowed).toBe(false);
      expect(d.retry_after_ms).toBeGreaterThan(0);
      // The failure hook appends asynchronously; give it a moment.
      let entries: { action: string; outcome: string }[] = [];
      for (let i = 0; i < 50 && entries.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
        entries = (
          await down.audit.list({ action_prefix: 'rate_limit.store_failure' }, { limit: 5, order: 'desc' })
        ).items;
      }
      expect(entries[0]).toMatchObject({ action: 'rate_limit.store_failure', outcome: 'error' });
    } finally {
      await down.close();
    }
  });
});

it('refuses BULWARK_RATE_LIMIT_STORE=redis without BULWARK_REDIS_URL, naming the setting', async () => {
  const err = await createBulwark(
    { database_url: 'sqlite::memory:', rate_limit_store: 'redis' },
    { logLevel: 'silent', env: {} },
  ).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BulwarkError);
  expect((err as BulwarkError).message).toMatch(/BULWARK_REDIS_URL/);
});
