/**
 * The Keyring: versioned keys with envelope encryption, after HashiCorp Vault's transit engine.
 *
 * Each key is a series of versions; each version's material is stored wrapped under the master key
 * (KeyStore port) and used unwrapped from an in-memory cache (KeyCache). Writes go through the
 * latest version; reads (decrypt, verify) use the version the token names, if policy allows it.
 *
 * Tokens: `bulwark:v<version>:<base64url>` (see versioned-token.ts) —
 * - ciphertext: nonce(12) ‖ AES-256-GCM ciphertext ‖ tag(16); AAD = header(key name, version) ‖ caller AAD
 * - signature: Ed25519 (64 bytes); MAC: HMAC-SHA256 (32 bytes).
 *
 * Outcomes are values where they are answers (verify → boolean, even for a malformed signature);
 * a ciphertext that cannot be decrypted is an error (crypto_failed) because there is no answer to
 * give. Errors never carry key material or plaintext.
 */
import { createHmac, sign as edSign, timingSafeEqual, verify as edVerify } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { BulwarkError, validationError } from '../errors.js';
import { SEAL_OVERHEAD, open, seal } from './aes-gcm.js';
import { KeyCache, type KeyState } from './key-cache.js';
import { generateMaterial } from './key-material.js';
import type { KeyStore } from './key-store.js';
import {
  assertKeyName,
  assertKeyType,
  checkDate,
  checkRotateInput,
  toBytes,
  toOptionalBytes,
  type RotateInput,
} from './key-validation.js';
import type { MasterKey } from './master-key.js';
import { applyPolicyPatch, initialPolicy, versionsToTrim, type KeyPolicyPatch } from './policy.js';
import { INSPECT, REDACTED } from './redaction.js';
import type { DueKey, KeyInfo, KeyRecord, KeyRotationEvent, KeySummary, KeyType } from './types.js';
import { formatToken, parseToken } from './versioned-token.js';

export interface KeyringOptions {
  /** How long a cached key (policy, versions) is trusted before it is re-read. Default 60 s. */
  cacheTtlMs?: number;
  /** At most one store reload per key per interval for tokens naming an unknown newer version. Default 1 s. */
  missReloadIntervalMs?: number;
  /** Milliseconds clock for the cache (tests inject one). Default Date.now. */
  clock?: () => number;
}

export interface RotateRequest extends RotateInput {
  /** Rotate only if the latest version is still this one (check-and-set); conflict otherwise. */
  expected_version?: number;
}

const ED25519_SIGNATURE_BYTES = 64;
const HMAC_BYTES = 32;

const cryptoFailed = (message: string): BulwarkError => new BulwarkError('crypto_failed', message);

export class Keyring {
  readonly #store: KeyStore;
  readonly #master: MasterKey;
  readonly #cache: KeyCache;

