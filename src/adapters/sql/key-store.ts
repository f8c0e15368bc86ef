/**
 * The keyring's SQL store (tables keys / key_versions / key_rotation_events / keyring_meta of
 * migration 001), on SQLite and PostgreSQL.
 *
 * Rotation (addVersion) is one transaction whose FIRST statement is the compare-and-set
 * `update keys set latest_version = N+1 where name = ? and latest_version = N`:
 * - PostgreSQL: the row lock makes a racing transaction wait, then re-check the WHERE under READ
 *   COMMITTED; it updates nothing and gets `conflict`.
 * - SQLite: the writes run synchronously on the better-sqlite3 handle in a BEGIN IMMEDIATE
 *   transaction: it takes the database write lock first (waiting out busy_timeout when another
 *   process holds it), and never awaits while holding it — an async transaction that awaited would
 *   deadlock a second connection in the same process (better-sqlite3 blocks the thread while it
 *   waits) and could interleave with the audit store's own synchronous appends.
 * The unique (key_id, version_to) constraint on key_rotation_events is a second line of defence.
 * The optional `onRotation` hook runs inside the same transaction (the composition root appends the
 * `key_rotation` audit entry there), so version, event and audit entry commit or vanish together.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { BulwarkError } from '../../core/errors.js';
import type { KeyStore } from '../../core/keys/key-store.js';
import type {
  KeyPolicy,
  KeyRecord,
  KeyRotationEvent,
  KeySummary,
  KeyType,
  StoredKeyVersion,
} from '../../core/keys/types.js';
import type { SqlDatabase } from './dialect.js';
import type { Database, KeyRotationEventsTable } from './schema.js';

/** Work that must commit with a rotation (its audit entry): one entry point per backend. */
export interface RotationHook {
  /** PostgreSQL: inside the rotation's Kysely transaction. */
  inTransaction(trx: Transaction<Database>, event: KeyRotationEvent): Promise<void>;
  /** SQLite: inside the rotation's synchronous better-sqlite3 transaction. */
  inSqliteTransaction(event: KeyRotationEvent): void;
}

export interface SqlKeyStoreOptions {
  /** Runs inside the rotation's transaction, after the version and event rows are written. */
  onRotation?: RotationHook;
  /** Milliseconds clock for updated_at. */
  now?: () => number;
}

const MASTER_KEY_CHECK = 'master_key_check';

const notFound = (name: string): BulwarkError =>
  new BulwarkError('not_found', `key '${name}' does not exist`);

const toEvent = (r: Selectable<KeyRotationEventsTable>): KeyRotationEvent => ({
  id: r.id,
  key_id: r.key_id,
  version_from: Number(r.version_from),
  version_to: Number(r.version_to),
  rotated_by: r.rotated_by,
  timestamp: new Date(Number(r.timestamp)),
  notes: r.notes,
});

const policyOf = (r: {
  min_decryption_version: number;
  auto_rotate_period_ms: number | null;
  deletion_allowed: number;
}): KeyPolicy => ({
  min_decryption_version: Number(r.min_decryption_version),
  auto_rotate_period_ms: Number(r.auto_rotate_period_ms ?? 0),
  deletion_allowed: Number(r.deletion_allowed) === 1,
});

export class SqlKeyStore implements KeyStore {
  readonly #db: Kysely<Database>;
  readonly #onRotation: RotationHook | undefined;
  readonly #now: () => number;
  readonly #sqlite: SqliteWrites | undefined;

  constructor(store: SqlDatabase, options: SqlKeyStoreOptions = {}) {
    this.#db = store.db;
    this.#onRotation = options.onRotation;
    this.#now = options.now ?? Date.now;
    this.#sqlite = store.sqlite ? sqliteWrites(store.sqlite) : undefined;
  }

  async getKey(name: string): Promise<KeyRecord | null> {
    const key = await this.#db.selectFrom('keys').selectAll().where('name', '=', name).executeTakeFirst();
    if (!key) return null;
    const versions = await this.#db
      .selectFrom('key_versions')
      .select(['version', 'created_at', 'material'])
      .where('key_name', '=', name)
      .where('deleted_at', 'is', null)
      .orderBy('version')
      .execute();
    return {
      name: key.name,
      type: key.type as KeyType,
      policy: policyOf(key),
      created_at: new Date(Number(key.created_at)),
      versions: versions.map((v) => ({
        version: Number(v.version),
        created_at: new Date(Number(v.created_at)),
        wrapped_material: v.material,
      })),
    };
  }

