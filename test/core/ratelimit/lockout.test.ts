import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { banLength, type LockoutPolicy } from '../../../src/core/ratelimit/lockout.js';
import { MemoryLimiterStore } from '../../../src/core/ratelimit/memory-store.js';
import { describeWithSharedData, sharedPath } from '../../support/shared-data.js';

const T0 = 1_700_000_000_000;
const MIN = 60_000;
const HOUR = 60 * MIN;

const policy: LockoutPolicy = {
  maxFailures: 5,
  findTimeMs: 10 * MIN,
  banMs: 10 * MIN,
  banMultiplier: 2,
  maxBanMs: 24 * HOUR,
  forgetAfterMs: 24 * HOUR,
  clearOnSuccess: false,
};

describe('lockout', () => {
  it('bans at the 5th failure within 10 minutes, for 10 minutes', () => {
    const store = new MemoryLimiterStore();
    for (let i = 0; i < 4; i++) expect(store.recordFailureSync('k', policy, T0 + i * MIN).locked).toBe(false);
    expect(store.isLockedSync('k', T0 + 4 * MIN)).toMatchObject({ locked: false, failures: 4, level: 0 });
    const fifth = store.recordFailureSync('k', policy, T0 + 10 * MIN); // first and fifth exactly 10 min apart
    expect(fifth).toMatchObject({
      locked: true,
      until: T0 + 20 * MIN,
      level: 1,
      failures: 0,
      retryAfterMs: 10 * MIN,
    });
    expect(store.isLockedSync('k', T0 + 20 * MIN - 1).locked).toBe(true);
    expect(store.isLockedSync('k', T0 + 20 * MIN)).toMatchObject({ locked: false, level: 1 });
  });

  it('does not ban failures spread wider than the find window', () => {
    const store = new MemoryLimiterStore();
    // five failures span 4 × 2.6 = 10.4 minutes: never five within ten
    for (let i = 0; i < 50; i++)
      expect(store.recordFailureSync('slow', policy, T0 + i * 2.6 * MIN).locked).toBe(false);
    expect(store.isLockedSync('slow', T0 + 49 * 2.6 * MIN).failures).toBe(4);
  });

  it('doubles the ban for a repeat offender and caps it at 24 h', () => {
    const store = new MemoryLimiterStore();
    let t = T0;
    const lengths: number[] = [];
    for (let ban = 0; ban < 12; ban++) {
      let s = store.isLockedSync('k', t);
      for (let i = 0; i < 5; i++) s = store.recordFailureSync('k', policy, t);
      expect(s.locked).toBe(true);
      lengths.push(s.until! - t);
      t = s.until!; // comes straight back when the ban ends
    }
    expect(lengths.map((l) => l / MIN)).toEqual([
      10, 20, 40, 80, 160, 320, 640, 1280, 1440, 1440, 1440, 1440,
    ]);
    expect(store.isLockedSync('k', t - 1).level).toBe(12);
  });

  it('forgets the escalation level after a clean day', () => {
    const store = new MemoryLimiterStore();
    let s = store.isLockedSync('k', T0);
    for (let i = 0; i < 5; i++) s = store.recordFailureSync('k', policy, T0);
    const firstEnds = s.until!;
    for (let i = 0; i < 5; i++) s = store.recordFailureSync('k', policy, firstEnds);
    expect(s).toMatchObject({ level: 2, until: T0 + 30 * MIN });
    const later = s.until! + 24 * HOUR;
    expect(store.isLockedSync('k', later - 1).level).toBe(2);
    expect(store.isLockedSync('k', later).level).toBe(0);
    for (let i = 0; i < 5; i++) s = store.recordFailureSync('k', policy, later);
    expect(s).toMatchObject({ level: 1, until: later + 10 * MIN });
  });

  it('ignores failures while locked (refused attempts cannot extend a ban)', () => {
    const store = new MemoryLimiterStore();
    for (let i = 0; i < 5; i++) store.recordFailureSync('k', policy, T0);
    for (let i = 0; i < 100; i++)
      expect(store.recordFailureSync('k', policy, T0 + i * 1000).until).toBe(T0 + 10 * MIN);
    expect(store.isLockedSync('k', T0 + 10 * MIN)).toMatchObject({ locked: false, failures: 0 });
  });

  it('clear() forgets failures but not the lock or level; unlock() forgets everything', async () => {
    const store = new MemoryLimiterStore();
    for (let i = 0; i < 4; i++) await store.recordFailure('a', policy, T0);
    await store.clear('a');
    expect((await store.recordFailure('a', policy, T0)).locked).toBe(false); // count restarted
    for (let i = 0; i < 5; i++) await store.recordFailure('b', policy, T0);
    await store.clear('b');
    expect(await store.isLocked('b', T0 + 1)).toMatchObject({ locked: true, level: 1 });
    await store.unlock('b');
    expect(await store.isLocked('b', T0 + 1)).toMatchObject({ locked: false, level: 0 });
  });

  it('keeps bans through a flood of new failing keys (bounded table)', () => {
    const store = new MemoryLimiterStore({ maxLockoutKeys: 1000 });
    for (let i = 0; i < 5; i++) store.recordFailureSync('banned', policy, T0);
    for (let i = 0; i < 100_000; i++) store.recordFailureSync(`spray-${i}`, policy, T0 + 1);
    expect(store.stats().lockouts).toBe(1000);
    expect(store.isLockedSync('banned', T0 + 2).locked).toBe(true);
  });

  it('banLength handles a multiplier of 1 and overflowing growth', () => {
    expect(banLength({ ...policy, banMultiplier: 1 }, 50)).toBe(10 * MIN);
    expect(banLength(policy, 5000)).toBe(24 * HOUR);
  });
});

