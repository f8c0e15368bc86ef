/** `bulwark approvals add|list|revoke`: accepted findings with a reason, an approver and an expiry (audited). */
import type { CommandRegistrar } from '../main.js';
import { cliActor, withBulwark, type GlobalOptions } from '../context.js';
import { iso, printJson, table } from '../output.js';
import type { ApprovalRecord } from '../../core/ports/dependency-store.js';

export const presentApproval = (a: ApprovalRecord) => ({
  ...a,
  expires_at: iso(a.expires_at),
  created_at: iso(a.created_at),
  revoked_at: a.revoked_at === null ? null : iso(a.revoked_at),
});

export const registerApprovals: CommandRegistrar = (program, out) => {
  const ap = program
    .command('approvals')
    .description('approvals of dependency findings (reason, approver, expiry)');

  ap.command('add')
    .description(
      'approve an advisory (any of its ids), optionally for one package, version range or dependency path',
    )
    .argument('<advisory-id>', 'GHSA-…, CVE-…, RUSTSEC-…')
    .requiredOption('--reason <text>', 'why it is acceptable for now')
    .requiredOption('--expires <date>', 'until when: 2026-06-30 (through that UTC day) or an ISO 8601 time')
    .option('--approver <who>', 'who approves (default: the CLI user)')
    .option('--package <name>', 'only this package')
    .option('--versions <range>', 'only versions in this range (npm semver syntax, e.g. "<4.17.21")')
    .option('--path <chain>', 'only when brought in through this chain, e.g. "express > body-parser"')
    .option('--json', 'print as JSON')
    .action(async (id: string, o: Record<string, string | boolean | undefined>, cmd) => {
      await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
        const actor = { id: cliActor(), ip: '127.0.0.1' };
        const a = await b.dependencies.addApproval(
          {
            advisory_id: id,
            reason: o.reason,
            expires: o.expires,
            approver: o.approver ?? actor.id,
            ...(o.package !== undefined ? { package: o.package } : {}),
            ...(o.versions !== undefined ? { version_range: o.versions } : {}),
            ...(o.path !== undefined ? { dep_path: o.path } : {}),
          },
          actor,
        );
        for (const w of a.warnings) out.stderr(`bulwark: warning: ${w}`);
        if (o.json) printJson(out, presentApproval(a));
        else out.stdout(`${a.id}  ${a.advisory_id}  until ${iso(a.expires_at)}  by ${a.approver}`);
      });
    });

  ap.command('list')
    .description('approvals in force or expired (not revoked)')
    .option('--all', 'include revoked ones')
    .option('--json', 'print as JSON')
    .action(async (o: { all?: boolean; json?: boolean }, cmd) => {
      await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
        const now = b.clock.now();
        const items = (await b.dependencies.listApprovals(o.all === true)).map((a) => ({
          ...presentApproval(a),
          state: a.revoked_at !== null ? 'revoked' : a.expires_at <= now ? 'expired' : 'active',
        }));
        if (o.json) printJson(out, { items });
        else
          out.stdout(
            table(items, [
              'id',
              'advisory_id',
              'package',
              'version_range',
              'dep_path',
              'approver',
              'expires_at',
              'state',
              'reason',
            ]),
          );
      });
    });

  ap.command('revoke')
    .description('revoke an approval')
    .argument('<id>')
    .action(async (id: string, _o: unknown, cmd) => {
      await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
        await b.dependencies.revokeApproval(id, { id: cliActor(), ip: '127.0.0.1' });
        out.stdout(`${id}: revoked`);
      });
    });
};
