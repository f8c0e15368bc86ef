/**
 * The LimiterStore contract (src/core/ratelimit/ports.ts), one suite for every implementation:
 * memory, SQL (SQLite, PostgreSQL), Redis. Each store must decide exactly as the memory store
 * does (the reference), be exact under concurrency, all-or-nothing across buckets, and keep lock
 * ends absolute. A persistent store passes `reopen` so the suite checks that bans survive a restart.
 *
 * Usage: limiterStoreContract('sql [sqlite]', async () => ({ store, reopen, close }))
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isBulwarkError } from '../../src/core/errors.js';
import type { LockoutPolicy } from '../../src/core/ratelimit/lockout.js';
import { MemoryLimiterStore } from '../../src/core/ratelimit/memory-store.js';
import type { LimiterStore } from '../../src/core/ratelimit/ports.js';

export interface LimiterStoreHandle {
  store: LimiterStore;
  /** Closes this store's connections and opens a new store on the same data (persistent stores). */
  reopen?: () => Promise<LimiterStore>;
  close(): Promise<void>;
}

const T0 = 1_760_000_000_000;
const POLICY: LockoutPolicy = {
  maxFailures: 5,
  findTimeMs: 600_000,
  banMs: 600_000,
  banMultiplier: 2,
  maxBanMs: 1_800_000,
  forgetAfterMs: 86_400_000,
  clearOnSuccess: true,
};

