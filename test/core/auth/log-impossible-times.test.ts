/**
 * Log stamps that name no real time are skipped, not rolled over: Date.UTC made `Feb 29` of 2015
 * 1 March, `25:61:46` the next day and `+99:00` an offset of four days, so `bulwark auth import`
 * stored attempts at instants no log line said.
 */
import { describe, expect, it } from 'vitest';
import { parseDovecotLine } from '../../../src/core/auth/parsers/dovecot.js';
import { parseJsonlLine } from '../../../src/core/auth/parsers/jsonl.js';
import { isTimeZone, isoToUtc, syslogToUtc, zonedToUtc } from '../../../src/core/auth/parsers/log-time.js';
import { parseNginxLine } from '../../../src/core/auth/parsers/nginx.js';
import { parseSshdLine } from '../../../src/core/auth/parsers/sshd.js';
import { SKIP_IMPOSSIBLE_TIME } from '../../../src/core/auth/parsers/types.js';

const sshd = (stamp: string) =>
  parseSshdLine(`${stamp} LabSZ sshd[24200]: Failed password for root from 192.0.2.4 port 22 ssh2`, {
    year: 2015,
  });

describe('impossible times in logs', () => {
  it('are NaN, never another instant', () => {
    expect(zonedToUtc(2015, 1, 29, 0, 0, 0, 0)).toBeNaN();
    expect(zonedToUtc(2016, 1, 29, 0, 0, 0, 0)).toBe(Date.UTC(2016, 1, 29));
    expect(zonedToUtc(2015, 3, 31, 0, 0, 0, 0, 'Europe/Zurich')).toBeNaN();
    expect(zonedToUtc(2015, 11, 10, 24, 0, 0, 0)).toBeNaN();
    expect(zonedToUtc(2015, 11, 10, 23, 60, 0, 0)).toBeNaN();
    expect(zonedToUtc(2015, 11, 31, 23, 59, 60, 0)).toBeNaN();
    expect(isoToUtc('2025-02-29T00:00:00Z')).toBeNaN();
    expect(isoToUtc('2015-12-10T10:00:00+99:00')).toBeNaN();
    expect(isoToUtc('2015-12-10T10:00:00+24:00')).toBeNaN();
    expect(isoToUtc('2015-12-10T10:00:00+14:00')).toBe(Date.UTC(2015, 11, 9, 20));
    expect(isTimeZone('+99:00')).toBe(false);
    expect(isTimeZone('+05:30')).toBe(true);
  });

  it('a syslog Feb 29 without a year goes to the latest leap year that fits', () => {
    expect(syslogToUtc(1, 29, 12, 0, 0, 0, { now: Date.UTC(2026, 5, 1) })).toBe(Date.UTC(2024, 1, 29, 12));
    expect(syslogToUtc(1, 29, 12, 0, 0, 0, { year: 2015 })).toBeNaN();
    expect(syslogToUtc(3, 31, 12, 0, 0, 0, { now: Date.UTC(2026, 5, 1) })).toBeNaN();
  });

  it('sshd, dovecot, nginx and JSON lines skip the line naming the reason', () => {
    expect(sshd('Dec 10 06:55:46')).toHaveProperty('attempts');
    expect(sshd('Feb 29 06:55:46')).toEqual({ skip: SKIP_IMPOSSIBLE_TIME });
    expect(sshd('Dec 10 25:61:46')).toEqual({ skip: SKIP_IMPOSSIBLE_TIME });
    expect(sshd('2015-02-29T06:55:46+00:00')).toEqual({ skip: SKIP_IMPOSSIBLE_TIME });
    expect(
      parseDovecotLine(
        '2015-02-29 10:00:00 imap-login: Info: Disconnected (auth failed, 1 attempts in 2 secs): user=<bob>, method=PLAIN, rip=192.0.2.5, lip=192.0.2.1',
        {},
      ),
    ).toEqual({ skip: SKIP_IMPOSSIBLE_TIME });
    expect(
      parseNginxLine('192.0.2.6 - bob [29/Feb/2015:10:00:00 +0000] "POST /login HTTP/1.1" 401 0 "-" "curl"', {
        loginPaths: ['/login'],
      }),
    ).toEqual({ skip: SKIP_IMPOSSIBLE_TIME });
    expect(
      parseJsonlLine(
        '{"ip":"192.0.2.7","result":"failure","reason":"bad_password","time":"2025-02-29T00:00:00Z"}',
      ),
    ).toHaveProperty('skip');
  });
});
