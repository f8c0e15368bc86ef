/**
 * Scanning parsed lockfiles against an advisory index: pure, so the CLI, the HTTP service and the
 * benchmark all run the same code. Which packages are looked up:
 *
 * - registry and tarball packages: by ecosystem + name + version;
 * - workspace, link and file packages: never (they are the project's own code);
 * - git packages: never by version (a git dependency's "version" is whatever its manifest says at
 *   that commit, not a published release an advisory range could be about); their commit is kept.
 */
import type { LockPackage, ParsedLockfile } from './lockfiles/types.js';
import type { AdvisoryIndex } from './osv/advisory-index.js';
import { applyApprovals, type ApprovalReport, type ApprovalRule } from './approvals/approval.js';
import type { LockfileScan, ScanFinding, ScanResult } from './report/scan-result.js';
import { runCooperatively, runToEnd, STEP_ITEMS, type TimeSlice } from '../time-slice.js';

export interface ParsedInput {
  /** As shown in reports (relative to the scanned root where possible). */
  path: string;
  parsed: ParsedLockfile;
}

export const isLookedUp = (p: LockPackage): boolean => p.lookup && p.kind !== 'git' && p.version !== '';

export interface ScanOutcome {
  result: ScanResult;
  approvals: ApprovalReport;
  /** Per lockfile, the packages as parsed, in the same order as result.lockfiles. */
  packages: LockPackage[][];
}

const formatLabel = (p: ParsedLockfile): string => {
  const names: Record<string, string> = {
    'package-lock': 'package-lock.json',
    yarn: 'yarn.lock',
    pnpm: 'pnpm-lock.yaml',
    cargo: 'Cargo.lock',
    bun: 'bun.lock',
  };
  return `${names[p.format] ?? p.format}@${p.version}`;
};

export function scanLockfiles(
  inputs: readonly ParsedInput[],
  index: AdvisoryIndex,
  rules: readonly ApprovalRule[],
  now: number,
  tool?: ScanResult['tool'],
): ScanOutcome {
  return runToEnd(scanSteps(inputs, index, rules, now, tool));
}

/** The same scan, pausing whenever `slice` is used up (the server: a 150,000-package lockfile takes ~0.3 s). */
export function scanLockfilesCooperatively(
  inputs: readonly ParsedInput[],
  index: AdvisoryIndex,
  rules: readonly ApprovalRule[],
  now: number,
  slice: TimeSlice,
): Promise<ScanOutcome> {
  return runCooperatively(scanSteps(inputs, index, rules, now), slice);
}

function* scanSteps(
  inputs: readonly ParsedInput[],
  index: AdvisoryIndex,
  rules: readonly ApprovalRule[],
  now: number,
  tool?: ScanResult['tool'],
): Generator<void, ScanOutcome> {
  let step = 0;
  const lockfiles: LockfileScan[] = [];
  const withPaths: { finding: ScanFinding; paths: readonly (readonly string[])[] }[] = [];
  for (const { path, parsed } of inputs) {
    const findings: ScanFinding[] = [];
    const seen = new Set<string>();
    for (const pkg of parsed.packages) {
      if (++step % STEP_ITEMS === 0) yield;
      if (!isLookedUp(pkg)) continue;
      // One name@version is matched once even when the lockfile has it at several places.
      const key = `${pkg.ecosystem}\u0000${pkg.name}\u0000${pkg.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      for (const f of index.match(pkg)) {
        const finding: ScanFinding = { ...f };
        findings.push(finding);
        withPaths.push({ finding, paths: pkg.paths });
      }
    }
    lockfiles.push({ path, format: formatLabel(parsed), packages: parsed.packages, findings });
  }
  const approvals = applyApprovals(withPaths, rules, now);
  return {
    result: { scanned_at: new Date(now).toISOString(), lockfiles, ...(tool ? { tool } : {}) },
    approvals,
    packages: inputs.map((i) => i.parsed.packages),
  };
}
