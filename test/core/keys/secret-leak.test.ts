/**
 * A grep test: everything the keyring hands out or throws — return values, errors, the service
 * objects themselves — is serialised every way a log line might (JSON.stringify, util.inspect with
 * and without custom inspectors, String, error messages and stacks) and searched for any chunk of
 * any key material or of the master key, in hex, base64 and base64url.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { VersionKey } from '../../../src/core/keys/key-material.js';
import { Keyring } from '../../../src/core/keys/keyring.js';
import { MasterKey, parseMasterKey } from '../../../src/core/keys/master-key.js';
import type { KeyType } from '../../../src/core/keys/types.js';
import { makeRig, rawMaterial } from './keyring-fixtures.js';

/**
 * Every 16-character chunk of each encoding of `bytes` (hex, base64, base64url), and every 8-byte
 * run as a decimal list (how util.inspect shows a Uint8Array): catches partial leaks, not just whole
 * keys. Matched against the renderings with all whitespace removed, so `<Buffer 9d 61 …>` counts.
 */
function needles(bytes: Buffer): string[] {
  const out: string[] = [];
  for (const text of [bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url')]) {
    for (let i = 0; i + 16 <= text.length; i += 16) out.push(text.slice(i, i + 16));
  }
  for (let i = 0; i + 8 <= bytes.length; i += 8) out.push([...bytes.subarray(i, i + 8)].join(','));
  return out;
}

const found = (material: Buffer[], rendered: string[]): string[] => {
  const haystack = rendered.join('\n').replace(/\s+/g, '');
  return material.flatMap(needles).filter((n) => haystack.includes(n));
};

function renderings(value: unknown): string[] {
  const out = [
    inspect(value, { depth: Infinity, showHidden: true }),
    inspect(value, { depth: Infinity, showHidden: true, customInspect: false, getters: true }),
    String(value),
  ];
  try {
    out.push(JSON.stringify(value) ?? '');
  } catch {
    // not JSON-serialisable (e.g. a cycle): the inspect renderings still cover it
  }
  if (value instanceof Error)
    out.push(value.message, value.stack ?? '', JSON.stringify({ ...value, message: value.message }));
  return out;
}

async function caught(p: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('no key material in anything the keyring shows', () => {
  it('holds for return values, errors and the objects themselves', async () => {
    const rig = await makeRig();
    const { keyring } = rig;
    const types: KeyType[] = ['aes256-gcm', 'ed25519', 'hmac-sha256'];
    const shown: unknown[] = [keyring, rig.master, rig.store];
    for (const type of types) {
      shown.push(await keyring.createKey(type, type, { deletion_allowed: true }));
      shown.push(await keyring.rotate(type, { rotated_by: 'svc:leak-test', notes: 'rotation' }));
    }
    // Every version's raw material (taken before any is trimmed), and its unwrapped form as the cache holds it.
    const material: Buffer[] = [rig.masterBytes];
    for (const type of types) {
      for (const v of (await rig.store.getKey(type))!.versions) {
        const raw = await rawMaterial(rig, type, v.version);
        material.push(Buffer.from(raw));
        if (type === 'ed25519') material.push(Buffer.from(raw.subarray(-32))); // the seed alone
        const vk = new VersionKey(type, v.version, type, raw);
        shown.push(vk, { nested: { vk } });
        expect(raw.every((b) => b === 0)).toBe(true); // wiped once the KeyObject exists
        expect(vk.aadHeader.buffer.byteLength).toBe(vk.aadHeader.length); // not a window into the Buffer pool
      }
    }
    expect(material.length).toBe(1 + 6 + 2); // master, 3 keys × 2 versions, 2 Ed25519 seeds

    const token = await keyring.encrypt('aes256-gcm', 'a plaintext', 'aad');
    shown.push(
      token,
      await keyring.rewrap('aes256-gcm', token, 'aad'),
      await keyring.sign('ed25519', 'data'),
      await keyring.hmac('hmac-sha256', 'data'),
      await keyring.publicKey('ed25519', 1),
      await keyring.getKey('aes256-gcm'),
      await keyring.listKeys(),
      await keyring.listRotations(),
      await keyring.dueForRotation(new Date(Date.now() + 400 * 86_400_000)),
      await keyring.updatePolicy('aes256-gcm', { min_decryption_version: 2 }),
      await keyring.trimVersions('aes256-gcm', 2),
    );
    // Records as the store holds them (what reaches a database): wrapped material only.
    for (const type of types) shown.push(await rig.store.getKey(type));

    const body = Buffer.from(token.slice(11), 'base64url');
    body[13]! ^= 1;
    const other = parseMasterKey(Buffer.from(Array.from({ length: 32 }, (_, i) => 7 + i)).toString('hex'));
    const record = (await rig.store.getKey('hmac-sha256'))!;
    shown.push(
      await caught(keyring.decrypt('aes256-gcm', `bulwark:v2:${body.toString('base64url')}`, 'aad')),
      await caught(keyring.decrypt('aes256-gcm', token, 'other aad')),
      await caught(keyring.decrypt('aes256-gcm', token.slice(0, 30))),
      await caught(keyring.decrypt('aes256-gcm', 'garbage')),
      await caught(keyring.encrypt('ed25519', 'x')),
      await caught(keyring.encrypt('ghost', 'x')),
      await caught(keyring.rotate('aes256-gcm', { rotated_by: 'svc', expected_version: 1 })),
      await caught(() =>
        other.unwrap(record.versions[0]!.wrapped_material, {
          keyName: 'hmac-sha256',
          version: 1,
          type: 'hmac-sha256',
        }),
      ),
      await caught(Keyring.open(rig.store, other)),
      await caught(() => parseMasterKey(rig.masterText.slice(0, 40))),
      await caught(() => parseMasterKey(`${rig.masterText}#`)),
      await caught(() => parseMasterKey(rig.masterBytes.toString('hex').slice(2))),
    );

    const rendered = shown.flatMap(renderings);
    const haystack = rendered.join('\n');
    expect(haystack.length).toBeGreaterThan(5_000);
    expect(found(material, rendered)).toEqual([]);
    // And the redactions are what a reader sees.
    expect(inspect(keyring)).toBe('Keyring [redacted]');
    expect(JSON.stringify({ keyring, master: rig.master })).toBe(
      '{"keyring":"Keyring [redacted]","master":"MasterKey [redacted]"}',
    );
    expect(haystack).toContain('material":"[redacted]');
  });

  it('is not fooled: the same search finds material that is really there', () => {
    const raw = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
    const own = Buffer.from(raw);
    expect(found([own], [`debug: key=${raw.toString('base64')}`])).not.toEqual([]);
    expect(found([own], [inspect(raw)])).not.toEqual([]); // <Buffer 9d 61 b1 …>
    expect(found([own], [inspect({ raw }, { showHidden: true })])).not.toEqual([]); // decimal list
    expect(
      found([own], [inspect(MasterKey.fromBytes(own), { showHidden: true, customInspect: false })]),
    ).toEqual([]);
  });
});
