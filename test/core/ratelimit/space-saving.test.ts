import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SpaceSaving } from '../../../src/core/ratelimit/space-saving.js';
import { WindowedHeavyHitters } from '../../../src/core/ratelimit/traffic-summary.js';
import { describeWithSharedData, sharedPath } from '../../support/shared-data.js';

/** Seeded xorshift32 in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** Zipf(s) sampler over 1..n by inverse CDF. */
function zipf(n: number, s: number, random: () => number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / Math.pow(i + 1, s);
  return () => {
    const u = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
}

/** Checks the Space-Saving guarantees of `ss` against exact counts. */
function checkGuarantees(ss: SpaceSaving, exact: Map<string, number>): void {
  const N = [...exact.values()].reduce((a, b) => a + b, 0);
  expect(ss.total).toBe(N);
  const top = ss.top();
  expect(top.length).toBe(Math.min(ss.capacity, exact.size));
  expect(top.reduce((a, h) => a + h.count, 0)).toBe(N); // counts of a full summary add up to N
  for (const h of top) {
    const truth = exact.get(h.key) ?? 0;
    expect(h.count).toBeGreaterThanOrEqual(truth); // upper bound
    expect(h.count - h.error).toBeLessThanOrEqual(truth); // lower bound
    expect(h.error).toBeLessThanOrEqual(Math.floor(N / ss.capacity));
  }
  const monitored = new Set(top.map((h) => h.key));
  // Checked in a loop and asserted once: an expect per key is slow on 200k keys.
  const missed: string[] = [];
  let worstUnmonitored = 0;
  for (const [key, c] of exact) {
    if (c > N / ss.capacity && !monitored.has(key)) missed.push(`${key} (${c} > N/k)`);
    if (!monitored.has(key) && c > worstUnmonitored) worstUnmonitored = c;
  }
  expect(missed).toEqual([]);
  expect(worstUnmonitored).toBeLessThanOrEqual(ss.minCount);
  for (let i = 1; i < top.length; i++) expect(top[i - 1]!.count).toBeGreaterThanOrEqual(top[i]!.count);
}

describe('SpaceSaving', () => {
  it('is exact while it has room', () => {
    const ss = new SpaceSaving(10);
    for (const [k, n] of [
      ['a', 5],
      ['b', 3],
      ['c', 8],
    ] as const)
      for (let i = 0; i < n; i++) ss.offer(k);
    ss.offer('b', 4);
    expect(ss.top()).toEqual([
      { key: 'c', count: 8, error: 0 },
      { key: 'b', count: 7, error: 0 },
      { key: 'a', count: 5, error: 0 },
    ]);
    expect(ss.top(1)).toEqual([{ key: 'c', count: 8, error: 0 }]);
    expect(ss.estimate('a')).toEqual({ key: 'a', count: 5, error: 0 });
    expect(ss.estimate('zzz')).toBeNull();
    expect(ss.minCount).toBe(0);
  });

  it('replaces the least-counted key and carries its count as the error', () => {
    const ss = new SpaceSaving(2);
    ss.offer('a', 3);
    ss.offer('b', 1);
    ss.offer('c'); // evicts b (count 1): c gets count 2, error 1
    expect(ss.top()).toEqual([
      { key: 'a', count: 3, error: 0 },
      { key: 'c', count: 2, error: 1 },
    ]);
  });

  it.each([
    [1.2, 100, 10_000],
    [0.8, 200, 50_000],
    [1.5, 50, 5_000],
  ])('keeps its guarantees on a Zipf(%f) stream (k=%i, %i distinct keys)', (s, k, n) => {
    const next = zipf(n, s, rng(Math.round(s * 1000)));
    const ss = new SpaceSaving(k);
    const exact = new Map<string, number>();
    for (let i = 0; i < 200_000; i++) {
      const key = `ip-${next()}`;
      const w = i % 17 === 0 ? 3 : 1; // some weighted offers too
      ss.offer(key, w);
      exact.set(key, (exact.get(key) ?? 0) + w);
    }
    checkGuarantees(ss, exact);
    // the true top 10 are found, in order, on a skewed stream
    if (s >= 1.2) {
      const trueTop = [...exact]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 10)
        .map(([k2]) => k2);
      expect(ss.top(10).map((h) => h.key)).toEqual(trueTop);
    }
  });

  it('stays flat under a flood of distinct keys and still finds the heavy hitter', () => {
    const ss = new SpaceSaving(100);
    const exact = new Map<string, number>();
    for (let i = 0; i < 300_000; i++) {
      const key = i % 4 === 0 ? 'attacker' : `one-off-${i}`;
      ss.offer(key);
      exact.set(key, (exact.get(key) ?? 0) + 1);
    }
    expect(ss.size).toBe(100);
    const [first] = ss.top(1);
    expect(first!.key).toBe('attacker');
    expect(first!.count - first!.error).toBeLessThanOrEqual(75_000);
    expect(first!.count).toBeGreaterThanOrEqual(75_000);
    checkGuarantees(ss, exact);
  });

  it('clear() starts over', () => {
    const ss = new SpaceSaving(3);
    for (let i = 0; i < 10; i++) ss.offer(`k${i % 5}`);
    ss.clear();
    expect(ss.total).toBe(0);
    expect(ss.top()).toEqual([]);
    ss.offer('x', 2);
    expect(ss.top()).toEqual([{ key: 'x', count: 2, error: 0 }]);
  });

  it('refuses bad arguments', () => {
    expect(() => new SpaceSaving(0)).toThrow(/capacity/);
    const ss = new SpaceSaving(2);
    expect(() => ss.offer('a', 0)).toThrow(/^n:/);
    expect(() => ss.offer('a', Number.NaN)).toThrow(/^n:/);
  });
});

