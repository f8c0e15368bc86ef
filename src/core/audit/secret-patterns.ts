/**
 * Secret detectors for text: credentials that sit under innocent keys or inside free text.
 *
 * The provider formats follow the gitleaks default rules (github.com/gitleaks/gitleaks,
 * config/gitleaks.toml @ b58d3f10, MIT licence), rewritten for JavaScript regexes and tuned for
 * redaction rather than scanning: a redactor would rather hide a string that only looks like a key
 * than leak one, so trailing-delimiter requirements are relaxed, while placeholders ($VAR, xxxx,
 * <token>, EXAMPLE) and low-entropy stand-ins are left alone.
 *
 * Kinds (the marker names): private_key, jwt, bearer, basic_auth, password, anthropic_key,
 * openai_key, stripe_key, github_token, gitlab_token, slack_token, slack_webhook, google_api_key,
 * aws_access_key, npm_token, azure_client_secret, terraform_token, vault_token, clojars_token,
 * sendgrid_key, twilio_key, secret (a long random-looking token), plus the key kinds of
 * sensitive-keys.ts for `name=value` assignments (password, token, api_key, ...).
 */
import { type Detector, type Span, regexDetector } from './detector.js';
import { MIN_VALUE_LENGTH } from './sensitive-keys.js';
import { isOneCharRun, isPlaceholder, shannonEntropy } from './text-metrics.js';

const minEntropy = (bits: number) => (secret: string) =>
  shannonEntropy(secret) >= bits && !isPlaceholder(secret);

/** Basic credentials decode to printable `user:password`. */
function isBasicCredential(b64: string): boolean {
  let decoded: string;
  try {
    decoded = Buffer.from(b64, 'base64').toString('latin1');
  } catch {
    return false;
  }
  return decoded.includes(':') && /^[\x20-\x7e]+$/.test(decoded);
}

