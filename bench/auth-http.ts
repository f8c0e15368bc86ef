/**
 * `POST /auth/attempts` end to end over HTTP (Bulwark's server on SQLite, bearer auth, zod
 * validation, limiter decision and lockouts, attempt insert, audit append, all committed before the
 * answer) against a bare Fastify route
 * that parses the same JSON body and answers, on the same machine, with autocannon.
 * Goal: Bulwark ≥ 0.3× the bare route's requests/s.
 *
 *   npm run bench:auth-http      (BENCH_ROUNDS=5, BENCH_SECONDS=5, BENCH_CONNECTIONS=16 by default)
 *
 * Fairness: each server runs in its own process (bench/auth-http-server.ts), never in autocannon's;
 * both get the same connections, pipelining (1), duration, bodies and a 1 s warm-up. Rounds run
 * bare then Bulwark back to back, each round's ratio compares runs seconds apart, and the median
 * of the per-round ratios is reported, so a load spike from other processes skews one round, not
 * the result. Server CPU per request (the server process's user + system time over the requests
 * it served) is printed beside req/s: other processes' load skews it far less than req/s. So are
 * SQLite's commits per request (src/adapters/sql/sqlite-batch.ts: concurrent requests' writes
 * share commits). Every 2xx answer is checked against the attempts stored: none acknowledged may
 * be missing (the run fails if one is).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
/** A diagnosis knob is set (bench/auth-http-server.ts): the figures are a ceiling, not the result. */
const DIAGNOSIS = ['BENCH_RECORD', 'BENCH_SQL', 'BENCH_PRAGMAS'].filter((k) => process.env[k]);
const SERVER = fileURLToPath(new URL('./auth-http-server.ts', import.meta.url));

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

interface Server {
  base: string;
  token: string;
  stop(): Promise<void>;
}

async function start(mode: 'bare' | 'bulwark'): Promise<Server> {
  const child = spawn(
    process.execPath,
    [...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), '--import', 'tsx', SERVER, mode],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const info = await new Promise<{ port: number; token: string }>((resolve, reject) => {
    child.stdout!.once('data', (b: Buffer) =>
      resolve(JSON.parse(String(b)) as { port: number; token: string }),
    );
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
  return {
    base: `http://127.0.0.1:${info.port}`,
    token: info.token,
    stop: () =>
      new Promise<void>((r) => {
        child.once('exit', () => r());
        child.kill('SIGTERM');
      }),
  };
}

async function load(url: string, headers: Record<string, string>, seconds: number) {
  const r = await autocannon({
    url,
    connections: CONNECTIONS,
    pipelining: 1,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        setupRequest: (req: Record<string, unknown>) => ({ ...req, body: body() }),
      },
    ],
  });
  return { rps: r.requests.average, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors, ok: r['2xx'] };
}

const text = async (url: string) => (await fetch(url)).text();

interface Run {
  rps: number;
  p99: number;
  cpuUs: number;
  /** SQLite commits per request and write operations per commit (group commit at work). */
  commitsPerReq: number;
  opsPerCommit: number;
}

interface BatchStats {
  commits: number;
  operations: number;
}

