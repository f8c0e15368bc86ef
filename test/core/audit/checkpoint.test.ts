import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkpointPayload,
  exportCheckpoints,
  generateCheckpointKeyPair,
  importCheckpoints,
  signCheckpoint,
  verifyCheckpoint,
} from '../../../src/core/audit/checkpoint.js';
import { verifyChainSync } from '../../../src/core/audit/hash-chain.js';
import { BulwarkError } from '../../../src/core/errors.js';
import { makeRows } from './support/rows.js';

const payload = {
  seq: 42,
  hash: 'ab'.repeat(32),
  time: 1_714_570_000_000,
  key_id: 'audit-signing',
  key_version: 3,
};

describe('checkpoints', () => {
  const { publicKeyPem, privateKeyPem } = generateCheckpointKeyPair();

  it('signs the canonical payload with Ed25519 and verifies with the public key alone', () => {
    expect(checkpointPayload(payload)).toBe(
      `{"hash":"${'ab'.repeat(32)}","key_id":"audit-signing","key_version":3,"seq":42,"time":1714570000000}`,
    );
    const cp = signCheckpoint(payload, privateKeyPem);
    expect(Buffer.from(cp.signature, 'base64')).toHaveLength(64);
    expect(verifyCheckpoint(cp, publicKeyPem)).toBe(true);
    // Ed25519 is deterministic: same payload, same key, same signature.
    expect(signCheckpoint(payload, privateKeyPem).signature).toBe(cp.signature);
  });

  it('rejects any change to the payload or signature, and another key', () => {
    const cp = signCheckpoint(payload, privateKeyPem);
    for (const changed of [
      { seq: 43 },
      { hash: 'cd'.repeat(32) },
      { time: payload.time + 1 },
      { key_id: 'other' },
      { key_version: 4 },
      { signature: cp.signature.slice(0, -4) + 'AAA=' },
      { signature: 'not base64!' },
    ])
      expect(verifyCheckpoint({ ...cp, ...changed }, publicKeyPem), JSON.stringify(changed)).toBe(false);
    expect(verifyCheckpoint(cp, generateCheckpointKeyPair().publicKeyPem)).toBe(false);
  });

  it('accepts KeyObjects and refuses keys that are not Ed25519 (config_invalid)', () => {
    const ed = generateKeyPairSync('ed25519');
    expect(verifyCheckpoint(signCheckpoint(payload, ed.privateKey), ed.publicKey)).toBe(true);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => signCheckpoint(payload, rsa.privateKey)).toThrow(BulwarkError);
    expect(() => signCheckpoint(payload, ed.publicKey)).toThrow(/cannot sign/);
    expect(() => verifyCheckpoint(signCheckpoint(payload, ed.privateKey), 'not a pem')).toThrow(
      /readable PEM/,
    );
  });

  it('refuses to sign a malformed payload', () => {
    expect(() => signCheckpoint({ ...payload, hash: 'XYZ' }, privateKeyPem)).toThrow(/hash/);
    expect(() => signCheckpoint({ ...payload, seq: -1 }, privateKeyPem)).toThrow(/seq/);
  });

  it('exports JSON lines that a verifier with only the public key can import and check a chain against', () => {
    const rows = makeRows(30);
    const cps = [10, 20, 30].map((seq) =>
      signCheckpoint({ seq, hash: rows[seq - 1]!.hash, time: 1, key_id: 'k', key_version: 1 }, privateKeyPem),
    );
    const text = exportCheckpoints(cps);
    expect(text.split('\n')).toHaveLength(4); // three lines and the final newline
    const back = importCheckpoints(text);
    expect(back).toEqual(cps);
    expect(verifyChainSync(rows, { checkpoints: back, publicKey: publicKeyPem })).toMatchObject({
      ok: true,
      checkpoints_matched: 3,
    });
    expect(verifyChainSync(rows.slice(0, 25), { checkpoints: back, publicKey: publicKeyPem })).toMatchObject({
      ok: false,
      reason: 'truncated',
    });
  });

  it('import names the bad line', () => {
    const good = exportCheckpoints([signCheckpoint(payload, privateKeyPem)]);
    expect(() => importCheckpoints(`${good}\n{oops`)).toThrow(/line 3: is not valid JSON/);
    expect(() => importCheckpoints('{"seq":1}')).toThrow(/line 1: must have exactly the fields/);
    expect(() => importCheckpoints(good.replace('"seq":42', '"seq":-42'))).toThrow(/line 1\.seq/);
  });
});
