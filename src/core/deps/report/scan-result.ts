/**
 * The result of scanning one or more lockfiles: the input of every report format.
 */
import type { AdvisoryFinding, ScannedPackage } from '../osv/finding.js';
import { SEVERITY_LEVEL_RANK, type SeverityLevel } from '../osv/severity.js';

/** A recorded decision to accept a finding for now (kept beside `approved`, as the design says). */
export interface Approval {
  approved_by: string;
  reason: string;
  approved_at?: string;
  /** ISO 8601; after it the approval no longer holds. */
  expires_at?: string;
}

export interface ScanFinding extends AdvisoryFinding {
  approved?: boolean;
  approval?: Approval;
}

export interface LockfileScan {
  /** As given to the scanner (relative to the project root, preferably). */
  path: string;
  /** e.g. `package-lock.json@3`, `yarn.lock@1`, `pnpm-lock.yaml@9`, `Cargo.lock@4`. */
  format: string;
  /** Every package the lockfile yielded, vulnerable or not (CycloneDX lists them all). */
  packages: ScannedPackage[];
  findings: ScanFinding[];
}

export interface ScanResult {
  /** ISO 8601 UTC. */
  scanned_at: string;
  lockfiles: LockfileScan[];
  /** The scanner's name and version for the reports' tool sections (defaults to bulwark). */
  tool?: { name: string; version?: string; information_uri?: string };
}

export const DEFAULT_TOOL_NAME = 'bulwark';

export const isVulnerability = (f: ScanFinding): boolean => f.informational === undefined;
/**
 * Whether the finding's approval is in force at `at` (ISO 8601, the scan time): approved, and
 * not past its `expires_at`. An expired approval counts as none, so the finding is open again.
 */
export function approvalHolds(f: ScanFinding, at: string): boolean {
  if (f.approved !== true) return false;
  const expires = f.approval?.expires_at;
  if (expires === undefined) return true;
  const end = Date.parse(expires);
  // An unreadable expiry must not keep a finding hidden for ever.
  return !Number.isNaN(end) && end > Date.parse(at);
}

/** A vulnerability (not informational) without an approval in force at `at`. */
export const isOpen = (f: ScanFinding, at: string): boolean => isVulnerability(f) && !approvalHolds(f, at);

/**
 * The severity a `--fail-on` threshold compares: the finding's own, except that an unrated
 * vulnerability (no CVSS vector, no severity label: `none`) counts as `low`, the severity the
 * vulnerability register records it under (score 0.1, the lowest it allows), so the gate and the
 * register agree. `severity` itself stays `none` in the report: the advisory really gives none.
 */
export const gateSeverity = (f: ScanFinding): SeverityLevel =>
  isVulnerability(f) && f.severity === 'none' ? 'low' : f.severity;

export interface ScanSummary {
  packages: number;
  findings: number;
  /** Vulnerabilities (not informational) by severity, approved ones included. */
  by_severity: Record<SeverityLevel, number>;
  informational: number;
  /** Findings whose approval is in force at the scan time. */
  approved: number;
  /** Findings marked approved whose approval has expired (they count as open). */
  approval_expired: number;
  /** The highest severity among all vulnerabilities, approved or not (the manifest's severity_max). */
  severity_max: SeverityLevel;
  /** The highest severity among open vulnerabilities: what a CI gate should look at. */
  open_severity_max: SeverityLevel;
}

export function summarise(result: ScanResult): ScanSummary {
  const by: Record<SeverityLevel, number> = { critical: 0, high: 0, medium: 0, low: 0, none: 0 };
  const worse = (a: SeverityLevel, b: SeverityLevel): SeverityLevel =>
    SEVERITY_LEVEL_RANK[b] > SEVERITY_LEVEL_RANK[a] ? b : a;
  let findings = 0;
  let informational = 0;
  let approved = 0;
  let expired = 0;
  let max: SeverityLevel = 'none';
  let openMax: SeverityLevel = 'none';
  for (const lf of result.lockfiles) {
    for (const f of lf.findings) {
      findings++;
      const holds = approvalHolds(f, result.scanned_at);
      if (holds) approved++;
      else if (f.approved === true) expired++;
      if (!isVulnerability(f)) {
        informational++;
        continue;
      }
      by[f.severity]++;
      max = worse(max, f.severity);
      if (!holds) openMax = worse(openMax, f.severity);
    }
  }
  const packages = result.lockfiles.reduce((n, lf) => n + lf.packages.length, 0);
  return {
    packages,
    findings,
    by_severity: by,
    informational,
    approved,
    approval_expired: expired,
    severity_max: max,
    open_severity_max: openMax,
  };
}

/** Findings ordered for people: most severe first, then package name, then id. */
export function compareFindings(a: ScanFinding, b: ScanFinding): number {
  const rank = (f: ScanFinding): number => (isVulnerability(f) ? SEVERITY_LEVEL_RANK[f.severity] + 1 : 0);
  return (
    rank(b) - rank(a) ||
    (a.package < b.package ? -1 : a.package > b.package ? 1 : 0) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}
