/**
 * One validated configuration schema with defaults. Sources, in order of precedence: explicit
 * overrides (CLI flags, library callers), then BULWARK_* environment variables, then defaults.
 * Every invalid setting is named in the error, with the variable that carries it.
 */
import { z } from 'zod';
import { BulwarkError } from '../core/errors.js';
import { isRedisUrl } from '../adapters/redis/url.js';
import { friendlyErrorMap } from '../core/validation.js';
import { parseCidr } from '../core/net/cidr.js';
import { resolveSlaPolicy } from '../core/vulns/sla.js';

/**
 * A number setting. Environment variables arrive as text, read as plain decimals only: `Number()`
 * (z.coerce) also took `0x10` as 16, `1e2` as 100, `0b11` and ` 12 ` as numbers, so a typo could
 * set a limit nobody wrote. Numbers given by library callers pass as they are.
 */
const DECIMAL = /^-?\d+(\.\d+)?$/;
function num(schema: z.ZodNumber) {
  // A whole-number setting says so (it was `must be a plain decimal number (such as 120 or 0.5)`,
  // then, for 0.5, zod's `Invalid input: expected int, received number`).
  const rule = schema.isInt
    ? 'must be a whole number (such as 120)'
    : 'must be a plain decimal number (such as 120 or 0.5)';
  return z.preprocess((v, ctx) => {
    if (typeof v !== 'string') return v;
    if (DECIMAL.test(v) && (!schema.isInt || Number.isInteger(Number(v)))) return Number(v);
    ctx.addIssue({ code: 'custom', message: rule });
    return z.NEVER;
  }, schema);
}
const positiveInt = (max: number) => num(z.number().int().positive().max(max));

