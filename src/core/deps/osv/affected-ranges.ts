/**
 * OSV's evaluation algorithm (https://ossf.github.io/osv-schema/#evaluation) over one
 * `affected[]` entry, with its ranges compiled once so that matching is only comparisons.
 *
 * - Each range is evaluated on its own; a version is affected if any range (or the `versions`
 *   list) says so.
 * - Within a range, events are sorted by version and walked: `introduced` (inclusive; "0" sorts
 *   before everything) sets affected, `fixed` (exclusive) and `last_affected` (inclusive) clear it.
 * - `limit` events bound the range from above (exclusive; "*" is infinity); without any, the range
 *   is unbounded.
 * - SEMVER and ECOSYSTEM ranges are ordered by the package's ecosystem ordering (for npm and
 *   crates.io both are SemVer 2.0 precedence). GIT ranges (commit hashes) need the repository's
 *   history and are skipped, without hiding the entry's other ranges or its `versions` list.
 */
import type { Ecosystem } from '../versions/ecosystem.js';
import { compareParsed, parseVersion, type ParsedVersion } from '../versions/compare.js';
import { eventOf, type OsvAffected, type OsvEventKind } from './record.js';

/** "0" for introduced; "*" for limit. */
type Bound = ParsedVersion | 'min' | 'max';

interface CompiledEvent {
  kind: Exclude<OsvEventKind, 'limit'>;
  at: Bound;
}

export interface CompiledRange {
  /** Sorted by version; ties keep the record's order. */
  events: CompiledEvent[];
  /** Null when the range has no limit event (implicit "*"). */
  limits: Bound[] | null;
}

export interface CompiledAffected {
  ranges: CompiledRange[];
  versions: ParsedVersion[];
}

function compareBound(a: Bound, b: Bound): number {
  if (a === b) return 0; // same sentinel (or same object)
  if (a === 'min' || b === 'max') return -1;
  if (a === 'max' || b === 'min') return 1;
  return compareParsed(a, b);
}

/** v compared with a bound: negative when v sorts before it. */
function compareToBound(v: ParsedVersion, bound: Bound): number {
  if (bound === 'min') return 1;
  if (bound === 'max') return -1;
  return compareParsed(v, bound);
}

const isMatchable = (type: string): boolean => type === 'SEMVER' || type === 'ECOSYSTEM';

export function compileAffected(ecosystem: Ecosystem, affected: OsvAffected): CompiledAffected {
  const ranges: CompiledRange[] = [];
  for (const range of affected.ranges) {
    if (!isMatchable(range.type)) continue; // GIT, or a type this version of the schema does not know
    const events: CompiledEvent[] = [];
    let limits: Bound[] | null = null;
    for (const e of range.events) {
      const { kind, version } = eventOf(e);
      if (kind === 'limit') {
        (limits ??= []).push(version === '*' ? 'max' : parseVersion(ecosystem, version));
      } else {
        events.push({
          kind,
          at: kind === 'introduced' && version === '0' ? 'min' : parseVersion(ecosystem, version),
        });
      }
    }
    // Array.prototype.sort is stable, so events at one version keep the record's order.
    events.sort((a, b) => compareBound(a.at, b.at));
    ranges.push({ events, limits });
  }
  return { ranges, versions: affected.versions.map((v) => parseVersion(ecosystem, v)) };
}

function beforeLimits(v: ParsedVersion, range: CompiledRange): boolean {
  if (range.limits === null) return true;
  return range.limits.some((limit) => compareToBound(v, limit) < 0);
}

/** The OSV walk over one range's sorted events. */
export function rangeIncludes(v: ParsedVersion, range: CompiledRange): boolean {
  if (!beforeLimits(v, range)) return false;
  let affected = false;
  for (const e of range.events) {
    const c = compareToBound(v, e.at);
    // Events are sorted: once v is below an event, no later event can change the outcome.
    if (c < 0) break;
    if (e.kind === 'introduced') affected = true;
    else if (e.kind === 'fixed')
      affected = false; // c >= 0: v >= fixed
    else if (c > 0) affected = false; // last_affected: v > last_affected
  }
  return affected;
}

export interface AffectedHit {
  /** Ranges that include the version (empty when only the `versions` list matched). */
  ranges: CompiledRange[];
  byVersionsList: boolean;
}

/** Whether `v` is affected by the entry, and by which ranges; null when it is not. */
export function affectedHit(v: ParsedVersion, compiled: CompiledAffected): AffectedHit | null {
  const ranges = compiled.ranges.filter((r) => rangeIncludes(v, r));
  // Equal precedence, not equal text: npm and crates.io cannot publish two versions that differ
  // only in build metadata, so `1.0.0+a` in the list and `1.0.0` in a lockfile are one version.
  const byVersionsList = compiled.versions.some((x) => compareParsed(v, x) === 0);
  return ranges.length > 0 || byVersionsList ? { ranges, byVersionsList } : null;
}

/** `fixed` versions above `v` in the given ranges: candidates for remediation. */
export function fixedAbove(v: ParsedVersion, ranges: readonly CompiledRange[]): ParsedVersion[] {
  const out: ParsedVersion[] = [];
  for (const r of ranges)
    for (const e of r.events)
      if (e.kind === 'fixed' && e.at !== 'min' && e.at !== 'max' && compareParsed(e.at, v) > 0)
        out.push(e.at);
  return out;
}
