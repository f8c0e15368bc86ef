import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createLimiter } from '../../../src/core/ratelimit/limiter.js';
import { MemoryLimiterStore } from '../../../src/core/ratelimit/memory-store.js';
import type { LimiterStore } from '../../../src/core/ratelimit/ports.js';
import { type GuardAttemptRecord, markLoginOutcome } from '../../../src/http/middleware/guard.js';
import { bulwarkRateLimit } from '../../../src/http/middleware/fastify.js';

const T0 = 1_700_000_000_000;
let app: FastifyInstance;
afterEach(async () => {
  await app?.close();
});

const policy = {
  perIp: { limit: 10, windowMs: 60_000 },
  perSender: { limit: 3, windowMs: 60_000 },
  trustedProxies: ['10.0.0.0/8'],
  denyList: ['192.0.2.66'],
  allowList: ['198.51.100.0/24'],
};

async function smsApp(store: LimiterStore = new MemoryLimiterStore(), onError?: (e: unknown) => void) {
  let now = T0;
  const limiter = createLimiter({ store, policy, clock: { now: () => now } });
  app = Fastify();
  await app.register(bulwarkRateLimit, {
    limiter,
    sender: (req) => (req.body as { from?: unknown } | undefined)?.from,
    ...(onError ? { onError } : {}),
  });
  app.post('/sms', async () => ({ queued: true }));
  app.get('/health', { config: { bulwarkRateLimit: false } }, async () => ({ ok: true }));
  return { advance: (ms: number) => (now += ms) };
}