export const configSchema = z
  .object({
    database_url: z.string().min(1).default('sqlite:./bulwark.db'),
    host: z.string().min(1).default('127.0.0.1'),
    port: num(z.number().int().min(0).max(65535)).default(8080),
    log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    body_limit_bytes: positiveInt(Number.MAX_SAFE_INTEGER).default(256 * 1024),
    owasp_edition: z.enum(['2025', '2021']).default('2025'),
    sla_days: z
      .object({
        critical: num(z.number().positive()).default(2),
        high: num(z.number().positive()).default(7),
        medium: num(z.number().positive()).default(90),
        low: num(z.number().positive()).default(120),
      })
      .prefault({}),
    /** Secret mixed into stored API-token hashes (hex or base64, ≥ 16 bytes). Optional. */
    token_pepper: z.string().min(16).optional(),
    redis_url: z
      .string()
      .refine((v) => isRedisUrl(v, { socketPath: false }), {
        error: 'must be a redis:// or rediss:// URL (redis://127.0.0.1:6379)',
      })
      .optional(),
    /** Proxies whose X-Forwarded-For / Forwarded headers are believed (CIDRs). */
    trusted_proxies: z
      .array(
        z
          .string()
          .refine((v) => parseCidr(v) !== null, { error: 'must be an IP address or CIDR (10.0.0.0/8)' }),
      )
      .default([]),
    /** Ed25519 private key (PEM) that signs audit checkpoints; never stored in the database. */
    audit_signing_key: z.string().min(1).optional(),
    /** File holding that key (PEM), when it is not given inline. */
    audit_signing_key_file: z.string().min(1).optional(),
    /** Id and version recorded in every checkpoint, so keys can rotate. */
    audit_key_id: z.string().min(1).max(128).default('audit-checkpoint'),
    audit_key_version: num(z.number().int().min(0)).default(1),
    /** Public keys (PEM files, comma-separated) of earlier key versions, for verify after a rotation. */
    audit_previous_public_keys: z.array(z.string().min(1)).default([]),
    /** Checkpoint after this many events (0: never by count). */
    audit_checkpoint_every: num(z.number().int().min(0)).default(1000),
    /** Checkpoint at least this often while serving, when events arrived (0: never by time). */
    audit_checkpoint_interval_s: num(z.number().int().min(0)).default(60),
    /** The keyring's master key (32 bytes, base64 or hex). Never stored; see docs/SECURITY.md. */
    master_key: z.string().optional(),
    /** A file holding the master key (alternative to master_key; exactly one of the two). */
    master_key_file: z.string().min(1).optional(),
    /** How often `serve` checks for keys due for rotation by policy (ms); 0 disables the scheduler. */
    keys_rotation_check_ms: num(z.number().int().min(0)).default(60 * 60 * 1000),
    // ---- auth guard (docs/DECISIONS.md, "Auth guard") ----
    /** Where limiter buckets and lockouts live: sql (default: bans survive restarts), memory, redis. */
    rate_limit_store: z.enum(['sql', 'memory', 'redis']).default('sql'),
    /** What a Redis limiter does while Redis is unreachable (docs/DECISIONS.md, "Rate limiting"). */
    rate_limit_store_failure_policy: z.enum(['fail-closed', 'fail-open', 'fallback']).default('fail-closed'),
    /** Prefix of every Redis key (a hash tag such as `{bulwark}:` keeps them in one Cluster slot). */
    rate_limit_redis_prefix: z.string().min(1).max(64).default('bulwark:'),
    rate_limit_per_ip: positiveInt(1_000_000).default(120),
    rate_limit_per_sender: positiveInt(1_000_000).default(60),
    rate_limit_window_ms: positiveInt(7 * 86_400_000).default(60_000),
    ipv6_prefix: num(z.number().int().min(1).max(128)).default(64),
    lockout_max_failures: positiveInt(1000).default(5),
    lockout_user_max_failures: positiveInt(1000).default(10),
    lockout_find_time_s: positiveInt(30 * 86_400).default(600),
    lockout_ban_s: positiveInt(365 * 86_400).default(600),
    lockout_max_ban_s: positiveInt(365 * 86_400).default(86_400),
    lockout_ban_multiplier: num(z.number().min(1).max(1000)).default(2),
    rate_limit_allow_list: z
      .array(z.string().refine((v) => parseCidr(v) !== null, { error: 'must be an IP address or CIDR' }))
      .default([]),
    rate_limit_deny_list: z
      .array(z.string().refine((v) => parseCidr(v) !== null, { error: 'must be an IP address or CIDR' }))
      .default([]),
    /** Failed authentications on the API per client IP key per window before 429 (0: no throttle). */
    api_auth_failure_limit: num(z.number().int().min(0).max(1_000_000)).default(10),
    api_auth_failure_window_ms: positiveInt(86_400_000).default(60_000),
    /** Seconds between automatic RateLimitSnapshots while `serve` runs (0 = only on demand). */
    snapshot_interval_s: num(z.number().int().min(0).max(86_400)).default(60),
    /** IPs and senders listed per snapshot. */
    snapshot_top_n: positiveInt(1000).default(20),
    /** Where `advisories sync` downloads `{ECOSYSTEM}/all.zip` from (OSV's export bucket by default). */
    advisory_base_url: z.string().url().default('https://osv-vulnerabilities.storage.googleapis.com'),
    /** The advisory database is stale when its newest record is older than this many days. */
    advisory_max_age_days: num(z.number().positive()).default(7),
    /** What a scan does with a stale (or empty) advisory database: warn and go on, or fail (exit 3). */
    advisory_stale_policy: z.enum(['warn', 'fail']).default('warn'),
    /** Body limit of POST /security/scans only (lockfiles are bigger than other bodies). */
    scan_body_limit_bytes: positiveInt(Number.MAX_SAFE_INTEGER).default(16 * 1024 * 1024),
  })
  .strict()
  .refine((c) => c.lockout_max_ban_s >= c.lockout_ban_s, {
    path: ['lockout_max_ban_s'],
    error: 'must be at least lockout_ban_s',
  });

export type BulwarkConfig = z.infer<typeof configSchema>;
export type BulwarkConfigInput = z.input<typeof configSchema>;

