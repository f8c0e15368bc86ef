/**
 * Automatic rotation inside `serve`: every `intervalMs` the keys due by policy are rotated as
 * `system`. The timer is unref'd (it never keeps the process alive) and stopped on close. Several
 * instances may run it at once: rotateDue is check-and-set per key, so a key is rotated once.
 */
import type { Logger } from 'pino';
import type { KeyService } from '../services/keys.js';

export interface RotationScheduler {
  /** One pass now (the timer calls this); resolves when it is done, never rejects. */
  runOnce(): Promise<void>;
  stop(): void;
}

export function startRotationScheduler(
  keys: KeyService,
  intervalMs: number,
  logger: Logger,
): RotationScheduler {
  let running: Promise<void> | null = null;
  const runOnce = (): Promise<void> =>
    (running ??= (async () => {
      try {
        const { rotated, skipped } = await keys.rotateDue();
        for (const e of rotated) {
          logger.info(
            { key: e.key_id, version_from: e.version_from, version_to: e.version_to },
            'keyring: rotated a key due by policy',
          );
        }
        if (skipped.length > 0) logger.info({ keys: skipped }, 'keyring: skipped keys rotated elsewhere');
      } catch (err) {
        // The message only: key errors never carry material, and a stack helps nobody here.
        logger.error(
          { code: (err as { code?: string }).code },
          `keyring: automatic rotation failed: ${(err as Error).message}`,
        );
      } finally {
        running = null;
      }
    })());
  const timer = intervalMs > 0 && keys.enabled ? setInterval(() => void runOnce(), intervalMs) : null;
  timer?.unref();
  return {
    runOnce,
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}
