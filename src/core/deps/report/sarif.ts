/**
 * SARIF 2.1.0 (OASIS, https://docs.oasis-open.org/sarif/sarif/v2.1.0/) for code-scanning UIs.
 *
 * One rule per advisory (finding id), one result per (lockfile, package version, advisory), located
 * at the lockfile. Levels: critical/high → error, medium → warning, low/none and informational →
 * note. `properties.security-severity` carries the CVSS score (GitHub code scanning sorts by it).
 * Approved findings stay in the log with an accepted external suppression, so the approval is
 * visible rather than the finding silently gone.
 */
import { createHash } from 'node:crypto';
import type { SeverityLevel } from '../osv/severity.js';
import { SEVERITY_LEVEL_RANK } from '../osv/severity.js';
import { advisorySource, recommendation } from './advisory-links.js';
import {
  approvalHolds,
  DEFAULT_TOOL_NAME,
  isVulnerability,
  type ScanFinding,
  type ScanResult,
} from './scan-result.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

export type SarifLevel = 'error' | 'warning' | 'note' | 'none';

export interface SarifMessage {
  text: string;
  markdown?: string;
}

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  help: SarifMessage;
  helpUri: string;
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; 'security-severity'?: string; precision: string };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifMessage;
  locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string; index: number } } }[];
  partialFingerprints: Record<string, string>;
  suppressions?: { kind: 'external'; status: 'accepted'; justification: string }[];
  properties: Record<string, unknown>;
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: {
    tool: { driver: { name: string; version?: string; informationUri?: string; rules: SarifRule[] } };
    artifacts: { location: { uri: string; uriBaseId?: string } }[];
    invocations: { executionSuccessful: boolean; endTimeUtc: string }[];
    results: SarifResult[];
  }[];
}

export function sarifLevel(f: Pick<ScanFinding, 'severity' | 'informational'>): SarifLevel {
  if (f.informational !== undefined) return 'note';
  return levelOf(f.severity);
}

function levelOf(severity: SeverityLevel): SarifLevel {
  if (severity === 'critical' || severity === 'high') return 'error';
  if (severity === 'medium') return 'warning';
  return 'note';
}

/**
 * A SARIF artifact location for a lockfile path: relative paths stay relative to %SRCROOT%,
 * absolute ones become file: URIs; backslashes become slashes; each segment percent-encoded.
 */
