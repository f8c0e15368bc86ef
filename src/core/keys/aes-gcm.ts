/**
 * AES-256-GCM sealing in the one layout Bulwark stores: nonce(12) ‖ ciphertext ‖ tag(16).
 * The AAD is given in two parts, a fixed header that binds context (key name, version, purpose) and
 * the caller's own AAD; GCM absorbs consecutive setAAD calls exactly as their concatenation, and the
 * header is fully determined by context, so the split is unambiguous and costs no concatenation.
 */
import { createCipheriv, createDecipheriv, type KeyObject } from 'node:crypto';
import { NONCE_BYTES, writeNonce } from './nonce-pool.js';

export const TAG_BYTES = 16;
export const SEAL_OVERHEAD = NONCE_BYTES + TAG_BYTES;

export function seal(key: KeyObject, plaintext: Uint8Array, header: Buffer, aad: Buffer | undefined): Buffer {
  const out = Buffer.allocUnsafe(SEAL_OVERHEAD + plaintext.length);
  writeNonce(out, 0);
  const cipher = createCipheriv('aes-256-gcm', key, out.subarray(0, NONCE_BYTES), {
    authTagLength: TAG_BYTES,
  });
  cipher.setAAD(header);
  if (aad !== undefined && aad.length > 0) cipher.setAAD(aad);
  let at = NONCE_BYTES;
  at += cipher.update(plaintext).copy(out, at);
  at += cipher.final().copy(out, at);
  cipher.getAuthTag().copy(out, at);
  return out;
}

/** The plaintext, or null when the blob is too short or fails authentication (never garbage). */
export function open(key: KeyObject, blob: Buffer, header: Buffer, aad: Buffer | undefined): Buffer | null {
  if (blob.length < SEAL_OVERHEAD) return null;
  const tagAt = blob.length - TAG_BYTES;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(0, NONCE_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAuthTag(blob.subarray(tagAt));
    decipher.setAAD(header);
    if (aad !== undefined && aad.length > 0) decipher.setAAD(aad);
    const first = decipher.update(blob.subarray(NONCE_BYTES, tagAt));
    const last = decipher.final(); // throws here when the tag does not match
    return last.length === 0 ? first : Buffer.concat([first, last]);
  } catch {
    return null;
  }
}
