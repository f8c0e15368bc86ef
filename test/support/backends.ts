/**
 * The SQL backends every contract suite runs against: SQLite always, PostgreSQL when reachable.
 * Each PostgreSQL suite gets its own schema (dropped afterwards), so runs never collide. Without a
 * server the PostgreSQL suites are skipped with the reason printed; under CI=true a missing server
 * is a failure.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, it } from 'vitest';
import pg from 'pg';

export const PG_BASE_URL = process.env.BULWARK_TEST_PG_URL ?? 'postgres://root@127.0.0.1:5432/test';
export const REDIS_URL = process.env.BULWARK_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function probePostgres(): Promise<string | null> {
  const client = new pg.Client({ connectionString: PG_BASE_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await client.end().catch(() => {});
  }
}

const pgProblem = await probePostgres();
export const postgresAvailable = pgProblem === null;

export const uniqueSchema = (prefix = 'bw'): string =>
  `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_BASE_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}

export interface Backend {
  name: 'sqlite' | 'postgres';
  /** A fresh, empty database URL for one suite. */
  url(): string;
}

/**
 * Runs `fn` once per backend inside a describe block. `fn` receives a function giving that suite's
 * database URL (fresh per suite: a temp SQLite file or a new PostgreSQL schema).
 */
export function describeEachBackend(name: string, fn: (backend: Backend) => void): void {
  describe(`${name} [sqlite]`, () => {
    fn({ name: 'sqlite', url: () => 'sqlite::memory:' });
  });

  const label = `${name} [postgres]`;
  if (!postgresAvailable) {
    if (process.env.CI === 'true') {
      describe(label, () => {
        throw new Error(
          `PostgreSQL is required under CI=true but ${PG_BASE_URL} is unreachable: ${pgProblem}`,
        );
      });
      return;
    }
    console.warn(`[skipped] ${label}: PostgreSQL unreachable at ${PG_BASE_URL} (${pgProblem})`);
    // The suite's body is not collected: it may need the server while declaring its tests.
    describe.skip(`${label} (skipped: PostgreSQL unreachable: ${pgProblem})`, () => {
      it.skip(`needs PostgreSQL at ${PG_BASE_URL}`, () => {});
    });
    return;
  }
  describe(label, () => {
    const schemas: string[] = [];
    afterAll(async () => {
      for (const s of schemas) await dropSchema(s);
    });
    fn({
      name: 'postgres',
      url: () => {
        const s = uniqueSchema();
        schemas.push(s);
        return `${PG_BASE_URL}?schema=${s}`;
      },
    });
  });
}
