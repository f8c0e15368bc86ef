/**
 * The keyring's storage port. Adapters (SQL, memory) implement it; the core never sees a driver.
 *
 * Contract every adapter must keep (test/core/keys/key-store.contract.ts checks it):
 * - Records come back as fresh copies: mutating a returned object never changes what is stored.
 * - `versions` is sorted by version, ascending.
 * - `addVersion` is a compare-and-set on the latest version: it writes the new version and the
 *   rotation event together (one transaction) only if the key's latest version still equals
 *   `expectedLatestVersion`; otherwise it writes nothing and throws BulwarkError('conflict').
 *   So of two rotations racing from the same version exactly one wins.
 * - Unknown key names: `getKey` answers null; the writers throw BulwarkError('not_found').
 */
import type { KeyPolicy, KeyRecord, KeyRotationEvent, KeySummary, StoredKeyVersion } from './types.js';

export interface KeyStore {
  getKey(name: string): Promise<KeyRecord | null>;
  /** Stores a new key with its first version; BulwarkError('conflict') if the name is taken. */
  createKey(record: KeyRecord): Promise<void>;
  addVersion(
    name: string,
    expectedLatestVersion: number,
    newVersion: StoredKeyVersion,
    rotationEvent: KeyRotationEvent,
  ): Promise<void>;
  updatePolicy(name: string, policy: KeyPolicy): Promise<void>;
  /** Deletes the listed versions (absent ones are ignored); answers how many were deleted. */
  deleteVersions(name: string, versions: readonly number[]): Promise<number>;
  /** Every key, sorted by name. */
  listKeys(): Promise<KeySummary[]>;
  /** Rotation events in the order they were recorded (oldest first); one key's only when `keyName` is given. */
  listRotations(keyName?: string): Promise<KeyRotationEvent[]>;
  /**
   * Stores `checkValue` as the keyring's master-key check value if none is stored yet, and answers
   * the stored one (atomic insert-if-absent), so that a process started with a different master key
   * is told so at start instead of failing later on every unwrap.
   */
  initMasterKeyCheck(checkValue: string): Promise<string>;
}
