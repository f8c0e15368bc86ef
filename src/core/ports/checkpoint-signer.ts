/** One public key that verifies checkpoints naming this key id and version. */
export interface CheckpointPublicKey {
  key_id: string;
  key_version: number;
  public_key: string;
}

import type { CheckpointKeyLookup, CheckpointPayload, SignedCheckpoint } from '../audit/checkpoint.js';

/**
 * Signs audit checkpoints with a key that is not stored in the database the checkpoints protect.
 *
 * Two implementations: a key file / environment variable (src/app, the audit ledger's default) and
 * the keyring's Ed25519 key `bulwark.audit.checkpoint` (key material encrypted under the master
 * key, which never enters the database). The signer picks the key id and version, so a rotation
 * between two checkpoints is safe: every checkpoint names the key that signed it, and the
 * verifier looks that key up.
 */
export interface CheckpointSigner {
  /** Fills key_id and key_version with the current signing key and signs the canonical payload. */
  sign(checkpoint: Omit<CheckpointPayload, 'key_id' | 'key_version'>): Promise<SignedCheckpoint>;
  /** Public keys of every version this signer has signed with (for verify). */
  verificationKeys(): Promise<CheckpointKeyLookup>;
  /** The same keys as a list, for an auditor to take away (PEM, SPKI). */
  publicKeys(): Promise<CheckpointPublicKey[]>;
}
