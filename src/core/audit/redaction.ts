/**
 * Redaction of audit metadata before it is written: credentials and PII never reach the store.
 *
 * Three layers, applied to a deep copy at any depth:
 * 1. by key — a value under a sensitive key (password, token, api_key, cookie, cvv, …; see
 *    sensitive-keys.ts, case- and separator-insensitive) is replaced whole: `[REDACTED:password]`.
 *    null, booleans and empty strings are kept (they reveal nothing, and "no password" is a fact).
 * 2. secrets by value, anywhere inside any string (JWTs, provider keys, PEM private keys, bearer
 *    and basic credentials, `name=value` assignments, long random tokens; see secret-patterns.ts).
 * 3. PII by value (e-mail, phone, Luhn-valid card numbers; see pii-patterns.ts), plus configured
 *    patterns. Integers of 13–19 digits that are card numbers are redacted too.
 *
 * A marker names the kind: `[REDACTED:jwt]`; with an `hmacKey`, `[REDACTED:email:ab12cd34ef56]`
 * (first 12 hex digits of HMAC-SHA256 over the value) so equal values stay correlatable without
 * being readable.
 *
 * Speed: this runs on every audit write. A string is scanned once for cheap features (digits, `@`,
 * longest token run); a single keyword regex decides whether any secret detector can apply; each
 * detector then needs one of its own keywords in the lower-cased text. Most metadata strings are
 * settled by the first scan alone. Key classification is memoised.
 *
 * Guards: nesting deeper than `maxDepth` (32) becomes `[TRUNCATED:depth]`, values past
 * `maxNodes` (10,000) become `[TRUNCATED:size]`; cycles therefore end at the depth guard.
 * Non-JSON values: Dates become ISO strings, bigints strings; undefined, functions and symbols are
 * dropped (null inside arrays).
 */
import { createHmac } from 'node:crypto';
import { type Detector, type Span, type TextFeatures, regexDetector } from './detector.js';
import { canonicalJson, jsonString } from './canonical-json.js';
import { PII_DETECTORS, PII_KINDS, isCardNumber, normalizeForHash } from './pii-patterns.js';
import { buildSecretDetectors } from './secret-patterns.js';
import { createKeyClassifier, normalizeKeyName } from './sensitive-keys.js';
import { hasControlChars, neutralizeControlChars, setOwn } from './sanitize.js';

export interface RedactorOptions {
  /** More key names to treat as sensitive (matched case- and separator-insensitively). */
  extraKeys?: readonly string[];
  /** More value patterns; each match becomes `[REDACTED:<kind>]`. The g flag is added if missing. */
  extraPatterns?: ReadonlyArray<{ kind: string; regex: RegExp }>;
  /** When set, markers carry a truncated HMAC-SHA256 of the value, keyed with this. */
  hmacKey?: Buffer | Uint8Array;
  /** Nesting depth past which values are replaced by `[TRUNCATED:depth]` (default 32). */
  maxDepth?: number;
  /** Values visited past which the rest becomes `[TRUNCATED:size]` (default 10,000). */
  maxNodes?: number;
}

/** Per-walk transforms (prepareMetadata uses them to neutralise control characters in the same pass). */
export interface WalkHooks {
  mapString?: (s: string) => string;
  mapKey?: (k: string) => string;
}

export interface Redactor {
  /** Redacted deep copy of a JSON-like value. */
  (value: unknown): unknown;
  redact(value: unknown, hooks?: WalkHooks): unknown;
  /** `s` with every secret and PII span replaced by its marker. */
  redactString(s: string): string;
  /**
   * Whether a secret rule (or a configured pattern) would change `s`; PII alone does not count.
   * For identifiers that are kept as given, such as an approver's e-mail address.
   */
  holdsSecret(s: string): boolean;
  /** The kind a key's value is redacted as, or null when the key is not sensitive. */
  keyKind(key: string): string | null;
  /** The marker for `original` of `kind`. */
  marker(kind: string, original: string): string;
  /**
   * Canonical JSON of `prepareMetadata(value)` (redacted, then strings and keys neutralised): the
   * text an audit row's hash covers. Equal to `canonicalJson(prepareMetadata(value, redactor))`.
   */
  preparedJson(value: unknown): string;
}

