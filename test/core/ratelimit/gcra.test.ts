import { describe, expect, it } from 'vitest';
import { isBulwarkError } from '../../../src/core/errors.js';
import { gcraStep, newBucketDecision, type GcraState } from '../../../src/core/ratelimit/gcra.js';
import { MemoryLimiterStore } from '../../../src/core/ratelimit/memory-store.js';

const T0 = 1_700_000_000_000;

describe('GCRA exactness', () => {
  it.each([1, 7, 60, 120, 997])(
    'lets exactly L=%i of 10,000 simultaneous requests through',
    async (limit) => {
      const store = new MemoryLimiterStore();
      const results = await Promise.all(
        Array.from({ length: 10_000 }, () => store.consume('k', limit, 60_000, 1, T0)),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(limit);
      // The allowed ones are the first L, and each reports the count it brought the bucket to.
      expect(results.slice(0, limit).every((r) => r.allowed)).toBe(true);
      expect(results[limit - 1]).toMatchObject({
        allowed: true,
        count: limit,
        remaining: 0,
        resetMs: 60_000,
      });
      expect(results[limit]).toMatchObject({ allowed: false, count: limit, remaining: 0 });
    },
  );

  it('stays exact when window/limit is not an integer (no float drift over a long run)', () => {
    // 7 per second: T = 142.857… ms. Over one hour of requests every millisecond, exactly
    // 7 (burst) + floor(3_600_000 · 7 / 1000) pass.
    const store = new MemoryLimiterStore();
    let allowed = 0;
    for (let t = 0; t < 3_600_000; t++) if (store.tryConsume('k', 7, 1000, 1, T0 + t) === 0) allowed++;
    expect(allowed).toBe(7 + Math.floor(((3_600_000 - 1) * 7) / 1000));
  });

  it('charges a cost in units of requests', () => {
    const store = new MemoryLimiterStore();
    expect(store.consumeSync('k', 10, 1000, 4, T0)).toMatchObject({ allowed: true, count: 4, remaining: 6 });
    expect(store.consumeSync('k', 10, 1000, 6, T0)).toMatchObject({ allowed: true, count: 10, remaining: 0 });
    expect(store.consumeSync('k', 10, 1000, 1, T0).allowed).toBe(false);
    // cost 0 reads without charging
    expect(store.consumeSync('k', 10, 1000, 0, T0 + 500)).toMatchObject({
      allowed: true,
      count: 5,
      remaining: 5,
      resetMs: 500,
    });
  });
});

describe('no fixed-window double burst', () => {
  it('a full burst just before a minute boundary leaves no second burst just after it', () => {
    const store = new MemoryLimiterStore();
    const minute = 60_000;
    const boundary = Math.ceil(T0 / minute) * minute;
    let before = 0;
    for (let i = 0; i < 500; i++) if (store.tryConsume('k', 120, minute, 1, boundary - 1) === 0) before++;
    let after = 0;
    for (let i = 0; i < 500; i++) if (store.tryConsume('k', 120, minute, 1, boundary + 1) === 0) after++;
    expect(before).toBe(120);
    // A fixed window would allow 120 more here; GCRA has refilled 2 ms × 120/60 s = 0.004 requests.
    expect(after).toBe(0);
    // After half a window, half the capacity is back — not more.
    let half = 0;
    for (let i = 0; i < 500; i++)
      if (store.tryConsume('k', 120, minute, 1, boundary - 1 + 30_000) === 0) half++;
    expect(half).toBe(60);
  });

  it('never admits more than L + floor(t·L/W) in any interval of length t (random arrivals)', () => {
    const store = new MemoryLimiterStore();
    const L = 20;
    const W = 10_000;
    let seed = 12345;
    const times: number[] = [];
    let t = T0;
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      t += seed % 37; // bursty: many requests in the same millisecond, some gaps
      if (store.tryConsume('k', L, W, 1, t) === 0) times.push(t);
    }
    // Sliding check over every pair of admitted requests (two-pointer).
    for (const span of [0, 1, 499, 5_000, 9_999, 10_000, 25_000]) {
      let j = 0;
      for (let i = 0; i < times.length; i++) {
        while (times[i]! - times[j]! > span) j++;
        expect(i - j + 1).toBeLessThanOrEqual(L + Math.floor((span * L) / W));
      }
    }
    // ~360 s of traffic at 2 per second plus the first burst: the limiter was saturated throughout.
    expect(times.length).toBe(L + Math.floor(((times.at(-1)! - times[0]!) * L) / W));
  });
});

