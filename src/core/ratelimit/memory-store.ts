/**
 * In-process implementation of the limiter ports: for a single instance, for tests, and as the
 * reference the Redis and SQL adapters must agree with.
 *
 * Bounded: at most `maxKeys` buckets and `maxLockoutKeys` lockout entries, reclaimed by CLOCK
 * (clock-index.ts), so a flood of distinct keys cannot grow memory. Bucket state lives in two
 * preallocated Float64Arrays (16 bytes a key plus the Map entry and the key string), not in
 * an object per key, and no timers: idle state is recognised from the TAT and reused in place.
 *
 * The port is async (shared stores need a round trip) but everything here is synchronous; the
 * `*Sync` methods are the fast path for callers that know they hold a memory store.
 */
import { validationError } from '../errors.js';
import {
  type BucketDecision,
  checkBucketArgs,
  gcraIdle,
  gcraStep,
  type GcraState,
  newBucketDecision,
} from './gcra.js';
import { ClockIndex } from './clock-index.js';
import {
  applyFailure,
  clearFailures,
  type LockoutEntry,
  type LockoutPolicy,
  type LockState,
  lockStateOf,
  newLockoutEntry,
} from './lockout.js';
import type { BucketRequest, CheckAndConsumeResult, LimiterStore } from './ports.js';

export interface MemoryLimiterStoreOptions {
  /** Most buckets held at once (default 100,000). Measured: about 210 bytes a key with 36-character keys (1M keys ≈ 200 MiB, of which 25 MiB preallocated). */
  maxKeys?: number;
  /** Most lockout entries held at once (default 100,000). */
  maxLockoutKeys?: number;
}

export interface MemoryLimiterStats {
  buckets: number;
  lockouts: number;
  /** Buckets reclaimed while still holding requests (their limit restarted early). */
  bucketsEvictedLive: number;
  bucketsEvictedIdle: number;
  lockoutsEvictedLive: number;
  lockoutsEvictedIdle: number;
}

function checkCapacity(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1 || v > 50_000_000)
    throw validationError(name, 'must be an integer from 1 to 50,000,000');
  return v;
}

export class MemoryLimiterStore implements LimiterStore {
  private readonly buckets: ClockIndex;
  private readonly tatMs: Float64Array;
  private readonly tatRem: Float64Array;
  private readonly lockIndex: ClockIndex;
  private readonly lockEntries: Array<LockoutEntry | undefined>;
  /** Clock used by the eviction callbacks (set before each insert). */
  private evictNow = 0;
  private readonly state: GcraState = { tatMs: 0, tatRem: 0 };
  private readonly scratch: BucketDecision = newBucketDecision();
  private readonly bucketIdle = (slot: number): boolean =>
    gcraIdle(this.tatMs[slot]!, this.tatRem[slot]!, this.evictNow);
  private readonly lockIdle = (slot: number): boolean => this.lockEntries[slot]!.staleAt <= this.evictNow;
  private readonly lockActive = (slot: number): boolean =>
    this.lockEntries[slot]!.lockedUntil > this.evictNow;

  constructor(options: MemoryLimiterStoreOptions = {}) {
    const maxKeys = checkCapacity('maxKeys', options.maxKeys ?? 100_000);
    const maxLockoutKeys = checkCapacity('maxLockoutKeys', options.maxLockoutKeys ?? 100_000);
    this.buckets = new ClockIndex(maxKeys);
    this.tatMs = new Float64Array(maxKeys);
    this.tatRem = new Float64Array(maxKeys);
    this.lockIndex = new ClockIndex(maxLockoutKeys);
    this.lockEntries = new Array<LockoutEntry | undefined>(maxLockoutKeys);
  }

  stats(): MemoryLimiterStats {
    return {
      buckets: this.buckets.size,
      lockouts: this.lockIndex.size,
      bucketsEvictedLive: this.buckets.evictedLive,
      bucketsEvictedIdle: this.buckets.evictedIdle,
      lockoutsEvictedLive: this.lockIndex.evictedLive,
      lockoutsEvictedIdle: this.lockIndex.evictedIdle,
    };
  }

  // ---- rate limits -------------------------------------------------------------------------

