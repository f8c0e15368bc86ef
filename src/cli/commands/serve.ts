import type { CommandRegistrar } from '../main.js';
import { configFrom, type GlobalOptions } from '../context.js';

export const registerServe: CommandRegistrar = (program, out) => {
  program
    .command('serve')
    .description('serve the HTTP API; applies migrations on start')
    .option('--host <host>', 'address to listen on (default $BULWARK_HOST or 127.0.0.1)')
    .option('--port <port>', 'port to listen on (default $BULWARK_PORT or 8080)')
    .action(async (opts: { host?: string; port?: string }, cmd) => {
      const global = cmd.optsWithGlobals() as GlobalOptions;
      // Loaded on use: Fastify and its plugins are most of the CLI's start-up time, and only `serve` needs them.
      const { startServer } = await import('../../app/serve.js');
      const running = await startServer({
        ...configFrom(global),
        ...(opts.host ? { host: opts.host } : {}),
        ...(opts.port ? { port: opts.port as unknown as number } : {}),
      });
      out.stderr(`bulwark: serving on ${running.url} (database ${running.bulwark.store.displayUrl})`);
      await running.closed;
    });
};
