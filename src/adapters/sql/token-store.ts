import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely, Selectable } from 'kysely';
import type { TokenStore } from '../../core/ports/token-store.js';
import type { ApiToken, Scope } from '../../core/tokens.js';
import type { ApiTokensTable, Database } from './schema.js';

const fromRow = ({ token_hash: _hash, ...r }: Selectable<ApiTokensTable>): ApiToken => ({
  ...r,
  scope: r.scope as Scope,
});

export class SqlTokenStore implements TokenStore {
  private readonly liteFind: BetterSqlite3.Statement | undefined;

  /**
   * `sqlite`: the raw handle behind `db` when it is SQLite. Every authenticated request looks its
   * token up: a prepared statement then, instead of building, compiling and preparing the query
   * each time (most of the lookup's cost). Still read from the database on every request, so a
   * revocation by another process on the same file holds at once.
   */
  constructor(
    private readonly db: Kysely<Database>,
    sqlite?: BetterSqlite3.Database,
  ) {
    this.liteFind = sqlite?.prepare('select * from api_tokens where token_hash = ?');
  }

  async insert(token: ApiToken, tokenHash: string): Promise<void> {
    await this.db
      .insertInto('api_tokens')
      .values({ ...token, token_hash: tokenHash })
      .execute();
  }

  async findByHash(tokenHash: string): Promise<ApiToken | null> {
    if (this.liteFind) {
      const r = this.liteFind.get(tokenHash) as Selectable<ApiTokensTable> | undefined;
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
    const res = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async touch(id: string, at: number): Promise<void> {
    await this.db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
  }
}
