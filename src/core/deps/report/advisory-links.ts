/**
 * Where an advisory id is published, and the remediation sentence shared by the report formats.
 */
import type { AdvisoryFinding } from '../osv/finding.js';

export interface AdvisorySource {
  name: string;
  url: string;
}

/** The database an id belongs to and the page for it (OSV.dev for any other prefix). */
export function advisorySource(id: string): AdvisorySource {
  const enc = encodeURIComponent(id);
  if (id.startsWith('GHSA-'))
    return { name: 'GitHub Advisory Database', url: `https://github.com/advisories/${enc}` };
  if (id.startsWith('RUSTSEC-'))
    return { name: 'RustSec', url: `https://rustsec.org/advisories/${enc}.html` };
  if (id.startsWith('CVE-')) return { name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${enc}` };
  return { name: 'OSV', url: `https://osv.dev/vulnerability/${enc}` };
}

/** "Upgrade lodash to 4.17.20 or later." / "…to 0.6.14 or 1.6.1 or later." / no-fix wording. */
export function recommendation(
  f: Pick<AdvisoryFinding, 'package' | 'fixed_versions' | 'informational'>,
): string {
  if (f.fixed_versions.length > 0)
    return `Upgrade ${f.package} to ${f.fixed_versions.join(' or ')} or later.`;
  if (f.informational === 'unmaintained') return `${f.package} is unmaintained: consider an alternative.`;
  return `No fixed version of ${f.package} is known: remove it, replace it, or mitigate and record an approval.`;
}
