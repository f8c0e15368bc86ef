/**
 * Which advisory ids an approval may name. Approvals match a finding by exact, case-sensitive id
 * equality (the finding's OSV id or one of its aliases), so an id in the wrong shape or case is an
 * approval that can never match: refused up front instead of stored and silently useless.
 *
 * - `GHSA-xxxx-xxxx-xxxx`: lower-case letters and digits, as OSV and GitHub write it;
 * - `CVE-YYYY-N` with 4 or more digits;
 * - `RUSTSEC-YYYY-NNNN`;
 * - any other OSV-style id (`PYSEC-2021-1`, `GO-2022-0001`, `OSV-2021-1`, `MAL-2024-1`,
 *   `RHSA-2023:1234`, `SUSE-SU-2023:0001-1`...): an upper-case source prefix of 2–16 letters, then
 *   `-`-separated parts of letters, digits, `.`, `_` or `:`, with at least one digit somewhere.
 * The three well-known prefixes must match their exact format (a `GHSA-` id with a typo is refused,
 * not accepted as a generic one).
 */
const GHSA = /^GHSA(-[0-9a-z]{4}){3}$/;
const CVE = /^CVE-\d{4}-\d{4,}$/;
const RUSTSEC = /^RUSTSEC-\d{4}-\d{4}$/;
const GENERIC = /^[A-Z][A-Za-z]{1,15}(-[A-Za-z0-9._:]+)+$/;

export const ADVISORY_ID_HINT =
  'must be an advisory id such as GHSA-jf85-cpcp-j695, CVE-2021-44228, RUSTSEC-2021-0001 or PYSEC-2021-1';

export function isAdvisoryId(id: string): boolean {
  if (id.length > 128) return false;
  if (id.startsWith('GHSA-')) return GHSA.test(id);
  if (id.startsWith('CVE-')) return CVE.test(id);
  if (id.startsWith('RUSTSEC-')) return RUSTSEC.test(id);
  return GENERIC.test(id) && /\d/.test(id);
}

/**
 * CVE ids are (almost) never an OSV record's own id, only an alias of a GHSA/RUSTSEC record, and the
 * advisory store indexes own ids: looking a CVE up there would warn on every valid approval.
 */
export function isCheckableInAdvisoryDb(id: string): boolean {
  return !id.startsWith('CVE-');
}

/** The longest an approval may be granted for: it is a decision to revisit, not a permanent ignore. */
export const MAX_APPROVAL_DAYS = 730;
