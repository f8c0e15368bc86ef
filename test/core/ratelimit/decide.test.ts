import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isBulwarkError } from '../../../src/core/errors.js';
import { decide, decideSync, lockStoreKey, recordOutcome } from '../../../src/core/ratelimit/decide.js';
import { MemoryLimiterStore } from '../../../src/core/ratelimit/memory-store.js';
import { compileRateLimitPolicy } from '../../../src/core/ratelimit/policy.js';
import { TrafficSummary } from '../../../src/core/ratelimit/traffic-summary.js';
import { describeWithSharedData, sharedPath } from '../../support/shared-data.js';

const T0 = 1_700_000_000_000;
const MIN = 60_000;

describe('decide', () => {
  const policy = compileRateLimitPolicy({
    perIp: { limit: 3, windowMs: MIN },
    perSender: { limit: 2, windowMs: MIN },
    allowList: ['192.0.2.0/24'],
    denyList: ['198.51.100.66', '192.0.2.66'],
  });

  it('returns the state of every bucket consulted (the rl_bucket_state)', async () => {
    const store = new MemoryLimiterStore();
    const d = await decide({ ip: '203.0.113.5', sender: '+15550100', user: 'alice' }, policy, store, T0);
    expect(d).toEqual({
      allowed: true,
      reason: 'allowed',
      retry_after_ms: 0,
      ip_key: '203.0.113.5',
      limits: [
        {
          name: 'ip',
          key: '203.0.113.5',
          limit: 3,
          window_ms: MIN,
          count: 1,
          remaining: 2,
          reset_ms: 20_000,
          allowed: true,
        },
        {
          name: 'sender',
          key: '+15550100',
          limit: 2,
          window_ms: MIN,
          count: 1,
          remaining: 1,
          reset_ms: 30_000,
          allowed: true,
        },
      ],
      locks: [
        { name: 'ip', key: '203.0.113.5', locked: false, until: null, level: 0, failures: 0 },
        { name: 'user', key: 'alice', locked: false, until: null, level: 0, failures: 0 },
        { name: 'user_ip', key: '203.0.113.5|alice', locked: false, until: null, level: 0, failures: 0 },
      ],
    });
    expect(JSON.parse(JSON.stringify(d))).toEqual(d); // stores as JSON as is
  });

  it('limits per IP, with the retry-after of the refusing bucket', () => {
    const store = new MemoryLimiterStore();
    for (let i = 0; i < 3; i++)
      expect(decideSync({ ip: '203.0.113.5' }, policy, store, T0).allowed).toBe(true);
    const d = decideSync({ ip: '203.0.113.5' }, policy, store, T0 + 1000);
    expect(d).toMatchObject({ allowed: false, reason: 'rate_limited', retry_after_ms: 19_000 });
    expect(d.limits[0]).toMatchObject({ name: 'ip', allowed: false, remaining: 0 });
    expect(decideSync({ ip: '203.0.113.5' }, policy, store, T0 + 20_000).allowed).toBe(true);
  });

  it('limits per sender across addresses, without charging the IPs it refuses', () => {
    const store = new MemoryLimiterStore();
    expect(decideSync({ ip: '203.0.113.1', sender: 'bob@example.com' }, policy, store, T0).allowed).toBe(
      true,
    );
    expect(decideSync({ ip: '203.0.113.2', sender: 'bob@example.com' }, policy, store, T0).allowed).toBe(
      true,
    );
    const d = decideSync({ ip: '203.0.113.3', sender: 'bob@example.com' }, policy, store, T0);
    expect(d).toMatchObject({ allowed: false, reason: 'rate_limited', retry_after_ms: 30_000 });
    expect(d.limits.map((l) => [l.name, l.allowed, l.count])).toEqual([
      ['ip', true, 0],
      ['sender', false, 2],
    ]);
  });

  it('groups IPv6 clients by /64', () => {
    const store = new MemoryLimiterStore();
    const ips = ['2001:db8:1:2::1', '2001:db8:1:2:ffff::9', '2001:DB8:1:2:0:0:0:abcd'];
    for (const ip of ips) expect(decideSync({ ip }, policy, store, T0).ip_key).toBe('2001:db8:1:2::/64');
    expect(decideSync({ ip: '2001:db8:1:2::77' }, policy, store, T0).allowed).toBe(false);
    expect(decideSync({ ip: '2001:db8:1:3::1' }, policy, store, T0).allowed).toBe(true);
    const per128 = compileRateLimitPolicy({ perIp: { limit: 1 }, ipv6Prefix: 128 });
    expect(decideSync({ ip: '2001:db8:1:2::1' }, per128, store, T0).allowed).toBe(true);
    expect(decideSync({ ip: '2001:db8:1:2::2' }, per128, store, T0).allowed).toBe(true);
  });

  it('exempts the allow-list from limits, lockouts and traffic counts', async () => {
    const store = new MemoryLimiterStore();
    const traffic = new TrafficSummary({ capacity: 10 });
    for (let i = 0; i < 100; i++) {
      expect(
        decideSync({ ip: '192.0.2.10', sender: 'x', user: 'root' }, policy, store, T0, { traffic }),
      ).toMatchObject({ allowed: true, reason: 'allowlisted', limits: [] });
      expect(await recordOutcome({ ip: '192.0.2.10', user: 'root' }, 'failure', policy, store, T0)).toEqual(
        [],
      );
    }
    expect(store.stats()).toMatchObject({ buckets: 0, lockouts: 0 });
    expect(traffic.snapshotCounters(5, T0).ips.total).toBe(0);
  });

  it('refuses the deny-list outright, even when also allow-listed', () => {
    const store = new MemoryLimiterStore();
    expect(decideSync({ ip: '198.51.100.66' }, policy, store, T0)).toMatchObject({
      allowed: false,
      reason: 'denylisted',
      retry_after_ms: null,
    });
    expect(decideSync({ ip: '::ffff:192.0.2.66' }, policy, store, T0)).toMatchObject({
      allowed: false,
      reason: 'denylisted',
    });
  });

  it('locks out after failures, per IP and per (user, IP); a success clears only the latter', async () => {
    const store = new MemoryLimiterStore();
    const p = compileRateLimitPolicy({});
    const attempt = { ip: '203.0.113.7', user: 'alice' };
    let views = await recordOutcome(attempt, 'failure', p, store, T0);
    for (let i = 0; i < 3; i++) views = await recordOutcome(attempt, 'failure', p, store, T0 + i);
    expect(views.map((v) => [v.name, v.failures])).toEqual([
      ['ip', 4],
      ['user', 4],
      ['user_ip', 4],
    ]);
    await recordOutcome(attempt, 'success', p, store, T0 + 10);
    expect((await store.isLocked(lockStoreKey('user_ip', '203.0.113.7|alice'), T0 + 10)).failures).toBe(0);
    expect((await store.isLocked(lockStoreKey('user', 'alice'), T0 + 10)).failures).toBe(0);
    expect((await store.isLocked(lockStoreKey('ip', '203.0.113.7'), T0 + 10)).failures).toBe(4); // fail2ban: no reset
    views = await recordOutcome({ ip: '203.0.113.7', user: 'bob' }, 'failure', p, store, T0 + 20);
    expect(views[0]).toMatchObject({ name: 'ip', locked: true, until: T0 + 20 + 10 * MIN, level: 1 });
    const d = await decide({ ip: '203.0.113.7', user: 'carol' }, p, store, T0 + MIN);
    expect(d).toMatchObject({ allowed: false, reason: 'locked', retry_after_ms: 9 * MIN + 20, limits: [] });
    expect(d.locks.find((l) => l.name === 'ip')).toMatchObject({ locked: true, level: 1 });
    // another address is not affected
    expect((await decide({ ip: '203.0.113.8', user: 'carol' }, p, store, T0 + MIN)).allowed).toBe(true);
  });

  it('locks an account only when failures come from several addresses', async () => {
    const store = new MemoryLimiterStore();
    const p = compileRateLimitPolicy({});
    // one address: its own locks trip at 5, so it never reaches the account's 10
    for (let i = 0; i < 20; i++) {
      const d = await decide({ ip: '203.0.113.9', user: 'dave' }, p, store, T0 + i);
      if (d.allowed) await recordOutcome({ ip: '203.0.113.9', user: 'dave' }, 'failure', p, store, T0 + i);
    }
    expect((await store.isLocked(lockStoreKey('user', 'dave'), T0 + 20)).locked).toBe(false);
    // ten addresses, one failure each
    for (let i = 0; i < 10; i++)
      await recordOutcome({ ip: `198.18.0.${i}`, user: 'dave' }, 'failure', p, store, T0 + 100 + i);
    const d = await decide({ ip: '198.18.1.1', user: 'dave' }, p, store, T0 + 200);
    expect(d).toMatchObject({ allowed: false, reason: 'locked' });
    expect(d.locks.filter((l) => l.locked).map((l) => l.name)).toEqual(['user']);
  });

  it('agrees between decide (port) and decideSync (memory fast path)', async () => {
    const a = new MemoryLimiterStore();
    const b = new MemoryLimiterStore();
    for (let i = 0; i < 50; i++) {
      const attempt = { ip: `203.0.113.${i % 4}`, sender: `s${i % 3}` };
      expect(await decide(attempt, policy, a, T0 + i * 500)).toEqual(
        decideSync(attempt, policy, b, T0 + i * 500),
      );
    }
  });

  it('refuses bad input with an error naming the field', async () => {
    const store = new MemoryLimiterStore();
    const cases: Array<[() => unknown, string]> = [
      [() => decideSync({ ip: 'not-an-ip' }, policy, store, T0), 'ip'],
      [() => decideSync({ ip: '203.0.113.1', sender: 42 as unknown as string }, policy, store, T0), 'sender'],
      [() => decideSync({ ip: '203.0.113.1' }, policy, store, Number.NaN), 'nowMs'],
      [() => decideSync({ ip: '203.0.113.1', cost: 0.5 }, policy, store, T0), 'cost'],
    ];
    for (const [call, field] of cases) {
      try {
        call();
        expect.unreachable();
      } catch (e) {
        expect(isBulwarkError(e) && e.field).toBe(field);
      }
    }
    await expect(
      recordOutcome({ ip: '203.0.113.1' }, 'maybe' as 'success', policy, store, T0),
    ).rejects.toMatchObject({ field: 'outcome' });
  });

  it('feeds the heavy-hitter summary for snapshots', () => {
    const store = new MemoryLimiterStore();
    const traffic = new TrafficSummary({ capacity: 4, windowMs: MIN });
    const start = Math.floor(T0 / MIN) * MIN;
    for (let i = 0; i < 30; i++)
      decideSync({ ip: '203.0.113.1', sender: 'a' }, policy, store, start + i, { traffic });
    for (let i = 0; i < 10; i++)
      decideSync({ ip: '2001:db8:9:9::' + i.toString(16), sender: 'b' }, policy, store, start + 100 + i, {
        traffic,
      });
    const c = traffic.snapshotCounters(2, start + 200);
    expect(c.window_start).toBe(start + 200 - MIN);
    expect(c.ips.top).toEqual([
      { key: '203.0.113.1', count: 30, error: 0 },
      { key: '2001:db8:9:9::/64', count: 10, error: 0 },
    ]);
    expect(c.senders.top.map((h) => [h.key, h.count])).toEqual([
      ['a', 30],
      ['b', 10],
    ]);
    // A sliding view: just after the minute boundary the last minute's traffic is still there, and it
    // fades as the sliding window leaves the previous minute (half of it half a minute on).
    expect(traffic.snapshotCounters(2, start + MIN + 4).ips.total).toBe(40);
    expect(traffic.snapshotCounters(2, start + MIN + 4).ips.top[0]).toEqual({
      key: '203.0.113.1',
      count: 30,
      error: 0,
    });
    const half = traffic.snapshotCounters(2, start + MIN + MIN / 2);
    expect([half.ips.total, half.ips.top[0]!.count, half.senders.top[1]]).toEqual([
      20,
      15,
      { key: 'b', count: 5, error: 0 },
    ]);
    decideSync({ ip: '203.0.113.1', sender: 'a' }, policy, store, start + MIN + MIN / 2, { traffic });
    expect(traffic.snapshotCounters(2, start + MIN + MIN / 2).ips.top[0]!.count).toBe(16);
    expect(traffic.snapshotCounters(2, start + 3 * MIN).ips.total).toBe(0);
  });
});

