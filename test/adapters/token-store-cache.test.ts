/**
 * The SQLite token store keeps the tokens it read (src/adapters/sql/token-store.ts, TokenCache)
 * without weakening revocation: a token revoked by another connection on the same file (another
 * process: `bulwark tokens revoke`), or by another store on the same handle, is refused on the
 * next lookup.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SqlDatabase, openSqlDatabase } from '../../src/adapters/sql/dialect.js';
import { migrateToLatest } from '../../src/adapters/sql/migrate.js';
import { SqlTokenStore } from '../../src/adapters/sql/token-store.js';
import type { ApiToken } from '../../src/core/tokens.js';

let dir: string;
let a: SqlDatabase;
let b: SqlDatabase;

const token = (id: string): ApiToken => ({
  id,
  name: `t-${id}`,
  scope: 'write',
  prefix: 'bwk_x',
  created_at: 1,
  revoked_at: null,
  last_used_at: null,
});

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'bulwark-tokens-'));
  const url = `sqlite:${path.join(dir, 't.db')}`;
  a = await openSqlDatabase(url);
  await migrateToLatest(a);
  b = await openSqlDatabase(url);
});
afterEach(async () => {
  await a.close();
  await b.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqlTokenStore on SQLite, with its token cache', () => {
  it('sees a revocation committed by another connection on the next lookup', async () => {
    const here = new SqlTokenStore(a.db, a.sqlite);
    const other = new SqlTokenStore(b.db, b.sqlite);
    await here.insert(token('1'), 'h1');
    expect((await here.findByHash('h1'))?.revoked_at).toBe(null);
    expect((await here.findByHash('h1'))?.revoked_at).toBe(null); // from the cache
    expect(await other.revoke('1', 1234)).toBe(true);
    expect((await here.findByHash('h1'))?.revoked_at).toBe(1234);
  });

  it('sees a revocation or a new token by another store on the same handle', async () => {
    const one = new SqlTokenStore(a.db, a.sqlite);
    const two = new SqlTokenStore(a.db, a.sqlite);
    await one.insert(token('1'), 'h1');
    expect(await one.findByHash('h2')).toBe(null);
    await two.insert(token('2'), 'h2');
    expect((await one.findByHash('h2'))?.id).toBe('2');
    expect((await one.findByHash('h1'))?.revoked_at).toBe(null);
    await two.revoke('1', 99);
    expect((await one.findByHash('h1'))?.revoked_at).toBe(99);
  });

  it('hands out copies: a caller changing its record does not change the next lookup', async () => {
    const s = new SqlTokenStore(a.db, a.sqlite);
    await s.insert(token('1'), 'h1');
    const first = (await s.findByHash('h1'))!;
    first.revoked_at = 5;
    expect((await s.findByHash('h1'))?.revoked_at).toBe(null);
  });
});
