/**
 * Limiter benchmarks, each against its anchor in the same process and run (`npm run bench:limiter`):
 *
 * 1. In-memory decision: Bulwark's MemoryLimiterStore vs rate-limiter-flexible's RateLimiterMemory,
 *    same limit (120/min), same key sequence (10,000 client IPs, uniformly drawn), both through
 *    their promise API; Bulwark's full `decide` (IP key, lockout check, bucket) printed beside.
 *    Goal ≥ 1.5×.
 * 2. Redis decision at 64 concurrent requests: RedisLimiterStore vs RateLimiterRedis on clients
 *    with the same settings; round trips per decision counted with MONITOR (commands a client
 *    sent, not the ones scripts ran). Goal ≥ 1.0×, one round trip.
 * 3. HTTP: a Fastify route behind the Bulwark plugin vs the same route bare, autocannon with 64
 *    connections against a server in a child process. Goal ≥ 0.7× requests/s; p99 printed.
 *
 * Rounds alternate between contender and anchor and the ratio is taken per round (the median is
 * printed with the range), so a busy machine penalises both alike. Env: BENCH_QUICK=1 for a
 * short run, BULWARK_BENCH_REDIS_URL.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import {
  RedisLimiterStore,
  createLimiterRedis,
  waitForRedisReady,
} from '../src/adapters/redis/limiter-store.js';
import { createLimiter } from '../src/core/ratelimit/limiter.js';
import { MemoryLimiterStore } from '../src/core/ratelimit/memory-store.js';

const QUICK = process.env.BENCH_QUICK === '1';
const REDIS_URL = process.env.BULWARK_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const LIMIT = 120;
const WINDOW_MS = 60_000;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
function verdict(r: number, goal: number): string {
  return r >= goal ? `meets the ≥ ${goal}× goal` : `MISSES the ≥ ${goal}× goal`;
}

/**
 * Same key sequence for every contender: 10,000 IPv4 clients, uniformly drawn (xorshift32);
 * `all` gives each distinct address once, in order.
 */
function keySequence(n: number, distinct: number, all = false): string[] {
  const ips = Array.from(
    { length: distinct },
    (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
  );
  if (all) return ips.slice(0, n);
  let s = 2463534242;
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ips[(s >>> 0) % distinct]!;
  }
  return out;
}

