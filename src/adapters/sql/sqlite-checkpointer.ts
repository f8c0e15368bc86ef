/**
 * WAL checkpoints of a SQLite file on a worker thread, so that the event loop does not stop for
 * them. With SQLite's automatic checkpoint alone, the COMMIT that takes the WAL past 1,000 frames
 * copies them into the database file and fsyncs both files, synchronously, on the main thread:
 * under POST /auth/attempts load that was most of the commit time and every request in flight
 * waited behind the fsyncs (bench/auth-http.ts).
 *
 * The worker has its own connection and runs a PASSIVE checkpoint (it never blocks the writer)
 * every `intervalMs` while the main handle commits. Durability is unchanged: WAL mode with
 * synchronous=NORMAL on both connections, and the main handle's automatic checkpoint stays at
 * its setting (1,000 frames) as the backstop, so the WAL is never left longer unsynced than
 * before; the worker only makes that backstop rare.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import { sqliteBatchOf } from './sqlite-batch.js';

export interface CheckpointerStats {
  /** Checkpoints the worker ran. */
  checkpoints: number;
  /** Frames it copied into the database file. */
  framesCheckpointed: number;
  /** Checkpoints that failed (the next one retries; the backstop still holds). */
  failures: number;
}

export interface BackgroundCheckpointer {
  readonly stats: CheckpointerStats;
  /** Stops the worker (its connection closed); the main handle's own checkpoints go on. */
  stop(): Promise<void>;
}

// The worker: plain JavaScript (no TypeScript loader needed), the same driver as the main thread.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 0');
const checkpoint = db.prepare('pragma wal_checkpoint(PASSIVE)');
parentPort.on('message', (m) => {
  if (m === 'stop') { db.close(); parentPort.close(); return; }
  try {
    const r = checkpoint.get();
    parentPort.postMessage({ ok: true, frames: r.checkpointed > 0 ? r.checkpointed : 0 });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: String(err && err.message || err) });
  }
});
`;

/** Starts checkpointing the file `handle` has open (in WAL mode) on a worker thread. */
export function startBackgroundCheckpoints(
  handle: BetterSqlite3.Database,
  intervalMs = 25,
): BackgroundCheckpointer {
  const file = handle.name;
  const stats: CheckpointerStats = { checkpoints: 0, framesCheckpointed: 0, failures: 0 };
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { file, driver } });
  worker.unref();
  const batch = sqliteBatchOf(handle);
  let busy = false;
  let seenCommits = batch.stats.commits;
  let stopped = false;
  worker.on('message', (m: { ok: boolean; frames?: number }) => {
    busy = false;
    stats.checkpoints += 1;
    if (m.ok) stats.framesCheckpointed += m.frames ?? 0;
    else stats.failures += 1;
  });
  // A worker that fails is only a lost optimisation: the main handle's own checkpoints still run.
  worker.on('error', () => (stopped = true));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const timer = setInterval(() => {
    if (busy || stopped || batch.stats.commits === seenCommits) return;
    seenCommits = batch.stats.commits;
    busy = true;
    worker.postMessage('checkpoint');
  }, intervalMs);
  timer.unref();
  return {
    stats,
    async stop() {
      clearInterval(timer);
      if (!stopped) {
        stopped = true;
        worker.postMessage('stop');
      }
      await exited;
    },
  };
}
