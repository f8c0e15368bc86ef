/**
 * LimiterStore semantics every implementation must have (memory, Redis; SQL joins through the
 * same function). Shared assertions, run by limiter-store-redis.test.ts against each store.
 */
import { beforeEach, expect, it } from 'vitest';
import type { LockoutPolicy } from '../../src/core/ratelimit/lockout.js';
import type { LimiterStore } from '../../src/core/ratelimit/ports.js';

const T0 = 1_700_000_000_000;
const MIN = 60_000;

export const lockPolicy: LockoutPolicy = {
  maxFailures: 3,
  findTimeMs: 10 * MIN,
  banMs: 10 * MIN,
  banMultiplier: 2,
  maxBanMs: 35 * MIN,
  forgetAfterMs: 60 * MIN,
  clearOnSuccess: true,
};

/** Declares the shared tests. `fresh()` gives an empty store (its keys unique to the test). */
export function limiterSemantics(fresh: () => Promise<LimiterStore>): void {
  let store: LimiterStore;
  beforeEach(async () => {
    store = await fresh();
  });

  it('a burst of exactly `limit` passes, the next is refused with the exact retry-after', async () => {
    for (let i = 0; i < 7; i++) expect((await store.consume('k', 7, 1000, 1, T0)).allowed).toBe(true);
    const d = await store.consume('k', 7, 1000, 1, T0);
    // T = 1000/7 ms; the 8th fits once one emission interval has passed: ceil(142.857…) = 143
    expect(d).toEqual({ allowed: false, count: 7, remaining: 0, resetMs: 1000, retryAfterMs: 143 });
    expect((await store.consume('k', 7, 1000, 1, T0 + 142)).allowed).toBe(false);
    expect((await store.consume('k', 7, 1000, 1, T0 + 143)).allowed).toBe(true);
  });

  it('reports count, remaining and reset in exact integers (window not a multiple of the limit)', async () => {
    const a = await store.consume('k', 3, 1000, 1, T0);
    expect(a).toEqual({ allowed: true, count: 1, remaining: 2, resetMs: 334, retryAfterMs: 0 });
    const b = await store.consume('k', 3, 1000, 2, T0 + 100);
    expect(b).toEqual({ allowed: true, count: 3, remaining: 0, resetMs: 900, retryAfterMs: 0 });
    // 3 × 333.33 ms over 3000 requests never drifts: after the window everything has drained
    const c = await store.consume('k', 3, 1000, 0, T0 + 1001);
    expect(c).toEqual({ allowed: true, count: 0, remaining: 3, resetMs: 0, retryAfterMs: 0 });
  });

  it('steady rate over many emission intervals stays exact (no float drift)', async () => {
    let allowed = 0;
    // limit 3 per 1000 ms, one attempt every 1 ms for 3 s: the burst of 3, then one at each
    // ceil(k·333.33…) ms, k = 1..9 — the 9th exactly at 3000
    for (let t = 0; t <= 3000; t++) if ((await store.consume('drift', 3, 1000, 1, T0 + t)).allowed) allowed++;
    expect(allowed).toBe(3 + 9);
  });

  it('cost 0 reads a bucket without charging it', async () => {
    await store.consume('k', 5, 1000, 2, T0);
    expect((await store.consume('k', 5, 1000, 0, T0)).count).toBe(2);
    expect((await store.consume('k', 5, 1000, 0, T0)).count).toBe(2);
  });

  it('consumeMany is all-or-nothing', async () => {
    await store.consume('sender', 2, 1000, 2, T0);
    const reqs = [
      { key: 'ip', limit: 3, windowMs: 1000 },
      { key: 'sender', limit: 2, windowMs: 1000 },
    ];
    const r = await store.consumeMany(reqs, T0);
    expect(r[0]).toEqual({ allowed: true, count: 0, remaining: 3, resetMs: 0, retryAfterMs: 0 });
    expect(r[1]).toEqual({ allowed: false, count: 2, remaining: 0, resetMs: 1000, retryAfterMs: 500 });
    expect((await store.consume('ip', 3, 1000, 0, T0)).count).toBe(0);
    const ok = await store.consumeMany(reqs, T0 + 500);
    expect(ok.map((d) => d.allowed)).toEqual([true, true]);
    expect((await store.consume('ip', 3, 1000, 0, T0 + 500)).count).toBe(1);
  });

  it('refuses bad arguments naming the field, and duplicate keys in one call', async () => {
    await expect(store.consume('', 5, 1000, 1, T0)).rejects.toThrow(/key/);
    await expect(store.consume('k', 0, 1000, 1, T0)).rejects.toThrow(/limit/);
    await expect(store.consume('k', 5, 1.5, 1, T0)).rejects.toThrow(/windowMs/);
    await expect(store.consume('k', 5, 1000, 6, T0)).rejects.toThrow(/cost/);
    await expect(store.consume('k', 5, 1000, 1, -1)).rejects.toThrow(/nowMs/);
    await expect(
      store.consumeMany(
        [
          { key: 'a', limit: 1, windowMs: 10 },
          { key: 'a', limit: 1, windowMs: 10 },
        ],
        T0,
      ),
    ).rejects.toThrow(/requests\[1\]\.key/);
  });

  it('a key reused with a smaller limit keeps its units in range', async () => {
    await store.consume('k', 7, 1000, 1, T0); // rem = 1000 mod 7 = 6
    const d = await store.consume('k', 2, 1000, 0, T0);
    expect(d.allowed).toBe(true);
    expect(d.count).toBeLessThanOrEqual(2);
  });

  it('locks after maxFailures within findTime, escalates for repeat offenders, caps the ban', async () => {
    expect(await store.recordFailure('lock:ip:a', lockPolicy, T0)).toMatchObject({
      locked: false,
      failures: 1,
    });
    await store.recordFailure('lock:ip:a', lockPolicy, T0 + 1000);
    const third = await store.recordFailure('lock:ip:a', lockPolicy, T0 + 2000);
    expect(third).toEqual({
      locked: true,
      until: T0 + 2000 + 10 * MIN,
      level: 1,
      failures: 0,
      retryAfterMs: 10 * MIN,
    });
    // failures while locked are not evidence
    expect(await store.recordFailure('lock:ip:a', lockPolicy, T0 + 3000)).toMatchObject({
      level: 1,
      failures: 0,
    });
    const t1 = T0 + 2000 + 10 * MIN;
    expect(await store.isLocked('lock:ip:a', t1)).toMatchObject({ locked: false, level: 1 });
    for (let i = 0; i < 2; i++) await store.recordFailure('lock:ip:a', lockPolicy, t1 + i);
    const second = await store.recordFailure('lock:ip:a', lockPolicy, t1 + 2);
    expect(second).toMatchObject({ locked: true, level: 2, until: t1 + 2 + 20 * MIN });
    const t2 = t1 + 2 + 20 * MIN;
    for (let i = 0; i < 2; i++) await store.recordFailure('lock:ip:a', lockPolicy, t2 + i);
    expect(await store.recordFailure('lock:ip:a', lockPolicy, t2 + 2)).toMatchObject({
      level: 3,
      until: t2 + 2 + 35 * MIN, // 40 min capped at 35
    });
  });

  it('failures spread wider than findTime do not lock', async () => {
    for (let i = 0; i < 6; i++) {
      const s = await store.recordFailure('lock:ip:slow', lockPolicy, T0 + i * 6 * MIN);
      expect(s.locked).toBe(false);
      expect(s.failures).toBe(i === 0 ? 1 : 2);
    }
  });

  it('the escalation level is forgotten after forgetAfter of clean time', async () => {
    for (let i = 0; i < 3; i++) await store.recordFailure('lock:u', lockPolicy, T0 + i);
    const end = T0 + 2 + 10 * MIN;
    expect((await store.isLocked('lock:u', end + 60 * MIN - 1)).level).toBe(1);
    expect((await store.isLocked('lock:u', end + 60 * MIN)).level).toBe(0);
    for (let i = 0; i < 3; i++) await store.recordFailure('lock:u', lockPolicy, end + 60 * MIN + i);
    expect(await store.isLocked('lock:u', end + 60 * MIN + 2)).toMatchObject({ locked: true, level: 1 });
  });

  it('clear forgets recent failures but keeps a lock and its level; unlock lifts it', async () => {
    await store.recordFailure('lock:c', lockPolicy, T0);
    await store.recordFailure('lock:c', lockPolicy, T0 + 1);
    await store.clear('lock:c');
    expect((await store.recordFailure('lock:c', lockPolicy, T0 + 2)).failures).toBe(1);
    await store.recordFailure('lock:c', lockPolicy, T0 + 3);
    expect((await store.recordFailure('lock:c', lockPolicy, T0 + 4)).locked).toBe(true);
    await store.clear('lock:c');
    expect(await store.isLocked('lock:c', T0 + 5)).toMatchObject({ locked: true, level: 1 });
    await store.unlock('lock:c');
    expect(await store.isLocked('lock:c', T0 + 5)).toEqual({
      locked: false,
      until: null,
      level: 0,
      failures: 0,
      retryAfterMs: 0,
    });
    await store.clear('lock:never-seen'); // no entry: nothing to do, no error
  });

  it('checkAndConsume: a lock refuses before any bucket is charged', async () => {
    for (let i = 0; i < 3; i++) await store.recordFailure('lock:ip:x', lockPolicy, T0);
    const reqs = [{ key: 'rl:ip:x', limit: 5, windowMs: 1000 }];
    const r = await store.checkAndConsume(['lock:ip:x', 'lock:user:y'], reqs, T0 + 1);
    expect(r.buckets).toBeNull();
    expect(r.locks[0]).toMatchObject({ locked: true, retryAfterMs: 10 * MIN - 1 });
    expect(r.locks[1]).toMatchObject({ locked: false, level: 0 });
    expect((await store.consume('rl:ip:x', 5, 1000, 0, T0 + 1)).count).toBe(0);
    const open = await store.checkAndConsume(['lock:user:y'], reqs, T0 + 1);
    expect(open.buckets).toEqual([{ allowed: true, count: 1, remaining: 4, resetMs: 200, retryAfterMs: 0 }]);
  });
}
