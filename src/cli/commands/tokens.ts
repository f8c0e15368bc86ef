import type { CommandRegistrar } from '../main.js';
import { cliActor, withBulwark, type GlobalOptions } from '../context.js';
import { iso, printJson, table } from '../output.js';

const actor = () => ({ id: cliActor(), ip: '127.0.0.1' });

export const registerTokens: CommandRegistrar = (program, out) => {
  const tokens = program.command('tokens').description('API bearer tokens (scopes read ⊂ write ⊂ admin)');

  tokens
    .command('create')
    .description('create a token; it is printed once and only its hash is stored')
    .requiredOption('--scope <scope>', 'read, write or admin')
    .requiredOption('--name <name>', 'a name to tell the token apart (letters, digits, _ . @ : -)')
    .option('--json', 'print as JSON')
    .action(async (opts: { scope: string; name: string; json?: boolean }, cmd) => {
      await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
        const { token, record } = await b.tokens.create({ scope: opts.scope, name: opts.name }, actor());
        if (opts.json) printJson(out, { token, ...record, created_at: iso(record.created_at) });
        else {
          out.stdout(token);
          out.stderr(
            `created token ${record.name} (${record.scope}, id ${record.id}); store it now: it is not shown again`,
          );
        }
      });
    });

  tokens
    .command('list')
    .description('list tokens (never their secret)')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }, cmd) => {
      await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
        const list = (await b.tokens.list()).map((t) => ({
          ...t,
          created_at: iso(t.created_at),
          revoked_at: iso(t.revoked_at) || null,
          last_used_at: iso(t.last_used_at) || null,
        }));
        if (opts.json) printJson(out, list);
        else
          out.stdout(
            table(list, ['id', 'name', 'scope', 'prefix', 'created_at', 'last_used_at', 'revoked_at']),
          );
      });
    });

  tokens
    .command('revoke')
    .description('revoke a token by id')
    .argument('<id>', 'token id (from tokens list)')
    .action(async (id: string, _opts, cmd) => {
      await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
        await b.tokens.revoke(id, actor());
        out.stdout(`revoked ${id}`);
      });
    });
};
