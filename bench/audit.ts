/**
 * Audit ledger benchmarks (npm run bench:audit). Each figure is printed with its baseline measured
 * in the same run, best of several interleaved rounds, wall time and CPU time (a loaded machine
 * moves both, the ratio far less):
 * - batched append on SQLite (validation + redaction + chain + insert through AuditService) vs a raw
 *   better-sqlite3 prepared insert of the same finished rows (seq, body, hash: what SQLite stores)
 *   into the same table, one transaction per batch;
 * - the same on PostgreSQL vs a raw multi-row INSERT of the same rows (skipped without a server);
 * - single-event appends (one call each): events/s and p99 latency, SQLite and PostgreSQL;
 * - verify over a SQLite file: events/s (goal ≥ 500,000/s on one core), next to its floors on the
 *   same rows (reading seq, body, hash alone; SHA-256 alone over prev_hash ‖ body); and over
 *   PostgreSQL next to a bare pg read.
 * Goals: append ratios ≥ 0.6.
 */
import * as crypto from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type SqlDatabase, openSqlDatabase } from '../src/adapters/sql/dialect.js';
import { migrateToLatest } from '../src/adapters/sql/migrate.js';
import {
  AUDIT_ROW_COLUMNS as COLUMNS,
  SQLITE_AUDIT_STORED_COLUMNS as SQLITE_COLUMNS,
  SqlAuditStore,
} from '../src/adapters/sql/audit-store.js';
import { AuditService } from '../src/app/services/audit.js';
import { Metrics } from '../src/app/metrics.js';
import { systemClock } from '../src/core/clock.js';
import { canonicalRowBody, chainRows } from '../src/core/audit/hash-chain.js';
import type { AuditRow } from '../src/core/ports/audit-store.js';

const PG_URL = process.env.BULWARK_TEST_PG_URL ?? 'postgres://root@127.0.0.1:5432/test';
const BATCH = 1000;
const EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_AUDIT_ROUNDS ?? 3);

const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-bench-audit-'));
let dbCounter = 0;

function makeEvents(n: number, t0 = Date.now()) {
  return Array.from({ length: n }, (_, i) => ({
    event_type: i % 3 ? 'auth_failure' : 'auth_success',
    user_id: `user-${i % 1000}`,
    source_ip: `198.51.100.${i % 250}`,
    action: 'POST /login',
    outcome: i % 3 ? 'denied' : 'allowed',
    timestamp: t0 + i,
    metadata: {
      route: '/login',
      status: i % 3 ? 401 : 200,
      ua: 'Mozilla/5.0 (X11; Linux x86_64)',
      attempt: i % 5,
      reason: 'bad_password',
    },
  }));
}

interface Timing {
  wall: number;
  cpu: number;
}
async function timed(fn: () => Promise<void> | void): Promise<Timing> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await fn();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1e6 };
}
const best = (ts: Timing[]): Timing => ({
  wall: Math.min(...ts.map((t) => t.wall)),
  cpu: Math.min(...ts.map((t) => t.cpu)),
});
const eps = (n: number, s: number) => Math.round(n / s);
const fmt = (n: number) => n.toLocaleString('en-US');

async function freshSqlite(): Promise<SqlDatabase> {
  const db = await openSqlDatabase(`sqlite:${path.join(dir, `b${dbCounter++}.db`)}`);
  await migrateToLatest(db);
  return db;
}
async function freshPostgres(): Promise<{ db: SqlDatabase; schema: string }> {
  const schema = `bench_${Date.now().toString(36)}_${dbCounter++}`;
  const db = await openSqlDatabase(`${PG_URL}?schema=${schema}`);
  await migrateToLatest(db);
  return { db, schema };
}
async function dropPg(schema: string) {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`drop schema if exists ${schema} cascade`);
  await c.end();
}

const service = (db: SqlDatabase) => new AuditService(new SqlAuditStore(db), systemClock, new Metrics());

type FinishedRow = AuditRow & { body: string };

/**
 * The same rows the service would write, finished (redacted metadata text, seq, hashes, and the
 * body SQLite stores), for the raw baselines.
 */
async function finishedRows(n: number): Promise<FinishedRow[]> {
  const db = await openSqlDatabase('sqlite::memory:');
  await migrateToLatest(db);
  const drafts = [];
  const s = service(db);
  const events = makeEvents(n);
  for (let i = 0; i < n; i += BATCH) drafts.push(...s.prepareBatch(events.slice(i, i + BATCH)));
  await db.close();
  return (chainRows(drafts) as AuditRow[]).map((r) => ({ ...r, body: canonicalRowBody(r) }));
}

