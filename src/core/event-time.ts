/**
 * The one rule for a time a caller says something happened at (an authentication attempt's `at`,
 * an audit event's `timestamp`): not more than a few minutes ahead of the server's clock, and not
 * before 2000-01-01.
 *
 * Why bounds at all: these times order every time-window view and export. A time far in the
 * future sits at the head of every "latest" view for ever; a time at the epoch (0, 1970) is almost
 * always a unit mistake (seconds for milliseconds) or a zero value, and backdates a record past
 * anything Bulwark could have seen. The skew allows clocks on different hosts to disagree a
 * little. The lower bound leaves years of imported logs possible (the loghub samples are 2015).
 */

/** How far ahead of the server's clock a given time may be (skew between hosts). */
export const FUTURE_SKEW_MS = 5 * 60_000;

/** The earliest time accepted: 2000-01-01T00:00:00Z. */
export const EARLIEST_EVENT_TIME_MS = Date.UTC(2000, 0, 1);

/** Why `ms` is not an acceptable event time at `now` (a message without the field), or null. */
export function eventTimeProblem(ms: number, now: number): string | null {
  if (ms > now + FUTURE_SKEW_MS) return 'is more than 5 minutes in the future';
  if (ms < EARLIEST_EVENT_TIME_MS) return 'is before 2000-01-01T00:00:00Z';
  return null;
}
