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

/** The largest time a JS Date holds (epoch ms): the bound of every time Bulwark takes in. */
export const MAX_TIME_MS = 8_640_000_000_000_000;

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether year `y`, month `m` (1–12) and day `d` name a real calendar day (leap years included). */
export function isCalendarDay(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= (m === 2 && isLeap(y) ? 29 : DAYS[m - 1]!);
}

/** Epoch ms of midnight UTC of a real calendar date, or null. */
function utcDay(y: number, m: number, d: number): number | null {
  if (!isCalendarDay(y, m, d)) return null;
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

/**
 * A time typed on the command line: epoch milliseconds, an ISO 8601 date-time with its zone, or a
 * date alone (its midnight UTC). Null when it is none of them. Every CLI time flag reads this.
 */
export function parseTimeOrDate(s: string): number | null {
  return parseIsoDate(s) ?? parseEpochOrIsoTime(s);
}

/** Epoch milliseconds (digits only) or an ISO 8601 date-time with its zone: every API input time. */
export function parseEpochOrIsoTime(s: string): number | null {
  return /^\d{1,15}$/.test(s) ? Number(s) : parseIsoTime(s);
}
export const TIME_OR_DATE_RULE =
  'must be epoch ms, an ISO 8601 date-time with a zone (2025-01-31T12:00:00Z) or a date (2025-01-31)';

/** Epoch ms of midnight UTC of a calendar date `YYYY-MM-DD`, or null when it is not a real date. */
export function parseIsoDate(s: string): number | null {
  const m = DATE_ONLY.exec(s);
  return m === null ? null : utcDay(Number(m[1]), Number(m[2]), Number(m[3]));
}