/** A `user:password` argument (curl -u) is a credential unless its password (or lone user) is a stand-in. */
function isUserPassCredential(value: string): boolean {
  if (isPlaceholder(value)) return false;
  const colon = value.indexOf(':');
  if (colon < 0) return false; // a user without password: curl prompts for it
  const strip = (s: string) => s.replace(/^["']|["']$/g, '');
  const user = strip(value.slice(0, colon));
  const pass = strip(value.slice(colon + 1));
  if (pass.length > 0) return !isPlaceholder(pass) && !isOneCharRun(pass);
  return user.length >= 3 && !isPlaceholder(user);
}

const PROVIDER_DETECTORS: Detector[] = [
  regexDetector({
    kind: 'private_key',
    keywords: ['private key'],
    // A truncated key (no END line) is redacted to the end of the string.
    regex:
      /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----|$)/g,
  }),
  regexDetector({
    kind: 'jwt',
    keywords: ['.ey'],
    // header.payload[.signature]; both JSON parts start `ey` ('{"' in base64url). `\/` is JSON-escaped `/`.
    regex:
      /(?<![A-Za-z0-9_-])ey[A-Za-z0-9_-]{10,}={0,2}\.ey[A-Za-z0-9_\\/-]{10,}={0,2}(?:\.[A-Za-z0-9_\\/+-]*={0,2})?/g,
  }),
  regexDetector({
    kind: 'anthropic_key',
    keywords: ['sk-ant-'],
    regex: /\bsk-ant-[a-z]{2,6}\d{2}-[A-Za-z0-9_-]{20,}/g,
  }),
  regexDetector({
    kind: 'openai_key',
    keywords: ['sk-'],
    regex:
      /\bsk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}|\bsk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}\b|\bsk-[A-Za-z0-9]{48}\b/g,
    accept: minEntropy(3),
  }),
  regexDetector({
    kind: 'stripe_key',
    keywords: ['sk_', 'rk_', 'whsec_'],
    regex: /\b(?:[rs]k_(?:live|test|prod)_[A-Za-z0-9]{10,247}|whsec_[A-Za-z0-9]{24,})\b/g,
    accept: minEntropy(2),
  }),
  regexDetector({
    kind: 'github_token',
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
    regex: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_\w{22,255})\b/g,
    accept: minEntropy(3),
  }),
  regexDetector({
    kind: 'gitlab_token',
    keywords: [
      'glpat-',
      'glptt-',
      'gldt-',
      'glrt-',
      'glcbt-',
      'glft-',
      'glimt-',
      'glagent-',
      'gloas-',
      'glsoat-',
      'glffct-',
      'gr1348941',
    ],
    regex:
      /\b(?:gl(?:pat|ptt|dt|rt|cbt|ft|imt|agent|oas|soat|ffct)-[\w-]{20,300}(?:\.[0-9a-z]{9})?|GR1348941[\w-]{20,})(?![\w-])/g,
    accept: minEntropy(3),
  }),
  regexDetector({
    kind: 'slack_token',
    keywords: ['xox', 'xapp-'],
    // Real tokens carry numeric ids then a random tail; `xoxp-XXXX…` and `…-####` templates do not.
    regex:
      /\bxox[a-z]-(?:\d+-){1,4}(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{8,}[A-Za-z0-9-]*(?![#*])|\bxoxe\.xox[bp]-\d-[A-Za-z0-9]{100,}|\bxapp-\d-[A-Za-z0-9]+-\d+-[A-Za-z0-9]+/g,
  }),
  regexDetector({
    kind: 'slack_webhook',
    keywords: ['hooks.slack.com'],
    regex:
      /(?:https?:(?:\\?\/){2})?hooks\.slack\.com(?:\\?\/)(?:services|workflows|triggers)(?:\\?\/)[A-Za-z0-9+/\\]{20,}/g,
  }),
  regexDetector({
    kind: 'google_api_key',
    keywords: ['aiza'],
    regex: /\bAIza[\w-]{35}(?![\w-])/g,
    accept: minEntropy(3),
  }),
  regexDetector({
    kind: 'aws_access_key',
    keywords: ['akia', 'asia', 'abia', 'acca', 'a3t'],
    regex: /\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/g,
    accept: (s) => !s.endsWith('EXAMPLE') && shannonEntropy(s) >= 3,
  }),
  regexDetector({
    kind: 'npm_token',
    keywords: ['npm_'],
    regex: /\bnpm_[A-Za-z0-9]{36}\b/g,
    accept: minEntropy(3),
  }),
  regexDetector({
    kind: 'azure_client_secret',
    keywords: ['q~'],
    regex: /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/g,
    accept: minEntropy(3),
  }),
  regexDetector({
    kind: 'terraform_token',
    keywords: ['atlasv1'],
    regex: /\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}\b/g,
  }),
  regexDetector({
    kind: 'vault_token',
    keywords: ['hvs.', 'hvb.', 's.'],
    regex: /\bhvs\.[\w-]{90,}|\bhvb\.[\w-]{138,}|\bs\.[A-Za-z0-9]{24}\b/g,
    // Legacy `s.` tokens always hold a digit (`s.makeKubeConfigController` is code, not a token).
    accept: (s) => shannonEntropy(s) >= 3 && !isPlaceholder(s) && (!s.startsWith('s.') || /\d/.test(s)),
  }),
  regexDetector({ kind: 'clojars_token', keywords: ['clojars_'], regex: /\bCLOJARS_[A-Za-z0-9]{60}\b/gi }),
  regexDetector({ kind: 'sendgrid_key', keywords: ['sg.'], regex: /\bSG\.[\w-]{22}\.[\w-]{43}\b/g }),
  regexDetector({
    kind: 'twilio_key',
    keywords: ['sk'],
    regex: /\bSK[0-9a-fA-F]{32}\b/g,
    accept: minEntropy(3),
  }),
  regexDetector({
    kind: 'password',
    keywords: ['://'],
    // scheme://user:password@host — the password only.
    regex: /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:@/?#"'<>]{1,128}:(?<s>[^\s@/?#"'<>]{1,256})(?=@)/gi,
    accept: (s) => !isPlaceholder(s),
  }),
  regexDetector({
    kind: 'bearer',
    keywords: ['bearer'],
    regex: /(?<![\w-])bearer[ \t]+(?<s>[A-Za-z0-9._~+/-]{8,}=*)/gi,
    accept: (s) => !isPlaceholder(s) && shannonEntropy(s) >= 2.5,
  }),
  regexDetector({
    kind: 'basic_auth',
    keywords: ['basic'],
    regex: /(?<![\w-])basic[ \t]+(?<s>[A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])/gi,
    accept: isBasicCredential,
  }),
  regexDetector({
    kind: 'password',
    keywords: ['curl'],
    // `curl … -u user:pass` / `--user`, the option up to five continued lines after `curl`.
    regex:
      /\bcurl\b[^\n]{0,500}?(?:\r?\n[^\n]{0,500}?){0,5}?[ \t](?:-u|--user)(?:=|[ \t]+)(?<s>"[^"\r\n]{1,256}"|'[^'\r\n]{1,256}'|[^\s"']+(?:(?:"[^"\r\n]*"|'[^'\r\n]*')[^\s"']*)?)/gi,
    accept: isUserPassCredential,
  }),
];

/**
 * `name = value`, `name: value`, `"name": "value"`, `name => value`, `("name", "value")`, query
 * strings and header lines: the value is redacted when the name is a sensitive key (classified by
 * `classify`, the same classifier as object keys) and the value is not a placeholder.
 */
function assignmentDetector(
  classify: (name: string) => string | null,
  extraKeywords: readonly string[],
): Detector {
  const re =
    /(?<![\w.-])(?<id>[A-Za-z_][\w.-]{0,80})(?:\\?["'`]?[ \t]*(?:=>|:=|==?|:)|\\?["'][ \t]*,)[ \t]*(?:(?:bearer|basic|token|api-token|digest)[ \t]+)?\\?(?:"(?<dq>[^"\r\n]{1,512}?)\\?"|'(?<sq>[^'\r\n]{1,512}?)\\?'|(?<bare>[^\s"'`,;&)}\]\\]{1,512}))/gi;
  return {
    kind: 'secret',
    // Every match holds one of `=>`, `:=`, `=`, `==`, `:` or `,` (the regex's separator group).
    gate: (f) => f.separator,
    keywords: [
      'pass',
      'pwd',
      'secret',
      'token',
      'key',
      'auth',
      'cred',
      'cookie',
      'session',
      'sid',
      'pin',
      'otp',
      'cvv',
      'cvc',
      'ssn',
      'card',
      'pan',
      'cc',
      ...extraKeywords,
    ],
    scan(text: string, out: Span[], priority: number): void {
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(text)) !== null) {
        const g = m.groups as { id: string; dq?: string; sq?: string; bare?: string };
        const kind = classify(g.id);
        if (kind === null) {
          // Not a sensitive name: resume right after the name so a sensitive one inside the value is still seen.
          re.lastIndex = m.index + g.id.length;
          continue;
        }
        const value = g.dq ?? g.sq ?? g.bare ?? '';
        if (!isSecretValue(kind, value)) continue;
        // The value is the match's tail, less a closing quote (and its escaping backslash) when quoted.
        let end = m.index + m[0].length;
        if (g.bare === undefined) end -= text.charCodeAt(end - 2) === 92 ? 2 : 1;
        out.push({ start: end - value.length, end, kind, priority });
      }
    },
  };
}

function isSecretValue(kind: string, value: string): boolean {
  if (isPlaceholder(value)) return false;
  const min = MIN_VALUE_LENGTH[kind];
  if (min !== undefined) return value.length >= min;
  return value.length >= 8 && shannonEntropy(value) >= 2.5;
}

const HIGH_ENTROPY_MIN_LENGTH = 32;

/** True when `s` holds `len` consecutive ascending characters (abcdef, 012345): an alphabet, not a key. */
function hasAscendingRun(s: string, len: number): boolean {
  let run = 1;
  for (let i = 1; i < s.length; i++) {
    run = s.charCodeAt(i) === s.charCodeAt(i - 1) + 1 ? run + 1 : 1;
    if (run >= len) return true;
  }
  return false;
}
const isTokenChar = (c: number): boolean =>
  (c >= 48 && c <= 57) ||
  (c >= 65 && c <= 90) ||
  (c >= 97 && c <= 122) ||
  c === 43 ||
  c === 61 ||
  c === 95 ||
  c === 45;

/**
 * A long random-looking token with no telling prefix or name around it: at least 32 characters of
 * `[A-Za-z0-9+_-]` (and trailing `=` padding), with upper case, lower case and digits, and high entropy. Hex digests and
 * UUIDs (one case only) and identifiers (low entropy) are left alone; a path's `/` ends a token.
 */
export const highEntropyDetector: Detector = {
  kind: 'secret',
  keywords: [],
  gate: (f) => f.longestRun >= HIGH_ENTROPY_MIN_LENGTH,
  scan(text, out, priority) {
    const n = text.length;
    let i = 0;
    while (i < n) {
      if (!isTokenChar(text.charCodeAt(i))) {
        i++;
        continue;
      }
      let j = i;
      let upper = 0;
      let lower = 0;
      let digit = 0;
      for (; j < n; j++) {
        const c = text.charCodeAt(j);
        if (!isTokenChar(c)) break;
        // `=` belongs to a token only as trailing base64 padding; elsewhere it separates name=value.
        if (c === 61 && j + 1 < n && text.charCodeAt(j + 1) !== 61 && isTokenChar(text.charCodeAt(j + 1)))
          break;
        if (c >= 65 && c <= 90) upper++;
        else if (c >= 97 && c <= 122) lower++;
        else if (c >= 48 && c <= 57) digit++;
      }
      const len = j - i;
      // Separators (`_`, `-`) are rare in random tokens and frequent in identifiers (SN_id_Gost28147_89_None).
      const separators = len - upper - lower - digit;
      if (len >= HIGH_ENTROPY_MIN_LENGTH && upper >= 3 && lower >= 3 && digit >= 2 && separators * 8 <= len) {
        const token = text.slice(i, j);
        if (shannonEntropy(token) >= 4.2 && !isPlaceholder(token) && !hasAscendingRun(token, 6))
          out.push({ start: i, end: j, kind: 'secret', priority });
      }
      i = j > i ? j : i + 1; // a lone `=` before a token is skipped, never looped on
    }
  },
};

/**
 * All secret detectors in priority order (provider formats first, then assignments, then the
 * entropy fallback). `classify` decides which assignment names are sensitive.
 */
export function buildSecretDetectors(
  classify: (name: string) => string | null,
  extraKeywords: readonly string[] = [],
): Detector[] {
  return [...PROVIDER_DETECTORS, assignmentDetector(classify, extraKeywords), highEntropyDetector];
}

/** Every kind a secret detector can emit (the assignment kinds come from sensitive-keys.ts). */
export const SECRET_DETECTOR_KINDS: readonly string[] = [
  ...new Set([...PROVIDER_DETECTORS.map((d) => d.kind), 'secret']),
];
