/**
 * The limiter's store on SQL (SQLite or PostgreSQL): for one-box deployments that want bans and
 * lockouts to survive a restart. Each decision is atomic:
 * - SQLite: prepared statements on the raw better-sqlite3 handle, in the handle's write batch
 *   (sqlite-batch.ts): the decisions of one event-loop turn share one `BEGIN IMMEDIATE`
 *   transaction (the write lock taken up front, so two processes on one file serialise instead of
 *   deadlocking on an upgrade), synchronous, each settled after its commit.
 * - PostgreSQL: missing rows are created with `INSERT … ON CONFLICT DO NOTHING`, then locked with
 *   `SELECT … FOR UPDATE` in key order (two decisions on overlapping keys cannot deadlock), decided
 *   in process by the same pure code as the memory store (bucket-batch.ts, lockout.ts), written back.
 * Times are absolute epoch ms, so a ban keeps its end across restarts. Rows that say nothing a
 * missing row would not are deleted by `sweep` (the composition root calls it now and then).
 */
import type BetterSqlite3 from 'better-sqlite3';
import { type Kysely, sql, type Transaction } from 'kysely';
import { validationError } from '../../core/errors.js';
import { checkBatch, decideBatch } from '../../core/ratelimit/bucket-batch.js';
import { type BucketDecision, type GcraState } from '../../core/ratelimit/gcra.js';
import {
  applyFailure,
  clearFailures,
  type LockoutPolicy,
  type LockState,
  lockStateOf,
} from '../../core/ratelimit/lockout.js';
import { entryFromRecord, type LockoutRecord, recordFromEntry } from '../../core/ratelimit/lockout-record.js';
import type { BucketRequest, CheckAndConsumeResult, LimiterStore } from '../../core/ratelimit/ports.js';
import type { SyncLimiterStore } from '../../core/ratelimit/sync-store.js';
import type { ActiveLock, LockoutRegistry } from '../../core/ports/lockout-registry.js';
import type { SqlDatabase } from './dialect.js';
import { type SqliteWriteBatch, sqliteBatchOf } from './sqlite-batch.js';
import type { Database } from './schema.js';

interface BucketRow {
  key: string;
  state: number;
  tat_rem: number;
}
interface LockRow extends LockoutRecord {
  key: string;
}

function checkPolicy(key: string, policy: LockoutPolicy): void {
  if (typeof key !== 'string' || key.length === 0) throw validationError('key', 'must be a non-empty string');
  if (!Number.isInteger(policy.maxFailures) || policy.maxFailures < 1 || policy.maxFailures > 1000)
    throw validationError('maxFailures', 'must be an integer from 1 to 1000');
}

/** A bucket row is idle once its TAT has passed; it can be deleted then. */
const bucketExpiry = (s: GcraState): number => s.tatMs + 1;

export class SqlLimiterStore implements LimiterStore, LockoutRegistry {
  private readonly db: Kysely<Database>;
  private readonly lite: SqliteStatements | undefined;

  constructor(store: SqlDatabase) {
    this.db = store.db;
    this.lite = store.sqlite ? new SqliteStatements(store.sqlite) : undefined;
  }

  /**
   * SQLite only: the same operations as synchronous calls, for a job that runs inside the
   * handle's write batch (sqliteBatchOf(handle).run) together with the writes that depend on
   * them (sqlite-attempt-unit.ts). Undefined on PostgreSQL. Never call them outside a batch job:
   * they would write outside any transaction the batch commits.
   */
  get inWriteBatch(): SyncLimiterStore | undefined {
    return this.lite;
  }

  // ---- rate limits -------------------------------------------------------------------------

  async consume(
    key: string,
    limit: number,
    windowMs: number,
    cost: number,
    nowMs: number,
  ): Promise<BucketDecision> {
    const [d] = await this.consumeMany([{ key, limit, windowMs, cost }], nowMs);
    return d!;
  }