describeWithSharedData('decide + recordOutcome replaying a real sshd log', () => {
  it('loghub OpenSSH: with default policy the attacking IPs get locked and root, attacked from many IPs, too', async () => {
    const p = compileRateLimitPolicy({});
    const store = new MemoryLimiterStore();
    const lockedIps = new Set<string>();
    const lockedUsers = new Set<string>();
    let refused = 0;
    for (const line of readFileSync(sharedPath('authlogs/loghub-openssh/OpenSSH_2k.log'), 'utf8').split(
      '\n',
    )) {
      const m = /Failed password for (?:invalid user )?(.*?) from (\S+) port/.exec(line);
      if (!m) continue;
      const t = Date.parse(`2005 ${line.slice(0, 15)} UTC`);
      const n = Number(/message repeated (\d+) times/.exec(line)?.[1] ?? 1);
      for (let i = 0; i < n; i++) {
        const attempt = { ip: m[2]!, user: m[1]! };
        const d = await decide(attempt, p, store, t);
        if (!d.allowed) {
          refused++;
          continue;
        }
        for (const v of await recordOutcome(attempt, 'failure', p, store, t)) {
          if (v.locked && v.name === 'ip') lockedIps.add(v.key);
          if (v.locked && v.name === 'user') lockedUsers.add(v.key);
        }
      }
    }
    // the same 11 IPs as the fail2ban-style count with "message repeated" expanded
    expect(lockedIps.size).toBe(11);
    expect(lockedUsers).toContain('root');
    expect(refused).toBeGreaterThan(300);
  });
});
