/**
 * Cooperative scheduling for long loops on the server's one thread. A loop calls `due()` often (it
 * is a clock read) and `await pause()` when it says so: the event loop then runs whatever is
 * waiting (a health check, a login) before the loop goes on, so no request waits longer than one
 * slice. `setImmediate` (not a microtask: awaiting a resolved promise would not let I/O in).
 */
export const DEFAULT_SLICE_MS = 10;

/**
 * One turn of the event loop: timers and sockets run before the caller goes on. Paged walks over
 * synchronous better-sqlite3 reads await it between pages (an async generator's `yield` alone
 * resumes its consumer in a microtask, so a million-row walk would hold the loop to its end).
 */
export const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

export class TimeSlice {
  private start = performance.now();

  constructor(private readonly sliceMs = DEFAULT_SLICE_MS) {}

  /** True when this slice's time is used up. */
  due(): boolean {
    return performance.now() - this.start >= this.sliceMs;
  }

  /** Lets the event loop run, then starts a new slice. */
  async pause(): Promise<void> {
    await nextTurn();
    this.start = performance.now();
  }

  /** `pause()` when due: the one call most loops need. */
  async yieldIfDue(): Promise<void> {
    if (this.due()) await this.pause();
  }
}

/**
 * Long pure computations are written as generators that `yield` every few hundred items; these run
 * one straight through (CLI, library) or pausing whenever a slice is used up (the server).
 */
export function runToEnd<T>(steps: Generator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

export async function runCooperatively<T>(steps: Generator<void, T>, slice: TimeSlice): Promise<T> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await slice.yieldIfDue();
  }
}

/** How many items a generator handles between two `yield`s: a clock read per 256 is free. */
export const STEP_ITEMS = 256;
