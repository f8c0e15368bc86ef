/**
 * The master key (BULWARK_MASTER_KEY): 32 random bytes, given as base64 (or base64url) or hex, that
 * wraps every key version's material (envelope encryption: data keys are stored only wrapped under
 * it, the master key itself is never stored).
 *
 * Two subkeys are derived from it with HKDF-SHA256 so one secret never serves two algorithms:
 * - the wrapping key (AES-256-GCM; AAD binds key name + version + type, so wrapped material copied
 *   onto another key or version fails to unwrap), and
 * - the check key, whose HMAC over a constant is the key check value (KCV) stored with the keyring.
 *   A process started with the wrong master key sees a KCV mismatch at start — a clear config error
 *   — instead of crypto failures on every later operation. The KCV reveals nothing usable about the
 *   master key (128 bits of an HMAC under a derived key).
 */
import { createHmac, createSecretKey, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import { BulwarkError } from '../errors.js';
import { open, seal } from './aes-gcm.js';
import { INSPECT, REDACTED } from './redaction.js';
import type { KeyType } from './types.js';

export const MASTER_KEY_ENV = 'BULWARK_MASTER_KEY';
const MASTER_KEY_BYTES = 32;
const WRAPPED_PREFIX = 'mk1:';
const KCV_PREFIX = 'kcv1:';
const HEX_RE = /^[0-9a-fA-F]+$/;
const BASE64_RE = /^(?:[A-Za-z0-9+/]+|[A-Za-z0-9_-]+)={0,2}$/;
const BASE64URL_BODY_RE = /^[A-Za-z0-9_-]+$/;

/** What a wrapped material is bound to. */
export interface WrapContext {
  keyName: string;
  version: number;
  type: KeyType;
}

const configError = (setting: string, why: string): BulwarkError =>
  new BulwarkError('config_invalid', `${setting} ${why}`, { field: setting });

/**
 * Parses the master key from its configured text. Errors never echo the value (it is the one
 * secret that protects everything else); they say what shape was expected and how to make one.
 */
export function parseMasterKey(
  value: string | undefined | null,
  setting: string = MASTER_KEY_ENV,
): MasterKey {
  const text = typeof value === 'string' ? value.trim() : '';
  const howTo = 'generate one with `openssl rand -base64 32`';
  if (text === '')
    throw configError(setting, `is not set: it must be 32 random bytes as base64 or hex; ${howTo}`);
  const need = `it must be exactly ${MASTER_KEY_BYTES} bytes (44 base64 characters or 64 hex digits); ${howTo}`;
  let bytes: Buffer;
  if (HEX_RE.test(text) && text.length % 2 === 0) {
    // An even run of hex digits is hex (32 bytes as base64 is 43–44 characters, never an even hex run of 64).
    if (text.length !== MASTER_KEY_BYTES * 2)
      throw configError(setting, `is ${text.length / 2} bytes of hex; ${need}`);
    bytes = Buffer.from(text, 'hex');
  } else if (BASE64_RE.test(text)) {
    const normalised = text.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
    bytes = Buffer.from(normalised, 'base64');
    // Buffer.from silently drops what it cannot decode; re-encoding catches text that is not base64.
    if (bytes.toString('base64').replace(/=+$/, '') !== normalised) {
      throw configError(setting, `is not valid base64 or hex (${text.length} characters); ${howTo}`);
    }
    if (bytes.length !== MASTER_KEY_BYTES)
      throw configError(setting, `decodes to ${bytes.length} bytes; ${need}`);
  } else {
    throw configError(setting, `contains characters that are neither base64 nor hex; ${howTo}`);
  }
  try {
    return MasterKey.fromBytes(bytes, setting);
  } finally {
    // Buffer.from(text) decodes into Node's shared 8 KiB pool, which any pooled Buffer's `.buffer`
    // exposes: wipe the key out of it.
    bytes.fill(0);
  }
}

export class MasterKey {
  readonly #wrapKey: KeyObject;
  readonly #checkValue: string;

  /** Takes ownership of `raw` (a non-pooled copy) and wipes it once the subkeys are derived. */
  private constructor(raw: Buffer) {
    const derive = (info: string): Buffer => Buffer.from(hkdfSync('sha256', raw, Buffer.alloc(0), info, 32));
    const wrapBytes = derive('bulwark/master-key/wrap/v1');
    const checkBytes = derive('bulwark/master-key/check/v1');
    this.#wrapKey = createSecretKey(wrapBytes);
    const mac = createHmac('sha256', checkBytes).update('bulwark master key check value').digest();
    this.#checkValue = KCV_PREFIX + mac.subarray(0, 16).toString('hex');
    wrapBytes.fill(0);
    checkBytes.fill(0);
    raw.fill(0);
  }

  /** From raw bytes (exactly 32). The caller's buffer is left as it is; wipe it if it was a secret. */
  static fromBytes(raw: Uint8Array, setting: string = MASTER_KEY_ENV): MasterKey {
    if (raw.length !== MASTER_KEY_BYTES) {
      throw configError(setting, `is ${raw.length} bytes; it must be exactly ${MASTER_KEY_BYTES} bytes`);
    }
    // A constant byte pattern (all zeros, all 0xff, ...) is a placeholder, not a key.
    if (raw.every((b) => b === raw[0])) {
      throw configError(setting, 'is a constant byte pattern (a placeholder?); use 32 random bytes');
    }
    // allocUnsafeSlow: a private copy outside the shared Buffer pool (then set fully, then wiped).
    const copy = Buffer.allocUnsafeSlow(MASTER_KEY_BYTES);
    copy.set(raw);
    return new MasterKey(copy);
  }

  /** The key check value to store with the keyring (not secret). */
  get checkValue(): string {
    return this.#checkValue;
  }

  /** Throws config_invalid when `stored` was made by another master key. */
  assertCheckValue(stored: string, setting: string = MASTER_KEY_ENV): void {
    const a = Buffer.from(stored);
    const b = Buffer.from(this.#checkValue);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw configError(
        setting,
        'is not the master key this keyring was created with (key check value mismatch); ' +
          'start with the original master key — keys stored under it cannot be unwrapped with this one',
      );
    }
  }

  wrap(material: Uint8Array, ctx: WrapContext): string {
    return WRAPPED_PREFIX + seal(this.#wrapKey, material, wrapHeader(ctx), undefined).toString('base64url');
  }

  /** The raw material; the caller wipes it (fill(0)) once it has built its KeyObject. */
  unwrap(wrapped: string, ctx: WrapContext): Buffer {
    const body = typeof wrapped === 'string' && wrapped.startsWith(WRAPPED_PREFIX) ? wrapped.slice(4) : '';
    const plain = BASE64URL_BODY_RE.test(body)
      ? open(this.#wrapKey, Buffer.from(body, 'base64url'), wrapHeader(ctx), undefined)
      : null;
    if (plain === null) {
      throw new BulwarkError(
        'crypto_failed',
        `cannot unwrap version ${ctx.version} of key '${ctx.keyName}': the master key is wrong, or the ` +
          'stored material was altered or moved from another key or version',
      );
    }
    return plain;
  }

  toJSON(): string {
    return `MasterKey ${REDACTED}`;
  }

  toString(): string {
    return `MasterKey ${REDACTED}`;
  }

  [INSPECT](): string {
    return `MasterKey ${REDACTED}`;
  }
}

// Key names are restricted to [A-Za-z0-9._-] (key-validation.ts), so NUL separators are unambiguous.
const wrapHeader = (ctx: WrapContext): Buffer =>
  Buffer.from(`bulwark/key-wrap/v1\0${ctx.keyName}\0${ctx.version}\0${ctx.type}`, 'utf8');
