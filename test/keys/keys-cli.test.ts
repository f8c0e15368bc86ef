/** `bulwark keys …` end to end on a SQLite file: the default key file, reads with --json, errors and exit codes. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('bulwark keys CLI', () => {
  let dir: string;
  let dbFile: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'bulwark-keys-cli-'));
    dbFile = path.join(dir, 'keys.db');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (...args: string[]) => runCli(`sqlite:${dbFile}`, args, { separator: '\n' });

  it('creates the default master key file (0600) on first use and says so', async () => {
    const r = await run('keys', 'create', 'app.secrets', '--type', 'aes256-gcm', '--period', '30d', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${dbFile}.master-key`);
    const st = statSync(`${dbFile}.master-key`);
    expect(st.mode & 0o777).toBe(0o600);
    expect(readFileSync(`${dbFile}.master-key`, 'utf8').trim()).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(JSON.parse(r.stdout)).toMatchObject({
      name: 'app.secrets',
      latest_version: 1,
      policy: { auto_rotate_period: '30d' },
    });
    // Later runs reuse it silently.
    const again = await run('keys', 'list', '--json');
    expect(again.code).toBe(0);
    expect(again.stderr).toBe('');
    expect(JSON.parse(again.stdout).map((k: { name: string }) => k.name)).toEqual([
      'app.secrets',
      'bulwark.audit.redaction',
    ]);
  });

  it('rotates, shows, changes policy and lists rotations', async () => {
    const v1 = (await run('keys', 'encrypt', 'app.secrets', 'old secret')).stdout.trim();
    expect(v1).toMatch(/^bulwark:v1:/);
    const rot = await run('keys', 'rotate', 'app.secrets', '--notes', 'quarterly', '--json');
    expect(rot.code, rot.stderr).toBe(0);
    expect(JSON.parse(rot.stdout)).toMatchObject([
      { key_id: 'app.secrets', version_from: 1, version_to: 2, notes: 'quarterly' },
    ]);
    expect(JSON.parse(rot.stdout)[0].rotated_by).toMatch(/^cli:/);
    const show = await run('keys', 'show', 'app.secrets');
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('latest version 2');
    const pol = await run('keys', 'policy', 'app.secrets', '--min-decryption-version', '2', '--json');
    expect(pol.code, pol.stderr).toBe(0);
    expect(JSON.parse(pol.stdout).policy.min_decryption_version).toBe(2);
    const retired = await run('keys', 'decrypt', 'app.secrets', v1);
    expect(retired.code).toBe(2);
    expect(retired.stderr).toContain('crypto_failed');
    expect(retired.stderr).toContain('min_decryption_version');
    expect(retired.stdout + retired.stderr).not.toContain('old secret');
    const rotations = await run('keys', 'rotations', 'app.secrets', '--json');
    expect(JSON.parse(rotations.stdout)).toHaveLength(1);
    const due = await run('keys', 'rotate', '--due', '--json');
    expect(due.code).toBe(0);
    expect(JSON.parse(due.stdout)).toEqual({ rotated: [], skipped: [] });
  });

  it('encrypts and decrypts; bad ciphertexts and unknown keys exit 2 with a clear code', async () => {
    const enc = await run('keys', 'encrypt', 'app.secrets', 'swordfish', '--aad', 'row-1');
    expect(enc.code).toBe(0);
    const ct = enc.stdout.trim();
    expect(ct).toMatch(/^bulwark:v2:/);
    const dec = await run('keys', 'decrypt', 'app.secrets', ct, '--aad', 'row-1');
    expect(dec.stdout.trim()).toBe('swordfish');
    for (const [label, args, code] of [
      ['wrong aad', ['keys', 'decrypt', 'app.secrets', ct, '--aad', 'row-2'], 'crypto_failed'],
      ['truncated', ['keys', 'decrypt', 'app.secrets', ct.slice(0, 25), '--aad', 'row-1'], 'crypto_failed'],
      [
        'tampered',
        [
          'keys',
          'decrypt',
          'app.secrets',
          ct.slice(0, -2) + (ct.endsWith('AA') ? 'BB' : 'AA'),
          '--aad',
          'row-1',
        ],
        'crypto_failed',
      ],
      ['garbage', ['keys', 'decrypt', 'app.secrets', 'not-a-ciphertext'], 'crypto_failed'],
      ['unknown key', ['keys', 'decrypt', 'nope', ct], 'not_found'],
      ['unknown key show', ['keys', 'show', 'nope'], 'not_found'],
      ['bad type', ['keys', 'create', 'x', '--type', 'rsa'], 'validation_failed'],
      [
        'bad period',
        ['keys', 'create', 'x', '--type', 'aes256-gcm', '--period', 'soon'],
        'validation_failed',
      ],
      ['bad name', ['keys', 'create', '../x', '--type', 'aes256-gcm'], 'validation_failed'],
      ['no names', ['keys', 'rotate'], 'validation_failed'],
      [
        'min too high',
        ['keys', 'policy', 'app.secrets', '--min-decryption-version', '7'],
        'validation_failed',
      ],
    ] as const) {
      const r = await run(...args);
      expect(r.code, label).toBe(2);
      expect(r.stderr, label).toContain(code);
      expect(r.stderr, label).not.toContain('swordfish');
      expect(r.stderr, label).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect((await run('keys', 'policy', 'app.secrets', '--min-decryption-version', 'x')).code).toBe(2);
  });

  it('refuses to start with a replaced master key file instead of silently making a new keyring', async () => {
    unlinkSync(`${dbFile}.master-key`);
    const r = await run('keys', 'list');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('config_invalid');
    expect(r.stderr).toContain('already holds a keyring');
    // And a different key put in its place is detected by the check value.
    writeFileSync(`${dbFile}.master-key`, randomBytes(32).toString('base64'), { mode: 0o600 });
    const other = await run('keys', 'list');
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('not the master key this keyring was created with');
  });
});