async function timeIt(fn: () => Promise<void>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

/** CPU seconds (user + system) spent in this process by `fn`: immune to other processes' load. */
async function cpuTimeIt(fn: () => Promise<void>): Promise<number> {
  const c = process.cpuUsage();
  await fn();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1e6;
}

// ---- 1. in-memory -------------------------------------------------------------------------------

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const spread = (xs: number[], digits = 2): string =>
  `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;

/**
 * One contender of the in-memory part. `fresh` builds new state (a new store or limiter) so every
 * round starts from the same place; `warm` (untimed) makes every key known to it, `run` is timed.
 */
interface MemorySide {
  fresh(): void;
  warm(distinct: readonly string[]): Promise<void>;
  run(keys: readonly string[], from: number, to: number): Promise<number>;
}

/**
 * The same decision loop for both libraries, through their promise APIs, one await per decision.
 * Keys are concatenated per call on both sides (Bulwark's `rl:ip:` here, RLF's own prefix inside
 * `consume`), so neither side gets a string whose hash V8 has already cached.
 */
function memorySides(regime: 'under' | 'over'): Record<'bulwark' | 'rlf', MemorySide> {
  // "over": the warm pass spends the whole limit, so the timed decisions are refusals (GCRA gives
  // back one request per 500 ms, so a few pass); "under": one request per key before the timed pass.
  const warmCost = regime === 'over' ? LIMIT : 1;
  let store = new MemoryLimiterStore({ maxKeys: 20_000 });
  let rlf = new RateLimiterMemory({ points: LIMIT, duration: WINDOW_MS / 1000 });
  return {
    bulwark: {
      fresh: () => (store = new MemoryLimiterStore({ maxKeys: 20_000 })),
      warm: async (distinct) => {
        for (const ip of distinct) await store.consume(`rl:ip:${ip}`, LIMIT, WINDOW_MS, warmCost, Date.now());
      },
      run: async (keys, from, to) => {
        let allowed = 0;
        for (let i = from; i < to; i++) {
          const d = await store.consume(`rl:ip:${keys[i]!}`, LIMIT, WINDOW_MS, 1, Date.now());
          if (d.allowed) allowed++;
        }
        return allowed;
      },
    },
    rlf: {
      fresh: () => (rlf = new RateLimiterMemory({ points: LIMIT, duration: WINDOW_MS / 1000 })),
      warm: async (distinct) => {
        for (const ip of distinct) await rlf.consume(ip, warmCost).catch(() => undefined);
      },
      run: async (keys, from, to) => {
        let allowed = 0;
        for (let i = from; i < to; i++) {
          try {
            await rlf.consume(keys[i]!);
            allowed++;
          } catch {
            // RateLimiterMemory rejects a refused request (with its RateLimiterRes)
          }
        }
        return allowed;
      },
    },
  };
}

/**
 * The full `decide` (address parsed and normalised, lock check, bucket, decision record) against
 * the RLF pattern doing the same number of lookups: with lockout entries in the table, decide
 * consults one lock and one bucket, so RLF gets a lockout limiter `get` before its `consume`.
 * Without lockout entries decide skips the lock lookup (`lockIndex.size === 0`), so RLF's anchor
 * is the bare `consume`.
 */
function decideSides(withLocks: boolean): Record<'bulwark' | 'rlf', MemorySide> {
  const make = () => {
    const store = new MemoryLimiterStore({ maxKeys: 20_000 });
    const limiter = createLimiter({ store, policy: { perIp: { limit: LIMIT, windowMs: WINDOW_MS } } });
    return { store, limiter };
  };
  let b = make();
  const makeR = () => ({
    limit: new RateLimiterMemory({ points: LIMIT, duration: WINDOW_MS / 1000 }),
    lock: new RateLimiterMemory({ keyPrefix: 'lock', points: 5, duration: 600 }),
  });
  let r = makeR();
  const lockRule = createLimiter({ store: b.store }).policy.policy.lockout.ip;
  return {
    bulwark: {
      fresh: () => (b = make()),
      warm: async (distinct) => {
        if (withLocks)
          // failures of other addresses: lock entries exist, none for the keys decided
          for (let i = 0; i < 1000; i++)
            await b.store.recordFailure(`lock:ip:192.168.${i >> 8}.${i & 255}`, lockRule, Date.now());
        for (const ip of distinct) await b.limiter.decide({ ip }, Date.now());
      },
      run: async (keys, from, to) => {
        let allowed = 0;
        for (let i = from; i < to; i++)
          if ((await b.limiter.decide({ ip: keys[i]! }, Date.now())).allowed) allowed++;
        return allowed;
      },
    },
    rlf: {
      fresh: () => (r = makeR()),
      warm: async (distinct) => {
        if (withLocks) for (let i = 0; i < 1000; i++) await r.lock.penalty(`192.168.${i >> 8}.${i & 255}`);
        for (const ip of distinct) await r.limit.consume(ip).catch(() => undefined);
      },
      run: async (keys, from, to) => {
        let allowed = 0;
        for (let i = from; i < to; i++) {
          try {
            if (withLocks) {
              const l = await r.lock.get(keys[i]!);
              if (l !== null && l.consumedPoints >= 5) continue;
            }
            await r.limit.consume(keys[i]!);
            allowed++;
          } catch {
            // refused
          }
        }
        return allowed;
      },
    },
  };
}

interface PairedResult {
  bulwark: number[];
  rlf: number[];
  ratios: number[];
  allowedB: number;
  allowedR: number;
}

/**
 * Rounds: each side gets fresh state and an untimed warm pass over the distinct keys; then the
 * timed key sequence runs in slices, alternating sides slice by slice (order flipped every
 * round), CPU time of this process summed per side. A burst of load from other processes so
 * lands on both sides alike, and the ratio is taken per round. One discarded round first (JIT).
 */
async function paired(
  sides: Record<'bulwark' | 'rlf', MemorySide>,
  keys: readonly string[],
  distinct: readonly string[],
  rounds: number,
): Promise<PairedResult> {
  const slice = 10_000;
  const res: PairedResult = { bulwark: [], rlf: [], ratios: [], allowedB: 0, allowedR: 0 };
  for (let r = -1; r < rounds; r++) {
    const order = r % 2 === 0 ? (['bulwark', 'rlf'] as const) : (['rlf', 'bulwark'] as const);
    const t = { bulwark: 0, rlf: 0 };
    const allowed = { bulwark: 0, rlf: 0 };
    for (const name of order) {
      sides[name].fresh();
      await sides[name].warm(distinct);
    }
    for (let from = 0; from < keys.length; from += slice) {
      const to = Math.min(keys.length, from + slice);
      for (const name of order) {
        t[name] += await cpuTimeIt(async () => {
          allowed[name] += await sides[name].run(keys, from, to);
        });
      }
    }
    if (r < 0) continue;
    res.allowedB += allowed.bulwark;
    res.allowedR += allowed.rlf;
    res.bulwark.push(keys.length / t.bulwark);
    res.rlf.push(keys.length / t.rlf);
    res.ratios.push(t.rlf / t.bulwark);
  }
  return res;
}

function printPaired(label: string, anchor: string, p: PairedResult, n: number, goal?: number): void {
  const share = (a: number) => `${((a / (n * p.ratios.length)) * 100).toFixed(1)}%`;
  const r = median(p.ratios);
  console.log(`   ${label}`);
  console.log(
    `     Bulwark ${fmt(median(p.bulwark)).padStart(10)}/s   ${anchor} ${fmt(median(p.rlf)).padStart(10)}/s   allowed ${share(p.allowedB)} vs ${share(p.allowedR)}`,
  );
  console.log(
    `     ratio ${r.toFixed(2)}× (median of ${p.ratios.length} paired rounds, range ${spread(p.ratios)})${goal === undefined ? '' : `: ${verdict(r, goal)}`}`,
  );
}

async function benchMemory(): Promise<void> {
  const perRound = QUICK ? 100_000 : 200_000;
  const rounds = QUICK ? 3 : 9;
  const distinctKeys = keySequence(10_000, 10_000, true);
  const keys = keySequence(perRound, 10_000);
  console.log(
    `\n1. In-memory decision (120/min per key, 10,000 keys, uniform; decisions per CPU second, median of ${rounds} paired rounds)`,
  );
  const under = await paired(memorySides('under'), keys, distinctKeys, rounds);
  printPaired(
    'MemoryLimiterStore.consume vs RateLimiterMemory.consume, under the limit (all allowed)',
    'RLF',
    under,
    perRound,
    1.5,
  );
  const over = await paired(memorySides('over'), keys, distinctKeys, rounds);
  printPaired('same, over the limit (refusals; RLF rejects its promise)', 'RLF', over, perRound);
  const dec = await paired(decideSides(false), keys, distinctKeys, rounds);
  printPaired(
    'full decide ({ip}: parse + normalise, lock check skipped: no lock entries, 1 bucket) vs RLF consume',
    'RLF',
    dec,
    perRound,
  );
  const decL = await paired(decideSides(true), keys, distinctKeys, rounds);
  printPaired(
    'full decide with 1,000 lock entries (1 lock + 1 bucket) vs RLF lock get + consume',
    'RLF',
    decL,
    perRound,
  );
}

// ---- 2. Redis -----------------------------------------------------------------------------------

async function concurrently(
  total: number,
  concurrency: number,
  op: (i: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  return timeIt(async () => {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < total; i = next++) await op(i);
      }),
    );
  });
}

/** Commands the clients sent per decision, from MONITOR (script-internal calls excluded). */
async function roundTrips(op: (i: number) => Promise<unknown>, n: number): Promise<number> {
  const base = new Redis(REDIS_URL);
  const monitor = await base.monitor();
  let sent = 0;
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source !== 'lua' && args[0]?.toLowerCase() !== 'ping') sent++;
  });
  await new Promise((r) => setTimeout(r, 50));
  for (let i = 0; i < n; i++) await op(i);
  await new Promise((r) => setTimeout(r, 200));
  monitor.disconnect();
  base.disconnect();
  return sent / n;
}

/**
 * Both libraries on clients with the same settings (createLimiterRedis: no offline queue, no
 * retries, a command timeout), so the comparison is of the limiters, not of client options; RLF
 * on a client without a command timeout (one timer less per command) is printed for reference.
 * Rounds alternate the sides; the ratio is the median of per-round ratios (wall time: the Redis
 * server's work counts), with the client's CPU per decision beside it.
 */
async function benchRedis(): Promise<void> {
  const perRound = QUICK ? 10_000 : 20_000;
  const rounds = QUICK ? 3 : 7;
  const keys = keySequence(perRound, 10_000);
  const prefix = `bwbench:${Date.now().toString(36)}:`;
  const clientB = createLimiterRedis(REDIS_URL, { commandTimeoutMs: 5000 });
  const clientR = createLimiterRedis(REDIS_URL, { commandTimeoutMs: 5000 });
  const clientBare = new Redis(REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  clientBare.on('error', () => {});
  for (const c of [clientB, clientR, clientBare]) await waitForRedisReady(c);
  const store = new RedisLimiterStore(clientB, { keyPrefix: `${prefix}b:` });
  const limiter = createLimiter({ store, policy: { perIp: { limit: LIMIT, windowMs: WINDOW_MS } } });
  const rlfOf = (storeClient: Redis, p: string) =>
    new RateLimiterRedis({
      storeClient,
      keyPrefix: `${prefix}${p}`,
      points: LIMIT,
      duration: WINDOW_MS / 1000,
    });
  const rlf = rlfOf(clientR, 'r');
  const rlfBare = rlfOf(clientBare, 'rb');
  const ops = {
    bulwark: (i: number) => store.consume(`rl:ip:${keys[i]!}`, LIMIT, WINDOW_MS, 1, Date.now()),
    rlf: (i: number) => rlf.consume(keys[i]!).catch(() => undefined),
    decide: (i: number) => limiter.decide({ ip: keys[i]! }, Date.now()),
    rlfBare: (i: number) => rlfBare.consume(keys[i]!).catch(() => undefined),
  };
  type Name = keyof typeof ops;
  const names = Object.keys(ops) as Name[];
  // warm up (scripts loaded) before counting round trips
  for (const op of Object.values(ops)) await op(0);
  const trips = {} as Record<Name, number>;
  for (const name of names) trips[name] = await roundTrips(ops[name], 200);
  const rate = { bulwark: [], rlf: [], decide: [], rlfBare: [] } as Record<Name, number[]>;
  const cpu = { bulwark: [], rlf: [], decide: [], rlfBare: [] } as Record<Name, number[]>;
  const ratios: number[] = [];
  const decideRatios: number[] = [];
  for (let r = -1; r < rounds; r++) {
    const order = r % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const c = process.cpuUsage();
      const t = await concurrently(perRound, 64, ops[name]);
      const d = process.cpuUsage(c);
      if (r < 0) continue; // warm-up round
      rate[name].push(perRound / t);
      cpu[name].push((d.user + d.system) / perRound);
    }
    if (r < 0) continue;
    ratios.push(rate.bulwark.at(-1)! / rate.rlf.at(-1)!);
    decideRatios.push(rate.decide.at(-1)! / rate.rlf.at(-1)!);
  }
  console.log(
    `\n2. Redis decision, 64 concurrent (120/min per key, 10,000 keys; median of ${rounds} rounds of ${fmt(perRound)})`,
  );
  const line = (label: string, name: Name) =>
    console.log(
      `   ${label} ${fmt(median(rate[name])).padStart(9)} decisions/s   ${trips[name].toFixed(2)} round trips/decision   client CPU ${median(cpu[name]).toFixed(1)} µs/decision`,
    );
  line('Bulwark RedisLimiterStore.consume        ', 'bulwark');
  line('rate-limiter-flexible Redis (same client)', 'rlf');
  line('Bulwark decide (lock + bucket)           ', 'decide');
  line('RLF, client without command timeout      ', 'rlfBare');
  const r = median(ratios);
  console.log(
    `   ratio ${r.toFixed(2)}× (range ${spread(ratios)}; ${verdict(r, 1.0)}); full decide ${median(decideRatios).toFixed(2)}× (range ${spread(decideRatios)})`,
  );
  // clean up
  let cursor = '0';
  do {
    const [next, found] = await clientB.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (found.length > 0) await clientB.del(...found);
  } while (cursor !== '0');
  for (const c of [clientB, clientR, clientBare]) await c.quit();
}

// ---- 3. HTTP ------------------------------------------------------------------------------------

const SERVER = fileURLToPath(new URL('./limiter-http-server.ts', import.meta.url));

async function startServer(
  mode: string,
): Promise<{ url: string; cpu: () => Promise<number>; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (b: Buffer) => resolve(Number(String(b).trim())));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/api/messages/sms`,
    cpu: async () => Number(await (await fetch(`http://127.0.0.1:${port}/__cpu`)).text()),
    stop: () =>
      new Promise<void>((r) => {
        child.once('exit', () => r());
        child.kill('SIGTERM');
      }),
  };
}

