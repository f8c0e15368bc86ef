import { type Bulwark, createBulwark } from '../app/bulwark.js';
import type { BulwarkConfigInput } from '../app/config.js';

export interface GlobalOptions {
  db?: string;
  json?: boolean;
}

export function configFrom(opts: GlobalOptions): BulwarkConfigInput {
  return opts.db ? { database_url: opts.db } : {};
}

/** Opens Bulwark (applying migrations), runs `fn`, and always closes the store. */
export async function withBulwark<T>(opts: GlobalOptions, fn: (b: Bulwark) => Promise<T>): Promise<T> {
  const bulwark = await createBulwark(configFrom(opts), { logLevel: 'silent' });
  try {
    return await fn(bulwark);
  } finally {
    await bulwark.close();
  }
}

/** The identity recorded for actions taken from the CLI. */
export const cliActor = (): string => `cli:${process.env.USER ?? process.env.LOGNAME ?? 'unknown'}`;
