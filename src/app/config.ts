/**
 * One validated configuration schema with defaults. Sources, in order of precedence: explicit
 * overrides (CLI flags, library callers), then BULWARK_* environment variables, then defaults.
 * Every invalid setting is named in the error, with the variable that carries it.
 */
import { z } from 'zod';
import { BulwarkError } from '../core/errors.js';
import { parseCidr } from '../core/net/cidr.js';

const positiveInt = z.coerce.number().int().positive();

export const configSchema = z
  .object({
    database_url: z.string().min(1).default('sqlite:./bulwark.db'),
    host: z.string().min(1).default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65535).default(8080),
    log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    body_limit_bytes: positiveInt.default(256 * 1024),
    owasp_edition: z.enum(['2025', '2021']).default('2025'),
    sla_days: z
      .object({
        critical: z.coerce.number().positive().default(2),
        high: z.coerce.number().positive().default(7),
        medium: z.coerce.number().positive().default(90),
        low: z.coerce.number().positive().default(120),
      })
      .prefault({}),
    /** Secret mixed into stored API-token hashes (hex or base64, ≥ 16 bytes). Optional. */
    token_pepper: z.string().min(16).optional(),
    redis_url: z.string().optional(),
    /** Proxies whose X-Forwarded-For / Forwarded headers are believed (CIDRs). */
    trusted_proxies: z
      .array(
        z
          .string()
          .refine((v) => parseCidr(v) !== null, { error: 'must be an IP address or CIDR (10.0.0.0/8)' }),
      )
      .default([]),
    /** Where `advisories sync` downloads `{ECOSYSTEM}/all.zip` from (OSV's export bucket by default). */
    advisory_base_url: z.string().url().default('https://osv-vulnerabilities.storage.googleapis.com'),
    /** The advisory database is stale when its newest record is older than this many days. */
    advisory_max_age_days: z.coerce.number().positive().default(7),
    /** What a scan does with a stale (or empty) advisory database: warn and go on, or fail (exit 3). */
    advisory_stale_policy: z.enum(['warn', 'fail']).default('warn'),
    /** Body limit of POST /security/scans only (lockfiles are bigger than other bodies). */
    scan_body_limit_bytes: positiveInt.default(16 * 1024 * 1024),
  })
  .strict();

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
  BULWARK_ADVISORY_BASE_URL: (c, v) => (c.advisory_base_url = v),
  BULWARK_ADVISORY_MAX_AGE_DAYS: (c, v) => (c.advisory_max_age_days = v),
  BULWARK_ADVISORY_STALE_POLICY: (c, v) => (c.advisory_stale_policy = v),
  BULWARK_SCAN_BODY_LIMIT_BYTES: (c, v) => (c.scan_body_limit_bytes = v),
  BULWARK_SLA_CRITICAL_DAYS: (c, v) => (sla(c).critical = v),
  BULWARK_SLA_HIGH_DAYS: (c, v) => (sla(c).high = v),
  BULWARK_SLA_MEDIUM_DAYS: (c, v) => (sla(c).medium = v),
  BULWARK_SLA_LOW_DAYS: (c, v) => (sla(c).low = v),
};

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
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.');
    const envName =
      FIELD_TO_ENV[field] ??
      (field.startsWith('trusted_proxies') ? 'BULWARK_TRUSTED_PROXIES' : undefined) ??
      (field.startsWith('sla_days.') ? `BULWARK_SLA_${String(issue.path[1]).toUpperCase()}_DAYS` : undefined);
    throw new BulwarkError(
      'config_invalid',
      `invalid setting ${field}${envName ? ` (${envName})` : ''}: ${issue.message}`,
      {
        field,
      },
    );
  }
  return parsed.data;
}