async function cannon(url: string, seconds: number): Promise<{ rps: number; p99: number; non2xx: number }> {
  const result = await autocannon({
    url,
    method: 'POST',
    connections: 64,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ from: '+15550100', to: '+15550199', text: 'hello' }),
  });
  return { rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx };
}

/**
 * Rounds run bare, guarded, guarded-redis back to back; each round's ratio compares runs seconds
 * apart, and the median over rounds is reported, so a load spike from other processes skews one
 * round, not the result.
 */
async function benchHttp(): Promise<void> {
  const seconds = QUICK ? 2 : 3;
  const rounds = QUICK ? 3 : 5;
  const modes = ['bare', 'guarded', 'guarded-redis'] as const;
  const runs: Record<string, Array<{ rps: number; p99: number; non2xx: number; cpuUs: number }>> = {
    bare: [],
    guarded: [],
    'guarded-redis': [],
  };
  for (let r = 0; r < rounds; r++) {
    for (const mode of modes) {
      const server = await startServer(mode);
      await cannon(server.url, 1); // warm-up (JIT, loader)
      const before = await server.cpu();
      const res = await cannon(server.url, seconds);
      const cpuUs = (await server.cpu()) - before;
      await server.stop();
      runs[mode]!.push({ ...res, cpuUs: cpuUs / (res.rps * seconds) });
    }
  }
  console.log(`\n3. HTTP, 64 connections (autocannon), POST /api/messages/sms (median of ${rounds} rounds)`);
  for (const [mode, label] of [
    ['bare', 'bare Fastify route             '],
    ['guarded', 'Bulwark plugin, memory store  '],
    ['guarded-redis', 'Bulwark plugin, Redis store   '],
  ] as const) {
    const rs = runs[mode]!;
    console.log(
      `   ${label} ${fmt(median(rs.map((x) => x.rps))).padStart(8)} req/s   p99 ${median(rs.map((x) => x.p99))} ms   server CPU ${median(rs.map((x) => x.cpuUs)).toFixed(0)} µs/req   non-2xx ${rs.reduce((n, x) => n + x.non2xx, 0)}`,
    );
  }
  const paired = (mode: 'guarded' | 'guarded-redis') =>
    median(runs[mode]!.map((x, i) => x.rps / runs.bare![i]!.rps));
  const cpuPaired = (mode: 'guarded' | 'guarded-redis') =>
    median(runs[mode]!.map((x, i) => runs.bare![i]!.cpuUs / x.cpuUs));
  const r = paired('guarded');
  console.log(
    `   ratio (median of per-round ratios): memory ${r.toFixed(2)}× (${verdict(r, 0.7)}), Redis ${paired('guarded-redis').toFixed(2)}×`,
  );
  console.log(
    `   capacity per server CPU second: memory ${cpuPaired('guarded').toFixed(2)}× bare, Redis ${cpuPaired('guarded-redis').toFixed(2)}× bare`,
  );
}

const only = process.argv[2];
console.log(`Limiter benchmarks (${QUICK ? 'quick' : 'full'} run, Node ${process.version})`);
if (!only || only === 'memory') await benchMemory();
if (!only || only === 'redis') await benchRedis();
if (!only || only === 'http') await benchHttp();
