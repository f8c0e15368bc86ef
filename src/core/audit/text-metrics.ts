/** Small string measures used by the secret and PII detectors. */

/** Shannon entropy of `s` in bits per character (0 for an empty string). */
export function shannonEntropy(s: string): number {
  const n = s.length;
  if (n === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const k of counts.values()) {
    const p = k / n;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Luhn (mod 10) check over the digits of `digits` (which must hold digits only). */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** `s` with everything but ASCII digits removed. */
export const digitsOnly = (s: string): string => s.replace(/\D+/g, '');

const PLACEHOLDER_WORDS = new Set([
  'password',
  'passwd',
  'pass',
  'pwd',
  'secret',
  'token',
  'test',
  'testing',
  'changeme',
  'changeit',
  'example',
  'sample',
  'dummy',
  'redacted',
  'null',
  'none',
  'nil',
  'undefined',
  'true',
  'false',
  'username',
  'user',
  'apikey',
  'api_key',
  'api-key',
  'your_api_key',
  'your-api-key',
  'yourapikey',
  'mypassword',
  'my_password',
  'xxx',
  'foo',
  'bar',
  'foobar',
  'hidden',
  'masked',
  'empty',
  'todo',
  'tbd',
  'value',
  'string',
  'default',
  'secret_key',
  'access_token',
]);

// Stand-in words, masks, and runs of eight or more of one character (bP88Q~xxxxxxxx…).
const PLACEHOLDER_HINT =
  /example|placeholder|changeme|changeit|dummy|redacted|^\*+$|^x+$|^#+$|^\.+$|^<.*>$|(.)\1{7}/i;

/**
 * True for values that stand for a secret rather than being one: variable references ($VAR,
 * ${var}, {{ tpl }}, %VAR%, $(cmd)), bracketed placeholders (<user>, [PASSWORD]), redaction
 * markers, runs of one character (xxxx, ****), and the usual stand-in words.
 */
export function isPlaceholder(v: string): boolean {
  if (v.length === 0) return true;
  const c = v.charCodeAt(0);
  // $ % < [ { * ( : references, templates, brackets, masks
  if (c === 36 || c === 37 || c === 60 || c === 91 || c === 123 || c === 42 || c === 40) return true;
  if (v.includes('${') || v.includes('{{') || v.includes('$(')) return true;
  if (PLACEHOLDER_WORDS.has(v.toLowerCase())) return true;
  if (PLACEHOLDER_HINT.test(v)) return true;
  return isOneCharRun(v);
}

/** True when every character of `v` is the same one (xxxxxxxx, 00000000). */
export function isOneCharRun(v: string): boolean {
  const first = v.charCodeAt(0);
  for (let i = 1; i < v.length; i++) if (v.charCodeAt(i) !== first) return false;
  return true;
}
