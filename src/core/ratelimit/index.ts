/** Rate limiting and lockout: the public surface of src/core/ratelimit. */
export {
  gcraStep,
  gcraIdle,
  checkBucketArgs,
  newBucketDecision,
  MAX_LIMIT,
  MAX_WINDOW_MS,
  type GcraState,
  type BucketDecision,
} from './gcra.js';
export {
  applyFailure,
  banLength,
  clearFailures,
  lockStateOf,
  newLockoutEntry,
  type LockoutEntry,
  type LockoutPolicy,
  type LockState,
} from './lockout.js';
export type {
  BucketRequest,
  CheckAndConsumeResult,
  LimiterStore,
  LockoutStore,
  RateLimitStore,
} from './ports.js';
export {
  MemoryLimiterStore,
  type MemoryLimiterStats,
  type MemoryLimiterStoreOptions,
} from './memory-store.js';
export {
  compileRateLimitPolicy,
  parseRateLimitPolicy,
  rateLimitPolicySchema,
  DEFAULT_RATE_LIMIT_POLICY,
  type CompiledRateLimitPolicy,
  type LockoutRule,
  type RateLimitPolicy,
  type RateLimitPolicyInput,
} from './policy.js';
export {
  decide,
  decideSync,
  recordOutcome,
  lockStoreKey,
  type AuthAttempt,
  type DecideOptions,
  type DecisionReason,
  type LimitName,
  type LimitView,
  type LockName,
  type LockView,
  type RateLimitDecision,
} from './decide.js';
export { SpaceSaving, type HeavyHitter } from './space-saving.js';
export {
  TrafficSummary,
  WindowedHeavyHitters,
  type TrafficCounters,
  type WindowTop,
} from './traffic-summary.js';
