/**
 * WAL checkpoints on a thread of their own, for a SQLite file under steady writes.
 *
 * Why: with `synchronous = NORMAL` a commit only appends to the WAL; the fsyncs happen at
 * checkpoints (the WAL, then the database file). SQLite's automatic checkpoint runs inside the
 * commit that crosses `wal_autocheckpoint` (1,000 pages), on the thread that committed: under
 * `POST /auth/attempts` that was two fsyncs of 3–6 ms each every ~180 attempts, the event loop
 * blocked the whole time (bench/auth-http.ts: 2.5k → 3.2k requests/s once they moved here).
 *
 * How: a worker thread opens its own connection to the file and runs `wal_checkpoint(PASSIVE)`
 * every few milliseconds while there are frames to copy. PASSIVE never waits for, or blocks, the
 * writer: it copies what it can and fsyncs on the worker's time. A passive checkpoint rarely
 * catches a busy writer up completely, and only a complete one lets the next write start the WAL
 * over, so the writer's own automatic checkpoint stays on as a backstop at a higher mark
 * (BACKSTOP_PAGES): by then nearly every page is already copied, it copies the rest, the WAL
 * restarts from its beginning and stays bounded (~BACKSTOP_PAGES pages).
 *
 * Durability and safety are SQLite's own: a checkpoint from another connection is an ordinary,
 * supported operation (the CLI or a second process may do the same), and a crash of either thread
 * leaves a valid WAL. Started lazily, after the write batch's first STARTUP_COMMITS commits, so
 * short-lived handles (a CLI command, a test) never pay for a thread.
 *
 * The worker is plain JavaScript passed as source (eval): it needs only the driver, so it runs the
 * same from the TypeScript sources (tests, tsx) and from dist/, without a loader.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

/** The writer's own automatic checkpoint while the worker runs (SQLite's default is 1,000). */
export const BACKSTOP_PAGES = 8000;
/** How often the worker looks for frames to copy while writes arrive, and when idle. */
const BUSY_INTERVAL_MS = 20;
const IDLE_INTERVAL_MS = 1000;
/** Commits of the write batch before the thread starts (a handle that writes less never has one). */
export const STARTUP_COMMITS = 256;

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
// Never wait for a lock: a checkpoint that cannot run now runs on the next tick.
db.pragma('busy_timeout = 0');
let timer = null;
let stopped = false;
let lastLog = -1;
const tick = () => {
  let idle = true;
  try {
    const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
    // r.log: frames in the WAL; r.checkpointed: frames copied into the database file so far.
    // Idle only when nothing was written since the last look: writes arrive in bursts.
    if (r.log > 0 && r.log !== lastLog) {
      parentPort.postMessage({ log: r.log, checkpointed: r.checkpointed });
      idle = false;
    }
    lastLog = r.log;
  } catch (err) {
    // Busy (another checkpoint running) or a transient I/O error: try again later.
    parentPort.postMessage({ error: String(err && err.message || err) });
  }
  if (!stopped) timer = setTimeout(tick, idle ? workerData.idleMs : workerData.busyMs);
};
parentPort.on('message', (m) => {
  if (m === 'stop') { stopped = true; clearTimeout(timer); db.close(); parentPort.close(); }
});
tick();
`;

export interface CheckpointerStats {
  /** Passive checkpoints that found frames in the WAL. */
  checkpoints: number;
  /** Frames copied into the database file by the last of them, and the WAL's size then. */
  lastCheckpointed: number;
  lastLog: number;
  /** Checkpoints that failed (busy or I/O); the next tick tries again. */
  errors: number;
}

export class SqliteCheckpointer {
  readonly stats: CheckpointerStats = { checkpoints: 0, lastCheckpointed: 0, lastLog: 0, errors: 0 };
  private worker: Worker | null = null;
  private exited: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(
    private readonly handle: BetterSqlite3.Database,
    private readonly file: string,
  ) {}

  get running(): boolean {
    return this.worker !== null;
  }

  /** Starts the thread (idempotent). If it cannot start, SQLite's own checkpoints simply stay. */
  start(): void {
    if (this.worker || this.stopping || !this.handle.open) return;
    let worker: Worker;
    try {
      worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          driver: createRequire(import.meta.url).resolve('better-sqlite3'),
          file: this.file,
          busyMs: BUSY_INTERVAL_MS,
          idleMs: IDLE_INTERVAL_MS,
        },
      });
    } catch {
      return;
    }
    // The host process must be free to exit while the thread idles.
    worker.unref();
    this.worker = worker;
    worker.on('message', (m: { log?: number; checkpointed?: number; error?: string }) => {
      if (m.error !== undefined) this.stats.errors += 1;
      else {
        this.stats.checkpoints += 1;
        this.stats.lastLog = m.log!;
        this.stats.lastCheckpointed = m.checkpointed!;
      }
    });
    this.exited = new Promise<void>((resolve) => {
      worker.once('exit', () => {
        // The thread is gone (stopped, or failed to open the file): the writer checkpoints alone.
        if (this.worker === worker) this.worker = null;
        if (this.handle.open) this.handle.pragma('wal_autocheckpoint = 1000');
        resolve();
      });
    });
    worker.once('error', () => {}); // reported through 'exit'; never an uncaught error in the host
    this.handle.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  }

  /** Stops the thread and closes its connection; resolves when it has exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    const w = this.worker;
    if (w === null) return;
    w.postMessage('stop');
    const timeout = setTimeout(() => void w.terminate(), 2000);
    await this.exited;
    clearTimeout(timeout);
  }
}
