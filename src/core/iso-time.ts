/**
 * ISO 8601 times as people type them into Bulwark (query strings, CLI flags, request fields), read
 * strictly. Why not `Date.parse` after a regex: V8's parser rolls an impossible day over instead of
 * refusing it (`2026-02-30T12:00:00Z` is 2 March, `2026-04-31` is 1 May), so a mistyped date became
 * another instant without a word. Here every field is range-checked against the calendar (leap
 * years included) and the offset, and anything else is null.
 *
 * Accepted: `YYYY-MM-DDTHH:MM[:SS[.fraction]]` followed by `Z` or `±HH:MM` (the forms API.md names);
 * a fraction of 1–9 digits is cut to milliseconds. Not accepted: no zone (which zone would it be?),
 * lower-case `t`/`z`, `+HHMM`, week or ordinal dates, leap second 60, hour 24.
 */

import { z } from 'zod';

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Epoch ms of midnight UTC of a real calendar date, or null. */
function utcDay(y: number, m: number, d: number): number | null {
  if (m < 1 || m > 12 || d < 1) return null;
  const days = m === 2 && isLeap(y) ? 29 : DAYS[m - 1]!;
  if (d > days) return null;
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not.
  const t = new Date(Date.UTC(2000, m - 1, d));
  t.setUTCFullYear(y);
  return t.getTime();
}

/** Epoch ms of an ISO 8601 date-time with its zone, or null when it is not one (see above). */
export function parseIsoTime(s: string): number | null {
  const m = DATE_TIME.exec(s);
  if (m === null) return null;
  const day = utcDay(Number(m[1]), Number(m[2]), Number(m[3]));
  const [hh, mm, ss] = [Number(m[4]), Number(m[5]), m[6] === undefined ? 0 : Number(m[6])];
  if (day === null || hh > 23 || mm > 59 || ss > 59) return null;
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  let offset = 0;
  if (m[8] === undefined) {
    const [oh, om] = [Number(m[10]), Number(m[11])];
    if (oh > 23 || om > 59) return null;
    offset = (m[9] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  return day + ((hh * 60 + mm) * 60 + ss) * 1000 + ms - offset;
}

/** Epoch ms of midnight UTC of a calendar date `YYYY-MM-DD`, or null when it is not a real date. */
export function parseIsoDate(s: string): number | null {
  const m = DATE_ONLY.exec(s);
  return m === null ? null : utcDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

/**
 * The zod form of parseIsoTime for a union branch (`at`, an audit event's `timestamp`): a string
 * this reader takes, to epoch ms. They used zod's own ISO check, which refused `…T12:00Z` and took
 * any number of fraction digits, where every other typed time (iso-time.ts) did the opposite.
 */
export const isoTimeString = z.string().transform((s, ctx) => {
  const t = parseIsoTime(s);
  if (t === null) {
    ctx.addIssue({ code: 'custom', message: 'is not an ISO 8601 date-time with a zone' });
    return z.NEVER;
  }
  return t;
});
