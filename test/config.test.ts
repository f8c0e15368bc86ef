import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/app/config.js';
import { BulwarkError } from '../src/core/errors.js';

const refused = (env: Record<string, string>) => {
  try {
    loadConfig({}, env);
  } catch (e) {
    expect(e).toBeInstanceOf(BulwarkError);
    return (e as BulwarkError).message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
};

it('has working defaults', () => {
  const c = loadConfig({}, {});
  expect(c).toMatchObject({
    database_url: 'sqlite:./bulwark.db',
    host: '127.0.0.1',
    port: 8080,
    body_limit_bytes: 262144,
  });
  expect(c.sla_days).toEqual({ critical: 2, high: 7, medium: 90, low: 120 });
});

it('reads BULWARK_* variables and lets explicit settings win', () => {
  const c = loadConfig(
    { port: 9000 },
    { BULWARK_PORT: '8081', BULWARK_SLA_HIGH_DAYS: '5', BULWARK_TRUSTED_PROXIES: '10.0.0.0/8, ::1' },
  );
  expect(c.port).toBe(9000);
  expect(c.sla_days.high).toBe(5);
  expect(c.trusted_proxies).toEqual(['10.0.0.0/8', '::1']);
});

it('names the variable of an invalid setting', () => {
  expect(refused({ BULWARK_PORT: '70000' })).toContain('BULWARK_PORT');
  expect(refused({ BULWARK_PORT: 'http' })).toContain('BULWARK_PORT');
  expect(refused({ BULWARK_LOG_LEVEL: 'loud' })).toContain('BULWARK_LOG_LEVEL');
  expect(refused({ BULWARK_TRUSTED_PROXIES: 'not-an-ip' })).toContain('BULWARK_TRUSTED_PROXIES');
  expect(refused({ BULWARK_TRUSTED_PROXIES: '10.0.0.0/33' })).toContain('BULWARK_TRUSTED_PROXIES');
  expect(refused({ BULWARK_SLA_CRITICAL_DAYS: '-1' })).toContain('BULWARK_SLA_CRITICAL_DAYS');
  expect(refused({ BULWARK_TOKEN_PEPPER: 'short' })).toContain('BULWARK_TOKEN_PEPPER');
  expect(refused({ BULWARK_OWASP_EDITION: '2017' })).toContain('BULWARK_OWASP_EDITION');
  expect(refused({ BULWARK_API_AUTH_FAILURE_LIMIT: '-1' })).toContain('BULWARK_API_AUTH_FAILURE_LIMIT');
  expect(refused({ BULWARK_API_AUTH_FAILURE_WINDOW_MS: '0' })).toContain(
    'BULWARK_API_AUTH_FAILURE_WINDOW_MS',
  );
});

it('reads the API authentication throttle settings (10 failures a minute by default)', () => {
  expect(loadConfig({}, {})).toMatchObject({
    api_auth_failure_limit: 10,
    api_auth_failure_window_ms: 60_000,
  });
  expect(
    loadConfig({}, { BULWARK_API_AUTH_FAILURE_LIMIT: '0', BULWARK_API_AUTH_FAILURE_WINDOW_MS: '30000' }),
  ).toMatchObject({ api_auth_failure_limit: 0, api_auth_failure_window_ms: 30_000 });
});

describe('settings found wrong in the foundation trial', () => {
  it('validates BULWARK_REDIS_URL', () => {
    for (const bad of ['garbage', 'http://127.0.0.1:6379', 'redis://'])
      expect(() => loadConfig({}, { BULWARK_REDIS_URL: bad }), bad).toThrow(/BULWARK_REDIS_URL/);
    expect(loadConfig({}, { BULWARK_REDIS_URL: 'redis://127.0.0.1:6379/2' }).redis_url).toBe(
      'redis://127.0.0.1:6379/2',
    );
  });

  it('names the SLA variable whose value breaks the order critical ≤ high ≤ medium ≤ low', () => {
    expect(() => loadConfig({}, { BULWARK_SLA_HIGH_DAYS: '1.5' })).toThrow(
      /sla_days\.critical \(BULWARK_SLA_CRITICAL_DAYS\): must not be longer than high/,
    );
  });
});

describe('number settings from the environment are plain decimals', () => {
  // Number() took these as numbers nobody wrote (0x10 → 16, 1e2 → 100); a library-user trial found them.
  it.each(['0x10', '1e2', '0b11', ' 12', '12 ', '12abc', 'Infinity', '+5', '.5'])(
    'BULWARK_RATE_LIMIT_PER_IP=%j is refused, naming the variable',
    (v) => {
      let err: unknown;
      try {
        loadConfig({}, { BULWARK_RATE_LIMIT_PER_IP: v });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(BulwarkError);
      expect((err as BulwarkError).code).toBe('config_invalid');
      expect((err as BulwarkError).message).toBe(
        'invalid setting rate_limit_per_ip (BULWARK_RATE_LIMIT_PER_IP): must be a whole number (such as 120)',
      );
    },
  );

  // Bulwark's words, not zod's: `Invalid input: expected int, received number` for 12.5, `Too
  // small: expected number to be >0` for 0, and `invalid setting : Unrecognized key: "config"`.
  it('errors say what the setting takes, in the words of every other Bulwark error', () => {
    const message = (overrides: object, env: Record<string, string>) => {
      try {
        loadConfig(overrides, env);
      } catch (e) {
        return (e as BulwarkError).message;
      }
      throw new Error('accepted');
    };
    expect(message({}, { BULWARK_RATE_LIMIT_PER_IP: '12.5' })).toBe(
      'invalid setting rate_limit_per_ip (BULWARK_RATE_LIMIT_PER_IP): must be a whole number (such as 120)',
    );
    expect(message({}, { BULWARK_SNAPSHOT_INTERVAL_S: '1.5' })).toMatch(
      /\(BULWARK_SNAPSHOT_INTERVAL_S\): must be a whole number/,
    );
    expect(message({}, { BULWARK_LOCKOUT_BAN_MULTIPLIER: '1e2' })).toBe(
      'invalid setting lockout_ban_multiplier (BULWARK_LOCKOUT_BAN_MULTIPLIER): must be a plain decimal number (such as 120 or 0.5)',
    );
    expect(message({}, { BULWARK_RATE_LIMIT_PER_IP: '0' })).toBe(
      'invalid setting rate_limit_per_ip (BULWARK_RATE_LIMIT_PER_IP): must be greater than 0',
    );
    expect(message({}, { BULWARK_PORT: '70000' })).toBe(
      'invalid setting port (BULWARK_PORT): must be at most 65535',
    );
    expect(message({}, { BULWARK_LOCKOUT_BAN_MULTIPLIER: '0.5' })).toMatch(/: must be at least 1$/);
    expect(message({ config: {} }, {})).toBe('invalid setting config: unknown setting');
  });

  it('decimals are read, and their range still checked', () => {
    expect(loadConfig({}, { BULWARK_RATE_LIMIT_PER_IP: '16' }).rate_limit_per_ip).toBe(16);
    expect(loadConfig({}, { BULWARK_LOCKOUT_BAN_MULTIPLIER: '1.5' }).lockout_ban_multiplier).toBe(1.5);
    expect(loadConfig({}, { BULWARK_SLA_CRITICAL_DAYS: '0.5' }).sla_days.critical).toBe(0.5);
    expect(() => loadConfig({}, { BULWARK_RATE_LIMIT_PER_IP: '0' })).toThrow(
      /rate_limit_per_ip.*must be greater than 0/,
    );
    expect(() => loadConfig({}, { BULWARK_PORT: '70000' })).toThrow(/port \(BULWARK_PORT\)/);
    // Numbers given by a library caller are taken as numbers.
    expect(loadConfig({ rate_limit_per_ip: 42 }, {}).rate_limit_per_ip).toBe(42);
    expect(() => loadConfig({ rate_limit_per_ip: 1.5 }, {})).toThrow(/rate_limit_per_ip/);
  });
});
