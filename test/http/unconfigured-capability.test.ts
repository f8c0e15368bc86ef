/**
 * A capability left unconfigured is not a server error. Without a master key (PostgreSQL, or a
 * SQLite file database before `serve` made one) the key routes answer 503 `not_configured` naming
 * BULWARK_MASTER_KEY (they answered 500 `config_invalid` and logged a stack trace), and so does
 * signing a checkpoint without a signing key (it was 409 `conflict`). `serve` on PostgreSQL logs
 * one warning for it, no stack; and a busy port is the clear port error with no background job
 * failing against a store already closed ("posture snapshot failed: driver has already been
 * destroyed" came first).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bulwark, createBulwark } from '../../src/app/bulwark.js';
import { buildServer } from '../../src/http/server.js';
import { bearer } from '../support/app.js';
import {
  PG_BASE_URL,
  describeEachBackend,
  dropSchema,
  postgresAvailable,
  uniqueSchema,
} from '../support/backends.js';

describeEachBackend('routes of an unconfigured keyring', (backend) => {
  let dir: string;
  let b: Bulwark;
  let token: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bulwark-nokey-'));
    // SQLite: a file database without its key file (only `serve` creates one); PostgreSQL: no key.
    const url = backend.name === 'sqlite' ? `sqlite:${path.join(dir, 'x.db')}` : backend.url();
    b = await createBulwark({ database_url: url }, { logLevel: 'silent', env: {} });
    token = (await b.tokens.create({ scope: 'admin', name: 'ops' }, { id: 'test', ip: '127.0.0.1' })).token;
  });
  afterAll(async () => {
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 not_configured naming BULWARK_MASTER_KEY, with no Retry-After', async () => {
    expect(b.keys.enabled).toBe(false);
    const app = await buildServer(b);
    try {
      for (const [method, url, payload] of [
        ['GET', '/keys', undefined],
        ['GET', '/keys/app.secrets', undefined],
        ['POST', '/keys', { name: 'app.secrets', type: 'aes256-gcm' }],
        ['POST', '/keys/app.secrets/encrypt', { plaintext: 'x' }],
      ] as const) {
        const res = await app.inject({
          method,
          url,
          headers: bearer(token),
          ...(payload ? { payload } : {}),
        });
        expect(res.statusCode, `${method} ${url}`).toBe(503);
        expect(res.json(), `${method} ${url}`).toMatchObject({ code: 'not_configured', field: 'master_key' });
        expect(res.json().message).toContain('BULWARK_MASTER_KEY');
        expect(res.headers['retry-after']).toBeUndefined();
      }
      // the rest of the service works
      expect(
        (await app.inject({ method: 'GET', url: '/security/posture', headers: bearer(token) })).statusCode,
      ).toBe(200);
      // a checkpoint without a signing key (no keyring, no BULWARK_AUDIT_SIGNING_KEY) is the same kind of answer
      const cp = await app.inject({
        method: 'POST',
        url: '/security/logs/checkpoints',
        headers: bearer(token),
      });
      expect(cp.statusCode).toBe(503);
      expect(cp.json()).toMatchObject({ code: 'not_configured' });
      expect(cp.json().message).toContain('BULWARK_AUDIT_SIGNING_KEY');
    } finally {
      await app.close();
    }
  });
});

const TSX = path.resolve('node_modules/.bin/tsx');
const CHILD = path.resolve('test/keys/fixtures/cli-child.ts');

function serve(
  env: Record<string, string>,
  port: string,
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let out = '';
  const child = spawn(TSX, [CHILD, 'serve', '--port', port], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

async function waitFor(
  what: () => RegExpExecArray | null,
  ms: number,
  output: () => string,
): Promise<RegExpExecArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = what();
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`gave up waiting; output:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const STACK = /\n\s+at |"stack":/;

(postgresAvailable || process.env.CI === 'true' ? describe : describe.skip)(
  'serve on PostgreSQL without a master key',
  () => {
    const schema = uniqueSchema('nokey');
    const env = { BULWARK_DATABASE_URL: `${PG_BASE_URL}?schema=${schema}` };
    let busy: Server;
    afterAll(async () => {
      busy?.close();
      await dropSchema(schema);
    });

    it('logs one warning, no stack, for GET /keys', { timeout: 60_000 }, async () => {
      const s = serve(env, '0');
      try {
        const url = (await waitFor(() => /serving on (http:\/\/\S+)/.exec(s.output()), 30_000, s.output))[1]!;
        const b = await createBulwark(
          { database_url: env.BULWARK_DATABASE_URL },
          { logLevel: 'silent', env: {} },
        );
        let token: string;
        try {
          token = (await b.tokens.create({ scope: 'read', name: 'ops' }, { id: 'test', ip: '127.0.0.1' }))
            .token;
        } finally {
          await b.close();
        }
        const res = await fetch(`${url}/keys`, { headers: bearer(token) });
        expect(res.status).toBe(503);
        expect(await res.json()).toMatchObject({ code: 'not_configured' });
        await waitFor(() => /request refused/.exec(s.output()), 10_000, s.output);
        expect(s.output()).not.toMatch(STACK);
        expect(s.output()).not.toMatch(/"level":50/); // nothing at error level
      } finally {
        s.child.kill('SIGTERM');
        await s.exited;
      }
    });

    it(
      'a busy port is the clear port error, with no background job failing first',
      { timeout: 60_000 },
      async () => {
        busy = createServer();
        await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
        const port = String((busy.address() as { port: number }).port);
        const s = serve(env, port);
        const code = await s.exited;
        expect(code).toBe(2);
        expect(s.output()).toContain(`cannot listen on 127.0.0.1:${port} (already in use)`);
        expect(s.output()).not.toContain('posture snapshot failed');
        expect(s.output()).not.toContain('destroyed');
        expect(s.output()).not.toMatch(STACK);
      },
    );
  },
);
