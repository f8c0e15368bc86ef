/**
 * WAL checkpoints on a worker thread (src/adapters/sql/sqlite-checkpointer.ts): the worker copies
 * committed frames into the database file while the main handle goes on writing; the main
 * handle's own automatic checkpoint keeps its setting (the durability backstop); stop() ends the
 * worker and closes its connection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteBatchOf } from '../../src/adapters/sql/sqlite-batch.js';
import { startBackgroundCheckpoints } from '../../src/adapters/sql/sqlite-checkpointer.js';

let dir: string;
let file: string;
let db: BetterSqlite3.Database;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'bulwark-ckpt-'));
  file = path.join(dir, 'c.db');
  db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('create table rows (id integer primary key, v text not null)');
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('startBackgroundCheckpoints', () => {
  it('checkpoints committed frames from a worker while the handle writes; the backstop stays', async () => {
    const c = startBackgroundCheckpoints(db, 5);
    const batch = sqliteBatchOf(db);
    const insert = db.prepare('insert into rows (v) values (?)');
    for (let round = 0; round < 20; round++) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => batch.run(() => insert.run(`r${round}-${i}`.repeat(50)))),
      );
      await new Promise((r) => setTimeout(r, 6));
    }
    await until(() => c.stats.framesCheckpointed > 0);
    expect(c.stats.framesCheckpointed).toBeGreaterThan(0);
    expect(c.stats.failures).toBe(0);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await c.stop();
    // Everything committed is there for another connection, and the handle works on.
    insert.run('after');
    const other = new BetterSqlite3(file, { readonly: true });
    try {
      expect(other.prepare('select count(*) from rows').pluck().get()).toBe(20 * 50 + 1);
    } finally {
      other.close();
    }
  });

  it('does nothing while nothing is committed, and stops cleanly', async () => {
    const c = startBackgroundCheckpoints(db, 5);
    await new Promise((r) => setTimeout(r, 30));
    expect(c.stats.checkpoints).toBe(0);
    await c.stop();
    await c.stop(); // twice is harmless
  });
});