  async consumeMany(requests: readonly BucketRequest[], nowMs: number): Promise<BucketDecision[]> {
    const r = await this.checkAndConsume([], requests, nowMs);
    return r.buckets!;
  }

  async checkAndConsume(
    lockKeys: readonly string[],
    requests: readonly BucketRequest[],
    nowMs: number,
  ): Promise<CheckAndConsumeResult> {
    checkBatch(requests, nowMs);
    if (this.lite) return this.lite.checkAndConsume(lockKeys, requests, nowMs);
    return this.db.transaction().execute(async (trx) => {
      const locks = await pgLockStates(trx, lockKeys, nowMs);
      if (locks.some((l) => l.locked)) return { locks, buckets: null };
      if (requests.length === 0) return { locks, buckets: [] };
      const keys = requests.map((r) => r.key);
      await sql`insert into rate_limit_buckets (key, state, tat_rem, expires_at)
                select k, 0, 0, 0 from unnest(${keys}::text[]) as k
                on conflict (key) do nothing`.execute(trx);
      const rows = await sql<BucketRow>`select key, state, tat_rem from rate_limit_buckets
                where key = any(${keys}::text[]) order by key for update`.execute(trx);
      const byKey = new Map(rows.rows.map((r) => [r.key, r]));
      const states = requests.map((r) => stateOf(byKey.get(r.key)));
      const out = decideBatch(states, requests, nowMs);
      if (out.next)
        for (let i = 0; i < requests.length; i++) {
          const s = out.next[i]!;
          await trx
            .updateTable('rate_limit_buckets')
            .set({ state: s.tatMs, tat_rem: s.tatRem, expires_at: bucketExpiry(s) })
            .where('key', '=', requests[i]!.key)
            .execute();
        }
      return { locks, buckets: out.decisions };
    });
  }

  // ---- lockouts ----------------------------------------------------------------------------

  async recordFailure(key: string, policy: LockoutPolicy, nowMs: number): Promise<LockState> {
    checkPolicy(key, policy);
    if (this.lite) return this.lite.recordFailure(key, policy, nowMs);
    return this.db.transaction().execute(async (trx) => {
      await sql`insert into lockouts (key, locked_until, level, failures, updated_at, expires_at)
                values (${key}, 0, 0, '{"t":[],"le":0,"ft":0}', ${nowMs}, 0)
                on conflict (key) do nothing`.execute(trx);
      const row = (
        await sql<LockRow>`select key, locked_until, level, failures, expires_at from lockouts
                  where key = ${key} for update`.execute(trx)
      ).rows[0]!;
      const e = applyFailure(entryFromRecord(row, policy.maxFailures), policy, nowMs);
      await trx
        .updateTable('lockouts')
        .set({ ...recordFromEntry(e), updated_at: nowMs })
        .where('key', '=', key)
        .execute();
      return lockStateOf(e, nowMs);
    });
  }

  async isLocked(key: string, nowMs: number): Promise<LockState> {
    if (this.lite) return this.lite.isLocked(key, nowMs);
    const row = await this.db
      .selectFrom('lockouts')
      .select(['key', 'locked_until', 'level', 'failures', 'expires_at'])
      .where('key', '=', key)
      .executeTakeFirst();
    return lockStateOf(row ? entryFromRecord(row) : undefined, nowMs);
  }

  async clear(key: string): Promise<void> {
    if (this.lite) return this.lite.clear(key);
    await this.db.transaction().execute(async (trx) => {
      const row = (
        await sql<LockRow>`select key, locked_until, level, failures, expires_at from lockouts
                  where key = ${key} for update`.execute(trx)
      ).rows[0];
      if (!row) return;
      const e = entryFromRecord(row);
      clearFailures(e);
      await trx.updateTable('lockouts').set(recordFromEntry(e)).where('key', '=', key).execute();
    });
  }

  async unlock(key: string): Promise<void> {
    await this.db.deleteFrom('lockouts').where('key', '=', key).execute();
  }

