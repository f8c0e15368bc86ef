/**
 * An in-memory index of OSV advisories, keyed by ecosystem + package name, for matching the
 * packages of a lockfile. Everything that does not depend on the scanned version (range
 * compilation, version parsing of the bounds, severity scoring) is done once in `add`, so `match`
 * is a Map lookup and a few comparisons.
 *
 * Names are matched within their ecosystem only, as OSV says: npm exactly (case-sensitive),
 * crates.io folded for case and `-`/`_` (see packageKeyName). Records for other ecosystems are not
 * indexed. Withdrawn records are not indexed, and a withdrawal removes an earlier version of the
 * same record.
 */
import { isEcosystem, packageKeyName, type Ecosystem } from '../versions/ecosystem.js';
import { compareParsed, parseVersion, type ParsedVersion } from '../versions/compare.js';
import { affectedHit, compileAffected, fixedAbove, type CompiledAffected } from './affected-ranges.js';
import { groupByAliases } from './alias-groups.js';
import { idPreference, isCveId, type AdvisoryFinding, type ScannedPackage } from './finding.js';
import { purlOf } from './purl.js';
import type { OsvAffected, OsvRecord } from './record.js';
import { severityOf, worseSeverity, type RecordSeverity } from './severity.js';

interface IndexedEntry {
  record: OsvRecord;
  affected: OsvAffected;
  compiled: CompiledAffected;
  /** Severity of the record as it applies to this package (its top-level and this entry's vectors). */
  severity: RecordSeverity;
}

export type AddOutcome =
  /** Indexed under at least one package (or replaced an older copy of itself). */
  | 'indexed'
  /** Withdrawn: not indexed (and an earlier copy was removed). */
  | 'withdrawn'
  /** An older `modified` than the copy already indexed: ignored. */
  | 'stale'
  /** No affected package in an ecosystem we scan. */
  | 'no_package';

/** One matched record, before grouping. */
interface RecordHit {
  id: string;
  aliases: readonly string[];
  record: OsvRecord;
  entries: IndexedEntry[];
  severity: RecordSeverity;
  fixedCandidates: ParsedVersion[];
}

const MAX_REFERENCES = 10;

const keyOf = (ecosystem: Ecosystem, name: string): string =>
  `${ecosystem}\u0000${packageKeyName(ecosystem, name)}`;

export class AdvisoryIndex {
  private readonly byPackage = new Map<string, IndexedEntry[]>();
  /** id → the record indexed under it and the package keys it sits under (for replacement). */
  private readonly byId = new Map<string, { record: OsvRecord; keys: string[] }>();
  /** id → `modified` of its withdrawal, so that an older copy arriving later is not indexed again. */
  private readonly withdrawn = new Map<string, number>();

  /** Number of records indexed. */
  get recordCount(): number {
    return this.byId.size;
  }

  /** Number of distinct (ecosystem, package) keys. */
  get packageCount(): number {
    return this.byPackage.size;
  }

  get(id: string): OsvRecord | undefined {
    return this.byId.get(id)?.record;
  }

  add(record: OsvRecord): AddOutcome {
    const modified = Date.parse(record.modified);
    const previous = this.byId.get(record.id);
    if (previous && Date.parse(previous.record.modified) > modified) return 'stale';
    const withdrawnAt = this.withdrawn.get(record.id);
    if (withdrawnAt !== undefined && withdrawnAt > modified) return 'stale';
    if (previous) this.remove(record.id);
    if (record.withdrawn !== undefined) {
      this.withdrawn.set(record.id, modified);
      return 'withdrawn';
    }
    this.withdrawn.delete(record.id);

    const keys: string[] = [];
    for (const affected of record.affected) {
      const pkg = affected.package;
      if (!pkg || !isEcosystem(pkg.ecosystem)) continue;
      const key = keyOf(pkg.ecosystem, pkg.name);
      const entry: IndexedEntry = {
        record,
        affected,
        compiled: compileAffected(pkg.ecosystem, affected),
        severity: severityOf(record, [affected]),
      };
      const bucket = this.byPackage.get(key);
      if (bucket) bucket.push(entry);
      else this.byPackage.set(key, [entry]);
      if (!keys.includes(key)) keys.push(key);
    }
    if (keys.length === 0) return 'no_package';
    this.byId.set(record.id, { record, keys });
    return 'indexed';
  }

  /** Adds many; returns how many ended in each outcome. */
  addAll(records: Iterable<OsvRecord>): Record<AddOutcome, number> {
    const counts: Record<AddOutcome, number> = { indexed: 0, withdrawn: 0, stale: 0, no_package: 0 };
    for (const r of records) counts[this.add(r)]++;
    return counts;
  }

  private remove(id: string): void {
    const held = this.byId.get(id);
    if (!held) return;
    for (const key of held.keys) {
      const kept = (this.byPackage.get(key) ?? []).filter((e) => e.record !== held.record);
      if (kept.length > 0) this.byPackage.set(key, kept);
      else this.byPackage.delete(key);
    }
    this.byId.delete(id);
  }

