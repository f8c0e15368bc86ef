/**
 * createLimiter on a MemoryLimiterStore takes the synchronous path (decideSync, no store
 * promise). It must decide exactly as the generic path (decide over the async port) does:
 * same decisions on the same random attempts, lockouts included, and errors as rejections.
 */
import { describe, expect, it } from 'vitest';
import { isBulwarkError } from '../../../src/core/errors.js';
import { decide, recordOutcome } from '../../../src/core/ratelimit/decide.js';
import { createLimiter } from '../../../src/core/ratelimit/limiter.js';
import { MemoryLimiterStore } from '../../../src/core/ratelimit/memory-store.js';
import { compileRateLimitPolicy } from '../../../src/core/ratelimit/policy.js';

const T0 = 1_700_000_000_000;

describe('limiter over the memory store', () => {
  const policy = compileRateLimitPolicy({
    perIp: { limit: 4, windowMs: 10_000 },
    perSender: { limit: 3, windowMs: 10_000 },
    lockout: { ip: { maxFailures: 3 }, userIp: { maxFailures: 2 }, user: { maxFailures: 4 } },
    allowList: ['192.0.2.0/24'],
    denyList: ['198.51.100.66'],
  });

  it('decides as the generic path on 3,000 random attempts and outcomes', async () => {
    const fast = createLimiter({ store: new MemoryLimiterStore({ maxKeys: 16 }), policy });
    const generic = new MemoryLimiterStore({ maxKeys: 16 });
    const ips = [
      '203.0.113.1',
      '203.0.113.2',
      '2001:db8:1:2::5',
      '::ffff:203.0.113.1',
      '192.0.2.9',
      '198.51.100.66',
    ];
    let x = 12345;
    const pick = (n: number) => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) % n;
    };
    let now = T0;
    const reasons = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      now += pick(700);
      const attempt = {
        ip: ips[pick(ips.length)]!,
        sender: pick(3) === 0 ? null : `s${pick(4)}`,
        user: pick(2) === 0 ? undefined : `u${pick(3)}`,
        cost: pick(5) === 0 ? 2 : 1,
      };
      if (pick(4) === 0) {
        const outcome = pick(3) === 0 ? 'success' : 'failure';
        expect(await fast.recordOutcome(attempt, outcome, now)).toEqual(
          await recordOutcome(attempt, outcome, policy, generic, now),
        );
      } else {
        const d = await fast.decide(attempt, now);
        expect(d).toEqual(await decide(attempt, policy, generic, now));
        reasons.add(d.reason);
      }
    }
    // the run reaches every branch of a decision
    expect([...reasons].sort()).toEqual(['allowed', 'allowlisted', 'denylisted', 'locked', 'rate_limited']);
  });

  it('calls a checkAndConsume set on the store instance, before or after the limiter was made', async () => {
    const store = new MemoryLimiterStore();
    const limiter = createLimiter({ store, policy });
    expect((await limiter.decide({ ip: '203.0.113.1' }, T0)).reason).toBe('allowed');
    store.checkAndConsume = () =>
      Promise.resolve({ locks: [], buckets: null, unavailable: { retryAfterMs: 1000 } });
    expect(await limiter.decide({ ip: '203.0.113.1' }, T0)).toMatchObject({
      allowed: false,
      reason: 'store_unavailable',
      retry_after_ms: 1000,
    });
  });

  it('rejects (does not throw) on a bad attempt', async () => {
    const limiter = createLimiter({ store: new MemoryLimiterStore(), policy });
    const p = limiter.decide({ ip: 'not-an-ip' }, T0);
    expect(p).toBeInstanceOf(Promise);
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isBulwarkError(err) && err.code === 'validation_failed').toBe(true);
  });
});
