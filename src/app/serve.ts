/** Running the service: open Bulwark, listen, and shut down cleanly on SIGINT/SIGTERM. */
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../http/server.js';
import { type Bulwark, createBulwark } from './bulwark.js';
import type { BulwarkConfigInput } from './config.js';
import { startAuthTimers } from './auth-timers.js';

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
  let stopTimers = (): void => {};
  const stop = () =>
    (stopped ??= (async () => {
      stopTimers();
      await app.close();
      await bulwark.close();
      resolveClosed();
    })());
  try {
    await app.listen({ host: bulwark.config.host, port: bulwark.config.port });
  } catch (err) {
    await bulwark.close();
    throw err;
  }
  stopTimers = startAuthTimers(bulwark);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop());
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : bulwark.config.port;
  return { bulwark, app, url: `http://${bulwark.config.host}:${port}`, closed, stop };
}
