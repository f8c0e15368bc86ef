/**
 * `bulwark auth import|lockouts|unlock` and `bulwark anomalies`: the auth guard from the shell.
 * Imports stream each file (flat memory), show a progress bar on stderr only when it is a TTY,
 * and end with a summary: lines read, attempts recorded, lines skipped by reason.
 */
import { createReadStream, statSync } from 'node:fs';
import cliProgress from 'cli-progress';
import type { CommandRegistrar } from '../main.js';
import { cliActor, withBulwark, type GlobalOptions } from '../context.js';
import { count, printJson, table } from '../output.js';
import { BulwarkError, validationError } from '../../core/errors.js';
import { parseTimeOrDate, TIME_OR_DATE_RULE } from '../../core/iso-time.js';
import { boundedLines } from '../../adapters/fs/log-lines.js';
import {
  EVENT_RULE,
  isEventFilter,
  MAX_LOG_LINE_CHARS,
  TZ_RULE,
  type LogFormat,
  type LogParserOptions,
} from '../../core/auth/parsers/stream.js';
import { isTimeZone } from '../../core/auth/parsers/log-time.js';
import { presentActiveLock, presentAnomalies } from '../../app/present-auth.js';
import type { ImportSummary } from '../../app/services/auth-import.js';

const FORMATS: readonly LogFormat[] = ['sshd', 'nginx', 'jsonl', 'dovecot'];
const DAY = 86_400_000;

function parserOptions(o: {
  format: string;
  year?: string;
  loginPaths?: string;
  tz?: string;
}): LogParserOptions {
  if (!(FORMATS as readonly string[]).includes(o.format))
    throw validationError('format', `must be one of ${FORMATS.join(', ')}`);
  let year: number | undefined;
  if (o.year !== undefined) {
    if (!/^\d{4}$/.test(o.year) || Number(o.year) < 1970 || Number(o.year) > 2100)
      throw validationError('year', 'must be a year from 1970 to 2100');
    year = Number(o.year);
  }
  const tz = o.tz;
  if (tz !== undefined && !isTimeZone(tz)) throw validationError('tz', TZ_RULE);
  const common = { ...(year !== undefined ? { year } : {}), ...(tz !== undefined ? { tz } : {}) };
  switch (o.format as LogFormat) {
    case 'sshd':
      return { format: 'sshd', ...common };
    case 'dovecot':
      return { format: 'dovecot', ...common };
    case 'jsonl':
      return { format: 'jsonl', ...(tz !== undefined ? { tz } : {}) };
    case 'nginx': {
      const paths = (o.loginPaths ?? '/login')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (paths.length === 0 || paths.some((p) => !p.startsWith('/')))
        throw validationError('login-paths', 'must be a comma-separated list of paths starting with /');
      return { format: 'nginx', loginPaths: paths, ...common };
    }
  }
}

function time(field: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  // A date alone is its midnight UTC; an impossible date (2026-02-30) is refused, not rolled over.
  const t = parseTimeOrDate(v);
  if (t === null) throw validationError(field, TIME_OR_DATE_RULE);
  return t;
}

