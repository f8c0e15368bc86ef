/** `bulwark auth import`, `auth lockouts|unlock` and `bulwark anomalies` as a user runs them. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithSharedData, sharedPath } from '../support/shared-data.js';
import { runCli } from '../support/cli.js';

describeWithSharedData('bulwark auth import / anomalies', () => {
  let dir: string;
  let db: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'bulwark-auth-cli-'));
    db = `sqlite:${path.join(dir, 'cli.db')}`;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (...args: string[]) => runCli(db, args, { separator: '\n' });
  const LOG = () => sharedPath('authlogs/loghub-openssh/OpenSSH_2k.log');

  it('imports OpenSSH_2k.log with a summary (lines read, attempts recorded, skipped by reason)', async () => {
    const r = await run('auth', 'import', LOG(), '--format', 'sshd', '--year', '2015', '--json');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ files: 1, lines: 2000, attempts_recorded: 693 });
    expect(s.skipped['restates an invalid user already logged']).toBe(113);
    const text = await run('auth', 'import', LOG(), '--format', 'sshd', '--year', '2015');
    expect(text.stdout).toContain('lines read: 2000   attempts recorded: 693');
    expect(text.stdout).toContain('restates an invalid user already logged');
  });

  it('shows the anomalies of the day, JSON with ISO times, and --exit-code exits 1 on findings', async () => {
    const args = ['anomalies', '--since', '2015-12-10T00:00:00Z', '--until', '2015-12-11T00:00:00Z'];
    const j = await run(...args, '--event', 'sshd.failed_password', '--json');
    expect(j.code).toBe(0);
    const report = JSON.parse(j.stdout);
    expect(
      report.findings.some(
        (f: { kind: string; key: string }) => f.kind === 'brute_force' && f.key === '183.62.140.253',
      ),
    ).toBe(true);
    expect(report.findings[0].first_seen).toMatch(/^2015-12-10T/);
    expect(new Set(report.bans.map((b: { key: string }) => b.key))).toContain('187.141.143.180');
    const table = await run(...args);
    expect(table.stdout).toMatch(/\d+ findings?, \d+ lockout bans?, \d+ attempts? in the window/);
    // The tester's 30-second window: in_window counts the attempts stored in it (the log was
    // imported twice above: 2 × 7), scanned also the slow rules' look-back before it.
    const [from, to] = [Date.parse('2015-12-10T09:13:00Z'), Date.parse('2015-12-10T09:13:30Z')];
    const short = JSON.parse(
      (await run('anomalies', '--since', '2015-12-10T09:13:00Z', '--until', '2015-12-10T09:13:30Z', '--json'))
        .stdout,
    );
    const sqlite = new Database(path.join(dir, 'cli.db'), { readonly: true });
    const stored = sqlite
      .prepare('select count(*) as n from authentication_attempts where timestamp >= ? and timestamp < ?')
      .get(from, to) as { n: number };
    sqlite.close();
    expect(stored.n).toBe(14);
    expect(short.in_window).toBe(stored.n);
    expect(short.scanned).toBeGreaterThan(short.in_window);
    expect(table.stdout).toContain('password_spraying');
    expect((await run(...args, '--exit-code')).code).toBe(1);
    expect(
      (
        await run(
          'anomalies',
          '--since',
          '2001-01-01T00:00:00Z',
          '--until',
          '2001-01-02T00:00:00Z',
          '--exit-code',
        )
      ).code,
    ).toBe(0);
  });

  it('exits 2 naming the field on bad input, and stores nothing', async () => {
    const bad = path.join(dir, 'missing.log');
    for (const [args, field] of [
      [['auth', 'import', LOG(), '--format', 'syslog'], 'format'],
      [['auth', 'import', LOG(), '--format', 'sshd', '--year', '15'], 'year'],
      [['auth', 'import', bad, '--format', 'sshd'], 'files'],
      [['auth', 'import', LOG(), '--format', 'nginx', '--login-paths', 'login'], 'login-paths'],
      [['anomalies', '--since', 'yesterday'], 'since'],
      [['anomalies', '--since', '2015-12-11T00:00:00Z', '--until', '2015-12-10T00:00:00Z'], 'until'],
      [['anomalies', '--max-attempts', '0'], 'max-attempts'],
      [['auth', 'unlock', 'nonsense'], 'key'],
    ] as [string[], string][]) {
      const r = await run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(field);
    }
  });

  it('imports JSON lines, lists no lockouts (imports are history), unlock says when nothing was locked', async () => {
    const f = path.join(dir, 'a.jsonl');
    writeFileSync(
      f,
      [
        '{"time":"2026-01-01T00:00:00Z","ip":"192.0.2.1","user":"a","result":"failure","reason":"bad_password"}',
        'not json',
      ].join('\n'),
    );
    const r = await run('auth', 'import', f, '--format', 'jsonl', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).lines).toBe(2);
    expect(JSON.parse((await run('auth', 'lockouts', '--json')).stdout).items).toEqual([]);
    expect((await run('auth', 'unlock', 'ip:192.0.2.1')).stdout).toContain('was not locked');
  });
});
