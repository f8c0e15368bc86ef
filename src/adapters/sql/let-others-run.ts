/**
 * better-sqlite3 reads are synchronous, and an async generator's `yield` resumes its consumer in a
 * microtask: a walk over a million rows would otherwise hold the event loop from its first page to
 * its last, and every request to the server (a login decision included) would wait behind it.
 * Paged walks await this between pages, so timers and sockets are served in between (one
 * macrotask per page: nothing measurable against a page's read).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

export const letOthersRun = (): Promise<void> => nextTurn();
