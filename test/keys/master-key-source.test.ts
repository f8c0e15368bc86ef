/** Where the master key comes from, and the clear errors when it is wrong (never echoing the key). */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBulwark } from '../../src/app/bulwark.js';
import { defaultKeyFile, resolveMasterKey } from '../../src/app/keys/master-key-source.js';

describe('master key sources', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-mk-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const opts = { generate: false, keyringExists: false };

  it('takes the value, or a file, never both', () => {
    const value = randomBytes(32).toString('hex');
    expect(resolveMasterKey({ master_key: value, database_url: 'sqlite:x.db' }, opts)).toMatchObject({
      origin: 'env',
    });
    const file = path.join(dir, 'mk');
    writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
    const fromFile = resolveMasterKey({ master_key_file: file, database_url: 'postgres://x' }, opts);
    expect(fromFile).toMatchObject({ origin: 'file', warnings: [] });
    expect(() =>
      resolveMasterKey({ master_key: value, master_key_file: file, database_url: 'sqlite:x.db' }, opts),
    ).toThrow(/both set/);
  });

  it('refuses malformed keys and unreadable files with config_invalid, never echoing the value', () => {
    const bad = 'not-a-key-' + 'x'.repeat(20);
    let err: unknown;
    try {
      resolveMasterKey({ master_key: bad, database_url: 'sqlite::memory:' }, opts);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'config_invalid' });
    expect(String((err as Error).message)).toContain('BULWARK_MASTER_KEY');
    expect(String((err as Error).message)).not.toContain(bad);
    const short = path.join(dir, 'short');
    writeFileSync(short, randomBytes(16).toString('base64'), { mode: 0o600 });
    expect(() => resolveMasterKey({ master_key_file: short, database_url: 'sqlite:x.db' }, opts)).toThrow(
      /16 bytes/,
    );
    expect(() =>
      resolveMasterKey({ master_key_file: path.join(dir, 'absent'), database_url: 'sqlite:x.db' }, opts),
    ).toThrow(/BULWARK_MASTER_KEY_FILE: cannot read/);
  });

  it('warns about a key file readable by others', () => {
    const loose = path.join(dir, 'loose');
    writeFileSync(loose, randomBytes(32).toString('base64'), { mode: 0o644 });
    const r = resolveMasterKey({ master_key_file: loose, database_url: 'sqlite:x.db' }, opts);
    expect(r.warnings.join()).toMatch(/readable by group or others.*chmod 600/);
  });

  it('uses the default key file only for SQLite files; ephemeral for memory; disabled otherwise', () => {
    expect(defaultKeyFile('sqlite:./data/b.db')).toBe('./data/b.db.master-key');
    expect(defaultKeyFile('sqlite::memory:')).toBeNull();
    expect(defaultKeyFile('postgres://h/db')).toBeNull();
    expect(resolveMasterKey({ database_url: 'sqlite::memory:' }, opts)).toMatchObject({
      origin: 'ephemeral',
    });
    const pg = resolveMasterKey(
      { database_url: 'postgres://h/db' },
      { generate: true, keyringExists: false },
    );
    expect(pg.master).toBeNull();
    expect('reason' in pg && pg.reason).toMatch(/BULWARK_MASTER_KEY/);
    const db = path.join(dir, 'gen.db');
    const generated = resolveMasterKey(
      { database_url: `sqlite:${db}` },
      { generate: true, keyringExists: false },
    );
    expect(generated).toMatchObject({ origin: 'generated-file', file: `${db}.master-key` });
    expect(statSync(`${db}.master-key`).mode & 0o777).toBe(0o600);
    expect(resolveMasterKey({ database_url: `sqlite:${db}` }, opts)).toMatchObject({
      origin: 'default-file',
    });
  });

  it('fails at start with a master key other than the keyring was made with', async () => {
    const url = `sqlite:${path.join(dir, 'wrong.db')}`;
    const b = await createBulwark(
      { database_url: url, master_key: randomBytes(32).toString('base64') },
      { logLevel: 'silent', env: {} },
    );
    await b.close();
    await expect(
      createBulwark(
        { database_url: url, master_key: randomBytes(32).toString('base64') },
        { logLevel: 'silent', env: {} },
      ),
    ).rejects.toMatchObject({
      code: 'config_invalid',
      message: expect.stringMatching(/not the master key this keyring was created with/),
    });
  });

  it('never keeps the master key in the loaded configuration', async () => {
    const key = randomBytes(32).toString('base64');
    const b = await createBulwark(
      { database_url: 'sqlite::memory:', master_key: key },
      { logLevel: 'silent', env: {} },
    );
    try {
      expect(JSON.stringify(b.config)).not.toContain(key);
      expect(b.config.master_key).toBe('[REDACTED]');
    } finally {
      await b.close();
    }
  });
});