describe('retry-after', () => {
  it('is the exact wait: one millisecond earlier is still refused, at the time it passes', () => {
    for (const [limit, windowMs] of [
      [120, 60_000],
      [7, 1000],
      [3, 10],
      [1, 1],
    ] as const) {
      const store = new MemoryLimiterStore();
      for (let i = 0; i < limit; i++) store.tryConsume('k', limit, windowMs, 1, T0);
      const refused = store.consumeSync('k', limit, windowMs, 1, T0);
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterMs).toBe(Math.ceil(windowMs / limit));
      // a refusal charges nothing, so asking again does not push the time out
      expect(store.consumeSync('k', limit, windowMs, 1, T0).retryAfterMs).toBe(refused.retryAfterMs);
      expect(store.consumeSync('k', limit, windowMs, 1, T0 + refused.retryAfterMs - 1).allowed).toBe(false);
      expect(store.consumeSync('k', limit, windowMs, 1, T0 + refused.retryAfterMs).allowed).toBe(true);
    }
  });

  it('for a cost c waits until c units are back', () => {
    const store = new MemoryLimiterStore();
    store.tryConsume('k', 10, 1000, 10, T0);
    const r = store.consumeSync('k', 10, 1000, 5, T0 + 100);
    expect(r).toMatchObject({ allowed: false, retryAfterMs: 400, count: 9, remaining: 1 });
    expect(store.consumeSync('k', 10, 1000, 5, T0 + 500).allowed).toBe(true);
  });

  it('resetMs is when the bucket is empty again', () => {
    const store = new MemoryLimiterStore();
    store.tryConsume('k', 4, 1000, 3, T0);
    const r = store.consumeSync('k', 4, 1000, 0, T0 + 100);
    expect(r).toMatchObject({ count: 3, remaining: 1, resetMs: 650 });
    expect(store.consumeSync('k', 4, 1000, 0, T0 + 750)).toMatchObject({
      count: 0,
      remaining: 4,
      resetMs: 0,
    });
  });
});

describe('gcraStep (the arithmetic every store shares)', () => {
  it('does not write state when refused or when commit is false', () => {
    const st: GcraState = { tatMs: 0, tatRem: 0 };
    const out = newBucketDecision();
    gcraStep(st, 3, 1000, 1, T0, false, out);
    expect(out.allowed).toBe(true);
    expect(st).toEqual({ tatMs: 0, tatRem: 0 });
    gcraStep(st, 3, 1000, 3, T0, true, out);
    expect(st).toEqual({ tatMs: T0 + 1000, tatRem: 0 });
    gcraStep(st, 3, 1000, 1, T0, true, out);
    expect(out.allowed).toBe(false);
    expect(st).toEqual({ tatMs: T0 + 1000, tatRem: 0 });
    // T = 333 + 1/3 ms: the remainder is kept in thirds of a millisecond
    const s2: GcraState = { tatMs: 0, tatRem: 0 };
    gcraStep(s2, 3, 1000, 1, T0, true, out);
    expect(s2).toEqual({ tatMs: T0 + 333, tatRem: 1 });
    expect(out.resetMs).toBe(334);
  });
});

describe('argument validation', () => {
  const store = new MemoryLimiterStore();
  it.each([
    ['limit', () => store.consumeSync('k', 0, 1000, 1, T0)],
    ['limit', () => store.consumeSync('k', -5, 1000, 1, T0)],
    ['limit', () => store.consumeSync('k', Number.NaN, 1000, 1, T0)],
    ['limit', () => store.consumeSync('k', 1.5, 1000, 1, T0)],
    ['windowMs', () => store.consumeSync('k', 5, 0, 1, T0)],
    ['windowMs', () => store.consumeSync('k', 5, Number.POSITIVE_INFINITY, 1, T0)],
    ['cost', () => store.consumeSync('k', 5, 1000, 6, T0)],
    ['cost', () => store.consumeSync('k', 5, 1000, -1, T0)],
    ['nowMs', () => store.consumeSync('k', 5, 1000, 1, Number.NaN)],
    ['key', () => store.consumeSync('', 5, 1000, 1, T0)],
  ])('refuses a bad %s with a validation error naming it', (field, call) => {
    try {
      call();
      expect.unreachable();
    } catch (e) {
      expect(isBulwarkError(e) && e.code).toBe('validation_failed');
      expect(isBulwarkError(e) && e.field).toBe(field);
    }
  });

  it('rejects (not throws) through the async port', async () => {
    await expect(store.consume('k', 0, 1000, 1, T0)).rejects.toMatchObject({
      code: 'validation_failed',
      field: 'limit',
    });
  });
});
