/**
 * API-token hashes under the keyring's HMAC key `bulwark.tokens.pepper`: a stored hash is
 * `bulwark:v<N>:<HMAC-SHA256>` and names the pepper version it was made under. New tokens use the
 * latest version; authentication tries every usable version (a handful of indexed lookups), so a
 * rotation of the pepper invalidates nothing — raising min_decryption_version does, on purpose.
 * Hashes made before the keyring (`h1:` under BULWARK_TOKEN_PEPPER, `s1:` unpeppered) are still
 * accepted, so existing deployments keep their tokens (docs/DECISIONS.md "pepper migration").
 */
import { BulwarkError } from '../../core/errors.js';
import { hashToken } from '../../core/tokens.js';
import type { KeyService } from '../services/keys.js';
import type { TokenHasher } from '../services/tokens.js';
import { OWN_KEYS } from './own-keys.js';

const KEY = OWN_KEYS.tokenPepper;

export class KeyringTokenHasher implements TokenHasher {
  constructor(
    private readonly keys: KeyService,
    private readonly legacyPepper: Buffer | undefined,
  ) {}

  async forNew(token: string): Promise<string> {
    await this.keys.ensure(KEY.name, KEY.type);
    return this.keys.hmac(KEY.name, token);
  }

  async candidates(token: string): Promise<string[]> {
    let keyed: string[] = [];
    try {
      keyed = await this.keys.ring().hmacEveryVersion(KEY.name, token);
    } catch (e) {
      // No keyring token has been made yet: only legacy hashes can exist.
      if (!(e instanceof BulwarkError) || e.code !== 'not_found') throw e;
    }
    return [...keyed, hashToken(token, this.legacyPepper)];
  }
}
