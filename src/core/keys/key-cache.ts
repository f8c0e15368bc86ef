/**
 * The Keyring's in-memory cache of keys: policy, versions, and unwrapped material (VersionKey,
 * unwrapped lazily, once per version, so the hot path costs what bare node:crypto costs).
 *
 * Freshness, across processes sharing one store:
 * - Entries older than `ttlMs` are reloaded on next use, so policy changes made elsewhere (e.g. a
 *   raised min_decryption_version) take effect within ttlMs.
 * - A token naming a version newer than the cached latest triggers an immediate reload (another
 *   process rotated). Such miss-reloads are throttled to one per `missReloadIntervalMs` per key, so a
 *   stream of forged tokens with huge versions cannot turn into a stream of store reads.
 * - This process's own writes (rotate, policy, trim) invalidate the entry; a load that was in flight
 *   when the entry was invalidated is not stored (its data may predate the write).
 * Material of a version never changes, so a reload keeps the VersionKeys already unwrapped.
 */
import { BulwarkError } from '../errors.js';
import { VersionKey } from './key-material.js';
import type { KeyStore } from './key-store.js';
import { assertKeyName } from './key-validation.js';
import type { MasterKey } from './master-key.js';
import { INSPECT, REDACTED } from './redaction.js';
import type { KeyPolicy, KeyRecord, KeyType } from './types.js';

interface VersionSlot {
  wrapped: string;
  key: VersionKey | undefined;
}

export interface KeyState {
  readonly name: string;
  readonly type: KeyType;
  readonly policy: KeyPolicy;
  readonly latest: number;
  readonly slots: ReadonlyMap<number, VersionSlot>;
  readonly loadedAt: number;
  /** Set by invalidation; kept (not deleted) so a reload can reuse the already unwrapped versions. */
  stale: boolean;
  /** The unwrapped latest version, once used. */
  current: VersionKey | undefined;
}

export interface KeyCacheOptions {
  ttlMs: number;
  missReloadIntervalMs: number;
  clock: () => number;
}

export class KeyCache {
  readonly #store: KeyStore;
  readonly #master: MasterKey;
  readonly #opts: KeyCacheOptions;
  readonly #states = new Map<string, KeyState>();
  readonly #loading = new Map<string, Promise<KeyState>>();
  readonly #missReloadAt = new Map<string, number>();
  /** Bumped by every invalidation; a load started under an older generation is not cached. */
  #generation = 0;

  constructor(store: KeyStore, master: MasterKey, opts: KeyCacheOptions) {
    this.#store = store;
    this.#master = master;
    this.#opts = opts;
  }

  /** The cached state if present and within its TTL — synchronous, for the hot path. */
  fresh(name: string): KeyState | undefined {
    const state = this.#states.get(name);
    return state !== undefined && !state.stale && this.#opts.clock() - state.loadedAt < this.#opts.ttlMs
      ? state
      : undefined;
  }

  get(name: string): Promise<KeyState> {
    const state = this.fresh(name);
    return state !== undefined ? Promise.resolve(state) : this.load(name);
  }

  /** Reads the key from the store (one read shared by concurrent callers); not_found when absent. */
  load(name: string): Promise<KeyState> {
    const inflight = this.#loading.get(name);
    if (inflight !== undefined) return inflight;
    const promise = this.#read(name).finally(() => {
      if (this.#loading.get(name) === promise) this.#loading.delete(name);
    });
    this.#loading.set(name, promise);
    return promise;
  }

  async #read(name: string): Promise<KeyState> {
    assertKeyName(name, 'keyName');
    const generation = this.#generation;
    const record = await this.#store.getKey(name);
    if (record === null) throw new BulwarkError('not_found', `key '${name}' does not exist`);
    const state = this.#build(record, this.#states.get(name));
    // Invalidated while we were reading: answer the caller, but do not cache possibly stale data.
    if (generation === this.#generation) this.#states.set(name, state);
    return state;
  }

  #build(record: KeyRecord, previous: KeyState | undefined): KeyState {
    const slots = new Map<number, VersionSlot>();
    let latest = 0;
    for (const v of record.versions) {
      const old = previous?.slots.get(v.version);
      slots.set(v.version, {
        wrapped: v.wrapped_material,
        key: old?.wrapped === v.wrapped_material ? old.key : undefined,
      });
      if (v.version > latest) latest = v.version;
    }
    return {
      name: record.name,
      type: record.type,
      policy: { ...record.policy },
      latest,
      slots,
      loadedAt: this.#opts.clock(),
      stale: false,
      current: undefined,
    };
  }

  invalidate(name?: string): void {
    this.#generation++;
    if (name === undefined) {
      for (const state of this.#states.values()) state.stale = true;
      this.#loading.clear();
      this.#missReloadAt.clear();
      return;
    }
    const state = this.#states.get(name);
    if (state !== undefined) state.stale = true;
    this.#loading.delete(name);
  }

  /** The latest version, unwrapped (for encrypt, sign, hmac). */
  current(state: KeyState): VersionKey {
    return (state.current ??= this.versionKey(state, state.latest));
  }

  /** A stored version, unwrapped on first use; not_found when it is not stored. */
  versionKey(state: KeyState, version: number): VersionKey {
    const slot = state.slots.get(version);
    if (slot === undefined) {
      throw new BulwarkError(
        'not_found',
        `version ${version} of key '${state.name}' does not exist or was deleted`,
      );
    }
    if (slot.key === undefined) {
      const raw = this.#master.unwrap(slot.wrapped, { keyName: state.name, version, type: state.type });
      slot.key = new VersionKey(state.name, version, state.type, raw);
    }
    return slot.key;
  }

  /**
   * The key for reading a token of `version` (decrypt, verify): a VersionKey, or the reason it may
   * not be used. `undefined` means the version is newer than this state knows — call usableAfterReload.
   */
  usable(state: KeyState, version: number): VersionKey | string | undefined {
    if (version > state.latest) return undefined;
    if (version < state.policy.min_decryption_version) {
      return (
        `version ${version} of key '${state.name}' is below its min_decryption_version ` +
        `(${state.policy.min_decryption_version}) and may no longer be used`
      );
    }
    if (!state.slots.has(version)) return `version ${version} of key '${state.name}' has been deleted`;
    return this.versionKey(state, version);
  }

  /** Like usable, after reloading the key if the miss-reload throttle allows. */
  async usableAfterReload(state: KeyState, version: number): Promise<VersionKey | string> {
    const now = this.#opts.clock();
    let current = state;
    if (now - (this.#missReloadAt.get(state.name) ?? -Infinity) >= this.#opts.missReloadIntervalMs) {
      this.#missReloadAt.set(state.name, now);
      current = await this.load(state.name);
    }
    return (
      this.usable(current, version) ??
      `version ${version} of key '${state.name}' does not exist (latest is ${current.latest})`
    );
  }

  toJSON(): string {
    return `KeyCache ${REDACTED}`;
  }

  [INSPECT](): string {
    return `KeyCache ${REDACTED}`;
  }
}
