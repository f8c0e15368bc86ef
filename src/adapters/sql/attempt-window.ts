/**
 * Walking a time window of authentication_attempts in (timestamp, id) order, page by page, as an
 * index range on timestamp (AttemptStore.range and .scan both read this way). SQLite walks the
 * (timestamp, id) index; PostgreSQL may take the (timestamp) one and sort each run of equal times.
 *
 * Each page's index range starts at the previous page's last timestamp (`timestamp >= from`) and
 * only skips the rows of that one timestamp already read (`id > after`). Ranging every page from
 * `since` with the keyset as an OR filter instead makes SQLite and PostgreSQL walk (PostgreSQL:
 * fetch from the heap) every earlier page again, so a window cost O(rows² / page size).
 */
import { nextTurn } from '../../core/time-slice.js';

/** Where the next page starts: rows at `from` with an id after `after` (null: the first page, all of `from`). */
export interface PageStart {
  from: number;
  after: string | null;
}

/** The WHERE clause of one page, in a dialect's parameter syntax (`p('from')` → `@from` or `$1`). */
export const pageWhere = (p: (name: 'from' | 'until' | 'after') => string): string =>
  `timestamp >= ${p('from')} and timestamp < ${p('until')} and (${p('after')} is null or timestamp > ${p('from')} or id > ${p('after')})`;

/** Yields the window [since, until) in pages of at most `pageSize` rows, `read` fetching one page. */
export async function* walkWindow<R extends { timestamp: number; id: string }>(
  since: number,
  until: number,
  pageSize: number,
  read: (start: PageStart, limit: number) => R[] | Promise<R[]>,
): AsyncIterable<R[]> {
  let start: PageStart = { from: since, after: null };
  for (;;) {
    const rows = await read(start, pageSize);
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < pageSize) return;
    const last = rows[rows.length - 1]!;
    start = { from: last.timestamp, after: last.id };
    await nextTurn();
  }
}