  /** The findings for one package version: one per vulnerability (alias group). */
  match(pkg: ScannedPackage): AdvisoryFinding[] {
    const bucket = this.byPackage.get(keyOf(pkg.ecosystem, pkg.name));
    if (!bucket) return [];
    const v = parseVersion(pkg.ecosystem, pkg.version);

    const hits = new Map<string, RecordHit>();
    for (const entry of bucket) {
      const hit = affectedHit(v, entry.compiled);
      if (!hit) continue;
      const { record } = entry;
      const fixed = fixedAbove(v, hit.ranges);
      const seen = hits.get(record.id);
      if (seen) {
        seen.entries.push(entry);
        seen.severity = worseSeverity(seen.severity, entry.severity);
        seen.fixedCandidates.push(...fixed);
      } else {
        hits.set(record.id, {
          id: record.id,
          aliases: record.aliases,
          record,
          entries: [entry],
          severity: entry.severity,
          fixedCandidates: fixed,
        });
      }
    }
    if (hits.size === 0) return [];

    const purl = pkg.purl ?? purlOf(pkg.ecosystem, pkg.name, pkg.version);
    return groupByAliases([...hits.values()]).map((group) => this.toFinding(pkg, purl, group, bucket));
  }

  /**
   * Findings for many packages. A lockfile lists one name@version at several paths; it is matched
   * (and reported) once.
   */
  matchAll(packages: Iterable<ScannedPackage>): AdvisoryFinding[] {
    const seen = new Set<string>();
    const out: AdvisoryFinding[] = [];
    for (const p of packages) {
      const key = `${keyOf(p.ecosystem, p.name)}\u0000${p.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(...this.match(p));
    }
    return out;
  }

  private toFinding(
    pkg: ScannedPackage,
    purl: string,
    group: RecordHit[],
    bucket: IndexedEntry[],
  ): AdvisoryFinding {
    const eco = pkg.ecosystem;
    group.sort(
      (a, b) => idPreference(eco, a.id) - idPreference(eco, b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    const primary = group[0] as RecordHit;

    const ids: string[] = [];
    const push = (id: string): void => {
      if (!ids.includes(id)) ids.push(id);
    };
    for (const h of group) push(h.id);
    for (const h of group) for (const a of h.aliases) push(a);

    let severity = primary.severity;
    for (const h of group) severity = worseSeverity(severity, h.severity);
    // A group is informational only if no record in it reports a vulnerability.
    const informational = group.every((h) => h.severity.informational !== undefined)
      ? primary.severity.informational
      : undefined;

    const finding: AdvisoryFinding = {
      package: pkg.name,
      version: pkg.version,
      ecosystem: eco,
      purl,
      id: primary.id,
      ids,
      record_ids: group.map((h) => h.id),
      cves: ids.filter(isCveId),
      severity: severity.level,
      severity_source: severity.source,
      summary: summaryOf(group),
      fixed_versions: fixedVersions(group, bucket),
      references: referencesOf(group),
    };
    if (severity.cvss) finding.cvss = severity.cvss;
    if (informational !== undefined) finding.informational = informational;
    return finding;
  }
}

/**
 * Fix candidates that the whole group agrees on: a `fixed` version of one record is no remedy if
 * another record of the same vulnerability still counts it as affected.
 */
function fixedVersions(group: RecordHit[], bucket: IndexedEntry[]): string[] {
  const records = new Set(group.map((h) => h.record));
  const entries = bucket.filter((e) => records.has(e.record));
  const kept: ParsedVersion[] = [];
  for (const candidate of group.flatMap((h) => h.fixedCandidates)) {
    if (kept.some((k) => compareParsed(k, candidate) === 0)) continue;
    if (entries.some((e) => affectedHit(candidate, e.compiled) !== null)) continue;
    kept.push(candidate);
  }
  return kept.sort(compareParsed).map((p) => p.raw);
}

function summaryOf(group: RecordHit[]): string {
  for (const h of group) if (h.record.summary?.trim()) return h.record.summary.trim();
  for (const h of group) {
    const firstLine = h.record.details?.trim().split('\n', 1)[0];
    if (firstLine) return firstLine.length > 200 ? `${firstLine.slice(0, 199)}…` : firstLine;
  }
  return group[0]?.id ?? '';
}

function referencesOf(group: RecordHit[]): string[] {
  const refs = group.flatMap((h) => h.record.references);
  const ordered = [
    ...refs.filter((r) => r.type === 'ADVISORY'),
    ...refs.filter((r) => r.type !== 'ADVISORY'),
  ];
  const urls: string[] = [];
  for (const r of ordered) {
    if (!/^https?:\/\//i.test(r.url) || urls.includes(r.url)) continue;
    urls.push(r.url);
    if (urls.length === MAX_REFERENCES) break;
  }
  return urls;
}
