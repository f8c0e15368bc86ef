/**
 * The nginx parser: the error log against every annotated line of fail2ban's nginx-http-auth
 * sample (its `normal`/`auth` modes are authentication failures, which Bulwark imports; its
 * `fallback` mode adds TLS handshake errors, which are not authentication attempts and are
 * skipped on purpose), and the access log's status rules.
 */
import { describe, expect, it } from 'vitest';
import { parseNginxLine } from '../../../src/core/auth/parsers/nginx.js';
import { describeWithSharedData, sharedPath } from '../../support/shared-data.js';
import { readFail2banSamples, zurichTime } from './support/fail2ban-samples.js';

describeWithSharedData('nginx error log vs fail2ban nginx-http-auth.log', () => {
  const samples = readFail2banSamples(sharedPath('authlogs/fail2ban/logs/nginx-http-auth.log'));
  const parse = (line: string) => parseNginxLine(line, { loginPaths: ['/'], tz: 'Europe/Zurich' });

  it('agrees on every line of the authentication modes (normal, auth, journal, and the auth line of aggressive)', () => {
    const authLines = samples.filter(
      (s) =>
        s.modes.some((m) => m === 'normal' || m === 'auth') ||
        (s.modes.includes('aggressive') && !s.line.includes('SSL_')),
    );
    expect(authLines.length).toBe(10);
    for (const s of authLines) {
      const r = parse(s.line);
      const attempts = 'attempts' in r ? r.attempts : [];
      expect(attempts.length > 0, `line ${s.lineNo}`).toBe(s.expect.match);
      if (!s.expect.match) continue;
      expect(
        attempts.map((a) => a.source_ip),
        `line ${s.lineNo}`,
      ).toEqual([s.expect.host]);
      expect(attempts[0]!.result).toBe('failure');
      if (s.expect.time) expect(attempts[0]!.timestamp, `line ${s.lineNo}`).toBe(zurichTime(s.expect.time));
    }
  });

  it('takes the real client, not one injected through the user name', () => {
    const injected = samples.find((s) => s.expect.desc === 'trying injection on user name')!;
    const r = parse(injected.line);
    expect('attempts' in r && r.attempts[0]!.source_ip).toBe('192.0.2.2');
  });

  it('reads user names with spaces, unknown users and PAM failures with the right reasons', () => {
    const byDesc = (d: string) => samples.find((s) => s.expect.desc === d)!.line;
    const space = parse(byDesc('user name with space'));
    expect('attempts' in space && [space.attempts[0]!.user, space.attempts[0]!.failure_reason]).toEqual([
      'scriben dio',
      'bad_password',
    ]);
    const notFound = parse(samples[0]!.line);
    expect(
      'attempts' in notFound && [notFound.attempts[0]!.user, notFound.attempts[0]!.failure_reason],
    ).toEqual(['xyz', 'unknown_user']);
    const pam = parse(byDesc('PAM auth failure, gh-4071'));
    expect('attempts' in pam && [pam.attempts[0]!.user, pam.attempts[0]!.event]).toEqual([
      'username',
      'nginx.auth_pam_failure',
    ]);
  });

  it('skips the fallback mode lines: TLS handshake errors are not authentication attempts', () => {
    const fallback = samples.filter((s) => s.modes.includes('fallback') || s.line.includes('SSL_'));
    expect(fallback.length).toBe(8);
    for (const s of fallback)
      expect(parse(s.line)).toEqual({ skip: 'error-log line that is not an authentication failure' });
  });
});

describe('nginx access log (combined format)', () => {
  const line = (status: number, path = '/login', method = 'POST', user = '-') =>
    `203.0.113.7 - ${user} [06/Mar/2022:16:14:13 +0100] "${method} ${path}?next=/home HTTP/1.1" ${status} 141 "-" "curl/8.0"`;
  const opts = { loginPaths: ['/login', '/api/auth/*'] };

  it('2xx on a login path is a success, 401/403 a failure, 429 a rate-limited failure', () => {
    const r200 = parseNginxLine(line(200), opts);
    expect(r200).toEqual({
      attempts: [
        {
          timestamp: Date.UTC(2022, 2, 6, 15, 14, 13),
          source_ip: '203.0.113.7',
          host_kind: 'ipv4',
          user: null,
          sender: null,
          result: 'success',
          failure_reason: null,
          failure_detail: null,
          event: 'http.login',
        },
      ],
    });
    const r401 = parseNginxLine(line(401, '/api/auth/token', 'POST', 'alice'), opts);
    expect(
      'attempts' in r401 && [
        r401.attempts[0]!.result,
        r401.attempts[0]!.failure_reason,
        r401.attempts[0]!.failure_detail,
        r401.attempts[0]!.user,
      ],
    ).toEqual(['failure', 'other', 'HTTP 401', 'alice']);
    const r403 = parseNginxLine(line(403), opts);
    expect('attempts' in r403 && r403.attempts[0]!.failure_detail).toBe('HTTP 403');
    const r429 = parseNginxLine(line(429), opts);
    expect('attempts' in r429 && r429.attempts[0]!.failure_reason).toBe('rate_limited');
  });

  it('skips other paths, redirects, server errors and methods not asked for', () => {
    expect(parseNginxLine(line(401, '/static/app.js'), opts)).toEqual({ skip: 'not a login path' });
    expect(parseNginxLine(line(302), opts)).toEqual({
      skip: 'status 302 says nothing about the credentials',
    });
    expect(parseNginxLine(line(500), opts)).toEqual({
      skip: 'status 500 says nothing about the credentials',
    });
    expect(parseNginxLine(line(401, '/login', 'GET'), { ...opts, methods: ['POST'] })).toEqual({
      skip: 'method GET not counted',
    });
    expect(parseNginxLine('garbage', opts)).toEqual({
      skip: 'not an nginx access or error log line',
      foreign: true,
    });
  });

  it('normalises IPv4-mapped and IPv6 sources', () => {
    const mapped = parseNginxLine(line(401).replace('203.0.113.7', '::ffff:203.0.113.7'), opts);
    expect('attempts' in mapped && mapped.attempts[0]!.source_ip).toBe('203.0.113.7');
    const v6 = parseNginxLine(line(401).replace('203.0.113.7', '2001:DB8:0:0:0:0:0:1'), opts);
    expect('attempts' in v6 && [v6.attempts[0]!.source_ip, v6.attempts[0]!.host_kind]).toEqual([
      '2001:db8::1',
      'ipv6',
    ]);
  });
});
