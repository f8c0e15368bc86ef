/**
 * What a scan reports for one package version: a finding is a group of advisory records that
 * describe the same vulnerability (linked through their ids and aliases: a GHSA, its CVE, a
 * RustSec id) and that affect that version. One vulnerability is reported once, with every id.
 */
import type { Ecosystem } from '../versions/ecosystem.js';
import type { CvssRating, InformationalKind, SeverityLevel } from './severity.js';

/** The part of a lockfile package the matcher needs (the lockfile parsers produce more). */
export interface ScannedPackage {
  name: string;
  version: string;
  ecosystem: Ecosystem;
  /** Built from ecosystem, name and version when absent. */
  purl?: string;
}

export interface AdvisoryFinding {
  package: string;
  version: string;
  ecosystem: Ecosystem;
  purl: string;
  /** The id the finding is shown under: the ecosystem's own database first (GHSA for npm, RUSTSEC for crates.io). */
  id: string;
  /** Every id of the group, `id` first, then the other records' ids, then their aliases; no repeats. */
  ids: string[];
  /** Ids of the records that matched this version (a subset of `ids`). */
  record_ids: string[];
  /** The CVE ids among `ids`. */
  cves: string[];
  /** The highest over the group's records (see severity.ts). */
  severity: SeverityLevel;
  severity_source: 'cvss' | 'advisory' | 'none';
  /** The vector behind `severity` when it came from CVSS. */
  cvss?: CvssRating;
  /** Set when every record of the group is informational (RustSec unmaintained / unsound / notice). */
  informational?: InformationalKind;
  summary: string;
  /**
   * Versions that fix it, ascending: `fixed` events above the scanned version that no record of
   * the group still counts as affected. Empty when no fix is known.
   */
  fixed_versions: string[];
  /** Reference URLs of the group's records (advisory pages first). */
  references: string[];
}

const CVE = /^CVE-\d{4}-\d{4,}$/;
export const isCveId = (id: string): boolean => CVE.test(id);

const NATIVE_PREFIX: Readonly<Record<Ecosystem, string>> = { npm: 'GHSA-', 'crates.io': 'RUSTSEC-' };

/** Sort key for choosing the id a finding is shown under. */
export function idPreference(ecosystem: Ecosystem, id: string): number {
  if (id.startsWith(NATIVE_PREFIX[ecosystem])) return 0;
  if (isCveId(id)) return 2;
  return 1;
}
