import { describe, expect, it } from 'vitest';
import { isBulwarkError } from '../../../src/core/errors.js';
import {
  compileRateLimitPolicy,
  DEFAULT_RATE_LIMIT_POLICY,
  parseRateLimitPolicy,
} from '../../../src/core/ratelimit/policy.js';

function fieldOf(input: unknown): string | undefined {
  try {
    compileRateLimitPolicy(input);
  } catch (e) {
    if (isBulwarkError(e) && e.code === 'validation_failed') return e.field;
    throw e;
  }
  return undefined;
}

describe('rate-limit policy', () => {
  it('has the documented defaults', () => {
    const p = DEFAULT_RATE_LIMIT_POLICY;
    expect(p.perIp).toEqual({ limit: 120, windowMs: 60_000 });
    expect(p.perSender).toEqual({ limit: 60, windowMs: 60_000 });
    expect(p.ipv6Prefix).toBe(64);
    expect(p.lockout.ip).toMatchObject({
      enabled: true,
      maxFailures: 5,
      findTimeMs: 600_000,
      banMs: 600_000,
      banMultiplier: 2,
      maxBanMs: 86_400_000,
      clearOnSuccess: false,
    });
    expect(p.lockout.userIp).toMatchObject({ maxFailures: 5, clearOnSuccess: true });
    expect(p.lockout.user).toMatchObject({ maxFailures: 10, clearOnSuccess: true });
    expect(p.forwardedHeader).toBe('x-forwarded-for');
  });

  it('fills in defaults around a partial policy', () => {
    const p = parseRateLimitPolicy({ perIp: { limit: 10 }, lockout: { user: { enabled: false } } });
    expect(p.perIp).toEqual({ limit: 10, windowMs: 60_000 });
    expect(p.lockout.user.enabled).toBe(false);
    expect(p.lockout.user.maxFailures).toBe(10);
    expect(p.lockout.ip.maxFailures).toBe(5);
  });

  it.each([
    [{ perIp: { limit: 0 } }, 'perIp.limit'],
    [{ perIp: { limit: -1 } }, 'perIp.limit'],
    [{ perIp: { limit: Number.NaN } }, 'perIp.limit'],
    [{ perIp: { limit: 2.5 } }, 'perIp.limit'],
    [{ perSender: { limit: 0 } }, 'perSender.limit'],
    [{ perSender: { limit: Number.NaN } }, 'perSender.limit'],
    [{ perSender: { windowMs: -60_000 } }, 'perSender.windowMs'],
    [{ perSender: { limit: '60' } }, 'perSender.limit'],
    [{ ipv6Prefix: 129 }, 'ipv6Prefix'],
    [{ lockout: { ip: { maxFailures: 0 } } }, 'lockout.ip.maxFailures'],
    [{ lockout: { userIp: { banMs: 100, maxBanMs: 10 } } }, 'lockout.userIp.maxBanMs'],
    [{ lockout: { user: { banMultiplier: 0.5 } } }, 'lockout.user.banMultiplier'],
    [{ allowList: ['10.0.0.0/8', 'bogus'] }, 'allowList[1]'],
    [{ denyList: ['2001:db8::/129'] }, 'denyList[0]'],
    [{ trustedProxies: '10.0.0.0/8' }, 'trustedProxies'],
    [{ perIP: { limit: 5 } }, 'perIP'],
    [{ perIp: { limt: 5 } }, 'perIp.limt'],
    [{ forwardedHeader: 'x-real-ip' }, 'forwardedHeader'],
  ])('refuses %j naming %s', (input, field) => {
    expect(fieldOf(input)).toBe(field);
  });

  it('compiles the address lists', () => {
    const c = compileRateLimitPolicy({
      allowList: [' 10.0.0.0/8 '],
      denyList: ['2001:db8:bad::/48'],
      trustedProxies: ['127.0.0.1'],
    });
    expect(c.allowList.has('10.1.2.3')).toBe(true);
    expect(c.denyList.has('2001:db8:bad:1::9')).toBe(true);
    expect(c.trustedProxies.has('::ffff:127.0.0.1')).toBe(true);
  });
});
