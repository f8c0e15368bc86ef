/**
 * CycloneDX 1.5 JSON (https://cyclonedx.org/docs/1.5/json/): every scanned package as a
 * component, every advisory as a vulnerability that `affects` the components it was found in.
 *
 * - bom-ref of a component is its purl (unique per name@version; the same package in two lockfiles
 *   is one component, with a `bulwark:lockfile` property per lockfile).
 * - ratings: the CVSS score with its method (CVSSv2 / CVSSv3 / CVSSv31 / CVSSv4) and vector, or
 *   the advisory's own label (method `other`), or `unknown`; informational advisories are `info`.
 * - recommendation: the fixed versions; approval: `analysis.response: ["will_not_fix"]` with the
 *   approver and reason in `detail` (CycloneDX has no "risk accepted" state).
 */
import { randomUUID } from 'node:crypto';
import type { ScannedPackage } from '../osv/finding.js';
import { purlOf } from '../osv/purl.js';
import type { CvssRating } from '../osv/severity.js';
import { advisorySource, recommendation, type AdvisorySource } from './advisory-links.js';
import { approvalHolds, DEFAULT_TOOL_NAME, type ScanFinding, type ScanResult } from './scan-result.js';

export type CdxSeverity = 'critical' | 'high' | 'medium' | 'low' | 'info' | 'none' | 'unknown';
export type CdxRatingMethod = 'CVSSv2' | 'CVSSv3' | 'CVSSv31' | 'CVSSv4' | 'other';

export interface CdxProperty {
  name: string;
  value: string;
}

export interface CdxComponent {
  type: 'library';
  'bom-ref': string;
  group?: string;
  name: string;
  version: string;
  purl: string;
  properties: CdxProperty[];
}

export interface CdxRating {
  source: AdvisorySource;
  score?: number;
  severity: CdxSeverity;
  method: CdxRatingMethod;
  vector?: string;
}

export interface CdxVulnerability {
  'bom-ref': string;
  id: string;
  source: AdvisorySource;
  references: { id: string; source: AdvisorySource }[];
  ratings: CdxRating[];
  description: string;
  recommendation: string;
  advisories: { url: string }[];
  affects: { ref: string; versions: { version: string; status: 'affected' }[] }[];
  analysis?: { response: ['will_not_fix']; detail: string };
  properties: CdxProperty[];
}

export interface CycloneDxBom {
  $schema: string;
  bomFormat: 'CycloneDX';
  specVersion: '1.5';
  serialNumber: string;
  version: 1;
  metadata: {
    timestamp: string;
    tools: { components: { type: 'application'; name: string; version?: string }[] };
  };
  components: CdxComponent[];
  vulnerabilities: CdxVulnerability[];
}

export const CYCLONEDX_SCHEMA_URI = 'http://cyclonedx.org/schema/bom-1.5.schema.json';

export interface CycloneDxOptions {
  /** `urn:uuid:…`; a random one by default (tests pin it for stable output). */
  serialNumber?: string;
}

const METHOD: Readonly<Record<CvssRating['version'], CdxRatingMethod>> = {
  '3.0': 'CVSSv3',
  '3.1': 'CVSSv31',
  '4.0': 'CVSSv4',
};

function ratingOf(f: ScanFinding, source: AdvisorySource): CdxRating {
  if (f.cvss) {
    const severity: CdxSeverity =
      f.informational !== undefined && f.severity === 'none' ? 'info' : f.severity;
    return {
      source,
      score: f.cvss.score,
      severity,
      method: METHOD[f.cvss.version] ?? 'other',
      vector: f.cvss.vector,
    };
  }
  if (f.informational !== undefined) return { source, severity: 'info', method: 'other' };
  return { source, severity: f.severity_source === 'none' ? 'unknown' : f.severity, method: 'other' };
}

