/**
 * The auth guard's service: records authentication attempts and answers the limiter's decision
 * for each, feeds lockouts, emits the audit entries, captures rate-limit snapshots, reads and
 * lifts lockouts, and serves the anomaly view.
 *
 * Construction (the composition root, src/app/bulwark.ts, does this; see AuthServiceDeps):
 *   new AuthService({ attempts, limiter, audit, clock, policy, snapshots, ... })
 * `limiter` is any LimiterStore: the memory store, SqlLimiterStore, a Redis store, or a
 * store-failure policy wrapper around one of them. The service never knows which.
 *
 * Decisions are made at the time the request reaches Bulwark (`clock.now()`); `at` is when the
 * host checked the credentials and is what is stored and what the anomaly view reads.
 */
import { EVENT_RULE, isEventFilter } from '../../core/auth/parsers/stream.js';
import { AnomalyDetector, type Finding } from '../../core/auth/anomaly.js';
import { resolveThresholds, type AnomalyThresholdsInput } from '../../core/auth/anomaly-thresholds.js';
import type { FailureReason, RlBucketEntry } from '../../core/auth/attempt.js';
import type { Clock } from '../../core/clock.js';
import { BulwarkError, validationError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { AttemptStore, StoredAttempt } from '../../core/ports/attempt-store.js';
import type { AttemptWriteUnit } from '../../core/ports/attempt-unit.js';
import { type ActiveLock, isLockoutRegistry } from '../../core/ports/lockout-registry.js';
import type { RateLimitSnapshot, SnapshotStore } from '../../core/ports/snapshot-store.js';
import {
  completeDecisionSync,
  decide,
  prepareDecision,
  recordOutcome,
  recordOutcomeSync,
  type RateLimitDecision,
  type DecisionReason,
  type LimitView,
  type LockView,
} from '../../core/ratelimit/decide.js';
import { ipKeyAtPolicy, parseLockKey } from '../../core/ratelimit/lock-keys.js';
import type { CompiledRateLimitPolicy } from '../../core/ratelimit/policy.js';
import type { LimiterStore } from '../../core/ratelimit/ports.js';
import { TrafficSummary } from '../../core/ratelimit/traffic-summary.js';
import type { AuditEventInput, AuditService } from './audit.js';
import { parseRecordAttempt, type RecordAttempt } from './auth-input.js';
import { eventTimeProblem } from '../../core/event-time.js';
import { AuthImporter } from './auth-import.js';
import { lockoutReplay, type ReplayBan } from './lockout-replay.js';

export interface AuthServiceDeps {
  attempts: AttemptStore;
  /** Buckets and lockouts: memory, SQL, Redis, or a failure-policy wrapper around one. */
  limiter: LimiterStore;
  audit: AuditService;
  clock: Clock;
  policy: CompiledRateLimitPolicy;
  snapshots: SnapshotStore;
  /** Heavy hitters for snapshots (default: 1,000 counters per dimension, the per-IP window). */
  traffic?: TrafficSummary;
  /** IPs and senders per snapshot (default 20). */
  snapshotTopN?: number;
  anomalyThresholds?: AnomalyThresholdsInput;
  /**
   * The limiter, attempt and audit writes of one attempt as one job (SQLite with the SQL limiter:
   * the composition root builds it over the same stores as `limiter`, `attempts` and `audit`).
   * Absent: the writes are made one after the other through the ports.
   */
  unit?: AttemptWriteUnit | undefined;
}

export interface AuthDecision {
  attempt_id: string;
  allowed: boolean;
  reason: DecisionReason;
  /** 0 when allowed; ms to wait when limited or locked; null when deny-listed. */
  retry_after_ms: number | null;
  ip_key: string;
  limits: LimitView[];
  /** Lock states after this attempt (a failure may have just locked a key). */
  locks: LockView[];
}

export interface AnomalyQuery {
  since: number;
  until: number;
  /** Attempt ids listed per finding (default 100). */
  maxAttempts?: number;
  /** Only attempts from this log event (imported attempts keep it, e.g. `sshd.failed_password`). */
  event?: string;
}

export interface AnomalyReport {
  since: number;
  until: number;
  /** Attempts read: the window plus the look-back the slowest rule needs before `since`. */
  scanned: number;
  /** Attempts inside [since, until) that the query considered (after its `event` filter). */
  in_window: number;
  findings: Finding[];
  /** What the configured per-IP lockout rule bans in the window, replayed over credential failures. */
  bans: ReplayBan[];
}

/** Longest span a query may cover: bounded work per request. */
export const MAX_ANOMALY_WINDOW_MS = 31 * 86_400_000;
const ACTIVE_LOCKS_CAP = 10_000;

export class AuthService {
  readonly policy: CompiledRateLimitPolicy;
  readonly limiter: LimiterStore;
  readonly traffic: TrafficSummary;
  /** Log imports (history: stored and audited, not passed through the limiter). */
  readonly importer: AuthImporter;
  private readonly attempts: AttemptStore;
  private readonly unit: AttemptWriteUnit | undefined;
  private readonly audit: AuditService;
  private readonly clock: Clock;
  private readonly snapshots: SnapshotStore;
  private readonly topN: number;
  private readonly thresholds: AnomalyThresholdsInput;
  /** Locks seen set, for stores that cannot list theirs (memory, Redis): bounded. */
  private readonly seenLocks = new Map<string, ActiveLock>();

  constructor(deps: AuthServiceDeps) {
    this.attempts = deps.attempts;
    this.unit = deps.unit;
    this.limiter = deps.limiter;
    this.audit = deps.audit;
    this.clock = deps.clock;
    this.policy = deps.policy;
    this.snapshots = deps.snapshots;
    this.traffic = deps.traffic ?? new TrafficSummary({ windowMs: deps.policy.policy.perIp.windowMs });
    this.topN = deps.snapshotTopN ?? 20;
    this.importer = new AuthImporter(
      this.attempts,
      this.audit,
      (ip) => decideKey(this.policy, ip),
      () => this.clock.now(),
    );
    this.thresholds = { ipv6PrefixLength: deps.policy.policy.ipv6Prefix, ...deps.anomalyThresholds };
  }

  /**
   * Records one attempt and answers the decision. Invalid input → validation_failed naming the
   * field; a store failure → store_unavailable (the caller treats it as not allowed: fail closed).
   */
  async recordAttempt(input: unknown): Promise<AuthDecision> {
    const a = parseRecordAttempt(input);
    // Not far ahead of the clock, not before 2000 (event-time.ts: the rule audit events follow too).
    const timeProblem = a.at === undefined ? null : eventTimeProblem(a.at, this.clock.now());
    if (timeProblem) throw validationError('at', timeProblem);
    try {
      return await (this.unit ? this.recordInUnit(a, this.unit) : this.record(a));
    } catch (err) {
      if (err instanceof BulwarkError) throw err;
      throw new BulwarkError(
        'store_unavailable',
        'the auth guard store failed; the attempt was not decided',
        {
          cause: err,
        },
      );
    }
  }

  private async record(a: RecordAttempt): Promise<AuthDecision> {
    const now = this.clock.now();
    const subject = subjectOf(a);
    const d = await decide(subject, this.policy, this.limiter, now, { traffic: this.traffic });
    // Refused attempts are not evidence (lockout.ts): only decided ones feed the lockouts.
    const after = feedsLockouts(d)
      ? await recordOutcome(subject, a.result, this.policy, this.limiter, now)
      : null;
    const { locks, newLocks } = lockChanges(d, a.result, after);
    const attempt = this.attemptOf(a, d, newId(), now);
    await this.attempts.insert(attempt);
    for (const l of newLocks) this.rememberLock(l);
    await this.audit.appendBatch(
      this.auditEvents(attempt, d.reason, d.retry_after_ms, d.limits, locks, newLocks),
    );
    return answer(attempt, d, locks);
  }

  /**
   * `record` as one job of the write unit: decision, lockout updates, attempt row and audit rows
   * in one transaction, answered after its commit. What must happen once (the heavy-hitter count,
   * ids, the redaction of the caller's text) is done before the job, which the store may re-run.
   */
  private async recordInUnit(a: RecordAttempt, unit: AttemptWriteUnit): Promise<AuthDecision> {
    const now = this.clock.now();
    const subject = subjectOf(a);
    const prepared = prepareDecision(subject, this.policy, now, { traffic: this.traffic });
    const id = newId();
    const text = a.failure_text ? this.audit.redactFreeText(a.failure_text) : null;
    const done = await unit.run((w) => {
      const d = completeDecisionSync(prepared, w.limiter, now);
      const after = feedsLockouts(d)
        ? recordOutcomeSync(subject, a.result, this.policy, w.limiter, now)
        : null;
      const { locks, newLocks } = lockChanges(d, a.result, after);
      const attempt = this.attemptOf(a, d, id, now, text);
      w.insertAttempt(attempt);
      // Validated here, so that an event the ledger refuses fails the job (nothing stored); the
      // append, asked while the job runs, joins its transaction (AttemptWriteUnit).
      const drafts = this.audit.prepareBatch(
        this.auditEvents(attempt, d.reason, d.retry_after_ms, d.limits, locks, newLocks),
      );
      return { d, attempt, locks, newLocks, audited: this.audit.appendDrafts(drafts) };
    });
    for (const l of done.newLocks) this.rememberLock(l);
    await done.audited;
    return answer(done.attempt, done.d, done.locks);
  }

  /** The attempt row as stored: a refused attempt is a failure, its reason the refusal's. */
  private attemptOf(
    a: RecordAttempt,
    d: RateLimitDecision,
    id: string,
    now: number,
    redactedText: string | null = a.failure_text ? this.audit.redactFreeText(a.failure_text) : null,
  ): StoredAttempt {
    const refused = !d.allowed;
    const result = refused ? 'failure' : a.result;
    const failureReason: FailureReason | null =
      result === 'success'
        ? null
        : a.result === 'failure'
          ? a.failure_reason!
          : d.reason === 'locked'
            ? 'locked'
            : d.reason === 'rate_limited'
              ? 'rate_limited'
              : 'other';
    // failure_text is the caller's free text: secrets and PII redacted (redactedText) before it is stored.
    const detail = [redactedText, refused ? `refused: ${d.reason}` : null].filter(Boolean).join('; ');
    return {
      id,
      user_id: a.user_id ?? null,
      sender: a.sender ?? null,
      source_ip: a.source_ip,
      ip_key: d.ip_key,
      timestamp: a.at ?? now,
      result,
      failure_reason: failureReason,
      failure_detail: detail === '' ? null : detail.slice(0, 512),
      rl_bucket_state: d.limits.map(bucketEntry(d.retry_after_ms)),
    };
  }

  private auditEvents(
    a: StoredAttempt,
    reason: DecisionReason,
    retryAfter: number | null,
    limits: LimitView[],
    locks: LockView[],
    newLocks: LockView[],
  ): AuditEventInput[] {
    const base = { user_id: a.user_id, source_ip: a.source_ip, timestamp: this.clock.now() };
    const events: AuditEventInput[] = [
      {
        ...base,
        event_type: a.result === 'success' ? 'auth_success' : 'auth_failure',
        action: 'login',
        outcome: a.result === 'success' ? 'allowed' : 'denied',
        metadata: {
          attempt_id: a.id,
          ip_key: a.ip_key,
          sender: a.sender,
          failure_reason: a.failure_reason,
          decision: reason,
        },
      },
    ];
    if (reason === 'rate_limited' || reason === 'locked' || reason === 'denylisted')
      events.push({
        ...base,
        event_type: 'rate_limit_trigger',
        action: `refused: ${reason}`,
        outcome: 'denied',
        metadata: {
          attempt_id: a.id,
          reason,
          retry_after_ms: retryAfter,
          ip_key: a.ip_key,
          limits: limits
            .filter((l) => !l.allowed)
            .map((l) => ({ name: l.name, key: l.key, limit: l.limit, window_ms: l.window_ms })),
          locks: locks.filter((l) => l.locked).map((l) => ({ name: l.name, key: l.key, until: l.until })),
        },
      });
    for (const l of newLocks)
      events.push({
        ...base,
        event_type: 'rate_limit_trigger',
        action: `lockout ${l.name}`,
        outcome: 'denied',
        metadata: { attempt_id: a.id, lock: l.name, key: l.key, until: l.until, level: l.level },
      });
    return events;
  }

  private rememberLock(l: LockView): void {
    const key = `${l.name}:${l.key}`;
    this.seenLocks.delete(key);
    this.seenLocks.set(key, { key, until: l.until!, level: l.level });
    if (this.seenLocks.size > ACTIVE_LOCKS_CAP) this.seenLocks.delete(this.seenLocks.keys().next().value!);
  }

  /** Locks in force now, longest-running first. Keys are `ip:…`, `user:…`, `user_ip:<ip key>|<user>`. */
  async listLockouts(limit = 100): Promise<ActiveLock[]> {
    const now = this.clock.now();
    if (isLockoutRegistry(this.limiter)) {
      const rows = await this.limiter.listActiveLocks(now, limit);
      return rows.map((r) => ({ ...r, key: r.key.replace(/^lock:/, '') }));
    }
    // Stores that cannot list: the locks this instance saw set, re-checked against the store.
    const out: ActiveLock[] = [];
    for (const l of [...this.seenLocks.values()].reverse()) {
      if (l.until <= now) continue;
      const s = await this.limiter.isLocked(`lock:${l.key}`, now);
      if (s.locked) out.push({ key: l.key, until: s.until!, level: s.level });
      if (out.length >= limit) break;
    }
    return out.sort((x, y) => y.until - x.until);
  }

  /** Lifts a lock (an administrator's action), audited as config_change. Returns whether one was in force. */
  async unlock(
    key: string,
    actor: { id: string; ip: string },
  ): Promise<{ key: string; was_locked: boolean }> {
    // The IP part is read the way POST /auth/attempts reads source_ip (lock-keys.ts).
    const lock = parseLockKey(this.policy, key);
    key = lock.key;
    const storeKey = lock.storeKey;
    const now = this.clock.now();
    const before = await this.limiter.isLocked(storeKey, now);
    await this.limiter.unlock(storeKey);
    this.seenLocks.delete(key);
    await this.audit.append({
      event_type: 'config_change',
      user_id: actor.id,
      source_ip: actor.ip,
      action: `unlock ${key}`,
      outcome: 'allowed',
      timestamp: now,
      metadata: { key, was_locked: before.locked, until: before.until, level: before.level },
    });
    return { key, was_locked: before.locked };
  }

  /** Captures a RateLimitSnapshot of the current window and stores it. */
  async captureSnapshot(): Promise<RateLimitSnapshot> {
    const now = this.clock.now();
    const p = this.policy.policy;
    const s: RateLimitSnapshot = {
      id: newId(),
      captured_at: now,
      per_ip_limit: p.perIp.limit,
      per_sender_limit: p.perSender.limit,
      counters: this.traffic.snapshotCounters(this.topN, now),
    };
    await this.snapshots.insert(s);
    return s;
  }

  latestSnapshot(): Promise<RateLimitSnapshot | null> {
    return this.snapshots.latest();
  }

  /**
   * Findings whose window overlaps [since, until]. Reads attempts of the window plus a look-back
   * (the longest rule's memory), in time order, on the timestamp index, chunk by chunk, through the
   * core detector: the same code as the stream checks, so the view and the tests agree. The read
   * is AttemptStore.scan, the columns the rules use and no more: the view's cost is per row read.
   */
  async anomalies(q: AnomalyQuery): Promise<AnomalyReport> {
    if (!(q.until > q.since)) throw validationError('until', 'must be later than since');
    if (q.event !== undefined && !isEventFilter(q.event)) throw validationError('event', EVENT_RULE);
    if (q.until - q.since > MAX_ANOMALY_WINDOW_MS)
      throw validationError('since', 'the window may span at most 31 days');
    const detector = new AnomalyDetector(this.thresholds, {
      maxAttemptRefs: q.maxAttempts ?? 100,
      maxFindings: 100_000,
    });
    const lookback = lookbackMs(this.thresholds);
    const replay = lockoutReplay(this.policy.policy.lockout.ip);
    const event = q.event;
    // The allow-list exempts from limits, lockouts and alerts: its addresses are neither findings
    // nor bans (the configured lockout, which `bans` replays, never bans them).
    const allow = this.policy.allowList;
    let scanned = 0;
    let inWindow = 0;
    for await (const chunk of this.attempts.scan(Math.max(0, q.since - lookback), q.until)) {
      scanned += chunk.length;
      for (const a of chunk) {
        if (event !== undefined && !(a.failure_detail ?? '').startsWith(event)) continue;
        if (allow.size > 0 && allow.has(a.source_ip)) continue;
        if (a.timestamp >= q.since) inWindow += 1;
        detector.observe(a);
        replay.observe(a);
      }
    }
    return {
      since: q.since,
      until: q.until,
      scanned,
      in_window: inWindow,
      findings: detector.findings(q.since, q.until),
      bans: replay.bans.filter((b) => b.banned_at >= q.since && b.banned_at <= q.until),
    };
  }

  /** For the importer: the key attempts are grouped on. */
  ipKeyOf(ip: string): string {
    return decideKey(this.policy, ip);
  }
}

const decideKey = ipKeyAtPolicy;

/** How far before `since` the detector must start for its slowest rule to be primed. */
export function lookbackMs(input: AnomalyThresholdsInput): number {
  const t = resolveThresholds(input);
  return Math.max(
    t.timeBased.windowMs,
    t.slowBruteForce.leakMs * (t.slowBruteForce.capacity + 1),
    t.slowPasswordSpraying.leakMs * (t.slowPasswordSpraying.capacity + 1),
    t.distributedAccount.leakMs * (t.distributedAccount.capacity + 1),
    t.credentialStuffing.windowMs,
  );
}

const subjectOf = (a: RecordAttempt) => ({
  ip: a.source_ip,
  sender: a.sender ?? null,
  user: a.user_id ?? null,
});

/** Refused and allow-listed attempts are not evidence (lockout.ts): only decided ones feed the lockouts. */
const feedsLockouts = (d: RateLimitDecision): boolean => d.allowed && d.reason !== 'allowlisted';

/** The lock states to answer, and the locks this attempt set (each alerted on). */
function lockChanges(
  d: RateLimitDecision,
  result: 'success' | 'failure',
  after: LockView[] | null,
): { locks: LockView[]; newLocks: LockView[] } {
  if (after === null || result !== 'failure') return { locks: d.locks, newLocks: [] };
  const newLocks: LockView[] = [];
  for (const l of after)
    if (l.locked && !d.locks.some((p) => p.name === l.name && p.locked)) newLocks.push(l);
  return { locks: after, newLocks };
}

const answer = (attempt: StoredAttempt, d: RateLimitDecision, locks: LockView[]): AuthDecision => ({
  attempt_id: attempt.id,
  allowed: d.allowed,
  reason: d.reason,
  retry_after_ms: d.retry_after_ms,
  ip_key: d.ip_key,
  limits: d.limits,
  locks,
});

const bucketEntry =
  (retry: number | null) =>
  (l: LimitView): RlBucketEntry => ({
    bucket: `${l.name}:${l.key}`,
    window_ms: l.window_ms,
    count: l.count,
    limit: l.limit,
    ...(l.allowed ? {} : { retry_after_ms: retry ?? 0 }),
  });