const ENV: Record<string, (cfg: Record<string, unknown>, v: string) => void> = {
  BULWARK_DATABASE_URL: (c, v) => (c.database_url = v),
  BULWARK_HOST: (c, v) => (c.host = v),
  BULWARK_PORT: (c, v) => (c.port = v),
  BULWARK_LOG_LEVEL: (c, v) => (c.log_level = v),
  BULWARK_BODY_LIMIT_BYTES: (c, v) => (c.body_limit_bytes = v),
  BULWARK_OWASP_EDITION: (c, v) => (c.owasp_edition = v),
  BULWARK_TOKEN_PEPPER: (c, v) => (c.token_pepper = v),
  BULWARK_REDIS_URL: (c, v) => (c.redis_url = v),
  BULWARK_TRUSTED_PROXIES: (c, v) =>
    (c.trusted_proxies = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)),
  BULWARK_AUDIT_SIGNING_KEY: (c, v) => (c.audit_signing_key = v),
  BULWARK_AUDIT_SIGNING_KEY_FILE: (c, v) => (c.audit_signing_key_file = v),
  BULWARK_AUDIT_KEY_ID: (c, v) => (c.audit_key_id = v),
  BULWARK_AUDIT_KEY_VERSION: (c, v) => (c.audit_key_version = v),
  BULWARK_AUDIT_PREVIOUS_PUBLIC_KEYS: (c, v) =>
    (c.audit_previous_public_keys = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)),
  BULWARK_AUDIT_CHECKPOINT_EVERY: (c, v) => (c.audit_checkpoint_every = v),
  BULWARK_AUDIT_CHECKPOINT_INTERVAL_S: (c, v) => (c.audit_checkpoint_interval_s = v),
  BULWARK_MASTER_KEY: (c, v) => (c.master_key = v),
  BULWARK_MASTER_KEY_FILE: (c, v) => (c.master_key_file = v),
  BULWARK_KEYS_ROTATION_CHECK_MS: (c, v) => (c.keys_rotation_check_ms = v),
  BULWARK_RATE_LIMIT_STORE: (c, v) => (c.rate_limit_store = v),
  BULWARK_RATE_LIMIT_STORE_FAILURE_POLICY: (c, v) => (c.rate_limit_store_failure_policy = v),
  BULWARK_RATE_LIMIT_REDIS_PREFIX: (c, v) => (c.rate_limit_redis_prefix = v),
  BULWARK_RATE_LIMIT_PER_IP: (c, v) => (c.rate_limit_per_ip = v),
  BULWARK_RATE_LIMIT_PER_SENDER: (c, v) => (c.rate_limit_per_sender = v),
  BULWARK_RATE_LIMIT_WINDOW_MS: (c, v) => (c.rate_limit_window_ms = v),
  BULWARK_IPV6_PREFIX: (c, v) => (c.ipv6_prefix = v),
  BULWARK_LOCKOUT_MAX_FAILURES: (c, v) => (c.lockout_max_failures = v),
  BULWARK_LOCKOUT_USER_MAX_FAILURES: (c, v) => (c.lockout_user_max_failures = v),
  BULWARK_LOCKOUT_FIND_TIME_S: (c, v) => (c.lockout_find_time_s = v),
  BULWARK_LOCKOUT_BAN_S: (c, v) => (c.lockout_ban_s = v),
  BULWARK_LOCKOUT_MAX_BAN_S: (c, v) => (c.lockout_max_ban_s = v),
  BULWARK_LOCKOUT_BAN_MULTIPLIER: (c, v) => (c.lockout_ban_multiplier = v),
  BULWARK_RATE_LIMIT_ALLOW_LIST: (c, v) => (c.rate_limit_allow_list = csv(v)),
  BULWARK_RATE_LIMIT_DENY_LIST: (c, v) => (c.rate_limit_deny_list = csv(v)),
  BULWARK_API_AUTH_FAILURE_LIMIT: (c, v) => (c.api_auth_failure_limit = v),
  BULWARK_API_AUTH_FAILURE_WINDOW_MS: (c, v) => (c.api_auth_failure_window_ms = v),
  BULWARK_SNAPSHOT_INTERVAL_S: (c, v) => (c.snapshot_interval_s = v),
  BULWARK_SNAPSHOT_TOP_N: (c, v) => (c.snapshot_top_n = v),
  BULWARK_ADVISORY_BASE_URL: (c, v) => (c.advisory_base_url = v),
  BULWARK_ADVISORY_MAX_AGE_DAYS: (c, v) => (c.advisory_max_age_days = v),
  BULWARK_ADVISORY_STALE_POLICY: (c, v) => (c.advisory_stale_policy = v),
  BULWARK_SCAN_BODY_LIMIT_BYTES: (c, v) => (c.scan_body_limit_bytes = v),
  BULWARK_SLA_CRITICAL_DAYS: (c, v) => (sla(c).critical = v),
  BULWARK_SLA_HIGH_DAYS: (c, v) => (sla(c).high = v),
  BULWARK_SLA_MEDIUM_DAYS: (c, v) => (sla(c).medium = v),
  BULWARK_SLA_LOW_DAYS: (c, v) => (sla(c).low = v),
};