function componentOf(pkg: ScannedPackage): Omit<CdxComponent, 'properties'> {
  const purl = pkg.purl ?? purlOf(pkg.ecosystem, pkg.name, pkg.version);
  const slash = pkg.ecosystem === 'npm' && pkg.name.startsWith('@') ? pkg.name.indexOf('/') : -1;
  const base = { type: 'library' as const, 'bom-ref': purl, name: pkg.name, version: pkg.version, purl };
  return slash > 0 ? { ...base, group: pkg.name.slice(0, slash), name: pkg.name.slice(slash + 1) } : base;
}

export function toCycloneDx(result: ScanResult, options: CycloneDxOptions = {}): CycloneDxBom {
  const components = new Map<string, CdxComponent>();
  const refOf = (pkg: ScannedPackage, lockfile: string): string => {
    const c = componentOf(pkg);
    const held = components.get(c['bom-ref']);
    const prop = { name: 'bulwark:lockfile', value: lockfile };
    if (!held) components.set(c['bom-ref'], { ...c, properties: [prop] });
    else if (!held.properties.some((p) => p.value === lockfile)) held.properties.push(prop);
    return c['bom-ref'];
  };

  const vulns = new Map<string, { findings: ScanFinding[]; refs: Map<string, string> }>();
  for (const lf of result.lockfiles) {
    for (const pkg of lf.packages) refOf(pkg, lf.path);
    for (const f of lf.findings) {
      const ref = refOf(
        { name: f.package, version: f.version, ecosystem: f.ecosystem, purl: f.purl },
        lf.path,
      );
      const v = vulns.get(f.id) ?? { findings: [], refs: new Map<string, string>() };
      v.findings.push(f);
      v.refs.set(ref, f.version);
      vulns.set(f.id, v);
    }
  }

  const vulnerabilities: CdxVulnerability[] = [...vulns.keys()].sort().map((id) => {
    const { findings, refs } = vulns.get(id) as { findings: ScanFinding[]; refs: Map<string, string> };
    const first = findings[0] as ScanFinding;
    const source = advisorySource(id);
    // The highest-rated finding speaks for the vulnerability (severity may differ per package).
    const rated = findings.reduce((a, b) => ((b.cvss?.score ?? -1) > (a.cvss?.score ?? -1) ? b : a));
    const recommendations = [...new Set(findings.map((f) => recommendation(f)))];
    const v: CdxVulnerability = {
      'bom-ref': `vuln:${id}`,
      id,
      source,
      references: first.ids.filter((x) => x !== id).map((x) => ({ id: x, source: advisorySource(x) })),
      ratings: [ratingOf(rated, source)],
      description: first.summary,
      recommendation: recommendations.join(' '),
      advisories: [source.url, ...first.references]
        .filter((u, i, all) => all.indexOf(u) === i)
        .map((url) => ({ url })),
      affects: [...refs.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([ref, version]) => ({ ref, versions: [{ version, status: 'affected' as const }] })),
      properties: [],
    };
    if (first.informational !== undefined)
      v.properties.push({ name: 'bulwark:informational', value: first.informational });
    if (findings.every((f) => approvalHolds(f, result.scanned_at))) {
      const details = findings.flatMap((f) =>
        f.approval
          ? [
              `${f.approval.approved_by}: ${f.approval.reason}${f.approval.expires_at ? ` (until ${f.approval.expires_at})` : ''}`,
            ]
          : [],
      );
      v.analysis = {
        response: ['will_not_fix'],
        detail: details.length > 0 ? `Approved by ${[...new Set(details)].join('; ')}` : 'Approved',
      };
    }
    return v;
  });

  const tool = {
    type: 'application' as const,
    name: result.tool?.name ?? DEFAULT_TOOL_NAME,
    ...(result.tool?.version ? { version: result.tool.version } : {}),
  };
  return {
    $schema: CYCLONEDX_SCHEMA_URI,
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: options.serialNumber ?? `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: { timestamp: result.scanned_at, tools: { components: [tool] } },
    components: [...components.values()].sort((a, b) =>
      a['bom-ref'] < b['bom-ref'] ? -1 : a['bom-ref'] > b['bom-ref'] ? 1 : 0,
    ),
    vulnerabilities,
  };
}
