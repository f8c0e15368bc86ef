/**
 * Version ordering per ecosystem.
 *
 * npm and crates.io both version by SemVer 2.0, and OSV orders their versions by SemVer 2.0
 * precedence (§11): numeric major.minor.patch, a pre-release sorts below its release, and build
 * metadata is ignored (`1.2.3+a` = `1.2.3+b`). That is what `semver.compare` does, so the
 * `semver` library decides for every string it can parse strictly. (Cargo's own `semver` crate
 * breaks ties between equal versions by their build metadata when sorting; that tie-break is not
 * precedence, OSV and osv-scanner ignore it, and crates.io refuses to publish two versions that
 * differ only in build metadata, so ignoring it loses nothing.)
 *
 * Strings the library refuses (a huge component, a missing one, leading zeros, a fourth
 * component) fall back to osv-scalibr's lenient SemVer-like ordering (semver-like.ts), which
 * agrees with SemVer on every strict version, so the two paths form one total order.
 */
import semver, { type SemVer } from 'semver';
import type { Ecosystem } from './ecosystem.js';
import { compareSemverLike, parseSemverLike, type SemverLike } from './semver-like.js';

/** A version parsed once, for comparing many times (range bounds, scanned packages). */
export interface ParsedVersion {
  readonly raw: string;
  readonly ecosystem: Ecosystem;
  /** The strict SemVer parse, or null when the string is not strict SemVer 2.0 (leading `v` allowed). */
  readonly strict: SemVer | null;
  /** Lazily computed lenient form; only needed when one side is not strict. */
  lenient: SemverLike | undefined;
}

export function parseVersion(ecosystem: Ecosystem, raw: string): ParsedVersion {
  // Non-loose: loose mode would also accept `=1.2.3` and odd spacing; the fallback covers the rest.
  return { raw, ecosystem, strict: semver.parse(raw), lenient: undefined };
}

/** True when the `semver` library parses the string strictly (no scalibr fallback needed). */
export const isStrictVersion = (v: ParsedVersion): boolean => v.strict !== null;

function lenientOf(v: ParsedVersion): SemverLike {
  return (v.lenient ??= parseSemverLike(v.raw));
}

/** -1, 0 or 1 as `a` sorts before, equal to (by precedence) or after `b`. */
export function compareParsed(a: ParsedVersion, b: ParsedVersion): -1 | 0 | 1 {
  if (a.strict !== null && b.strict !== null) return a.strict.compare(b.strict);
  return compareSemverLike(lenientOf(a), lenientOf(b));
}

/**
 * Compares two version strings of one ecosystem: -1 when a < b, 0 when they have equal
 * precedence, 1 when a > b. Never throws: every string has a place in the order.
 */
export function compareVersions(ecosystem: Ecosystem, a: string, b: string): -1 | 0 | 1 {
  return compareParsed(parseVersion(ecosystem, a), parseVersion(ecosystem, b));
}
