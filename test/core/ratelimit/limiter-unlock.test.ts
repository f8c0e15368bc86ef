/**
 * `limiter.unlock(key)`: a library host lifts a lock by the name an administrator uses, and an
 * address is read to the ip key the lock is held under (lock-keys.ts). Before, a host had only
 * `store.unlock(lockStoreKey('ip', address))`, which did nothing for an IPv6 client (its lock is on
 * the /64) or a `::ffff:`-mapped one (a new-user trial found it).
 */
import { describe, expect, it } from 'vitest';
import { BulwarkError } from '../../../src/core/errors.js';
import { createLimiter } from '../../../src/core/ratelimit/limiter.js';
import { MemoryLimiterStore } from '../../../src/core/ratelimit/memory-store.js';

const NOW = Date.UTC(2026, 0, 15, 12);

async function lockedLimiter(ip: string, user = 'alice') {
  const limiter = createLimiter({ store: new MemoryLimiterStore(), clock: { now: () => NOW } });
  for (let i = 0; i < 5; i++) await limiter.recordOutcome({ ip, user }, 'failure', NOW);
  const d = await limiter.decide({ ip, user }, NOW);
  expect(d.reason).toBe('locked');
  return limiter;
}

describe('limiter.unlock', () => {
  it.each([
    ['another address of the same /64', '2001:db8:5:5::99', 'ip:2001:db8:5:5::1', 'ip:2001:db8:5:5::/64'],
    ['the ip key itself', '2001:db8:5:5::99', 'ip:2001:db8:5:5::/64', 'ip:2001:db8:5:5::/64'],
    ['an IPv4-mapped address', '192.0.2.7', 'ip:::ffff:192.0.2.7', 'ip:192.0.2.7'],
    ['an IPv4 address', '192.0.2.7', 'ip:192.0.2.7', 'ip:192.0.2.7'],
  ])('lifts an IP lock named by %s', async (_what, client, key, lifted) => {
    const limiter = await lockedLimiter(client);
    expect(await limiter.unlock(key)).toEqual({ key: lifted, was_locked: true });
    // The per-(user, IP) lock holds too (the same five failures): lift it the same way.
    expect((await limiter.decide({ ip: client, user: 'alice' }, NOW)).reason).toBe('locked');
    const ipPart = key.slice('ip:'.length);
    expect((await limiter.unlock(`user_ip:${ipPart}|alice`)).was_locked).toBe(true);
    expect((await limiter.decide({ ip: client, user: 'alice' }, NOW)).allowed).toBe(true);
    expect(await limiter.unlock(key)).toEqual({ key: lifted, was_locked: false });
  });

  it.each([
    ['no kind', '192.0.2.7', /must be ip:<ip key>, user:<user> or user_ip:<ip key>\|<user>/],
    ['an unknown kind', 'host:example', /must be ip:<ip key>/],
    ['an IP part that is no address', 'ip:not-an-ip', /the IP part must be an IP address/],
    ['a range that is not the policy prefix', 'ip:2001:db8::/48', /the IP part must be/],
    ['a blank user', 'user:   ', /the user part must be a user_id/],
    ['a user with a line break', 'user:a\nb', /the user part must be a user_id/],
    ['a user with a line separator', 'user:a\u2028b', /the user part must be a user_id/],
    ['a user_ip without its bar', 'user_ip:192.0.2.7', /must be user_ip:<ip key>\|<user>/],
  ])('refuses %s, naming key', async (_what, key, message) => {
    const limiter = createLimiter({ store: new MemoryLimiterStore() });
    const err = await limiter.unlock(key).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BulwarkError);
    expect((err as BulwarkError).field).toBe('key');
    expect((err as BulwarkError).message).toMatch(message);
  });
});
