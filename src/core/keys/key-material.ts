/**
 * Key material per type: generating it, and the unwrapped, ready-to-use form the Keyring caches.
 *
 * A VersionKey holds node:crypto KeyObjects (built once, so each operation costs what bare
 * node:crypto costs) in #private fields, and redacts itself in JSON, toString and util.inspect.
 * The raw bytes it was built from are wiped as soon as the KeyObjects exist.
 */
import {
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { BulwarkError } from '../errors.js';
import { INSPECT, REDACTED } from './redaction.js';
import type { KeyType } from './types.js';

const SECRET_BYTES = 32;

/** Fresh raw material: 32 random bytes, or an Ed25519 private key as PKCS#8 DER. */
export function generateMaterial(type: KeyType): Buffer {
  if (type === 'ed25519') {
    return generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' });
  }
  return randomBytes(SECRET_BYTES);
}

export class VersionKey {
  readonly keyName: string;
  readonly version: number;
  readonly type: KeyType;
  readonly #secret: KeyObject | undefined;
  readonly #privateKey: KeyObject | undefined;
  readonly #publicKey: KeyObject | undefined;
  readonly #aadHeader: Buffer;

  /** Takes ownership of `raw` and wipes it. */
  constructor(keyName: string, version: number, type: KeyType, raw: Buffer) {
    this.keyName = keyName;
    this.version = version;
    this.type = type;
    this.#aadHeader = ownBuffer(`bulwark/enc/v1\0${keyName}\0${version}\0`);
    try {
      if (type === 'ed25519') {
        const priv = createPrivateKey({ key: raw, format: 'der', type: 'pkcs8' });
        if (priv.asymmetricKeyType !== 'ed25519') throw new Error('not ed25519');
        this.#privateKey = priv;
        this.#publicKey = createPublicKey(priv);
      } else {
        if (raw.length !== SECRET_BYTES) throw new Error('bad length');
        this.#secret = createSecretKey(raw);
      }
    } catch {
      // The underlying error could describe the bytes; say only which version is unusable.
      throw new BulwarkError(
        'crypto_failed',
        `stored material of version ${version} of key '${keyName}' is not a valid ${type} key`,
      );
    } finally {
      raw.fill(0);
    }
  }

  /** AAD header binding a ciphertext to (key name, version); built once per version. */
  get aadHeader(): Buffer {
    return this.#aadHeader;
  }

  get secret(): KeyObject {
    return this.#secret as KeyObject;
  }

  get privateKey(): KeyObject {
    return this.#privateKey as KeyObject;
  }

  get publicKey(): KeyObject {
    return this.#publicKey as KeyObject;
  }

  toJSON(): { keyName: string; version: number; type: KeyType; material: string } {
    return { keyName: this.keyName, version: this.version, type: this.type, material: REDACTED };
  }

  toString(): string {
    return `VersionKey(${this.keyName} v${this.version} ${this.type}, material ${REDACTED})`;
  }

  [INSPECT](): string {
    return this.toString();
  }
}

/**
 * A Buffer with its own memory. Small Buffer.from() results are slices of Node's shared 8 KiB pool,
 * and inspecting one with showHidden prints the pool around it — whatever else lives there.
 */
function ownBuffer(text: string): Buffer {
  const buf = Buffer.allocUnsafeSlow(Buffer.byteLength(text, 'utf8'));
  buf.write(text, 'utf8');
  return buf;
}
