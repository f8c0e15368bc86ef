/**
 * The limiter both example servers share: Redis when BULWARK_REDIS_URL is set (several instances
 * share the limits), else the in-process store. Logins fail closed when Redis is down; SMS sends
 * use the same policy here (an SMS gateway is a cost and spam target too).
 */
import { openLimiterStore } from '../../src/app/limiter-store.js';
import type { AuditEventInput } from '../../src/app/services/audit.js';
import { type Limiter, createLimiter } from '../../src/core/ratelimit/limiter.js';
import type { GuardAttemptRecord } from '../../src/http/middleware/guard.js';

export interface ExampleLimiter {
  smsLimiter: Limiter;
  loginLimiter: Limiter;
  /** Login attempts as the guard recorded them (a real host would call AuthService.recordAttempt). */
  attempts: GuardAttemptRecord[];
  recordAttempt: (a: GuardAttemptRecord) => Promise<void>;
  close(): Promise<void>;
}

export function exampleLimiter(
  opts: {
    redisUrl?: string | undefined;
    perSender?: number;
    now?: () => number;
    log?: (line: string) => void;
    /** Bulwark's audit log (`bulwark.audit.append`); attempts become auth_* / rate_limit_trigger entries. */
    audit?: (event: AuditEventInput) => Promise<unknown>;
  } = {},
): ExampleLimiter {
  // One store per route family, under its own key prefix, so an SMS `from` number and a login
  // user name never share a bucket, and each family has its own limits.
  const open = (keyPrefix: string) =>
    openLimiterStore({
      redisUrl: opts.redisUrl,
      keyPrefix,
      policy: 'fail-closed',
      onStoreFailure: (err, policy) => {
        opts.log?.(`rate-limit store failing (${policy}): ${String(err)}`);
        void opts.audit?.({
          event_type: 'config_change',
          source_ip: '127.0.0.1',
          action: 'rate_limit.store_failure',
          outcome: 'error',
          metadata: { policy, error: String(err) },
        });
      },
    });
  const smsSetup = open('example:sms:');
  const loginSetup = open('example:login:');
  const clock = opts.now ? { clock: { now: opts.now } } : {};
  const smsLimiter = createLimiter({
    store: smsSetup.store,
    policy: {
      perIp: { limit: 120, windowMs: 60_000 },
      perSender: { limit: opts.perSender ?? 5, windowMs: 60_000 },
    },
    ...clock,
  });
  // Logins: the defaults (60/min per user name, 120/min per IP, lockouts 5 failures in 10 min).
  const loginLimiter = createLimiter({ store: loginSetup.store, ...clock });
  const attempts: GuardAttemptRecord[] = [];
  return {
    smsLimiter,
    loginLimiter,
    attempts,
    recordAttempt: async (a) => {
      attempts.push(a);
      if (opts.audit) {
        const limited = a.failure_reason === 'rate_limited' || a.failure_reason === 'locked';
        await opts.audit({
          event_type: limited
            ? 'rate_limit_trigger'
            : a.result === 'success'
              ? 'auth_success'
              : 'auth_failure',
          user_id: a.user_id,
          source_ip: a.source_ip,
          action: 'POST /auth/login',
          outcome: limited || a.result === 'failure' ? 'denied' : 'allowed',
          timestamp: a.at,
          metadata: {
            failure_reason: a.failure_reason,
            reason: a.decision.reason,
            retry_after_ms: a.decision.retry_after_ms,
          },
        });
      }
      opts.log?.(
        `login ${a.result}${a.failure_reason ? ` (${a.failure_reason})` : ''} user=${a.user_id} ip=${a.source_ip}`,
      );
    },
    close: async () => {
      await smsSetup.close();
      await loginSetup.close();
    },
  };
}

/**
 * The sender of an SMS as the limiter must see it: one number, one bucket. Limiting the raw `from`
 * would give ` +15550100`, `+1 555 0100` and `+1-555-0100` a bucket each, and five messages a
 * minute would become five per spelling. Spaces, dashes, dots and brackets are dropped; what is
 * left must be a number in E.164's international form (`+`, a country code that does not start
 * with 0, 6 to 15 digits in all) or it is no sender at all (null: the route refuses it with 400,
 * after the per-IP limit has counted it). The `+` is required: `15550100` without it may be the
 * same number or a national one, and taken as a spelling of its own it had a bucket of its own
 * (alternating `+15550100` and `15550100` sent ten a minute). Normalise identities the same way
 * wherever a host limits them (lower-case e-mail addresses, NFC user names).
 */
export function smsSender(from: unknown): string | null {
  if (typeof from !== 'string' || from.length > 64) return null;
  const n = from.replace(/[\s().-]/g, '');
  return /^\+[1-9]\d{5,14}$/.test(n) ? n : null;
}

/** The demo's one account. */
export function checkPassword(username: unknown, password: unknown): boolean {
  return username === 'alice' && password === 'correct horse battery staple';
}
