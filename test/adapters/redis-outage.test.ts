/**
 * A Redis outage in the middle of a run: a redis-server started for this test is killed, then
 * restarted on the same port. Decisions follow each failure policy during the outage, the host
 * never sees an exception or an unhandled 'error' event, metrics and the audit hook see it, and
 * decisions go back to Redis once it answers.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForRedisReady } from '../../src/adapters/redis/limiter-store.js';
import { openLimiterStore, type LimiterStoreSetup } from '../../src/app/limiter-store.js';
import { Metrics } from '../../src/app/metrics.js';
import type { StoreFailurePolicy } from '../../src/core/ratelimit/failure-policy.js';
import { createLimiter, type Limiter } from '../../src/core/ratelimit/limiter.js';

const haveRedisServer = spawnSync('redis-server', ['--version']).status === 0;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function startRedis(port: number): ChildProcess {
  return spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: 'ignore' },
  );
}

async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    p.once('exit', () => resolve());
    p.kill('SIGKILL');
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const suite = haveRedisServer || process.env.CI === 'true' ? describe : describe.skip;
if (!haveRedisServer) console.warn('[skipped] redis outage: no redis-server binary on PATH');

suite('rate limiting through a Redis outage', () => {
  let port: number;
  let server: ChildProcess;
  const metrics = new Metrics();
  const policies: StoreFailurePolicy[] = ['fail-closed', 'fail-open', 'fallback'];
  const setups = {} as Record<StoreFailurePolicy, LimiterStoreSetup>;
  const limiters = {} as Record<StoreFailurePolicy, Limiter>;
  const reports: Array<[StoreFailurePolicy, string]> = [];
  const recoveries: StoreFailurePolicy[] = [];
  const redisErrors: Error[] = [];
  let now = 1_700_000_000_000;

  beforeAll(async () => {
    expect(haveRedisServer, 'redis-server is required under CI=true').toBe(true);
    port = await freePort();
    server = startRedis(port);
    for (const policy of policies) {
      setups[policy] = openLimiterStore({
        redisUrl: `redis://127.0.0.1:${port}`,
        keyPrefix: `outage:${policy}:`,
        policy,
        metrics,
        commandTimeoutMs: 200,
        onRedisError: (e) => redisErrors.push(e),
        onStoreFailure: (err) => reports.push([policy, String(err)]),
        onStoreRecovered: () => recoveries.push(policy),
      });
      limiters[policy] = createLimiter({
        store: setups[policy].store,
        policy: { perIp: { limit: 5, windowMs: 60_000 } },
        clock: { now: () => now },
      });
    }
    for (const policy of policies) {
      for (let i = 0; i < 50 && setups[policy].redis!.status !== 'ready'; i++) await sleep(100);
      await waitForRedisReady(setups[policy].redis!, 5000);
    }
  });

  afterAll(async () => {
    for (const policy of policies) await setups[policy]?.close();
    if (server) await stop(server);
  });

  const attempt = (ip: string) => ({ ip });

  it('decides on Redis while it is up', async () => {
    for (const policy of policies) {
      const d = await limiters[policy].decide(attempt('203.0.113.1'));
      expect(d).toMatchObject({ allowed: true, reason: 'allowed' });
      expect(await setups[policy].redis!.exists(`outage:${policy}:rl:ip:203.0.113.1`)).toBe(1);
      expect(setups[policy].store.degraded).toBe(false);
    }
  });

  it('follows the failure policy while Redis is down, fast, without throwing', async () => {
    await stop(server);
    for (const policy of policies) {
      for (let i = 0; i < 50 && setups[policy].redis!.status === 'ready'; i++) await sleep(20);
    }
    now += 1;
    const started = Date.now();
    const closed = await limiters['fail-closed'].decide(attempt('203.0.113.2'));
    // An outage says so: no invented full bucket (count = limit, remaining 0) read as a real limit.
    expect(closed).toEqual({
      allowed: false,
      reason: 'store_unavailable',
      retry_after_ms: 1000,
      ip_key: '203.0.113.2',
      limits: [],
      locks: [],
    });
    const open = await limiters['fail-open'].decide(attempt('203.0.113.2'));
    expect(open).toMatchObject({ allowed: true });
    // the fallback keeps limiting, in memory: 5 pass, the 6th is refused
    const fb = [];
    for (let i = 0; i < 6; i++) fb.push((await limiters.fallback.decide(attempt('203.0.113.2'))).allowed);
    expect(fb).toEqual([true, true, true, true, true, false]);
    // lockout calls are absorbed too
    await expect(
      limiters['fail-closed'].recordOutcome({ ip: '203.0.113.2', user: 'u' }, 'failure'),
    ).resolves.toBeDefined();
    expect(Date.now() - started).toBeLessThan(3000);
    for (const policy of policies) expect(setups[policy].store.degraded).toBe(true);
    // reported once per store on entering the outage (throttled), counted on every failure
    expect(reports.map((r) => r[0]).sort()).toEqual([...policies].sort());
    const text = await metrics.text();
    expect(text).toMatch(/bulwark_rate_limit_store_degraded 1/);
    const closedFailures =
      /bulwark_rate_limit_store_failures_total\{operation="checkAndConsume",policy="fail-closed"\} (\d+)/.exec(
        text,
      );
    expect(Number(closedFailures?.[1])).toBeGreaterThanOrEqual(1);
    expect(/policy="fallback"\} (\d+)/.exec(text)?.[1]).toBe('6');
  });

  it('goes back to Redis when it returns', async () => {
    await sleep(500); // an outage long enough for reconnection attempts to be refused
    expect((await limiters['fail-closed'].decide(attempt('203.0.113.3'))).allowed).toBe(false);
    server = startRedis(port);
    for (const policy of policies) await waitForRedisReady(setups[policy].redis!, 10_000);
    now += 1;
    for (const policy of policies) {
      const d = await limiters[policy].decide(attempt('203.0.113.3'));
      expect(d).toMatchObject({ allowed: true, reason: 'allowed' });
      // the restarted (empty) server holds the new bucket: the decision was made there
      expect(await setups[policy].redis!.exists(`outage:${policy}:rl:ip:203.0.113.3`)).toBe(1);
      expect(setups[policy].store.degraded).toBe(false);
    }
    expect(recoveries.sort()).toEqual([...policies].sort());
    expect(await metrics.text()).toMatch(/bulwark_rate_limit_store_degraded 0/);
    // the client's 'error' events were all handled (the process is alive to run this line)
    expect(redisErrors.length).toBeGreaterThan(0);
  });
});
