/**
 * A plain-text table of a scan for terminals: one section per lockfile, most severe first, and a
 * totals line. Every cell is sanitised: package names, versions and advisory text come from
 * outside, and an escape sequence in them must not reach the terminal (CWE-150).
 */
import {
  approvalHolds,
  compareFindings,
  isVulnerability,
  summarise,
  type ScanFinding,
  type ScanResult,
} from './scan-result.js';

const MAX_CELL = 48;
const HEADERS = ['SEVERITY', 'PACKAGE', 'VERSION', 'ID', 'CVE', 'FIXED IN', 'NOTE'] as const;

/** C0/C1 controls (ESC, BEL, CSI…), DEL, and bidi overrides become a visible replacement. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string, max = MAX_CELL): string {
  const clean = text.replace(UNSAFE, '\uFFFD');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

function noteOf(f: ScanFinding, at: string): string {
  const notes: string[] = [];
  if (f.informational !== undefined) notes.push(f.informational);
  if (f.approved === true) {
    const a = f.approval;
    const until = a?.expires_at ? a.expires_at.slice(0, 10) : '';
    if (!approvalHolds(f, at)) notes.push(`approval expired ${until}`.trimEnd());
    else notes.push(a ? `approved by ${a.approved_by}${until ? ` until ${until}` : ''}` : 'approved');
  }
  return notes.join(', ');
}

/** 'none' from a 0.0 score is a rating; no rating at all is shown as such. */
const severityLabel = (f: ScanFinding): string =>
  !isVulnerability(f) ? 'info' : f.severity_source === 'none' ? 'unrated' : f.severity;

function rowOf(f: ScanFinding, at: string): string[] {
  return [
    severityLabel(f),
    f.package,
    f.version,
    f.id,
    f.cves.join(' ') || '-',
    f.fixed_versions.join(', ') || '-',
    noteOf(f, at),
  ].map((c) => terminalSafe(c));
}

function render(rows: string[][]): string[] {
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  return [line(HEADERS), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function toTable(result: ScanResult): string {
  const out: string[] = [];
  for (const lf of result.lockfiles) {
    out.push(
      `${terminalSafe(lf.path, 200)} (${terminalSafe(lf.format)}): ${plural(lf.packages.length, 'package')}, ${plural(lf.findings.length, 'finding')}`,
    );
    if (lf.findings.length === 0) out.push('  no known vulnerabilities');
    else out.push(...render([...lf.findings].sort(compareFindings).map((f) => rowOf(f, result.scanned_at))));
    out.push('');
  }
  const s = summarise(result);
  const counts = new Map<string, number>();
  for (const lf of result.lockfiles)
    for (const f of lf.findings)
      if (isVulnerability(f)) counts.set(severityLabel(f), (counts.get(severityLabel(f)) ?? 0) + 1);
  const bySeverity = ['critical', 'high', 'medium', 'low', 'none', 'unrated'].flatMap((k) =>
    counts.has(k) ? [`${counts.get(k)} ${k}`] : [],
  );
  const vulns = s.findings - s.informational;
  out.push(
    `Total: ${plural(s.packages, 'package')} scanned at ${terminalSafe(result.scanned_at)}; ` +
      `${vulns} ${vulns === 1 ? 'vulnerability' : 'vulnerabilities'}${bySeverity.length > 0 ? ` (${bySeverity.join(', ')})` : ''}, ` +
      `${s.informational} informational, ${s.approved} approved${s.approval_expired > 0 ? ` (${s.approval_expired} expired)` : ''}; highest open severity: ${s.open_severity_max}`,
  );
  return `${out.join('\n')}\n`;
}
