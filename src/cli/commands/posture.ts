import type { CommandRegistrar } from '../main.js';
import { cliActor, withBulwark, type GlobalOptions } from '../context.js';
import { count, printJson, table } from '../output.js';
import { presentReview } from '../../app/present.js';

export const registerPosture: CommandRegistrar = (program, out) => {
  program
    .command('posture')
    .description('the posture summary: by severity, OWASP category and status; overdue; MTTR; health')
    .option('--edition <year>', 'OWASP Top 10 edition to show categories in: 2025 (default) or 2021')
    .option('--json', 'print as JSON')
    .action(async (o: { edition?: string; json?: boolean }, cmd) => {
      await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
        const summary = await b.posture.summary(o.edition);
        const health = await b.posture.health(o.edition);
        if (o.json) return printJson(out, { ...summary, health });
        out.stdout(
          `Bulwark posture (OWASP Top 10:${summary.edition}) — ${count(summary.total, 'vulnerability', 'vulnerabilities')}`,
        );
        out.stdout(
          `open criticals: ${summary.open_criticals}   overdue: ${summary.overdue}   MTTR: ${count(summary.mttr_days, 'day')}`,
        );
        out.stdout(
          `health: zero_criticals=${health.zero_criticals} categories_covered=${health.categories_covered} last_scan=${health.last_scan ?? 'never'}`,
        );
        if (summary.keys?.enabled) {
          out.stdout(
            `keys overdue for rotation: ${summary.keys.overdue.map((k) => `${k.name} (${count(k.overdue_days, 'day')})`).join(', ') || 'none'}`,
          );
        }
        out.stdout(
          '\n' +
            table(
              Object.entries(summary.by_severity).map(([severity, count]) => ({ severity, count })),
              ['severity', 'count'],
            ),
        );
        out.stdout(
          '\n' +
            table(
              Object.entries(summary.by_status).map(([status, count]) => ({ status, count })),
              ['status', 'count'],
            ),
        );
        out.stdout('\n' + table(summary.by_category, ['category', 'name', 'count']));
      });
    });

  program
    .command('reviews')
    .description('OWASP category reviews (what categories_covered counts)')
    .command('add')
    .description('record a control in place, or a review for findings, for a category')
    .requiredOption('--category <A01..A10>', 'category, optionally with edition (A05:2021)')
    .requiredOption('--kind <kind>', 'control or finding_review')
    .requiredOption('--title <text>', 'what was reviewed or which control')
    .option('--edition <year>', '2025 (default) or 2021')
    .option('--json', 'print as JSON')
    .action(
      async (o: { category: string; kind: string; title: string; edition?: string; json?: boolean }, cmd) => {
        await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
          const r = await b.posture.addReview(
            {
              category: o.category,
              kind: o.kind,
              title: o.title,
              ...(o.edition ? { edition: o.edition } : {}),
            },
            { id: cliActor(), ip: '127.0.0.1' },
          );
          if (o.json) printJson(out, presentReview(r));
          else out.stdout(`recorded ${r.kind} for ${r.category}:${r.edition} (${r.id})`);
        });
      },
    );
};