  /**
   * Zero-allocation fast path: charges `cost` and returns 0 when allowed, otherwise the
   * milliseconds to wait (nothing charged). Use `consumeSync` for the full decision.
   */
  tryConsume(key: string, limit: number, windowMs: number, cost: number, nowMs: number): number {
    return this.decideOne(key, limit, windowMs, cost, nowMs, this.scratch).retryAfterMs;
  }

  /** One GCRA decision, synchronously. */
  consumeSync(key: string, limit: number, windowMs: number, cost: number, nowMs: number): BucketDecision {
    return this.decideOne(key, limit, windowMs, cost, nowMs, newBucketDecision());
  }

  private decideOne(
    key: string,
    limit: number,
    windowMs: number,
    cost: number,
    nowMs: number,
    out: BucketDecision,
  ): BucketDecision {
    checkBucketArgs(key, limit, windowMs, cost, nowMs);
    const st = this.state;
    let slot = this.buckets.lookup(key);
    if (slot === -1) {
      st.tatMs = 0;
      st.tatRem = 0;
      gcraStep(st, limit, windowMs, cost, nowMs, true, out);
      // A refused or zero-cost first request leaves nothing worth remembering.
      if (!out.allowed || gcraIdle(st.tatMs, st.tatRem, nowMs)) return out;
      this.evictNow = nowMs;
      slot = this.buckets.insert(key, this.bucketIdle);
    } else {
      st.tatMs = this.tatMs[slot]!;
      st.tatRem = this.tatRem[slot]!;
      if (st.tatRem >= limit) st.tatRem = limit - 1; // key reused with a smaller limit: stay within units
      gcraStep(st, limit, windowMs, cost, nowMs, true, out);
      if (!out.allowed) return out;
    }
    this.tatMs[slot] = st.tatMs;
    this.tatRem[slot] = st.tatRem;
    return out;
  }

  async consume(
    key: string,
    limit: number,
    windowMs: number,
    cost: number,
    nowMs: number,
  ): Promise<BucketDecision> {
    return this.consumeSync(key, limit, windowMs, cost, nowMs);
  }

  /** All-or-nothing decisions on several distinct buckets (see ports.ts). */
  consumeManySync(requests: readonly BucketRequest[], nowMs: number): BucketDecision[] {
    const n = requests.length;
    for (let i = 0; i < n; i++) {
      const r = requests[i]!;
      checkBucketArgs(r.key, r.limit, r.windowMs, r.cost ?? 1, nowMs);
      for (let j = 0; j < i; j++) {
        if (requests[j]!.key === r.key)
          throw validationError(`requests[${i}].key`, 'keys in one call must be distinct');
      }
    }
    if (this.pendSlot.length < n) this.growPending(n);
    const st = this.state;
    const out: BucketDecision[] = new Array<BucketDecision>(n);
    let allAllowed = true;
    // Phase 1: decide every bucket on a copy of its state, remembering slot and new state.
    for (let i = 0; i < n; i++) {
      const r = requests[i]!;
      const slot = this.buckets.peek(r.key);
      this.pendSlot[i] = slot;
      this.loadSlot(slot, r.limit, st);
      const d = gcraStep(st, r.limit, r.windowMs, r.cost ?? 1, nowMs, true, newBucketDecision());
      out[i] = d;
      this.pendMs[i] = st.tatMs;
      this.pendRem[i] = st.tatRem;
      if (!d.allowed) allAllowed = false;
    }
    if (!allAllowed) {
      // Nothing is charged; buckets that had room report their state without this request.
      for (let i = 0; i < n; i++) {
        if (!out[i]!.allowed) continue;
        const r = requests[i]!;
        this.loadSlot(this.pendSlot[i]!, r.limit, st);
        gcraStep(st, r.limit, r.windowMs, 0, nowMs, false, out[i]!);
      }
      return out;
    }
    // Phase 2: commit. A slot found in phase 1 is still valid: nothing was inserted since.
    for (let i = 0; i < n; i++) {
      let slot = this.pendSlot[i]!;
      if (slot === -1) {
        if (gcraIdle(this.pendMs[i]!, this.pendRem[i]!, nowMs)) continue; // cost 0 on a fresh key
        this.evictNow = nowMs;
        slot = this.buckets.insert(requests[i]!.key, this.bucketIdle);
        // An insert may have reclaimed a slot found earlier in this call: re-resolve those.
        for (let j = i + 1; j < n; j++) if (this.pendSlot[j] === slot) this.pendSlot[j] = -1;
      } else {
        this.buckets.touch(slot);
      }
      this.tatMs[slot] = this.pendMs[i]!;
      this.tatRem[slot] = this.pendRem[i]!;
    }
    return out;
  }

