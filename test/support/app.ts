import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { type Bulwark, createBulwark } from '../../src/app/bulwark.js';
import type { Clock } from '../../src/core/clock.js';
import type { Scope } from '../../src/core/tokens.js';
import { buildServer } from '../../src/http/server.js';

export interface TestApp {
  bulwark: Bulwark;
  app: FastifyInstance;
  tokens: Record<Scope, string>;
  close(): Promise<void>;
}

/** A Bulwark with its HTTP server (driven by app.inject) and one token per scope. */
export async function startTestApp(databaseUrl: string, opts: { clock?: Clock } = {}): Promise<TestApp> {
  const bulwark = await createBulwark(
    // A master key on every backend, so the keyring behaves alike on SQLite and PostgreSQL.
    { database_url: databaseUrl, master_key: randomBytes(32).toString('base64') },
    { logLevel: 'silent', env: {}, ...(opts.clock ? { clock: opts.clock } : {}) },
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
    close: async () => {
      await app.close();
      await bulwark.close();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A controllable clock for SLA and time-window tests. */
export class FakeClock implements Clock {
  constructor(public t = Date.UTC(2026, 0, 15, 12)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
