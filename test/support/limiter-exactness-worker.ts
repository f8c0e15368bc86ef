/**
 * Child process for the exactness test: connects to Redis, says "ready", waits for "go" on stdin,
 * then fires N decisions at once against one sender key and prints how many were allowed.
 * argv: redisUrl keyPrefix requests limit
 */
import { createInterface } from 'node:readline';
import {
  RedisLimiterStore,
  createLimiterRedis,
  waitForRedisReady,
} from '../../src/adapters/redis/limiter-store.js';
import { createLimiter } from '../../src/core/ratelimit/limiter.js';

const [url, keyPrefix, requestsArg, limitArg] = process.argv.slice(2);
const requests = Number(requestsArg);
const limit = Number(limitArg);
const redis = createLimiterRedis(url!, { commandTimeoutMs: 15_000 });
await waitForRedisReady(redis);
const limiter = createLimiter({
  store: new RedisLimiterStore(redis, { keyPrefix: keyPrefix! }),
  policy: {
    perIp: { limit: 1_000_000, windowMs: 86_400_000 },
    perSender: { limit, windowMs: 86_400_000 }, // one unit back per 86.4 s·(1000/limit): none during the test
  },
});
process.stdout.write('ready\n');
const rl = createInterface({ input: process.stdin });
rl.once('line', async () => {
  const pending = [];
  for (let i = 0; i < requests; i++) {
    pending.push(limiter.decide({ ip: `198.18.${(i >> 8) & 255}.${i & 255}`, sender: '+15550199' }));
  }
  const decisions = await Promise.all(pending);
  const allowed = decisions.filter((d) => d.allowed).length;
  process.stdout.write(`${JSON.stringify({ allowed, refused: requests - allowed })}\n`);
  rl.close();
  await redis.quit();
});
