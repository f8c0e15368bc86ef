/**
 * CVSS vector parsing (strict) and scoring (by the ae-cvss-calculator library).
 *
 * We parse and validate the vector ourselves against the specification's metric tables
 * (cvss-metrics.ts), build a normalised vector, and only then hand it to the library for the
 * arithmetic. The library is verified against metaeffekt's validation vectors (10,000 v3.1,
 * 120 v3.0, 340 v4.0: test/core/vulns/cvss.test.ts) and agrees on every one; it applies the v3.1
 * integer-based Roundup and the v3.0 plain ceil-to-one-decimal correctly.
 */
import calculator from 'ae-cvss-calculator';
import { BulwarkError, validationError } from '../errors.js';
import { CVSS_METRICS, mandatoryMetrics, type CvssVersion } from './cvss-metrics.js';
import { severityFromScore } from './severity.js';

export type { CvssVersion } from './cvss-metrics.js';
export { severityFromScore, assertCvssScore, SEVERITIES, type Severity } from './severity.js';

export interface CvssScore {
  version: CvssVersion;
  /**
   * For v3.0/v3.1 the Base Score (temporal and environmental metrics in the vector are kept but
   * do not change it). For v4.0 the score of the vector as written: v4.0 has a single score whose
   * name follows the metrics present (CVSS-B, -BT, -BE, -BTE), and no separate "base" figure.
   */
  score: number;
  /** `CVSS:<version>/` then the defined metrics in specification order; `X` (not defined) values dropped. */
  vector: string;
}

const FIELD = 'cvss_vector';
/** A v4.0 vector with every metric defined is about 190 characters; anything far longer is not a vector. */
const MAX_VECTOR_LENGTH = 512;
const PREFIX = /^CVSS:([^/]*)\//;
const SUPPORTED = Object.keys(CVSS_METRICS) as CvssVersion[];
const MANDATORY: Readonly<Record<CvssVersion, string[]>> = {
  '3.0': mandatoryMetrics('3.0'),
  '3.1': mandatoryMetrics('3.1'),
  '4.0': mandatoryMetrics('4.0'),
};

/** Short, printable excerpt of user input for an error message (never the whole input). */
const quote = (s: string): string => JSON.stringify(s.length > 16 ? `${s.slice(0, 16)}…` : s);

const isSupported = (v: string): v is CvssVersion => (SUPPORTED as string[]).includes(v);

function refuse(reason: string): never {
  throw validationError(FIELD, reason);
}

function parseVersion(vector: string): { version: CvssVersion; rest: string } {
  const m = PREFIX.exec(vector);
  if (!m) {
    if (/^cvss:/i.test(vector)) refuse('the prefix must be written in capitals: "CVSS:<version>/"');
    if (/^[A-Za-z]+:[A-Za-z]+(\/|$)/.test(vector)) {
      // A bare metric list is how v2 vectors (and some old v3.0 data) are written: which version
      // it means cannot be told from the metrics alone, so the caller must say.
      refuse('missing the version prefix: a vector must start with CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/');
    }
    refuse('must start with CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/');
  }
  const version = m[1] ?? '';
  if (!isSupported(version))
    refuse(`unsupported CVSS version ${quote(version)} (supported: ${SUPPORTED.join(', ')})`);
  return { version, rest: vector.slice(m[0].length) };
}

