/**
 * `POST /auth/attempts` end to end over HTTP (Bulwark's server on SQLite, bearer auth, zod
 * validation, limiter transaction, attempt insert, audit append) against a bare Fastify route
 * that parses the same JSON body and answers, on the same machine, with autocannon.
 * Goal: Bulwark ≥ 0.3× the bare route's requests/s.
 *
 *   npm run bench:auth-http      (BENCH_SECONDS=10, BENCH_CONNECTIONS=16 by default)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { createBulwark } from '../src/app/bulwark.js';
import { buildServer } from '../src/http/server.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);

let n = 0;
/** Attempts from 60,000 addresses and 5,000 users, 30 % failures: mostly under the limits. */
function body(): string {
  const i = n++;
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 233}.${i & 255}`;
  const failure = i % 10 >= 7;
  return JSON.stringify({
    user_id: `user${(i * 31) % 5000}`,
    source_ip: ip,
    result: failure ? 'failure' : 'success',
    ...(failure ? { failure_reason: 'bad_password' } : {}),
  });
}

async function load(url: string, headers: Record<string, string>) {
  const r = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        setupRequest: (req: Record<string, unknown>) => ({ ...req, body: body() }),
      },
    ],
  });
  return { rps: r.requests.average, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}

const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-bench-'));
const bulwark = await createBulwark(
  { database_url: `sqlite:${path.join(dir, 'bench.db')}`, log_level: 'silent' },
  { logLevel: 'silent', env: {} },
);
const app = await buildServer(bulwark);
const bare = Fastify();
bare.post('/bare', async (req) => ({ allowed: true, got: (req.body as { source_ip: string }).source_ip }));
try {
  const token = (
    await bulwark.tokens.create({ scope: 'write', name: 'bench' }, { id: 'bench', ip: '127.0.0.1' })
  ).token;
  const bulwarkUrl = (await app.listen({ host: '127.0.0.1', port: 0 })) + '/auth/attempts';
  const bareUrl = (await bare.listen({ host: '127.0.0.1', port: 0 })) + '/bare';
  // Interleaved: bare, Bulwark, bare, Bulwark — the machine's load hits both alike.
  const b1 = await load(bareUrl, {});
  const w1 = await load(bulwarkUrl, { authorization: `Bearer ${token}` });
  const b2 = await load(bareUrl, {});
  const w2 = await load(bulwarkUrl, { authorization: `Bearer ${token}` });
  const bareRps = (b1.rps + b2.rps) / 2;
  const bwRps = (w1.rps + w2.rps) / 2;
  const rows = await bulwark.store.db
    .selectFrom('authentication_attempts')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  console.log(`connections ${CONNECTIONS}, ${SECONDS} s per run, two interleaved runs each`);
  console.log(
    `bare Fastify route     ${bareRps.toFixed(0).padStart(7)} req/s   p99 ${Math.max(b1.p99, b2.p99)} ms`,
  );
  console.log(
    `POST /auth/attempts    ${bwRps.toFixed(0).padStart(7)} req/s   p99 ${Math.max(w1.p99, w2.p99)} ms   ` +
      `non-2xx ${w1.non2xx + w2.non2xx}, errors ${w1.errors + w2.errors}, attempts stored ${rows.n}`,
  );
  console.log(`ratio ${(bwRps / bareRps).toFixed(2)}× bare (goal ≥ 0.3×)`);
} finally {
  await app.close();
  await bare.close();
  await bulwark.close();
  rmSync(dir, { recursive: true, force: true });
}