export function artifactLocation(path: string): { uri: string; uriBaseId?: string } {
  const slashed = path.replaceAll('\\', '/');
  const encoded = slashed
    .split('/')
    .map((seg, i) => (i === 0 && /^[A-Za-z]:$/.test(seg) ? seg : encodeURIComponent(seg)))
    .join('/');
  if (/^[A-Za-z]:\//.test(slashed)) return { uri: `file:///${encoded}` };
  if (slashed.startsWith('/')) return { uri: `file://${encoded}` };
  return { uri: encoded.replace(/^\.\//, ''), uriBaseId: '%SRCROOT%' };
}

/** SARIF's rule names are identifier-like ("a PascalCase string"); ours carries the id. */
const ruleName = (id: string): string => `VulnerableDependency${id.replace(/[^A-Za-z0-9]/g, '')}`;

/** Summaries are advisory text: escape Markdown so that it renders as written. */
const escapeMarkdown = (s: string): string => s.replace(/([\\`*_{}[\]()#+!|<>~-])/g, '\\$1');

/** Summaries often end in a full stop; sentences here add their own. */
const sentence = (s: string): string => s.trim().replace(/[.\s]+$/, '');

function ruleFor(id: string, findings: ScanFinding[]): SarifRule {
  // Severity can differ per package (affected[].severity): the rule's default is the worst.
  const worst = findings.reduce((a, b) =>
    SEVERITY_LEVEL_RANK[b.severity] > SEVERITY_LEVEL_RANK[a.severity] ? b : a,
  );
  const first = findings[0] as ScanFinding;
  const packages = [...new Set(findings.map((f) => f.package))].sort();
  const score = findings.reduce<number | undefined>(
    (m, f) => (f.cvss && (m === undefined || f.cvss.score > m) ? f.cvss.score : m),
    undefined,
  );
  const aliases = first.ids.filter((x) => x !== id);
  const source = advisorySource(id);
  const kind = first.informational;
  const tags = [
    'security',
    kind === undefined ? 'vulnerability' : `informational-${kind}`,
    `ecosystem:${first.ecosystem}`,
    ...first.cves,
  ];
  const also = aliases.length > 0 ? `Also known as: ${aliases.join(', ')}.` : '';
  const affected = `Affected packages: ${packages.join(', ')}.`;
  const text = [
    `${sentence(first.summary)}.`,
    also,
    affected,
    recommendation(first),
    `Advisory: ${source.url}`,
  ];
  const markdown = [
    `**${escapeMarkdown(sentence(first.summary))}**`,
    also && escapeMarkdown(also),
    escapeMarkdown(affected),
    escapeMarkdown(recommendation(first)),
    `Advisory: [${escapeMarkdown(id)}](${source.url})`,
  ];
  const rule: SarifRule = {
    id,
    name: ruleName(id),
    shortDescription: { text: first.summary || id },
    fullDescription: {
      text: `${id}${aliases.length > 0 ? ` (${aliases.join(', ')})` : ''}: ${first.summary}`,
    },
    help: {
      text: text.filter((l) => l !== '').join('\n'),
      markdown: markdown.filter((l) => l !== '').join('\n\n'),
    },
    helpUri: source.url,
    defaultConfiguration: { level: sarifLevel(worst) },
    properties: { tags, precision: 'very-high' },
  };
  if (score !== undefined) rule.properties['security-severity'] = score.toFixed(1);
  return rule;
}

function fingerprint(path: string, f: ScanFinding): string {
  return createHash('sha256')
    .update(`${path}\u0000${f.ecosystem}\u0000${f.package}\u0000${f.version}\u0000${f.id}`)
    .digest('hex');
}

function messageFor(f: ScanFinding): string {
  const what = isVulnerability(f)
    ? `is affected by ${f.id}`
    : `has an informational advisory (${f.informational}) ${f.id}`;
  const cves = f.cves.length > 0 ? ` (${f.cves.join(', ')})` : '';
  const sev = isVulnerability(f)
    ? ` Severity: ${f.severity}${f.cvss ? ` (CVSS ${f.cvss.version} ${f.cvss.score.toFixed(1)})` : ''}.`
    : '';
  return `${f.package}@${f.version} ${what}${cves}: ${sentence(f.summary)}.${sev} ${recommendation(f)}`;
}

export function toSarif(result: ScanResult): SarifLog {
  const byId = new Map<string, ScanFinding[]>();
  for (const lf of result.lockfiles)
    for (const f of lf.findings) {
      const list = byId.get(f.id);
      if (list) list.push(f);
      else byId.set(f.id, [f]);
    }
  const ruleIds = [...byId.keys()].sort();
  const rules = ruleIds.map((id) => ruleFor(id, byId.get(id) as ScanFinding[]));
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));

  const artifacts = result.lockfiles.map((lf) => ({ location: artifactLocation(lf.path) }));
  const results: SarifResult[] = [];
  result.lockfiles.forEach((lf, artifactIndex) => {
    for (const f of lf.findings) {
      const r: SarifResult = {
        ruleId: f.id,
        ruleIndex: ruleIndex.get(f.id) as number,
        level: sarifLevel(f),
        message: { text: messageFor(f) },
        locations: [
          { physicalLocation: { artifactLocation: { ...artifactLocation(lf.path), index: artifactIndex } } },
        ],
        partialFingerprints: { 'bulwarkDependency/v1': fingerprint(lf.path, f) },
        properties: {
          package: f.package,
          version: f.version,
          ecosystem: f.ecosystem,
          purl: f.purl,
          ids: f.ids,
          cves: f.cves,
          severity: f.severity,
          fixed_versions: f.fixed_versions,
          ...(f.informational !== undefined ? { informational: f.informational } : {}),
        },
      };
      if (approvalHolds(f, result.scanned_at)) {
        const a = f.approval;
        const justification = a
          ? `Approved by ${a.approved_by}: ${a.reason}${a.expires_at ? ` (until ${a.expires_at})` : ''}`
          : 'Approved';
        r.suppressions = [{ kind: 'external', status: 'accepted', justification }];
      }
      results.push(r);
    }
  });

  const tool = result.tool;
  const driver: SarifLog['runs'][number]['tool']['driver'] = { name: tool?.name ?? DEFAULT_TOOL_NAME, rules };
  if (tool?.version) driver.version = tool.version;
  if (tool?.information_uri) driver.informationUri = tool.information_uri;
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver },
        artifacts,
        invocations: [{ executionSuccessful: true, endTimeUtc: result.scanned_at }],
        results,
      },
    ],
  };
}