const csv = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function sla(c: Record<string, unknown>): Record<string, unknown> {
  return (c.sla_days ??= {}) as Record<string, unknown>;
}

const FIELD_TO_ENV: Record<string, string> = Object.fromEntries(
  Object.keys(ENV).map((k) => [k.replace(/^BULWARK_/, '').toLowerCase(), k]),
);

/** Builds the configuration from the environment and explicit overrides; throws config_invalid naming the setting. */
export function loadConfig(
  overrides: BulwarkConfigInput = {},
  env: NodeJS.ProcessEnv = process.env,
): BulwarkConfig {
  const fromEnv: Record<string, unknown> = {};
  for (const [name, apply] of Object.entries(ENV)) {
    const v = env[name];
    if (v !== undefined && v !== '') apply(fromEnv, v);
  }
  const merged = {
    ...fromEnv,
    ...overrides,
    sla_days: { ...(fromEnv.sla_days as object | undefined), ...overrides.sla_days },
  };
  // Bulwark's wording (`must be greater than 0`), not zod's (`Too small: expected number to be >0`).
  const parsed = configSchema.safeParse(merged, { error: friendlyErrorMap });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    // An unknown setting given by a library caller is named (it was `invalid setting : Unrecognized key`).
    const field =
      issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]].join('.') : issue.path.join('.');
    if (issue.code === 'unrecognized_keys')
      throw new BulwarkError('config_invalid', `invalid setting ${field}: unknown setting`, { field });
    const envName =
      FIELD_TO_ENV[field] ??
      FIELD_TO_ENV[String(issue.path[0])] ??
      (field.startsWith('trusted_proxies') ? 'BULWARK_TRUSTED_PROXIES' : undefined) ??
      (field.startsWith('audit_previous_public_keys') ? 'BULWARK_AUDIT_PREVIOUS_PUBLIC_KEYS' : undefined) ??
      (field.startsWith('sla_days.') ? `BULWARK_SLA_${String(issue.path[1]).toUpperCase()}_DAYS` : undefined);
    throw new BulwarkError(
      'config_invalid',
      `invalid setting ${field}${envName ? ` (${envName})` : ''}: ${issue.message}`,
      {
        field,
      },
    );
  }
  try {
    // Cross-field rules (critical ≤ high ≤ medium ≤ low) live with the SLA policy in the core.
    resolveSlaPolicy(parsed.data.sla_days);
  } catch (err) {
    if (!(err instanceof BulwarkError) || !err.field?.startsWith('sla.')) throw err;
    const severity = err.field.replace(/^sla\./, '');
    throw new BulwarkError(
      'config_invalid',
      `invalid setting sla_days.${severity} (BULWARK_SLA_${severity.toUpperCase()}_DAYS): ${err.message
        .replace(/^sla\.\w+: /, '')
        .replace(
          /than (\w+) \(/,
          (_m: string, milder: string) => `than ${milder} (BULWARK_SLA_${milder.toUpperCase()}_DAYS, `,
        )}`,
      { field: `sla_days.${severity}` },
    );
  }
  return parsed.data;
}
