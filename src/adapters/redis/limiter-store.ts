/**
 * The limiter ports (src/core/ratelimit/ports.ts) over Redis, for several instances sharing one
 * state. Every decision is one Lua script call: one round trip, atomic, so of 10,000 concurrent
 * requests from any number of processes exactly `limit` pass. The arithmetic is the core's
 * (limiter-scripts.ts), and the caller's `nowMs` is used, never Redis's clock, so every store
 * decides the same way and tests control time.
 *
 * Keys: `<prefix><key>` where the key is what `decide` builds (`rl:ip:…`, `lock:user:…`).
 * Redis Cluster: a script's keys must share a hash slot. Give a prefix with a hash tag
 * (`{bulwark}:`) to put all limiter keys in one slot (atomic, one shard), or shard by running
 * one store per cluster node group; see docs/DECISIONS.md.
 *
 * Failures: this class throws what ioredis throws (connection closed, command timeout). Wrap it
 * in `FailurePolicyLimiterStore` (core) for the fail-closed / fail-open / fallback policy, and
 * create the client with `createLimiterRedis` so an outage fails fast instead of queueing.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { validationError } from '../../core/errors.js';
import { isRedisUrl } from './url.js';
import { checkBatch, decideBatch } from '../../core/ratelimit/bucket-batch.js';
import {
  type BucketDecision,
  type GcraState,
  checkBucketArgs,
  gcraStep,
  newBucketDecision,
} from '../../core/ratelimit/gcra.js';
import type { LockoutPolicy, LockState } from '../../core/ratelimit/lockout.js';
import type { BucketRequest, CheckAndConsumeResult, LimiterStore } from '../../core/ratelimit/ports.js';
import {
  CHECK_AND_CONSUME_LUA,
  CLEAR_LUA,
  CONSUME_LUA,
  IS_LOCKED_LUA,
  RECORD_FAILURE_LUA,
} from './limiter-scripts.js';

type Reply = number[];

/** The script commands this store defines on its client (ioredis `defineCommand`: EVALSHA, EVAL on NOSCRIPT). */
interface LimiterCommands {
  bwCheckAndConsume(numKeys: number, args: Array<string | number>): Promise<Reply>;
  bwConsume(key: string, now: number, limit: number, windowMs: number, cost: number): Promise<Reply>;
  bwRecordFailure(key: string, ...args: Array<string | number>): Promise<Reply>;
  bwIsLocked(key: string, now: number): Promise<Reply>;
  bwClear(key: string): Promise<number>;
}

export interface RedisLimiterStoreOptions {
  /** Prepended to every key (default `bulwark:`). Use a hash tag (`{bulwark}:`) on Redis Cluster. */
  keyPrefix?: string;
}

/** ioredis settings for the hot path: fail fast during an outage, never crash the host. */
export interface LimiterRedisOptions {
  /** Per-command timeout in ms (default 250): a decision never waits longer on a hung server. */
  commandTimeoutMs?: number;
  /** Connection attempt timeout in ms (default 1000). */
  connectTimeoutMs?: number;
  /** Longest pause between reconnection attempts in ms (default 1000). */
  maxReconnectDelayMs?: number;
  /** Called on every client 'error' event (which would otherwise crash the process). */
  onError?: (err: Error) => void;
  /** Extra ioredis options (override the above). */
  redis?: RedisOptions;
}

/**
 * An ioredis client configured for rate limiting:
 * - `enableOfflineQueue: false`: while disconnected, commands fail at once (the failure policy
 *   answers) instead of piling up in memory and all firing late;
 * - `maxRetriesPerRequest: 0`: a command is not re-sent after a reconnect (a decision answered
 *   late is worthless, and a re-sent consume could double-charge);
 * - `commandTimeout`: a hung server costs a bounded wait;
 * - reconnects for ever with a capped backoff, so the store comes back by itself;
 * - an 'error' listener is always attached (an unhandled 'error' event would kill the host).
 */
export function createLimiterRedis(url: string, options: LimiterRedisOptions = {}): Redis {
  checkRedisUrl(url);
  checkMs('commandTimeoutMs', options.commandTimeoutMs);
  checkMs('connectTimeoutMs', options.connectTimeoutMs);
  checkMs('maxReconnectDelayMs', options.maxReconnectDelayMs);
  const maxDelay = options.maxReconnectDelayMs ?? 1000;
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 250,
    connectTimeout: options.connectTimeoutMs ?? 1000,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), maxDelay),
    ...options.redis,
  });
  const onError = options.onError;
  client.on('error', (err: Error) => onError?.(err));
  return client;
}

/**
 * A wrong URL or timeout must fail at start: ioredis takes `http://host:6379` for a socket path and
 * a negative or NaN timeout as "every command times out", and the failure policy then answers
 * every decision as an outage that never ends.
 */
function checkRedisUrl(url: unknown): void {
  if (!isRedisUrl(url, { socketPath: true }))
    throw validationError(
      'redisUrl',
      'must be a redis:// or rediss:// URL (redis://127.0.0.1:6379) or a unix socket path',
    );
}

function checkMs(field: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 3_600_000)
    throw validationError(field, 'must be an integer from 1 to 3,600,000 (ms)');
}

/** The store's key prefix rule, checked before a client is opened for it. */
export function checkKeyPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string') throw validationError('keyPrefix', 'must be a string');
}

