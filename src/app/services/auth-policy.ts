/** The rate-limit and lockout policy from the configuration (validated once, at start-up). */
import { compileRateLimitPolicy, type CompiledRateLimitPolicy } from '../../core/ratelimit/policy.js';
import type { BulwarkConfig } from '../config.js';

export function policyFromConfig(c: BulwarkConfig): CompiledRateLimitPolicy {
  const lock = (maxFailures: number, clearOnSuccess: boolean) => ({
    maxFailures,
    findTimeMs: c.lockout_find_time_s * 1000,
    banMs: c.lockout_ban_s * 1000,
    maxBanMs: c.lockout_max_ban_s * 1000,
    banMultiplier: c.lockout_ban_multiplier,
    clearOnSuccess,
  });
  return compileRateLimitPolicy({
    perIp: { limit: c.rate_limit_per_ip, windowMs: c.rate_limit_window_ms },
    perSender: { limit: c.rate_limit_per_sender, windowMs: c.rate_limit_window_ms },
    ipv6Prefix: c.ipv6_prefix,
    lockout: {
      ip: lock(c.lockout_max_failures, false),
      user: lock(c.lockout_user_max_failures, true),
      userIp: lock(c.lockout_max_failures, true),
    },
    allowList: c.rate_limit_allow_list,
    denyList: c.rate_limit_deny_list,
    trustedProxies: c.trusted_proxies,
  });
}
