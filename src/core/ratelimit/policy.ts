/**
 * The rate-limit and lockout policy: one zod schema with the defaults, validated once at start-up
 * (not on the hot path). Errors name the offending field, e.g. `perIp.limit` or `allowList[2]`.
 *
 * Defaults and why:
 * - 120 requests/min per IP, 60/min per sender (the issue's numbers).
 * - Lockouts (fail2ban's jail defaults: maxretry 5, findtime 10m, bantime 10m; growth ×2 capped at
 *   24 h like bantime.increment with a maxtime):
 *   - per IP and per (user, IP): 5 failures in 10 minutes;
 *   - per user: 10 failures in 10 minutes. Deliberately higher: a lockout keyed on the account is
 *     a denial-of-service lever against its owner. With these numbers one attacking address trips
 *     its own IP and (user, IP) locks at 5 before it can lock the account at 10, so only a
 *     distributed attack — the case the per-user lock exists for — locks the account.
 */
import { z } from 'zod';
import { validationError } from '../errors.js';
import { CidrSet, parseCidr } from '../net/cidr.js';
import { MAX_LIMIT, MAX_WINDOW_MS } from './gcra.js';
import type { LockoutPolicy } from './lockout.js';

const DAY_MS = 86_400_000;
const int = (min: number, max: number) => z.number().int().min(min).max(max);

const bucketSchema = (limit: number, windowMs: number) =>
  z
    .strictObject({
      limit: int(1, MAX_LIMIT).default(limit),
      windowMs: int(1, MAX_WINDOW_MS).default(windowMs),
    })
    .prefault({});

const lockoutSchema = (maxFailures: number, clearOnSuccess: boolean) =>
  z
    .strictObject({
      enabled: z.boolean().default(true),
      maxFailures: int(1, 1000).default(maxFailures),
      findTimeMs: int(1, 30 * DAY_MS).default(600_000),
      banMs: int(1, 365 * DAY_MS).default(600_000),
      banMultiplier: z.number().min(1).max(1000).default(2),
      maxBanMs: int(1, 365 * DAY_MS).default(DAY_MS),
      forgetAfterMs: int(0, 365 * DAY_MS).default(DAY_MS),
      clearOnSuccess: z.boolean().default(clearOnSuccess),
    })
    .refine((p) => p.maxBanMs >= p.banMs, { path: ['maxBanMs'], message: 'must be at least banMs' })
    .prefault({});

const cidrList = z
  .array(z.string())
  .max(100_000)
  .default([])
  .superRefine((list, ctx) => {
    list.forEach((entry, i) => {
      if (parseCidr(entry.trim()) === null)
        ctx.addIssue({ code: 'custom', path: [i], message: 'not an IP address or CIDR range' });
    });
  });

export const rateLimitPolicySchema = z.strictObject({
  perIp: bucketSchema(120, 60_000),
  perSender: bucketSchema(60, 60_000),
  /** IPv6 clients are limited per network of this length (default /64). */
  ipv6Prefix: int(0, 128).default(64),
  /** IPv4 clients are limited per network of this length (default /32: one address). */
  ipv4Prefix: int(0, 32).default(32),
  lockout: z
    .strictObject({
      ip: lockoutSchema(5, false),
      user: lockoutSchema(10, true),
      userIp: lockoutSchema(5, true),
    })
    .prefault({}),
  /** Exempt from limits, lockouts and alerts. */
  allowList: cidrList,
  /** Always refused. Checked before the allow-list: an address on both is refused. */
  denyList: cidrList,
  /** Proxies whose X-Forwarded-For / Forwarded entries are believed (see net/client-ip.ts). */
  trustedProxies: cidrList,
  forwardedHeader: z.enum(['x-forwarded-for', 'forwarded']).default('x-forwarded-for'),
});

export type RateLimitPolicy = z.output<typeof rateLimitPolicySchema>;
export type RateLimitPolicyInput = z.input<typeof rateLimitPolicySchema>;
export type LockoutRule = LockoutPolicy & { enabled: boolean };

/** A validated policy with its address lists built for lookups. */
export interface CompiledRateLimitPolicy {
  readonly policy: RateLimitPolicy;
  readonly allowList: CidrSet;
  readonly denyList: CidrSet;
  readonly trustedProxies: CidrSet;
}

function fieldOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

/** Validates a policy and fills in defaults. @throws BulwarkError validation_failed naming the field */
export function parseRateLimitPolicy(input: unknown = {}): RateLimitPolicy {
  const r = rateLimitPolicySchema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  let field = fieldOf(issue.path);
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) {
    field = field === '' ? issue.keys[0]! : `${field}.${issue.keys[0]!}`;
    throw validationError(field, 'unknown setting');
  }
  throw validationError(field === '' ? 'policy' : field, issue.message);
}

/** `parseRateLimitPolicy` plus the CIDR sets `decide` and `clientIpFrom` use. */
export function compileRateLimitPolicy(input: unknown = {}): CompiledRateLimitPolicy {
  const policy = parseRateLimitPolicy(input);
  return {
    policy,
    allowList: new CidrSet(policy.allowList, 'allowList'),
    denyList: new CidrSet(policy.denyList, 'denyList'),
    trustedProxies: new CidrSet(policy.trustedProxies, 'trustedProxies'),
  };
}

/** The defaults, for display and documentation. */
export const DEFAULT_RATE_LIMIT_POLICY: RateLimitPolicy = parseRateLimitPolicy({});
