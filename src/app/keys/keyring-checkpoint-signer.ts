/**
 * The audit checkpoint signer backed by the keyring's Ed25519 key `bulwark.audit.checkpoint`
 * (CheckpointSigner port). Each checkpoint names the key version that signed it; verificationKeys
 * answers the public key of every stored version, so checkpoints signed before a rotation still
 * verify after it (public keys of versions below min_decryption_version included: retiring a
 * version stops new use of it, it does not unsay what it signed).
 */
import {
  type CheckpointKeyLookup,
  type CheckpointPayload,
  type SignedCheckpoint,
  checkpointPayload,
} from '../../core/audit/checkpoint.js';
import { BulwarkError } from '../../core/errors.js';
import type { CheckpointPublicKey, CheckpointSigner } from '../../core/ports/checkpoint-signer.js';
import { parseToken } from '../../core/keys/versioned-token.js';
import type { KeyService } from '../services/keys.js';
import { OWN_KEYS } from './own-keys.js';

const KEY = OWN_KEYS.auditCheckpoint;
const MAX_ATTEMPTS = 5;

export class KeyringCheckpointSigner implements CheckpointSigner {
  constructor(
    private readonly keys: KeyService,
    private readonly keyName: string = KEY.name,
  ) {}

  async sign(checkpoint: Omit<CheckpointPayload, 'key_id' | 'key_version'>): Promise<SignedCheckpoint> {
    if (this.keyName === KEY.name) await this.keys.ensure(KEY.name, KEY.type);
    const ring = this.keys.ring();
    // The payload names the version, and the keyring signs with whatever is latest: if a rotation
    // lands between the two, sign again with the version named right.
    let version = await ring.latestVersion(this.keyName);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const payload: CheckpointPayload = { ...checkpoint, key_id: this.keyName, key_version: version };
      const token = await ring.sign(this.keyName, Buffer.from(checkpointPayload(payload), 'utf8'));
      const parsed = parseToken(token, true);
      if (parsed === null) throw new BulwarkError('internal', 'keyring returned a malformed signature');
      if (parsed.version === version) return { ...payload, signature: parsed.payload.toString('base64') };
      version = parsed.version;
    }
    throw new BulwarkError('conflict', `key '${this.keyName}' kept rotating while a checkpoint was signed`);
  }

  async verificationKeys(): Promise<CheckpointKeyLookup> {
    const ring = this.keys.ring();
    // Before the first checkpoint the key need not exist yet: nothing was signed, nothing to check.
    if (this.keyName === KEY.name) await this.keys.ensure(KEY.name, KEY.type);
    const info = await ring.getKey(this.keyName);
    const pems = new Map<number, string>();
    for (const v of info.versions) pems.set(v.version, await ring.publicKey(this.keyName, v.version));
    const keyName = this.keyName;
    return (keyId: string, keyVersion: number) => (keyId === keyName ? pems.get(keyVersion) : undefined);
  }

  async publicKeys(): Promise<CheckpointPublicKey[]> {
    const ring = this.keys.ring();
    if (this.keyName === KEY.name) await this.keys.ensure(KEY.name, KEY.type);
    const info = await ring.getKey(this.keyName);
    const out: CheckpointPublicKey[] = [];
    for (const v of info.versions)
      out.push({
        key_id: this.keyName,
        key_version: v.version,
        public_key: await ring.publicKey(this.keyName, v.version),
      });
    return out;
  }
}
