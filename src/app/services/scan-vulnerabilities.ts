/**
 * Linking scan findings to the vulnerability register. One register row per (ecosystem, package,
 * version, advisory): `source_key = ecosystem/package@version#ADVISORY-ID`. A re-scan that finds
 * it again refreshes what the advisory says (score, severity, remediation, aliases) and never
 * touches the status: a row someone resolved stays resolved. A finding is only "new" (a new row,
 * status open) when no row exists under any of its ids, e.g. the same advisory in a new version.
 * Informational advisories (unmaintained, unsound, notice) are not vulnerabilities and are not
 * registered.
 *
 * Score: the advisory's CVSS vector when it scores; otherwise the lowest score of the band the
 * advisory's own label names (critical 9.0, high 7.0, medium 4.0, low 0.1), so the register never
 * overstates; an advisory with no rating at all is registered as low (0.1) and its description says
 * "Unrated: ..."; the scan gate counts it as low too (gateSeverity), so the two agree.
 */
import type { Clock } from '../../core/clock.js';
import type { AdvisoryFinding } from '../../core/deps/osv/finding.js';
import type { VulnerabilityRecord, VulnerabilityStore } from '../../core/ports/vulnerability-store.js';
import type { OwaspEdition } from '../../core/vulns/owasp.js';
import type { SlaPolicy } from '../../core/vulns/sla.js';
import { buildVulnerability, VULN_LIMITS } from '../../core/vulns/vulnerability.js';

const BAND_FLOOR = { critical: 9.0, high: 7.0, medium: 4.0, low: 0.1, none: 0.1 } as const;
const ALIAS = /^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9][A-Za-z0-9._:-]*$/;
/** A06:2021 "Vulnerable and Outdated Components" is A03:2025 "Software Supply Chain Failures". */
const CATEGORY: Record<OwaspEdition, string> = { '2025': 'A03', '2021': 'A06' };

export const sourceKeyOf = (
  f: Pick<AdvisoryFinding, 'ecosystem' | 'package' | 'version'>,
  id: string,
): string => `${f.ecosystem}/${f.package}@${f.version}#${id}`;

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function remediationOf(f: AdvisoryFinding): string {
  return f.fixed_versions.length > 0
    ? `Upgrade ${f.package} to ${f.fixed_versions.join(' or ')} (or later).`
    : `No fixed version of ${f.package} is known; remove or replace it, or approve with a reason.`;
}

function inputOf(f: AdvisoryFinding, edition: OwaspEdition): Record<string, unknown> {
  const cve = f.cves[0] ?? null;
  const aliases = f.ids
    .filter((id) => id !== cve && ALIAS.test(id) && id.length <= VULN_LIMITS.alias)
    .slice(0, VULN_LIMITS.aliases);
  const rated = f.cvss
    ? ''
    : f.severity === 'none'
      ? ' Unrated: no CVSS vector or severity label in the advisory; registered as low (score 0.1, the lowest the register allows) until rated, and `bulwark scan --fail-on low` counts it as low.'
      : ` Score: the floor of the advisory's ${f.severity} rating (no CVSS vector).`;
  const description = clip(
    [
      `${f.summary}`,
      `Advisory ${f.ids.join(', ')} affects ${f.package}@${f.version} (${f.ecosystem}).${rated}`,
      ...f.references.slice(0, 5),
    ].join('\n'),
    VULN_LIMITS.description,
  );
  return {
    title: clip(`${f.id}: ${f.summary}`.replace(/[\t\n\r\u2028\u2029]+/g, ' '), VULN_LIMITS.title),
    description,
    cve,
    aliases,
    ...(f.cvss ? { cvss_vector: f.cvss.vector } : { cvss_score: BAND_FLOOR[f.severity] }),
    owasp_category: CATEGORY[edition],
    owasp_edition: edition,
    component: clip(`${f.package}@${f.version}`, VULN_LIMITS.component),
    remediation: clip(remediationOf(f), VULN_LIMITS.remediation),
  };
}

export interface LinkCounts {
  created: number;
  updated: number;
  unchanged: number;
}

export class ScanVulnerabilityLinker {
  constructor(
    private readonly store: VulnerabilityStore,
    private readonly clock: Clock,
    private readonly sla: SlaPolicy,
    private readonly edition: OwaspEdition,
  ) {}

  /** Creates or refreshes the register row of each vulnerability finding; returns row ids by finding index. */
  async link(findings: readonly AdvisoryFinding[]): Promise<{ counts: LinkCounts; ids: (string | null)[] }> {
    const counts: LinkCounts = { created: 0, updated: 0, unchanged: 0 };
    const ids: (string | null)[] = [];
    const done = new Map<string, string>();
    for (const f of findings) {
      if (f.informational !== undefined) {
        ids.push(null);
        continue;
      }
      const key = sourceKeyOf(f, f.id);
      const already = done.get(key);
      if (already) {
        ids.push(already);
        continue;
      }
      let existing: VulnerabilityRecord | null = null;
      for (const id of f.ids) {
        existing = await this.store.findBySourceKey(sourceKeyOf(f, id));
        if (existing) break;
      }
      const now = this.clock.now();
      const built = buildVulnerability(inputOf(f, this.edition), { now, slaPolicy: this.sla });
      if (!existing) {
        await this.store.insert({ ...built, source: 'scan', source_key: key });
        counts.created++;
        done.set(key, built.id);
        ids.push(built.id);
        continue;
      }
      const patch: Partial<VulnerabilityRecord> = {
        title: built.title,
        description: built.description,
        cve: built.cve,
        aliases: built.aliases,
        cvss_score: built.cvss_score,
        cvss_vector: built.cvss_vector,
        severity: built.severity,
        remediation: built.remediation,
      };
      const changed = (Object.keys(patch) as (keyof VulnerabilityRecord)[]).some(
        (k) => JSON.stringify(patch[k]) !== JSON.stringify(existing[k]),
      );
      if (changed) {
        await this.store.refresh(existing.id, { ...patch, updated_at: now });
        counts.updated++;
      } else counts.unchanged++;
      done.set(key, existing.id);
      ids.push(existing.id);
    }
    return { counts, ids };
  }
}