async function measure(
  mode: 'bare' | 'bulwark',
): Promise<Run & { non2xx: number; errors: number; extra: number }> {
  const s = await start(mode);
  try {
    const headers: Record<string, string> = s.token ? { authorization: `Bearer ${s.token}` } : {};
    const url = `${s.base}/auth/attempts`;
    const warm = await load(url, headers, 1); // JIT, module loading, SQLite page cache
    const cpu0 = Number(await text(`${s.base}/__cpu`));
    const b0 = mode === 'bulwark' ? (JSON.parse(await text(`${s.base}/__batch`)) as BatchStats) : null;
    const r = await load(url, headers, SECONDS);
    const cpu1 = Number(await text(`${s.base}/__cpu`));
    const b1 = mode === 'bulwark' ? (JSON.parse(await text(`${s.base}/__batch`)) as BatchStats) : null;
    const served = r.ok + r.non2xx;
    // Stored minus acknowledged (2xx): autocannon stops counting with up to one request a
    // connection in flight, which the server still stores, so 0..2×connections; below 0 = lost.
    const extra = mode === 'bulwark' ? Number(await text(`${s.base}/__attempts`)) - warm.ok - r.ok : 0;
    return {
      rps: r.rps,
      p99: r.p99,
      non2xx: r.non2xx,
      errors: r.errors,
      extra,
      cpuUs: (cpu1 - cpu0) / served,
      commitsPerReq: b0 && b1 ? (b1.commits - b0.commits) / served : 0,
      opsPerCommit: b0 && b1 ? (b1.operations - b0.operations) / (b1.commits - b0.commits) : 0,
    };
  } finally {
    await s.stop();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const bare: Run[] = [];
const bw: Run[] = [];
let non2xx = 0;
let errors = 0;
let lost = 0; // rounds where fewer attempts were stored than acknowledged
let extraMax = 0;
for (let i = 0; i < ROUNDS; i++) {
  const b = await measure('bare');
  const w = await measure('bulwark');
  bare.push(b);
  bw.push(w);
  non2xx += w.non2xx + b.non2xx;
  errors += w.errors + b.errors;
  if (w.extra < 0 && !DIAGNOSIS) lost += 1;
  extraMax = Math.max(extraMax, w.extra);
  console.log(
    `round ${i + 1}: bare ${b.rps.toFixed(0)} req/s p99 ${b.p99} ms ${b.cpuUs.toFixed(0)} µs/req · ` +
      `Bulwark ${w.rps.toFixed(0)} req/s p99 ${w.p99} ms ${w.cpuUs.toFixed(0)} µs/req ` +
      `(${w.commitsPerReq.toFixed(2)} commits/req, ${w.opsPerCommit.toFixed(1)} ops/commit) · ratio ${(w.rps / b.rps).toFixed(2)}`,
  );
}
const line = (label: string, rs: Run[]) =>
  `${label} ${median(rs.map((r) => r.rps))
    .toFixed(0)
    .padStart(
      7,
    )} req/s   p99 ${median(rs.map((r) => r.p99))} ms   server CPU ${median(rs.map((r) => r.cpuUs)).toFixed(0)} µs/req`;
console.log(
  `\nconnections ${CONNECTIONS}, pipelining 1, ${SECONDS} s per run, ${ROUNDS} rounds (bare, Bulwark), servers in their own processes; medians`,
);
console.log(line('bare Fastify route   ', bare));
console.log(line('POST /auth/attempts  ', bw) + `   non-2xx ${non2xx}, errors ${errors}`);
console.log(
  `SQLite group commit: ${median(bw.map((w) => w.commitsPerReq)).toFixed(2)} commits per request, ` +
    `${median(bw.map((w) => w.opsPerCommit)).toFixed(1)} write operations per commit`,
);
console.log(
  `stored − acknowledged per run: at most ${extraMax} (in flight at the end, ≤ ${2 * CONNECTIONS}); ` +
    `runs with an acknowledged attempt missing: ${lost}`,
);
const ratio = median(bw.map((w, i) => w.rps / bare[i]!.rps));
const cpuRatio = median(bw.map((w, i) => bare[i]!.cpuUs / w.cpuUs));
console.log(`ratio ${ratio.toFixed(2)}× bare req/s (median of per-round ratios; goal ≥ 0.3×)`);
if (DIAGNOSIS.length)
  console.log(
    `diagnosis run (${DIAGNOSIS.join(', ')} set): a ceiling for comparison, not the benchmark's result`,
  );
console.log(`capacity per server CPU second ${cpuRatio.toFixed(2)}× bare`);
if (lost !== 0) process.exitCode = 1;
