import type { Bulwark } from '../app/bulwark.js';
import type { BulwarkConfigInput } from '../app/config.js';

export interface GlobalOptions {
  db?: string;
  json?: boolean;
}

export function configFrom(opts: GlobalOptions): BulwarkConfigInput {
  return opts.db ? { database_url: opts.db } : {};
}

/**
 * The application is loaded when a command runs, not when the CLI starts: `bulwark --help`, a
 * usage error or a flag check then costs the CLI's own modules only (the app pulls in the SQL
 * drivers, Kysely, zod schemas, pino and prom-client: most of a cold start).
 */
export const loadApp = () => import('../app/bulwark.js');

/** Opens Bulwark (applying migrations), runs `fn`, and always closes the store. */
export async function withBulwark<T>(opts: GlobalOptions, fn: (b: Bulwark) => Promise<T>): Promise<T> {
  const { createBulwark } = await loadApp();
  const bulwark = await createBulwark(configFrom(opts), { logLevel: 'silent' });
  try {
    return await fn(bulwark);
  } finally {
    await bulwark.close();
  }
}

/** The identity recorded for actions taken from the CLI. */
export const cliActor = (): string => `cli:${process.env.USER ?? process.env.LOGNAME ?? 'unknown'}`;
