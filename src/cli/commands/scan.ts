/**
 * `bulwark scan PATH...`: scans lockfiles (files, or directories walked for them) against the
 * advisory database, stores the scan, its manifests and register rows, and prints a report.
 *
 * Format: `table` when stdout is a terminal, `json` otherwise (a pipe or CI log gets the machine
 * form; people get the table), or as --format says. Exit: 1 when an unapproved vulnerability is at
 * or above --fail-on (default `none`: any vulnerability, rated or not; an unrated one counts as
 * low, as the register records it; informational advisories never fail), 0 otherwise, 2 usage/bad lockfile/bad policy, 3 runtime (store; stale advisories
 * under the `fail` policy).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import type { CommandRegistrar } from '../main.js';
import { cliActor, withBulwark, type GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
import { findLockfiles, readLockfile, readPolicyFile } from '../../adapters/fs/lockfile-files.js';
import { parsePolicy } from '../../core/deps/approvals/policy.js';
import type { ApprovalRule } from '../../core/deps/approvals/approval.js';
import { gateSeverity, isOpen } from '../../core/deps/report/scan-result.js';
import { toTable } from '../../core/deps/report/table.js';
import { toSarif } from '../../core/deps/report/sarif.js';
import { toCycloneDx } from '../../core/deps/report/cyclonedx.js';
import { SEVERITY_LEVEL_RANK, SEVERITY_LEVELS, type SeverityLevel } from '../../core/deps/osv/severity.js';
import type { ScanReport } from '../../app/services/dependencies.js';
import { validationError } from '../../core/errors.js';
import { assertWritableFile, outWriteError } from '../out-path.js';

const FORMATS = ['table', 'json', 'sarif', 'cyclonedx'] as const;
type Format = (typeof FORMATS)[number];

const choice =
  <T extends string>(flag: string, values: readonly T[]) =>
  (v: string): T => {
    if (!(values as readonly string[]).includes(v))
      throw new InvalidArgumentError(`${flag} must be one of ${values.join(', ')}`);
    return v as T;
  };

/** Whether an unapproved vulnerability is at or above the threshold. */
export function failsGate(report: ScanReport, threshold: SeverityLevel): boolean {
  const at = report.outcome.result.scanned_at;
  return report.outcome.result.lockfiles.some((l) =>
    l.findings.some(
      (f) => isOpen(f, at) && SEVERITY_LEVEL_RANK[gateSeverity(f)] >= SEVERITY_LEVEL_RANK[threshold],
    ),
  );
}

export function jsonReport(report: ScanReport): unknown {
  const r = report.outcome.result;
  return {
    scan_id: report.scan_id,
    scanned_at: r.scanned_at,
    summary: report.summary,
    lockfiles: r.lockfiles.map((l) => ({
      path: l.path,
      format: l.format,
      packages: l.packages.length,
      findings: l.findings,
    })),
    approvals: report.approvals,
    vulnerabilities: report.vulnerabilities,
    advisories: report.freshness,
  };
}

export function render(report: ScanReport, format: Format): string {
  const r = report.outcome.result;
  switch (format) {
    case 'table': {
      const notes: string[] = [];
      for (const e of report.approvals.expired)
        notes.push(
          `approval expired: ${e.advisory_id}${e.package ? ` (${e.package})` : ''} by ${e.approver}, ${e.expires_at.slice(0, 10)} [${e.id}]`,
        );
      for (const e of report.approvals.unused)
        notes.push(
          `approval unused: ${e.advisory_id}${e.package ? ` (${e.package})` : ''} by ${e.approver} [${e.id}]`,
        );
      return [toTable(r), ...notes, `scan ${report.scan_id}`].join('\n');
    }
    case 'json':
      return JSON.stringify(jsonReport(report), null, 2);
    case 'sarif':
      return JSON.stringify(toSarif(r), null, 2);
    case 'cyclonedx':
      return JSON.stringify(toCycloneDx(r), null, 2);
  }
}

export const registerScan: CommandRegistrar = (program, out, setExit) => {
  program
    .command('scan')
    .description(
      'scan lockfiles (or directories of them) against the advisory database; exit 1 on findings at or above --fail-on',
    )
    .argument('<path...>', 'lockfiles or directories (node_modules, target and .git are skipped)')
    .option(
      '--format <f>',
      `report format: ${FORMATS.join(', ')} (default: table on a terminal, json otherwise)`,
      choice('--format', FORMATS),
    )
    .option(
      '--fail-on <severity>',
      `exit 1 when an unapproved finding is at or above: ${SEVERITY_LEVELS.join(', ')} (none: any vulnerability)`,
      choice('--fail-on', SEVERITY_LEVELS),
      'none',
    )
    .option('--out <file>', 'write the report to a file instead of stdout')
    .option('--policy <file>', 'approvals policy file (default: bulwark.toml in each scanned directory)')
    .option('--json', 'same as --format json')
    .action(
      async (
        paths: string[],
        o: { format?: Format; failOn: SeverityLevel; out?: string; policy?: string; json?: boolean },
        cmd,
      ) => {
        const format: Format = o.format ?? (o.json ? 'json' : process.stdout.isTTY ? 'table' : 'json');
        if (o.out !== undefined) assertWritableFile('--out', o.out);
        const found = await findLockfiles(paths);
        const files = await Promise.all(
          found.map(async (f) => ({ path: f.display, content: await readLockfile(f) })),
        );
        const policy: ApprovalRule[] = [];
        if (o.policy !== undefined) {
          let text: string;
          try {
            text = await readFile(o.policy, 'utf8');
          } catch {
            throw validationError('policy', `${o.policy} cannot be read`);
          }
          policy.push(...parsePolicy(o.policy, text));
        } else {
          for (const root of new Set(found.map((f) => f.root))) {
            const file = await readPolicyFile(root);
            if (file) policy.push(...parsePolicy(file.path, file.text));
          }
        }
        await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
          const report = await b.dependencies.scan(files, { requestedBy: cliActor(), policy });
          if (report.freshness.message) out.stderr(`bulwark: warning: ${report.freshness.message}`);
          const text = render(report, format);
          if (o.out !== undefined) {
            const file = o.out;
            await writeFile(file, text.endsWith('\n') ? text : `${text}\n`).catch((e: unknown) => {
              throw outWriteError('--out', file, e);
            });
            out.stderr(`bulwark: ${format} report written to ${o.out} (scan ${report.scan_id})`);
          } else if (format === 'json') printJson(out, jsonReport(report));
          else out.stdout(text);
          if (failsGate(report, o.failOn)) setExit(1);
        });
      },
    );
};