export const TRUNCATED_DEPTH = '[TRUNCATED:depth]';
export const TRUNCATED_SIZE = '[TRUNCATED:size]';
/** Strings shorter than this cannot hold anything we redact (the shortest is `a@b.co`). */
const MIN_SCAN_LENGTH = 6;
const HMAC_HEX_CHARS = 12;
/** Longest string, and most strings, the redactor remembers as holding nothing to redact. */
const CLEAN_MEMO_MAX_LENGTH = 256;
const CLEAN_MEMO_LIMIT = 4096;

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const NO_SPANS: readonly Span[] = Object.freeze([]);

/** Whether `lower` holds any of `keywords` (a loop: no closure made per detector per string). */
function holdsAny(lower: string, keywords: readonly string[]): boolean {
  for (let i = 0; i < keywords.length; i++) if (lower.includes(keywords[i] as string)) return true;
  return false;
}

/** One pass over the string for the facts the detector gates need. */
function textFeatures(s: string): TextFeatures {
  let digits = 0;
  let at = false;
  let separator = false;
  let run = 0;
  let longestRun = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const isDigit = c >= 48 && c <= 57;
    if (isDigit) digits++;
    else if (c === 64) at = true;
    else if (c === 61 || c === 58 || c === 44) separator = true;
    if (
      isDigit ||
      (c >= 65 && c <= 90) ||
      (c >= 97 && c <= 122) ||
      c === 43 ||
      c === 61 ||
      c === 95 ||
      c === 45
    ) {
      if (++run > longestRun) longestRun = run;
    } else run = 0;
  }
  return { digits, at, longestRun, separator };
}

