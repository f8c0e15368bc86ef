import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { BulwarkError } from '../../../src/core/errors.js';
import { Keyring } from '../../../src/core/keys/keyring.js';
import { describeWithSharedData } from '../../support/shared-data.js';
import { gitleaksSecrets, makeRig, manualClock, rawMaterial } from './keyring-fixtures.js';

const TOKEN_RE = /^bulwark:v(\d+):([A-Za-z0-9_-]+)$/;
const rotateBy = { rotated_by: 'svc:key-admin' };

async function rejection(p: Promise<unknown>): Promise<BulwarkError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(BulwarkError);
    return e as BulwarkError;
  }
  throw new Error('expected a BulwarkError');
}

/** Flips one bit of the decoded payload at `index` (negative = from the end). */
function flip(token: string, index: number): string {
  const [, v, body] = TOKEN_RE.exec(token)!;
  const bytes = Buffer.from(body!, 'base64url');
  bytes[index < 0 ? bytes.length + index : index]! ^= 0x01;
  return `bulwark:v${v}:${bytes.toString('base64url')}`;
}

describe('Keyring encrypt/decrypt', () => {
  it('round-trips strings, buffers and the empty plaintext, with and without AAD', async () => {
    const { keyring } = await makeRig();
    await keyring.createKey('messages', 'aes256-gcm');
    const binary = randomBytes(4096);
    for (const [plaintext, aad] of [
      ['hello, 世界', undefined],
      [binary, undefined],
      ['', undefined],
      ['bound to a row', 'row:42'],
      [binary, Buffer.from([0, 1, 2])],
    ] as const) {
      const token = await keyring.encrypt('messages', plaintext, aad);
      expect(token).toMatch(TOKEN_RE);
      expect(token.startsWith('bulwark:v1:')).toBe(true);
      expect((await keyring.decrypt('messages', token, aad)).equals(Buffer.from(plaintext))).toBe(true);
    }
  });

  it('never produces the same ciphertext twice for the same plaintext (fresh nonces)', async () => {
    const { keyring } = await makeRig();
    await keyring.createKey('k', 'aes256-gcm');
    const tokens = new Set<string>();
    const nonces = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const t = await keyring.encrypt('k', 'same');
      tokens.add(t);
      nonces.add(Buffer.from(TOKEN_RE.exec(t)![2]!, 'base64url').subarray(0, 12).toString('hex'));
    }
    expect(tokens.size).toBe(3000);
    expect(nonces.size).toBe(3000); // crosses the nonce pool refill (1,024 per fill) twice
  });

  it('produces the documented layout: nonce ‖ AES-256-GCM ciphertext ‖ tag, AAD = header ‖ caller AAD', async () => {
    const rig = await makeRig();
    await rig.keyring.createKey('layout', 'aes256-gcm');
    const key = createSecretKey(await rawMaterial(rig, 'layout', 1));
    const header = Buffer.from('bulwark/enc/v1\0layout\x001\0');

    // Keyring → hand-written decryption
    const token = await rig.keyring.encrypt('layout', 'interop', 'ctx');
    const blob = Buffer.from(TOKEN_RE.exec(token)![2]!, 'base64url');
    expect(blob.length).toBe(12 + 7 + 16);
    const d = createDecipheriv('aes-256-gcm', key, blob.subarray(0, 12));
    d.setAuthTag(blob.subarray(-16));
    d.setAAD(Buffer.concat([header, Buffer.from('ctx')]));
    expect(Buffer.concat([d.update(blob.subarray(12, -16)), d.final()]).toString()).toBe('interop');

    // Hand-written encryption → Keyring
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, iv);
    c.setAAD(header);
    const sealed = Buffer.concat([iv, c.update('made by hand'), c.final(), c.getAuthTag()]);
    expect(
      (await rig.keyring.decrypt('layout', `bulwark:v1:${sealed.toString('base64url')}`)).toString(),
    ).toBe('made by hand');
  });

  it('refuses tampering anywhere in the payload: nonce, body, tag', async () => {
    const { keyring } = await makeRig();
    await keyring.createKey('k', 'aes256-gcm');
    const token = await keyring.encrypt('k', 'attack at dawn');
    for (const at of [0, 11, 12, 20, -17, -16, -1]) {
      const e = await rejection(keyring.decrypt('k', flip(token, at)));
      expect(e.code).toBe('crypto_failed');
      expect(e.message).toMatch(/failed authentication under version 1 of key 'k'/);
      expect(e.message).not.toContain('attack');
    }
  });

  it('refuses the wrong AAD, a missing AAD and an unexpected AAD', async () => {
    const { keyring } = await makeRig();
    await keyring.createKey('k', 'aes256-gcm');
    const bound = await keyring.encrypt('k', 'secret', 'user:1');
    const unbound = await keyring.encrypt('k', 'secret');
    for (const [token, aad] of [
      [bound, 'user:2'],
      [bound, undefined],
      [bound, 'user:1 '],
      [unbound, 'user:1'],
    ] as const) {
      expect(await rejection(keyring.decrypt('k', token, aad))).toMatchObject({ code: 'crypto_failed' });
    }
  });

  it('refuses truncated ciphertexts', async () => {
    const { keyring } = await makeRig();
    await keyring.createKey('k', 'aes256-gcm');
    const token = await keyring.encrypt('k', 'a payload long enough to cut in several places');
    for (const cut of [1, 4, 16, 30, token.length - 'bulwark:v1:'.length - 8]) {
      const e = await rejection(keyring.decrypt('k', token.slice(0, token.length - cut)));
      expect(e.code).toBe('crypto_failed');
    }
    expect(
      (await rejection(keyring.decrypt('k', token.slice(0, 'bulwark:v1:'.length + 20)))).message,
    ).toMatch(/truncated/);
  });

  it('refuses strings that are not Bulwark ciphertexts', async () => {
    const { keyring } = await makeRig();
    await keyring.createKey('k', 'aes256-gcm');
    const good = await keyring.encrypt('k', 'x');
    const body = good.slice('bulwark:v1:'.length);
    for (const bad of [
      '',
      'hello',
      `vault:v1:${body}`,
      `bulwark:v0:${body}`,
      `bulwark:v01:${body}`,
      `bulwark:v-1:${body}`,
      `bulwark:vx:${body}`,
      `bulwark:v99999999999:${body}`,
      `bulwark:v1${body}`,
      'bulwark:v1:',
      `bulwark:v1:${body}!`,
      `bulwark:v1:${body.slice(0, 10)} ${body.slice(10)}`,
      `BULWARK:V1:${body}`,
    ]) {
      const e = await rejection(keyring.decrypt('k', bad));
      expect(e.code, bad).toBe('crypto_failed');
    }
    expect((await rejection(keyring.decrypt('k', 'hello'))).message).toMatch(/not a Bulwark ciphertext/);
    expect(await rejection(keyring.decrypt('k', 42 as unknown as string))).toMatchObject({
      code: 'validation_failed',
    });
  });

  it('answers not_found for unknown keys and crypto_failed for unknown versions', async () => {
    const { keyring } = await makeRig();
    await keyring.createKey('k', 'aes256-gcm');
    const token = await keyring.encrypt('k', 'x');
    expect(await rejection(keyring.decrypt('nope', token))).toMatchObject({
      code: 'not_found',
      message: "key 'nope' does not exist",
    });
    expect(await rejection(keyring.encrypt('nope', 'x'))).toMatchObject({ code: 'not_found' });
    const future = token.replace('bulwark:v1:', 'bulwark:v7:');
    expect(await rejection(keyring.decrypt('k', future))).toMatchObject({
      code: 'crypto_failed',
      message: expect.stringMatching(/version 7 of key 'k' does not exist \(latest is 1\)/),
    });
  });

  it('refuses a ciphertext of one key presented to another', async () => {
    const { keyring } = await makeRig();
    await keyring.createKey('a', 'aes256-gcm');
    await keyring.createKey('b', 'aes256-gcm');
    const token = await keyring.encrypt('a', 'for a only');
    expect(await rejection(keyring.decrypt('b', token))).toMatchObject({ code: 'crypto_failed' });
  });

  it('refuses misuse with validation errors: wrong key type, bad key name, bad payload type', async () => {
    const { keyring } = await makeRig();
    await keyring.createKey('signer', 'ed25519');
    await keyring.createKey('k', 'aes256-gcm');
    expect(await rejection(keyring.encrypt('signer', 'x'))).toMatchObject({
      code: 'validation_failed',
      message: expect.stringMatching(/ed25519 key; encrypt needs a aes256-gcm key/),
    });
    expect(await rejection(keyring.encrypt('../etc', 'x'))).toMatchObject({
      code: 'validation_failed',
      field: 'keyName',
    });
    expect(await rejection(keyring.encrypt('k', 12 as unknown as string))).toMatchObject({
      code: 'validation_failed',
      field: 'plaintext',
    });
    expect(await rejection(keyring.createKey('k', 'aes256-gcm'))).toMatchObject({ code: 'conflict' });
    expect(await rejection(keyring.createKey('k2', 'rsa' as never))).toMatchObject({
      code: 'validation_failed',
      field: 'type',
    });
    expect(await rejection(keyring.createKey('bad name', 'aes256-gcm'))).toMatchObject({ field: 'name' });
  });
});

