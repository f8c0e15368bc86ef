/**
 * The rate-limit algorithm: GCRA (Generic Cell Rate Algorithm, ITU-T I.371), in exact integers.
 *
 * Why GCRA and not the alternatives:
 * - Fixed window: a client can spend L at the end of one window and L more at the start of the
 *   next, 2L within milliseconds (the "double burst").
 * - Sliding-window counter (two buckets, weighted): O(1) state but approximate — it assumes the
 *   previous window's requests were spread evenly, so it admits more or fewer than L depending on
 *   their real timing; "exactly L of 10,000 simultaneous requests" cannot be promised.
 * - Sliding-window log: exact, but stores up to L timestamps per key — 120 numbers for every IP,
 *   which a flood of distinct keys turns into gigabytes.
 * - GCRA: one number of state per key (the theoretical arrival time, TAT), O(1) per decision,
 *   exact: of any number of simultaneous requests exactly L pass. Capacity comes back smoothly,
 *   one request every T = window/L, so there is no boundary at which a second burst opens: over
 *   any interval of length t at most L + floor(t·L/window) requests pass (the burst plus the
 *   steady rate). The price, stated plainly: a client that bursts L and then keeps to the steady
 *   rate gets up to 2L−1 within its first window; no O(1)-state scheme can both admit an instant
 *   burst of L and cap every sliding window at L.
 *
 * Exactness: T = window/L is rarely an integer, and adding a rounded float L times drifts. So the
 * TAT is kept as `tatMs + tatRem / limit`, with integer milliseconds and an integer remainder in
 * units of 1/limit ms, and every comparison is on integers. Bounds (limit ≤ 1e6,
 * window ≤ 7 days) keep every product below 2^53.
 *
 * The same arithmetic fits a Redis Lua script (two integers per key in a hash or one string) and a
 * SQL row (`tat_ms`, `tat_rem`), so every store decides the same way.
 */

import { validationError } from '../errors.js';

export const MAX_LIMIT = 1_000_000;
export const MAX_WINDOW_MS = 7 * 24 * 3_600_000;

/** Stored state of one bucket. A fresh (or fully drained) bucket is `{tatMs: 0, tatRem: 0}`. */
export interface GcraState {
  tatMs: number;
  tatRem: number;
}

/** Outcome of one decision on one bucket. */
export interface BucketDecision {
  allowed: boolean;
  /** Requests the bucket currently holds (the equivalent of "count in the window"), 0..limit. */
  count: number;
  /** Requests that would still pass now, limit − count. */
  remaining: number;
  /** Milliseconds until the bucket is empty again (count back to 0). */
  resetMs: number;
  /** 0 when allowed; otherwise the milliseconds after which the same request would pass. */
  retryAfterMs: number;
}

/**
 * One GCRA step. Reads `state`; when the request is allowed (and `commit` is true) writes the new
 * TAT back into it. Fills and returns `out`, so the hot path allocates nothing.
 * Arguments must already be valid integers (see `checkBucketArgs`).
 */
export function gcraStep(
  state: GcraState,
  limit: number,
  windowMs: number,
  cost: number,
  nowMs: number,
  commit: boolean,
  out: BucketDecision,
): BucketDecision {
  // tat' = max(TAT, now)
  let ms = state.tatMs;
  let rem = state.tatRem;
  if (ms < nowMs) {
    ms = nowMs;
    rem = 0;
  }
  // new TAT = tat' + cost·window/limit, as (ms, rem/limit)
  const total = rem + cost * windowMs;
  const q = quotient(total, limit);
  const newRem = total - q * limit;
  const newMs = ms + q;
  // allowed iff newTAT − window ≤ now
  const lead = newMs - windowMs - nowMs;
  if (lead < 0 || (lead === 0 && newRem === 0)) {
    if (commit) {
      state.tatMs = newMs;
      state.tatRem = newRem;
    }
    fillCounts(out, newMs, newRem, limit, windowMs, nowMs);
    out.allowed = true;
    out.retryAfterMs = 0;
    return out;
  }
  fillCounts(out, ms, rem, limit, windowMs, nowMs);
  out.allowed = false;
  out.retryAfterMs = lead + (newRem > 0 ? 1 : 0);
  return out;
}

/**
 * floor(a / b) for integers 0 ≤ a < 2^53, 1 ≤ b < 2^53, exactly. Why it is exact: with
 * a = q·b + f, a non-zero f keeps a/b at least 1/b from either integer, and rounding the
 * division errs by at most (a/b)·2^-53 < 1/b, so the rounded quotient stays strictly between
 * q and q + 1 (and is q itself when f = 0). Why not `%`: on values outside int32 (epoch ms)
 * V8 calls fmod, several times the cost of a division and a floor.
 */
function quotient(a: number, b: number): number {
  return Math.floor(a / b);
}

/** count = ceil((TAT − now)·limit / window); reset = ceil(TAT − now). */
function fillCounts(
  out: BucketDecision,
  ms: number,
  rem: number,
  limit: number,
  windowMs: number,
  nowMs: number,
): void {
  const ahead = ms - nowMs; // ≥ 0 here
  const scaled = ahead * limit + rem;
  const q = quotient(scaled, windowMs);
  const count = q * windowMs === scaled ? q : q + 1;
  out.count = count;
  out.remaining = limit - count;
  out.resetMs = ahead + (rem > 0 ? 1 : 0);
}

/** True when the state is indistinguishable from a fresh bucket at `nowMs` (safe to forget). */
export function gcraIdle(tatMs: number, tatRem: number, nowMs: number): boolean {
  return tatMs < nowMs || (tatMs === nowMs && tatRem === 0);
}

/** A fresh decision object for callers that want their own (the stores reuse one internally). */
export function newBucketDecision(): BucketDecision {
  return { allowed: false, count: 0, remaining: 0, resetMs: 0, retryAfterMs: 0 };
}

/**
 * Validates the arguments of a bucket decision; throws validation_failed naming the field.
 * Cheap integer checks only, so it can run on the hot path.
 */
export function checkBucketArgs(
  key: unknown,
  limit: number,
  windowMs: number,
  cost: number,
  nowMs: number,
): void {
  if (typeof key !== 'string' || key.length === 0) throw validationError('key', 'must be a non-empty string');
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw validationError('limit', `must be an integer from 1 to ${MAX_LIMIT}`);
  if (!Number.isInteger(windowMs) || windowMs < 1 || windowMs > MAX_WINDOW_MS) {
    throw validationError('windowMs', `must be an integer from 1 to ${MAX_WINDOW_MS} (7 days)`);
  }
  if (!Number.isInteger(cost) || cost < 0 || cost > limit)
    throw validationError('cost', 'must be an integer from 0 to the limit');
  if (!Number.isInteger(nowMs) || nowMs < 0)
    throw validationError('nowMs', 'must be a non-negative integer (epoch milliseconds)');
}
