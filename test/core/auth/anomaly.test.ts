import { describe, expect, it } from 'vitest';
import {
  AnomalyDetector,
  classify,
  detectAnomalies,
  findingAggregate,
  type DetectorAttempt,
} from '../../../src/core/auth/anomaly.js';
import { DEFAULT_ANOMALY_THRESHOLDS } from '../../../src/core/auth/anomaly-thresholds.js';
import { bannedBy } from '../../../src/core/auth/fail2ban-ban.js';
import { mulberry32 } from '../../support/prng.js';

const T0 = Date.UTC(2025, 0, 1);
const fail = (
  t: number,
  ip: string,
  user: string | null = 'root',
  reason: DetectorAttempt['failure_reason'] = 'bad_password',
): DetectorAttempt => ({
  timestamp: T0 + t,
  source_ip: ip,
  user,
  result: 'failure',
  failure_reason: reason,
});
const ok = (t: number, ip: string, user: string): DetectorAttempt => ({
  timestamp: T0 + t,
  source_ip: ip,
  user,
  result: 'success',
  failure_reason: null,
});

/** CrowdSec's bucket written the other way round, as a token bucket (golang time/rate), in ms units. */
function tokenBucketOverflows(
  times: number[],
  capacity: number,
  leakMs: number,
  blackholeMs: number,
): number[] {
  const out: number[] = [];
  let tokens = capacity * leakMs;
  let last = -Infinity;
  let blackhole = -Infinity;
  for (const t of times) {
    if (t < blackhole) continue;
    tokens = last === -Infinity ? capacity * leakMs : Math.min(capacity * leakMs, tokens + (t - last));
    last = t;
    if (tokens >= leakMs) tokens -= leakMs;
    else {
      out.push(t);
      blackhole = t + blackholeMs;
      tokens = capacity * leakMs;
      last = -Infinity;
    }
  }
  return out;
}