  async createKey(record: KeyRecord): Promise<void> {
    const latest = record.versions.reduce((m, v) => Math.max(m, v.version), 0);
    if (this.#sqlite) return this.#sqlite.createKey(record, latest, this.#now());
    await this.#db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('keys')
        .values({
          name: record.name,
          type: record.type,
          latest_version: latest,
          min_decryption_version: record.policy.min_decryption_version,
          auto_rotate_period_ms: record.policy.auto_rotate_period_ms,
          deletion_allowed: record.policy.deletion_allowed ? 1 : 0,
          created_at: record.created_at.getTime(),
          updated_at: this.#now(),
        })
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) {
        throw new BulwarkError('conflict', `key '${record.name}' already exists`);
      }
      for (const v of record.versions) {
        await trx.insertInto('key_versions').values(versionRow(record.name, v)).execute();
      }
    });
  }

  async addVersion(
    name: string,
    expectedLatestVersion: number,
    newVersion: StoredKeyVersion,
    rotationEvent: KeyRotationEvent,
  ): Promise<void> {
    if (this.#sqlite) {
      const hook = this.#onRotation;
      return this.#sqlite.addVersion(
        name,
        expectedLatestVersion,
        newVersion,
        rotationEvent,
        this.#now(),
        () => hook?.inSqliteTransaction(rotationEvent),
      );
    }
    await this.#db.transaction().execute(async (trx) => {
      const updated =
        newVersion.version > expectedLatestVersion
          ? await trx
              .updateTable('keys')
              .set({ latest_version: newVersion.version, updated_at: this.#now() })
              .where('name', '=', name)
              .where('latest_version', '=', expectedLatestVersion)
              .executeTakeFirst()
          : { numUpdatedRows: 0n };
      if (Number(updated.numUpdatedRows) !== 1) {
        const current = await trx
          .selectFrom('keys')
          .select('latest_version')
          .where('name', '=', name)
          .executeTakeFirst();
        if (!current) throw notFound(name);
        const latest = Number(current.latest_version);
        throw new BulwarkError(
          'conflict',
          `key '${name}' is at version ${latest}, not ${expectedLatestVersion}: another rotation won`,
          { details: { latest_version: latest } },
        );
      }
      await trx.insertInto('key_versions').values(versionRow(name, newVersion)).execute();
      await trx
        .insertInto('key_rotation_events')
        .values({
          id: rotationEvent.id,
          key_id: rotationEvent.key_id,
          version_from: rotationEvent.version_from,
          version_to: rotationEvent.version_to,
          rotated_by: rotationEvent.rotated_by,
          timestamp: rotationEvent.timestamp.getTime(),
          notes: rotationEvent.notes,
        })
        .execute();
      if (this.#onRotation) await this.#onRotation.inTransaction(trx, rotationEvent);
    });
  }

  async updatePolicy(name: string, policy: KeyPolicy): Promise<void> {
    const res = await this.#db
      .updateTable('keys')
      .set({
        min_decryption_version: policy.min_decryption_version,
        auto_rotate_period_ms: policy.auto_rotate_period_ms,
        deletion_allowed: policy.deletion_allowed ? 1 : 0,
        updated_at: this.#now(),
      })
      .where('name', '=', name)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw notFound(name);
  }

  /** Deletes rows for good: a deleted version's wrapped material is gone, not just flagged. */
  async deleteVersions(name: string, versions: readonly number[]): Promise<number> {
    if (this.#sqlite) return this.#sqlite.deleteVersions(name, versions);
    return this.#db.transaction().execute(async (trx) => {
      const key = await trx
        .selectFrom('keys')
        .select('latest_version')
        .where('name', '=', name)
        .executeTakeFirst();
      if (!key) throw notFound(name);
      const latest = Number(key.latest_version);
      if (versions.includes(latest)) {
        throw new BulwarkError(
          'conflict',
          `version ${latest} is the latest version of key '${name}' and cannot be deleted`,
        );
      }
      if (versions.length === 0) return 0;
      const res = await trx
        .deleteFrom('key_versions')
        .where('key_name', '=', name)
        .where('version', 'in', [...versions])
        .executeTakeFirst();
      return Number(res.numDeletedRows);
    });
  }

  async listKeys(): Promise<KeySummary[]> {
    const rows = await this.#db
      .selectFrom('keys')
      .innerJoin('key_versions', (j) =>
        j
          .onRef('key_versions.key_name', '=', 'keys.name')
          .onRef('key_versions.version', '=', 'keys.latest_version'),
      )
      .select([
        'keys.name',
        'keys.type',
        'keys.min_decryption_version',
        'keys.auto_rotate_period_ms',
        'keys.deletion_allowed',
        'keys.created_at',
        'keys.latest_version',
        'key_versions.created_at as latest_created_at',
      ])
      .orderBy('keys.name')
      .execute();
    return rows.map((r) => ({
      name: r.name,
      type: r.type as KeyType,
      policy: policyOf(r),
      created_at: new Date(Number(r.created_at)),
      latest_version: Number(r.latest_version),
      latest_version_created_at: new Date(Number(r.latest_created_at)),
    }));
  }

  async listRotations(keyName?: string): Promise<KeyRotationEvent[]> {
    let q = this.#db.selectFrom('key_rotation_events').selectAll();
    if (keyName !== undefined) q = q.where('key_id', '=', keyName);
    // By time; within one millisecond (or under a fixed test clock) a key's rotations by version.
    const rows = await q.orderBy('timestamp').orderBy('key_id').orderBy('version_to').execute();
    return rows.map(toEvent);
  }

  async initMasterKeyCheck(checkValue: string): Promise<string> {
    await this.#db
      .insertInto('keyring_meta')
      .values({ name: MASTER_KEY_CHECK, value: checkValue })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await this.#db
      .selectFrom('keyring_meta')
      .select('value')
      .where('name', '=', MASTER_KEY_CHECK)
      .executeTakeFirstOrThrow();
    return row.value;
  }
}

