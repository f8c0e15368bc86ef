/**
 * The self-describing strings the keyring hands out: `bulwark:v<version>:<base64url payload>`.
 *
 * Like Vault transit's `vault:v3:…`, the prefix names the key version, not the key: the caller
 * always says which key to use, and stored values do not leak key naming. The key name is still
 * bound cryptographically to ciphertexts (it is part of their AAD header), so a ciphertext handed to
 * the wrong key fails authentication even if the key material were somehow the same; signatures and
 * MACs need no such binding — under another key's material they simply do not verify.
 * A future layout change would take a new prefix (e.g. `bulwark2:`), never reinterpret this one.
 */
export const TOKEN_PREFIX = 'bulwark:v';
const MAX_VERSION = 2_147_483_647;

export const formatToken = (version: number, payload: Buffer): string =>
  `${TOKEN_PREFIX}${version}:${payload.toString('base64url')}`;

/** The version named by a token, or null when it is not a well-formed token. Cheap: no decoding. */
export function tokenVersion(token: unknown): number | null {
  if (typeof token !== 'string' || !token.startsWith(TOKEN_PREFIX)) return null;
  const colon = token.indexOf(':', TOKEN_PREFIX.length);
  if (colon < 0) return null;
  const digits = token.slice(TOKEN_PREFIX.length, colon);
  // No sign, no leading zero, at most 10 digits: one version has exactly one spelling.
  if (!/^[1-9][0-9]{0,9}$/.test(digits)) return null;
  const version = Number(digits);
  return version <= MAX_VERSION ? version : null;
}

/**
 * Version and decoded payload, or null when the token is malformed. `canonical` also refuses
 * base64url spellings with non-zero padding bits, so a short token (signature, MAC) has exactly one
 * valid spelling; it costs a re-encode, so ciphertexts (authenticated anyway) skip it.
 */
export function parseToken(token: unknown, canonical = false): { version: number; payload: Buffer } | null {
  const version = tokenVersion(token);
  if (version === null) return null;
  const body = (token as string).slice((token as string).indexOf(':', TOKEN_PREFIX.length) + 1);
  // Unpadded base64url never has length ≡ 1 (mod 4). Buffer.from skips characters it cannot decode,
  // so a decoded length short of ⌊3n/4⌋ means the text held something that is not base64url — an
  // O(1) check where a regex over a 1.4 KB ciphertext would cost as much as the decryption itself.
  if (body.length === 0 || body.length % 4 === 1) return null;
  const payload = Buffer.from(body, 'base64url');
  if (payload.length !== Math.floor((body.length * 3) / 4)) return null;
  if (canonical && payload.toString('base64url') !== body) return null;
  return { version, payload };
}
