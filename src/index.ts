/**
 * Bulwark as a library. Everything the service does starts from createBulwark(); the pieces below
 * are for hosts that embed it. (Each capability adds its own block; keep blocks additive.)
 */
export { createBulwark, type Bulwark, type CreateOptions } from './app/bulwark.js';
export { loadConfig, type BulwarkConfig, type BulwarkConfigInput } from './app/config.js';
export { BulwarkError, ERROR_CATALOGUE, type ErrorCode } from './core/errors.js';

// ---- keys: the versioned keyring ---------------------------------------------------------------
// `bulwark.keys` (KeyService) is the audited entry point; Keyring is the bare core over a KeyStore.
export * from './core/keys/index.js';
export { KeyService, type CreateKeyInput, type KeyRotateInput } from './app/services/keys.js';
export { KeyringCheckpointSigner } from './app/keys/keyring-checkpoint-signer.js';
export { OWN_KEYS } from './app/keys/own-keys.js';
export { SqlKeyStore, type RotationHook, type SqlKeyStoreOptions } from './adapters/sql/key-store.js';
export { MemoryKeyStore } from './adapters/memory/key-store.js';
/**
 * Re-encrypting a host's stored ciphertexts after a rotation: runRewrapJob({keyring, keyName,
 * source, batchSize, startCursor, onProgress, signal}) with `source` the host's reader/writer
 * (RewrapSource: `list(afterCursor, limit)` → `{items: [{id, ciphertext}], nextCursor}` and
 * `write(id, newCiphertext)`). Save `progress.cursor` from onProgress to resume. See docs/API.md.
 */
export {
  runRewrapJob,
  type RewrapFailure,
  type RewrapItem,
  type RewrapJobOptions,
  type RewrapProgress,
  type RewrapResult,
  type RewrapSource,
} from './core/keys/rewrap-job.js';

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