describe('min_decryption_version', () => {
  it('retires old versions for decrypt until lowered again', async () => {
    const { keyring } = await makeRig();
    await keyring.createKey('k', 'aes256-gcm');
    const v1 = await keyring.encrypt('k', 'one');
    await keyring.rotate('k', rotateBy);
    const v2 = await keyring.encrypt('k', 'two');
    await keyring.rotate('k', rotateBy);
    expect(v2.startsWith('bulwark:v2:')).toBe(true);

    await keyring.updatePolicy('k', { min_decryption_version: 2 });
    const e = await rejection(keyring.decrypt('k', v1));
    expect(e).toMatchObject({ code: 'crypto_failed' });
    expect(e.message).toMatch(/version 1 of key 'k' is below its min_decryption_version \(2\)/);
    expect((await keyring.decrypt('k', v2)).toString()).toBe('two');
    expect(await rejection(keyring.rewrap('k', v1))).toMatchObject({ code: 'crypto_failed' });

    await keyring.updatePolicy('k', { min_decryption_version: 1 });
    expect((await keyring.decrypt('k', v1)).toString()).toBe('one');
  });

  it('cannot be set above the latest version or below the oldest stored one', async () => {
    const { keyring } = await makeRig();
    await keyring.createKey('k', 'aes256-gcm', { deletion_allowed: true });
    await keyring.rotate('k', rotateBy);
    await keyring.rotate('k', rotateBy);
    expect(await rejection(keyring.updatePolicy('k', { min_decryption_version: 4 }))).toMatchObject({
      code: 'validation_failed',
      field: 'policy.min_decryption_version',
    });
    await keyring.updatePolicy('k', { min_decryption_version: 3 });
    await keyring.trimVersions('k', 3);
    expect(await rejection(keyring.updatePolicy('k', { min_decryption_version: 1 }))).toMatchObject({
      message: expect.stringMatching(/from 3 \(oldest stored version\) to 3/),
    });
  });
});

