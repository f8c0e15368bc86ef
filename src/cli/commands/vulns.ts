import { InvalidArgumentError } from 'commander';
import type { CommandRegistrar } from '../main.js';
import { cliActor, withBulwark, type GlobalOptions } from '../context.js';
import { iso, printJson, table } from '../output.js';
import { validationError } from '../../core/errors.js';
import { withFlagNames } from '../flags.js';
import { presentVulnerability } from '../../app/present.js';
import type { VulnerabilityFilter } from '../../core/ports/vulnerability-store.js';
import { SEVERITIES, type Severity } from '../../core/vulns/severity.js';
import { VULN_STATUSES, type VulnStatus } from '../../core/vulns/lifecycle.js';
import { MAX_PAGE_SIZE } from '../../core/pagination.js';
import {
  type CategoryFilter,
  type OwaspEdition,
  OWASP_EDITIONS,
  isOwaspEdition,
  parseCategoryFilter,
} from '../../core/vulns/owasp.js';

const collect = (v: string, prev: string[] = []) => [
  ...prev,
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

function oneOf<T extends string>(
  field: string,
  allowed: readonly T[],
  values: string[] | undefined,
): T[] | undefined {
  if (!values) return undefined;
  for (const v of values)
    if (!(allowed as readonly string[]).includes(v))
      throw validationError(field, `must be one of ${allowed.join(', ')}`);
  return values as T[];
}

/** A plainly written decimal number (no 0x, no exponent): what a person means by "7.5". */
function number(field: string) {
  return (v: string): number => {
    if (!/^-?\d{1,15}(\.\d{1,15})?$/.test(v.trim()))
      throw new InvalidArgumentError(`${field} must be a decimal number`);
    return Number(v);
  };
}

/** --category values in one edition (--edition, else the one they name, else the configured default). */
function categoryFilterOf(values: string[], edition: unknown, defaultEdition: OwaspEdition): CategoryFilter {
  if (edition !== undefined && !isOwaspEdition(edition))
    throw validationError('--edition', `must be one of ${OWASP_EDITIONS.join(', ')}`);
  return parseCategoryFilter(values, edition, defaultEdition, '--category');
}

/** The `vulns add` flag for each field of the create input. */
const ADD_FLAGS = {
  title: '--title',
  component: '--component',
  cvss_vector: '--vector',
  cvss_score: '--score',
  owasp_category: '--category',
  owasp_edition: '--edition',
  cwes: '--cwe',
  cve: '--cve',
  aliases: '--alias',
  severity: '--severity',
  severity_override_reason: '--override-reason',
  description: '--description',
  remediation: '--remediation',
} as const;

function nonEmpty(field: string, v: string): string {
  if (v.trim() === '') throw validationError(field, 'must not be empty');
  return v;
}

export const registerVulns: CommandRegistrar = (program, out) => {
  const vulns = program.command('vulns').alias('vulnerabilities').description('the vulnerability register');

  vulns
    .command('add')
    .description('record a vulnerability (the score is computed from --vector when given)')
    .requiredOption('--title <text>', 'short title')
    .requiredOption('--component <name>', 'crate, package, module or file')
    .option('--vector <cvss>', 'CVSS v3.0, v3.1 or v4.0 vector')
    .option('--score <n>', 'CVSS base score, when no vector is given', number('--score'))
    .option('--category <A01..A10>', 'OWASP Top 10 category (e.g. A05 or A03:2021)')
    .option('--edition <year>', 'OWASP Top 10 edition: 2025 (default) or 2021')
    .option(
      '--cwe <id>',
      'CWE id (repeatable or comma-separated); derives the category when --category is absent',
      collect,
    )
    .option('--cve <id>', 'CVE id')
    .option('--alias <id>', 'other advisory id (GHSA, RUSTSEC…), repeatable', collect)
    .option('--severity <level>', 'override the severity the score gives (needs --override-reason)')
    .option('--override-reason <text>', 'why the severity differs from the score band')
    .option('--description <text>', 'details')
    .option('--remediation <text>', 'remediation summary')
    .option('--json', 'print as JSON')
    .action(async (o: Record<string, unknown>, cmd) => {
      const input: Record<string, unknown> = {
        title: o.title,
        component: o.component,
        ...(o.vector !== undefined ? { cvss_vector: o.vector } : {}),
        ...(o.score !== undefined ? { cvss_score: o.score } : {}),
        ...(o.category !== undefined ? { owasp_category: o.category } : {}),
        ...(o.edition !== undefined ? { owasp_edition: o.edition } : {}),
        ...(o.cwe !== undefined ? { cwes: o.cwe } : {}),
        ...(o.cve !== undefined ? { cve: o.cve } : {}),
        ...(o.alias !== undefined ? { aliases: o.alias } : {}),
        ...(o.severity !== undefined ? { severity: o.severity } : {}),
        ...(o.overrideReason !== undefined ? { severity_override_reason: o.overrideReason } : {}),
        ...(o.description !== undefined ? { description: o.description } : {}),
        ...(o.remediation !== undefined ? { remediation: o.remediation } : {}),
      };
      await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
        const v = await b.vulnerabilities.create(input).catch((err: unknown) => {
          throw withFlagNames(err, ADD_FLAGS);
        });
        if (o.json) printJson(out, presentVulnerability(v));
        else
          out.stdout(
            `${v.id}  ${v.severity} ${v.cvss_score}  ${v.owasp_category}:${v.owasp_edition}  ${v.component}  (${v.status})`,
          );
      });
    });

  vulns
    .command('list')
    .description('list vulnerabilities, newest first')
    .option('--severity <s>', 'filter (repeatable or comma-separated)', collect)
    .option('--status <s>', 'filter (repeatable or comma-separated)', collect)
    .option('--category <A01..A10>', 'filter by OWASP category (A03, A03:2021; repeatable)', collect)
    .option('--edition <2025|2021>', 'edition of --category (default: the configured one)')
    .option(
      '--component <name>',
      'filter: a whole component (log4j-core@2.14.1) or a package name, every version (log4j-core, @babel/core)',
    )
    .option('--text <q>', 'substring of title, description, component or CVE')
    .option('--limit <n>', `page size (max ${MAX_PAGE_SIZE})`, number('--limit'), 50)
    .option('--cursor <c>', 'continue after a previous page')
    .option('--json', 'print as JSON')
    .action(async (o: Record<string, unknown>, cmd) => {
      const limit = o.limit as number;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)
        throw validationError('limit', `must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
      const filter: VulnerabilityFilter = {
        ...(o.severity ? { severity: oneOf<Severity>('severity', SEVERITIES, o.severity as string[]) } : {}),
        ...(o.status ? { status: oneOf<VulnStatus>('status', VULN_STATUSES, o.status as string[]) } : {}),
        ...(o.component ? { component: o.component as string } : {}),
        ...(o.text !== undefined ? { text: nonEmpty('text', o.text as string) } : {}),
      };
      await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
        if (o.category)
          filter.owasp = categoryFilterOf(o.category as string[], o.edition, b.config.owasp_edition);
        else if (o.edition !== undefined)
          throw validationError('--edition', 'applies only together with --category');
        const page = await b.vulnerabilities.list(filter, { limit, cursor: o.cursor as string | undefined });
        if (o.json)
          printJson(out, { items: page.items.map(presentVulnerability), next_cursor: page.next_cursor });
        else {
          out.stdout(
            table(
              page.items.map((v) => ({
                ...v,
                category: `${v.owasp_category}:${v.owasp_edition}`,
                due: iso(v.due_at).slice(0, 10),
              })),
              ['id', 'severity', 'cvss_score', 'status', 'category', 'component', 'cve', 'due', 'title'],
            ),
          );
          if (page.next_cursor) out.stdout(`more: --cursor ${page.next_cursor}`);
        }
      });
    });

  vulns
    .command('show')
    .description('one vulnerability with its history')
    .argument('<id>')
    .option('--json', 'print as JSON')
    .action(async (id: string, o: { json?: boolean }, cmd) => {
      await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
        const v = await b.vulnerabilities.get(id);
        const history = await b.vulnerabilities.history(id);
        const shown = { ...presentVulnerability(v), history: history.map((h) => ({ ...h, at: iso(h.at) })) };
        if (o.json) printJson(out, shown);
        else {
          for (const [k, val] of Object.entries(shown))
            if (k !== 'history')
              out.stdout(`${k.padEnd(26)} ${Array.isArray(val) ? val.join(', ') : (val ?? '')}`);
          out.stdout(
            '\nhistory:\n' + table(shown.history, ['at', 'from_status', 'to_status', 'actor', 'note']),
          );
        }
      });
    });

  vulns
    .command('transition')
    .description('move a vulnerability: open→in_progress, in_progress→mitigated|resolved, mitigated→resolved')
    .argument('<id>')
    .argument('<status>', 'in_progress, mitigated or resolved')
    .option('--note <text>', 'why')
    .option('--json', 'print as JSON')
    .action(async (id: string, status: string, o: { note?: string; json?: boolean }, cmd) => {
      await withBulwark(cmd.optsWithGlobals() as GlobalOptions, async (b) => {
        const r = await b.vulnerabilities.transition(id, { to: status, note: o.note }, cliActor());
        if (o.json)
          printJson(out, {
            vulnerability: presentVulnerability(r.vulnerability),
            transition: { ...r.transition, at: iso(r.transition.at) },
          });
        else out.stdout(`${id}: ${r.transition.from_status} → ${r.transition.to_status}`);
      });
    });
};
