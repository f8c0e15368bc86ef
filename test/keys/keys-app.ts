/** A Bulwark + HTTP server with a configured master key (PostgreSQL has no default key file). */
import { randomBytes } from 'node:crypto';
import { createBulwark } from '../../src/app/bulwark.js';
import type { BulwarkConfigInput } from '../../src/app/config.js';
import type { Clock } from '../../src/core/clock.js';
import type { Scope } from '../../src/core/tokens.js';
import { buildServer } from '../../src/http/server.js';
import type { TestApp } from '../support/app.js';

export const newMasterKey = (): string => randomBytes(32).toString('base64');

export async function startKeysApp(
  databaseUrl: string,
  opts: { clock?: Clock; config?: BulwarkConfigInput; logLevel?: string } = {},
): Promise<TestApp & { masterKey: string }> {
  const masterKey = newMasterKey();
  const bulwark = await createBulwark(
    { database_url: databaseUrl, master_key: masterKey, ...opts.config },
    { logLevel: opts.logLevel ?? 'silent', env: {}, ...(opts.clock ? { clock: opts.clock } : {}) },
  );
  const app = await buildServer(bulwark);
  const actor = { id: 'test', ip: '127.0.0.1' };
  const tokens = {} as Record<Scope, string>;
  for (const scope of ['read', 'write', 'admin'] as const) {
    tokens[scope] = (await bulwark.tokens.create({ scope, name: `test-${scope}` }, actor)).token;
  }
  return {
    bulwark,
    app,
    tokens,
    masterKey,
    close: async () => {
      await app.close();
      await bulwark.close();
    },
  };
}
