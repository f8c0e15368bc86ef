/**
 * The anomaly view over 1,000,000 stored attempts, on SQLite and PostgreSQL: time per query for a
 * 1 hour and a 24 hour window, against the baseline of merely reading the same rows the way the
 * view reads them (AttemptStore.scan, window plus look-back), so the ratio is the detector's cost
 * on top of the indexed window read. Goal: < 500 ms per query, both windows.
 *
 * Data (anomalies-seed.ts, generated inside the database, identical on both): 30 days, one
 * attempt every 2.592 s, 70 % successes from 50,000 addresses and 5,000 users; in every 1,000
 * attempts a burst of 20 unknown-user failures from one of 50 attacking addresses.
 *
 * Times are the best of 7 rounds (the machine is shared), wall and this process's CPU; on
 * PostgreSQL the server's own CPU is not in the CPU figure.
 *
 *   npm run bench:anomalies            (PostgreSQL at BULWARK_TEST_PG_URL or postgres://root@127.0.0.1:5432/test)
 */
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createBulwark, type Bulwark } from '../src/app/bulwark.js';
import { lookbackMs } from '../src/app/services/auth.js';
import { seedAttempts } from './anomalies-seed.js';

const N = Number(process.env.BENCH_ATTEMPTS ?? 1_000_000);
const T0 = Date.UTC(2026, 0, 1);
const STEP = 2592; // ms: 1M attempts over 30 days
const PG_URL = process.env.BULWARK_TEST_PG_URL ?? 'postgres://root@127.0.0.1:5432/test';

/** Best wall time and best CPU time of this process over `runs` rounds, after one warm-up. */
async function timeIt(fn: () => Promise<unknown>, runs = 7): Promise<{ wall: number; cpu: number }> {
  await fn();
  let wall = Infinity;
  let cpu = Infinity;
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const s = performance.now();
    await fn();
    wall = Math.min(wall, performance.now() - s);
    const d = process.cpuUsage(c);
    cpu = Math.min(cpu, (d.user + d.system) / 1000);
  }
  return { wall, cpu };
}

async function run(name: string, b: Bulwark): Promise<void> {
  const s0 = performance.now();
  await seedAttempts(b.store, N, T0, STEP);
  const seedMs = performance.now() - s0;
  const mid = T0 + Math.floor((N * STEP) / 2);
  const lookback = lookbackMs(b.auth['thresholds']);
  for (const [label, span] of [
    ['1 h', 3_600_000],
    ['24 h', 86_400_000],
  ] as const) {
    const since = mid;
    const until = mid + span;
    let scanned = 0;
    let findings = 0;
    const view = await timeIt(async () => {
      const r = await b.auth.anomalies({ since, until });
      scanned = r.scanned;
      findings = r.findings.length;
    });
    // Baseline: the view's own indexed read of the same rows (window plus look-back), nothing else.
    const read = await timeIt(async () => {
      for await (const _ of b.auth['attempts'].scan(since - lookback, until));
    });
    console.log(
      `${name.padEnd(10)} ${label.padEnd(5)} anomaly query ${view.wall.toFixed(1).padStart(7)} ms wall, ${view.cpu.toFixed(1)} ms CPU (goal < 500)  ` +
        `rows read ${scanned}  findings ${findings}  | baseline read ${read.wall.toFixed(1)} ms wall, ${read.cpu.toFixed(1)} ms CPU  ratio ${(view.wall / read.wall).toFixed(2)}×`,
    );
  }
  console.log(`${name.padEnd(10)} seeded ${N.toLocaleString()} attempts in ${(seedMs / 1000).toFixed(1)} s`);
}

const sqlite = await createBulwark({ database_url: 'sqlite::memory:' }, { logLevel: 'silent', env: {} });
try {
  await run('sqlite', sqlite);
} finally {
  await sqlite.close();
}

const schema = `bench_${randomBytes(4).toString('hex')}`;
let postgres: Bulwark | undefined;
try {
  postgres = await createBulwark(
    { database_url: `${PG_URL}?schema=${schema}` },
    { logLevel: 'silent', env: {} },
  );
  await run('postgres', postgres);
} catch (err) {
  console.log(`postgres   not measured: ${(err as Error).message}`);
} finally {
  await postgres?.close();
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect().then(
    () => c.query(`drop schema if exists ${schema} cascade`).finally(() => c.end()),
    () => {},
  );
}
