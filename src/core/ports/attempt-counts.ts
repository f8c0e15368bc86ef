import type { BucketCount } from '../auth/timeseries.js';

/** Grouped counts of authentication attempts (the dashboard's failures-over-time chart). */
export interface AttemptCountsSource {
  /** Attempts with start ≤ timestamp < end, counted per result in buckets of `size` ms (epoch-aligned). */
  countsByBucket(start: number, end: number, size: number): Promise<BucketCount[]>;
}