const sms = (from: unknown, remoteAddress = '203.0.113.5', headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/sms', payload: { from, text: 'hi' }, remoteAddress, headers });

describe('Fastify plugin: limits', () => {
  it('limits per sender: 429 with Retry-After, RateLimit fields and the catalogue body', async () => {
    const clock = await smsApp();
    for (let i = 0; i < 3; i++) {
      const ok = await sms('+15550001');
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['ratelimit-policy']).toBe('"ip";q=10;w=60, "sender";q=3;w=60');
      expect(ok.headers.ratelimit).toBe(
        `"ip";r=${9 - i};t=${6 * (i + 1)}, "sender";r=${2 - i};t=${20 * (i + 1)}`,
      );
    }
    const refused = await sms('+15550001');
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toEqual({ code: 'rate_limited', message: 'Too many requests; retry after 20 s.' });
    expect(refused.headers['retry-after']).toBe('20');
    expect(refused.headers.ratelimit).toBe('"ip";r=7;t=18, "sender";r=0;t=60');
    // another sender from the same address still passes (the refusal charged nothing)
    expect((await sms('+15550002')).statusCode).toBe(200);
    clock.advance(19_999);
    expect((await sms('+15550001')).statusCode).toBe(429);
    clock.advance(1);
    expect((await sms('+15550001')).statusCode).toBe(200);
  });

  it('limits per IP whatever the senders, and rounds Retry-After up', async () => {
    await smsApp();
    for (let i = 0; i < 10; i++) expect((await sms(`+1555000${i}`)).statusCode).toBe(200);
    const r = await sms('+15559999');
    expect(r.statusCode).toBe(429);
    expect(r.headers['retry-after']).toBe('6'); // 6000 ms exactly
    expect((await sms('+15559999', '203.0.113.6')).statusCode).toBe(200);
  });

  it('ignores X-Forwarded-For from an untrusted peer and believes a trusted proxy', async () => {
    await smsApp();
    for (let i = 0; i < 10; i++) {
      // spoofed: a different address in every request, but the peer is the client
      expect((await sms(`s${i}`, '203.0.113.7', { 'x-forwarded-for': `198.18.0.${i}` })).statusCode).toBe(
        200,
      );
    }
    expect((await sms('s', '203.0.113.7', { 'x-forwarded-for': '198.18.0.99' })).statusCode).toBe(429);
    // behind the trusted proxy every client is its own key
    for (let i = 0; i < 12; i++) {
      expect((await sms(`p${i}`, '10.1.2.3', { 'x-forwarded-for': `198.18.1.${i}` })).statusCode).toBe(200);
    }
  });

  it('groups IPv6 clients by /64', async () => {
    await smsApp();
    for (let i = 0; i < 10; i++) expect((await sms(`v${i}`, `2001:db8:1:2::${i + 1}`)).statusCode).toBe(200);
    expect((await sms('v', '2001:db8:1:2:ffff::1')).statusCode).toBe(429);
    expect((await sms('v', '2001:db8:1:3::1')).statusCode).toBe(200);
  });

  it('deny-list → 403 without Retry-After; allow-list is never limited', async () => {
    await smsApp();
    const denied = await sms('x', '192.0.2.66');
    expect(denied.statusCode).toBe(403);
    expect(denied.json().code).toBe('forbidden');
    expect(denied.headers['retry-after']).toBeUndefined();
    for (let i = 0; i < 20; i++) expect((await sms('same', '198.51.100.9')).statusCode).toBe(200);
  });

  it('a non-string or over-long sender cannot mint keys', async () => {
    await smsApp();
    // a number is not a sender: only the IP bucket applies
    const r = await sms(12345);
    expect(r.headers['ratelimit-policy']).toBe('"ip";q=10;w=60');
    const long = 'x'.repeat(10_000);
    for (let i = 0; i < 3; i++) expect((await sms(long, `203.0.113.${20 + i}`)).statusCode).toBe(200);
    expect((await sms(long, '203.0.113.30')).statusCode).toBe(429); // still one sender (hashed)
  });

  it('a sender function that throws is no sender (reported), never a 503 store outage', async () => {
    const limiter = createLimiter({ store: new MemoryLimiterStore(), policy, clock: { now: () => T0 } });
    const errors: unknown[] = [];
    app = Fastify();
    await app.register(bulwarkRateLimit, {
      limiter,
      // the README's shape: throws on a request without a body
      sender: (req) => (req.body as { from?: string }).from,
      onError: (e) => errors.push(e),
    });
    app.post('/sms', async () => ({ queued: true }));
    const r = await app.inject({ method: 'POST', url: '/sms', remoteAddress: '203.0.113.40' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['ratelimit-policy']).toBe('"ip";q=10;w=60'); // limited by IP alone
    expect(String(errors[0])).toMatch(/TypeError/);
    for (let i = 1; i < 10; i++)
      await app.inject({ method: 'POST', url: '/sms', remoteAddress: '203.0.113.40' });
    const limited = await app.inject({ method: 'POST', url: '/sms', remoteAddress: '203.0.113.40' });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('rate_limited');
  });

  it('bad options fail at registration, naming the option, not as 503s later', async () => {
    const limiter = createLimiter({ store: new MemoryLimiterStore(), policy });
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{}, /^limiter: required/],
      [{ limiter: {} }, /^limiter: required/],
      [{ limiter, cost: 0.5 }, /^cost: must be an integer from 0 to 10/],
      [{ limiter, cost: -1 }, /^cost: /],
      [{ limiter, cost: 11 }, /^cost: /],
      [{ limiter, cost: 4, sender: () => 's' }, /^cost: must be an integer from 0 to 3/],
      [{ limiter, sender: 'from' }, /^sender: must be a function/],
    ];
    for (const [options, message] of bad) {
      app = Fastify();
      await expect(app.register(bulwarkRateLimit, options as never)).rejects.toThrow(message);
      await app.close();
    }
  });

  it('a cost function that throws or returns a bad cost answers 500 internal, not a store outage', async () => {
    const limiter = createLimiter({ store: new MemoryLimiterStore(), policy });
    const errors: unknown[] = [];
    app = Fastify();
    await app.register(bulwarkRateLimit, {
      limiter,
      cost: (req) => {
        const c = (req.query as { c?: string }).c;
        if (c === 'throw') throw new Error('cost boom');
        return c === undefined ? 1 : Number(c);
      },
      onError: (e) => errors.push(e),
    });
    app.get('/x', async () => 'ok');
    expect((await app.inject({ url: '/x' })).statusCode).toBe(200);
    for (const c of ['throw', '0.5', '-1', '11', 'NaN']) {
      const r = await app.inject({ url: `/x?c=${c}` });
      expect(r.statusCode).toBe(500);
      expect(r.json()).toEqual({
        code: 'internal',
        message: 'The rate limiter could not decide on this request.',
      });
      expect(r.headers['retry-after']).toBeUndefined();
    }
    expect(errors).toHaveLength(5);
    expect(String(errors[1])).toMatch(/cost function returned 0.5/);
  });

  it('a route can opt out', async () => {
    await smsApp();
    for (let i = 0; i < 15; i++) {
      const r = await app.inject({ method: 'GET', url: '/health', remoteAddress: '203.0.113.8' });
      expect(r.statusCode).toBe(200);
      expect(r.headers.ratelimit).toBeUndefined();
    }
  });

  it('a failing store answers 503 store_unavailable and reports the error, never crashes', async () => {
    const broken = new MemoryLimiterStore();
    broken.checkAndConsume = async () => {
      throw new Error('connection refused');
    };
    const errors: unknown[] = [];
    await smsApp(broken, (e) => errors.push(e));
    const r = await sms('+1555');
    expect(r.statusCode).toBe(503);
    expect(r.json()).toEqual({ code: 'store_unavailable', message: expect.any(String) });
    expect(String(errors[0])).toMatch(/connection refused/);
  });
});