  private pendSlot = new Int32Array(8);
  private pendMs = new Float64Array(8);
  private pendRem = new Float64Array(8);

  private growPending(n: number): void {
    this.pendSlot = new Int32Array(n);
    this.pendMs = new Float64Array(n);
    this.pendRem = new Float64Array(n);
  }

  private loadSlot(slot: number, limit: number, st: GcraState): void {
    if (slot === -1) {
      st.tatMs = 0;
      st.tatRem = 0;
    } else {
      st.tatMs = this.tatMs[slot]!;
      st.tatRem = Math.min(this.tatRem[slot]!, limit - 1);
    }
  }

  async consumeMany(requests: readonly BucketRequest[], nowMs: number): Promise<BucketDecision[]> {
    return this.consumeManySync(requests, nowMs);
  }

  // ---- lockouts ----------------------------------------------------------------------------

  recordFailureSync(key: string, policy: LockoutPolicy, nowMs: number): LockState {
    if (typeof key !== 'string' || key.length === 0)
      throw validationError('key', 'must be a non-empty string');
    if (!Number.isInteger(policy.maxFailures) || policy.maxFailures < 1 || policy.maxFailures > 1000) {
      throw validationError('maxFailures', 'must be an integer from 1 to 1000');
    }
    let slot = this.lockIndex.lookup(key);
    let entry: LockoutEntry;
    if (slot === -1) {
      this.evictNow = nowMs;
      slot = this.lockIndex.insert(key, this.lockIdle, this.lockActive);
      const old = this.lockEntries[slot];
      if (old !== undefined && old.ring.length === policy.maxFailures) {
        // Reuse the evicted entry's memory.
        old.head = 0;
        old.held = 0;
        old.level = 0;
        old.lockedUntil = 0;
        old.levelExpiresAt = 0;
        old.staleAt = 0;
        entry = old;
      } else {
        entry = newLockoutEntry(policy.maxFailures);
        this.lockEntries[slot] = entry;
      }
    } else {
      entry = this.lockEntries[slot]!;
    }
    applyFailure(entry, policy, nowMs);
    return lockStateOf(entry, nowMs);
  }

  isLockedSync(key: string, nowMs: number): LockState {
    const slot = this.lockIndex.peek(key);
    return lockStateOf(slot === -1 ? undefined : this.lockEntries[slot], nowMs);
  }

  clearSync(key: string): void {
    const slot = this.lockIndex.peek(key);
    if (slot !== -1) clearFailures(this.lockEntries[slot]!);
  }

  unlockSync(key: string): void {
    const slot = this.lockIndex.remove(key);
    if (slot !== -1) this.lockEntries[slot] = undefined;
  }

  async recordFailure(key: string, policy: LockoutPolicy, nowMs: number): Promise<LockState> {
    return this.recordFailureSync(key, policy, nowMs);
  }

  async isLocked(key: string, nowMs: number): Promise<LockState> {
    return this.isLockedSync(key, nowMs);
  }

  async clear(key: string): Promise<void> {
    this.clearSync(key);
  }

  async unlock(key: string): Promise<void> {
    this.unlockSync(key);
  }

  // ---- both --------------------------------------------------------------------------------

  checkAndConsumeSync(
    lockKeys: readonly string[],
    requests: readonly BucketRequest[],
    nowMs: number,
  ): CheckAndConsumeResult {
    const locks = new Array<LockState>(lockKeys.length);
    let locked = false;
    const anyLockState = this.lockIndex.size > 0; // no entry at all: skip hashing the keys
    for (let i = 0; i < lockKeys.length; i++) {
      const s = anyLockState ? this.isLockedSync(lockKeys[i]!, nowMs) : lockStateOf(undefined, nowMs);
      locks[i] = s;
      if (s.locked) locked = true;
    }
    return { locks, buckets: locked ? null : this.consumeManySync(requests, nowMs) };
  }

  async checkAndConsume(
    lockKeys: readonly string[],
    requests: readonly BucketRequest[],
    nowMs: number,
  ): Promise<CheckAndConsumeResult> {
    return this.checkAndConsumeSync(lockKeys, requests, nowMs);
  }
}
