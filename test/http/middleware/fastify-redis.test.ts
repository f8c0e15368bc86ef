/** The Fastify plugin over the Redis store: two app instances share one limit. */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  RedisLimiterStore,
  createLimiterRedis,
  waitForRedisReady,
} from '../../../src/adapters/redis/limiter-store.js';
import { createLimiter } from '../../../src/core/ratelimit/limiter.js';
import { bulwarkRateLimit } from '../../../src/http/middleware/fastify.js';
import { REDIS_URL, deleteKeys, describeWithRedis, uniquePrefix } from '../../support/redis.js';

describeWithRedis('Fastify plugin over Redis', () => {
  let client: Redis;
  const prefix = uniquePrefix('mw');
  const apps: FastifyInstance[] = [];
  beforeAll(async () => {
    client = createLimiterRedis(REDIS_URL);
    await waitForRedisReady(client);
    for (let i = 0; i < 2; i++) {
      const limiter = createLimiter({
        store: new RedisLimiterStore(client, { keyPrefix: prefix }),
        policy: { perSender: { limit: 4, windowMs: 60_000 } },
      });
      const app = Fastify();
      await app.register(bulwarkRateLimit, {
        limiter,
        sender: (req) => (req.body as { from?: unknown }).from,
      });
      app.post('/sms', async () => ({ queued: true }));
      apps.push(app);
    }
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await deleteKeys(client, prefix);
    await client.quit();
  });

  it('two instances sharing Redis admit the sender limit once, not once each', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await apps[i % 2]!.inject({ method: 'POST', url: '/sms', payload: { from: '+15550123' } });
      codes.push(r.statusCode);
    }
    expect(codes).toEqual([200, 200, 200, 200, 429, 429, 429, 429]);
    expect(await client.exists(`${prefix}rl:sender:+15550123`)).toBe(1);
  });
});
