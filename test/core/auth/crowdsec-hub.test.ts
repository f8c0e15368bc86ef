/**
 * Parsing + anomaly detection against CrowdSec hub test cases: for each case Bulwark must raise
 * the findings CrowdSec raises (same kind, same source IP or range, same number of events, same
 * event times), and nothing else.
 */
import { expect, it } from 'vitest';
import {
  AnomalyDetector,
  detectAnomalies,
  findingAggregate,
  classify,
  type Finding,
  type FindingKind,
} from '../../../src/core/auth/anomaly.js';
import { DEFAULT_ANOMALY_THRESHOLDS } from '../../../src/core/auth/anomaly-thresholds.js';
import { parseDovecotLine } from '../../../src/core/auth/parsers/dovecot.js';
import { parseNginxLine } from '../../../src/core/auth/parsers/nginx.js';
import { SshdParser, parseSshdLine } from '../../../src/core/auth/parsers/sshd.js';
import type { LineResult, ParsedAttempt } from '../../../src/core/auth/parsers/types.js';
import { ipKey } from '../../../src/core/net/ip.js';
import { describeWithSharedData } from '../../support/shared-data.js';
import { crowdsecAlerts, crowdsecLog, crowdsecParserResults } from './support/crowdsec-cases.js';

/** CrowdSec scenario → the Bulwark finding kind that stands for it. */
const KIND_OF: Record<string, FindingKind> = {
  'crowdsecurity/ssh-bf': 'brute_force',
  'crowdsecurity/ssh-bf_user-enum': 'password_spraying',
  'crowdsecurity/http-generic-bf': 'brute_force',
  'LePresidente/http-generic-401-bf': 'brute_force',
  'crowdsecurity/ssh-time-based-bf': 'slow_brute_force',
  'crowdsecurity/ssh-time-based-bf_user-enum': 'slow_password_spraying',
  'melite/dovecot-slow-bf': 'slow_brute_force',
};

// The hub's expected timestamps put year-less syslog lines in the year the assertions were made.
const YEAR = 2026;

function attemptsOf(lines: string[], parse: (line: string) => LineResult): ParsedAttempt[] {
  return lines.flatMap((l) => {
    const r = parse(l);
    return 'attempts' in r ? r.attempts : [];
  });
}

/** A finding as the alert it should equal: kind, key, count, event times. */
function asAlert(
  f: Finding,
  attempts: ParsedAttempt[],
): { kind: string; key: string; events: number; times: number[] } {
  return {
    kind: f.kind,
    key: f.key,
    events: f.count,
    times: f.attempts.map((r) => attempts[r as number]!.timestamp),
  };
}

function expectSameAlerts(caseName: string, attempts: ParsedAttempt[]): Finding[] {
  const findings = detectAnomalies(attempts);
  const expected = crowdsecAlerts(caseName).map((a) => ({
    kind: KIND_OF[a.scenario]!,
    key: a.value,
    events: a.events,
    times: a.eventTimes,
  }));
  const order = (x: { kind: string; key: string; times: number[] }) => `${x.times[0]}|${x.kind}|${x.key}`;
  expect(findings.map((f) => asAlert(f, attempts)).sort((a, b) => order(a).localeCompare(order(b)))).toEqual(
    expected.sort((a, b) => order(a).localeCompare(order(b))),
  );
  // Each finding satisfies the pure rule on its own aggregate (what a SQL view would compute).
  for (const f of findings)
    expect(classify(findingAggregate(f), f.scope, DEFAULT_ANOMALY_THRESHOLDS)).toContain(f.kind);
  return findings;
}

const sshdAttempts = (name: string): ParsedAttempt[] => {
  const p = new SshdParser({ year: YEAR });
  return attemptsOf(crowdsecLog(name), (l) => p.parseLine(l));
};

