import type { CommandRegistrar } from '../main.js';
import { openSqlDatabase } from '../../adapters/sql/dialect.js';
import { migrateToLatest } from '../../adapters/sql/migrate.js';
import { loadConfig } from '../../app/config.js';
import { configFrom, type GlobalOptions } from '../context.js';
import { printJson } from '../output.js';

export const registerMigrate: CommandRegistrar = (program, out) => {
  program
    .command('migrate')
    .description('apply the database migrations (serve also applies them on start)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }, cmd) => {
      const config = loadConfig(configFrom(cmd.optsWithGlobals() as GlobalOptions));
      const store = await openSqlDatabase(config.database_url);
      try {
        const report = await migrateToLatest(store);
        if (opts.json) printJson(out, { database: store.displayUrl, ...report });
        else
          out.stdout(
            `${store.displayUrl}: ${report.applied.length ? `applied ${report.applied.join(', ')}` : 'already up to date'} (${report.current.length} migrations)`,
          );
      } finally {
        await store.close();
      }
    });
};
