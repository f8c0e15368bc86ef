/**
 * WAL checkpoints on their own thread (src/adapters/sql/sqlite-checkpointer.ts), on real database
 * files: the worker's connection copies the WAL into the database file while the writer's own
 * automatic checkpoint waits at the backstop mark; the write batch starts it once busy; stopping it
 * (or it failing to start) hands checkpoints back to SQLite's default.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlDatabase } from '../../src/adapters/sql/dialect.js';
import { sqliteBatchOf } from '../../src/adapters/sql/sqlite-batch.js';
import {
  BACKSTOP_PAGES,
  STARTUP_COMMITS,
  SqliteCheckpointer,
} from '../../src/adapters/sql/sqlite-checkpointer.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'bulwark-ckpt-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Rows a connection sees in the database file alone, the WAL left behind. */
function rowsInMainFile(file: string): number {
  const copy = path.join(dir, 'copy.db');
  copyFileSync(file, copy);
  const db = new BetterSqlite3(copy, { readonly: true });
  try {
    return (db.prepare('select count(*) as n from t').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const autocheckpoint = (h: BetterSqlite3.Database) => h.pragma('wal_autocheckpoint', { simple: true });

describe('SqliteCheckpointer', () => {
  it('copies the WAL into the database file from its own connection, the writer never checkpointing', async () => {
    const file = path.join(dir, 'a.db');
    const h = new BetterSqlite3(file);
    h.pragma('journal_mode = WAL');
    h.exec('create table t (id integer primary key, v text not null)');
    h.pragma('wal_checkpoint(TRUNCATE)'); // the table in the file, the WAL empty
    h.pragma('wal_autocheckpoint = 0'); // from here only the worker may copy anything
    const insert = h.prepare('insert into t (v) values (?)');
    for (let i = 0; i < 300; i++) insert.run(`row ${i}`); // 300 commits, all in the WAL
    expect(rowsInMainFile(file)).toBe(0);

    const c = new SqliteCheckpointer(h, file);
    c.start();
    expect(c.running).toBe(true);
    expect(autocheckpoint(h)).toBe(BACKSTOP_PAGES);
    await until(
      () => c.stats.checkpoints > 0 && c.stats.lastCheckpointed === c.stats.lastLog,
      'a checkpoint',
    );
    expect(rowsInMainFile(file)).toBe(300);

    // Writes go on while it runs; they reach the file too.
    for (let i = 0; i < 50; i++) insert.run(`later ${i}`);
    await until(() => rowsInMainFile(file) === 350, 'the later rows in the file');
    expect(c.stats.errors).toBe(0);

    await c.stop();
    expect(c.running).toBe(false);
    expect(autocheckpoint(h)).toBe(1000); // SQLite's default again: the writer checkpoints alone
    h.close();
  });

  it('is started by the write batch once busy, and stopped when the store closes (WAL removed)', async () => {
    const file = path.join(dir, 'b.db');
    const store = await openSqlDatabase(`sqlite:${file}`);
    const h = store.sqlite!;
    h.exec('create table t (id integer primary key, v text not null)');
    const batch = sqliteBatchOf(h);
    const insert = h.prepare('insert into t (v) values (?)');
    for (let i = 0; i < STARTUP_COMMITS - 1; i++) await batch.run(() => insert.run(`r${i}`));
    expect(store.checkpointer!.running).toBe(false); // a handle that writes little has no thread
    await batch.run(() => insert.run('last'));
    expect(store.checkpointer!.running).toBe(true);
    await until(() => store.checkpointer!.stats.checkpoints > 0, 'a checkpoint');
    await store.close();
    expect(store.checkpointer!.running).toBe(false);
    // The last connection to close checkpoints and removes the WAL: neither thread left it open.
    expect(existsSync(`${file}-wal`)).toBe(false);
    const again = new BetterSqlite3(file, { readonly: true });
    expect((again.prepare('select count(*) as n from t').get() as { n: number }).n).toBe(STARTUP_COMMITS);
    again.close();
  });

  it('leaves SQLite its own checkpoints when the worker cannot open the file', async () => {
    const file = path.join(dir, 'c.db');
    const h = new BetterSqlite3(file);
    h.pragma('journal_mode = WAL');
    const c = new SqliteCheckpointer(h, path.join(dir, 'missing', 'c.db'));
    c.start();
    await until(() => !c.running, 'the worker to exit');
    expect(autocheckpoint(h)).toBe(1000);
    await c.stop(); // nothing left to stop; no error
    h.close();
  });

  it('has no thread for an in-memory database', async () => {
    const store = await openSqlDatabase('sqlite::memory:');
    expect(store.checkpointer).toBeNull();
    await store.close();
  });
});