describe('rewrap', () => {
  it('moves a ciphertext to the latest version, keeps its AAD binding, and leaves current ones alone', async () => {
    const { keyring } = await makeRig();
    await keyring.createKey('k', 'aes256-gcm');
    const old = await keyring.encrypt('k', 'payload', 'row:7');
    await keyring.rotate('k', rotateBy);
    await keyring.rotate('k', rotateBy);

    const fresh = await keyring.rewrap('k', old, 'row:7');
    expect(fresh.startsWith('bulwark:v3:')).toBe(true);
    expect((await keyring.decrypt('k', fresh, 'row:7')).toString()).toBe('payload');
    expect(await rejection(keyring.decrypt('k', fresh))).toMatchObject({ code: 'crypto_failed' });
    expect(await keyring.rewrap('k', fresh, 'row:7')).toBe(fresh);

    // Old versions can now be retired without losing this value.
    await keyring.updatePolicy('k', { min_decryption_version: 3 });
    expect((await keyring.decrypt('k', fresh, 'row:7')).toString()).toBe('payload');
  });

  it('authenticates before rewrapping: tampered or wrong-AAD input is refused, never re-encrypted', async () => {
    const { keyring } = await makeRig();
    await keyring.createKey('k', 'aes256-gcm');
    const old = await keyring.encrypt('k', 'payload', 'row:7');
    await keyring.rotate('k', rotateBy);
    expect(await rejection(keyring.rewrap('k', flip(old, 15), 'row:7'))).toMatchObject({
      code: 'crypto_failed',
    });
    expect(await rejection(keyring.rewrap('k', old, 'row:8'))).toMatchObject({ code: 'crypto_failed' });
    const current = await keyring.encrypt('k', 'payload');
    expect(await rejection(keyring.rewrap('k', flip(current, -1)))).toMatchObject({ code: 'crypto_failed' });
  });
});

