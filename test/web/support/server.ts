/** A real Bulwark server on an ephemeral port over a temp SQLite file, with a clock tests can shift. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Bulwark, createBulwark } from '../../../src/app/bulwark.js';
import type { Clock } from '../../../src/core/clock.js';
import type { Scope } from '../../../src/core/tokens.js';
import { buildServer } from '../../../src/http/server.js';

/** Real time plus an offset: seeding can happen "days ago", the browser then sees the present. */
export class ShiftClock implements Clock {
  offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
}

export interface LiveServer {
  bulwark: Bulwark;
  app: FastifyInstance;
  url: string;
  clock: ShiftClock;
  tokens: Record<Scope, string>;
  dbFile: string;
  close(): Promise<void>;
}

/** keyring: open the keyring with a fresh random master key (keys, signed checkpoints). */
export async function startLiveServer(opts: { keyring?: boolean } = {}): Promise<LiveServer> {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-web-'));
  const dbFile = join(dir, 'bulwark.db');
  const clock = new ShiftClock();
  const bulwark = await createBulwark(
    {
      database_url: `sqlite:${dbFile}`,
      ...(opts.keyring ? { master_key: randomBytes(32).toString('base64') } : {}),
    },
    { logLevel: 'silent', env: {}, clock },
  );
  const app = await buildServer(bulwark);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const tokens = {} as Record<Scope, string>;
  for (const scope of ['read', 'write', 'admin'] as const) {
    tokens[scope] = (
      await bulwark.tokens.create({ scope, name: `web-${scope}` }, { id: 'test', ip: '127.0.0.1' })
    ).token;
  }
  return {
    bulwark,
    app,
    url: `http://127.0.0.1:${port}`,
    clock,
    tokens,
    dbFile,
    close: async () => {
      await app.close();
      await bulwark.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