  async listActiveLocks(nowMs: number, limit: number): Promise<ActiveLock[]> {
    const rows = await this.db
      .selectFrom('lockouts')
      .select(['key', 'locked_until', 'level'])
      .where('locked_until', '>', nowMs)
      .orderBy('locked_until', 'desc')
      .orderBy('key')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ key: r.key, until: Number(r.locked_until), level: Number(r.level) }));
  }

  /** Deletes rows that no longer say anything (idle buckets, forgotten lockouts). */
  async sweep(nowMs: number): Promise<{ buckets: number; lockouts: number }> {
    const b = await this.db
      .deleteFrom('rate_limit_buckets')
      .where('expires_at', '<', nowMs)
      .executeTakeFirst();
    const l = await this.db
      .deleteFrom('lockouts')
      .where('expires_at', '<=', nowMs)
      .where('locked_until', '<=', nowMs)
      .executeTakeFirst();
    return { buckets: Number(b.numDeletedRows), lockouts: Number(l.numDeletedRows) };
  }
}

const stateOf = (row: BucketRow | undefined): GcraState | null =>
  row === undefined ? null : { tatMs: Number(row.state), tatRem: Number(row.tat_rem) };

async function pgLockStates(
  trx: Transaction<Database>,
  keys: readonly string[],
  nowMs: number,
): Promise<LockState[]> {
  if (keys.length === 0) return [];
  const rows = await trx
    .selectFrom('lockouts')
    .select(['key', 'locked_until', 'level', 'failures', 'expires_at'])
    .where('key', 'in', [...keys])
    .execute();
  const byKey = new Map(rows.map((r) => [r.key, r]));
  return keys.map((k) => {
    const r = byKey.get(k);
    return lockStateOf(r ? entryFromRecord(r) : undefined, nowMs);
  });
}

/**
 * SQLite: prepared statements on the raw handle. Every write runs in the handle's write batch
 * (sqlite-batch.ts): the operations of one event-loop turn (of this store and of the attempt and
 * audit stores on the same handle) share one IMMEDIATE transaction, in the order asked; their
 * promises settle after the commit. Same results as one transaction each, a fraction of the
 * commits under concurrent requests.
 */
class SqliteStatements implements SyncLimiterStore {
  private readonly getBucket: BetterSqlite3.Statement;
  private readonly putBucket: BetterSqlite3.Statement;
  private readonly getLock: BetterSqlite3.Statement;
  private readonly putLock: BetterSqlite3.Statement;
  private readonly batch: SqliteWriteBatch;
  /** `where key in (?, …)` statements by key count, prepared on first use. */
  private readonly getLocks: BetterSqlite3.Statement[] = [];

  constructor(private readonly handle: BetterSqlite3.Database) {
    const h = handle;
    this.batch = sqliteBatchOf(h);
    this.getBucket = h.prepare('select key, state, tat_rem from rate_limit_buckets where key = ?');
    this.putBucket = h.prepare(
      `insert into rate_limit_buckets (key, state, tat_rem, expires_at) values (?, ?, ?, ?)
       on conflict (key) do update set state = excluded.state, tat_rem = excluded.tat_rem, expires_at = excluded.expires_at`,
    );
    this.getLock = h.prepare(
      'select key, locked_until, level, failures, expires_at from lockouts where key = ?',
    );
    this.putLock = h.prepare(
      `insert into lockouts (key, locked_until, level, failures, updated_at, expires_at) values (?, ?, ?, ?, ?, ?)
       on conflict (key) do update set locked_until = excluded.locked_until, level = excluded.level,
         failures = excluded.failures, updated_at = excluded.updated_at, expires_at = excluded.expires_at`,
    );
  }

  private lockState(key: string, nowMs: number): LockState {
    const row = this.getLock.get(key) as LockRow | undefined;
    return lockStateOf(row ? entryFromRecord(row) : undefined, nowMs);
  }