  private constructor(store: KeyStore, master: MasterKey, options: KeyringOptions) {
    this.#store = store;
    this.#master = master;
    this.#cache = new KeyCache(store, master, {
      ttlMs: options.cacheTtlMs ?? 60_000,
      missReloadIntervalMs: options.missReloadIntervalMs ?? 1_000,
      clock: options.clock ?? Date.now,
    });
  }

  /**
   * Opens the keyring over a store. The first open records the master key's check value; every later
   * open compares against it and fails with config_invalid if the master key is not the same.
   */
  static async open(store: KeyStore, master: MasterKey, options: KeyringOptions = {}): Promise<Keyring> {
    const stored = await store.initMasterKeyCheck(master.checkValue);
    master.assertCheckValue(stored);
    return new Keyring(store, master, options);
  }

  // ---- key management ---------------------------------------------------------------------------

  async createKey(
    name: string,
    type: KeyType,
    policy?: KeyPolicyPatch,
    opts: { now?: Date } = {},
  ): Promise<KeyInfo> {
    assertKeyName(name);
    assertKeyType(type);
    const record: KeyRecord = {
      name,
      type,
      policy: initialPolicy(policy),
      created_at: checkDate(opts.now, 'now'),
      versions: [],
    };
    record.versions.push({
      version: 1,
      created_at: record.created_at,
      wrapped_material: this.#newWrapped(name, 1, type),
    });
    await this.#store.createKey(record);
    this.#cache.invalidate(name);
    return toInfo(record);
  }

  async getKey(name: string): Promise<KeyInfo> {
    return toInfo(await this.#record(name));
  }

  listKeys(): Promise<KeySummary[]> {
    return this.#store.listKeys();
  }

  async updatePolicy(name: string, patch: KeyPolicyPatch): Promise<KeyInfo> {
    const record = await this.#record(name);
    record.policy = applyPolicyPatch(record.policy, patch, {
      latestVersion: latestOf(record),
      minAvailableVersion: record.versions[0]?.version ?? 1,
    });
    await this.#store.updatePolicy(name, record.policy);
    this.#cache.invalidate(name);
    return toInfo(record);
  }

  /**
   * Deletes every version below `minAvailableVersion` for good (Vault's trim). Allowed only with
   * policy.deletion_allowed and only up to min_decryption_version — see policy.ts for why.
   */
  async trimVersions(name: string, minAvailableVersion: number): Promise<KeyInfo> {
    const record = await this.#record(name);
    const doomed = versionsToTrim(
      name,
      record.policy,
      record.versions.map((v) => v.version),
      minAvailableVersion,
    );
    if (doomed.length > 0) {
      await this.#store.deleteVersions(name, doomed);
      this.#cache.invalidate(name);
    }
    return toInfo({ ...record, versions: record.versions.filter((v) => !doomed.includes(v.version)) });
  }

  /**
   * Adds version latest+1 and records the rotation, atomically and only if no other rotation got
   * there first (BulwarkError('conflict') otherwise: of two racing rotations exactly one wins).
   */
  async rotate(name: string, request: RotateRequest): Promise<KeyRotationEvent> {
    const input = checkRotateInput(request);
    const expected = request.expected_version;
    if (expected !== undefined && (!Number.isSafeInteger(expected) || expected < 1)) {
      throw validationError('expected_version', 'must be a positive integer');
    }
    const record = await this.#record(name);
    const from = latestOf(record);
    if (expected !== undefined && expected !== from) {
      throw new BulwarkError(
        'conflict',
        `key '${name}' is at version ${from}, not ${expected}: it was rotated meanwhile`,
        {
          details: { latest_version: from },
        },
      );
    }
    const to = from + 1;
    const event: KeyRotationEvent = {
      id: uuidv7({ msecs: input.now.getTime() }),
      key_id: name,
      version_from: from,
      version_to: to,
      rotated_by: input.rotated_by,
      timestamp: input.now,
      notes: input.notes,
    };
    const version = {
      version: to,
      created_at: input.now,
      wrapped_material: this.#newWrapped(name, to, record.type),
    };
    try {
      await this.#store.addVersion(name, from, version, event);
    } finally {
      // Won or lost, the cached latest is now wrong.
      this.#cache.invalidate(name);
    }
    return event;
  }

  listRotations(name?: string): Promise<KeyRotationEvent[]> {
    if (name !== undefined) assertKeyName(name);
    return this.#store.listRotations(name);
  }

  /** Keys whose latest version is older than their auto_rotate_period_ms at `now`, longest overdue first. */
  async dueForRotation(now: Date = new Date()): Promise<DueKey[]> {
    const at = checkDate(now, 'now').getTime();
    const due: DueKey[] = [];
    for (const key of await this.#store.listKeys()) {
      const period = key.policy.auto_rotate_period_ms;
      if (period <= 0) continue;
      const dueAt = key.latest_version_created_at.getTime() + period;
      if (dueAt <= at)
        due.push({ name: key.name, latest_version: key.latest_version, due_since: new Date(dueAt) });
    }
    return due.sort((a, b) => a.due_since.getTime() - b.due_since.getTime() || a.name.localeCompare(b.name));
  }

  /**
   * Rotates every due key. Safe to run from several processes at once: each rotation is
   * check-and-set on the version seen as due, so a key another process rotated is skipped, never
   * rotated twice.
   */
  async rotateDue(request: RotateInput): Promise<{ rotated: KeyRotationEvent[]; skipped: string[] }> {
    const input = checkRotateInput(request);
    const rotated: KeyRotationEvent[] = [];
    const skipped: string[] = [];
    for (const due of await this.dueForRotation(input.now)) {
      try {
        rotated.push(await this.rotate(due.name, { ...input, expected_version: due.latest_version }));
      } catch (e) {
        if (e instanceof BulwarkError && (e.code === 'conflict' || e.code === 'not_found'))
          skipped.push(due.name);
        else throw e;
      }
    }
    return { rotated, skipped };
  }

  /** The latest version of a key (from the cache, at most cacheTtlMs old). */
  async latestVersion(name: string): Promise<number> {
    return (await this.#cache.get(name)).latest;
  }

  /** Drops cached keys (one, or all) so the next use re-reads the store. */
  invalidate(name?: string): void {
    this.#cache.invalidate(name);
  }

  // ---- data operations --------------------------------------------------------------------------

  async encrypt(
    name: string,
    plaintext: Buffer | Uint8Array | string,
    aad?: Buffer | Uint8Array | string,
  ): Promise<string> {
    const bytes = toBytes(plaintext, 'plaintext');
    const extra = toOptionalBytes(aad, 'aad');
    const state = this.#cache.fresh(name) ?? (await this.#cache.load(name));
    if (state.type !== 'aes256-gcm') throw wrongType(state, 'encrypt');
    const key = state.current ?? this.#cache.current(state);
    return formatToken(key.version, seal(key.secret, bytes, key.aadHeader, extra));
  }

  async decrypt(name: string, ciphertext: string, aad?: Buffer | Uint8Array | string): Promise<Buffer> {
    return (await this.#decrypt(name, ciphertext, aad)).plaintext;
  }

  /**
   * Re-encrypts under the latest version without handing the plaintext to the caller. A ciphertext
   * already on the latest version is authenticated and returned unchanged (no needless write).
   */
  async rewrap(name: string, ciphertext: string, aad?: Buffer | Uint8Array | string): Promise<string> {
    const { plaintext, version, state, extra } = await this.#decrypt(name, ciphertext, aad);
    try {
      if (version === state.latest) return ciphertext;
      const key = this.#cache.current(state);
      return formatToken(key.version, seal(key.secret, plaintext, key.aadHeader, extra));
    } finally {
      plaintext.fill(0);
    }
  }

  async sign(name: string, data: Buffer | Uint8Array | string): Promise<string> {
    const bytes = toBytes(data, 'data');
    const state = await this.#cache.get(name);
    if (state.type !== 'ed25519') throw wrongType(state, 'sign');
    const key = this.#cache.current(state);
    return formatToken(key.version, edSign(null, bytes, key.privateKey));
  }

  /**
   * True when `signature` is a valid signature of `data` by a usable version of the key. Anything
   * else — malformed, wrong length, unknown, deleted or retired (below min_decryption_version)
   * version, or simply wrong — is false. Unknown key and wrong key type are errors (misuse, not answers).
   */
  async verify(name: string, data: Buffer | Uint8Array | string, signature: string): Promise<boolean> {
    const bytes = toBytes(data, 'data');
    const state = await this.#cache.get(name);
    if (state.type !== 'ed25519') throw wrongType(state, 'verify');
    const parsed = parseToken(signature, true);
    if (parsed === null || parsed.payload.length !== ED25519_SIGNATURE_BYTES) return false;
    const key = await this.#readKey(state, parsed.version);
    return typeof key !== 'string' && edVerify(null, bytes, key.publicKey, parsed.payload);
  }

  async hmac(name: string, data: Buffer | Uint8Array | string): Promise<string> {
    const bytes = toBytes(data, 'data');
    const state = await this.#cache.get(name);
    if (state.type !== 'hmac-sha256') throw wrongType(state, 'hmac');
    const key = this.#cache.current(state);
    return formatToken(key.version, createHmac('sha256', key.secret).update(bytes).digest());
  }

  /**
   * The MACs of `data` under every usable version (min_decryption_version..latest, not deleted),
   * latest first: for lookups keyed by a MAC that may have been made before a rotation (API token
   * hashes), where the stored value cannot be read back to find its version.
   */
  async hmacEveryVersion(name: string, data: Buffer | Uint8Array | string): Promise<string[]> {
    const bytes = toBytes(data, 'data');
    const state = await this.#cache.get(name);
    if (state.type !== 'hmac-sha256') throw wrongType(state, 'hmac');
    const macs: string[] = [];
    for (let v = state.latest; v >= state.policy.min_decryption_version; v--) {
      const key = this.#cache.usable(state, v);
      if (key === undefined || typeof key === 'string') continue;
      macs.push(formatToken(v, createHmac('sha256', key.secret).update(bytes).digest()));
    }
    return macs;
  }

  /** Constant-time check of a MAC made by hmac(); false for anything malformed or not usable. */
  async verifyHmac(name: string, data: Buffer | Uint8Array | string, mac: string): Promise<boolean> {
    const bytes = toBytes(data, 'data');
    const state = await this.#cache.get(name);
    if (state.type !== 'hmac-sha256') throw wrongType(state, 'verifyHmac');
    const parsed = parseToken(mac, true);
    if (parsed === null || parsed.payload.length !== HMAC_BYTES) return false;
    const key = await this.#readKey(state, parsed.version);
    if (typeof key === 'string') return false;
    return timingSafeEqual(createHmac('sha256', key.secret).update(bytes).digest(), parsed.payload);
  }

  /** The Ed25519 public key (SPKI PEM) of a version (default: latest). Public keys of retired versions stay readable. */
  async publicKey(name: string, version?: number): Promise<string> {
    if (version !== undefined && (!Number.isSafeInteger(version) || version < 1)) {
      throw validationError('version', 'must be a positive integer');
    }
    let state = await this.#cache.get(name);
    if (state.type !== 'ed25519') throw wrongType(state, 'publicKey');
    if (version !== undefined && version > state.latest) state = await this.#cache.load(name);
    const key = this.#cache.versionKey(state, version ?? state.latest);
    return key.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  }

  toJSON(): string {
    return `Keyring ${REDACTED}`;
  }

  [INSPECT](): string {
    return `Keyring ${REDACTED}`;
  }

  // ---- internals --------------------------------------------------------------------------------

  async #decrypt(
    name: string,
    ciphertext: string,
    aad: Buffer | Uint8Array | string | undefined,
  ): Promise<{ plaintext: Buffer; version: number; state: KeyState; extra: Buffer | undefined }> {
    if (typeof ciphertext !== 'string') throw validationError('ciphertext', 'must be a string');
    const extra = toOptionalBytes(aad, 'aad');
    const state = this.#cache.fresh(name) ?? (await this.#cache.load(name));
    if (state.type !== 'aes256-gcm') throw wrongType(state, 'decrypt');
    const parsed = parseToken(ciphertext);
    if (parsed === null) {
      throw cryptoFailed(
        "ciphertext is not a Bulwark ciphertext (expected 'bulwark:v<version>:<base64url>')",
      );
    }
    if (parsed.payload.length < SEAL_OVERHEAD)
      throw cryptoFailed(`ciphertext for key '${name}' is truncated`);
    const key =
      this.#cache.usable(state, parsed.version) ??
      (await this.#cache.usableAfterReload(state, parsed.version));
    if (typeof key === 'string') throw cryptoFailed(`cannot decrypt: ${key}`);
    const plaintext = open(key.secret, parsed.payload, key.aadHeader, extra);
    if (plaintext === null) {
      throw cryptoFailed(
        `ciphertext failed authentication under version ${parsed.version} of key '${name}': ` +
          'it was altered or truncated, belongs to another key, or the AAD differs',
      );
    }
    // The state may have been reloaded (newer version); rewrap wants the freshest latest.
    return { plaintext, version: parsed.version, state: this.#cache.fresh(name) ?? state, extra };
  }

  #readKey(state: KeyState, version: number) {
    return this.#cache.usable(state, version) ?? this.#cache.usableAfterReload(state, version);
  }

  async #record(name: string): Promise<KeyRecord> {
    assertKeyName(name);
    const record = await this.#store.getKey(name);
    if (record === null) throw new BulwarkError('not_found', `key '${name}' does not exist`);
    return record;
  }

  #newWrapped(name: string, version: number, type: KeyType): string {
    const raw = generateMaterial(type);
    try {
      return this.#master.wrap(raw, { keyName: name, version, type });
    } finally {
      raw.fill(0);
    }
  }
}

const wrongType = (state: KeyState, operation: string): BulwarkError =>
  validationError(
    'keyName',
    `key '${state.name}' is a ${state.type} key; ${operation} needs a ${typeForOperation[operation]} key`,
  );

const typeForOperation: Record<string, KeyType> = {
  encrypt: 'aes256-gcm',
  decrypt: 'aes256-gcm',
  sign: 'ed25519',
  verify: 'ed25519',
  publicKey: 'ed25519',
  hmac: 'hmac-sha256',
  verifyHmac: 'hmac-sha256',
};

const latestOf = (record: KeyRecord): number =>
  record.versions.reduce((max, v) => (v.version > max ? v.version : max), 0);

function toInfo(record: KeyRecord): KeyInfo {
  const versions = record.versions
    .map((v) => ({ version: v.version, created_at: new Date(v.created_at.getTime()) }))
    .sort((a, b) => a.version - b.version);
  return {
    name: record.name,
    type: record.type,
    policy: { ...record.policy },
    created_at: new Date(record.created_at.getTime()),
    latest_version: latestOf(record),
    min_available_version: versions[0]?.version ?? 1,
    versions,
  };
}
