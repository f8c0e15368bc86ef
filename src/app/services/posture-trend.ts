/**
 * Daily posture snapshots and the risk trend read from them.
 *
 * A day's snapshot is the last capture taken that day (UTC): `serve` captures on start and every
 * hour (startPostureSnapshots), and reading the trend captures today's when it is missing or older
 * than REFRESH_MS, so a trend read by a library user or a test without the timer still ends today.
 * Snapshots hold counts only (no titles, no ids), so the table stays small: one row a day.
 */
import type { Clock } from '../../core/clock.js';
import { validationError } from '../../core/errors.js';
import type { PostureStore } from '../../core/ports/posture-store.js';
import type { RiskCountsSource } from '../../core/ports/risk-counts.js';
import { riskScore, utcDay, utcDayBefore } from '../../core/vulns/risk.js';
import type { Severity } from '../../core/vulns/severity.js';
import type { PostureService } from './posture.js';

/** How stale today's snapshot may be before a trend read recaptures it. */
export const REFRESH_MS = 5 * 60_000;
export const MAX_TREND_DAYS = 730;
export const DEFAULT_TREND_DAYS = 90;
const SNAPSHOT_VERSION = 1;

export interface PostureSnapshot {
  v: number;
  total: number;
  /** Findings still exposed (open or in_progress), by severity. */
  active_by_severity: Record<Severity, number>;
  by_status: Record<string, number>;
  open_criticals: number;
  overdue: number;
  mttr_days: number | null;
  risk_score: number;
}

export interface TrendPoint extends Omit<PostureSnapshot, 'v'> {
  day: string;
  captured_at: string;
}

export interface PostureTrend {
  from: string;
  to: string;
  days: number;
  points: TrendPoint[];
}

export class PostureTrendService {
  constructor(
    private readonly posture: PostureService,
    private readonly counts: RiskCountsSource,
    private readonly store: PostureStore,
    private readonly clock: Clock,
  ) {}

  /** Takes today's snapshot now (replacing an earlier one of the same day). */
  async capture(): Promise<PostureSnapshot> {
    const now = this.clock.now();
    const [summary, active] = await Promise.all([this.posture.summary(), this.counts.activeBySeverity()]);
    const snapshot: PostureSnapshot = {
      v: SNAPSHOT_VERSION,
      total: summary.total,
      active_by_severity: active,
      by_status: summary.by_status,
      open_criticals: summary.open_criticals,
      overdue: summary.overdue,
      mttr_days: summary.mttr_days,
      risk_score: riskScore(active),
    };
    await this.store.saveDailySnapshot(utcDay(now), now, snapshot);
    return snapshot;
  }

  /** The last `days` days of snapshots (today included), oldest first; days without one are absent. */
  async trend(daysInput: number = DEFAULT_TREND_DAYS): Promise<PostureTrend> {
    if (!Number.isInteger(daysInput) || daysInput < 1 || daysInput > MAX_TREND_DAYS)
      throw validationError('days', `must be a whole number from 1 to ${MAX_TREND_DAYS}`);
    const now = this.clock.now();
    const from = utcDayBefore(now, daysInput - 1);
    let rows = await this.store.dailySnapshots(from);
    const today = utcDay(now);
    const last = rows[rows.length - 1];
    if (!last || last.day !== today || now - last.captured_at > REFRESH_MS) {
      await this.capture();
      rows = await this.store.dailySnapshots(from);
    }
    const points: TrendPoint[] = [];
    for (const r of rows) {
      const s = r.summary as Partial<PostureSnapshot> | null;
      // Rows written by another version of Bulwark with another shape are left out, not guessed at.
      if (!s || s.v !== SNAPSHOT_VERSION) continue;
      const { v: _v, ...rest } = s as PostureSnapshot;
      points.push({ day: r.day, captured_at: new Date(r.captured_at).toISOString(), ...rest });
    }
    return { from, to: today, days: daysInput, points };
  }
}

/** The capture timer `serve` runs: now, then every `everyMs`. A failed capture is logged, never fatal. */
export function startPostureSnapshots(
  trend: PostureTrendService,
  onError: (err: unknown) => void,
  everyMs = 60 * 60_000,
): () => Promise<void> {
  let running: Promise<void> | null = null;
  const run = () => {
    if (running !== null) return; // one capture at a time
    running = trend
      .capture()
      .then(
        () => undefined,
        (err: unknown) => onError(err),
      )
      .finally(() => (running = null));
  };
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  // Stopping waits for a capture in flight, so the store is never closed under it.
  return async () => {
    clearInterval(timer);
    await running;
  };
}
