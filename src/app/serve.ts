/** Running the service: open Bulwark, listen, and shut down cleanly on SIGINT/SIGTERM. */
import type { FastifyInstance } from 'fastify';
import { BulwarkError } from '../core/errors.js';
import { buildServer } from '../http/server.js';
import { type Bulwark, createBulwark } from './bulwark.js';
import type { BulwarkConfigInput } from './config.js';
import { startRotationScheduler } from './keys/rotation-scheduler.js';
import { startAuthTimers } from './auth-timers.js';
import { startPostureSnapshots } from './services/posture-trend.js';

export interface RunningServer {
  bulwark: Bulwark;
  app: FastifyInstance;
  url: string;
  closed: Promise<void>;
  stop(): Promise<void>;
}

export async function startServer(input: BulwarkConfigInput = {}): Promise<RunningServer> {
  // serve creates the default master key file beside a SQLite database on first start (DECISIONS).
  const bulwark = await createBulwark(input, { defaultMetrics: true, generateMasterKey: true });
  if (!bulwark.keys.enabled) bulwark.logger.warn(`keyring: ${bulwark.keys.disabled}`);
  const app = await buildServer(bulwark, { logger: true });
  if (!bulwark.audit.checkpointsEnabled)
    app.log.warn(
      'audit checkpoints unavailable: no BULWARK_AUDIT_SIGNING_KEY(_FILE) and no keyring (BULWARK_MASTER_KEY); the chain is kept but truncation and re-chaining cannot be detected',
    );
  try {
    await app.listen({ host: bulwark.config.host, port: bulwark.config.port });
  } catch (err) {
    await app.close();
    await bulwark.close();
    throw listenError(err, bulwark.config.host, bulwark.config.port);
  }
  // Background work starts only once the port is ours: a failed listen closes the store with no
  // timer or capture left to run against it (and stop() ends them before it closes the store).
  bulwark.audit.startCheckpointTimer(bulwark.config.audit_checkpoint_interval_s);
  // Daily posture snapshots for the dashboard's risk trend: on start, then hourly.
  const stopSnapshots = startPostureSnapshots(bulwark.postureTrend, (err) =>
    bulwark.logger.warn({ err }, 'posture snapshot failed'),
  );
  // Automatic rotation by policy: a first pass now, then every keys_rotation_check_ms (unref'd).
  const rotations = startRotationScheduler(
    bulwark.keys,
    bulwark.config.keys_rotation_check_ms,
    bulwark.logger,
  );
  if (bulwark.keys.enabled && bulwark.config.keys_rotation_check_ms > 0) void rotations.runOnce();
  const stopTimers = startAuthTimers(bulwark);
  let stopped: Promise<void> | undefined;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  const stop = () =>
    (stopped ??= (async () => {
      rotations.stop();
      stopTimers();
      await stopSnapshots();
      await app.close();
      await bulwark.close();
      resolveClosed();
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop());
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : bulwark.config.port;
  return { bulwark, app, url: `http://${bulwark.config.host}:${port}`, closed, stop };
}

/** Names the setting behind a failure to listen (a host that does not resolve, a port in use). */
function listenError(err: unknown, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EADDRNOTAVAIL')
    return new BulwarkError(
      'config_invalid',
      `invalid setting host (BULWARK_HOST / --host): cannot listen on "${host}" (${code})`,
      { field: 'host', cause: err },
    );
  if (code === 'EADDRINUSE' || code === 'EACCES')
    return new BulwarkError(
      'config_invalid',
      `invalid setting port (BULWARK_PORT / --port): cannot listen on ${host}:${port} (${code === 'EADDRINUSE' ? 'already in use' : 'permission denied'})`,
      { field: 'port', cause: err },
    );
  return err;
}
