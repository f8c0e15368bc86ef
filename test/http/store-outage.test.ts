/**
 * A Redis outage under fail-closed says it is an outage, never a rate limit: POST /auth/attempts
 * answers reason `store_unavailable` with a retry hint and no invented counts (it said
 * `rate_limited` with `count: 120, remaining: 0`), and the middleware answers 503
 * `store_unavailable` with Retry-After instead of 429. Redis is real and unreachable: the URL
 * points at a closed port.
 */
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bulwark, createBulwark } from '../../src/app/bulwark.js';
import { openLimiterStore } from '../../src/app/limiter-store.js';
import { createLimiter } from '../../src/core/ratelimit/limiter.js';
import { bulwarkRateLimit } from '../../src/http/middleware/fastify.js';
import { buildServer } from '../../src/http/server.js';
import { bearer } from '../support/app.js';
import { describeEachBackend } from '../support/backends.js';

const CLOSED_PORT = 'redis://127.0.0.1:1';

describeEachBackend('POST /auth/attempts while Redis is unreachable (fail-closed)', (backend) => {
  let b: Bulwark;
  let token: string;
  beforeAll(async () => {
    b = await createBulwark(
      {
        database_url: backend.url(),
        master_key: randomBytes(32).toString('base64'),
        rate_limit_store: 'redis',
        redis_url: CLOSED_PORT,
      },
      { logLevel: 'silent', env: {} },
    );
    token = (await b.tokens.create({ scope: 'write', name: 'host' }, { id: 'test', ip: '127.0.0.1' })).token;
  });
  afterAll(() => b.close());

  it('answers store_unavailable with retry_after_ms and no counts', async () => {
    const app = await buildServer(b);
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/auth/attempts',
        headers: bearer(token),
        payload: {
          user_id: 'alice',
          source_ip: '203.0.113.9',
          result: 'failure',
          failure_reason: 'bad_password',
        },
      });
      expect(res.statusCode).toBe(200);
      const d = res.json();
      expect(d).toMatchObject({
        allowed: false,
        reason: 'store_unavailable',
        retry_after_ms: 1000,
        ip_key: '203.0.113.9',
        limits: [],
        locks: [],
      });
      // stored and audited as refused by the outage, not as a rate limit
      const audit = await b.audit.list({}, { limit: 20, order: 'desc' });
      const failure = audit.items.find((r) => r.event_type === 'auth_failure')!;
      expect(JSON.parse(failure.metadata as unknown as string)).toMatchObject({
        decision: 'store_unavailable',
        failure_reason: 'bad_password',
      });
      expect(audit.items.some((r) => r.event_type === 'rate_limit_trigger')).toBe(false);
    } finally {
      await app.close();
    }
  });
});

describe('the middleware while Redis is unreachable (fail-closed)', () => {
  const setup = openLimiterStore({ redisUrl: CLOSED_PORT, keyPrefix: 'outage-mw:', policy: 'fail-closed' });
  const recorded: unknown[] = [];
  const app = Fastify();
  beforeAll(async () => {
    await app.register(bulwarkRateLimit, {
      limiter: createLimiter({ store: setup.store }),
      login: true,
      sender: (req) => (req.body as { user?: unknown } | undefined)?.user,
      recordAttempt: (a) => void recorded.push(a),
    });
    app.post('/login', async () => ({ ok: true }));
  });
  afterAll(async () => {
    await app.close();
    await setup.close();
  });

  it('answers 503 store_unavailable with Retry-After, not 429, and records no login attempt', async () => {
    const res = await app.inject({ method: 'POST', url: '/login', payload: { user: 'alice' } });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({
      code: 'store_unavailable',
      message: 'The rate-limit store cannot be reached; retry shortly.',
    });
    expect(res.headers['retry-after']).toBe('1');
    expect(res.headers['ratelimit']).toBeUndefined(); // no bucket was read: no counts to show
    expect(recorded).toEqual([]);
  });
});
