/**
 * gcraStep's integer division (Math.floor of a quotient instead of `%`) against the algorithm
 * written in BigInt, where nothing can round: same decision, counts and new state for inputs at
 * the bounds (limit 1e6, window 7 days, epoch times of this century) and for random ones.
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_LIMIT,
  MAX_WINDOW_MS,
  gcraStep,
  newBucketDecision,
  type BucketDecision,
  type GcraState,
} from '../../../src/core/ratelimit/gcra.js';

interface Ref extends BucketDecision {
  tatMs: number;
  tatRem: number;
}

function reference(st: GcraState, limit: number, windowMs: number, cost: number, nowMs: number): Ref {
  const L = BigInt(limit);
  const W = BigInt(windowMs);
  const now = BigInt(nowMs);
  let ms = BigInt(st.tatMs);
  let rem = BigInt(st.tatRem);
  if (ms < now) {
    ms = now;
    rem = 0n;
  }
  const total = rem + BigInt(cost) * W;
  const newRem = total % L;
  const newMs = ms + total / L;
  const lead = newMs - W - now;
  const allowed = lead < 0n || (lead === 0n && newRem === 0n);
  const [cMs, cRem] = allowed ? [newMs, newRem] : [ms, rem];
  const ahead = cMs - now;
  const scaled = ahead * L + cRem;
  const count = scaled / W + (scaled % W > 0n ? 1n : 0n);
  return {
    allowed,
    count: Number(count),
    remaining: Number(L - count),
    resetMs: Number(ahead + (cRem > 0n ? 1n : 0n)),
    retryAfterMs: allowed ? 0 : Number(lead + (newRem > 0n ? 1n : 0n)),
    tatMs: Number(allowed ? newMs : BigInt(st.tatMs)),
    tatRem: Number(allowed ? newRem : BigInt(st.tatRem)),
  };
}

function check(st: GcraState, limit: number, windowMs: number, cost: number, nowMs: number): void {
  const want = reference(st, limit, windowMs, cost, nowMs);
  const s = { ...st };
  const got = gcraStep(s, limit, windowMs, cost, nowMs, true, newBucketDecision());
  expect({ ...got, tatMs: s.tatMs, tatRem: s.tatRem }).toEqual(want);
}

/** xorshift32, so a failure is reproducible. */
function rng(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

describe('gcraStep matches exact BigInt arithmetic', () => {
  const NOW = 4_102_444_800_000; // 2100-01-01

  it('at the bounds: largest limit and window, every remainder edge', () => {
    for (const limit of [1, 2, 3, 7, 999_983, MAX_LIMIT - 1, MAX_LIMIT]) {
      for (const windowMs of [1, 999, 60_000, MAX_WINDOW_MS - 1, MAX_WINDOW_MS]) {
        for (const cost of [0, 1, Math.min(limit, 2), limit]) {
          // a fresh bucket, one exactly full, one a unit short of full, one just past empty
          const full = { tatMs: NOW + windowMs, tatRem: 0 };
          check({ tatMs: 0, tatRem: 0 }, limit, windowMs, cost, NOW);
          check(full, limit, windowMs, cost, NOW);
          check({ tatMs: NOW + windowMs - 1, tatRem: limit - 1 }, limit, windowMs, cost, NOW);
          check({ tatMs: NOW, tatRem: limit - 1 }, limit, windowMs, cost, NOW);
          check({ tatMs: NOW - 1, tatRem: limit - 1 }, limit, windowMs, cost, NOW);
        }
      }
    }
  });

  it('on 200,000 random states and requests', () => {
    const r = rng(0x9e3779b9);
    for (let i = 0; i < 200_000; i++) {
      const limit = 1 + (i % 3 === 0 ? r(MAX_LIMIT) : r(1000));
      const windowMs = 1 + (i % 5 === 0 ? r(MAX_WINDOW_MS) : r(3_600_000));
      const cost = r(limit + 1);
      const nowMs = NOW - r(1_000_000_000);
      const st = { tatMs: nowMs - windowMs + r(2 * windowMs + 1), tatRem: r(limit) };
      check(st, limit, windowMs, cost, nowMs);
    }
  });
});