export function limiterStoreContract(
  name: string,
  open: () => Promise<LimiterStoreHandle>,
  // In-process stores forget on restart by design: the restart test is not declared for them.
  opts: { persistent: boolean } = { persistent: true },
): void {
  describe(`LimiterStore contract: ${name}`, () => {
    let h: LimiterStoreHandle | undefined;
    const fresh = async (): Promise<LimiterStore> => {
      h = await open();
      return h.store;
    };
    afterEach(async () => {
      await h?.close();
      h = undefined;
    });
    // Keys unique per test, so stores that share a server (Redis) never see another test's state.
    let n = 0;
    const key = (k: string) => `${k}:${Date.now().toString(36)}:${n++}`;

    it('of 200 simultaneous requests against a limit of 37, exactly 37 pass', async () => {
      const store = await fresh();
      const k = key('rl:ip:exact');
      const results = await Promise.all(
        Array.from({ length: 200 }, () => store.consume(k, 37, 60_000, 1, T0)),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(37);
      const refused = results.find((r) => !r.allowed)!;
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(Math.ceil(60_000 / 37));
    });

    it('capacity returns one request every window/limit: no fixed-window double burst', async () => {
      const store = await fresh();
      const k = key('rl:ip:steady');
      for (let i = 0; i < 4; i++) expect((await store.consume(k, 4, 1000, 1, T0)).allowed).toBe(true);
      expect((await store.consume(k, 4, 1000, 1, T0)).allowed).toBe(false);
      expect((await store.consume(k, 4, 1000, 1, T0 + 249)).allowed).toBe(false);
      expect((await store.consume(k, 4, 1000, 1, T0 + 250)).allowed).toBe(true);
      expect((await store.consume(k, 4, 1000, 1, T0 + 250)).allowed).toBe(false);
    });

    it('consumeMany is all-or-nothing: a refusal charges no bucket', async () => {
      const store = await fresh();
      const ip = key('rl:ip:aon');
      const sender = key('rl:sender:aon');
      await store.consume(sender, 1, 60_000, 1, T0);
      const r = await store.consumeMany(
        [
          { key: ip, limit: 3, windowMs: 60_000 },
          { key: sender, limit: 1, windowMs: 60_000 },
        ],
        T0,
      );
      expect(r.map((d) => d.allowed)).toEqual([true, false]);
      expect(r[0]!.count).toBe(0); // reported without the refused request
      const again = await store.consume(ip, 3, 60_000, 1, T0);
      expect(again.count).toBe(1);
    });

    it('agrees with the memory store on a mixed sequence (counts, remaining, reset, retry-after)', async () => {
      const store = await fresh();
      const ref = new MemoryLimiterStore();
      const keys = [key('rl:ip:a'), key('rl:ip:b'), key('rl:sender:c')];
      let seed = 7;
      const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      let t = T0;
      for (let i = 0; i < 120; i++) {
        t += Math.floor(rnd() * 400);
        const k = keys[Math.floor(rnd() * keys.length)]!;
        const limit = 3 + (i % 2);
        const got = await store.consume(k, limit, 1000, 1, t);
        const want = ref.consumeSync(k, limit, 1000, 1, t);
        expect({ ...got }).toEqual({ ...want });
      }
    });

    it('validates its arguments with the field named', async () => {
      const store = await fresh();
      await expect(store.consume(key('rl:x'), 0, 1000, 1, T0)).rejects.toThrow(/limit/);
      await expect(store.consume('', 5, 1000, 1, T0)).rejects.toThrow(/key/);
      await expect(
        store.consumeMany(
          [
            { key: 'same', limit: 1, windowMs: 1 },
            { key: 'same', limit: 1, windowMs: 1 },
          ],
          T0,
        ),
      ).rejects.toSatisfy((e) => isBulwarkError(e) && /requests\[1\]\.key/.test((e as Error).message));
    });

    it('five failures in ten minutes lock the key until an absolute time; refused tries do not extend it', async () => {
      const store = await fresh();
      const k = key('lock:ip:198.51.100.7');
      for (let i = 0; i < 4; i++)
        expect((await store.recordFailure(k, POLICY, T0 + i * 60_000)).locked).toBe(false);
      const s = await store.recordFailure(k, POLICY, T0 + 4 * 60_000);
      expect(s).toMatchObject({ locked: true, until: T0 + 4 * 60_000 + 600_000, level: 1 });
      // Failures while locked are not evidence.
      expect((await store.recordFailure(k, POLICY, T0 + 5 * 60_000)).until).toBe(T0 + 4 * 60_000 + 600_000);
      expect((await store.isLocked(k, T0 + 5 * 60_000)).retryAfterMs).toBe(540_000);
      expect((await store.isLocked(k, T0 + 4 * 60_000 + 600_000)).locked).toBe(false);
    });

    it('five failures spread over more than ten minutes do not lock', async () => {
      const store = await fresh();
      const k = key('lock:ip:spread');
      for (let i = 0; i < 10; i++)
        expect((await store.recordFailure(k, POLICY, T0 + i * 151_000)).locked).toBe(false);
    });

    it('repeat offenders get longer bans, up to the cap', async () => {
      const store = await fresh();
      const k = key('lock:user:alice');
      let t = T0;
      const lengths: number[] = [];
      for (let ban = 0; ban < 4; ban++) {
        let s;
        for (let i = 0; i < 5; i++) s = await store.recordFailure(k, POLICY, t++);
        lengths.push(s!.until! - (t - 1));
        t = s!.until!;
      }
      expect(lengths).toEqual([600_000, 1_200_000, 1_800_000, 1_800_000]);
    });

    it('clear forgets failures but keeps a lock; unlock lifts it', async () => {
      const store = await fresh();
      const k = key('lock:user_ip:x');
      for (let i = 0; i < 4; i++) await store.recordFailure(k, POLICY, T0 + i);
      await store.clear(k);
      expect((await store.recordFailure(k, POLICY, T0 + 10)).failures).toBe(1);
      for (let i = 0; i < 4; i++) await store.recordFailure(k, POLICY, T0 + 20 + i);
      expect((await store.isLocked(k, T0 + 30)).locked).toBe(true);
      await store.clear(k);
      expect((await store.isLocked(k, T0 + 30)).locked).toBe(true);
      await store.unlock(k);
      expect(await store.isLocked(k, T0 + 30)).toMatchObject({ locked: false, level: 0, failures: 0 });
    });

    it('checkAndConsume refuses on a lock without charging any bucket', async () => {
      const store = await fresh();
      const lock = key('lock:ip:cc');
      const bucket = key('rl:ip:cc');
      for (let i = 0; i < 5; i++) await store.recordFailure(lock, POLICY, T0);
      const r = await store.checkAndConsume([lock], [{ key: bucket, limit: 2, windowMs: 60_000 }], T0 + 1);
      expect(r.buckets).toBeNull();
      expect(r.locks[0]).toMatchObject({ locked: true, until: T0 + 600_000 });
      const free = await store.checkAndConsume(
        [key('lock:none')],
        [{ key: bucket, limit: 2, windowMs: 60_000 }],
        T0 + 1,
      );
      expect(free.locks[0]!.locked).toBe(false);
      expect(free.buckets![0]).toMatchObject({ allowed: true, count: 1 });
    });

    if (opts.persistent)
      it('a ban and a bucket survive a restart with their absolute times', async () => {
        const store = await fresh();
        expect(h!.reopen, 'a persistent store must be reopenable').toBeDefined();
        if (!h!.reopen) return;
        const lock = key('lock:ip:persist');
        const bucket = key('rl:ip:persist');
        for (let i = 0; i < 5; i++) await store.recordFailure(lock, POLICY, T0 + i);
        await store.consume(bucket, 2, 60_000, 1, T0);
        await store.consume(bucket, 2, 60_000, 1, T0);
        const reopened = await h!.reopen();
        expect(await reopened.isLocked(lock, T0 + 100)).toMatchObject({
          locked: true,
          until: T0 + 4 + 600_000,
          level: 1,
        });
        const d = await reopened.consume(bucket, 2, 60_000, 1, T0 + 1);
        expect(d).toMatchObject({ allowed: false, count: 2 });
      });
  });
}