  // The bodies below run inside the batch's write transaction (atomic: a throw rolls back all of
  // the body); they read nothing but the database and their arguments, so a rerun is the same.

  /** The lock states of `keys`, in order: one statement for all of them (an attempt has up to three). */
  private lockStates(keys: readonly string[], nowMs: number): LockState[] {
    const n = keys.length;
    if (n === 0) return [];
    if (n === 1) return [this.lockState(keys[0]!, nowMs)];
    let stmt = this.getLocks[n];
    if (stmt === undefined) {
      stmt = this.handle.prepare(
        `select key, locked_until, level, failures, expires_at from lockouts where key in (${keys.map(() => '?').join(', ')})`,
      );
      this.getLocks[n] = stmt;
    }
    const rows = stmt.all(...keys) as LockRow[];
    const out = new Array<LockState>(n);
    for (let i = 0; i < n; i++) {
      const row = rows.find((r) => r.key === keys[i]);
      out[i] = lockStateOf(row ? entryFromRecord(row) : undefined, nowMs);
    }
    return out;
  }

  private check(lockKeys: readonly string[], requests: readonly BucketRequest[], nowMs: number) {
    const locks = this.lockStates(lockKeys, nowMs);
    if (locks.some((l) => l.locked)) return { locks, buckets: null };
    const states = requests.map((r) => stateOf(this.getBucket.get(r.key) as BucketRow | undefined));
    const out = decideBatch(states, requests, nowMs);
    if (out.next)
      for (let i = 0; i < requests.length; i++) {
        const s = out.next[i]!;
        this.putBucket.run(requests[i]!.key, s.tatMs, s.tatRem, bucketExpiry(s));
      }
    return { locks, buckets: out.decisions };
  }

  private failure(key: string, policy: LockoutPolicy, nowMs: number): LockState {
    const row = this.getLock.get(key) as LockRow | undefined;
    const base = row ?? { locked_until: 0, level: 0, failures: '{"t":[],"le":0,"ft":0}', expires_at: 0 };
    const e = applyFailure(entryFromRecord(base, policy.maxFailures), policy, nowMs);
    const rec = recordFromEntry(e);
    this.putLock.run(key, rec.locked_until, rec.level, rec.failures, nowMs, rec.expires_at);
    return lockStateOf(e, nowMs);
  }

  private clearRow(key: string): void {
    const row = this.getLock.get(key) as LockRow | undefined;
    // Most successful logins have nothing to clear: no write in that case.
    if (!row) return;
    const e = entryFromRecord(row);
    clearFailures(e);
    const rec = recordFromEntry(e);
    this.putLock.run(key, rec.locked_until, rec.level, rec.failures, Date.now(), rec.expires_at);
  }

  checkAndConsume(
    lockKeys: readonly string[],
    requests: readonly BucketRequest[],
    nowMs: number,
  ): Promise<CheckAndConsumeResult> {
    return this.batch.run(() => this.check(lockKeys, requests, nowMs));
  }

  // Inside a batch job (SqlLimiterStore.inWriteBatch): the same bodies, with the same argument
  // checks as the async entry points.
  checkAndConsumeSync(
    lockKeys: readonly string[],
    requests: readonly BucketRequest[],
    nowMs: number,
  ): CheckAndConsumeResult {
    checkBatch(requests, nowMs);
    return this.check(lockKeys, requests, nowMs);
  }
  recordFailureSync(key: string, policy: LockoutPolicy, nowMs: number): LockState {
    checkPolicy(key, policy);
    return this.failure(key, policy, nowMs);
  }
  clearSync(key: string): void {
    this.clearRow(key);
  }
  recordFailure(key: string, policy: LockoutPolicy, nowMs: number): Promise<LockState> {
    return this.batch.run(() => this.failure(key, policy, nowMs));
  }
  isLocked(key: string, nowMs: number): LockState {
    return this.lockState(key, nowMs);
  }
  clear(key: string): Promise<void> {
    return this.batch.run(() => this.clearRow(key));
  }
}
