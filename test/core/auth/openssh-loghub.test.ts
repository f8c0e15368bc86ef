/**
 * Parsing + detection on loghub's OpenSSH_2k.log (2,000 real sshd lines; facts counted from the
 * log in shared/data/README.md). The log is read through the streaming wrapper, line by line, as
 * the CLI will.
 *
 * Note on `message repeated 5 times` (two lines here): the README's counts are of *lines*, so they
 * are checked on a parse that keeps one attempt per line (expandRepeated: false, as fail2ban
 * does). Expanded, the two lines stand for 10 failures, which changes the ban count: see below.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { beforeAll, expect, it } from 'vitest';
import { detectAnomalies, type Finding } from '../../../src/core/auth/anomaly.js';
import { bannedBy } from '../../../src/core/auth/fail2ban-ban.js';
import { newStreamStats, parseLogStream, parseSshdStream } from '../../../src/core/auth/parsers/stream.js';
import { SshdParser } from '../../../src/core/auth/parsers/sshd.js';
import type { ParsedAttempt } from '../../../src/core/auth/parsers/types.js';
import { describeWithSharedData, sharedPath } from '../../support/shared-data.js';

const TEN_MIN = 10 * 60_000;

async function parseLog(expandRepeated: boolean): Promise<ParsedAttempt[]> {
  const lines = createInterface({
    input: createReadStream(sharedPath('authlogs/loghub-openssh/OpenSSH_2k.log')),
    crlfDelay: Infinity,
  });
  const out: ParsedAttempt[] = [];
  // The log has no year; 2015 is not a leap year, like every year the Dec 10 stamps could be in.
  for await (const a of parseSshdStream(lines, { year: 2015, expandRepeated })) out.push(a);
  return out;
}

const count = <T>(xs: T[], key: (x: T) => string): Map<string, number> => {
  const m = new Map<string, number>();
  for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return m;
};

/** Most timestamps inside any window [t, t + span). */
function densest(times: number[], span: number): number {
  const ts = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < ts.length; i++) {
    while (ts[j]! < ts[i]! - span + 1) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describeWithSharedData('loghub OpenSSH_2k: parsing and detection agree with the counted facts', () => {
  let lineAttempts: ParsedAttempt[];
  let expanded: ParsedAttempt[];
  let failedPassword: ParsedAttempt[];

  beforeAll(async () => {
    lineAttempts = await parseLog(false);
    expanded = await parseLog(true);
    failedPassword = lineAttempts.filter((a) => a.event === 'sshd.failed_password');
  });

  it('finds 520 Failed password lines from 23 IPs; expanding the two repeated lines adds 8', () => {
    expect(failedPassword).toHaveLength(520);
    expect(new Set(failedPassword.map((a) => a.source_ip)).size).toBe(23);
    expect(expanded.filter((a) => a.event === 'sshd.failed_password')).toHaveLength(528);
    // pam_unix reports are replaced by sshd's own line for the same try, never counted twice,
    // and reverse-DNS host names in them never become a source.
    expect(lineAttempts.filter((a) => a.event === 'sshd.pam_failure')).toEqual([]);
    expect(lineAttempts.every((a) => a.host_kind === 'ipv4')).toBe(true);
  });

  it('per-IP counts: 183.62.140.253 286 (279 in one 10 min), 187.141.143.180 80 (all in 10 min), 103.99.0.122 46 (30 in 10 min) + 35 Invalid user', () => {
    const byIp = (ip: string) => failedPassword.filter((a) => a.source_ip === ip).map((a) => a.timestamp);
    expect(byIp('183.62.140.253')).toHaveLength(286);
    expect(densest(byIp('183.62.140.253'), TEN_MIN)).toBe(279);
    expect(byIp('187.141.143.180')).toHaveLength(80);
    expect(densest(byIp('187.141.143.180'), TEN_MIN)).toBe(80);
    expect(byIp('103.99.0.122')).toHaveLength(46);
    expect(densest(byIp('103.99.0.122'), TEN_MIN)).toBe(30);
    expect(
      lineAttempts.filter((a) => a.event === 'sshd.invalid_user' && a.source_ip === '103.99.0.122'),
    ).toHaveLength(35);
  });

  it('users targeted most: root 370, admin 44; invalid user names: 57 distinct (56 without the one written " 0101")', () => {
    const users = count(failedPassword, (a) => a.user ?? '');
    expect(users.get('root')).toBe(370);
    expect(users.get('admin')).toBe(44);
    const invalidNames = new Set(
      lineAttempts.filter((a) => a.event === 'sshd.invalid_user').map((a) => a.user),
    );
    // "Invalid user  0101 from 5.188.10.180": sshd wrote the name " 0101" with a leading space.
    // The README's 56 is the count a `user (\S+) from` pattern gives, which cannot see that line.
    expect(invalidNames.size).toBe(57);
    expect([...invalidNames].filter((n) => n !== null && /^\S+$/.test(n))).toHaveLength(56);
    expect(invalidNames.has(' 0101')).toBe(true);
  });

  it("fail2ban's rule (5 failures in 10 min) over Failed password lines bans 9 of the 23 IPs", () => {
    const bans = bannedBy(failedPassword, { maxRetry: 5, findTimeMs: TEN_MIN });
    expect(new Set(bans.map((b) => b.ip))).toEqual(
      new Set([
        '183.62.140.253',
        '187.141.143.180',
        '103.99.0.122',
        '112.95.230.3',
        '5.188.10.180',
        '185.190.58.151',
        '123.235.32.19',
        '119.4.203.64',
        '60.2.12.12',
      ]),
    );
  });

  it('with "message repeated 5 times" expanded, the same rule also bans the two IPs behind those lines (11)', () => {
    const bans = bannedBy(
      expanded.filter((a) => a.event === 'sshd.failed_password'),
      { maxRetry: 5, findTimeMs: TEN_MIN },
    );
    const ips = new Set(bans.map((b) => b.ip));
    expect(ips.size).toBe(11);
    expect(ips.has('5.36.59.76') && ips.has('106.5.5.195')).toBe(true);
  });

  it('the detector flags the fast brute force, the enumeration, and every finding is backed by real attempts', () => {
    const findings: Finding[] = detectAnomalies(expanded);
    const of = (kind: string, key: string) => findings.filter((f) => f.kind === kind && f.key === key);
    // The 279-in-10-minutes burst: one finding per overflow, a minute's blackhole between them.
    expect(of('brute_force', '183.62.140.253').length).toBeGreaterThanOrEqual(5);
    expect(of('brute_force', '187.141.143.180').length).toBeGreaterThanOrEqual(3);
    // 103.99.0.122 cycles through user names: spraying/enumeration, over unknown users.
    const spray = of('password_spraying', '103.99.0.122');
    expect(spray.length).toBeGreaterThanOrEqual(1);
    expect(spray.every((f) => f.distinct_users > 5 && f.unknown_user_ratio > 0.5)).toBe(true);
    // Each finding's attempt references are the attempts of its source, inside its window.
    for (const f of findings) {
      const refs = f.attempts.map((r) => expanded[r as number]!);
      expect(refs.length).toBeGreaterThan(0);
      if (f.scope === 'ip') expect(refs.every((a) => a.source_ip === f.key)).toBe(true);
      expect(refs.every((a) => a.timestamp >= f.window.start && a.timestamp <= f.window.end)).toBe(true);
    }
    // The one successful login (from a different address) raises nothing by itself.
    expect(expanded.filter((a) => a.result === 'success')).toHaveLength(1);
  });

  it('streams with flat memory: stats account for every line, the connection table stays bounded', async () => {
    const stats = newStreamStats();
    const lines = createInterface({
      input: createReadStream(sharedPath('authlogs/loghub-openssh/OpenSSH_2k.log')),
      crlfDelay: Infinity,
    });
    const parser = new SshdParser({ year: 2015, maxConnections: 50 });
    let n = 0;
    let yielding = 0;
    let lastLine = 0;
    for await (const _ of parseLogStream(lines, parser, {
      stats,
      onSkip: (_r, lineNo) => (lastLine = lineNo),
    }))
      n++;
    for (const v of stats.skipped.values()) yielding += v;
    expect(stats.lines).toBe(2000);
    expect(lastLine).toBeLessThanOrEqual(2000);
    expect(stats.attempts).toBe(n);
    // With only 50 connections tracked the answer is the same here: sshd's lines of one
    // connection are close together, so the least recently seen ones are long finished.
    expect(n).toBe(expanded.length);
    expect(parser.trackedConnections).toBeLessThanOrEqual(50);
    expect(stats.skipped.get('restates an invalid user already logged')).toBe(113);
    expect(2000 - yielding).toBeGreaterThan(600); // lines that yielded attempts
  });
});