describe('cache and other processes', () => {
  it('uses the new version right after its own rotation', async () => {
    const { keyring } = await makeRig();
    await keyring.createKey('k', 'aes256-gcm');
    expect((await keyring.encrypt('k', 'x')).startsWith('bulwark:v1:')).toBe(true);
    await keyring.rotate('k', rotateBy);
    expect((await keyring.encrypt('k', 'x')).startsWith('bulwark:v2:')).toBe(true);
  });

  it('decrypts a newer version made by another process at once, and encrypts with it after the TTL', async () => {
    const rig = await makeRig();
    const clock = manualClock();
    const a = await Keyring.open(rig.store, rig.master, { clock: clock.now, cacheTtlMs: 60_000 });
    const b = rig.keyring;
    await b.createKey('k', 'aes256-gcm');
    expect((await a.encrypt('k', 'x')).startsWith('bulwark:v1:')).toBe(true);

    await b.rotate('k', rotateBy);
    const fromB = await b.encrypt('k', 'made by b');
    expect((await a.decrypt('k', fromB)).toString()).toBe('made by b'); // reload on unknown newer version
    expect((await a.encrypt('k', 'x')).startsWith('bulwark:v2:')).toBe(true); // that reload refreshed latest

    await b.rotate('k', rotateBy);
    expect((await a.encrypt('k', 'x')).startsWith('bulwark:v2:')).toBe(true); // cached, within TTL
    clock.advance(60_001);
    expect((await a.encrypt('k', 'x')).startsWith('bulwark:v3:')).toBe(true);
  });

  it('sees another process raise min_decryption_version after the TTL', async () => {
    const rig = await makeRig();
    const clock = manualClock();
    const a = await Keyring.open(rig.store, rig.master, { clock: clock.now, cacheTtlMs: 10_000 });
    await rig.keyring.createKey('k', 'aes256-gcm');
    const v1 = await a.encrypt('k', 'old');
    await rig.keyring.rotate('k', rotateBy);
    await rig.keyring.updatePolicy('k', { min_decryption_version: 2 });
    expect((await a.decrypt('k', v1)).toString()).toBe('old');
    clock.advance(10_000);
    expect(await rejection(a.decrypt('k', v1))).toMatchObject({ code: 'crypto_failed' });
  });

  it('throttles store reloads caused by forged future versions', async () => {
    const rig = await makeRig();
    const clock = manualClock();
    const keyring = await Keyring.open(rig.store, rig.master, {
      clock: clock.now,
      missReloadIntervalMs: 1_000,
    });
    await keyring.createKey('k', 'aes256-gcm');
    const token = await keyring.encrypt('k', 'x');
    const reads = vi.spyOn(rig.store, 'getKey');
    for (let i = 0; i < 50; i++) {
      await rejection(keyring.decrypt('k', token.replace('bulwark:v1:', `bulwark:v${1000 + i}:`)));
    }
    expect(reads).toHaveBeenCalledTimes(1);
    clock.advance(1_000);
    await rejection(keyring.decrypt('k', token.replace('bulwark:v1:', 'bulwark:v5000:')));
    expect(reads).toHaveBeenCalledTimes(2);
  });

  it('loads a cold key once for many concurrent callers', async () => {
    const rig = await makeRig();
    await rig.keyring.createKey('k', 'aes256-gcm');
    const cold = await Keyring.open(rig.store, rig.master);
    const reads = vi.spyOn(rig.store, 'getKey');
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => cold.encrypt('k', `m${i}`)));
    expect(reads).toHaveBeenCalledTimes(1);
    expect((await cold.decrypt('k', tokens[19]!)).toString()).toBe('m19');
  });
});

describeWithSharedData('real secret values (gitleaks corpus)', () => {
  it('round-trips every fake secret, bound to its rule id, and no ciphertext reveals it', async () => {
    const rows = gitleaksSecrets();
    expect(rows.length).toBe(193);
    const { keyring } = await makeRig();
    await keyring.createKey('vault', 'aes256-gcm');
    const sealed = await Promise.all(rows.map((r) => keyring.encrypt('vault', r.text, r.rule_id)));
    for (const [i, row] of rows.entries()) {
      const token = sealed[i]!;
      expect(token).toMatch(TOKEN_RE);
      expect(token).not.toContain(row.text.slice(0, 12));
      // ciphertext length = plaintext + 28 bytes of overhead, base64url-encoded
      expect(Buffer.from(TOKEN_RE.exec(token)![2]!, 'base64url').length).toBe(
        Buffer.byteLength(row.text) + 28,
      );
      expect((await keyring.decrypt('vault', token, row.rule_id)).toString('utf8')).toBe(row.text);
    }
    // A secret sealed for one rule does not open for another.
    const other = rows.find((r) => r.rule_id !== rows[0]!.rule_id)!;
    expect(await rejection(keyring.decrypt('vault', sealed[0]!, other.rule_id))).toMatchObject({
      code: 'crypto_failed',
    });
  });
});
