/**
 * The new-user tester's CLI faults, each as the answer it should have been:
 * - `bulwark nosuchcommand` → "unknown command", exit 2 (it said "too many arguments");
 * - a command group named alone (`bulwark vulns`) → that group's help on stderr, exit 2 (was 0),
 *   for every group of the program;
 * - `bulwark audit tail -n 99999999999` → every event, paged (it was silently capped at 500);
 * - `bulwark auth import` of a file none of whose lines is in the `--format` (wrong format, binary)
 *   → says so, exit 2 (it exited 0 with 0 attempts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBulwark } from '../../src/app/bulwark.js';
import { buildProgram } from '../../src/cli/main.js';
import { runCli } from '../support/cli.js';
import { hasSharedData, sharedPath } from '../support/shared-data.js';

describe('bulwark usage errors', () => {
  let dir: string;
  let db: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'bulwark-usage-'));
    db = `sqlite:${path.join(dir, 'cli.db')}`;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (...args: string[]) => runCli(db, args, { separator: '\n' });

  it('an unknown command is "unknown command", exit 2', async () => {
    const r = await run('nosuchcommand');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'nosuchcommand'");
    expect(r.stderr).not.toContain('too many arguments');
    const sub = await run('vulns', 'nosuchsub');
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain("unknown command 'nosuchsub'");
  });

  it('bulwark alone and every command group alone print their help on stderr and exit 2', async () => {
    const bare = await run();
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('Usage: bulwark');

    const groups: string[][] = [];
    const walk = (cmd: Command, trail: string[]) => {
      for (const sub of cmd.commands) {
        const here = [...trail, sub.name()];
        if (sub.commands.length > 0) groups.push(here);
        walk(sub, here);
      }
    };
    walk(
      buildProgram({ stdout: () => {}, stderr: () => {} }, () => {}),
      [],
    );
    expect(groups.map((g) => g.join(' '))).toEqual(
      expect.arrayContaining([
        'tokens',
        'vulns',
        'keys',
        'audit',
        'audit checkpoints',
        'auth',
        'advisories',
        'approvals',
      ]),
    );
    for (const g of groups) {
      const r = await run(...g);
      expect(r.code, g.join(' ')).toBe(2);
      expect(r.stderr, g.join(' ')).toContain(`Usage: bulwark ${g.join(' ')}`);
      expect(r.stdout, g.join(' ')).toBe('');
    }
  });

  it('asking for help is not an error', async () => {
    for (const args of [
      ['--help'],
      ['vulns', '--help'],
      ['help', 'vulns'],
      ['audit', 'checkpoints', '--help'],
    ]) {
      const r = await run(...args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).toContain('Usage: bulwark');
    }
  });

  it('audit tail -n pages through instead of stopping at 500', async () => {
    const b = await createBulwark({ database_url: db }, { logLevel: 'silent', env: {} });
    try {
      const events = Array.from({ length: 700 }, (_, i) => ({
        event_type: 'config_change' as const,
        user_id: 'test',
        source_ip: '127.0.0.1',
        action: `tail-${i}`,
        outcome: 'allowed' as const,
        metadata: { i },
      }));
      await b.audit.appendBatch(events);
    } finally {
      await b.close();
    }
    const lines = (r: { stdout: string }) => r.stdout.split('\n').filter((l) => l.includes('tail-'));
    const all = await run('audit', 'tail', '-n', '99999999999');
    expect(all.code).toBe(0);
    expect(lines(all)).toHaveLength(700);
    const some = await run('audit', 'tail', '-n', '600', '--json');
    expect(some.code).toBe(0);
    const json = some.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { action: string });
    expect(json).toHaveLength(600);
    expect(json[json.length - 1]!.action).toBe('tail-699'); // the latest last, oldest first
    expect(json[0]!.action).toBe('tail-100');
    expect(lines(await run('audit', 'tail', '-n', '0'))).toHaveLength(0);
  });

  describe('auth import of a file that is not in the --format', () => {
    it('a binary file: says no line is a log line of the format, exit 2', async () => {
      const bin = path.join(dir, 'random.bin');
      writeFileSync(bin, randomBytes(8192));
      for (const format of ['sshd', 'nginx', 'jsonl', 'dovecot']) {
        const r = await run('auth', 'import', bin, '--format', format);
        expect(r.code, format).toBe(2);
        expect(r.stderr, format).toContain(`random.bin: no line is a ${format} log line`);
        expect(r.stderr, format).toContain('check --format');
      }
    });

    it.runIf(hasSharedData || process.env.CI === 'true')(
      'the real sshd log read as nginx or jsonl: exit 2; as sshd: exit 0',
      async () => {
        const log = sharedPath('authlogs/loghub-openssh/OpenSSH_2k.log');
        for (const format of ['nginx', 'jsonl']) {
          const r = await run('auth', 'import', log, '--format', format);
          expect(r.code, format).toBe(2);
          expect(r.stdout, format).toContain('attempts recorded: 0');
          expect(r.stderr, format).toContain(
            `OpenSSH_2k.log: no line is a ${format} log line (2000 lines read`,
          );
        }
        const json = await run('auth', 'import', log, '--format', 'nginx', '--json');
        expect(json.code).toBe(2);
        expect(JSON.parse(json.stdout).per_file[0]).toMatchObject({ lines: 2000, format_lines: 0 });
        const ok = await run('auth', 'import', log, '--format', 'sshd', '--year', '2015', '--json');
        expect(ok.code).toBe(0);
        expect(JSON.parse(ok.stdout)).toMatchObject({ lines: 2000, attempts_recorded: 693 });
      },
    );

    it('a log of the format with no attempt in it, or an empty file, is not an error', async () => {
      const quiet = path.join(dir, 'quiet.log');
      writeFileSync(
        quiet,
        'Dec 10 06:55:46 LabSZ sshd[24200]: Received disconnect from 1.2.3.4: 11: Bye Bye [preauth]\n',
      );
      const r = await run('auth', 'import', quiet, '--format', 'sshd', '--year', '2015');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('attempts recorded: 0');
      const empty = path.join(dir, 'empty.log');
      writeFileSync(empty, '\n\n');
      expect((await run('auth', 'import', empty, '--format', 'sshd')).code).toBe(0);
    });
  });
});
