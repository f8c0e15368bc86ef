import type { Kysely, Selectable } from 'kysely';
import type { TokenStore } from '../../core/ports/token-store.js';
import type { ApiToken, Scope } from '../../core/tokens.js';
import type { ApiTokensTable, Database } from './schema.js';

const fromRow = ({ token_hash: _hash, ...r }: Selectable<ApiTokensTable>): ApiToken => ({
  ...r,
  scope: r.scope as Scope,
});

export class SqlTokenStore implements TokenStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(token: ApiToken, tokenHash: string): Promise<void> {
    await this.db
      .insertInto('api_tokens')
      .values({ ...token, token_hash: tokenHash })
      .execute();
  }

  async findByHash(tokenHash: string): Promise<ApiToken | null> {
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
