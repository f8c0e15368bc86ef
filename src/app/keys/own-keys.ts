/** The keys Bulwark itself keeps in the keyring (docs/DECISIONS.md "Keys: Bulwark's own keys"). */
import type { KeyType } from '../../core/keys/types.js';

export const OWN_KEYS = {
  /** Signs audit checkpoints (Ed25519); every version's public key stays available to verify. */
  auditCheckpoint: { name: 'bulwark.audit.checkpoint', type: 'ed25519' },
  /** Keys the redaction markers' HMAC, so equal redacted values stay correlatable. */
  auditRedaction: { name: 'bulwark.audit.redaction', type: 'hmac-sha256' },
  /** Peppers stored API-token hashes; the version is recorded in each hash. */
  tokenPepper: { name: 'bulwark.tokens.pepper', type: 'hmac-sha256' },
} as const satisfies Record<string, { name: string; type: KeyType }>;

/**
 * Names under `bulwark.` belong to Bulwark. Its own keys never serve API clients: a write token that
 * could sign with the checkpoint key would forge checkpoints, and one that could MAC with the
 * redaction or pepper key would confirm guessed secrets against redaction markers or token hashes.
 * Nobody may create a key in the namespace either (case-insensitively: no look-alike names).
 */
export const OWN_KEY_PREFIX = 'bulwark.';

export const isOwnKeyName = (name: string): boolean => name.toLowerCase().startsWith(OWN_KEY_PREFIX);
