import type { CommandRegistrar } from '../main.js';
import { configFrom, type GlobalOptions } from '../context.js';
import { count, printJson } from '../output.js';

export const registerMigrate: CommandRegistrar = (program, out) => {
  program
    .command('migrate')
    .description('apply the database migrations (serve also applies them on start)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }, cmd) => {
      // Loaded here, not at CLI start (see loadApp in ../context.ts).
      const [{ loadConfig }, { openSqlDatabase }, { migrateToLatest }] = await Promise.all([
        import('../../app/config.js'),
        import('../../adapters/sql/dialect.js'),
        import('../../adapters/sql/migrate.js'),
      ]);
      const config = loadConfig(configFrom(cmd.optsWithGlobals() as GlobalOptions));
      const store = await openSqlDatabase(config.database_url);
      try {
        const report = await migrateToLatest(store);
        if (opts.json) printJson(out, { database: store.displayUrl, ...report });
        else
          out.stdout(
            `${store.displayUrl}: ${report.applied.length ? `applied ${report.applied.join(', ')}` : 'already up to date'} (${count(report.current.length, 'migration')})`,
          );
      } finally {
        await store.close();
      }
    });
};
