import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { startServer } from '../../src/app/serve.js';
import { runCli } from '../support/cli.js';

const VECTOR = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';

describe('bulwark CLI', () => {
  let dir: string;
  let db: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'bulwark-cli-'));
    db = `sqlite:${path.join(dir, 'cli.db')}`;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (...args: string[]) => runCli(db, args);

  it('prints help and exits 0', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    for (const cmd of ['serve', 'migrate', 'tokens', 'vulns', 'posture']) expect(r.stdout).toContain(cmd);
  });

  it('exits 2 on usage errors', async () => {
    const bare = await run();
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('Usage: bulwark');
    expect((await run('no-such-command')).code).toBe(2);
    for (const args of [
      ['vulns', 'list', '--category', 'A11'],
      ['vulns', 'list', '--category', 'A03:2021', '--edition', '2025'],
      ['vulns', 'list', '--category', 'A03:2021,A03:2025'],
      ['vulns', 'list', '--edition', '2021'],
      ['vulns', 'list', '--text', '\u0001'],
      ['vulns', 'list', '--text', '\u202e'],
      ['vulns', 'list', '--component', '\u0000x'],
      ['vulns', 'list', '--text', ''],
      ['vulns', 'add', '--title', 't', '--component', 'c', '--score', '0x5', '--category', 'A01'],
      ['vulns', 'add', '--title', 't', '--component', 'c', '--score', '1e1', '--category', 'A01'],
    ]) {
      expect((await run(...args)).code, args.join(' ')).toBe(2);
    }
    expect((await run('tokens', 'create', '--name', 'x')).code).toBe(2); // --scope missing
    expect(
      (await run('vulns', 'add', '--title', 't', '--component', 'c', '--score', 'abc', '--category', 'A01'))
        .code,
    ).toBe(2);
  });

  it('migrates, and is idempotent', async () => {
    const first = await run('migrate', '--json');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).current).toContain('001_initial');
    const again = await run('migrate');
    expect(again.stdout).toContain('already up to date');
  });

  it('creates, lists and revokes tokens; the secret is printed once', async () => {
    const created = await run('tokens', 'create', '--scope', 'admin', '--name', 'ops', '--json');
    expect(created.code).toBe(0);
    const { token, id, scope } = JSON.parse(created.stdout);
    expect(token).toMatch(/^bwk_[A-Za-z0-9_-]{43}$/);
    expect(scope).toBe('admin');
    const list = await run('tokens', 'list', '--json');
    expect(list.stdout).not.toContain(token);
    expect(JSON.parse(list.stdout).map((t: { id: string }) => t.id)).toContain(id);
    expect((await run('tokens', 'create', '--scope', 'root', '--name', 'x')).code).toBe(2);
    // A name the audit redactor would change is refused, not stored as a marker (or in the clear).
    const secretName = await run(
      'tokens',
      'create',
      '--scope',
      'read',
      '--name',
      'ghp_0123456789abcdefghijABCDEFGHIJ012345',
    );
    expect(secretName.code).toBe(2);
    expect(secretName.stderr).toMatch(/^bulwark: validation_failed: name: looks like a secret/);
    expect((await run('tokens', 'list', '--json')).stdout).not.toContain('ghp_');
    expect((await run('tokens', 'revoke', id)).code).toBe(0);
    const again = await run('tokens', 'revoke', id);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('not_found');
  });

  it('adds, lists, shows and transitions vulnerabilities with lifecycle exit codes', async () => {
    const added = await run(
      'vulns',
      'add',
      '--title',
      'Injection in search',
      '--component',
      'search',
      '--vector',
      VECTOR,
      '--cwe',
      '89',
      '--json',
    );
    expect(added.code).toBe(0);
    const v = JSON.parse(added.stdout);
    expect(v).toMatchObject({ cvss_score: 9.8, severity: 'critical', owasp_category: 'A05', status: 'open' });

    const bad = await run(
      'vulns',
      'add',
      '--title',
      'x',
      '--component',
      'y',
      '--score',
      '10.05',
      '--category',
      'A01',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--score');

    expect((await run('vulns', 'transition', v.id, 'resolved')).code).toBe(2); // open → resolved is illegal
    expect((await run('vulns', 'transition', v.id, 'in_progress')).code).toBe(0);
    expect((await run('vulns', 'transition', v.id, 'resolved', '--note', 'patched')).code).toBe(0);

    const shown = JSON.parse((await run('vulns', 'show', v.id, '--json')).stdout);
    expect(shown.status).toBe('resolved');
    expect(shown.history.map((h: { to_status: string }) => h.to_status)).toEqual(['in_progress', 'resolved']);

    const listed = await run('vulns', 'list', '--status', 'resolved', '--json');
    expect(JSON.parse(listed.stdout).items.map((x: { id: string }) => x.id)).toEqual([v.id]);
    expect((await run('vulns', 'list', '--status', 'bogus')).code).toBe(2);
    const table = await run('vulns', 'list');
    expect(table.stdout).toContain('Injection in search');

    const posture = JSON.parse((await run('posture', '--json')).stdout);
    expect(posture.by_status.resolved).toBe(1);
    expect(posture.health.zero_criticals).toBe(true);
  });

  it('exits 3 when the store cannot be reached', async () => {
    const stderr: string[] = [];
    const code = await main(['node', 'bulwark', '--db', 'postgres://nobody@127.0.0.1:1/none', 'posture'], {
      stdout: () => {},
      stderr: (t) => stderr.push(t),
    });
    expect(code).toBe(3);
    expect(stderr.join('')).toContain('store_unavailable');
  });

  it.each(['mysql://x', 'postgres://[::1', 'sqlite:'])(
    'exits 2 naming the setting for database URL %s',
    async (url) => {
      const stderr: string[] = [];
      const code = await main(['node', 'bulwark', '--db', url, 'posture'], {
        stdout: () => {},
        stderr: (t) => stderr.push(t),
      });
      expect(code).toBe(2);
      expect(stderr.join('')).toContain('config_invalid');
      expect(stderr.join('')).toContain('BULWARK_DATABASE_URL');
    },
  );

  it('names the flag, not the API field, in validation errors of vulns add', async () => {
    const r = await run(
      'vulns',
      'add',
      '--title',
      't',
      '--component',
      'c',
      '--score',
      '10.05',
      '--category',
      'A01',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--score:');
    expect(r.stderr).not.toContain('cvss_score');
    const cwe = await run(
      'vulns',
      'add',
      '--title',
      't',
      '--component',
      'c',
      '--score',
      '5',
      '--cwe',
      'CWE-1,nope',
    );
    expect(cwe.code).toBe(2);
    expect(cwe.stderr).toContain('--cwe (value 2):');
    const db = await main(['node', 'bulwark', '--db', 'mysql://x', 'posture'], {
      stdout: () => {},
      stderr: (t) => expect(t).toContain('--db'),
    });
    expect(db).toBe(2);
  });
});

it('names the setting when serve cannot listen on the host or port', async () => {
  await expect(
    startServer({ database_url: 'sqlite::memory:', host: 'no such host!', port: 0 }),
  ).rejects.toThrow(/host \(BULWARK_HOST \/ --host\)/);
  const first = await startServer({ database_url: 'sqlite::memory:', host: '127.0.0.1', port: 0 });
  try {
    const port = Number(new URL(first.url).port);
    await expect(startServer({ database_url: 'sqlite::memory:', host: '127.0.0.1', port })).rejects.toThrow(
      /port \(BULWARK_PORT \/ --port\).*already in use/,
    );
  } finally {
    await first.stop();
  }
});