describe('AnomalyDetector', () => {
  it('fires brute force exactly where a token bucket with the same parameters overflows (random streams)', () => {
    const { capacity, leakMs, blackholeMs } = DEFAULT_ANOMALY_THRESHOLDS.bruteForce;
    for (let seed = 1; seed <= 40; seed++) {
      const r = mulberry32(seed);
      const times: number[] = [];
      let t = 0;
      for (let i = 0; i < 300; i++) times.push((t += Math.floor(r() * r() * 30_000)));
      const found = detectAnomalies(times.map((x) => fail(x, '192.0.2.1'))).filter(
        (f) => f.kind === 'brute_force',
      );
      expect(
        found.map((f) => f.window.end - T0),
        `seed ${seed}`,
      ).toEqual(tokenBucketOverflows(times, capacity, leakMs, blackholeMs));
      for (const f of found)
        expect(classify(findingAggregate(f), 'ip', DEFAULT_ANOMALY_THRESHOLDS)).toContain('brute_force');
    }
  });

  it('sees a distributed attack on one account: five addresses failing the same user within minutes', () => {
    const stream = [
      '198.51.100.1',
      '198.51.100.2',
      '203.0.113.9',
      '192.0.2.44',
      '198.51.100.7',
      '203.0.113.10',
    ].map((ip, i) => fail(i * 20_000, ip, 'alice'));
    const found = detectAnomalies(stream);
    expect(found.map((f) => [f.kind, f.scope, f.key, f.count, f.distinct_ips])).toEqual([
      ['distributed_account_attack', 'user', 'alice', 5, 5],
    ]);
    expect(found[0]!.attempts).toEqual([0, 1, 2, 3, 4]);
  });

  it('sees credential stuffing across many sources and users, and not when most logins succeed', () => {
    const stuffing: DetectorAttempt[] = [];
    for (let i = 0; i < 30; i++)
      stuffing.push(
        fail(i * 9_000, `203.0.113.${i % 10}`, `user${i}`, i % 3 === 0 ? 'unknown_user' : 'bad_password'),
      );
    const found = detectAnomalies(stuffing).filter((f) => f.kind === 'credential_stuffing');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      scope: 'global',
      key: '*',
      count: 20,
      distinct_ips: 10,
      distinct_users: 20,
      failure_ratio: 1,
    });
    expect(found[0]!.unknown_user_ratio).toBeCloseTo(7 / 20, 5);

    const busyMorning: DetectorAttempt[] = [];
    for (let i = 0; i < 30; i++) {
      busyMorning.push(fail(i * 9_000, `203.0.113.${i % 10}`, `user${i}`, 'unknown_user'));
      busyMorning.push(ok(i * 9_000 + 1, `198.51.100.${i}`, `staff${i}`));
    }
    expect(detectAnomalies(busyMorning).filter((f) => f.kind === 'credential_stuffing')).toEqual([]);
  });

  it('groups IPv6 sources by /64, so rotating addresses does not evade it (and by address when asked)', () => {
    const stream = [1, 2, 3, 4, 5, 6].map((n) => fail(n * 500, `2001:db8:1:2::${n.toString(16)}`));
    const found = detectAnomalies(stream).filter((f) => f.kind === 'brute_force');
    expect(found.map((f) => [f.scope, f.key, f.count, f.ips.length])).toEqual([
      ['ip_range', '2001:db8:1:2::/64', 6, 6],
    ]);
    expect(detectAnomalies(stream).map((f) => f.kind)).toEqual(['brute_force']);
    // Keyed per address instead, no source is a brute force; the account sees many sources.
    expect(detectAnomalies(stream, { ipv6PrefixLength: 128 }).map((f) => [f.kind, f.key, f.count])).toEqual([
      ['distributed_account_attack', 'root', 5],
    ]);
  });

  it('catches a bot that tries three passwords per connection every quarter hour (slow brute force)', () => {
    const stream: DetectorAttempt[] = [];
    for (let c = 0; c < 3; c++)
      for (let k = 0; k < 3; k++) stream.push(fail(c * 15 * 60_000 + k * 2_000, '192.0.2.99'));
    const found = detectAnomalies(stream);
    expect(found.map((f) => [f.kind, f.key, f.count])).toEqual([['slow_brute_force', '192.0.2.99', 4]]);
    expect(found[0]!.span_ms).toBe(15 * 60_000);
  });

  it('a success cancels the time-based rule', () => {
    const spaced = (ip: string) => [0, 20, 40, 60].map((m) => fail(m * 60_000, ip, `u${m}`));
    expect(
      detectAnomalies(spaced('192.0.2.5'))
        .map((f) => f.kind)
        .sort(),
    ).toEqual(['slow_brute_force', 'slow_password_spraying']);
    const withSuccess = spaced('192.0.2.6');
    withSuccess.splice(3, 0, ok(50 * 60_000, '192.0.2.6', 'u0'));
    expect(detectAnomalies(withSuccess)).toEqual([]);
  });

  it('answers findings(since, until) by window overlap, and uses attempt ids when given', () => {
    const d = new AnomalyDetector();
    for (let i = 0; i < 6; i++) d.observe({ ...fail(i * 100, '192.0.2.1'), id: `a${i}` });
    for (let i = 0; i < 6; i++) d.observe({ ...fail(3_600_000 + i * 100, '192.0.2.2'), id: `b${i}` });
    expect(d.findings().map((f) => f.key)).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(d.findings(T0 + 1_000_000).map((f) => f.attempts[0])).toEqual(['b0']);
    expect(d.findings(undefined, T0 + 1_000).map((f) => f.key)).toEqual(['192.0.2.1']);
  });

  it('keeps memory bounded: idle keys are dropped, and never more than maxKeys', () => {
    const d = new AnomalyDetector({}, { maxKeys: 500 });
    for (let i = 0; i < 20_000; i++) {
      d.observe(fail(i * 1_000, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, `user${i % 3000}`));
      if (i % 250 === 0) expect(d.trackedKeys).toBeLessThanOrEqual(1_000);
    }
    // One failure a second, each from a new address: a source stays tracked until its slow bucket
    // drains (3 h), so here the cap is what bounds the table.
    expect(d.trackedKeys).toBeLessThanOrEqual(1_000);
    // Four quiet hours later, one busy source: the sweep drops everything that went idle.
    for (let i = 0; i < 1_024; i++) d.observe(ok(20_000_000 + 4 * 3_600_000 + i, '192.0.2.200', 'carol'));
    expect(d.trackedKeys).toBeLessThanOrEqual(2);
  });
});

describe('bannedBy (fail2ban jail rule)', () => {
  it('bans at maxRetry failures within findtime, ignores the banned address meanwhile, then counts afresh', () => {
    const stream = [0, 60, 120, 180, 240, 300, 900, 1200, 1260, 1320, 1380, 1440].map((s) => ({
      timestamp: s * 1000,
      source_ip: '192.0.2.1',
      result: 'failure',
    }));
    const bans = bannedBy(stream, { maxRetry: 5, findTimeMs: 600_000 });
    expect(bans).toEqual([
      { ip: '192.0.2.1', banned_at: 240_000, first_failure: 0 },
      { ip: '192.0.2.1', banned_at: 1_380_000, first_failure: 900_000 },
    ]);
    // Failures older than findtime do not count: five spread over more than ten minutes.
    const slow = [0, 200, 400, 600, 800].map((s) => ({
      timestamp: s * 1000,
      source_ip: '192.0.2.2',
      result: 'failure',
    }));
    expect(bannedBy(slow, { maxRetry: 5, findTimeMs: 600_000 })).toEqual([]);
  });
});