describe('Fastify plugin: login routes', () => {
  async function loginApp(records: GuardAttemptRecord[]) {
    const limiter = createLimiter({ store: new MemoryLimiterStore(), policy: {}, clock: { now: () => T0 } });
    app = Fastify();
    await app.register(async (scope) => {
      await scope.register(bulwarkRateLimit, {
        limiter,
        login: true,
        sender: (req) => (req.body as { username?: unknown }).username,
        recordAttempt: (a) => {
          records.push(a);
        },
      });
      scope.post('/login', async (req, reply) => {
        const { username, password } = req.body as { username: string; password: string };
        if (password === 'mfa-wrong') {
          markLoginOutcome(req, 'failure', 'mfa_failed');
          return { ok: false };
        }
        if (username === 'alice' && password === 'right') return { ok: true };
        return reply.code(401).send({ code: 'unauthenticated', message: 'bad credentials' });
      });
    });
    app.get('/other', async () => 'unguarded'); // outside the scope
  }
  const login = (username: string, password: string, remoteAddress = '203.0.113.50') =>
    app.inject({ method: 'POST', url: '/login', payload: { username, password }, remoteAddress });
  const settle = () => new Promise((r) => setTimeout(r, 20));

  it('records outcomes, locks after 5 failures from one IP, and records the refusals', async () => {
    const records: GuardAttemptRecord[] = [];
    await loginApp(records);
    expect((await login('alice', 'right')).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await login('alice', 'wrong')).statusCode).toBe(401);
    const locked = await login('alice', 'right');
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe('600');
    expect(locked.json().message).toMatch(/failed attempts/);
    await settle();
    expect(records.map((r) => [r.result, r.failure_reason])).toEqual([
      ['success', null],
      ...Array.from({ length: 5 }, () => ['failure', 'bad_password']),
      ['failure', 'locked'],
    ]);
    expect(records[0]).toMatchObject({
      user_id: 'alice',
      sender: 'alice',
      source_ip: '203.0.113.50',
      at: T0,
    });
    expect(records[5]!.locks.find((l) => l.name === 'ip')).toMatchObject({ locked: true, level: 1 });
    expect(records[6]!.decision.reason).toBe('locked');
    // the route outside the plugin's scope is not guarded
    expect(
      (await app.inject({ method: 'GET', url: '/other', remoteAddress: '203.0.113.50' })).statusCode,
    ).toBe(200);
  });

  it('an explicit mark overrides the status code', async () => {
    const records: GuardAttemptRecord[] = [];
    await loginApp(records);
    expect((await login('bob', 'mfa-wrong')).statusCode).toBe(200);
    await settle();
    expect(records[0]).toMatchObject({ result: 'failure', failure_reason: 'mfa_failed', user_id: 'bob' });
  });
});
