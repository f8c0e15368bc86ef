/**
 * Group commit for SQLite writes: the write operations requested on one database handle during
 * one turn of the event loop (limiter decisions, attempt inserts, audit appends, of all the
 * requests in flight) run in one `BEGIN IMMEDIATE` transaction on the next turn, in the order
 * asked. Every promise settles only after the COMMIT, so no caller is answered before its write is
 * stored; a failed BEGIN or COMMIT (store down, disk full, a deferred constraint) rejects every
 * operation of the batch, and none of their writes is stored. Same results as one transaction
 * each: better-sqlite3 runs the batch synchronously, so nothing interleaves with it; the commit
 * (the WAL write of every page the batch dirtied, once, however many operations dirtied it) is
 * paid once per turn instead of once per operation.
 *
 * Operations fail alone. The batch first runs without savepoints (a savepoint per operation costs
 * about what a commit does: SQLite keeps a statement journal for each); when an operation throws,
 * that attempt rolls back whole and the batch runs again with each operation in its own savepoint,
 * so that only the failing one is lost and rejects with its own error. Operations must therefore
 * be pure functions of the database (re-running one after a rollback gives the same result).
 *
 * One batch per handle (`sqliteBatchOf`), shared by every store on it: that is what lets the
 * limiter, attempt and audit writes of concurrent requests share a commit.
 */
import type BetterSqlite3 from 'better-sqlite3';

interface Job {
  run: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** A job as run in one pass: its value, and the writes it asked for while it ran (joined to it). */
interface Ran {
  job: Job;
  value: unknown;
  joined: Ran[];
}

/** An operation's own failure in the no-savepoint pass (as opposed to BEGIN or COMMIT failing). */
class OperationFailed {
  constructor(readonly error: unknown) {}
}

/** A batch this large is a long synchronous stretch already: the rest waits for the next turn. */
const MAX_JOBS_PER_COMMIT = 2000;

export interface SqliteBatchStats {
  commits: number;
  /** Operations run and committed, joined ones included. */
  operations: number;
  /** Batches run again with a savepoint per operation because one of them failed. */
  retries: number;
}

export class SqliteWriteBatch {
  /** Counters for tests and benchmarks. */
  readonly stats: SqliteBatchStats = { commits: 0, operations: 0, retries: 0 };
  private jobs: Job[] = [];
  private scheduled = false;
  /** While an operation runs: where the writes it asks for are collected (they join it). */
  private joining: Job[] | null = null;
  private readonly together: BetterSqlite3.Transaction<(jobs: Job[], out: Ran[]) => void>;
  private readonly apart: BetterSqlite3.Transaction<(jobs: Job[], out: Outcome[]) => void>;
  /** Called once, after the commit that makes `stats.commits` reach `at` (sqlite-checkpointer.ts). */
  private busy: { at: number; run: () => void } | null = null;

  constructor(private readonly handle: BetterSqlite3.Database) {
    this.together = handle.transaction((jobs: Job[], out: Ran[]) => {
      for (let i = 0; i < jobs.length; i++) {
        try {
          out[i] = this.runJoined(jobs[i]!);
        } catch (err) {
          throw new OperationFailed(err);
        }
      }
    });
    // Inside `apart` this nested transaction function is a SAVEPOINT … RELEASE (ROLLBACK TO on throw).
    const savepoint = handle.transaction((job: Job) => this.runJoined(job));
    this.apart = handle.transaction((jobs: Job[], out: Outcome[]) => {
      for (let i = 0; i < jobs.length; i++) {
        try {
          out[i] = { ok: true, ran: savepoint(jobs[i]!) };
        } catch (err) {
          out[i] = { ok: false, error: err };
        }
      }
    });
  }

  /**
   * Runs `write` (synchronous, on this handle) in the next batch; settles after its commit.
   * Asked from inside an operation of this batch while it runs, `write` joins that operation
   * instead: it runs in the same transaction right after it, and the two (with anything else
   * joined) commit or fail together, as one operation. That lets an operation hand part of its
   * work to another store's own write path (the audit append of an attempt) without a second
   * commit and without a savepoint.
   */
  run<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const job = { run: write, resolve: resolve as (v: unknown) => void, reject };
      if (this.joining !== null) {
        this.joining.push(job);
        return;
      }
      this.jobs.push(job);
      this.schedule();
    });
  }

  /** Runs a job, then the writes it asked for while it ran (and theirs), in order. */
  private runJoined(job: Job): Ran {
    const outer = this.joining;
    const asked: Job[] = [];
    this.joining = asked;
    let value: unknown;
    try {
      value = job.run();
    } finally {
      this.joining = outer;
    }
    // Writes asked for by a run that is then rolled back are dropped unsettled: the run that
    // replaces it asks again (the operation is re-run), and nobody waits on the dropped ones.
    const joined = new Array<Ran>(asked.length);
    for (let i = 0; i < asked.length; i++) joined[i] = this.runJoined(asked[i]!);
    return { job, value, joined };
  }

  /** Runs `run` once, after this batch's `commits`-th commit: a sign the handle is under steady writes. */
  whenBusy(commits: number, run: () => void): void {
    this.busy = { at: commits, run };
  }

  private committed(): void {
    this.stats.commits += 1;
    if (this.busy !== null && this.stats.commits >= this.busy.at) {
      const { run } = this.busy;
      this.busy = null;
      run();
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    if (this.jobs.length === 0) return;
    // Another transaction is open on this handle (a query-builder transaction between two of its
    // awaits): never join it, its rollback would take acknowledged writes with it. Wait for it.
    if (this.handle.inTransaction) return this.schedule();
    let jobs = this.jobs;
    if (jobs.length > MAX_JOBS_PER_COMMIT) {
      this.jobs = jobs.slice(MAX_JOBS_PER_COMMIT);
      jobs = jobs.slice(0, MAX_JOBS_PER_COMMIT);
      this.schedule();
    } else this.jobs = [];
    const ran = new Array<Ran>(jobs.length);
    try {
      this.together.immediate(jobs, ran);
      this.committed();
      for (let i = 0; i < jobs.length; i++) this.settle(ran[i]!);
      return;
    } catch (err) {
      if (!(err instanceof OperationFailed)) return rejectAll(jobs, err);
      if (jobs.length === 1) return jobs[0]!.reject(err.error);
    }
    // One operation failed and took the whole attempt with it: again, one savepoint each.
    this.stats.retries += 1;
    const outcomes = new Array<Outcome>(jobs.length);
    try {
      this.apart.immediate(jobs, outcomes);
      this.committed();
    } catch (err) {
      return rejectAll(jobs, err);
    }
    for (let i = 0; i < jobs.length; i++) {
      const o = outcomes[i]!;
      if (o.ok) this.settle(o.ran);
      else jobs[i]!.reject(o.error);
    }
  }

  /** After the commit: the operation and the writes joined to it, in the order they ran. */
  private settle(r: Ran): void {
    this.stats.operations += 1;
    r.job.resolve(r.value);
    for (let i = 0; i < r.joined.length; i++) this.settle(r.joined[i]!);
  }
}

type Outcome = { ok: true; ran: Ran } | { ok: false; error: unknown };

function rejectAll(jobs: Job[], err: unknown): void {
  for (const j of jobs) j.reject(err);
}

const batches = new WeakMap<BetterSqlite3.Database, SqliteWriteBatch>();

/** The one write batch of this handle. */
export function sqliteBatchOf(handle: BetterSqlite3.Database): SqliteWriteBatch {
  let b = batches.get(handle);
  if (b === undefined) {
    b = new SqliteWriteBatch(handle);
    batches.set(handle, b);
  }
  return b;
}
