/**
 * Approvals: a person's recorded decision to accept a finding for a while. An approval names an
 * advisory by any of its ids (GHSA, CVE, RUSTSEC…: it matches a finding when the id is among the
 * finding's ids, so approving the CVE covers the GHSA that aliases it), and may be narrowed to a
 * package, a version range (npm semver range syntax, e.g. `<4.17.21` or `>=1.0.0 <1.2.0`) and a
 * dependency path (`express > body-parser`, steps `name` or `name@version`, matched as a
 * contiguous run of steps in one of the package's paths). Reason, approver and expiry are required:
 * an approval without an end is a silent ignore, which is what this exists to avoid.
 */
import semver from 'semver';
import { z } from 'zod';
import { MAX_TIME_MS as MAX_TIME, parseEpochOrIsoTime, parseIsoDate } from '../../iso-time.js';
import { hasLineUnsafeText } from '../../validation.js';
import type { ScanFinding } from '../report/scan-result.js';
import { isPackageName } from '../versions/ecosystem.js';
import { ADVISORY_ID_HINT, isAdvisoryId } from './advisory-id.js';

const PACKAGE_NAME_HINT =
  'must be an npm package name (lodash, @scope/name) or a crates.io crate name (serde_json)';

export interface ApprovalRule {
  /** Store id for API approvals; `policy:<file>#<n>` for policy-file entries. */
  id: string;
  advisory_id: string;
  package: string | null;
  version_range: string | null;
  dep_path: string | null;
  reason: string;
  approver: string;
  /** Epoch ms: the approval holds strictly before this instant. */
  expires_at: number;
  source: 'api' | 'policy';
}

export const APPROVAL_LIMITS = { reason: 2048, approver: 256, id: 128, package: 512, range: 256, path: 2048 };

const ID = /^[\x21-\x7e]{1,128}$/;

const oneLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max)
    .refine((s) => !hasLineUnsafeText(s), { error: 'must not contain control characters or line breaks' });

/**
 * An expiry as people write it: `2026-06-30` (the approval holds through that UTC day, to
 * 23:59:59.999), a full ISO 8601 time with its offset, or epoch milliseconds (a number, or its
 * digits on the command line), as every time Bulwark takes in (API.md, Conventions). Returns epoch
 * ms, or null when unreadable.
 */
export function parseExpiry(value: string | number): number | null {
  if (typeof value === 'number')
    return Number.isInteger(value) && value >= 0 && value <= MAX_TIME ? value : null;
  const v = value.trim();
  const day = parseIsoDate(v);
  // Through the end of that day (the last millisecond of it, so it still prints as that day).
  if (day !== null) return day + 86_400_000 - 1;
  return parseEpochOrIsoTime(v);
}

const EXPIRES_RULE = 'must be a date (2026-06-30), an ISO 8601 time with offset, or epoch milliseconds';

/** What a caller sends to create an approval (API body, CLI flags, one policy-file entry). */
export const approvalInputSchema = z.strictObject({
  advisory_id: z
    .string()
    .trim()
    .regex(ID, { error: ADVISORY_ID_HINT })
    .refine(isAdvisoryId, { error: ADVISORY_ID_HINT }),
  package: oneLine(APPROVAL_LIMITS.package)
    .refine((n) => isPackageName(n), { error: PACKAGE_NAME_HINT })
    .optional(),
  version_range: oneLine(APPROVAL_LIMITS.range)
    .refine((r) => semver.validRange(r) !== null, {
      error: 'must be a version range such as <4.17.21 or >=1.0.0 <1.2.0',
    })
    .optional(),
  dep_path: oneLine(APPROVAL_LIMITS.path)
    .refine((p) => pathSteps(p).every((s) => isPackageName(s.name)), {
      error: 'must be package names separated by >, e.g. express > body-parser',
    })
    .optional(),
  reason: oneLine(APPROVAL_LIMITS.reason),
  approver: oneLine(APPROVAL_LIMITS.approver),
  expires: z
    .union([z.string(), z.number()], {
      error: (issue) => (issue.input === undefined ? `is required: ${EXPIRES_RULE.slice(8)}` : EXPIRES_RULE),
    })
    .refine((s) => parseExpiry(s) !== null, { error: EXPIRES_RULE }),
});
export type ApprovalInput = z.output<typeof approvalInputSchema>;

