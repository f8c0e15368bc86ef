import { describe, expect, it } from 'vitest';
import { parseDovecotLine } from '../../../src/core/auth/parsers/dovecot.js';
import { parseJsonlLine } from '../../../src/core/auth/parsers/jsonl.js';
import { isoToUtc, syslogToUtc, zonedToUtc } from '../../../src/core/auth/parsers/log-time.js';
import { SshdParser, parseSshdLine } from '../../../src/core/auth/parsers/sshd.js';
import { createLineParser, parseLogStream } from '../../../src/core/auth/parsers/stream.js';
import type { LineResult, ParsedAttempt } from '../../../src/core/auth/parsers/types.js';

const attempts = (r: LineResult): ParsedAttempt[] => ('attempts' in r ? r.attempts : []);

describe('log times', () => {
  it('reads wall times in a zone, across daylight-saving changes', () => {
    expect(zonedToUtc(2005, 0, 5, 12, 0, 0, 0, 'Europe/Zurich')).toBe(Date.UTC(2005, 0, 5, 11));
    expect(zonedToUtc(2005, 6, 5, 12, 0, 0, 0, 'Europe/Zurich')).toBe(Date.UTC(2005, 6, 5, 10));
    expect(zonedToUtc(2005, 2, 27, 3, 30, 0, 0, 'Europe/Zurich')).toBe(Date.UTC(2005, 2, 27, 1, 30)); // just after the spring change
    expect(zonedToUtc(2005, 6, 5, 12, 0, 0, 0, '-04:00')).toBe(Date.UTC(2005, 6, 5, 16));
    expect(isoToUtc('2019-07-08T17:40:16.954167-04:00')).toBe(Date.UTC(2019, 6, 8, 21, 40, 16, 954));
    expect(isoToUtc('2023-11-14T00:20:42+0100')).toBe(Date.UTC(2023, 10, 13, 23, 20, 42));
    expect(isoToUtc('2013-08-11 03:56:40', 'UTC')).toBe(Date.UTC(2013, 7, 11, 3, 56, 40));
  });

  it('refuses an ISO stamp that names no real instant, as the API refuses such an `at` (never rolled over)', () => {
    for (const stamp of [
      '2026-02-30T10:00:00Z', // → 2 March
      '2025-02-29T10:00:00Z',
      '2026-04-31 10:00:00',
      '2026-13-01T10:00:00Z',
      '2026-00-10T10:00:00Z',
      '2026-01-00T10:00:00Z',
      '2026-01-15T24:00:00Z',
      '2026-01-15T12:60:00Z',
      '2026-01-15T12:00:60Z',
      '2026-01-15T12:00:00+24:00',
      '2026-01-15T12:00:00+01:60',
    ])
      expect(isoToUtc(stamp), stamp).toBeNaN();
    expect(isoToUtc('2024-02-29T10:00:00Z')).toBe(Date.UTC(2024, 1, 29, 10));
    expect(isoToUtc('2026-01-15T23:59:59-23:59')).toBe(Date.UTC(2026, 0, 16, 23, 58, 59));
    // A JSON-lines attempt dated so is skipped for its time, not stored on another day.
    const r = parseJsonlLine('{"ip":"192.0.2.1","at":"2026-02-30T10:00:00Z","result":"failure"}');
    expect(attempts(r)).toEqual([]);
    expect(r).toMatchObject({ skip: expect.stringMatching(/no usable time/) });
  });

  it('infers the year of a syslog stamp from a reference time: December read in January is last year', () => {
    const now = Date.UTC(2024, 0, 2, 12);
    expect(syslogToUtc(11, 31, 23, 59, 0, 0, { now })).toBe(Date.UTC(2023, 11, 31, 23, 59));
    expect(syslogToUtc(0, 2, 11, 0, 0, 0, { now })).toBe(Date.UTC(2024, 0, 2, 11));
    expect(syslogToUtc(5, 1, 0, 0, 0, 0, { year: 2020 })).toBe(Date.UTC(2020, 5, 1));
  });
});

