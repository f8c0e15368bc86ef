/**
 * Server for the HTTP part of bench/limiter.ts: one SMS route, bare or behind the Bulwark plugin
 * (memory or Redis store). Prints its port, serves until SIGTERM. argv: bare | guarded | guarded-redis
 */
import Fastify from 'fastify';
import {
  RedisLimiterStore,
  createLimiterRedis,
  waitForRedisReady,
} from '../src/adapters/redis/limiter-store.js';
import { createLimiter } from '../src/core/ratelimit/limiter.js';
import { MemoryLimiterStore } from '../src/core/ratelimit/memory-store.js';
import type { LimiterStore } from '../src/core/ratelimit/ports.js';
import { bulwarkRateLimit } from '../src/http/middleware/fastify.js';

const mode = process.argv[2] ?? 'bare';
const app = Fastify({ logger: false });
let redis: ReturnType<typeof createLimiterRedis> | null = null;
if (mode !== 'bare') {
  let store: LimiterStore;
  if (mode === 'guarded-redis') {
    redis = createLimiterRedis(process.env.BULWARK_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', {
      commandTimeoutMs: 5000,
    });
    await waitForRedisReady(redis);
    store = new RedisLimiterStore(redis, { keyPrefix: `bwbench:http:${process.pid}:` });
  } else store = new MemoryLimiterStore();
  // Limits high enough that every request is allowed: the bench measures the guard's cost, not 429s.
  const limiter = createLimiter({
    store,
    policy: {
      perIp: { limit: 1_000_000, windowMs: 60_000 },
      perSender: { limit: 1_000_000, windowMs: 60_000 },
    },
  });
  await app.register(bulwarkRateLimit, {
    limiter,
    sender: (req) => (req.body as { from?: unknown } | undefined)?.from,
  });
}
app.post('/api/messages/sms', async (_req, reply) => reply.code(202).send({ queued: true }));
// The bench reads the server's CPU time (µs) around each run: a measure other processes' load cannot skew.
app.get('/__cpu', { config: { bulwarkRateLimit: false } }, async () => {
  const u = process.cpuUsage();
  return String(u.user + u.system);
});
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${(app.server.address() as { port: number }).port}\n`);
process.on('SIGTERM', async () => {
  await app.close();
  if (redis) {
    const keys = await redis.keys(`bwbench:http:${process.pid}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
  process.exit(0);
});
