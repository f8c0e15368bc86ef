/**
 * The audit ledger's default CheckpointSigner: an Ed25519 private key from the environment
 * (BULWARK_AUDIT_SIGNING_KEY, PEM) or a file (BULWARK_AUDIT_SIGNING_KEY_FILE), never from or into
 * the database it protects. The key id and version come from configuration; public keys of earlier
 * versions (BULWARK_AUDIT_PREVIOUS_PUBLIC_KEYS, `id@version=path`) keep old checkpoints verifiable
 * after a rotation. The key is never logged: errors name the setting, not its value.
 *
 * Without a key, loadCheckpointSigner returns undefined and the service runs without checkpoints;
 * verify then says so (checkpoints: 'unavailable'). See docs/DECISIONS.md.
 */
import { readFileSync } from 'node:fs';
import { type KeyObject, createPrivateKey, createPublicKey } from 'node:crypto';
import { BulwarkError } from '../../core/errors.js';
import {
  type CheckpointKeyLookup,
  type CheckpointPayload,
  type SignedCheckpoint,
  signCheckpoint,
} from '../../core/audit/checkpoint.js';
import type { CheckpointPublicKey, CheckpointSigner } from '../../core/ports/checkpoint-signer.js';
import type { BulwarkConfig } from '../config.js';

export class KeyCheckpointSigner implements CheckpointSigner {
  private readonly keysById = new Map<string, KeyObject>();

  constructor(
    private readonly privateKey: KeyObject,
    private readonly keyId: string,
    private readonly keyVersion: number,
    previous: ReadonlyArray<{ keyId: string; keyVersion: number; publicKey: KeyObject }> = [],
  ) {
    for (const p of previous) this.keysById.set(`${p.keyId}@${p.keyVersion}`, p.publicKey);
    this.keysById.set(`${keyId}@${keyVersion}`, createPublicKey(privateKey));
  }

  async sign(cp: Omit<CheckpointPayload, 'key_id' | 'key_version'>): Promise<SignedCheckpoint> {
    return signCheckpoint({ ...cp, key_id: this.keyId, key_version: this.keyVersion }, this.privateKey);
  }

  async verificationKeys(): Promise<CheckpointKeyLookup> {
    return (id, version) => this.keysById.get(`${id}@${version}`);
  }

  async publicKeys(): Promise<CheckpointPublicKey[]> {
    return [...this.keysById].map(([idVersion, key]) => {
      const at = idVersion.lastIndexOf('@');
      return {
        key_id: idVersion.slice(0, at),
        key_version: Number(idVersion.slice(at + 1)),
        public_key: key.export({ type: 'spki', format: 'pem' }).toString(),
      };
    });
  }

  /** The current public key as PEM (what an auditor needs; printed by `bulwark audit public-key`). */
  publicKeyPem(): string {
    return createPublicKey(this.privateKey).export({ type: 'spki', format: 'pem' }).toString();
  }
}

function readSetting(file: string, setting: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new BulwarkError(
      'config_invalid',
      `${setting}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      { field: setting, cause: err },
    );
  }
}

function parseKey(pem: string, kind: 'private' | 'public', setting: string): KeyObject {
  let key: KeyObject;
  try {
    key = kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
  } catch {
    // Never echo the value: it is a secret.
    throw new BulwarkError('config_invalid', `${setting}: not a readable PEM ${kind} key`, {
      field: setting,
    });
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new BulwarkError('config_invalid', `${setting}: must be an Ed25519 key`, { field: setting });
  return key;
}

/** `id@version=path` → a public key for that id and version. */
export function parsePreviousKey(spec: string): { keyId: string; keyVersion: number; publicKey: KeyObject } {
  const m = /^([^@=]{1,128})@(\d{1,9})=(.+)$/.exec(spec);
  if (!m)
    throw new BulwarkError(
      'config_invalid',
      'audit_previous_public_keys (BULWARK_AUDIT_PREVIOUS_PUBLIC_KEYS): each entry must be id@version=path',
      { field: 'audit_previous_public_keys' },
    );
  const pem = readSetting(m[3]!, 'audit_previous_public_keys');
  return {
    keyId: m[1]!,
    keyVersion: Number(m[2]),
    publicKey: parseKey(pem, 'public', 'audit_previous_public_keys'),
  };
}

/** The configured file/env signer, or undefined when no key is configured. */
export function loadCheckpointSigner(config: BulwarkConfig): KeyCheckpointSigner | undefined {
  if (config.audit_signing_key && config.audit_signing_key_file)
    throw new BulwarkError(
      'config_invalid',
      'audit_signing_key: set BULWARK_AUDIT_SIGNING_KEY or BULWARK_AUDIT_SIGNING_KEY_FILE, not both',
      { field: 'audit_signing_key' },
    );
  let pem: string | undefined;
  let setting = 'audit_signing_key (BULWARK_AUDIT_SIGNING_KEY)';
  if (config.audit_signing_key) pem = config.audit_signing_key;
  else if (config.audit_signing_key_file) {
    setting = 'audit_signing_key_file (BULWARK_AUDIT_SIGNING_KEY_FILE)';
    pem = readSetting(config.audit_signing_key_file, setting);
  }
  if (pem === undefined) return undefined;
  const key = parseKey(pem, 'private', setting);
  if (key.type !== 'private')
    throw new BulwarkError('config_invalid', `${setting}: a public key cannot sign`, { field: setting });
  return new KeyCheckpointSigner(
    key,
    config.audit_key_id,
    config.audit_key_version,
    config.audit_previous_public_keys.map(parsePreviousKey),
  );
}
