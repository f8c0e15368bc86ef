/**
 * `bulwark advisories import PATH | sync [--base-url URL] | status`: the offline OSV database.
 * A progress bar is drawn on stderr when stderr is a terminal (never into a pipe or a CI log).
 */
import cliProgress from 'cli-progress';
import type { CommandRegistrar } from '../main.js';
import { withBulwark, type GlobalOptions } from '../context.js';
import { count, iso, printJson, table } from '../output.js';
import type { ImportSummary } from '../../app/services/advisories.js';

const DAY = 86_400_000;

function progressBar(): { update(done: number, total: number, records: number): void; stop(): void } | null {
  if (!process.stderr.isTTY) return null;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'importing [{bar}] {percentage}% | {records} records',
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, records) {
      if (!started) {
        bar.start(Math.max(total, 1), 0, { records: 0 });
        started = true;
      }
      bar.setTotal(Math.max(total, 1));
      bar.update(done, { records });
    },
    stop: () => started && bar.stop(),
  };
}

const summaryLine = (s: ImportSummary): string =>
  `${count(s.read, 'record')} read: ${s.inserted} new, ${s.updated} updated, ${s.unchanged} unchanged, ${s.stale} older than stored, ` +
  `${s.withdrawn} withdrawn, ${count(s.other_ecosystem, 'other ecosystem')}, ${s.invalid} not OSV (${(s.duration_ms / 1000).toFixed(1)} s)`;

export const registerAdvisories: CommandRegistrar = (program, out, setExit) => {
  const adv = program.command('advisories').description('the offline OSV advisory database');

  adv
    .command('import')
    .description(
      'import OSV records: a directory of .json, an all.zip, or an {ECOSYSTEM}/all.zip tree (idempotent)',
    )
    .argument('<path>')
    .option('--json', 'print the summary as JSON')
    .action(async (target: string, o: { json?: boolean }, cmd) => {
      await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
        const bar = progressBar();
        let s: ImportSummary;
        try {
          s = await b.advisories.importPath(target, (done, total, records) =>
            bar?.update(done, total, records),
          );
        } finally {
          bar?.stop();
        }
        if (o.json) printJson(out, s);
        else {
          out.stdout(summaryLine(s));
          for (const sample of s.invalid_samples) out.stdout(`  skipped ${sample}`);
        }
      });
    });

  adv
    .command('sync')
    .description('download {base}/{ECOSYSTEM}/all.zip for npm and crates.io and import them')
    .option('--base-url <url>', 'export location (default: config advisory_base_url)')
    .option('--json', 'print the summary as JSON')
    .action(async (o: { baseUrl?: string; json?: boolean }, cmd) => {
      await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
        const results = await b.advisories.sync({
          ...(o.baseUrl !== undefined ? { baseUrl: o.baseUrl } : {}),
          onProgress: (eco, phase) => {
            if (process.stderr.isTTY) out.stderr(`${phase} ${eco}…`);
          },
        });
        if (o.json) printJson(out, results);
        else
          for (const r of results)
            out.stdout(`${r.ecosystem} (${count(r.bytes, 'byte')} from ${r.url}): ${summaryLine(r.summary)}`);
      });
    });

  adv
    .command('status')
    .description('counts, age, and the staleness policy; exits 3 when stale under the fail policy')
    .option('--json', 'print as JSON')
    .action(async (o: { json?: boolean }, cmd) => {
      await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
        const s = await b.advisories.status();
        const shown = {
          ...s,
          newest_modified: s.newest_modified === null ? null : iso(s.newest_modified),
          last_import: s.last_import === null ? null : iso(s.last_import),
          age_days: s.age_ms === null ? null : Math.floor(s.age_ms / DAY),
        };
        if (o.json) printJson(out, shown);
        else {
          out.stdout(
            table(
              Object.keys({ ...s.advisories_by_ecosystem, ...s.packages_by_ecosystem }).map((eco) => ({
                ecosystem: eco,
                advisories: s.advisories_by_ecosystem[eco] ?? 0,
                packages: s.packages_by_ecosystem[eco] ?? 0,
              })),
              ['ecosystem', 'advisories', 'packages'],
            ),
          );
          out.stdout(`total ${count(s.advisories, 'advisory', 'advisories')} (${s.withdrawn} withdrawn)`);
          out.stdout(
            `newest modified ${shown.newest_modified ?? '-'}; last import ${shown.last_import ?? '-'}`,
          );
          out.stdout(
            `age ${count(shown.age_days, 'day')}; maximum ${count(s.policy.max_age_days, 'day')} (${s.policy.on_stale} when stale): ${s.stale ? 'STALE' : 'fresh'}`,
          );
        }
        if (s.stale && s.policy.on_stale === 'fail') setExit(3);
      });
    });
};
