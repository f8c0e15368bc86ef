/**
 * The anomaly view over 1,000,000 stored attempts, on SQLite and PostgreSQL: time per query for a
 * typical window (1 hour; also 24 hours), against the baseline of merely reading the same rows
 * through the store (so the ratio is the detector's cost on top of the indexed window read).
 * Goal: < 500 ms per 1-hour query.
 *
 * Data (generated inside the database, identical on both): 30 days, one attempt every 2.592 s,
 * 70 % successes from 50,000 addresses and 5,000 users; in every 1,000 attempts a burst of 20
 * unknown-user failures from one of 50 attacking addresses.
 *
 *   npm run bench:anomalies            (PostgreSQL at BULWARK_TEST_PG_URL or postgres://root@127.0.0.1:5432/test)
 */
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { createBulwark, type Bulwark } from '../src/app/bulwark.js';

const N = Number(process.env.BENCH_ATTEMPTS ?? 1_000_000);
const T0 = Date.UTC(2026, 0, 1);
const STEP = 2592; // ms: 1M attempts over 30 days
const PG_URL = process.env.BULWARK_TEST_PG_URL ?? 'postgres://root@127.0.0.1:5432/test';

function seedSql(dialect: 'sqlite' | 'postgres') {
  const cat = (...parts: string[]) => parts.join(' || ');
  const txt = (e: string) => (dialect === 'postgres' ? `(${e})::text` : `(${e})`);
  const div = (a: string, b: number) => (dialect === 'postgres' ? `(${a} / ${b})` : `(${a} / ${b})`);
  const attack = `(i % 1000) < 20`;
  const ip = `case when ${attack} then ${cat(`'203.0.113.'`, txt(`${div('i', 1000)} % 50`))}
              else ${cat(`'10.'`, txt(`(i * 7919) % 200`), `'.'`, txt(`(i * 104729) % 250`), `'.'`, txt(`i % 250`))} end`;
  const user = `case when ${attack} then ${cat(`'guess'`, txt('i % 20'))} else ${cat(`'user'`, txt('(i * 31) % 5000'))} end`;
  const failure = `(${attack} or (i % 10) >= 7)`;
  const id = dialect === 'postgres' ? `lpad(i::text, 12, '0')` : `printf('%012d', i)`;
  const select = `select ${id}, ${user}, null, ${ip}, ${ip}, ${T0} + i * ${STEP},
      case when ${failure} then 'failure' else 'success' end,
      case when ${attack} then 'unknown_user' when ${failure} then 'bad_password' else null end,
      null, '[]'`;
  const cols = `(id, user_id, sender, source_ip, ip_key, timestamp, result, failure_reason, failure_detail, rl_bucket_state)`;
  if (dialect === 'postgres')
    return `insert into authentication_attempts ${cols} ${select} from generate_series(0::bigint, ${N - 1}::bigint) as i`;
  return `with recursive s(i) as (select 0 union all select i + 1 from s where i < ${N - 1})
          insert into authentication_attempts ${cols} ${select} from s`;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median wall time and median CPU time of this process (the machine is shared: CPU time is what the query costs). */
async function timeIt(fn: () => Promise<unknown>, runs = 5): Promise<{ wall: number; cpu: number }> {
  await fn(); // warm
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const s = performance.now();
    await fn();
    wall.push(performance.now() - s);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

async function run(name: string, b: Bulwark): Promise<void> {
  const s0 = performance.now();
  await sql.raw(seedSql(b.store.dialect)).execute(b.store.db);
  if (b.store.dialect === 'postgres') await sql`analyze authentication_attempts`.execute(b.store.db);
  const seedMs = performance.now() - s0;
  const mid = T0 + Math.floor((N * STEP) / 2);
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
    // Baseline: the indexed read of the same rows (window plus look-back), nothing else.
    const read = await timeIt(async () => {
      for await (const _ of b.auth['attempts'].range(since - 4 * 3_600_000, until));
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
