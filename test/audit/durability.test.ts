/**
 * No acknowledged append is lost: a child ingests batches into a SQLite file and is SIGKILLed at a
 * random moment, 20 times; every batch it acknowledged (printed after the commit) is present with
 * the same ids and seqs, and the chain verifies. Four processes appending to one PostgreSQL schema
 * build one unbroken chain. A store that is gone fails the append loudly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBulwark } from '../../src/app/bulwark.js';
import { BulwarkError } from '../../src/core/errors.js';
import { PG_BASE_URL, dropSchema, postgresAvailable, uniqueSchema } from '../support/backends.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
// Bundled once (esbuild, dependencies left external) into the git-ignored test-artifacts/, so each
// child starts in a fraction of the time tsx would take.
const CHILD = path.join(HERE, '..', '..', 'test-artifacts', `ingest-child-${process.pid}.mjs`);

beforeAll(async () => {
  await build({
    entryPoints: [path.join(HERE, 'support', 'ingest-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    target: 'node20',
    outfile: CHILD,
    logLevel: 'error',
  });
});
afterAll(() => rmSync(CHILD, { force: true }));

interface Ack {
  first: number;
  last: number;
  ids: string[];
}

function startChild(
  url: string,
  args: string[] = [],
): { child: ChildProcess; acks: Ack[]; firstAck: Promise<void>; done: Promise<number | null> } {
  const child = spawn(process.execPath, [CHILD, ...args], {
    env: { ...process.env, BULWARK_DATABASE_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acks: Ack[] = [];
  let buf = '';
  let resolveFirst!: () => void;
  const firstAck = new Promise<void>((r) => (resolveFirst = r));
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      acks.push(JSON.parse(line) as Ack);
      resolveFirst();
    }
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<number | null>((r) =>
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) console.error(err);
      resolveFirst();
      r(code);
    }),
  );
  return { child, acks, firstAck, done };
}

describe('audit durability', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('SIGKILL during heavy ingest, 20 times: every acknowledged event present, the chain verifies', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-kill-'));
    dirs.push(dir);
    const file = path.join(dir, 'ledger.db');
    const url = `sqlite:${file}`;
    const all: Ack[] = [];
    for (let round = 0; round < 20; round++) {
      const c = startChild(url);
      await c.firstAck;
      await new Promise((r) => setTimeout(r, Math.random() * 80));
      c.child.kill('SIGKILL');
      await c.done;
      expect(c.acks.length, `round ${round} acknowledged something`).toBeGreaterThan(0);
      all.push(...c.acks);
      // Every acknowledged id is stored at the seq it was acknowledged with.
      const h = new BetterSqlite3(file, { readonly: true });
      const bySeq = h.prepare('select id from security_audit_log where seq = ?').pluck();
      for (const a of c.acks) {
        expect(a.last - a.first + 1).toBe(a.ids.length);
        for (let i = 0; i < a.ids.length; i++) expect(bySeq.get(a.first + i)).toBe(a.ids[i]);
      }
      h.close();
    }
    const b = await createBulwark({ database_url: url }, { logLevel: 'silent', env: {} });
    try {
      const v = await b.audit.verify();
      expect(v.ok, JSON.stringify(v)).toBe(true);
      const acked = all.reduce((n, a) => n + a.ids.length, 0);
      expect(v.checked).toBeGreaterThanOrEqual(acked);
      // Redaction happened on this path too.
      const page = await b.audit.list({}, { limit: 1, order: 'desc' });
      expect(page.items[0]!.metadata).not.toContain('hunter2');
    } finally {
      await b.close();
    }
  }, 60_000);

  it('a closed store fails the append loudly with store_unavailable', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-closed-'));
    dirs.push(dir);
    const b = await createBulwark(
      { database_url: `sqlite:${path.join(dir, 'x.db')}` },
      { logLevel: 'silent', env: {} },
    );
    await b.audit.append({
      event_type: 'config_change',
      source_ip: '127.0.0.1',
      action: 'ok',
      outcome: 'allowed',
    });
    await b.store.close();
    const err = await b.audit
      .append({ event_type: 'config_change', source_ip: '127.0.0.1', action: 'lost?', outcome: 'allowed' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BulwarkError);
    expect((err as BulwarkError).code).toBe('store_unavailable');
    expect(await b.metrics.text()).toMatch(/bulwark_audit_append_failures_total 1/);
  });

  it('an unreachable PostgreSQL gives store_unavailable, not a silent drop', async () => {
    const err = await createBulwark(
      { database_url: 'postgres://root@127.0.0.1:1/test' },
      { logLevel: 'silent', env: {} },
    ).catch((e: unknown) => e);
    expect((err as BulwarkError).code).toBe('store_unavailable');
  });

  const pgIt = postgresAvailable || process.env.CI === 'true' ? it : it.skip;

  pgIt('PostgreSQL going away mid-run: the append is refused with store_unavailable', async () => {
    const schema = uniqueSchema('bwgone');
    const b = await createBulwark(
      { database_url: `${PG_BASE_URL}?schema=${schema}` },
      { logLevel: 'silent', env: {} },
    );
    try {
      await b.audit.append({
        event_type: 'config_change',
        source_ip: '127.0.0.1',
        action: 'ok',
        outcome: 'allowed',
      });
      await b.store.pool!.end();
      const err = await b.audit
        .append({ event_type: 'config_change', source_ip: '127.0.0.1', action: 'x', outcome: 'allowed' })
        .catch((e: unknown) => e);
      expect((err as BulwarkError).code).toBe('store_unavailable');
    } finally {
      await dropSchema(schema);
    }
  });

  pgIt(
    'four processes appending to one PostgreSQL schema: one chain, no gaps, no duplicates',
    async () => {
      const schema = uniqueSchema('bwfour');
      const url = `${PG_BASE_URL}?schema=${schema}`;
      // Migrate once first so the four start on the same schema.
      await (await createBulwark({ database_url: url }, { logLevel: 'silent', env: {} })).close();
      try {
        const kids = [0, 1, 2, 3].map((i) => startChild(url, ['30', '20', `p${i}`]));
        const codes = await Promise.all(kids.map((k) => k.done));
        expect(codes).toEqual([0, 0, 0, 0]);
        const b = await createBulwark({ database_url: url }, { logLevel: 'silent', env: {} });
        try {
          const v = await b.audit.verify();
          expect(v).toMatchObject({ ok: true, from: 1, to: 2400, checked: 2400 });
          const seen = new Set<number>();
          const ids = new Set<string>();
          for await (const chunk of b.audit.range(1, 2400))
            for (const r of chunk) {
              seen.add(r.seq);
              ids.add(r.id);
            }
          expect(seen.size).toBe(2400);
          expect(ids.size).toBe(2400);
          const acked = kids.flatMap((k) => k.acks.flatMap((a) => a.ids));
          expect(new Set(acked)).toEqual(ids);
          // Each batch is contiguous: batches interleave, events within one never do.
          for (const k of kids) for (const a of k.acks) expect(a.last - a.first + 1).toBe(20);
        } finally {
          await b.close();
        }
      } finally {
        await dropSchema(schema);
      }
    },
    60_000,
  );
});
