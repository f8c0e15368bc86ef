/**
 * Which object keys (and `name=value` names inside strings) hold a secret or PII, whatever their
 * case or separators: `Password`, `db_password`, `X-API-Key`, `set-cookie`, `clientSecret` all
 * match. The kind names the marker: `[REDACTED:password]`.
 *
 * A name is normalised (lower case, `-`, `_`, `.`, spaces removed), then matched exactly, then by
 * suffix. Names that begin with `public` are never sensitive (public keys, publishable tokens).
 */

/** Exact normalised names -> kind. More specific than the suffixes below. */
const EXACT: Readonly<Record<string, string>> = {
  password: 'password',
  passwd: 'password',
  pwd: 'password',
  pass: 'password',
  passphrase: 'password',
  secret: 'secret',
  clientsecret: 'client_secret',
  apisecret: 'secret',
  secretkey: 'secret',
  token: 'token',
  accesstoken: 'access_token',
  refreshtoken: 'refresh_token',
  idtoken: 'id_token',
  authtoken: 'token',
  bearertoken: 'token',
  sessiontoken: 'session',
  csrftoken: 'token',
  xsrftoken: 'token',
  apikey: 'api_key',
  xapikey: 'api_key',
  apitoken: 'api_key',
  authorization: 'authorization',
  proxyauthorization: 'authorization',
  auth: 'authorization',
  cookie: 'cookie',
  setcookie: 'cookie',
  cookies: 'cookie',
  session: 'session',
  sessionid: 'session',
  sid: 'session',
  jsessionid: 'session',
  phpsessid: 'session',
  privatekey: 'private_key',
  signingkey: 'private_key',
  encryptionkey: 'secret',
  masterkey: 'secret',
  accesskey: 'access_key',
  secretaccesskey: 'secret',
  awssecretaccesskey: 'secret',
  credentials: 'credentials',
  credential: 'credentials',
  creds: 'credentials',
  cardnumber: 'card',
  creditcard: 'card',
  creditcardnumber: 'card',
  ccnumber: 'card',
  cardno: 'card',
  pan: 'card',
  cc: 'card',
  cvv: 'cvv',
  cvv2: 'cvv',
  cvc: 'cvv',
  cvc2: 'cvv',
  securitycode: 'cvv',
  cardsecuritycode: 'cvv',
  ssn: 'ssn',
  socialsecuritynumber: 'ssn',
  otp: 'otp',
  totp: 'otp',
  hotp: 'otp',
  otpcode: 'otp',
  mfacode: 'otp',
  verificationcode: 'otp',
  pin: 'pin',
  pincode: 'pin',
};

/** Suffixes of normalised names -> kind (`db_password`, `github_token`, `stripe_secret_key`). */
const SUFFIXES: ReadonlyArray<readonly [string, string]> = [
  ['password', 'password'],
  ['passwd', 'password'],
  ['passphrase', 'password'],
  ['secret', 'secret'],
  ['secretkey', 'secret'],
  ['token', 'token'],
  ['apikey', 'api_key'],
  ['privatekey', 'private_key'],
  ['signingkey', 'private_key'],
  ['accesskey', 'access_key'],
  ['encryptionkey', 'secret'],
  ['authorization', 'authorization'],
  ['auth', 'authorization'],
  ['cookie', 'cookie'],
  ['credentials', 'credentials'],
  ['credential', 'credentials'],
  ['sessionid', 'session'],
  ['cardnumber', 'card'],
  ['cvv', 'cvv'],
  ['ssn', 'ssn'],
];

/** Substrings that make any name sensitive (`password_hash`, `newPasswordConfirm`). */
const CONTAINS: ReadonlyArray<readonly [string, string]> = [
  ['password', 'password'],
  ['passwd', 'password'],
];

const SEPARATORS = /[-_.\s]+/g;

/** Normalised form of a key: lower case, separators removed. */
export const normalizeKeyName = (key: string): string => key.toLowerCase().replace(SEPARATORS, '');

/** Classifies a normalised name; null when it is not sensitive. */
function classifyNormalized(n: string, extra: ReadonlyMap<string, string>): string | null {
  const extraKind = extra.get(n);
  if (extraKind !== undefined) return extraKind;
  if (n.startsWith('public')) return null;
  const exact = EXACT[n];
  if (exact !== undefined) return exact;
  for (const [suffix, kind] of SUFFIXES) if (n.endsWith(suffix)) return kind;
  for (const [part, kind] of CONTAINS) if (n.includes(part)) return kind;
  return null;
}

/** Kinds whose values are short by nature: any non-placeholder value of at least this length is redacted. */
export const MIN_VALUE_LENGTH: Readonly<Record<string, number>> = {
  password: 4,
  pin: 4,
  otp: 4,
  cvv: 3,
  ssn: 9,
  card: 12,
};

const CACHE_LIMIT = 4096;

/**
 * A memoised classifier (metadata keys repeat across events, so the cache hits almost always).
 * `extraKeys` are added as exact names (normalised the same way) with their normalised name as kind.
 */
export function createKeyClassifier(extraKeys: readonly string[] = []): (key: string) => string | null {
  const extra = new Map<string, string>();
  for (const k of extraKeys) {
    const n = normalizeKeyName(k);
    if (n) extra.set(n, n);
  }
  const cache = new Map<string, string | null>();
  return (key: string): string | null => {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const kind = classifyNormalized(normalizeKeyName(key), extra);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, kind);
    return kind;
  };
}
