/**
 * The severity of an OSV record, as the dependency manifest's `severity_max` needs it.
 *
 * 1. The highest CVSS base score among the record's vectors (top-level `severity[]` and the
 *    per-package `affected[].severity[]`), banded as CVSS v3.1 §5 / v4.0 say: 0.1–3.9 low,
 *    4.0–6.9 medium, 7.0–8.9 high, 9.0–10.0 critical (0.0 is none). Scoring is done by
 *    src/core/vulns/cvss.ts (the ae-cvss-calculator library behind a strict vector parser).
 * 2. Else the advisory's own label: GitHub's `database_specific.severity` (MODERATE → medium),
 *    or an `Ubuntu` severity entry.
 * 3. Else 'none'.
 *
 * RustSec marks advisories that are not vulnerabilities (unmaintained crates, unsound APIs,
 * notices) with `informational`; they are reported as such, beside the severity.
 */
import { scoreCvssVector, type CvssVersion } from '../../vulns/cvss.js';
import type { OsvAffected, OsvRecord, OsvSeverity } from './record.js';

export const SEVERITY_LEVELS = ['critical', 'high', 'medium', 'low', 'none'] as const;
export type SeverityLevel = (typeof SEVERITY_LEVELS)[number];

/** For sorting: critical 4 … none 0. */
export const SEVERITY_LEVEL_RANK: Readonly<Record<SeverityLevel, number>> = {
  critical: 4,
  high: 3,
  medium: 2,
  low: 1,
  none: 0,
};

/** RustSec's kinds are unmaintained, unsound and notice; another database's word is kept as is. */
export type InformationalKind = 'unmaintained' | 'unsound' | 'notice' | (string & {});

export interface CvssRating {
  version: CvssVersion;
  score: number;
  vector: string;
}

export interface RecordSeverity {
  level: SeverityLevel;
  /** Where the level came from. */
  source: 'cvss' | 'advisory' | 'none';
  /** The vector that gave the highest score, when the level came from CVSS. */
  cvss?: CvssRating;
  /** Set when the advisory is informational rather than a vulnerability. */
  informational?: InformationalKind;
  /** Vectors that could not be scored (malformed, or CVSS v2 which the scorer does not cover). */
  unscored?: string[];
}

/** The CVSS qualitative band of a score (compared on tenths so 6.9/7.0 fall on the right side). */
export function severityLevelOfScore(score: number): SeverityLevel {
  const tenths = Math.round(score * 10);
  if (tenths >= 90) return 'critical';
  if (tenths >= 70) return 'high';
  if (tenths >= 40) return 'medium';
  if (tenths >= 1) return 'low';
  return 'none';
}

const LABELS: Readonly<Record<string, SeverityLevel>> = {
  critical: 'critical',
  high: 'high',
  moderate: 'medium',
  medium: 'medium',
  low: 'low',
  negligible: 'low',
  untriaged: 'none',
  none: 'none',
};

/** An advisory's own severity word (GitHub: LOW/MODERATE/HIGH/CRITICAL, any case) as a level. */
export function severityLevelOfLabel(label: unknown): SeverityLevel | undefined {
  return typeof label === 'string' ? LABELS[label.trim().toLowerCase()] : undefined;
}

const CVSS_TYPES = new Set(['CVSS_V2', 'CVSS_V3', 'CVSS_V4']);

function informationalOf(record: OsvRecord, affected: readonly OsvAffected[]): InformationalKind | undefined {
  const top = record.database_specific?.['informational'];
  if (typeof top === 'string' && top !== '') return top;
  for (const a of affected) {
    const kind = a.database_specific?.['informational'];
    if (typeof kind === 'string' && kind !== '') return kind;
  }
  return undefined;
}

/**
 * Severity of `record`. With `affected`, only those entries' per-package severities count (the
 * entries that matched a package); without it, all of them.
 */
export function severityOf(
  record: OsvRecord,
  affected: readonly OsvAffected[] = record.affected,
): RecordSeverity {
  const entries: OsvSeverity[] = [...record.severity];
  for (const a of affected) entries.push(...a.severity);

  let best: CvssRating | undefined;
  const unscored: string[] = [];
  let label: SeverityLevel | undefined;
  for (const s of entries) {
    if (CVSS_TYPES.has(s.type)) {
      try {
        const scored = scoreCvssVector(s.score);
        if (best === undefined || scored.score > best.score) best = scored;
      } catch {
        unscored.push(s.score);
      }
    } else if (s.type === 'Ubuntu') {
      label ??= severityLevelOfLabel(s.score);
    }
  }
  label = severityLevelOfLabel(record.database_specific?.['severity']) ?? label;

  const informational = informationalOf(record, affected);
  const result: RecordSeverity = best
    ? { level: severityLevelOfScore(best.score), source: 'cvss', cvss: best }
    : label
      ? { level: label, source: 'advisory' }
      : { level: 'none', source: 'none' };
  if (informational !== undefined) result.informational = informational;
  if (unscored.length > 0) result.unscored = unscored;
  return result;
}

/** The more severe of two (CVSS-backed wins a tie, so a score is shown where one exists). */
export function worseSeverity(a: RecordSeverity, b: RecordSeverity): RecordSeverity {
  const d = SEVERITY_LEVEL_RANK[a.level] - SEVERITY_LEVEL_RANK[b.level];
  if (d !== 0) return d > 0 ? a : b;
  if (a.cvss && b.cvss) return a.cvss.score >= b.cvss.score ? a : b;
  return a.cvss ? a : b.cvss ? b : a;
}
