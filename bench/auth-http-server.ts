/**
 * Server for bench/auth-http.ts, in its own process so that autocannon (the client) never shares
 * the server's event loop: `bare` (a Fastify route that parses the JSON body and answers) or
 * `bulwark` (Bulwark's whole server on a fresh SQLite file, a write token made for the run).
 * Prints one JSON line {port, token}, serves until SIGTERM. GET /__cpu answers the process's CPU
 * time in µs, so the bench can compare CPU per request (a figure other processes' load cannot skew).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { createBulwark } from '../src/app/bulwark.js';
import { buildServer } from '../src/http/server.js';
import { sqliteBatchOf } from '../src/adapters/sql/sqlite-batch.js';

const mode = process.argv[2] ?? 'bare';
const cpu = async () => {
  const u = process.cpuUsage();
  return String(u.user + u.system);
};

let app: FastifyInstance;
let token = '';
let cleanup = async (): Promise<void> => {};
if (mode === 'bulwark') {
  const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-bench-'));
  const bulwark = await createBulwark(
    { database_url: `sqlite:${path.join(dir, 'bench.db')}`, log_level: 'silent' },
    { logLevel: 'silent', env: {} },
  );
  app = await buildServer(bulwark);
  app.get('/__cpu', { config: { public: true } }, cpu);
  app.get('/__attempts', { config: { public: true } }, async () => {
    const r = await bulwark.store.db
      .selectFrom('authentication_attempts')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return String(r.n);
  });
  // Group commit's counters (SQLite): how many operations and requests shared a commit.
  const batch = sqliteBatchOf(bulwark.store.sqlite!);
  app.get('/__batch', { config: { public: true } }, async () => batch.stats);
  token = (await bulwark.tokens.create({ scope: 'write', name: 'bench' }, { id: 'bench', ip: '127.0.0.1' }))
    .token;
  cleanup = async () => {
    await bulwark.close();
    rmSync(dir, { recursive: true, force: true });
  };
} else {
  app = Fastify();
  app.post('/auth/attempts', async (req) => ({
    allowed: true,
    got: (req.body as { source_ip: string }).source_ip,
  }));
  app.get('/__cpu', cpu);
}
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(JSON.stringify({ port: (app.server.address() as { port: number }).port, token }) + '\n');
process.once('SIGTERM', async () => {
  await app.close();
  await cleanup();
  process.exit(0);
});
