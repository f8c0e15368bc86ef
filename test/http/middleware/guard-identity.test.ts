/**
 * Every lock the middleware holds can be lifted by the name it is listed under. The guard keeps a
 * sender/user as the host's function returned it, but `limiter.unlock`, DELETE /auth/lockouts and
 * `bulwark auth unlock` hold a user part to user_id's rules (one line, not blank, ≤ 256): a login
 * form's user name with a tab, a line separator or only spaces locked (user, IP) and user, and no
 * unlock could name the lock. Such identities are now limited under their SHA-256, as over-long
 * ones already were.
 */
import { describe, expect, it } from 'vitest';
import { Guard, identity } from '../../../src/http/middleware/guard.js';
import { createLimiter } from '../../../src/core/ratelimit/limiter.js';
import { MemoryLimiterStore } from '../../../src/core/ratelimit/memory-store.js';

const NOW = Date.UTC(2026, 0, 15, 12);

describe('guard identities and unlock', () => {
  it.each([
    ['only spaces', '   '],
    ['a tab', 'alice\t'],
    ['a line separator', 'alice\u2028'],
    ['a line break', 'alice\nadmin'],
    ['a bidirectional override', 'alice\u202e'],
  ])('a user with %s locks under a key unlock can name', async (_what, user) => {
    const limiter = createLimiter({ store: new MemoryLimiterStore(), clock: { now: () => NOW } });
    const guard = new Guard<{ user: string }>({ limiter, login: true, user: (req) => req.user });
    const facts = { peerIp: '192.0.2.7', headers: {} };
    for (let i = 0; i < 5; i++) {
      const v = await guard.check({ user }, facts);
      await guard.finish({}, 401, v!);
    }
    const v = await guard.check({ user }, facts);
    expect(v!.decision.reason).toBe('locked');
    const userIp = v!.decision.locks.find((l) => l.name === 'user_ip' && l.locked)!;
    expect(userIp).toBeDefined();
    // The name a lockout listing shows, then lifted by it.
    expect(await limiter.unlock(`user_ip:${userIp.key}`)).toMatchObject({ was_locked: true });
    expect(await limiter.unlock('ip:192.0.2.7')).toMatchObject({ was_locked: true });
    expect((await guard.check({ user }, facts))!.decision.allowed).toBe(true);
  });

  it('keeps one-line identities as they are, and tells distinct ones apart', () => {
    expect(identity('alice')).toBe('alice');
    expect(identity('+15550100')).toBe('+15550100');
    expect(identity('alice\t')).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(identity('alice\t')).not.toBe(identity('alice\n'));
    expect(identity('')).toBeNull();
  });
});
