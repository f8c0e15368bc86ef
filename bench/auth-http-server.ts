/**
 * Server for bench/auth-http.ts, in its own process so that autocannon (the client) never shares
 * the server's event loop: `bare` (a Fastify route that parses the JSON body and answers) or
 * `bulwark` (Bulwark's whole server on a fresh SQLite file, a write token made for the run).
 * Prints one JSON line {port, token}, serves until SIGTERM. GET /__cpu answers the process's CPU
 * time in µs, so the bench can compare CPU per request (a figure other processes' load cannot skew).
 *
 * Diagnosis knobs (bulwark mode only; figures measured with them are ceilings, never the result):
 *   BENCH_RECORD=off   the route answers a fixed decision after validating the body: the HTTP
 *                      side alone (auth, hooks, parse, validation, serialisation), no store work
 *   BENCH_SQL="…;…"    statements run on the fresh database before serving (e.g. `drop index …`
 *                      to measure what an index costs the hot path)
 *   BENCH_PRAGMAS="…"  pragmas set on the handle (e.g. `synchronous=OFF` to measure fsync's share)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { createBulwark } from '../src/app/bulwark.js';
import { buildServer } from '../src/http/server.js';
import { sqliteBatchOf } from '../src/adapters/sql/sqlite-batch.js';
import { parseRecordAttempt } from '../src/app/services/auth-input.js';

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
  const handle = bulwark.store.sqlite!;
  for (const p of (process.env.BENCH_PRAGMAS ?? '').split(';').filter(Boolean)) handle.pragma(p);
  for (const q of (process.env.BENCH_SQL ?? '').split(';').filter(Boolean)) handle.exec(q);
  if (process.env.BENCH_RECORD === 'off') {
    const fixed = await bulwark.auth.recordAttempt({
      user_id: 'u',
      source_ip: '10.0.0.1',
      result: 'success',
    });
    bulwark.auth.recordAttempt = async (input: unknown) => {
      parseRecordAttempt(input);
      return fixed;
    };
  }
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
