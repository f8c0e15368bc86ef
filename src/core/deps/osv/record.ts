/**
 * The subset of the OSV record (https://ossf.github.io/osv-schema/) that scanning needs.
 * Arrays the schema allows to be absent or null are normalised to empty arrays by the parser, so
 * callers never need to tell "missing" from "empty".
 */

/** Free-form JSON object (`database_specific`, `ecosystem_specific`): kept as the database wrote it. */
export type JsonObject = { [key: string]: unknown };

/** GIT, SEMVER and ECOSYSTEM are the schema's types; any other is kept but never matched. */
export type OsvRangeType = 'GIT' | 'SEMVER' | 'ECOSYSTEM' | (string & {});

/** Exactly one of the four kinds (schema: "Only a single type is allowed in each event object"). */
export type OsvEvent =
  { introduced: string } | { fixed: string } | { last_affected: string } | { limit: string };

export interface OsvRange {
  type: OsvRangeType;
  repo?: string;
  events: OsvEvent[];
  database_specific?: JsonObject;
}

/** `type` is CVSS_V2, CVSS_V3, CVSS_V4 or Ubuntu in the schema; `score` is a vector (or label). */
export interface OsvSeverity {
  type: string;
  score: string;
}

export interface OsvPackage {
  ecosystem: string;
  name: string;
  purl?: string;
}

export interface OsvAffected {
  /** Optional in the schema (a GIT-only entry may have none); such entries never match a package. */
  package?: OsvPackage;
  severity: OsvSeverity[];
  ranges: OsvRange[];
  versions: string[];
  ecosystem_specific?: JsonObject;
  database_specific?: JsonObject;
}

export interface OsvReference {
  type: string;
  url: string;
}

export interface OsvRecord {
  schema_version?: string;
  id: string;
  modified: string;
  published?: string;
  withdrawn?: string;
  aliases: string[];
  related: string[];
  upstream: string[];
  summary?: string;
  details?: string;
  severity: OsvSeverity[];
  affected: OsvAffected[];
  references: OsvReference[];
  database_specific?: JsonObject;
}

export type OsvEventKind = 'introduced' | 'fixed' | 'last_affected' | 'limit';

/** The kind and version of an event (the parser guarantees exactly one key). */
export function eventOf(event: OsvEvent): { kind: OsvEventKind; version: string } {
  if ('introduced' in event) return { kind: 'introduced', version: event.introduced };
  if ('fixed' in event) return { kind: 'fixed', version: event.fixed };
  if ('last_affected' in event) return { kind: 'last_affected', version: event.last_affected };
  return { kind: 'limit', version: event.limit };
}
