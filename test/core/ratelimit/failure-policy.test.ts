import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/core/ratelimit/decide.js';
import { FailurePolicyLimiterStore } from '../../../src/core/ratelimit/failure-policy.js';
import { compileRateLimitPolicy } from '../../../src/core/ratelimit/policy.js';
import { MemoryLimiterStore } from '../../../src/core/ratelimit/memory-store.js';
import type { LimiterStore } from '../../../src/core/ratelimit/ports.js';

const T0 = 1_700_000_000_000;

/** A real memory store that can be switched off, standing in for an unreachable shared store. */
function switchable(): { store: LimiterStore; down: (v: boolean) => void } {
  const inner = new MemoryLimiterStore();
  let isDown = false;
  const guard =
    <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
    (...a: A): Promise<R> =>
      isDown ? Promise.reject(new Error('ECONNREFUSED')) : f(...a);
  const store: LimiterStore = {
    consume: guard(inner.consume.bind(inner)),
    consumeMany: guard(inner.consumeMany.bind(inner)),
    checkAndConsume: guard(inner.checkAndConsume.bind(inner)),
    recordFailure: guard(inner.recordFailure.bind(inner)),
    isLocked: guard(inner.isLocked.bind(inner)),
    clear: guard(inner.clear.bind(inner)),
    unlock: guard(inner.unlock.bind(inner)),
  };
  return { store, down: (v) => (isDown = v) };
}

const req = [{ key: 'rl:ip:a', limit: 2, windowMs: 1000 }];

describe('store failure policy', () => {
  it('fail-closed (default) refuses as unavailable with the retry hint, no invented counts', async () => {
    const s = switchable();
    const store = new FailurePolicyLimiterStore(s.store, { retryAfterMs: 1500 });
    expect(store.policy).toBe('fail-closed');
    s.down(true);
    const r = await store.checkAndConsume(['lock:ip:a'], req, T0);
    expect(r).toEqual({ locks: [], buckets: null, unavailable: { retryAfterMs: 1500 } });
    // Through decide: the reason says outage, with no limits or locks that were never read.
    const d = await decide({ ip: '192.0.2.1' }, compileRateLimitPolicy({}), store, T0);
    expect(d).toEqual({
      allowed: false,
      reason: 'store_unavailable',
      retry_after_ms: 1500,
      ip_key: '192.0.2.1',
      limits: [],
      locks: [],
    });
    expect(await store.isLocked('lock:ip:a', T0)).toMatchObject({ locked: true, retryAfterMs: 1500 });
  });

  it('reports on entering the outage, throttled while it lasts, and on recovery', async () => {
    const s = switchable();
    let now = T0;
    const reports: string[] = [];
    const recovered: number[] = [];
    const store = new FailurePolicyLimiterStore(s.store, {
      reportEveryMs: 10_000,
      clock: { now: () => now },
      onStoreFailure: (err, policy) => reports.push(`${policy}: ${String(err)}`),
      onStoreRecovered: (ms) => recovered.push(ms),
    });
    s.down(true);
    for (let i = 0; i < 100; i++) await store.consumeMany(req, T0);
    expect(reports).toEqual(['fail-closed: Error: ECONNREFUSED']);
    now += 10_000;
    await store.consumeMany(req, T0);
    expect(reports).toHaveLength(2);
    expect(store.failures).toBe(101);
    s.down(false);
    now += 5000;
    expect((await store.consumeMany(req, T0))[0]!.allowed).toBe(true);
    expect(recovered).toEqual([15_000]);
    expect(store.degraded).toBe(false);
  });

  it('fail-open allows and counts nothing; fallback limits in memory', async () => {
    const s = switchable();
    const open = new FailurePolicyLimiterStore(s.store, { policy: 'fail-open' });
    const fallback = new FailurePolicyLimiterStore(s.store, { policy: 'fallback' });
    s.down(true);
    for (let i = 0; i < 5; i++) expect((await open.consume('k', 2, 1000, 1, T0)).allowed).toBe(true);
    expect((await open.isLocked('lock:x', T0)).locked).toBe(false);
    const fb = [];
    for (let i = 0; i < 3; i++) fb.push((await fallback.consume('k', 2, 1000, 1, T0)).allowed);
    expect(fb).toEqual([true, true, false]);
    const policy = {
      maxFailures: 1,
      findTimeMs: 1000,
      banMs: 1000,
      banMultiplier: 1,
      maxBanMs: 1000,
      forgetAfterMs: 0,
      clearOnSuccess: true,
    };
    expect((await fallback.recordFailure('lock:x', policy, T0)).locked).toBe(true);
    expect((await fallback.isLocked('lock:x', T0 + 1)).locked).toBe(true);
  });

  it('bad arguments are not outages: they throw, and are not counted', async () => {
    const s = switchable();
    const store = new FailurePolicyLimiterStore(s.store, { policy: 'fail-open' });
    await expect(store.consume('k', 0, 1000, 1, T0)).rejects.toThrow(/limit/);
    expect(store.failures).toBe(0);
    expect(store.degraded).toBe(false);
  });

  it('an administrator’s unlock during an outage fails loudly', async () => {
    const s = switchable();
    const store = new FailurePolicyLimiterStore(s.store);
    s.down(true);
    await expect(store.unlock('lock:user:alice')).rejects.toMatchObject({ code: 'store_unavailable' });
  });

  it('a hook that throws or rejects changes no decision and is no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const policy = compileRateLimitPolicy({});
      for (const hook of [
        () => {
          throw new Error('audit store down too');
        },
        () => Promise.reject(new Error('audit store down too')),
      ]) {
        const s = switchable();
        let now = T0;
        const store = new FailurePolicyLimiterStore(s.store, {
          policy: 'fail-open',
          clock: { now: () => now },
          onStoreFailure: hook,
          onStoreRecovered: hook,
          metrics: { failure: hook, degraded: hook },
        });
        s.down(true);
        expect((await decide({ ip: '192.0.2.1' }, policy, store, now)).reason).toBe('allowed');
        s.down(false);
        now += 5000;
        expect((await decide({ ip: '192.0.2.1' }, policy, store, now)).reason).toBe('allowed');
        expect(store.degraded).toBe(false);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('validates its options', () => {
    const s = switchable();
    expect(() => new FailurePolicyLimiterStore(s.store, { policy: 'maybe' as never })).toThrow(/policy/);
    expect(() => new FailurePolicyLimiterStore(s.store, { retryAfterMs: 0 })).toThrow(/retryAfterMs/);
  });
});
