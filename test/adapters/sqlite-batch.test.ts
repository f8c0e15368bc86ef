/**
 * Group commit on SQLite (src/adapters/sql/sqlite-batch.ts), on a real database file: operations of
 * one turn share one commit and settle only once it is on disk for every other connection; one
 * failing operation fails alone; a failing COMMIT fails every operation of its batch and stores none.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteWriteBatch } from '../../src/adapters/sql/sqlite-batch.js';

let dir: string;
let file: string;
let db: BetterSqlite3.Database;
let batch: SqliteWriteBatch;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'bulwark-batch-'));
  file = path.join(dir, 'batch.db');
  db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.exec(`create table rows (id integer primary key, v text not null unique);
           create table parents (id integer primary key);
           create table children (parent integer references parents (id) deferrable initially deferred)`);
  batch = new SqliteWriteBatch(db);
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (v: string) => () => db.prepare('insert into rows (v) values (?)').run(v).lastInsertRowid;
/** What another connection sees: only committed rows. */
const committed = (): string[] => {
  const other = new BetterSqlite3(file, { readonly: true });
  try {
    return (other.prepare('select v from rows order by id').all() as { v: string }[]).map((r) => r.v);
  } finally {
    other.close();
  }
};

describe('SqliteWriteBatch', () => {
  it('runs the operations of one turn in one commit, in the order asked, and settles after it', async () => {
    const seen: string[][] = [];
    const ops = ['a', 'b', 'c', 'd'].map((v) =>
      batch.run(insert(v)).then((id) => {
        seen.push(committed()); // already visible to another connection when the promise settles
        return id;
      }),
    );
    expect(committed()).toEqual([]); // nothing runs before the next turn
    expect(await Promise.all(ops)).toEqual([1, 2, 3, 4]);
    expect(seen.every((s) => s.join() === 'a,b,c,d')).toBe(true);
    expect(batch.stats).toEqual({ commits: 1, operations: 4, retries: 0 });
    await batch.run(insert('e'));
    expect(batch.stats.commits).toBe(2);
  });

  it('a failing operation fails alone: its writes are rolled back, its neighbours commit', async () => {
    const bad = () => {
      db.prepare('insert into rows (v) values (?)').run('half-done');
      db.prepare('insert into rows (v) values (?)').run('a'); // unique violation after a write
    };
    const results = await Promise.allSettled([
      batch.run(insert('a')),
      batch.run(bad),
      batch.run(insert('b')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(committed()).toEqual(['a', 'b']);
    expect(batch.stats).toMatchObject({ commits: 1, retries: 1 });
  });

  it('a failing COMMIT rejects every operation of the batch and stores none of them', async () => {
    // A deferred foreign key is checked at COMMIT: the commit itself fails, as on a full disk.
    const orphan = () => db.prepare('insert into children (parent) values (42)').run();
    const results = await Promise.allSettled([
      batch.run(insert('a')),
      batch.run(orphan),
      batch.run(insert('b')),
    ]);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    for (const r of results) expect(String((r as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(committed()).toEqual([]);
    expect(db.inTransaction).toBe(false);
    // The next batch is not affected.
    await batch.run(insert('c'));
    expect(committed()).toEqual(['c']);
  });

  it('fails closed when the database is gone: every operation rejects', async () => {
    const ops = [batch.run(insert('a')), batch.run(insert('b'))];
    db.close();
    const results = await Promise.allSettled(ops);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('never joins a transaction another caller holds open: it waits for it to end', async () => {
    db.prepare('begin immediate').run();
    db.prepare('insert into rows (v) values (?)').run('theirs');
    let settled = false;
    const mine = batch.run(insert('mine')).then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    db.prepare('rollback').run(); // their rollback takes only their write
    await mine;
    expect(committed()).toEqual(['mine']);
  });

  describe('a write asked for by a running operation joins it', () => {
    it('runs right after it in the same commit, and settles after that commit', async () => {
      let inner: Promise<unknown> | undefined;
      const outer = batch.run(() => {
        insert('a')();
        inner = batch.run(insert('joined'));
        return 'outer';
      });
      const other = batch.run(insert('b'));
      expect(await outer).toBe('outer');
      expect(committed()).toEqual(['a', 'joined', 'b']);
      expect(await inner).toBe(2);
      await other;
      expect(batch.stats).toEqual({ commits: 1, operations: 3, retries: 0 });
    });

    it('fails with it: a failing joined write rolls back the operation that asked, not its neighbours', async () => {
      let inner: Promise<unknown> | undefined;
      const results = await Promise.allSettled([
        batch.run(insert('a')),
        batch.run(() => {
          insert('mine')();
          inner = batch.run(insert('a')); // unique violation
        }),
        batch.run(insert('b')),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
      expect(committed()).toEqual(['a', 'b']);
      // The joined write belongs to the operation: its failure is reported there, once.
      expect(inner).toBeDefined();
    });

    it('is asked again, not twice, when its operation is re-run after a neighbour failed', async () => {
      let runs = 0;
      const joined: Promise<unknown>[] = [];
      const results = await Promise.allSettled([
        batch.run(() => {
          runs += 1;
          joined.push(batch.run(insert(`joined`)));
        }),
        batch.run(insert('x')),
        batch.run(() => db.prepare('insert into rows (v) values (?)').run('x')), // fails: re-run apart
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
      expect(runs).toBe(2);
      expect(committed()).toEqual(['joined', 'x']);
      // The write asked by the rolled-back first run never settles; the re-run's does, after the commit.
      let firstSettled = false;
      joined[0]!.then(
        () => (firstSettled = true),
        () => (firstSettled = true),
      );
      await expect(joined[1]).resolves.toBeDefined();
      await new Promise((r) => setImmediate(r));
      expect(firstSettled).toBe(false);
    });
  });
});
