/** Running the service: open Bulwark, listen, and shut down cleanly on SIGINT/SIGTERM. */
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../http/server.js';
import { type Bulwark, createBulwark } from './bulwark.js';
import type { BulwarkConfigInput } from './config.js';
import { startPostureSnapshots } from './services/posture-trend.js';

export interface RunningServer {
  bulwark: Bulwark;
  app: FastifyInstance;
  url: string;
  closed: Promise<void>;
  stop(): Promise<void>;
}

export async function startServer(input: BulwarkConfigInput = {}): Promise<RunningServer> {
  const bulwark = await createBulwark(input, { defaultMetrics: true });
  const app = await buildServer(bulwark, { logger: true });
  let stopped: Promise<void> | undefined;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  // Daily posture snapshots for the dashboard's risk trend: on start, then hourly.
  const stopSnapshots = startPostureSnapshots(bulwark.postureTrend, (err) =>
    bulwark.logger.warn({ err }, 'posture snapshot failed'),
  );
  const stop = () =>
    (stopped ??= (async () => {
      stopSnapshots();
      await app.close();
      await bulwark.close();
      resolveClosed();
    })());
  try {
    await app.listen({ host: bulwark.config.host, port: bulwark.config.port });
  } catch (err) {
    stopSnapshots();
    await bulwark.close();
    throw err;
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop());
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : bulwark.config.port;
  return { bulwark, app, url: `http://${bulwark.config.host}:${port}`, closed, stop };
}
