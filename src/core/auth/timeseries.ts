/**
 * Authentication attempts over time: the buckets of a [since, until) window and the series filled
 * from grouped counts (a bucket with no attempt is a zero, not a gap). Buckets are aligned to UTC
 * hours or days, so the same window always gives the same buckets.
 */
import { validationError } from '../errors.js';

export const BUCKETS = { hour: 3_600_000, day: 86_400_000 } as const;
export type BucketName = keyof typeof BUCKETS;
/** A window may hold at most this many buckets (e.g. 83 days by the hour): answers stay small. */
export const MAX_BUCKETS = 2000;

export interface BucketWindow {
  start: number; // first bucket's start (since, rounded down)
  end: number; // exclusive
  size: number;
  count: number;
}

export function bucketWindow(since: number, until: number, bucket: BucketName): BucketWindow {
  if (!(until > since)) throw validationError('until', 'must be later than since');
  const size = BUCKETS[bucket];
  const start = Math.floor(since / size) * size;
  const end = Math.ceil(until / size) * size;
  const count = (end - start) / size;
  if (count > MAX_BUCKETS)
    throw validationError('since', `the window holds ${count} ${bucket} buckets; at most ${MAX_BUCKETS}`);
  return { start, end, size, count };
}

export interface BucketCount {
  bucket_start: number;
  result: string;
  n: number;
}

export interface SeriesPoint {
  t: number;
  failures: number;
  successes: number;
}

export function fillSeries(w: BucketWindow, counts: BucketCount[]): SeriesPoint[] {
  const points: SeriesPoint[] = Array.from({ length: w.count }, (_, i) => ({
    t: w.start + i * w.size,
    failures: 0,
    successes: 0,
  }));
  for (const c of counts) {
    const i = Math.floor((c.bucket_start - w.start) / w.size);
    const p = points[i];
    if (!p) continue;
    if (c.result === 'failure') p.failures += c.n;
    else if (c.result === 'success') p.successes += c.n;
  }
  return points;
}