describe('sshd lines', () => {
  it('reads journald short-iso and precise stamps, sshd-session and Solaris prefixes', () => {
    const iso = attempts(
      parseSshdLine(
        '2023-11-14T00:20:42+0100 myserver sshd[1112652]: Failed password for bob from 192.0.2.9 port 5 ssh2',
        {},
      ),
    );
    expect(iso.map((a) => [a.timestamp, a.user, a.failure_reason])).toEqual([
      [Date.UTC(2023, 10, 13, 23, 20, 42), 'bob', 'bad_password'],
    ]);
    const precise = attempts(
      parseSshdLine('Nov 14 00:20:42.250 host sshd-session[7]: Invalid user x from 2001:db8::2 port 5', {
        year: 2023,
      }),
    );
    expect(precise.map((a) => [a.timestamp, a.source_ip, a.failure_reason])).toEqual([
      [Date.UTC(2023, 10, 14, 0, 20, 42, 250), '2001:db8::2', 'unknown_user'],
    ]);
  });

  it('expands "message repeated N times" into N attempts unless asked not to', () => {
    const line =
      'Dec 10 07:13:56 LabSZ sshd[24227]: message repeated 5 times: [ Failed password for root from 5.36.59.76 port 42393 ssh2]';
    expect(attempts(parseSshdLine(line, { year: 2015 })).length).toBe(5);
    expect(attempts(parseSshdLine(line, { year: 2015, expandRepeated: false })).length).toBe(1);
    expect(attempts(new SshdParser({ year: 2015 }).parseLine(line)).map((a) => a.user)).toEqual(
      Array(5).fill('root'),
    );
  });

  it("on its own line, a pam_unix failure counts; in a connection it waits for sshd's own line", () => {
    const pam =
      'Dec 10 07:13:31 LabSZ sshd[24227]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=5.36.59.76  user=root';
    const failed =
      'Dec 10 07:13:43 LabSZ sshd[24227]: Failed password for root from 5.36.59.76 port 42393 ssh2';
    expect(attempts(parseSshdLine(pam, { year: 2015 })).map((a) => a.event)).toEqual(['sshd.pam_failure']);
    const p = new SshdParser({ year: 2015 });
    expect(p.parseLine(pam)).toEqual({ skip: 'held until the connection shows how it ends' });
    expect(attempts(p.parseLine(failed)).map((a) => a.event)).toEqual(['sshd.failed_password']);
    expect(
      p.parseLine(
        'Dec 10 07:13:58 LabSZ sshd[24227]: Received disconnect from 5.36.59.76: 11: Bye Bye [preauth]',
      ),
    ).toEqual({ skip: 'connection ended without a new failure' });
  });

  it('normal mode leaves scanners out; aggressive counts them', () => {
    const line = 'Jun 7 01:10:56 host sshd[5937]: Did not receive identification string from 69.61.56.114';
    expect(parseSshdLine(line, { year: 2005, mode: 'normal' })).toEqual({
      skip: 'ddos event, not counted in this mode',
    });
    expect(
      attempts(parseSshdLine(line, { year: 2005 })).map((a) => [a.failure_reason, a.failure_detail]),
    ).toEqual([['other', 'no SSH identification string received']]);
  });

  it('skips what is not sshd or has no header', () => {
    expect(
      parseSshdLine('Dec 10 07:13:58 LabSZ cron[1]: Failed password for root from 1.2.3.4', { year: 2015 }),
    ).toEqual({ skip: 'not sshd (cron)', foreign: true });
    expect(parseSshdLine('hello', { year: 2015 })).toEqual({ skip: 'no syslog header', foreign: true });
    expect(parseSshdLine('', { year: 2015 })).toEqual({ skip: 'empty line' });
  });
});

describe('JSON lines', () => {
  it('takes each datum from its common field names', () => {
    const a = attempts(
      parseJsonlLine(
        '{"username":"alice","remote_addr":"::ffff:198.51.100.4","@timestamp":"2025-02-01T10:00:00Z","outcome":"denied","reason":"unknown_user"}',
      ),
    );
    expect(a).toEqual([
      {
        timestamp: Date.UTC(2025, 1, 1, 10),
        source_ip: '198.51.100.4',
        host_kind: 'ipv4',
        user: 'alice',
        sender: null,
        result: 'failure',
        failure_reason: 'unknown_user',
        failure_detail: null,
        event: 'jsonl',
      },
    ]);
    const b = attempts(
      parseJsonlLine(
        '{"user_id":42,"sender":"+15550100","ip":"2001:db8::7","time":1738404000,"success":true}',
      ),
    );
    expect(b.map((x) => [x.user, x.sender, x.timestamp, x.result, x.failure_reason])).toEqual([
      ['42', '+15550100', 1738404000_000, 'success', null],
    ]);
    const c = attempts(
      parseJsonlLine(
        '{"user":"bob","source_ip":"192.0.2.1","timestamp":1738404000123,"result":"failed","failure_reason":"captcha"}',
      ),
    );
    expect(c).toEqual([]);
    // The API's own field names import as they are: `at` for the time, `failure_text` for the detail.
    const d = attempts(
      parseJsonlLine(
        '{"user_id":"carol","source_ip":"192.0.2.9","at":"2025-02-01T10:00:00Z","result":"failure","failure_reason":"other","failure_text":"captcha wrong"}',
      ),
    );
    expect(d.map((x) => [x.timestamp, x.failure_reason, x.failure_detail])).toEqual([
      [Date.UTC(2025, 1, 1, 10), 'other', 'captcha wrong'],
    ]);
  });

  it('says why a line is skipped', () => {
    expect(parseJsonlLine('{oops')).toEqual({ skip: 'not valid JSON', foreign: true });
    expect(parseJsonlLine('[1]')).toEqual({ skip: 'not a JSON object', foreign: true });
    expect(parseJsonlLine('{"time":1,"result":"ok"}')).toEqual({
      skip: 'no source IP (ip, source_ip, remote_addr)',
    });
    expect(parseJsonlLine('{"ip":"host.example","time":1,"result":"ok"}')).toEqual({
      skip: 'source IP is not an IP address',
    });
    expect(parseJsonlLine('{"ip":"192.0.2.1","result":"ok"}')).toEqual({
      skip: 'no usable time (timestamp, time, @timestamp, at)',
    });
    // A failure must say why with a reason Bulwark knows, as POST /auth/attempts requires.
    const fail = (extra: string) => `{"ip":"192.0.2.1","time":1,"result":"failure"${extra}}`;
    expect(parseJsonlLine(fail(',"failure_reason":"captcha"'))).toEqual({ skip: 'unknown failure_reason' });
    expect(parseJsonlLine(fail(''))).toEqual({ skip: 'failure without a reason (failure_reason, reason)' });
    expect(parseJsonlLine(fail(',"failure_reason":"other"'))).toEqual({
      skip: 'failure_reason other without failure_detail or failure_text',
    });
    expect(parseJsonlLine('{"ip":"192.0.2.1","time":1,"result":"maybe"}')).toEqual({
      skip: 'no usable result (result, outcome, success)',
    });
  });
});

