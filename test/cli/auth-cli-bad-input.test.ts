/** `bulwark auth import|unlock` and `bulwark anomalies` refuse bad options with exit 2 naming them, before reading. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('bulwark auth: bad input is exit 2 naming the option', () => {
  let dir: string;
  let db: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'bulwark-auth-bad-'));
    db = `sqlite:${path.join(dir, 'cli.db')}`;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (...args: string[]) => runCli(db, args, { separator: '\n' });

  it('a directory given as a log file', async () => {
    const r = await run('auth', 'import', dir, '--format', 'sshd');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('validation_failed');
    expect(r.stderr).toContain(`files: ${dir} is a directory`);
    expect(r.stderr).not.toContain('EISDIR');
  });

  it('a line over 256 Ki characters is skipped as too long, not parsed (no file grows one line without end)', async () => {
    const f = path.join(dir, 'long-line.log');
    const line = (user: string) =>
      `Dec 10 06:55:46 LabSZ sshd[24200]: Failed password for invalid user ${user} from 192.0.2.9 port 22 ssh2`;
    writeFileSync(f, [line('a'), line('b'.repeat(300_000)), line('c')].join('\n') + '\n');
    const r = await run('auth', 'import', f, '--format', 'sshd', '--year', '2015', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      lines: 3,
      attempts_recorded: 2,
      skipped: { 'line too long (over 262144 characters)': 1 },
    });
    // A file of nothing else (a binary without line breaks) is no log of the format: exit 2, no stack.
    const bin = path.join(dir, 'no-breaks.bin');
    writeFileSync(bin, Buffer.alloc(400_000));
    const b = await run('auth', 'import', bin, '--format', 'sshd');
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('no line is a sshd log line (1 line read: line too long');
    expect(b.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unknown --tz, even with an empty file', async () => {
    const empty = path.join(dir, 'empty.log');
    writeFileSync(empty, '');
    for (const format of ['sshd', 'jsonl']) {
      const r = await run('auth', 'import', empty, '--format', format, '--tz', 'Mars/Phobos');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/validation_failed.*tz: must be UTC, an offset/);
    }
    expect((await run('auth', 'import', empty, '--format', 'sshd', '--tz', 'Europe/Berlin')).code).toBe(0);
  });

  it('an impossible date in --since or --until (Date.parse rolled 2015-02-30 over into March)', async () => {
    for (const [flag, value] of [
      ['--since', '2015-02-30'],
      ['--until', '2015-04-31T00:00:00Z'],
      ['--since', '2015-02-29T12:00:00Z'],
    ]) {
      const args = ['anomalies', '--since', '2015-02-01T00:00:00Z', '--until', '2015-03-01T00:00:00Z'];
      args[args.indexOf(flag!) + 1] = value!;
      const r = await run(...args);
      expect(r.code, `${flag} ${value}`).toBe(2);
      expect(r.stderr).toContain(`${flag!.slice(2)}: must be epoch ms, an ISO 8601 date-time with a zone`);
    }
    const audit = await run('audit', 'export', '--format', 'jsonl', '--since', '2015-02-30T00:00:00Z');
    expect(audit.code).toBe(2);
    expect(audit.stderr).toContain('--since must be epoch ms, an ISO 8601 date-time with a zone');
    // Both commands take the same forms: epoch ms and a date alone too.
    const ms = await run('anomalies', '--since', '1449705600000', '--until', '2015-12-11', '--json');
    expect(ms.code, ms.stderr).toBe(0);
    expect(JSON.parse(ms.stdout)).toMatchObject({
      since: '2015-12-10T00:00:00.000Z',
      until: '2015-12-11T00:00:00.000Z',
    });
    const day = await run('audit', 'export', '--format', 'jsonl', '--since', '2015-12-10');
    expect(day.code, day.stderr).toBe(0);
  });

  it('an --event that names no log source', async () => {
    const r = await run(
      'anomalies',
      '--since',
      '2015-12-10T00:00:00Z',
      '--until',
      '2015-12-11T00:00:00Z',
      '--event',
      'bogus',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('event: must be a log source (sshd, nginx, dovecot, jsonl)');
    const ok = await run(
      'anomalies',
      '--since',
      '2015-12-10T00:00:00Z',
      '--until',
      '2015-12-11T00:00:00Z',
      '--event',
      'sshd',
    );
    expect(ok.code).toBe(0);
  });

  it('an unlock key whose IP part is not an IP', async () => {
    const r = await run('auth', 'unlock', 'ip:not-an-ip');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('key: the IP part must be an IP address');
    const v6 = await run('auth', 'unlock', 'ip:2001:db8:9:9::5', '--json');
    expect(v6.code).toBe(0);
    expect(JSON.parse(v6.stdout)).toEqual({ key: 'ip:2001:db8:9:9::/64', was_locked: false });
  });
});