/** Waits until the client is ready (or fails after `timeoutMs`). */
export async function waitForRedisReady(client: Redis, timeoutMs = 5000): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not ready after ${timeoutMs} ms (status ${client.status})`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      client.off('ready', onReady);
    };
    client.on('ready', onReady);
  });
}

function lockFrom(r: Reply, i: number): LockState {
  const locked = r[i] === 1;
  return {
    locked,
    until: locked ? r[i + 1]! : null,
    level: r[i + 2]!,
    failures: r[i + 3]!,
    retryAfterMs: r[i + 4]!,
  };
}

/**
 * The script decided on the server; the client computes the same decision from the state the
 * script read (gcra.ts, as every store). Disagreement would mean the script and the core differ:
 * never answer with numbers the server did not act on.
 */
function checkVerdict(decision: BucketDecision, scriptAllowed: boolean): BucketDecision {
  if (decision.allowed !== scriptAllowed)
    throw new Error('Redis limiter script and core GCRA disagree on a bucket (script out of date?)');
  return decision;
}

function checkLockKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) throw validationError('key', 'must be a non-empty string');
}

export class RedisLimiterStore implements LimiterStore {
  readonly keyPrefix: string;
  private readonly cmd: LimiterCommands;
  /**
   * @param client an ioredis client (preferably from `createLimiterRedis`); the store does not own
   *   it: closing it is the caller's job.
   */
  constructor(
    readonly client: Redis,
    options: RedisLimiterStoreOptions = {},
  ) {
    const prefix = options.keyPrefix ?? 'bulwark:';
    checkKeyPrefix(prefix);
    this.keyPrefix = prefix;
    // defineCommand is idempotent per name; several stores may share one client.
    client.defineCommand('bwCheckAndConsume', { lua: CHECK_AND_CONSUME_LUA });
    client.defineCommand('bwConsume', { lua: CONSUME_LUA, numberOfKeys: 1 });
    client.defineCommand('bwRecordFailure', { lua: RECORD_FAILURE_LUA, numberOfKeys: 1 });
    client.defineCommand('bwIsLocked', { lua: IS_LOCKED_LUA, numberOfKeys: 1 });
    client.defineCommand('bwClear', { lua: CLEAR_LUA, numberOfKeys: 1 });
    this.cmd = client as unknown as LimiterCommands;
  }

  async checkAndConsume(
    lockKeys: readonly string[],
    requests: readonly BucketRequest[],
    nowMs: number,
  ): Promise<CheckAndConsumeResult> {
    for (const k of lockKeys) checkLockKey(k);
    checkBatch(requests, nowMs);
    const nLocks = lockKeys.length;
    const n = requests.length;
    const args = new Array<string | number>(nLocks + n + 2 + n * 3);
    let a = 0;
    const p = this.keyPrefix;
    for (let i = 0; i < nLocks; i++) args[a++] = p + lockKeys[i]!;
    for (let i = 0; i < n; i++) args[a++] = p + requests[i]!.key;
    args[a++] = nowMs;
    args[a++] = nLocks;
    for (let i = 0; i < n; i++) {
      const r = requests[i]!;
      args[a++] = r.limit;
      args[a++] = r.windowMs;
      args[a++] = r.cost ?? 1;
    }
    const reply = await this.cmd.bwCheckAndConsume(nLocks + n, args); // ioredis flattens the array
    const locks = new Array<LockState>(nLocks);
    for (let i = 0; i < nLocks; i++) locks[i] = lockFrom(reply, i * 5);
    const base = nLocks * 5;
    if (reply[base] !== 1) return { locks, buckets: null };
    const states = new Array<GcraState>(n);
    for (let i = 0; i < n; i++)
      states[i] = { tatMs: reply[base + 2 + i * 3]!, tatRem: reply[base + 3 + i * 3]! };
    const buckets = decideBatch(states, requests, nowMs).decisions;
    for (let i = 0; i < n; i++) checkVerdict(buckets[i]!, reply[base + 1 + i * 3] === 1);
    return { locks, buckets };
  }

  async consumeMany(requests: readonly BucketRequest[], nowMs: number): Promise<BucketDecision[]> {
    return (await this.checkAndConsume([], requests, nowMs)).buckets!;
  }

  async consume(
    key: string,
    limit: number,
    windowMs: number,
    cost: number,
    nowMs: number,
  ): Promise<BucketDecision> {
    checkBucketArgs(key, limit, windowMs, cost, nowMs);
    const r = await this.cmd.bwConsume(this.keyPrefix + key, nowMs, limit, windowMs, cost);
    const state: GcraState = { tatMs: r[1]!, tatRem: r[2]! };
    return checkVerdict(
      gcraStep(state, limit, windowMs, cost, nowMs, false, newBucketDecision()),
      r[0] === 1,
    );
  }

  async recordFailure(key: string, policy: LockoutPolicy, nowMs: number): Promise<LockState> {
    checkLockKey(key);
    if (!Number.isInteger(policy.maxFailures) || policy.maxFailures < 1 || policy.maxFailures > 1000)
      throw validationError('maxFailures', 'must be an integer from 1 to 1000');
    if (!Number.isInteger(nowMs) || nowMs < 0)
      throw validationError('nowMs', 'must be a non-negative integer (epoch milliseconds)');
    const reply = await this.cmd.bwRecordFailure(
      this.keyPrefix + key,
      nowMs,
      policy.maxFailures,
      policy.findTimeMs,
      policy.banMs,
      policy.banMultiplier,
      policy.maxBanMs,
      policy.forgetAfterMs,
    );
    return lockFrom(reply, 0);
  }

  async isLocked(key: string, nowMs: number): Promise<LockState> {
    checkLockKey(key);
    return lockFrom(await this.cmd.bwIsLocked(this.keyPrefix + key, nowMs), 0);
  }

  async clear(key: string): Promise<void> {
    checkLockKey(key);
    await this.cmd.bwClear(this.keyPrefix + key);
  }

  async unlock(key: string): Promise<void> {
    checkLockKey(key);
    await this.client.del(this.keyPrefix + key);
  }
}
