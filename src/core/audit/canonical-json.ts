/**
 * Canonical JSON (RFC 8785 / JCS-like): object keys sorted by UTF-16 code units, recursively; no
 * whitespace; numbers and strings serialised exactly as ECMAScript's JSON.stringify does (which is
 * what RFC 8785 prescribes for both). The audit hash chain and the checkpoint signatures are
 * computed over this text, so the same value always yields the same bytes, whichever store
 * returned it and in whatever key order.
 *
 * Refused (a BulwarkError `validation_failed` naming the path): NaN and ±Infinity, `undefined`
 * inside an array, bigint, functions and symbols. `undefined` object members are omitted (as
 * JSON.stringify does). Values with a `toJSON` method (Date) are serialised through it.
 */
import { validationError } from '../errors.js';

/** Canonical JSON text of `value`. Throws validation_failed for values JSON cannot carry. */
export function canonicalJson(value: unknown): string {
  const out = write(value, '$');
  if (out === undefined) throw validationError('$', 'is not representable as JSON');
  return out;
}

/** True when `text` is already the canonical form of the JSON it holds. */
export function isCanonicalJson(text: string): boolean {
  try {
    return canonicalJson(JSON.parse(text)) === text;
  } catch {
    return false;
  }
}

// Strings that need no escaping (the common case for ids, enums and hashes) skip JSON.stringify.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\u009f\u2028\u2029\ud800-\udfff]/;

/** JSON string literal of s (same output as JSON.stringify, faster for plain strings). */
export function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

function write(value: unknown, path: string): string | undefined {
  switch (typeof value) {
    case 'string':
      return jsonString(value);
    case 'number':
      if (!Number.isFinite(value))
        throw validationError(path, `must be a finite number, got ${String(value)}`);
      // ES Number-to-string is RFC 8785's number format (and -0 serialises as 0).
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return undefined;
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let s = '[';
        for (let i = 0; i < value.length; i++) {
          const item = write(value[i], `${path}[${i}]`);
          if (item === undefined)
            throw validationError(`${path}[${i}]`, 'undefined is not allowed in an array');
          s += i === 0 ? item : `,${item}`;
        }
        return `${s}]`;
      }
      const withToJson = value as { toJSON?: unknown };
      if (typeof withToJson.toJSON === 'function') return write((withToJson.toJSON as () => unknown)(), path);
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      let s = '{';
      let first = true;
      for (const k of keys) {
        const v = write(obj[k], `${path}.${k}`);
        if (v === undefined) continue;
        s += `${first ? '' : ','}${jsonString(k)}:${v}`;
        first = false;
      }
      return `${s}}`;
    }
    default:
      throw validationError(path, `a ${typeof value} is not representable as JSON`);
  }
}
