/**
 * Exactness across processes: two processes sharing one Redis fire 10,000 concurrent decisions
 * in total at one sender key with limit L; exactly L are allowed (each decision is one atomic
 * script, so no interleaving can admit an extra one).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createLimiterRedis, waitForRedisReady } from '../../src/adapters/redis/limiter-store.js';
import { REDIS_URL, deleteKeys, describeWithRedis, uniquePrefix } from '../support/redis.js';

const WORKER = fileURLToPath(new URL('../support/limiter-exactness-worker.ts', import.meta.url));

interface Worker {
  ready: Promise<void>;
  result: Promise<{ allowed: number; refused: number }>;
  go(): void;
}

function startWorker(prefix: string, requests: number, limit: number): Worker {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', WORKER, REDIS_URL, prefix, String(requests), String(limit)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout! });
  let onReady: () => void;
  let onResult: (r: { allowed: number; refused: number }) => void;
  const ready = new Promise<void>((r) => (onReady = r));
  const result = new Promise<{ allowed: number; refused: number }>((resolve, reject) => {
    onResult = resolve;
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before reporting`)));
  });
  lines.on('line', (line) => (line === 'ready' ? onReady() : onResult(JSON.parse(line))));
  return { ready, result, go: () => child.stdin!.write('go\n') };
}

describeWithRedis('limiter exactness across processes', () => {
  let client: Redis;
  const prefix = uniquePrefix('exact');
  beforeAll(async () => {
    client = createLimiterRedis(REDIS_URL);
    await waitForRedisReady(client);
  });
  afterAll(async () => {
    await deleteKeys(client, prefix);
    await client.quit();
  });

  it('two processes, 10,000 concurrent requests, limit 1,000 → exactly 1,000 allowed', async () => {
    const limit = 1000;
    const workers = [startWorker(prefix, 5000, limit), startWorker(prefix, 5000, limit)];
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.go();
    const results = await Promise.all(workers.map((w) => w.result));
    const allowed = results.reduce((n, r) => n + r.allowed, 0);
    const refused = results.reduce((n, r) => n + r.refused, 0);
    expect(allowed).toBe(limit);
    expect(refused).toBe(10_000 - limit);
    // both processes got a share: the requests really interleaved
    expect(results.every((r) => r.allowed > 0)).toBe(true);
  }, 30_000);
});
