import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely, Selectable } from 'kysely';
import type { TokenStore } from '../../core/ports/token-store.js';
import type { ApiToken, Scope } from '../../core/tokens.js';
import type { ApiTokensTable, Database } from './schema.js';

const fromRow = ({ token_hash: _hash, ...r }: Selectable<ApiTokensTable>): ApiToken => ({
  ...r,
  scope: r.scope as Scope,
});

/** Tokens held per handle at most; past it the cache starts over (it only ever holds live lookups). */
const CACHE_MAX = 1024;

/**
 * SQLite: the tokens this handle read, for as long as nothing can have changed them. Valid while
 * `PRAGMA data_version` is unchanged (it changes when another connection, e.g. `bulwark tokens
 * revoke` in another process, commits to the file) and no store on this handle wrote api_tokens
 * (each write empties it). So a revocation holds at once, from this process or another, as when
 * every request read the table; the check costs a third of the lookup it saves.
 */
class TokenCache {
  private readonly dataVersion: BetterSqlite3.Statement;
  private version = -1;
  private readonly rows = new Map<string, Selectable<ApiTokensTable>>();

  constructor(handle: BetterSqlite3.Database) {
    this.dataVersion = handle.prepare('pragma data_version').pluck();
  }

  get(tokenHash: string, read: () => Selectable<ApiTokensTable> | undefined) {
    const v = this.dataVersion.get() as number;
    if (v !== this.version) {
      this.rows.clear();
      this.version = v;
    }
    let r = this.rows.get(tokenHash);
    if (r === undefined) {
      r = read();
      // Only rows that exist: unknown bearer strings (guesses) are not worth memory.
      if (r !== undefined) {
        if (this.rows.size >= CACHE_MAX) this.rows.clear();
        this.rows.set(tokenHash, r);
      }
    }
    return r;
  }

  clear(): void {
    this.rows.clear();
  }
}

const caches = new WeakMap<BetterSqlite3.Database, TokenCache>();
function tokenCacheOf(handle: BetterSqlite3.Database): TokenCache {
  let c = caches.get(handle);
  if (!c) {
    c = new TokenCache(handle);
    caches.set(handle, c);
  }
  return c;
}

export class SqlTokenStore implements TokenStore {
  private readonly liteFind: BetterSqlite3.Statement | undefined;
  private readonly cache: TokenCache | undefined;

  /**
   * `sqlite`: the raw handle behind `db` when it is SQLite. Every authenticated request looks its
   * token up: a prepared statement then, instead of building, compiling and preparing the query
   * each time, and the handle's TokenCache in front of it (a revocation by another process on the
   * same file still holds at once: see TokenCache).
   */
  constructor(
    private readonly db: Kysely<Database>,
    sqlite?: BetterSqlite3.Database,
  ) {
    this.liteFind = sqlite?.prepare('select * from api_tokens where token_hash = ?');
    this.cache = sqlite ? tokenCacheOf(sqlite) : undefined;
  }

  async insert(token: ApiToken, tokenHash: string): Promise<void> {
    try {
      await this.db
        .insertInto('api_tokens')
        .values({ ...token, token_hash: tokenHash })
        .execute();
    } finally {
      this.cache?.clear();
    }
  }

  async findByHash(tokenHash: string): Promise<ApiToken | null> {
    if (this.liteFind) {
      const find = this.liteFind;
      const r = this.cache!.get(
        tokenHash,
        () => find.get(tokenHash) as Selectable<ApiTokensTable> | undefined,
      );
      return r ? fromRow(r) : null;
    }
    const row = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  async list(): Promise<ApiToken[]> {
    const rows = await this.db.selectFrom('api_tokens').selectAll().orderBy('id').execute();
    return rows.map(fromRow);
  }

  async revoke(id: string, at: number): Promise<boolean> {
    try {
      const res = await this.db
        .updateTable('api_tokens')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    } finally {
      this.cache?.clear();
    }
  }

  async touch(id: string, at: number): Promise<void> {
    try {
      await this.db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
    } finally {
      this.cache?.clear();
    }
  }
}
