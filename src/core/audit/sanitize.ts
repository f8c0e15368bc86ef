/**
 * Log-injection defence: every control character that could forge a new line or rewrite what a
 * terminal shows is replaced by a visible escape, so one audit entry can never look like two in an
 * export, a log line or a terminal.
 *
 * Neutralised: C0 (U+0000–U+001F), DEL and C1 (U+007F–U+009F, including NEL U+0085), the Unicode
 * line and paragraph separators (U+2028, U+2029), and the bidirectional controls (ALM U+061C,
 * LRM/RLM U+200E/F, LRE..RLO U+202A–U+202E, LRI..PDI U+2066–U+2069, "Trojan Source").
 * CR, LF and TAB become `\r`, `\n`, `\t`; every other one becomes `\uXXXX` (lower-case hex).
 * Backslashes already in the text are left alone: the escape exists to stop forgery, not to make
 * the text reversible.
 */
import type { Redactor } from './redaction.js';

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const CONTROL_G = new RegExp(CONTROL.source, 'g');

const escapeOne = (c: string): string => {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
};

/** `s` with every control, separator and bidi-override character replaced by a visible escape. */
export function neutralizeControlChars(s: string): string {
  // Fast path: most strings hold none, and test() does not allocate.
  return CONTROL.test(s) ? s.replace(CONTROL_G, escapeOne) : s;
}

/** True when `s` holds a character neutralizeControlChars would escape. */
export const hasControlChars = (s: string): boolean => CONTROL.test(s);

const MAX_DEPTH = 64;

/**
 * Deep copy of a JSON value with every string and every object key neutralised. Values past depth
 * 64 become the string `[TRUNCATED:depth]`. Use prepareMetadata to redact in the same walk.
 */
export function sanitizeMetadata(value: unknown): unknown {
  return sanitizeWalk(value, 0);
}

function sanitizeWalk(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return neutralizeControlChars(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[TRUNCATED:depth]';
  if (Array.isArray(value)) return value.map((v) => sanitizeWalk(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    setOwn(out, neutralizeControlChars(k), sanitizeWalk(v, depth + 1));
  return out;
}

/** Assigns without ever touching the prototype (a `__proto__` key becomes an own property). */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/**
 * Redacts and neutralises metadata in one walk: sensitive keys replaced whole, secrets and PII in
 * strings replaced by markers, then every remaining string and key neutralised. Redaction runs
 * first so that patterns that span lines (PEM keys) still match the original text.
 */
export function prepareMetadata(meta: unknown, redactor: Redactor): unknown {
  return redactor.redact(meta, { mapString: neutralizeControlChars, mapKey: neutralizeControlChars });
}