/** Builds a redactor. Cheap to call, but build one per configuration and reuse it (it caches). */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const maxDepth = options.maxDepth ?? 32;
  const maxNodes = options.maxNodes ?? 10_000;
  const hmacKey = options.hmacKey ? Buffer.from(options.hmacKey) : undefined;
  const extraKeys = options.extraKeys ?? [];
  const keyKind = createKeyClassifier(extraKeys);

  const extraKeywords = extraKeys
    .flatMap((k) => [k.toLowerCase(), normalizeKeyName(k)])
    .filter((k) => k.length > 0);
  const secretDetectors = buildSecretDetectors(keyKind, extraKeywords);
  // Keyword-gated detectors run only when this one regex finds any of their keywords.
  const keywords = [...new Set(secretDetectors.flatMap((d) => d.keywords))];
  const keywordGate = new RegExp(keywords.map(escapeRegex).join('|'), 'i');
  const keywordDetectors = secretDetectors.filter((d) => d.keywords.length > 0);
  const ungatedDetectors: Detector[] = [
    ...secretDetectors.filter((d) => d.keywords.length === 0),
    ...PII_DETECTORS,
    ...(options.extraPatterns ?? []).map((p) =>
      regexDetector({ kind: p.kind, keywords: [], regex: p.regex }),
    ),
  ];
  const piiKinds: ReadonlySet<string> = new Set(PII_KINDS);

  const marker = (kind: string, original: string): string => {
    if (!hmacKey) return `[REDACTED:${kind}]`;
    const basis = piiKinds.has(kind) ? normalizeForHash(kind, original) : original;
    const mac = createHmac('sha256', hmacKey).update(basis).digest('hex').slice(0, HMAC_HEX_CHARS);
    return `[REDACTED:${kind}:${mac}]`;
  };

  /**
   * Every span a detector finds in `s`; `withPii: false` skips the PII detectors. Detectors fill
   * one scratch array (nothing they call comes back here), copied out only when something was
   * found: most strings find nothing and allocate nothing.
   */
  const scratch: Span[] = [];
  function findSpans(s: string, withPii: boolean): readonly Span[] {
    if (s.length < MIN_SCAN_LENGTH) return NO_SPANS;
    const spans = scratch;
    spans.length = 0;
    const f = textFeatures(s);
    let priority = 0;
    if (keywordGate.test(s)) {
      const lower = s.toLowerCase();
      for (let i = 0; i < keywordDetectors.length; i++) {
        const d = keywordDetectors[i] as Detector;
        priority++;
        if ((d.gate === undefined || d.gate(f)) && holdsAny(lower, d.keywords)) d.scan(s, spans, priority);
      }
    }
    for (let i = 0; i < ungatedDetectors.length; i++) {
      const d = ungatedDetectors[i] as Detector;
      priority++;
      if (!withPii && piiKinds.has(d.kind)) continue;
      if (d.gate === undefined || d.gate(f)) d.scan(s, spans, priority);
    }
    return spans.length === 0 ? NO_SPANS : spans.splice(0);
  }

  /**
   * Short strings this redactor found nothing in: audit metadata repeats the same routes, reasons,
   * user agents and actions in event after event, and the detectors would only find nothing again
   * (they are pure functions of the text and this redactor's configuration). Only strings with
   * nothing to redact are kept, so no secret or PII is held here; they are the text the ledger
   * stores as is. Bounded (cleared when full) like the key classifier's memo. Each maps to its
   * JSON literal once neutralised, which is what the metadata walk writes.
   */
  const clean = new Map<string, string>();
  function redactString(s: string): string {
    if (s.length < MIN_SCAN_LENGTH) return s;
    const memo = s.length <= CLEAN_MEMO_MAX_LENGTH;
    if (memo && clean.has(s)) return s;
    const spans = findSpans(s, true) as Span[];
    if (spans.length === 0) {
      if (memo) {
        if (clean.size >= CLEAN_MEMO_LIMIT) clean.clear();
        clean.set(s, jsonString(neutralizeControlChars(s)));
      }
      return s;
    }
    return applySpans(s, s.includes('[REDACTED:') ? outsideMarkers(s, spans) : spans, marker);
  }

  function redactNumber(n: number): unknown {
    // Card numbers stored as JSON numbers (13–19 digits; beyond 2^53 they are already imprecise).
    if (Number.isInteger(n) && n >= 1e12 && n < 1e19) {
      const digits = String(n);
      if (isCardNumber(digits)) return marker('card', digits);
    }
    return n;
  }

  function redactKeyed(kind: string, value: unknown): unknown {
    if (value === null || value === undefined || typeof value === 'boolean' || value === '') return value;
    let original: string;
    if (typeof value === 'string') original = value;
    else {
      try {
        original = canonicalJson(value);
      } catch {
        original = String(value);
      }
    }
    return marker(kind, original);
  }

  function redact(value: unknown, hooks: WalkHooks = {}): unknown {
    const mapString = hooks.mapString;
    const mapKey = hooks.mapKey;
    let nodes = 0;
    const walk = (v: unknown, depth: number): unknown => {
      if (++nodes > maxNodes) return TRUNCATED_SIZE;
      switch (typeof v) {
        case 'string': {
          const r = redactString(v);
          return mapString ? mapString(r) : r;
        }
        case 'number':
          return redactNumber(v);
        case 'boolean':
          return v;
        case 'bigint':
          return walk(v.toString(), depth);
        case 'object': {
          if (v === null) return null;
          if (depth >= maxDepth) return TRUNCATED_DEPTH;
          if (Array.isArray(v)) {
            const out = new Array<unknown>(v.length);
            for (let i = 0; i < v.length; i++) out[i] = walk(v[i], depth + 1) ?? null;
            return out;
          }
          if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
          const out: Record<string, unknown> = {};
          const obj = v as Record<string, unknown>;
          for (const k of Object.keys(obj)) {
            const child = obj[k];
            if (child === undefined || typeof child === 'function' || typeof child === 'symbol') continue;
            const kind = keyKind(k);
            const r = kind === null ? walk(child, depth + 1) : redactKeyed(kind, child);
            setOwn(
              out,
              mapKey ? mapKey(k) : k,
              typeof r === 'string' && kind !== null && mapString ? mapString(r) : r,
            );
          }
          return out;
        }
        default:
          return undefined; // undefined, function, symbol
      }
    };
    return walk(value, 0);
  }

  /**
   * preparedJson's one-pass form: redacts, neutralises and writes canonical JSON in the same walk,
   * with no redacted copy built, sorted and walked again. It covers plain JSON (what validated audit
   * metadata is) and returns undefined, so that the general path decides, for anything where the
   * two-step result depends on more than that: a key holding a control character (neutralised keys
   * can collide, and sort differently), the depth or size guard firing, or a non-JSON value.
   * Within those bounds each step is the general one (redactString, redactNumber, redactKeyed,
   * neutralizeControlChars, jsonString); keys are sorted before the walk instead of after, which
   * only changes the order nodes are counted in, and the count only matters once it passes the
   * guard, where this path gives up.
   */
  let fastNodes = 0;
  /** `"key":` for a key, null when it holds a control character; memoised (keys repeat). */
  const prefixes = new Map<string, string | null>();
  function keyPrefix(k: string): string | null {
    let p = prefixes.get(k);
    if (p === undefined) {
      p = hasControlChars(k) ? null : `${jsonString(k)}:`;
      if (prefixes.size >= CLEAN_MEMO_LIMIT) prefixes.clear();
      prefixes.set(k, p);
    }
    return p;
  }
  function fastPrepared(v: unknown, depth: number): string | undefined {
    if (++fastNodes > maxNodes) return undefined;
    switch (typeof v) {
      case 'string':
        return clean.get(v) ?? jsonString(neutralizeControlChars(redactString(v)));
      case 'number': {
        if (!Number.isFinite(v)) return undefined;
        const r = redactNumber(v);
        return typeof r === 'string' ? jsonString(r) : JSON.stringify(v);
      }
      case 'boolean':
        return v ? 'true' : 'false';
      case 'object': {
        if (v === null) return 'null';
        if (depth >= maxDepth) return undefined;
        if (Array.isArray(v)) {
          let s = '[';
          for (let i = 0; i < v.length; i++) {
            const item = fastPrepared(v[i], depth + 1);
            if (item === undefined) return undefined;
            s += i === 0 ? item : `,${item}`;
          }
          return `${s}]`;
        }
        const proto = Object.getPrototypeOf(v) as unknown;
        if (proto !== Object.prototype && proto !== null) return undefined;
        const obj = v as Record<string, unknown>;
        const keys = Object.keys(obj);
        for (let i = 0; i < keys.length; i++) if (keyPrefix(keys[i] as string) === null) return undefined;
        keys.sort();
        let s = '{';
        let first = true;
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i] as string;
          const child = obj[k];
          if (child === undefined) continue;
          // The general walk drops these members; leave that to it.
          if (typeof child === 'function' || typeof child === 'symbol') return undefined;
          const kind = keyKind(k);
          let text: string | undefined;
          if (kind === null) text = fastPrepared(child, depth + 1);
          else {
            const r = redactKeyed(kind, child);
            if (typeof r === 'string') text = jsonString(neutralizeControlChars(r));
            else if (r === null) text = 'null';
            else if (typeof r === 'boolean') text = r ? 'true' : 'false';
          }
          if (text === undefined) return undefined;
          s += first ? `${keyPrefix(k) as string}${text}` : `,${keyPrefix(k) as string}${text}`;
          first = false;
        }
        return `${s}}`;
      }
      default:
        return undefined;
    }
  }

  const walkHooks: WalkHooks = { mapString: neutralizeControlChars, mapKey: neutralizeControlChars };
  function preparedJson(value: unknown): string {
    fastNodes = 0;
    const fast = fastPrepared(value, 0);
    // Through fn.redact (not the local redact) so a test can tell which path answered.
    return fast ?? canonicalJson(fn.redact(value, walkHooks));
  }

  const fn = ((value: unknown) => redact(value)) as Redactor;
  fn.preparedJson = preparedJson;
  fn.redact = redact;
  fn.redactString = redactString;
  fn.holdsSecret = (s: string) => findSpans(s, false).length > 0;
  fn.keyKind = keyKind;
  fn.marker = marker;
  return fn;
}

