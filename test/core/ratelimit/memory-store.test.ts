import { describe, expect, it } from 'vitest';
import { isBulwarkError } from '../../../src/core/errors.js';
import { MemoryLimiterStore } from '../../../src/core/ratelimit/memory-store.js';

const T0 = 1_700_000_000_000;

describe('bounded memory', () => {
  it('a flood of 200,000 distinct keys keeps the store at its cap', () => {
    const store = new MemoryLimiterStore({ maxKeys: 10_000 });
    for (let i = 0; i < 200_000; i++) {
      store.tryConsume(`rl:ip:198.51.${(i >> 8) & 255}.${i & 255}#${i}`, 120, 60_000, 1, T0 + (i >> 10));
      if ((i & 0x3fff) === 0) expect(store.stats().buckets).toBeLessThanOrEqual(10_000);
    }
    const s = store.stats();
    expect(s.buckets).toBe(10_000);
    expect(s.bucketsEvictedIdle + s.bucketsEvictedLive).toBe(190_000);
  });

  it('keeps a key that is being limited through a flood of one-shot keys', () => {
    const store = new MemoryLimiterStore({ maxKeys: 1000 });
    for (let i = 0; i < 5; i++) store.tryConsume('attacker', 5, 60_000, 1, T0);
    for (let i = 0; i < 50_000; i++) {
      store.tryConsume(`flood-${i}`, 5, 60_000, 1, T0 + 1);
      // the attacker keeps knocking now and then, which keeps its slot referenced
      if (i % 500 === 0) expect(store.tryConsume('attacker', 5, 60_000, 1, T0 + 1)).toBeGreaterThan(0);
    }
    expect(store.tryConsume('attacker', 5, 60_000, 1, T0 + 2)).toBeGreaterThan(0);
  });

  it('reclaims idle buckets first, losslessly', () => {
    const store = new MemoryLimiterStore({ maxKeys: 100 });
    for (let i = 0; i < 100; i++) store.tryConsume(`old-${i}`, 10, 1000, 1, T0);
    // 1 s later every old bucket has drained: new keys take their slots without a live eviction
    for (let i = 0; i < 100; i++) store.tryConsume(`new-${i}`, 10, 1000, 1, T0 + 1000);
    expect(store.stats()).toMatchObject({ buckets: 100, bucketsEvictedIdle: 100, bucketsEvictedLive: 0 });
  });

  it('does not store a key whose first request was refused or free', () => {
    const store = new MemoryLimiterStore({ maxKeys: 10 });
    store.consumeSync('peek', 5, 1000, 0, T0);
    expect(store.stats().buckets).toBe(0);
  });

  it('validates its capacity', () => {
    expect(() => new MemoryLimiterStore({ maxKeys: 0 })).toThrow(/maxKeys/);
    expect(() => new MemoryLimiterStore({ maxLockoutKeys: Number.NaN })).toThrow(/maxLockoutKeys/);
  });
});

describe('consumeMany (all-or-nothing)', () => {
  it('charges every bucket when all have room', async () => {
    const store = new MemoryLimiterStore();
    const r = await store.consumeMany(
      [
        { key: 'ip', limit: 3, windowMs: 1000 },
        { key: 'sender', limit: 2, windowMs: 1000 },
      ],
      T0,
    );
    expect(r.map((d) => [d.allowed, d.count])).toEqual([
      [true, 1],
      [true, 1],
    ]);
  });

  it('charges nothing when one bucket refuses, and reports each bucket as it stands', async () => {
    const store = new MemoryLimiterStore();
    store.tryConsume('sender', 2, 1000, 2, T0);
    const reqs = [
      { key: 'ip', limit: 3, windowMs: 1000 },
      { key: 'sender', limit: 2, windowMs: 1000 },
    ];
    const r = await store.consumeMany(reqs, T0);
    expect(r[0]).toMatchObject({ allowed: true, count: 0, remaining: 3 });
    expect(r[1]).toMatchObject({ allowed: false, count: 2, retryAfterMs: 500 });
    // the IP bucket was not charged by the refused request
    expect(store.consumeSync('ip', 3, 1000, 0, T0).count).toBe(0);
  });

  it('refuses duplicate keys in one call', () => {
    const store = new MemoryLimiterStore();
    expect(() =>
      store.consumeManySync(
        [
          { key: 'a', limit: 3, windowMs: 1000 },
          { key: 'a', limit: 3, windowMs: 1000 },
        ],
        T0,
      ),
    ).toThrow(/requests\[1\]\.key/);
  });

  it('names the bad field of a bad request', () => {
    const store = new MemoryLimiterStore();
    try {
      store.consumeManySync([{ key: 'a', limit: Number.NaN, windowMs: 1000 }], T0);
      expect.unreachable();
    } catch (e) {
      expect(isBulwarkError(e) && e.field).toBe('limit');
    }
  });

  it('checkAndConsume does not charge buckets while a key is locked', async () => {
    const store = new MemoryLimiterStore();
    const policy = {
      maxFailures: 1,
      findTimeMs: 1000,
      banMs: 5000,
      banMultiplier: 2,
      maxBanMs: 60_000,
      forgetAfterMs: 0,
      clearOnSuccess: false,
    };
    await store.recordFailure('lock:ip:1.2.3.4', policy, T0);
    const r = await store.checkAndConsume(
      ['lock:ip:1.2.3.4', 'lock:user:bob'],
      [{ key: 'ip', limit: 3, windowMs: 1000 }],
      T0 + 1,
    );
    expect(r.buckets).toBeNull();
    expect(r.locks.map((l) => l.locked)).toEqual([true, false]);
    expect(store.consumeSync('ip', 3, 1000, 0, T0 + 1).count).toBe(0);
  });
});
