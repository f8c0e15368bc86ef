/**
 * Background work of the auth guard while `serve` runs: a RateLimitSnapshot every
 * `snapshot_interval_s` seconds, and a sweep of idle SQL limiter rows every 10 minutes. Timers are
 * unref'd (they never keep the process alive) and stopped on close; a failure is logged and the
 * next tick tries again.
 */
import type { Bulwark } from './bulwark.js';

const SWEEP_MS = 600_000;

export function startAuthTimers(bulwark: Bulwark): () => void {
  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, job: () => Promise<unknown>, what: string) => {
    const t = setInterval(() => {
      job().catch((err: unknown) => bulwark.logger.warn({ err: (err as Error).message }, `${what} failed`));
    }, ms);
    t.unref();
    timers.push(t);
  };
  if (bulwark.config.snapshot_interval_s > 0)
    every(
      bulwark.config.snapshot_interval_s * 1000,
      () => bulwark.auth.captureSnapshot(),
      'rate-limit snapshot',
    );
  const limiter = bulwark.auth.limiter as { sweep?: (now: number) => Promise<unknown> };
  if (typeof limiter.sweep === 'function')
    every(SWEEP_MS, () => limiter.sweep!(bulwark.clock.now()), 'limiter sweep');
  return () => {
    for (const t of timers) clearInterval(t);
  };
}