const MARKER = /\[REDACTED:[a-z0-9_]+(?::[0-9a-f]{12})?\]/g;

/** Drops spans that touch a marker already in the text, so redacting twice changes nothing. */
function outsideMarkers(s: string, spans: Span[]): Span[] {
  const marks = [...s.matchAll(MARKER)].map((m) => [m.index, m.index + m[0].length] as const);
  return spans.filter((sp) => !marks.some(([a, b]) => sp.start < b && sp.end > a));
}

/** Replaces the (merged) spans of `s` by markers. Overlapping spans merge; the higher-priority kind names the union. */
function applySpans(s: string, spans: Span[], marker: (kind: string, original: string) => string): string {
  spans.sort((a, b) => a.start - b.start || a.priority - b.priority);
  let out = '';
  let pos = 0;
  let i = 0;
  while (i < spans.length) {
    const first = spans[i] as Span;
    let { start, end, kind, priority } = first;
    i++;
    while (i < spans.length && (spans[i] as Span).start < end) {
      const next = spans[i] as Span;
      if (next.end > end) end = next.end;
      if (next.priority < priority) ({ kind, priority } = next);
      i++;
    }
    if (start < pos) start = pos;
    out += s.slice(pos, start) + marker(kind, s.slice(start, end));
    pos = end;
  }
  return out + s.slice(pos);
}

const defaultRedactor = createRedactor();

/** Redacts a string with the default redactor (no HMAC, no extra keys or patterns). */
export const redactString = (s: string): string => defaultRedactor.redactString(s);

/** Redacted deep copy of a JSON-like value with the default redactor. */
export const redact = (value: unknown): unknown => defaultRedactor.redact(value);
