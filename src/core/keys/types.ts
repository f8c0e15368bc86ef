/**
 * The keyring's data: key types, per-key policy, stored (wrapped) versions and rotation events.
 *
 * A key is a named series of versions. Each version's material is stored only wrapped under the
 * master key (see master-key.ts); unwrapped material exists only inside the Keyring's in-memory
 * cache and never in these plain-data records.
 */

/** aes256-gcm encrypts data, ed25519 signs, hmac-sha256 authenticates. A key does exactly one job. */
export const KEY_TYPES = ['aes256-gcm', 'ed25519', 'hmac-sha256'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

export interface KeyPolicy {
  /**
   * Ciphertexts, signatures and MACs made with an older version are refused (decrypt fails,
   * verify answers false). Raising it is how a compromised or retired version is switched off.
   */
  min_decryption_version: number;
  /** Period after which the latest version is due for rotation; 0 disables auto-rotation. */
  auto_rotate_period_ms: number;
  /** Whether versions below min_decryption_version may be deleted for good (trimVersions). */
  deletion_allowed: boolean;
}

/** One stored version: its material wrapped under the master key, bound to (key name, version, type). */
export interface StoredKeyVersion {
  version: number;
  created_at: Date;
  /** `mk1:<base64url(nonce‖ciphertext‖tag)>` — encrypted; see MasterKey.wrap. */
  wrapped_material: string;
}

/** What a KeyStore holds for one key. `versions` holds every version not yet deleted. */
export interface KeyRecord {
  name: string;
  type: KeyType;
  policy: KeyPolicy;
  created_at: Date;
  versions: StoredKeyVersion[];
}

/** A cheap listing row (no wrapped material) — enough to decide which keys are due for rotation. */
export interface KeySummary {
  name: string;
  type: KeyType;
  policy: KeyPolicy;
  created_at: Date;
  latest_version: number;
  latest_version_created_at: Date;
}

/** A key as the Keyring shows it to callers: metadata only, never material (wrapped or not). */
export interface KeyInfo {
  name: string;
  type: KeyType;
  policy: KeyPolicy;
  created_at: Date;
  latest_version: number;
  /** Lowest version still stored; versions below it were deleted by trimVersions. */
  min_available_version: number;
  versions: { version: number; created_at: Date }[];
}

/** The design's KeyRotationEvent (ARCHITECTURE.md §1). */
export interface KeyRotationEvent {
  id: string;
  key_id: string;
  version_from: number;
  version_to: number;
  /** The service identity that asked for the rotation. */
  rotated_by: string;
  timestamp: Date;
  notes: string | null;
}

export interface DueKey {
  name: string;
  latest_version: number;
  /** When the latest version became due (its creation + auto_rotate_period_ms). */
  due_since: Date;
}
