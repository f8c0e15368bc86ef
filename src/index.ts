/** Bulwark's library API. */

// ---- rate limiting for host services (auth guard) -------------------------------------------
export { createLimiter, type Limiter, type LimiterOptions } from './core/ratelimit/limiter.js';
export {
  MemoryLimiterStore,
  compileRateLimitPolicy,
  parseRateLimitPolicy,
  decide,
  recordOutcome,
  lockStoreKey,
  DEFAULT_RATE_LIMIT_POLICY,
  type AuthAttempt,
  type CompiledRateLimitPolicy,
  type LimiterStore,
  type LockView,
  type LimitView,
  type RateLimitDecision,
  type RateLimitPolicyInput,
} from './core/ratelimit/index.js';
export {
  FailurePolicyLimiterStore,
  STORE_FAILURE_POLICIES,
  type FailurePolicyOptions,
  type StoreFailurePolicy,
  type StoreFailureMetrics,
} from './core/ratelimit/failure-policy.js';
export {
  RedisLimiterStore,
  createLimiterRedis,
  waitForRedisReady,
  type RedisLimiterStoreOptions,
  type LimiterRedisOptions,
} from './adapters/redis/limiter-store.js';
export {
  openLimiterStore,
  withFailurePolicy,
  storeFailureMetrics,
  type LimiterStoreConfig,
  type LimiterStoreSetup,
} from './app/limiter-store.js';
export { bulwarkRateLimit, type FastifyRateLimitOptions } from './http/middleware/fastify.js';
export { bulwarkExpressLimiter, type ExpressRateLimitOptions } from './http/middleware/express.js';
export {
  markLoginOutcome,
  type GuardAttemptRecord,
  type GuardOptions,
  type LoginResult,
} from './http/middleware/guard.js';
export { rateLimitFields, retryAfterSeconds } from './http/middleware/ratelimit-headers.js';