export const registerAuth: CommandRegistrar = (program, out, setExit) => {
  const auth = program.command('auth').description('the auth guard: attempts, lockouts, log imports');

  auth
    .command('import')
    .description('import authentication logs as attempts (history: stored and audited, not rate limited)')
    .argument('<files...>', 'log files')
    .requiredOption('--format <f>', `log format: ${FORMATS.join(', ')}`)
    .option(
      '--year <yyyy>',
      'year of syslog stamps that have none (sshd, dovecot); default: inferred from now',
    )
    .option('--tz <zone>', 'time zone of stamps without one (IANA name or UTC; default UTC)')
    .option('--login-paths <paths>', 'nginx: comma-separated login paths (default /login)')
    .option('--json', 'print the summary as JSON')
    .action(
      async (
        files: string[],
        o: { format: string; year?: string; tz?: string; loginPaths?: string; json?: boolean },
        cmd,
      ) => {
        const parser = parserOptions(o);
        const sizes = files.map((f) => {
          try {
            const st = statSync(f);
            if (st.isDirectory())
              throw new BulwarkError('validation_failed', `files: ${f} is a directory, not a log file`, {
                field: 'files',
              });
            return st.size;
          } catch (err) {
            if (err instanceof BulwarkError) throw err;
            throw new BulwarkError(
              'validation_failed',
              `files: cannot read ${f}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
              {
                field: 'files',
              },
            );
          }
        });
        const total = sizes.reduce((a, b) => a + b, 0);
        const bar =
          process.stderr.isTTY && !o.json
            ? new cliProgress.SingleBar(
                {
                  stream: process.stderr,
                  format: 'importing [{bar}] {percentage}% | {value}/{total} bytes | {attempts} attempts',
                },
                cliProgress.Presets.shades_classic,
              )
            : null;
        bar?.start(total, 0, { attempts: 0 });
        const summaries: ImportSummary[] = [];
        let done = 0;
        let recorded = 0;
        try {
          await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
            for (const f of files) {
              const input = createReadStream(f);
              let read = 0;
              input.on('data', (chunk) => {
                read += chunk.length;
                bar?.update(done + read, { attempts: recorded });
              });
              // Bounded: a file without line breaks cannot grow one line without end.
              const lines = boundedLines(input, MAX_LOG_LINE_CHARS);
              const s = await b.auth.importer.importLines(
                lines,
                { ...parser },
                {
                  source: f,
                  onBatch: (st) => bar?.update(done + read, { attempts: recorded + st.attempts }),
                },
              );
              done += sizes[summaries.length]!;
              recorded += s.attempts_recorded;
              summaries.push(s);
            }
          });
        } finally {
          bar?.stop();
        }
        const totals = {
          files: summaries.length,
          lines: summaries.reduce((a, s) => a + s.lines, 0),
          attempts_recorded: recorded,
          skipped: summaries.reduce<Record<string, number>>((acc, s) => {
            for (const [k, v] of Object.entries(s.skipped)) acc[k] = (acc[k] ?? 0) + v;
            return acc;
          }, {}),
        };
        // A file with lines but none of them of the format was read with the wrong --format (or is
        // not a log): say so and exit 2 rather than report "0 attempts" as a success.
        const foreignFiles = summaries.filter(
          (s) => s.format_lines === 0 && s.lines - (s.skipped['empty line'] ?? 0) > 0,
        );
        const refuseForeign = () => {
          for (const s of foreignFiles)
            out.stderr(
              `bulwark: validation_failed: ${s.source}: no line is a ${o.format} log line ` +
                `(${count(s.lines, 'line')} read: ${Object.keys(s.skipped).slice(0, 3).join(', ')}); check --format`,
            );
          if (foreignFiles.length > 0) setExit(2);
        };
        if (o.json) {
          printJson(out, { ...totals, per_file: summaries });
          return refuseForeign();
        }
        out.stdout(
          `lines read: ${totals.lines}   attempts recorded: ${totals.attempts_recorded}   files: ${totals.files}`,
        );
        const skipped = Object.entries(totals.skipped).sort((a, b) => b[1] - a[1]);
        if (skipped.length > 0)
          out.stdout(
            'lines skipped:\n' +
              table(
                skipped.map(([reason, lines]) => ({ lines, reason })),
                ['lines', 'reason'],
              ),
          );
        refuseForeign();
      },
    );

  auth
    .command('lockouts')
    .description('lockouts in force now')
    .option('--json', 'print as JSON')
    .action(async (o: { json?: boolean }, cmd) => {
      await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
        const items = (await b.auth.listLockouts(500)).map(presentActiveLock);
        if (o.json) return printJson(out, { items });
        out.stdout(table(items, ['key', 'until', 'level']));
      });
    });

  auth
    .command('unlock')
    .description('lift a lockout: ip:<ip key>, user:<user> or user_ip:<ip key>|<user> (audited)')
    .argument('<key>')
    .option('--json', 'print as JSON')
    .action(async (key: string, o: { json?: boolean }, cmd) => {
      await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
        const r = await b.auth.unlock(key, { id: cliActor(), ip: '127.0.0.1' });
        if (o.json) return printJson(out, r);
        // The key lifted (an address read to its ip key), as the API answers it: not the key typed.
        out.stdout(r.was_locked ? `${r.key}: unlocked` : `${r.key}: was not locked`);
      });
    });

  program
    .command('anomalies')
    .description('authentication anomalies (brute force, slow, spraying, distributed, stuffing) in a window')
    .option(
      '--since <time>',
      'epoch ms, ISO 8601 date-time with a zone, or a date (default: 24 h before --until)',
    )
    .option('--until <time>', 'epoch ms, ISO 8601 date-time with a zone, or a date (default: now)')
    .option('--event <name>', 'only attempts of this imported log event (e.g. sshd.failed_password)')
    .option('--max-attempts <n>', 'attempt ids listed per finding (default 100)')
    .option('--exit-code', 'exit 1 when there are findings')
    .option('--json', 'print as JSON')
    .action(
      async (
        o: {
          since?: string;
          until?: string;
          event?: string;
          maxAttempts?: string;
          exitCode?: boolean;
          json?: boolean;
        },
        cmd,
      ) => {
        if (o.event !== undefined && !isEventFilter(o.event)) throw validationError('event', EVENT_RULE);
        const untilT = time('until', o.until);
        const sinceT = time('since', o.since);
        let maxAttempts: number | undefined;
        if (o.maxAttempts !== undefined) {
          if (!/^\d{1,4}$/.test(o.maxAttempts) || Number(o.maxAttempts) < 1 || Number(o.maxAttempts) > 1000)
            throw validationError('max-attempts', 'must be a whole number from 1 to 1000');
          maxAttempts = Number(o.maxAttempts);
        }
        await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
          const until = untilT ?? b.clock.now();
          const since = sinceT ?? until - DAY;
          const r = await b.auth.anomalies({
            since,
            until,
            ...(maxAttempts ? { maxAttempts } : {}),
            ...(o.event ? { event: o.event } : {}),
          });
          const shown = presentAnomalies(r);
          if (o.json) printJson(out, shown);
          else {
            out.stdout(
              `${count(shown.findings.length, 'finding')}, ${count(shown.bans.length, 'lockout ban')}, ${count(r.in_window, 'attempt')} in the window (${shown.since} – ${shown.until}; ${r.scanned} read with the look-back)`,
            );
            out.stdout(
              table(
                shown.findings.map((f) => ({ ...f, first: f.first_seen, last: f.last_seen })),
                ['kind', 'key', 'count', 'distinct_users', 'distinct_ips', 'first', 'last'],
              ),
            );
            if (shown.bans.length > 0)
              out.stdout(
                '\nlockout bans (configured per-IP rule):\n' +
                  table(shown.bans, ['key', 'banned_at', 'until', 'level']),
              );
          }
          if (o.exitCode && r.findings.length > 0) setExit(1);
        });
      },
    );
};
