/**
 * In-memory KeyStore, for tests and single-process embedding. Keeps the port's contract exactly
 * (copies in and out, compare-and-set addVersion, conflict / not_found errors) so that the keyring's
 * tests mean something for the SQL adapter too; test/core/keys/key-store.contract.ts checks both.
 */
import { BulwarkError } from '../../core/errors.js';
import type { KeyStore } from '../../core/keys/key-store.js';
import type {
  KeyPolicy,
  KeyRecord,
  KeyRotationEvent,
  KeySummary,
  StoredKeyVersion,
} from '../../core/keys/types.js';

const copyVersion = (v: StoredKeyVersion): StoredKeyVersion => ({
  version: v.version,
  created_at: new Date(v.created_at.getTime()),
  wrapped_material: v.wrapped_material,
});

const copyRecord = (r: KeyRecord): KeyRecord => ({
  name: r.name,
  type: r.type,
  policy: { ...r.policy },
  created_at: new Date(r.created_at.getTime()),
  versions: r.versions.map(copyVersion).sort((a, b) => a.version - b.version),
});

const copyEvent = (e: KeyRotationEvent): KeyRotationEvent => ({
  ...e,
  timestamp: new Date(e.timestamp.getTime()),
});

const notFound = (name: string): BulwarkError =>
  new BulwarkError('not_found', `key '${name}' does not exist`);

export class MemoryKeyStore implements KeyStore {
  readonly #keys = new Map<string, KeyRecord>();
  readonly #rotations: KeyRotationEvent[] = [];
  #checkValue: string | null = null;

  async getKey(name: string): Promise<KeyRecord | null> {
    const record = this.#keys.get(name);
    return record === undefined ? null : copyRecord(record);
  }

  async createKey(record: KeyRecord): Promise<void> {
    if (this.#keys.has(record.name))
      throw new BulwarkError('conflict', `key '${record.name}' already exists`);
    this.#keys.set(record.name, copyRecord(record));
  }

  async addVersion(
    name: string,
    expectedLatestVersion: number,
    newVersion: StoredKeyVersion,
    rotationEvent: KeyRotationEvent,
  ): Promise<void> {
    const record = this.#keys.get(name);
    if (record === undefined) throw notFound(name);
    const latest = latestOf(record);
    if (latest !== expectedLatestVersion || newVersion.version <= latest) {
      throw new BulwarkError(
        'conflict',
        `key '${name}' is at version ${latest}, not ${expectedLatestVersion}: another rotation won`,
        { details: { latest_version: latest } },
      );
    }
    // Both writes or neither: nothing above can throw after this point.
    record.versions.push(copyVersion(newVersion));
    this.#rotations.push(copyEvent(rotationEvent));
  }

  async updatePolicy(name: string, policy: KeyPolicy): Promise<void> {
    const record = this.#keys.get(name);
    if (record === undefined) throw notFound(name);
    record.policy = { ...policy };
  }

  async deleteVersions(name: string, versions: readonly number[]): Promise<number> {
    const record = this.#keys.get(name);
    if (record === undefined) throw notFound(name);
    const latest = latestOf(record);
    if (versions.includes(latest)) {
      throw new BulwarkError(
        'conflict',
        `version ${latest} is the latest version of key '${name}' and cannot be deleted`,
      );
    }
    const before = record.versions.length;
    record.versions = record.versions.filter((v) => !versions.includes(v.version));
    return before - record.versions.length;
  }

  async listKeys(): Promise<KeySummary[]> {
    return [...this.#keys.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((r) => {
        const latest = r.versions.reduce((m, v) => (v.version > m.version ? v : m));
        return {
          name: r.name,
          type: r.type,
          policy: { ...r.policy },
          created_at: new Date(r.created_at.getTime()),
          latest_version: latest.version,
          latest_version_created_at: new Date(latest.created_at.getTime()),
        };
      });
  }

  async listRotations(keyName?: string): Promise<KeyRotationEvent[]> {
    return this.#rotations.filter((e) => keyName === undefined || e.key_id === keyName).map(copyEvent);
  }

  async initMasterKeyCheck(checkValue: string): Promise<string> {
    this.#checkValue ??= checkValue;
    return this.#checkValue;
  }
}

const latestOf = (record: KeyRecord): number => record.versions.reduce((m, v) => Math.max(m, v.version), 0);
