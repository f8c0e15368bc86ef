/**
 * A limiter: one compiled policy bound to one store, the object host-service middleware and the
 * auth service share. `decide` and `recordOutcome` are decide.ts's, with the clock supplied.
 * Giving the middleware and the auth service the same Limiter (same store) means a login
 * limited by the middleware and one recorded through the API count against the same buckets.
 */
import { type Clock, systemClock } from '../clock.js';
import { validationError } from '../errors.js';
import {
  type AuthAttempt,
  type DecideOptions,
  type LockView,
  type RateLimitDecision,
  decide,
  decideSync,
  recordOutcome,
} from './decide.js';
import { parseLockKey } from './lock-keys.js';
import { MemoryLimiterStore } from './memory-store.js';
import { type CompiledRateLimitPolicy, compileRateLimitPolicy } from './policy.js';
import type { LimiterStore } from './ports.js';
import type { TrafficSummary } from './traffic-summary.js';

export interface Limiter {
  readonly policy: CompiledRateLimitPolicy;
  readonly store: LimiterStore;
  /** The limiter's clock (epoch ms). */
  now(): number;
  /** The decision for one attempt (charges the buckets when allowed). */
  decide(attempt: AuthAttempt, nowMs?: number): Promise<RateLimitDecision>;
  /** Records how a login ended: a failure counts towards the lockouts, a success may clear them. */
  recordOutcome(attempt: AuthAttempt, outcome: 'success' | 'failure', nowMs?: number): Promise<LockView[]>;
  /**
   * Lifts a lock named as administrators name it (`ip:203.0.113.9`, `ip:2001:db8::/64`,
   * `user:alice`, `user_ip:203.0.113.9|alice`; an address is read to the ip key the lock is held
   * under, lock-keys.ts). Answers the key lifted and whether a lock was in force.
   * @throws BulwarkError validation_failed naming `key`
   */
  unlock(key: string): Promise<{ key: string; was_locked: boolean }>;
}

export interface LimiterOptions {
  store: LimiterStore;
  /** A compiled policy, or the input `compileRateLimitPolicy` accepts (defaults when absent). */
  policy?: CompiledRateLimitPolicy | unknown;
  clock?: Clock;
  /** Heavy-hitter counts for snapshots. */
  traffic?: TrafficSummary;
}

// Compared by identity, never called unbound.
const memoryCheckAndConsume = MemoryLimiterStore.prototype.checkAndConsume;

const isCompiled = (p: unknown): p is CompiledRateLimitPolicy =>
  typeof p === 'object' && p !== null && 'policy' in p && 'allowList' in p && 'denyList' in p;

/** @throws BulwarkError validation_failed naming the field (`store`, or the policy's) */
export function createLimiter(options: LimiterOptions): Limiter {
  const candidate = (options as Partial<LimiterOptions> | undefined)?.store;
  if (typeof candidate?.checkAndConsume !== 'function' || typeof candidate.recordFailure !== 'function')
    throw validationError(
      'store',
      'required: a LimiterStore (MemoryLimiterStore, openLimiterStore().store, …)',
    );
  const policy = isCompiled(options.policy) ? options.policy : compileRateLimitPolicy(options.policy ?? {});
  const store = options.store;
  const clock = options.clock ?? systemClock;
  const decideOptions: DecideOptions = options.traffic ? { traffic: options.traffic } : {};
  return {
    policy,
    store,
    now: () => clock.now(),
    // The in-process store answers synchronously: skipping its promise and the await on it
    // saves 13% of a decision's instructions; the result is the same. Only while its
    // checkAndConsume is the class's own: a wrapper or test double set on the instance (a failing
    // store, instrumentation) must still be the one called.
    decide:
      store instanceof MemoryLimiterStore
        ? async (attempt, nowMs) =>
            store.checkAndConsume === memoryCheckAndConsume
              ? decideSync(attempt, policy, store, nowMs ?? clock.now(), decideOptions)
              : decide(attempt, policy, store, nowMs ?? clock.now(), decideOptions)
        : (attempt, nowMs) => decide(attempt, policy, store, nowMs ?? clock.now(), decideOptions),
    recordOutcome: (attempt, outcome, nowMs) =>
      recordOutcome(attempt, outcome, policy, store, nowMs ?? clock.now()),
    unlock: async (key) => {
      const lock = parseLockKey(policy, key);
      const before = await store.isLocked(lock.storeKey, clock.now());
      await store.unlock(lock.storeKey);
      return { key: lock.key, was_locked: before.locked };
    },
  };
}
