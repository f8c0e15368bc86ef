import { createHmac, createPublicKey, verify as edVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BulwarkError } from '../../../src/core/errors.js';
import { makeRig, rawMaterial, type Rig } from './keyring-fixtures.js';

const TOKEN_RE = /^bulwark:v(\d+):([A-Za-z0-9_-]+)$/;
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

async function rejection(p: Promise<unknown>): Promise<BulwarkError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(BulwarkError);
    return e as BulwarkError;
  }
  throw new Error('expected a BulwarkError');
}

/** RFC 8032 §7.1 test vectors 1 and 2 (Ed25519). */
const RFC8032 = [
  {
    secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    public: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
];

/** Stores a key whose version 1 is the given Ed25519 seed, wrapped the way the keyring wraps material. */
async function importEd25519(rig: Rig, name: string, seedHex: string): Promise<void> {
  const pkcs8 = Buffer.from(`302e020100300506032b657004220420${seedHex}`, 'hex');
  const now = new Date();
  await rig.store.createKey({
    name,
    type: 'ed25519',
    policy: { min_decryption_version: 1, auto_rotate_period_ms: 0, deletion_allowed: false },
    created_at: now,
    versions: [
      {
        version: 1,
        created_at: now,
        wrapped_material: rig.master.wrap(pkcs8, { keyName: name, version: 1, type: 'ed25519' }),
      },
    ],
  });
}

/** Same bytes, different spelling: sets a padding bit of the last base64url character. */
function nonCanonical(token: string): string {
  const last = token.at(-1)!;
  return token.slice(0, -1) + B64URL[B64URL.indexOf(last) | 1];
}

describe('Ed25519 signing', () => {
  it.each(RFC8032)('matches RFC 8032 test vector (message "$message")', async (vector) => {
    const rig = await makeRig();
    await importEd25519(rig, 'rfc', vector.secret);
    const token = await rig.keyring.sign('rfc', Buffer.from(vector.message, 'hex'));
    expect(token).toBe(`bulwark:v1:${Buffer.from(vector.signature, 'hex').toString('base64url')}`);
    const spki = createPublicKey(await rig.keyring.publicKey('rfc')).export({ format: 'der', type: 'spki' });
    expect(spki.subarray(-32).toString('hex')).toBe(vector.public);
    expect(await rig.keyring.verify('rfc', Buffer.from(vector.message, 'hex'), token)).toBe(true);
  });

  it('verifies its own signatures and answers false — never throws — for anything else', async () => {
    const { keyring } = await makeRig();
    await keyring.createKey('signer', 'ed25519');
    await keyring.createKey('other', 'ed25519');
    const sig = await keyring.sign('signer', 'release 1.2.3');
    expect(sig).toMatch(TOKEN_RE);
    expect(Buffer.from(TOKEN_RE.exec(sig)![2]!, 'base64url')).toHaveLength(64);
    expect(await keyring.verify('signer', 'release 1.2.3', sig)).toBe(true);
    expect(await keyring.verify('signer', Buffer.from('release 1.2.3'), sig)).toBe(true);

    const body = sig.slice('bulwark:v1:'.length);
    const flipped = Buffer.from(body, 'base64url');
    flipped[5]! ^= 0x80;
    for (const bad of [
      '',
      'not a signature',
      sig.slice(0, -2),
      `${sig}AA`,
      `bulwark:v1:${flipped.toString('base64url')}`,
      `bulwark:v9:${body}`,
      `bulwark:v0:${body}`,
      `vault:v1:${body}`,
      nonCanonical(sig),
      42 as unknown as string,
      null as unknown as string,
    ]) {
      expect(await keyring.verify('signer', 'release 1.2.3', bad)).toBe(false);
    }
    expect(await keyring.verify('signer', 'release 1.2.4', sig)).toBe(false);
    expect(await keyring.verify('other', 'release 1.2.3', sig)).toBe(false);
  });

  it('keeps verifying old signatures with their version after rotation, until that version is retired', async () => {
    const { keyring } = await makeRig();
    await keyring.createKey('signer', 'ed25519');
    const v1 = await keyring.sign('signer', 'doc');
    await keyring.rotate('signer', { rotated_by: 'svc' });
    await keyring.rotate('signer', { rotated_by: 'svc' });
    const v3 = await keyring.sign('signer', 'doc');
    expect(v3.startsWith('bulwark:v3:')).toBe(true);
    expect(await keyring.verify('signer', 'doc', v1)).toBe(true);
    expect(await keyring.verify('signer', 'doc', v3)).toBe(true);

    // Each version has its own public key; an outside verifier can check v1 with publicKey(…, 1).
    const pem1 = await keyring.publicKey('signer', 1);
    expect(pem1).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(pem1).not.toBe(await keyring.publicKey('signer'));
    expect(await keyring.publicKey('signer')).toBe(await keyring.publicKey('signer', 3));
    expect(edVerify(null, Buffer.from('doc'), pem1, Buffer.from(v1.slice(11), 'base64url'))).toBe(true);

    await keyring.updatePolicy('signer', { min_decryption_version: 2 });
    expect(await keyring.verify('signer', 'doc', v1)).toBe(false);
    expect(await keyring.verify('signer', 'doc', v3)).toBe(true);
  });

  it('treats misuse as errors: unknown key, wrong key type, unknown public key version', async () => {
    const { keyring } = await makeRig();
    await keyring.createKey('aes', 'aes256-gcm');
    await keyring.createKey('signer', 'ed25519');
    expect(await rejection(keyring.verify('ghost', 'x', 'bulwark:v1:AA'))).toMatchObject({
      code: 'not_found',
    });
    expect(await rejection(keyring.sign('aes', 'x'))).toMatchObject({ code: 'validation_failed' });
    expect(await rejection(keyring.verify('aes', 'x', 'bulwark:v1:AA'))).toMatchObject({
      code: 'validation_failed',
    });
    expect(await rejection(keyring.publicKey('aes'))).toMatchObject({ code: 'validation_failed' });
    expect(await rejection(keyring.publicKey('signer', 2))).toMatchObject({ code: 'not_found' });
    expect(await rejection(keyring.publicKey('signer', 0))).toMatchObject({ code: 'validation_failed' });
  });
});

describe('HMAC-SHA256', () => {
  it('is HMAC-SHA256 under the version material, versioned like the other tokens', async () => {
    const rig = await makeRig();
    await rig.keyring.createKey('mac', 'hmac-sha256');
    const mac = await rig.keyring.hmac('mac', 'webhook body');
    const expected = createHmac('sha256', await rawMaterial(rig, 'mac', 1))
      .update('webhook body')
      .digest();
    expect(mac).toBe(`bulwark:v1:${expected.toString('base64url')}`);
    expect(await rig.keyring.hmac('mac', 'webhook body')).toBe(mac); // deterministic
  });

  it('verifies across rotation and answers false for anything else', async () => {
    const { keyring } = await makeRig();
    await keyring.createKey('mac', 'hmac-sha256');
    const v1 = await keyring.hmac('mac', 'payload');
    await keyring.rotate('mac', { rotated_by: 'svc' });
    const v2 = await keyring.hmac('mac', 'payload');
    expect(v2.startsWith('bulwark:v2:')).toBe(true);
    expect(v2.slice(11)).not.toBe(v1.slice(11));
    expect(await keyring.verifyHmac('mac', 'payload', v1)).toBe(true);
    expect(await keyring.verifyHmac('mac', 'payload', v2)).toBe(true);
    for (const bad of [
      v1.replace('bulwark:v1:', 'bulwark:v2:'),
      nonCanonical(v2),
      v2.slice(0, -1),
      'x',
      '',
    ]) {
      expect(await keyring.verifyHmac('mac', 'payload', bad)).toBe(false);
    }
    expect(await keyring.verifyHmac('mac', 'payload!', v2)).toBe(false);
    await keyring.updatePolicy('mac', { min_decryption_version: 2 });
    expect(await keyring.verifyHmac('mac', 'payload', v1)).toBe(false);
  });
});