describe('WindowedHeavyHitters', () => {
  it('reports the current window and rolls the last one into previous', () => {
    const w = new WindowedHeavyHitters(10, 1000);
    for (let i = 0; i < 5; i++) w.offer('a', 10_000 + i);
    w.offer('b', 10_999);
    w.offer('c', 11_000);
    expect(w.currentTop(5, 11_500)).toMatchObject({
      window_start: 11_000,
      total: 1,
      top: [{ key: 'c', count: 1 }],
    });
    expect(w.previousTop(5, 11_500)).toMatchObject({
      window_start: 10_000,
      total: 6,
      top: [
        { key: 'a', count: 5 },
        { key: 'b', count: 1 },
      ],
    });
    // two windows later with no traffic: both empty
    expect(w.previousTop(5, 13_000)).toMatchObject({ window_start: 12_000, total: 0, top: [] });
  });
});

describeWithSharedData('heavy hitters on a real sshd log', () => {
  it('loghub OpenSSH: a 20-counter summary finds the README top IPs and users with exact bounds', () => {
    const ips = new SpaceSaving(20);
    const users = new SpaceSaving(20);
    const exactIps = new Map<string, number>();
    const exactUsers = new Map<string, number>();
    for (const line of readFileSync(sharedPath('authlogs/loghub-openssh/OpenSSH_2k.log'), 'utf8').split(
      '\n',
    )) {
      const m = /Failed password for (?:invalid user )?(.*?) from (\S+) port/.exec(line);
      if (!m) continue;
      const n = Number(/message repeated (\d+) times/.exec(line)?.[1] ?? 1);
      ips.offer(m[2]!, n);
      users.offer(m[1]!, n);
      exactIps.set(m[2]!, (exactIps.get(m[2]!) ?? 0) + n);
      exactUsers.set(m[1]!, (exactUsers.get(m[1]!) ?? 0) + n);
    }
    const top3 = ips.top(3);
    expect(top3.map((h) => h.key)).toEqual(['183.62.140.253', '187.141.143.180', '103.99.0.122']);
    // README: 286, 80, 46 — each inside [count − error, count]
    for (const [h, truth] of top3.map((h, i) => [h, [286, 80, 46][i]!] as const)) {
      expect(h.count - h.error).toBeLessThanOrEqual(truth);
      expect(h.count).toBeGreaterThanOrEqual(truth);
    }
    expect(users.top(1)[0]!.key).toBe('root');
    checkGuarantees(ips, exactIps);
    checkGuarantees(users, exactUsers);
  });
});