interface Step {
  name: string;
  version: string | null;
}

/** `name@version` or `name`; a scoped npm name keeps its leading `@`. */
function stepOf(text: string): Step {
  const s = text.trim();
  const at = s.lastIndexOf('@');
  return at > 0 ? { name: s.slice(0, at), version: s.slice(at + 1) } : { name: s, version: null };
}

function pathSteps(path: string): Step[] {
  return path.split('>').map(stepOf);
}

function pathMatches(wanted: Step[], paths: readonly (readonly string[])[]): boolean {
  for (const p of paths) {
    const steps = p.map(stepOf);
    for (let start = 0; start + wanted.length <= steps.length; start++) {
      if (
        wanted.every((w, i) => {
          const s = steps[start + i] as Step;
          return s.name === w.name && (w.version === null || s.version === w.version);
        })
      )
        return true;
    }
  }
  return false;
}

/** Whether the rule's scope covers this finding (expiry not considered). */
export function approvalCovers(
  rule: ApprovalRule,
  finding: ScanFinding,
  paths: readonly (readonly string[])[],
): boolean {
  if (!finding.ids.includes(rule.advisory_id)) return false;
  if (rule.package !== null && rule.package !== finding.package) return false;
  if (rule.version_range !== null) {
    const v = semver.valid(finding.version, { loose: false });
    // A version the range syntax cannot read is not covered: an approval must never widen by accident.
    if (v === null || !semver.satisfies(v, rule.version_range, { includePrerelease: true })) return false;
  }
  if (rule.dep_path !== null && !pathMatches(pathSteps(rule.dep_path), paths)) return false;
  return true;
}

export interface ApprovalReportEntry {
  id: string;
  advisory_id: string;
  package: string | null;
  approver: string;
  reason: string;
  expires_at: string;
  source: 'api' | 'policy';
}

export interface ApprovalReport {
  /** Approvals past their expiry (their findings, if any, count as open). */
  expired: ApprovalReportEntry[];
  /** Approvals in force that matched no finding in this scan: candidates for removal. */
  unused: ApprovalReportEntry[];
}

export const reportEntry = (r: ApprovalRule): ApprovalReportEntry => ({
  id: r.id,
  advisory_id: r.advisory_id,
  package: r.package,
  approver: r.approver,
  reason: r.reason,
  expires_at: new Date(r.expires_at).toISOString(),
  source: r.source,
});

/**
 * Marks each finding with the approval that covers it (one still in force first, else an expired
 * one, so the report can say "approval expired"), and reports expired and unused rules.
 */
export function applyApprovals(
  findings: { finding: ScanFinding; paths: readonly (readonly string[])[] }[],
  rules: readonly ApprovalRule[],
  now: number,
): ApprovalReport {
  const used = new Set<string>();
  for (const { finding, paths } of findings) {
    let chosen: ApprovalRule | undefined;
    for (const r of rules) {
      if (!approvalCovers(r, finding, paths)) continue;
      const live = r.expires_at > now;
      if (live) used.add(r.id);
      if (
        !chosen ||
        (live && chosen.expires_at <= now) ||
        (live === chosen.expires_at > now && r.expires_at > chosen.expires_at)
      )
        chosen = r;
    }
    if (chosen) {
      finding.approved = true;
      finding.approval = {
        approved_by: chosen.approver,
        reason: chosen.reason,
        expires_at: new Date(chosen.expires_at).toISOString(),
      };
    }
  }
  return {
    expired: rules.filter((r) => r.expires_at <= now).map(reportEntry),
    unused: rules.filter((r) => r.expires_at > now && !used.has(r.id)).map(reportEntry),
  };
}
