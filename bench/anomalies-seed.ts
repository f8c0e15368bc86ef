/**
 * The anomaly bench's data, generated inside the database (identical on SQLite and PostgreSQL):
 * `n` attempts `step` ms apart from `t0`; 70 % successes from 50,000 addresses and 5,000 users; in
 * every 1,000 attempts a burst of 20 unknown-user failures from one of 50 attacking addresses.
 *
 * The table's secondary indexes are dropped for the insert and built again from their own stored
 * definitions afterwards: the same indexes as the migrations made, in a fraction of the time it
 * takes to maintain six b-trees row by row.
 */
import { sql } from 'kysely';
import type { SqlDatabase } from '../src/adapters/sql/dialect.js';

function insertSql(dialect: 'sqlite' | 'postgres', n: number, t0: number, step: number): string {
  const cat = (...parts: string[]) => parts.join(' || ');
  const txt = (e: string) => (dialect === 'postgres' ? `(${e})::text` : `(${e})`);
  const attack = `(i % 1000) < 20`;
  const ip = `case when ${attack} then ${cat(`'203.0.113.'`, txt(`(i / 1000) % 50`))}
              else ${cat(`'10.'`, txt(`(i * 7919) % 200`), `'.'`, txt(`(i * 104729) % 250`), `'.'`, txt(`i % 250`))} end`;
  const user = `case when ${attack} then ${cat(`'guess'`, txt('i % 20'))} else ${cat(`'user'`, txt('(i * 31) % 5000'))} end`;
  const failure = `(${attack} or (i % 10) >= 7)`;
  const id = dialect === 'postgres' ? `lpad(i::text, 12, '0')` : `printf('%012d', i)`;
  const select = `select ${id}, ${user}, null, ${ip}, ${ip}, ${t0} + i * ${step},
      case when ${failure} then 'failure' else 'success' end,
      case when ${attack} then 'unknown_user' when ${failure} then 'bad_password' else null end,
      null, '[]'`;
  const cols = `(id, user_id, sender, source_ip, ip_key, timestamp, result, failure_reason, failure_detail, rl_bucket_state)`;
  if (dialect === 'postgres')
    return `insert into authentication_attempts ${cols} ${select} from generate_series(0::bigint, ${n - 1}::bigint) as i`;
  return `with recursive s(i) as (select 0 union all select i + 1 from s where i < ${n - 1})
          insert into authentication_attempts ${cols} ${select} from s`;
}

/** The secondary indexes of authentication_attempts (not the primary key's) as CREATE INDEX statements. */
async function secondaryIndexes(store: SqlDatabase): Promise<{ name: string; definition: string }[]> {
  if (store.dialect === 'sqlite') {
    const r = await sql<{ name: string; definition: string }>`
      select name, sql as definition from sqlite_master
       where type = 'index' and tbl_name = 'authentication_attempts' and sql is not null`.execute(store.db);
    return r.rows;
  }
  const r = await sql<{ name: string; definition: string }>`
    select indexrelid::regclass::text as name, pg_get_indexdef(indexrelid) as definition
      from pg_index
     where indrelid = 'authentication_attempts'::regclass and not indisprimary`.execute(store.db);
  return r.rows;
}

/** Fills an empty authentication_attempts table with the bench's attempts. */
export async function seedAttempts(store: SqlDatabase, n: number, t0: number, step: number): Promise<void> {
  const indexes = await secondaryIndexes(store);
  for (const { name } of indexes) await sql`drop index ${sql.id(name)}`.execute(store.db);
  await sql.raw(insertSql(store.dialect, n, t0, step)).execute(store.db);
  for (const { definition } of indexes) await sql.raw(definition).execute(store.db);
  if (store.dialect === 'postgres') await sql`analyze authentication_attempts`.execute(store.db);
}
