/**
 * PII detectors for text: e-mail addresses, phone numbers and payment card numbers.
 *
 * - email: local@domain.tld (a TLD of letters is required, so `info@presidio.` is not one).
 * - card: 13–19 digits, optionally grouped by spaces or dashes, that pass the Luhn check (a
 *   number failing Luhn is left alone); 13-digit numbers must start with 4 (old Visa) so that
 *   millisecond timestamps are not taken for cards.
 * - phone: international `+` numbers (E.164, 8–15 digits, spaces, dots, dashes or brackets
 *   between groups), North American `(415) 555-2671` / `415-555-2671`, and national trunk-0
 *   numbers of 10–11 digits (`07911 123456`, `020 7946 0958`). Other national formats (Israel's
 *   `09-7625400`, say) can be added with the redactor's `extraPatterns`.
 *
 * Each PII marker's HMAC (when the redactor has a key) is taken over a normalised value (lower-case
 * e-mail, digits of a card or phone) so the same address or number correlates however written.
 */
import { type Detector, regexDetector } from './detector.js';
import { digitsOnly, luhnValid } from './text-metrics.js';

export const PII_KINDS = ['email', 'phone', 'card'] as const;

/** True for a 13–19 digit string that is a plausible card number and passes Luhn. */
export function isCardNumber(digits: string): boolean {
  const n = digits.length;
  if (n < 13 || n > 19) return false;
  if (n === 13 && digits.charCodeAt(0) !== 52 /* 4 */) return false;
  return luhnValid(digits);
}

const phoneDigitsOk = (min: number, max: number) => (s: string) => {
  const n = digitsOnly(s).length;
  return n >= min && n <= max;
};

export const PII_DETECTORS: Detector[] = [
  regexDetector({
    kind: 'email',
    keywords: [],
    gate: (f) => f.at,
    // Not inside a URL's authority (`https://user:pass@host` is a credential, not an address).
    regex:
      /(?<![\w.%+-])(?<!\/\/[^\s/@]{0,256})[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])/g,
  }),
  regexDetector({
    kind: 'card',
    keywords: [],
    gate: (f) => f.digits >= 13,
    // Not a run of a longer dash-joined token: the digit groups of a UUID (all-digit ones such as
    // the nil UUID in a request path) or of a hex id continue with `-` and another group.
    regex: /(?<![\w.]|[0-9A-Fa-f]-)\d(?:[ -]?\d){12,18}(?![\w.]|-[0-9A-Fa-f])/g,
    accept: (s) => isCardNumber(digitsOnly(s)),
  }),
  regexDetector({
    kind: 'phone',
    keywords: [],
    gate: (f) => f.digits >= 7,
    regex: /(?<![\w+])\+\d(?:[ .-]?\(?\d\)?){6,14}(?![\w])/g,
    accept: phoneDigitsOk(8, 15),
  }),
  regexDetector({
    kind: 'phone',
    keywords: [],
    gate: (f) => f.digits >= 10,
    regex: /(?<![\w+.-])(?:1[ .-])?(?:\([2-9]\d{2}\)[ .-]?|[2-9]\d{2}[ .-])[2-9]\d{2}[ .-]\d{4}(?![\w])/g,
  }),
  regexDetector({
    kind: 'phone',
    keywords: [],
    gate: (f) => f.digits >= 10,
    regex: /(?<![\w+.-])0\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4}(?![\w])/g,
    accept: phoneDigitsOk(10, 11),
  }),
];

/** The value a PII marker's HMAC is computed over. */
export function normalizeForHash(kind: string, value: string): string {
  if (kind === 'email') return value.toLowerCase();
  if (kind === 'card') return digitsOnly(value);
  if (kind === 'phone') return (value.trimStart().startsWith('+') ? '+' : '') + digitsOnly(value);
  return value;
}
