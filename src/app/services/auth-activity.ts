/** Authentication activity for the dashboard: failures and successes over time, counted by the database. */
import type { Clock } from '../../core/clock.js';
import { type BucketName, bucketWindow, fillSeries } from '../../core/auth/timeseries.js';
import type { AttemptCountsSource } from '../../core/ports/attempt-counts.js';

export const DEFAULT_WINDOW_MS = 7 * 86_400_000;

export class AuthActivityService {
  constructor(
    private readonly counts: AttemptCountsSource,
    private readonly clock: Clock,
  ) {}

  /** The series over [since, until) (defaults: the last 7 days), by the hour or the day. */
  async timeseries(opts: { since?: number; until?: number; bucket?: BucketName } = {}) {
    const bucket = opts.bucket ?? 'hour';
    const until = opts.until ?? this.clock.now();
    const since = opts.since ?? until - DEFAULT_WINDOW_MS;
    const w = bucketWindow(since, until, bucket);
    const points = fillSeries(w, await this.counts.countsByBucket(w.start, w.end, w.size));
    return {
      since: new Date(w.start).toISOString(),
      until: new Date(w.end).toISOString(),
      bucket,
      buckets: points.map((p) => ({
        t: new Date(p.t).toISOString(),
        failures: p.failures,
        successes: p.successes,
      })),
      total_failures: points.reduce((n, p) => n + p.failures, 0),
      total_successes: points.reduce((n, p) => n + p.successes, 0),
    };
  }
}
