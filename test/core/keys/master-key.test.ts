import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BulwarkError } from '../../../src/core/errors.js';
import { MemoryKeyStore } from '../../../src/adapters/memory/key-store.js';
import { Keyring } from '../../../src/core/keys/keyring.js';
import { MasterKey, parseMasterKey } from '../../../src/core/keys/master-key.js';

function configError(fn: () => unknown): BulwarkError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BulwarkError);
    expect((e as BulwarkError).code).toBe('config_invalid');
    return e as BulwarkError;
  }
  throw new Error('expected a config_invalid error');
}

describe('parseMasterKey', () => {
  const raw = randomBytes(32);

  it('accepts 32 bytes as base64, base64url (padded or not) and hex — all the same key', () => {
    const forms = [
      raw.toString('base64'),
      raw.toString('base64url'),
      raw.toString('base64').replace(/=+$/, ''),
      raw.toString('hex'),
      raw.toString('hex').toUpperCase(),
      `  ${raw.toString('base64')}\n`, // env files and secrets mounts often carry a newline
    ];
    const checks = new Set(forms.map((f) => parseMasterKey(f).checkValue));
    expect(checks.size).toBe(1);
    expect(parseMasterKey(forms[0]).checkValue).toMatch(/^kcv1:[0-9a-f]{32}$/);
  });

  it('refuses a missing key and says how to make one', () => {
    for (const v of [undefined, null, '', '   ']) {
      const e = configError(() => parseMasterKey(v));
      expect(e.message).toMatch(/BULWARK_MASTER_KEY is not set/);
      expect(e.message).toMatch(/openssl rand -base64 32/);
      expect(e.field).toBe('BULWARK_MASTER_KEY');
    }
  });

  it('refuses short and long keys, naming the byte count', () => {
    expect(configError(() => parseMasterKey(randomBytes(16).toString('base64'))).message).toMatch(
      /decodes to 16 bytes/,
    );
    expect(configError(() => parseMasterKey(randomBytes(33).toString('base64'))).message).toMatch(
      /decodes to 33 bytes/,
    );
    expect(configError(() => parseMasterKey(randomBytes(31).toString('hex'))).message).toMatch(
      /is 31 bytes of hex/,
    );
    expect(configError(() => parseMasterKey(randomBytes(48).toString('hex'))).message).toMatch(
      /is 48 bytes of hex/,
    );
  });

  it('refuses garbage without echoing it', () => {
    const garbage = 'correct horse battery staple!!';
    const e = configError(() => parseMasterKey(garbage));
    expect(e.message).toMatch(/neither base64 nor hex/);
    expect(e.message).not.toContain('horse');
    // base64 alphabet but not decodable as such (dangling character)
    expect(configError(() => parseMasterKey('abcde')).message).toMatch(/not valid base64/);
  });

  it('refuses constant placeholders such as all zeros', () => {
    expect(configError(() => parseMasterKey('0'.repeat(64))).message).toMatch(/placeholder/);
    expect(configError(() => parseMasterKey(Buffer.alloc(32, 0xff).toString('base64'))).message).toMatch(
      /placeholder/,
    );
  });

  it("leaves no copy of the key in Node's shared Buffer pool (visible through any pooled Buffer's .buffer)", () => {
    for (const encode of ['hex', 'base64'] as const) {
      const raw = randomBytes(32);
      const master = parseMasterKey(raw.toString(encode));
      const slab = Buffer.from(Buffer.from('probe').buffer); // the current pool slab, whole
      expect(slab.length).toBe(Buffer.poolSize);
      expect(slab.includes(raw)).toBe(false);
      expect(master.checkValue).toMatch(/^kcv1:/);
    }
  });

  it('uses the setting name it is given in messages', () => {
    expect(configError(() => parseMasterKey('', 'keys.master')).message).toMatch(/^keys\.master is not set/);
  });
});

describe('MasterKey wrap/unwrap', () => {
  const master = MasterKey.fromBytes(randomBytes(32));
  const material = randomBytes(32);
  const ctx = { keyName: 'payments', version: 3, type: 'aes256-gcm' as const };

  it('round-trips material and never produces the same wrapping twice', () => {
    const a = master.wrap(material, ctx);
    const b = master.wrap(material, ctx);
    expect(a).toMatch(/^mk1:[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(master.unwrap(a, ctx).equals(material)).toBe(true);
  });

  it.each([
    ['another key name', { keyName: 'payments2' }],
    ['another version', { version: 2 }],
    ['another type', { type: 'hmac-sha256' as const }],
  ])('refuses wrapped material moved to %s (AAD binding)', (_label, change) => {
    const wrapped = master.wrap(material, ctx);
    expect(() => master.unwrap(wrapped, { ...ctx, ...change })).toThrow(
      expect.objectContaining({
        code: 'crypto_failed',
        message: expect.stringMatching(/cannot unwrap version/),
      }),
    );
  });

  it('refuses material wrapped by another master key, and altered or malformed material', () => {
    const other = MasterKey.fromBytes(randomBytes(32));
    const wrapped = master.wrap(material, ctx);
    expect(() => other.unwrap(wrapped, ctx)).toThrow(expect.objectContaining({ code: 'crypto_failed' }));
    const body = Buffer.from(wrapped.slice(4), 'base64url');
    body[20]! ^= 1;
    expect(() => master.unwrap(`mk1:${body.toString('base64url')}`, ctx)).toThrow(
      expect.objectContaining({ code: 'crypto_failed' }),
    );
    for (const bad of ['', 'mk1:', 'mk2:' + wrapped.slice(4), wrapped.slice(0, 20), 'mk1:!!!!']) {
      expect(() => master.unwrap(bad, ctx)).toThrow(expect.objectContaining({ code: 'crypto_failed' }));
    }
  });

  it('shows nothing of itself when logged', () => {
    expect(JSON.stringify({ master })).toBe('{"master":"MasterKey [redacted]"}');
    expect(inspect(master)).toBe('MasterKey [redacted]');
    expect(String(master)).toBe('MasterKey [redacted]');
    expect(Object.keys(master)).toEqual([]);
  });
});

describe('key check value', () => {
  it('is stable per master key and differs between keys', () => {
    const bytes = randomBytes(32);
    expect(MasterKey.fromBytes(bytes).checkValue).toBe(MasterKey.fromBytes(bytes).checkValue);
    expect(MasterKey.fromBytes(bytes).checkValue).not.toBe(MasterKey.fromBytes(randomBytes(32)).checkValue);
  });

  it('is not the key, nor a prefix of its encodings', () => {
    const bytes = randomBytes(32);
    const kcv = MasterKey.fromBytes(bytes).checkValue.slice(5);
    expect(bytes.toString('hex')).not.toContain(kcv.slice(0, 8));
  });

  it('lets a keyring detect a wrong master key at open, with a clear config error', async () => {
    const store = new MemoryKeyStore();
    const right = MasterKey.fromBytes(randomBytes(32));
    const keyring = await Keyring.open(store, right);
    await keyring.createKey('k', 'aes256-gcm');
    expect(await store.initMasterKeyCheck('anything')).toBe(right.checkValue);

    await expect(Keyring.open(store, MasterKey.fromBytes(randomBytes(32)))).rejects.toMatchObject({
      code: 'config_invalid',
      message: expect.stringMatching(/not the master key this keyring was created with/),
    });
    // The right key still opens it.
    const again = await Keyring.open(store, right);
    expect(await again.decrypt('k', await keyring.encrypt('k', 'still here'))).toEqual(
      Buffer.from('still here'),
    );
  });
});