/** fail2ban durations: "10m", "1d", "600" (seconds). */
function f2bDuration(v: string): number {
  const m = /^(\d+)\s*([smhdw]?)$/.exec(v.trim())!;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2] as '' | 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit * 1000;
}

describeWithSharedData('lockout on real data', () => {
  const jail = readFileSync(sharedPath('authlogs/fail2ban/config/jail.conf'), 'utf8');
  const start = jail.indexOf('\n[DEFAULT]');
  const next = /^\[[a-z][^\]]*\]\s*$/m.exec(jail.slice(start + 11))!;
  const defaults = jail.slice(start, start + 11 + next.index);
  const setting = (name: string): string => new RegExp(`^${name}\\s*=\\s*(\\S+)`, 'm').exec(defaults)![1]!;
  const jailPolicy: LockoutPolicy = {
    ...policy,
    maxFailures: Number(setting('maxretry')),
    findTimeMs: f2bDuration(setting('findtime')),
    banMs: f2bDuration(setting('bantime')),
  };

  /** `Failed password` events of the loghub OpenSSH sample, in order, optionally expanding "message repeated N times". */
  function failures(expand: boolean): Array<{ ip: string; user: string; t: number }> {
    const out: Array<{ ip: string; user: string; t: number }> = [];
    for (const line of readFileSync(sharedPath('authlogs/loghub-openssh/OpenSSH_2k.log'), 'utf8').split(
      '\n',
    )) {
      const m = /Failed password for (?:invalid user )?(.*?) from (\S+) port/.exec(line);
      if (!m) continue;
      const t = Date.parse(`2005 ${line.slice(0, 15)} UTC`);
      const n = expand ? Number(/message repeated (\d+) times/.exec(line)?.[1] ?? 1) : 1;
      for (let i = 0; i < n; i++) out.push({ ip: m[2]!, user: m[1]!, t });
    }
    return out;
  }

  function bannedIps(events: Array<{ ip: string; t: number }>): Set<string> {
    const store = new MemoryLimiterStore();
    const banned = new Set<string>();
    for (const e of events)
      if (store.recordFailureSync(`ip:${e.ip}`, jailPolicy, e.t).locked) banned.add(e.ip);
    return banned;
  }

  it('reads fail2ban jail defaults: 5 failures in 10 minutes, 10-minute ban', () => {
    expect([jailPolicy.maxFailures, jailPolicy.findTimeMs, jailPolicy.banMs]).toEqual([
      5,
      10 * MIN,
      10 * MIN,
    ]);
  });

  it('loghub OpenSSH: one event per line bans 9 of the 23 IPs (the README count)', () => {
    const events = failures(false);
    expect(events).toHaveLength(520);
    expect(new Set(events.map((e) => e.ip)).size).toBe(23);
    const banned = bannedIps(events);
    expect(banned.size).toBe(9);
    expect(banned).toContain('183.62.140.253');
    expect(banned).toContain('187.141.143.180');
    expect(banned).toContain('103.99.0.122');
  });

  it('loghub OpenSSH: expanding "message repeated 5 times" also bans the two IPs it hides', () => {
    const events = failures(true);
    expect(events).toHaveLength(528);
    const banned = bannedIps(events);
    const perLine = bannedIps(failures(false));
    expect(banned.size).toBe(11);
    expect([...banned].filter((ip) => !perLine.has(ip)).sort()).toEqual(['106.5.5.195', '5.36.59.76']);
  });

  it('loghub OpenSSH: the heaviest attacker is locked out for most of its burst', () => {
    const store = new MemoryLimiterStore();
    let refused = 0;
    let firstBanAt = -1;
    const own = failures(true).filter((e) => e.ip === '183.62.140.253');
    own.forEach((e, i) => {
      if (store.isLockedSync(`ip:${e.ip}`, e.t).locked) refused++;
      else if (store.recordFailureSync(`ip:${e.ip}`, jailPolicy, e.t).locked && firstBanAt === -1)
        firstBanAt = i;
    });
    expect(own).toHaveLength(286);
    expect(firstBanAt).toBe(4); // banned at its 5th failure
    // 279 of its 286 failures fall within one 10-minute span; the 10-minute ban refuses nearly all of them.
    expect(refused).toBeGreaterThan(250);
  });
});