/** Validates every metric and returns the defined ones (name → value). Throws on the first fault. */
function parseMetrics(version: CvssVersion, rest: string): Map<string, string> {
  const table = CVSS_METRICS[version];
  const seen = new Map<string, string>();
  const parts = rest.split('/');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    if (part === '') refuse(`empty metric at position ${i + 1} (a stray "/")`);
    const colon = part.indexOf(':');
    if (colon <= 0 || colon !== part.lastIndexOf(':')) refuse(`${quote(part)} is not a METRIC:VALUE pair`);
    const name = part.slice(0, colon);
    const value = part.slice(colon + 1);
    const spec = table.get(name);
    if (!spec) refuse(`unknown metric ${quote(name)} for CVSS ${version}`);
    if (seen.has(name)) refuse(`metric ${name} appears more than once`);
    if (!spec.values.includes(value)) {
      if (value === 'X' && spec.mandatory)
        refuse(`base metric ${name} must have a value; X (not defined) is not allowed for it`);
      const caseHint = spec.values.some((v) => v.toLowerCase() === value.toLowerCase())
        ? '; values are case-sensitive'
        : '';
      refuse(`bad value ${quote(value)} for metric ${name} (allowed: ${spec.values.join(', ')}${caseHint})`);
    }
    seen.set(name, value);
  }
  const missing = MANDATORY[version].filter((name) => !seen.has(name));
  if (missing.length > 0)
    refuse(`missing mandatory metric${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  return seen;
}

function normalise(version: CvssVersion, metrics: Map<string, string>): string {
  let out = `CVSS:${version}`;
  for (const name of CVSS_METRICS[version].keys()) {
    const value = metrics.get(name);
    if (value !== undefined && value !== 'X') out += `/${name}:${value}`;
  }
  return out;
}

function compute(version: CvssVersion, normalised: string): number {
  let raw: number | undefined;
  switch (version) {
    case '3.0':
      raw = new calculator.Cvss3P0(normalised).calculateScores().base;
      break;
    case '3.1':
      raw = new calculator.Cvss3P1(normalised).calculateScores().base;
      break;
    case '4.0':
      raw = new calculator.Cvss4P0(normalised).calculateScores().overall;
      break;
  }
  if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < 0 || raw > 10) {
    // Cannot happen for a vector that passed parseMetrics; if it does, it is our bug, not the caller's.
    throw new BulwarkError('internal', 'CVSS calculation failed', { details: { vector: normalised } });
  }
  return Math.round(raw * 10) / 10;
}

// Vectors repeat a lot (advisory imports carry a few hundred distinct ones) and v4.0 scoring
// walks the MacroVector table, so remember recent results. Bounded: cleared when full.
const CACHE_LIMIT = 2048;
const cache = new Map<string, CvssScore>();

/**
 * Parses, validates and scores a CVSS v3.0, v3.1 or v4.0 vector string.
 *
 * Strict: the `CVSS:<version>/` prefix is required (exact case), every base metric must be
 * present with a real value, no metric may repeat, and metric names and values must be the
 * specification's (values are case-sensitive, e.g. v4.0 `U:Amber`). Metrics may come in any order
 * (some tools emit them out of order); the returned vector is normalised to specification order.
 * Surrounding whitespace is ignored.
 *
 * @throws BulwarkError validation_failed with field `cvss_vector` and the reason.
 */
export function scoreCvssVector(vector: string): CvssScore {
  if (typeof vector !== 'string') refuse(`must be a string, got ${vector === null ? 'null' : typeof vector}`);
  const input = vector.trim();
  const hit = cache.get(input);
  if (hit) return { ...hit };
  if (input === '') refuse('is empty');
  if (input.length > MAX_VECTOR_LENGTH)
    refuse(`is too long to be a CVSS vector (at most ${MAX_VECTOR_LENGTH} characters)`);

  const { version, rest } = parseVersion(input);
  const metrics = parseMetrics(version, rest);
  const normalised = normalise(version, metrics);
  const result: CvssScore = { version, score: compute(version, normalised), vector: normalised };

  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(input, result);
  return { ...result };
}

/** Scores a vector and gives its severity band; throws (field `cvss_vector`) for a 0.0 vector. */
export function severityFromVector(
  vector: string,
): CvssScore & { severity: ReturnType<typeof severityFromScore> } {
  const scored = scoreCvssVector(vector);
  return { ...scored, severity: severityFromScore(scored.score, FIELD) };
}
