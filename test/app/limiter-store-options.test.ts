import { describe, expect, it } from 'vitest';
import { openLimiterStore } from '../../src/app/limiter-store.js';
import { createLimiter } from '../../src/core/ratelimit/limiter.js';

/** Open TCP sockets of this process (an abandoned ioredis client keeps one, reconnecting for ever). */
const sockets = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

describe('limiter store options are checked at start', () => {
  it('a URL that is not Redis, or a bad timeout, is refused by name (was: every decision an outage)', () => {
    for (const redisUrl of ['http://127.0.0.1:6379', 'localhost', '', 'redis://'])
      expect(() => openLimiterStore({ redisUrl })).toThrow(
        /^redisUrl: must be a redis:\/\/ or rediss:\/\/ URL/,
      );
    for (const commandTimeoutMs of [-1, 0, 0.5, Number.NaN])
      expect(() => openLimiterStore({ redisUrl: 'redis://127.0.0.1:6379', commandTimeoutMs })).toThrow(
        /^commandTimeoutMs: must be an integer/,
      );
  });

  it('a refused option leaves no Redis connection behind', async () => {
    const before = sockets();
    expect(() => openLimiterStore({ redisUrl: 'redis://127.0.0.1:6379', keyPrefix: 5 as never })).toThrow(
      /^keyPrefix: must be a string/,
    );
    expect(() =>
      openLimiterStore({ redisUrl: 'redis://127.0.0.1:6379', policy: 'fail-closd' as never }),
    ).toThrow(/^policy: must be one of/);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sockets()).toBe(before);
  });

  it('createLimiter without a store fails when built, not at the first request', () => {
    expect(() => createLimiter({} as never)).toThrow(/^store: required/);
    expect(() => createLimiter({ store: {} as never })).toThrow(/^store: required/);
  });
});
