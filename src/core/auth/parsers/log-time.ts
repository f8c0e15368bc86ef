/**
 * Wall-clock times in log files, turned into epoch ms.
 *
 * Syslog stamps (`Dec 10 06:55:46`) have neither year nor zone, so the caller says which: a
 * `year`, or a reference instant `now` from which the year is inferred the way log tools do (the
 * latest year that does not put the line more than a day in the future: a December line read in
 * January belongs to last year). The zone is an IANA name (`Europe/Zurich`), `UTC`, or a fixed
 * offset (`+02:00`); stamps that carry their own offset (ISO 8601, RFC 5424, the combined access
 * log) ignore it.
 */
import { isCalendarDay } from '../../iso-time.js';

export const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

export interface WallTimeOptions {
  /** Year of syslog stamps, which carry none. */
  year?: number | undefined;
  /** Reference instant (epoch ms): the year is the latest one not placing the stamp > 1 day after it. */
  now?: number | undefined;
  /** Zone of stamps without an offset: IANA name, `UTC` (default), or `±HH:MM`. */
  tz?: string | undefined;
}

const DAY_MS = 86_400_000;
const OFFSET = /^([+-])(\d{2}):?(\d{2})$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    // Throws RangeError for an unknown zone: that is a configuration mistake, surfaced at once.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** Whether `tz` is a zone stamps can be read in: `UTC`, `Z`, `±HH:MM`, or an IANA name this Node knows. */
export function isTimeZone(tz: string): boolean {
  const fixed = OFFSET.exec(tz);
  if (fixed) return Number(fixed[2]) <= 23 && Number(fixed[3]) <= 59;
  if (tz === 'UTC' || tz === 'Z') return true;
  try {
    formatterFor(tz);
    return true;
  } catch {
    return false;
  }
}

/** Offset of zone `tz` from UTC at instant `utcMs`, in ms (positive east of Greenwich). */
function zoneOffsetMs(tz: string, utcMs: number): number {
  const fixed = OFFSET.exec(tz);
  if (fixed) {
    // ±HH:MM up to 23:59, as the API reads offsets (`+99:00` is no zone: NaN, not 4 days off).
    if (Number(fixed[2]) > 23 || Number(fixed[3]) > 59) return NaN;
    return (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3])) * 60_000;
  }
  if (tz === 'UTC' || tz === 'Z') return 0;
  const parts = formatterFor(tz).formatToParts(new Date(utcMs));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return asUtc - (utcMs - (((utcMs % 1000) + 1000) % 1000));
}

/**
 * Whether a wall-clock time exists (month 0-based): Date.UTC rolls an impossible one over (Feb 29
 * of a common year is 1 March, 25:61 is the next day), so a garbled or mistyped stamp became another
 * instant without a word. Leap second 60 is refused, as the API's time reader (iso-time.ts) does.
 */
function isWallTime(year: number, month: number, day: number, h: number, mi: number, s: number): boolean {
  return h <= 23 && mi <= 59 && s <= 59 && isCalendarDay(year, month + 1, day);
}

/** Epoch ms of a wall-clock time in zone `tz` (month 0-based); NaN when no such time exists. */
export function zonedToUtc(
  year: number,
  month: number,
  day: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
  tz = 'UTC',
): number {
  if (!isWallTime(year, month, day, h, mi, s)) return NaN;
  const wall = Date.UTC(year, month, day, h, mi, s, ms);
  if (tz === 'UTC' || tz === 'Z') return wall;
  // Two passes settle the offset across a DST change (the second uses the offset at the result).
  const first = wall - zoneOffsetMs(tz, wall);
  return wall - zoneOffsetMs(tz, first);
}

/** Epoch ms of a syslog stamp (month 0-based, no year), using opts.year / opts.now / opts.tz. */
export function syslogToUtc(
  month: number,
  day: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
  opts: WallTimeOptions,
): number {
  const tz = opts.tz ?? 'UTC';
  if (opts.now !== undefined) {
    // Feb 29 goes back to the latest leap year that fits (at most 8 years back); other impossible
    // days (Apr 31) are NaN in every year.
    let year = new Date(opts.now).getUTCFullYear() + 1;
    let t = zonedToUtc(year, month, day, h, mi, s, ms, tz);
    for (let tries = 0; (Number.isNaN(t) || t > opts.now + DAY_MS) && tries < 9; tries++)
      t = zonedToUtc(--year, month, day, h, mi, s, ms, tz);
    return t > opts.now + DAY_MS ? NaN : t;
  }
  return zonedToUtc(opts.year ?? new Date().getUTCFullYear(), month, day, h, mi, s, ms, tz);
}

/** Milliseconds of a fraction of a second written as digits (`.954167` → 954). */
export const fractionMs = (digits: string | undefined): number =>
  digits ? Math.floor(Number(`0.${digits}`) * 1000) : 0;

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Epoch ms of an ISO 8601 stamp (`2015-04-16T18:02:50.321974+00:00`, `2013-08-11 03:56:40`).
 * A stamp without an offset is read in `tz`. NaN when it is not such a stamp, or names no real
 * instant (`2026-02-30`, hour 24, offset `+24:00`): Date.UTC would roll it over into another day,
 * where the API (core/iso-time.ts) refuses it.
 */
export function isoToUtc(stamp: string, tz = 'UTC'): number {
  const m = ISO.exec(stamp);
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s, frac, off] = m;
  const zone = off === undefined ? tz : off === 'Z' ? 'UTC' : off;
  return zonedToUtc(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    fractionMs(frac),
    zone,
  );
}
