import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createLimiter } from '../../../src/core/ratelimit/limiter.js';
import { MemoryLimiterStore } from '../../../src/core/ratelimit/memory-store.js';
import { type GuardAttemptRecord, markLoginOutcome } from '../../../src/http/middleware/guard.js';
import { bulwarkExpressLimiter } from '../../../src/http/middleware/express.js';

const T0 = 1_700_000_000_000;
let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function listen(app: express.Express): Promise<string> {
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server!.once('listening', () => r()));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('Express middleware', () => {
  it('limits per sender with 429, Retry-After and RateLimit fields; allowed responses carry them too', async () => {
    let now = T0;
    const limiter = createLimiter({
      store: new MemoryLimiterStore(),
      policy: { perIp: { limit: 100, windowMs: 60_000 }, perSender: { limit: 2, windowMs: 10_000 } },
      clock: { now: () => now },
    });
    const app = express();
    app.post(
      '/sms',
      express.json(),
      bulwarkExpressLimiter({ limiter, sender: (req) => (req.body as { from?: unknown }).from }),
      (_req, res) => {
        res.status(202).json({ queued: true });
      },
    );
    const base = await listen(app);
    const first = await post(`${base}/sms`, { from: '+15550100' });
    expect(first.status).toBe(202);
    expect(first.headers.get('ratelimit-policy')).toBe('"ip";q=100;w=60, "sender";q=2;w=10');
    expect(first.headers.get('ratelimit')).toBe('"ip";r=99;t=1, "sender";r=1;t=5');
    expect((await post(`${base}/sms`, { from: '+15550100' })).status).toBe(202);
    const refused = await post(`${base}/sms`, { from: '+15550100' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toEqual({
      code: 'rate_limited',
      message: 'Too many requests; retry after 5 s.',
    });
    expect((await post(`${base}/sms`, { from: '+15550101' })).status).toBe(202);
    now += 5000;
    expect((await post(`${base}/sms`, { from: '+15550100' })).status).toBe(202);
  });

  it('records login outcomes from the status code or an explicit mark, and locks out', async () => {
    const records: GuardAttemptRecord[] = [];
    const limiter = createLimiter({ store: new MemoryLimiterStore(), clock: { now: () => T0 } });
    const app = express();
    app.post(
      '/login',
      express.json(),
      bulwarkExpressLimiter({
        limiter,
        login: true,
        sender: (req) => (req.body as { username?: unknown }).username,
        recordAttempt: async (a) => {
          records.push(a);
        },
      }),
      (req, res) => {
        const { username, password } = req.body as { username: string; password: string };
        if (password === 'otp-expired') {
          markLoginOutcome(req, 'failure', 'expired_session');
          res.json({ ok: false });
        } else if (username === 'carol' && password === 'right') res.json({ ok: true });
        else res.status(401).json({ code: 'unauthenticated', message: 'bad credentials' });
      },
    );
    const base = await listen(app);
    expect((await post(`${base}/login`, { username: 'carol', password: 'otp-expired' })).status).toBe(200);
    for (let i = 0; i < 4; i++)
      expect((await post(`${base}/login`, { username: 'carol', password: 'nope' })).status).toBe(401);
    // the 5th failure from this IP (explicit mark + 4 × 401) banned it
    const locked = await post(`${base}/login`, { username: 'carol', password: 'right' });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBe(600);
    await new Promise((r) => setTimeout(r, 20));
    expect(records.map((r) => r.failure_reason)).toEqual([
      'expired_session',
      'bad_password',
      'bad_password',
      'bad_password',
      'bad_password',
      'locked',
    ]);
    expect(records[4]!.locks.some((l) => l.locked)).toBe(true);
    expect(records[0]).toMatchObject({ user_id: 'carol', source_ip: '127.0.0.1', result: 'failure' });
  });

  it('a sender/user function that throws is no identity (reported), never a 503 store outage', async () => {
    const records: GuardAttemptRecord[] = [];
    const errors: unknown[] = [];
    const app = express();
    app.post(
      '/login',
      express.json(),
      bulwarkExpressLimiter({
        limiter: createLimiter({ store: new MemoryLimiterStore() }),
        login: true,
        sender: (req) => (req.body as { username: string }).username.toLowerCase(),
        recordAttempt: (a) => {
          records.push(a);
        },
        onError: (e) => errors.push(e),
      }),
      (_q, s) => {
        s.status(401).json({});
      },
    );
    const base = await listen(app);
    const r = await fetch(`${base}/login`, { method: 'POST' }); // no body: req.body is undefined
    expect(r.status).toBe(401);
    expect(r.headers.get('ratelimit-policy')).toBe('"ip";q=120;w=60');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(records).toMatchObject([{ user_id: null, sender: null, result: 'failure' }]);
    expect(String(errors[0])).toMatch(/TypeError/);
  });

  it('an onError that throws or rejects is ignored: the request is answered, no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const down = new MemoryLimiterStore();
      down.checkAndConsume = () => Promise.reject(new Error('ECONNREFUSED'));
      const app = express();
      app.post(
        '/login',
        bulwarkExpressLimiter({
          limiter: createLimiter({ store: new MemoryLimiterStore() }),
          login: true,
          recordAttempt: () => Promise.reject(new Error('sink down')),
          onError: () => {
            throw new Error('logger broke');
          },
        }),
        (_q, s) => {
          s.status(401).json({});
        },
      );
      app.get(
        '/x',
        bulwarkExpressLimiter({
          limiter: createLimiter({ store: down }),
          onError: () => Promise.reject(new Error('async logger broke')),
        }),
        (_q, s) => {
          s.send('ok');
        },
      );
      const base = await listen(app);
      expect((await fetch(`${base}/login`, { method: 'POST' })).status).toBe(401);
      const r = await Promise.race([
        fetch(`${base}/x`).then((x) => x.status),
        new Promise((resolve) => setTimeout(() => resolve('no answer'), 1000)),
      ]);
      expect(r).toBe(503);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('bad options throw when the middleware is built; a bad cost function answers 500 internal', async () => {
    const limiter = createLimiter({ store: new MemoryLimiterStore() });
    expect(() => bulwarkExpressLimiter({} as never)).toThrow(/^limiter: required/);
    expect(() => bulwarkExpressLimiter({ limiter, cost: 1.5 })).toThrow(
      /^cost: must be an integer from 0 to 120/,
    );
    const app = express();
    app.get('/x', bulwarkExpressLimiter({ limiter, cost: () => Number.NaN }), (_q, s) => {
      s.send('ok');
    });
    const base = await listen(app);
    const r = await fetch(`${base}/x`);
    expect(r.status).toBe(500);
    expect(((await r.json()) as { code: string }).code).toBe('internal');
  });

  it('a failing store answers 503 and the process keeps serving', async () => {
    const store = new MemoryLimiterStore();
    store.checkAndConsume = () => Promise.reject(new Error('ECONNREFUSED'));
    const errors: unknown[] = [];
    const app = express();
    app.get(
      '/x',
      bulwarkExpressLimiter({ limiter: createLimiter({ store }), onError: (e) => errors.push(e) }),
      (_q, s) => {
        s.send('ok');
      },
    );
    const base = await listen(app);
    const r = await fetch(`${base}/x`);
    expect(r.status).toBe(503);
    expect(((await r.json()) as { code: string }).code).toBe('store_unavailable');
    expect(errors).toHaveLength(1);
  });
});