describeWithSharedData('CrowdSec hub cases: Bulwark raises the same findings', () => {
  it('ssh-bf: six invalid users from one IP in 3 s → brute force and user enumeration, 6 events each', () => {
    const f = expectSameAlerts('ssh-bf', sshdAttempts('ssh-bf'));
    expect(f.map((x) => x.kind).sort()).toEqual(['brute_force', 'password_spraying']);
    expect(f.find((x) => x.kind === 'password_spraying')!.users).toEqual([
      'pascal',
      'pascal1',
      'pascal2',
      'pascal3',
      'pascal4',
      'pascal5',
    ]);
  });

  it('sshd-invalid-bf: six "Disconnected from authenticating user root … [preauth]" → one brute force of 6', () => {
    const attempts = sshdAttempts('sshd-invalid-bf');
    expect(attempts).toHaveLength(6);
    expect(new Set(attempts.map((a) => a.event))).toEqual(new Set(['sshd.preauth_disconnect']));
    expectSameAlerts('sshd-invalid-bf', attempts);
  });

  it('ssh-time-based-bf: failures 20 min apart → slow brute force and slow spraying for 10.0.0.101 only', () => {
    const attempts = sshdAttempts('ssh-time-based-bf');
    expect(attempts.filter((a) => a.result === 'success')).toHaveLength(1);
    const f = expectSameAlerts('ssh-time-based-bf', attempts);
    // 10.0.0.100 (3 failures), 10.0.0.102 (a success cancels), 10.0.0.103 (median gap 2 s) raise nothing.
    expect(new Set(f.map((x) => x.key))).toEqual(new Set(['10.0.0.101']));
  });

  it('dovecot-slow-bf: four IMAP/POP3 failures 10 min apart → one slow brute force of 4', () => {
    const attempts = attemptsOf(crowdsecLog('dovecot-slow-bf'), (l) => parseDovecotLine(l, { year: YEAR }));
    expect(attempts.map((a) => [a.source_ip, a.user, a.result])).toEqual(
      Array(4).fill(['192.0.2.1', 'admin@example.com', 'failure']),
    );
    expectSameAlerts('dovecot-slow-bf', attempts);
  });

  it('nginx-http-generic-bf: 16 auth_basic failures, then 6 POST 401s a year later → two brute forces of 6', () => {
    const attempts = attemptsOf(crowdsecLog('nginx-http-generic-bf'), (l) =>
      parseNginxLine(l, { loginPaths: ['/client'] }),
    );
    expect(attempts).toHaveLength(22);
    expect(
      attempts.slice(0, 16).every((a) => a.event === 'nginx.auth_basic_unknown_user' && a.user === 'foo'),
    ).toBe(true);
    expect(
      attempts
        .slice(16)
        .every((a) => a.event === 'http.login' && a.failure_detail === 'HTTP 401' && a.user === 'test'),
    ).toBe(true);
    // The ten error-log failures after the first alert fall in its one-minute blackhole, as in CrowdSec.
    expectSameAlerts('nginx-http-generic-bf', attempts);
  });

  it('ipv6-postoverflow: the source is grouped on the /64 CrowdSec decides on; a scanner user agent is not an auth anomaly', () => {
    const lines = crowdsecLog('ipv6-postoverflow');
    const attempts = attemptsOf(lines, (l) => parseNginxLine(l, { loginPaths: ['/'] }));
    expect(attempts.map((a) => [a.source_ip, a.host_kind, a.result])).toEqual(
      Array(2).fill(['2001:db8:85a3::8a2e:370:7334', 'ipv6', 'success']),
    );
    const [alert] = crowdsecAlerts('ipv6-postoverflow');
    expect(alert!.scope).toBe('Range');
    expect(ipKey(attempts[0]!.source_ip, { ipv6Prefix: DEFAULT_ANOMALY_THRESHOLDS.ipv6PrefixLength })).toBe(
      alert!.value,
    );
    // CrowdSec's alert here is crowdsecurity/http-bad-user-agent (Nikto on "/", status 200): two
    // successful requests are not an authentication anomaly, so Bulwark raises nothing.
    expect(detectAnomalies(attempts)).toEqual([]);
    // Failures from that source are keyed on the same /64 range.
    const d = new AnomalyDetector();
    const found = attempts.flatMap((a, i) =>
      d.observe({ ...a, result: 'failure', failure_reason: 'bad_password', timestamp: a.timestamp + i }),
    );
    expect(found).toEqual([]);
    for (let i = 0; i < 6; i++)
      found.push(
        ...d.observe({
          ...attempts[0]!,
          result: 'failure',
          failure_reason: 'bad_password',
          timestamp: attempts[0]!.timestamp + 10 + i,
        }),
      );
    expect(found.map((f) => [f.kind, f.scope, f.key, f.ips])).toEqual([
      ['brute_force', 'ip_range', alert!.value, ['2001:db8:85a3::8a2e:370:7334']],
    ]);
  });
});

describeWithSharedData(
  'CrowdSec hub parse-only cases: sshd lines parse to the same failures and successes',
  () => {
    it('sshd-logs: each line CrowdSec parses yields a failure from the same source (and user); the others yield none', () => {
      const lines = crowdsecLog('sshd-logs');
      const expected = crowdsecParserResults('sshd-logs', 'crowdsecurity/sshd-logs');
      expect(expected).toHaveLength(lines.length);
      lines.forEach((line, i) => {
        const e = expected[i]!;
        const r = parseSshdLine(line, { year: YEAR });
        const failures = 'attempts' in r ? r.attempts.filter((a) => a.result === 'failure') : [];
        if (!e.success) {
          expect(failures, line).toEqual([]);
          return;
        }
        expect(failures.length, line).toBe(1);
        expect(failures[0]!.source_ip, line).toBe(e.sourceIp);
        if (e.targetUser !== undefined) expect(failures[0]!.user, line).toBe(e.targetUser);
      });
    });

    it('sshd-success-logs: accepted logins are successes from the same source', () => {
      const lines = crowdsecLog('sshd-success-logs');
      const expected = crowdsecParserResults('sshd-success-logs', 'crowdsecurity/sshd-success-logs');
      lines.forEach((line, i) => {
        const r = parseSshdLine(line, { year: YEAR });
        expect('attempts' in r && r.attempts.map((a) => [a.result, a.source_ip]), line).toEqual([
          ['success', expected[i]!.sourceIp],
        ]);
      });
    });
  },
);
