/**
 * Wiring of the rate-limit store for the composition root and for host services: the Redis
 * store (when a URL is given) or the bounded memory store, wrapped in the failure policy, with
 * its failures counted in Prometheus and reported through `onStoreFailure` (which the
 * composition root connects to the audit log).
 */
import type { Redis } from 'ioredis';
import { RedisLimiterStore, checkKeyPrefix, createLimiterRedis } from '../adapters/redis/limiter-store.js';
import {
  FailurePolicyLimiterStore,
  type FailurePolicyOptions,
  type StoreFailureMetrics,
} from '../core/ratelimit/failure-policy.js';
import { MemoryLimiterStore } from '../core/ratelimit/memory-store.js';
import type { LimiterStore } from '../core/ratelimit/ports.js';
import type { Metrics } from './metrics.js';

/** The failure-policy hooks as Prometheus updates. */
export function storeFailureMetrics(metrics: Metrics): StoreFailureMetrics {
  return {
    failure: (operation, policy) => metrics.rateLimitStoreFailures.inc({ operation, policy }),
    degraded: (isDegraded) => metrics.rateLimitStoreDegraded.set(isDegraded ? 1 : 0),
  };
}

/** `primary` wrapped in the failure policy, counted in `metrics`. */
export function withFailurePolicy(
  primary: LimiterStore,
  metrics: Metrics | undefined,
  options: Omit<FailurePolicyOptions, 'metrics'> = {},
): FailurePolicyLimiterStore {
  return new FailurePolicyLimiterStore(primary, {
    ...options,
    ...(metrics ? { metrics: storeFailureMetrics(metrics) } : {}),
  });
}

export interface LimiterStoreSetup {
  /** The store to give `createLimiter` (failure policy applied). */
  store: FailurePolicyLimiterStore;
  /** The Redis client when one was opened (owned by this setup). */
  redis: Redis | null;
  close(): Promise<void>;
}

export interface LimiterStoreConfig extends Omit<FailurePolicyOptions, 'metrics'> {
  /** Redis URL; absent = in-process memory store (one instance). */
  redisUrl?: string | undefined;
  keyPrefix?: string;
  /** Per-command timeout (default 250 ms). */
  commandTimeoutMs?: number;
  metrics?: Metrics;
  /** Redis client 'error' events (connection refused, reset); default: ignored (the policy reports). */
  onRedisError?: (err: Error) => void;
}

/**
 * @throws BulwarkError validation_failed naming the option (redisUrl, keyPrefix, commandTimeoutMs,
 *   policy, retryAfterMs); no Redis connection is left open behind it
 */
export function openLimiterStore(config: LimiterStoreConfig = {}): LimiterStoreSetup {
  const { redisUrl, keyPrefix, commandTimeoutMs, metrics, onRedisError, ...policy } = config;
  if (redisUrl === undefined) {
    const store = withFailurePolicy(new MemoryLimiterStore(), metrics, policy);
    return { store, redis: null, close: async () => {} };
  }
  // A client opened and then abandoned by a throw would reconnect for ever and keep the process
  // alive: what can be refused is refused before it exists, and it is closed if the rest throws.
  if (keyPrefix !== undefined) checkKeyPrefix(keyPrefix);
  const redis = createLimiterRedis(redisUrl, {
    ...(commandTimeoutMs !== undefined ? { commandTimeoutMs } : {}),
    ...(onRedisError ? { onError: onRedisError } : {}),
  });
  let store: FailurePolicyLimiterStore;
  try {
    const primary = new RedisLimiterStore(redis, keyPrefix !== undefined ? { keyPrefix } : {});
    store = withFailurePolicy(primary, metrics, policy);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  return {
    store,
    redis,
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
