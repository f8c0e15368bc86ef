/**
 * The LimiterStore contract against the memory store and Redis, plus what only Redis must show:
 * one round trip per decision, expiry at the reset time, bans that outlive the client, and the
 * same answers as the memory store on a random sequence of operations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import {
  RedisLimiterStore,
  createLimiterRedis,
  waitForRedisReady,
} from '../../src/adapters/redis/limiter-store.js';
import { MemoryLimiterStore } from '../../src/core/ratelimit/memory-store.js';
import { REDIS_URL, deleteKeys, describeWithRedis, uniquePrefix } from '../support/redis.js';
import { limiterSemantics, lockPolicy } from './limiter-semantics.js';
import { limiterStoreContract } from './limiter-store.contract.js';

const T0 = 1_700_000_000_000;

describe('LimiterStore semantics [memory]', () => {
  limiterSemantics(async () => new MemoryLimiterStore());
});

describeWithRedis('LimiterStore semantics', () => {
  let client: Redis;
  const prefix = uniquePrefix('limiter');
  let n = 0;
  beforeAll(async () => {
    client = createLimiterRedis(REDIS_URL);
    await waitForRedisReady(client);
  });
  afterAll(async () => {
    await deleteKeys(client, prefix);
    await client.quit();
  });

  limiterSemantics(async () => new RedisLimiterStore(client, { keyPrefix: `${prefix}${n++}:` }));

  // The project-wide contract (memory and SQL run it in limiter-store.test.ts): reopen = a new connection.
  limiterStoreContract('redis', async () => {
    const keyPrefix = `${prefix}c${n++}:`;
    let own = createLimiterRedis(REDIS_URL, { commandTimeoutMs: 5000 });
    await waitForRedisReady(own);
    return {
      store: new RedisLimiterStore(own, { keyPrefix }),
      reopen: async () => {
        await own.quit();
        own = createLimiterRedis(REDIS_URL, { commandTimeoutMs: 5000 });
        await waitForRedisReady(own);
        return new RedisLimiterStore(own, { keyPrefix });
      },
      close: async () => {
        await own.quit();
      },
    };
  });

  it('makes exactly one round trip per decision (checkAndConsume with locks and two buckets)', async () => {
    const store = new RedisLimiterStore(client, { keyPrefix: `${prefix}rt:` });
    await store.checkAndConsume(['lock:ip:a'], [{ key: 'warm', limit: 1, windowMs: 1 }], T0); // loads the script
    let sent = 0;
    const original = client.sendCommand.bind(client);
    client.sendCommand = ((cmd: Parameters<Redis['sendCommand']>[0]) => {
      sent++;
      return original(cmd);
    }) as Redis['sendCommand'];
    try {
      for (let i = 0; i < 10; i++) {
        await store.checkAndConsume(
          ['lock:ip:a', 'lock:user:u', 'lock:user_ip:a|u'],
          [
            { key: 'rl:ip:a', limit: 100, windowMs: 60_000 },
            { key: 'rl:sender:s', limit: 100, windowMs: 60_000 },
          ],
          T0 + i,
        );
      }
    } finally {
      client.sendCommand = original;
    }
    expect(sent).toBe(10);
  });

  it('sets the key to expire at the reset time, and stores nothing for a read or a refusal', async () => {
    const store = new RedisLimiterStore(client, { keyPrefix: `${prefix}ttl:` });
    const d = await store.consume('k', 10, 60_000, 3, Date.now());
    const pttl = await client.pttl(`${prefix}ttl:k`);
    expect(pttl).toBeGreaterThan(d.resetMs - 1000);
    expect(pttl).toBeLessThanOrEqual(d.resetMs);
    await store.consume('read', 10, 60_000, 0, T0);
    expect(await client.exists(`${prefix}ttl:read`)).toBe(0);
  });

  it('a ban outlives the client that recorded it (absolute expiry, new connection)', async () => {
    const keyPrefix = `${prefix}restart:`;
    const now = Date.now();
    const first = createLimiterRedis(REDIS_URL);
    await waitForRedisReady(first);
    const a = new RedisLimiterStore(first, { keyPrefix });
    for (let i = 0; i < 3; i++) await a.recordFailure('lock:ip:203.0.113.9', lockPolicy, now + i);
    await first.quit();
    const second = createLimiterRedis(REDIS_URL);
    await waitForRedisReady(second);
    try {
      const b = new RedisLimiterStore(second, { keyPrefix });
      expect(await b.isLocked('lock:ip:203.0.113.9', now + 10)).toMatchObject({
        locked: true,
        until: now + 2 + lockPolicy.banMs,
        level: 1,
      });
      const ttl = await second.pttl(`${keyPrefix}lock:ip:203.0.113.9`);
      // kept until the escalation level may be forgotten: ban end + forgetAfter
      expect(ttl).toBeGreaterThan(lockPolicy.banMs + lockPolicy.forgetAfterMs - 5000);
    } finally {
      await second.quit();
    }
  });

  it('keeps the bucket text "<tatMs>:<tatRem>" (read by instances of any version) and its expiry', async () => {
    const keyPrefix = `${prefix}fmt:`;
    const store = new RedisLimiterStore(client, { keyPrefix });
    // 3 per second: T = 333.33… ms, so the TAT is T0 + 333 ms and 1/3 ms
    await store.consume('a', 3, 1000, 1, T0);
    expect(await client.get(`${keyPrefix}a`)).toBe(`${T0 + 333}:1`);
    const ttl = await client.pttl(`${keyPrefix}a`);
    expect(ttl).toBeGreaterThan(300);
    expect(ttl).toBeLessThanOrEqual(334);
    // epoch times from 1e14 on (Lua's own number text would switch to exponents there)
    const far = 2 ** 52 + 7;
    const memory = new MemoryLimiterStore();
    for (let t = far; t < far + 1000; t += 97) {
      expect(await store.consume('b', 7, 1000, 2, t)).toEqual(await memory.consume('b', 7, 1000, 2, t));
    }
    expect(await client.get(`${keyPrefix}b`)).toMatch(/^\d{16}:\d$/);
  });

  it('answers exactly as the memory store on 3,000 random operations (batches, single buckets, lockouts)', async () => {
    const redis = new RedisLimiterStore(client, { keyPrefix: `${prefix}diff:` });
    const memory = new MemoryLimiterStore();
    let seed = 42; // xorshift32: deterministic, and its low bits are usable
    const rnd = (k: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % k;
    };
    // short bans, so that buckets are reached as often as locks
    const policy = {
      ...lockPolicy,
      findTimeMs: 10_000,
      banMs: 3000,
      maxBanMs: 20_000,
      forgetAfterMs: 30_000,
    };
    const limits = [1, 3, 7, 10];
    const windows = [1000, 999, 60_000];
    let now = T0;
    const seen = { allowed: 0, refused: 0, locked: 0 };
    for (let i = 0; i < 3000; i++) {
      now += rnd(rnd(8) === 0 ? 5000 : 300);
      const op = rnd(10);
      const key = `k${rnd(4)}`;
      if (op < 2) {
        // the single-bucket script (`consume`), on the same keys as the batches
        const limit = limits[rnd(limits.length)]!;
        const args = [`${key}-0`, limit, windows[rnd(windows.length)]!, rnd(limit + 1), now] as const;
        expect(await redis.consume(...args), `op ${i}`).toEqual(await memory.consume(...args));
      } else if (op < 8) {
        const n = 1 + rnd(2);
        const reqs = Array.from({ length: n }, (_, j) => {
          const limit = limits[rnd(limits.length)]!;
          return { key: `${key}-${j}`, limit, windowMs: windows[rnd(windows.length)]!, cost: rnd(limit + 1) };
        });
        const locks = rnd(2) === 0 ? [`lock:${key}`] : [];
        const [m, r] = [
          await memory.checkAndConsume(locks, reqs, now),
          await redis.checkAndConsume(locks, reqs, now),
        ];
        expect(r, `op ${i}`).toEqual(m);
        if (m.buckets === null) seen.locked++;
        else if (m.buckets.every((d) => d.allowed)) seen.allowed++;
        else seen.refused++;
      } else if (op < 9 || rnd(2) === 0) {
        expect(await redis.recordFailure(`lock:${key}`, policy, now), `op ${i}`).toEqual(
          await memory.recordFailure(`lock:${key}`, policy, now),
        );
      } else {
        await Promise.all([memory.clear(`lock:${key}`), redis.clear(`lock:${key}`)]);
      }
    }
    // the sequence exercises every branch, not just the happy path
    expect(seen.allowed).toBeGreaterThan(100);
    expect(seen.refused).toBeGreaterThan(100);
    expect(seen.locked).toBeGreaterThan(20);
  });
});