function report(name: string, n: number, mine: Timing, base: Timing, goal?: number) {
  const rw = mine.wall ? base.wall / mine.wall : 0;
  const rc = mine.cpu ? base.cpu / mine.cpu : 0;
  console.log(
    `${name}: ${fmt(eps(n, mine.wall))} events/s (cpu ${fmt(eps(n, mine.cpu))}/s) vs raw ${fmt(eps(n, base.wall))}/s (cpu ${fmt(eps(n, base.cpu))}/s); ratio ${rw.toFixed(2)} wall, ${rc.toFixed(2)} cpu${goal ? ` (goal ≥ ${goal})` : ''}`,
  );
}

async function sqliteBatched(rows: FinishedRow[]) {
  const mine: Timing[] = [];
  const base: Timing[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const events = makeEvents(EVENTS);
    const a = await freshSqlite();
    const s = service(a);
    mine.push(
      await timed(async () => {
        for (let i = 0; i < events.length; i += BATCH) await s.appendBatch(events.slice(i, i + BATCH));
      }),
    );
    await a.close();
    const b = await freshSqlite();
    const h = b.sqlite!;
    const insert = h.prepare(
      `insert into security_audit_log (${SQLITE_COLUMNS.join(', ')}) values (${SQLITE_COLUMNS.map(() => '?').join(', ')})`,
    );
    const tx = h.transaction((chunk: FinishedRow[]) => {
      for (const x of chunk) insert.run(x.seq, x.body, x.hash);
    });
    base.push(
      await timed(() => {
        for (let i = 0; i < rows.length; i += BATCH) tx.immediate(rows.slice(i, i + BATCH));
      }),
    );
    await b.close();
  }
  report(`SQLite batched append (batches of ${BATCH})`, EVENTS, best(mine), best(base), 0.6);
}

async function pgBatched(rows: FinishedRow[]) {
  const mine: Timing[] = [];
  const base: Timing[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const events = makeEvents(EVENTS);
    const a = await freshPostgres();
    const s = service(a.db);
    mine.push(
      await timed(async () => {
        for (let i = 0; i < events.length; i += BATCH) await s.appendBatch(events.slice(i, i + BATCH));
      }),
    );
    await a.db.close();
    await dropPg(a.schema);
    const b = await freshPostgres();
    const pool = b.db.pool!;
    base.push(
      await timed(async () => {
        for (let i = 0; i < rows.length; i += BATCH) {
          const chunk = rows.slice(i, i + BATCH);
          const params: unknown[] = [];
          const values = chunk.map((x, j) => {
            params.push(
              x.id,
              x.seq,
              x.event_type,
              x.user_id,
              x.source_ip,
              x.action,
              x.outcome,
              x.timestamp,
              x.metadata,
              x.prev_hash,
              x.hash,
            );
            return `(${COLUMNS.map((_, k) => `$${j * COLUMNS.length + k + 1}`).join(', ')})`;
          });
          await pool.query(
            `insert into security_audit_log (${COLUMNS.join(', ')}) values ${values.join(', ')}`,
            params,
          );
        }
      }),
    );
    await b.db.close();
    await dropPg(b.schema);
  }
  report(`PostgreSQL batched append (batches of ${BATCH})`, EVENTS, best(mine), best(base), 0.6);
}

async function single(
  name: string,
  open: () => Promise<{ db: SqlDatabase; done: () => Promise<void> }>,
  n: number,
) {
  const { db, done } = await open();
  const s = service(db);
  const events = makeEvents(n);
  const lat: number[] = [];
  const t = await timed(async () => {
    for (const e of events) {
      const t0 = process.hrtime.bigint();
      await s.append(e as never);
      lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  });
  lat.sort((a, b) => a - b);
  const p = (q: number) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))]!.toFixed(3);
  console.log(
    `${name} single-event appends: ${fmt(eps(n, t.wall))} events/s, p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`,
  );
  await db.close();
  await done();
}

/** Best-of-ROUNDS timing of a full verify that must come out sound over n rows. */
async function timeVerify(s: AuditService, n: number): Promise<Timing> {
  const runs: Timing[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let ok = false;
    runs.push(
      await timed(async () => {
        const v = await s.verify();
        ok = v.ok && v.checked === n;
      }),
    );
    if (!ok) throw new Error('verify failed in the benchmark');
  }
  return best(runs);
}

const rate = (n: number, t: Timing) => `${fmt(eps(n, t.wall))}/s wall (cpu ${fmt(eps(n, t.cpu))}/s)`;

