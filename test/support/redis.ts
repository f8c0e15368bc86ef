/**
 * Redis for the suites that need it (127.0.0.1:6379, or BULWARK_TEST_REDIS_URL). Same rule as
 * backends.ts: without a server the suite is skipped and says why; under CI=true that is a
 * failure. Each suite gets a unique key prefix and deletes its keys afterwards.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, it } from 'vitest';
export const REDIS_URL = process.env.BULWARK_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function probeRedis(): Promise<string | null> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG' ? null : 'PING did not answer PONG';
  } catch (err) {
    return (err as Error).message;
  } finally {
    client.disconnect();
  }
}

const redisProblem = await probeRedis();
export const redisAvailable = redisProblem === null;

/** A key prefix no other run uses. */
export const uniquePrefix = (name = 'test'): string =>
  `bwtest:${name}:${Date.now().toString(36)}:${randomBytes(4).toString('hex')}:`;

/** Deletes every key under `prefix` (SCAN, never KEYS). */
export async function deleteKeys(client: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await client.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** `describe` when Redis answers; otherwise skipped with the reason (a failure under CI=true). */
export function describeWithRedis(name: string, fn: () => void): void {
  const label = `${name} [redis]`;
  if (redisAvailable) {
    describe(label, fn);
    return;
  }
  if (process.env.CI === 'true') {
    describe(label, () => {
      throw new Error(`Redis is required under CI=true but ${REDIS_URL} is unreachable: ${redisProblem}`);
    });
    return;
  }
  console.warn(`[skipped] ${label}: Redis unreachable at ${REDIS_URL} (${redisProblem})`);
  describe.skip(`${label} (skipped: Redis unreachable: ${redisProblem})`, () => {
    it.skip(`needs Redis at ${REDIS_URL}`, () => {});
  });
}