const versionRow = (name: string, v: StoredKeyVersion) => ({
  key_name: name,
  version: v.version,
  material: v.wrapped_material,
  public_key: null,
  created_at: v.created_at.getTime(),
  deleted_at: null,
});

const conflictAt = (name: string, latest: number, expected: number): BulwarkError =>
  new BulwarkError(
    'conflict',
    `key '${name}' is at version ${latest}, not ${expected}: another rotation won`,
    { details: { latest_version: latest } },
  );

interface SqliteWrites {
  createKey(record: KeyRecord, latest: number, now: number): void;
  addVersion(
    name: string,
    expected: number,
    v: StoredKeyVersion,
    e: KeyRotationEvent,
    now: number,
    hook: () => void,
  ): void;
  deleteVersions(name: string, versions: readonly number[]): number;
}

/** The SQLite write paths: prepared statements in synchronous IMMEDIATE transactions. */
function sqliteWrites(handle: BetterSqlite3.Database): SqliteWrites {
  const insertKey = handle.prepare(
    `insert into keys (name, type, latest_version, min_decryption_version, auto_rotate_period_ms,
       deletion_allowed, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (name) do nothing`,
  );
  const insertVersion = handle.prepare(
    `insert into key_versions (key_name, version, material, public_key, created_at, deleted_at)
       values (?, ?, ?, null, ?, null)`,
  );
  const casLatest = handle.prepare(
    'update keys set latest_version = ?, updated_at = ? where name = ? and latest_version = ?',
  );
  const readLatest = handle.prepare('select latest_version from keys where name = ?');
  const insertEvent = handle.prepare(
    `insert into key_rotation_events (id, key_id, version_from, version_to, rotated_by, timestamp, notes)
       values (?, ?, ?, ?, ?, ?, ?)`,
  );
  const deleteVersion = handle.prepare('delete from key_versions where key_name = ? and version = ?');
  const latestOf = (name: string): number | null => {
    const row = readLatest.get(name) as { latest_version: number } | undefined;
    return row === undefined ? null : Number(row.latest_version);
  };

  const createKey = handle.transaction((record: KeyRecord, latest: number, now: number) => {
    const p = record.policy;
    const res = insertKey.run(
      record.name,
      record.type,
      latest,
      p.min_decryption_version,
      p.auto_rotate_period_ms,
      p.deletion_allowed ? 1 : 0,
      record.created_at.getTime(),
      now,
    );
    if (res.changes !== 1) throw new BulwarkError('conflict', `key '${record.name}' already exists`);
    for (const v of record.versions)
      insertVersion.run(record.name, v.version, v.wrapped_material, v.created_at.getTime());
  });

  const addVersion = handle.transaction(
    (
      name: string,
      expected: number,
      v: StoredKeyVersion,
      e: KeyRotationEvent,
      now: number,
      hook: () => void,
    ) => {
      if (v.version <= expected || casLatest.run(v.version, now, name, expected).changes !== 1) {
        const latest = latestOf(name);
        if (latest === null) throw notFound(name);
        throw conflictAt(name, latest, expected);
      }
      insertVersion.run(name, v.version, v.wrapped_material, v.created_at.getTime());
      insertEvent.run(
        e.id,
        e.key_id,
        e.version_from,
        e.version_to,
        e.rotated_by,
        e.timestamp.getTime(),
        e.notes,
      );
      hook();
    },
  );

  const deleteVersions = handle.transaction((name: string, versions: readonly number[]) => {
    const latest = latestOf(name);
    if (latest === null) throw notFound(name);
    if (versions.includes(latest)) {
      throw new BulwarkError(
        'conflict',
        `version ${latest} is the latest version of key '${name}' and cannot be deleted`,
      );
    }
    let deleted = 0;
    for (const v of new Set(versions)) deleted += deleteVersion.run(name, v).changes;
    return deleted;
  });

  return {
    createKey: (record, latest, now) => createKey.immediate(record, latest, now),
    addVersion: (name, expected, v, e, now, hook) => addVersion.immediate(name, expected, v, e, now, hook),
    deleteVersions: (name, versions) => deleteVersions.immediate(name, versions),
  };
}