/**
 * Verify over a SQLite file, next to its two floors measured on the same rows: reading them
 * (seq, body, hash: the same chunked query verify runs, raw arrays, nothing else) and SHA-256 alone
 * over their hashed texts (prev_hash ‖ body).
 */
async function verifySqlite(n: number) {
  const db = await freshSqlite();
  const s = service(db);
  const events = makeEvents(n);
  for (let i = 0; i < n; i += BATCH) await s.appendBatch(events.slice(i, i + BATCH));
  const mine = await timeVerify(s, n);
  const read = db.sqlite!.prepare(
    `select ${SQLITE_COLUMNS.join(', ')} from security_audit_log where seq >= ? and seq <= ? order by seq limit ?`,
  );
  read.raw();
  const reads: Timing[] = [];
  for (let r = 0; r < ROUNDS; r++)
    reads.push(
      await timed(() => {
        for (let next = 1; next <= n;) {
          const rows = read.all(next, n, 1000) as unknown[][];
          if (rows.length === 0) break;
          next = (rows[rows.length - 1]![0] as number) + 1;
        }
      }),
    );
  const texts: string[] = [];
  let prev = '0'.repeat(64);
  for (let next = 1; next <= n;) {
    const rows = read.all(next, n, 1000) as Array<[number, string, string]>;
    if (rows.length === 0) break;
    for (const [, body, hash] of rows) {
      texts.push(prev + body);
      prev = hash;
    }
    next = rows[rows.length - 1]![0] + 1;
  }
  const hashes: Timing[] = [];
  for (let r = 0; r < ROUNDS; r++)
    hashes.push(
      await timed(() => {
        for (const t of texts) crypto.hash('sha256', t, 'hex');
      }),
    );
  console.log(
    `SQLite verify: ${rate(n, mine)} over ${fmt(n)} rows (goal ≥ 500,000/s); floors on the same rows: read alone ${rate(n, best(reads))}, SHA-256 alone ${rate(n, best(hashes))}`,
  );
  await db.close();
}

/** Verify over PostgreSQL, next to reading the same rows with bare pg in the same chunks. */
async function verifyPostgres(n: number) {
  const { db, schema } = await freshPostgres();
  try {
    const s = service(db);
    const events = makeEvents(n);
    for (let i = 0; i < n; i += BATCH) await s.appendBatch(events.slice(i, i + BATCH));
    const mine = await timeVerify(s, n);
    const pool = db.pool!;
    const reads: Timing[] = [];
    for (let r = 0; r < ROUNDS; r++)
      reads.push(
        await timed(async () => {
          for (let next = 1; next <= n;) {
            const { rows } = await pool.query(
              `select ${COLUMNS.join(', ')} from security_audit_log where seq >= $1 and seq <= $2 order by seq limit 5000`,
              [next, n],
            );
            if (rows.length === 0) break;
            next = Number(rows[rows.length - 1].seq) + 1;
          }
        }),
      );
    console.log(
      `PostgreSQL verify: ${rate(n, mine)} over ${fmt(n)} rows; bare pg read of the same rows ${rate(n, best(reads))}`,
    );
  } finally {
    await db.close();
    await dropPg(schema);
  }
}

async function verifyBench() {
  const n = Number(process.env.BENCH_AUDIT_VERIFY_EVENTS ?? 200_000);
  await verifySqlite(n);
  if (await pgReachable()) await verifyPostgres(n);
  else console.log(`PostgreSQL verify: skipped (${PG_URL} unreachable)`);
}

async function pgReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

// `npm run bench:audit -- verify` runs only the verify part (the others need PostgreSQL and take longer).
const only = process.argv[2];
try {
  if (only === 'verify') {
    console.log(`audit verify benchmark: best of ${ROUNDS}\n`);
    await verifyBench();
  } else if (only !== undefined) throw new Error(`unknown part ${only} (parts: verify)`);
  else await everything();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

async function everything() {
  console.log(`audit benchmarks: ${fmt(EVENTS)} events, best of ${ROUNDS}\n`);
  const rows = await finishedRows(EVENTS);
  await sqliteBatched(rows);
  const havePg = await pgReachable();
  if (havePg) await pgBatched(rows);
  else console.log(`PostgreSQL batched append: skipped (${PG_URL} unreachable)`);
  await single('SQLite', async () => ({ db: await freshSqlite(), done: async () => {} }), 2000);
  if (havePg)
    await single(
      'PostgreSQL',
      async () => {
        const { db, schema } = await freshPostgres();
        return { db, done: () => dropPg(schema) };
      },
      1000,
    );
  await verifyBench();
}