describe('Dovecot lines', () => {
  it('reads login-process failures (one per attempt), successes and auth-worker failures', () => {
    const failed = attempts(
      parseDovecotLine(
        'Jun 12 19:07:29 hostname dovecot[241]: imap-login: Login aborted: Connection closed (auth failed, 3 attempts in 16 secs) (auth_failed): user=<test>, method=PLAIN, rip=192.0.2.241, lip=203.0.113.104, TLS, session=<x>',
        { year: 2005 },
      ),
    );
    expect(failed.map((a) => [a.source_ip, a.user, a.failure_reason])).toEqual(
      Array(3).fill(['192.0.2.241', 'test', 'bad_password']),
    );
    const ok = attempts(
      parseDovecotLine(
        'Jun 12 19:08:00 mx dovecot: imap-login: Login: user=<test>, method=PLAIN, rip=192.0.2.241, lip=203.0.113.104, mpid=1, TLS',
        { year: 2005 },
      ),
    );
    expect(ok.map((a) => a.result)).toEqual(['success']);
    const worker = attempts(
      parseDovecotLine(
        '2013-08-11 03:56:40 auth-worker(default): Info: pam(username,1.2.3.4): pam_authenticate() failed: Authentication failure (password mismatch?)',
        {},
      ),
    );
    expect(worker.map((a) => [a.timestamp, a.source_ip, a.user, a.failure_reason])).toEqual([
      [Date.UTC(2013, 7, 11, 3, 56, 40), '1.2.3.4', 'username', 'bad_password'],
    ]);
    const unknown = attempts(
      parseDovecotLine(
        'Jul 02 13:49:32 hostname dovecot[442]: dovecot: auth(default): pam(account@MYSERVERNAME.com,200.76.17.206): pam_authenticate() failed: User not known to the underlying authentication module: 2 Time(s)',
        { year: 2005 },
      ),
    );
    expect(unknown.map((a) => [a.source_ip, a.failure_reason])).toEqual([['200.76.17.206', 'unknown_user']]);
  });
});

describe('streaming', () => {
  it('parses any async iterable of lines with the parser for its format', async () => {
    async function* lines() {
      yield '{"ip":"192.0.2.1","time":1,"result":"failure","reason":"bad_password"}\r';
      yield 'not json';
      yield '{"ip":"192.0.2.2","time":2,"result":"success"}';
    }
    const skipped: Array<[string, number]> = [];
    const out: ParsedAttempt[] = [];
    for await (const a of parseLogStream(lines(), createLineParser({ format: 'jsonl' }), {
      onSkip: (r, n) => skipped.push([r, n]),
    }))
      out.push(a);
    expect(out.map((a) => [a.source_ip, a.result])).toEqual([
      ['192.0.2.1', 'failure'],
      ['192.0.2.2', 'success'],
    ]);
    expect(skipped).toEqual([['not valid JSON', 2]]);
  });

  it('reads a first line behind a UTF-8 byte order mark (a log saved by a Windows editor or PowerShell)', async () => {
    const bom = '\uFEFF';
    const jsonl = [`${bom}{"ip":"192.0.2.1","time":1,"result":"success"}`];
    const sshd = [`${bom}Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user x from 192.0.2.3`];
    const read = async (lines: string[], options: Parameters<typeof createLineParser>[0]) => {
      const out: ParsedAttempt[] = [];
      for await (const a of parseLogStream(lines, createLineParser(options))) out.push(a);
      return out.map((a) => a.source_ip);
    };
    expect(await read(jsonl, { format: 'jsonl' })).toEqual(['192.0.2.1']);
    expect(await read(sshd, { format: 'sshd', year: 2015 })).toEqual(['192.0.2.3']);
    // Only at the very start: further on it is the line's own text.
    expect(await read([jsonl[0]!.slice(1), jsonl[0]!], { format: 'jsonl' })).toEqual(['192.0.2.1']);
  });
});
