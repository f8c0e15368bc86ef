/**
 * What the Fastify plugin and the Express middleware share: reading a request into an attempt,
 * turning a decision into a response, and recording a login's outcome once the route answered.
 *
 * Flow per request:
 * 1. client IP from the socket peer and the proxy header, with the policy's trusted proxies
 *    (src/core/net/client-ip.ts: a spoofed header from an untrusted peer is ignored);
 * 2. sender and user from the options' functions (e.g. the `from` of an SMS body, a login form's
 *    user name); non-strings are ignored, over-long ones and ones that are not one line of text
 *    hashed, so a body cannot mint huge keys and every lock can be named to lift it;
 *    a function that throws (`req.body.from` on a request without a body) counts as one that
 *    returned nothing: the error goes to `onError` and the request is limited by its IP alone
 *    (never a 503: the store did not fail);
 * 3. `limiter.decide` — one store round trip; RateLimit / RateLimit-Policy on every answer the
 *    buckets decided (a lock refuses before any bucket is read: Retry-After alone);
 * 4. refused → 429 `{code: "rate_limited", message}` with Retry-After (403 `forbidden` for a
 *    deny-listed address: waiting does not help, so no Retry-After; 503 `store_unavailable` with
 *    Retry-After when the store is down and the failure policy refuses);
 * 5. login routes: when the route has answered, its outcome — marked explicitly with
 *    `markLoginOutcome`, else 2xx = success, 401/403 = failure, anything else not a login
 *    verdict — goes to `limiter.recordOutcome` (lockouts) and to `recordAttempt` (the host's
 *    sink: Bulwark's AuthService.recordAttempt, an audit log). Refused attempts are recorded too,
 *    with failure_reason `rate_limited` or `locked`.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isAttemptText } from '../../core/auth/attempt.js';
import { BulwarkError, validationError } from '../../core/errors.js';
import type { AuthAttempt, LockView, RateLimitDecision } from '../../core/ratelimit/decide.js';
import type { Limiter } from '../../core/ratelimit/limiter.js';
import { clientIpFrom } from '../../core/net/client-ip.js';
import { type RateLimitFields, rateLimitFields, retryAfterSeconds } from './ratelimit-headers.js';

export type LoginResult = 'success' | 'failure';

/** A login attempt as the middleware saw it, for the host's `recordAttempt` sink. */
export interface GuardAttemptRecord {
  user_id: string | null;
  sender: string | null;
  source_ip: string;
  result: LoginResult;
  /** Set on failures: the route's reason, or `rate_limited` / `locked` when the guard refused. */
  failure_reason: string | null;
  /** Epoch ms of the decision. */
  at: number;
  /** The limiter's decision (its `limits` and `locks` are the attempt's rl_bucket_state). */
  decision: RateLimitDecision;
  /** Lock states after a failure was counted (a `locked: true` is a new ban). */
  locks: LockView[];
}

export interface GuardOptions<Req> {
  /** The limiter (policy + store); the same one the auth service uses. */
  limiter: Limiter;
  /**
   * Identity limited per sender: `from` of a message, user name of a login form, API key. A value
   * that is not a non-empty string, or a throw (reported to `onError`), means no sender bucket.
   */
  sender?: (req: Req) => unknown;
  /** Account a login is for (per-user and per-(user, IP) lockouts). Defaults to `sender` on login routes. */
  user?: (req: Req) => unknown;
  /** Treat this route as a login: record outcomes (lockouts and `recordAttempt`). */
  login?: boolean;
  /** Sink for login attempts (e.g. Bulwark's AuthService.recordAttempt); errors go to `onError`. */
  recordAttempt?: (attempt: GuardAttemptRecord) => void | Promise<void>;
  /**
   * Requests this one counts as (default 1): an integer from 0 to the smallest limit in play,
   * checked when the middleware is built. A function returning anything else (or throwing) is a
   * bug of the host: that request answers 500 `internal` and the error goes to `onError`.
   */
  cost?: number | ((req: Req) => number);
  /** Requests that bypass the limiter (health checks). */
  skip?: (req: Req) => boolean;
  /** Called with errors the guard absorbed (a store failure, a failing sink); its own throw is ignored. */
  onError?: (err: unknown) => void;
  /** Clock override (default: the limiter's clock). */
  now?: () => number;
}

/** Longest sender/user kept verbatim; longer ones are limited under their SHA-256. */
const MAX_IDENTITY = 256;

/**
 * A sender/user as the limiter keys it. Kept verbatim when it is attempt text (one line, not blank,
 * at most 256 characters: what a lock key's user part may be, lock-keys.ts); anything else, an
 * over-long value or one with a tab, a line break, a control or a bidirectional character, or only
 * spaces, is limited under its SHA-256, so every lock the guard holds can be listed safely and
 * lifted by name (`limiter.unlock('user:sha256:…')`), and distinct values still count apart.
 */
export function identity(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0) return null;
  if (isAttemptText(value, MAX_IDENTITY)) return value;
  return `sha256:${createHash('sha256').update(value).digest('hex')}`;
}

/** Marks of explicit outcomes, keyed by the Node request object (shared by both frameworks). */
const outcomes = new WeakMap<object, { result: LoginResult; reason: string | null }>();

/**
 * Tells the guard how a login ended, when the status code alone does not say (a 200 with
 * `{ok: false}`, an MFA step). `req` is the Express request, or Fastify's request (or its `.raw`).
 */
export function markLoginOutcome(req: object, result: LoginResult, failureReason?: string): void {
  const raw = (req as { raw?: unknown }).raw;
  const key = typeof raw === 'object' && raw !== null ? raw : req;
  outcomes.set(key, { result, reason: result === 'failure' ? (failureReason ?? 'other') : null });
}

export interface Verdict {
  decision: RateLimitDecision;
  attempt: AuthAttempt;
  fields: RateLimitFields;
  at: number;
  /** Set when the guard answers instead of the route. */
  refusal: { status: number; body: { code: string; message: string } } | null;
}

export interface RequestFacts {
  peerIp: string | undefined;
  headers: IncomingHttpHeaders;
}

function refusalOf(d: RateLimitDecision): Verdict['refusal'] {
  if (d.allowed) return null;
  if (d.reason === 'denylisted')
    return { status: 403, body: { code: 'forbidden', message: 'Requests from this address are refused.' } };
  const s = retryAfterSeconds(d.retry_after_ms ?? 0);
  // The limiter is down and its policy refuses: the service is unavailable, not the client limited.
  if (d.reason === 'store_unavailable') return { status: 503, body: { ...STORE_FAILURE_BODY } };
  const message =
    d.reason === 'locked'
      ? `Too many failed attempts; retry after ${s} s.`
      : `Too many requests; retry after ${s} s.`;
  return { status: 429, body: { code: 'rate_limited', message } };
}

/** Everything a framework adapter needs, built once per route registration. */
export class Guard<Req> {
  private readonly costOf: (req: Req) => number;
  private readonly now: () => number;
  private readonly userOf: ((req: Req) => unknown) | undefined;

  private readonly maxCost: number;

  /** @throws BulwarkError validation_failed naming the option, so a wrong setting fails at start */
  constructor(readonly options: GuardOptions<Req>) {
    if (options === null || typeof options !== 'object')
      throw validationError('options', 'must be an object');
    const limiter = options.limiter as Partial<Limiter> | undefined;
    if (typeof limiter?.decide !== 'function' || typeof limiter.policy?.policy !== 'object')
      throw validationError('limiter', 'required: a Limiter from createLimiter()');
    for (const name of ['sender', 'user', 'recordAttempt', 'skip', 'onError', 'now'] as const) {
      const f = options[name];
      if (f !== undefined && typeof f !== 'function') throw validationError(name, 'must be a function');
    }
    const p = limiter.policy.policy;
    // The sender bucket is consulted only when there is a sender; a cost over a limit never passes.
    this.maxCost = options.sender ? Math.min(p.perIp.limit, p.perSender.limit) : p.perIp.limit;
    const cost = options.cost;
    if (typeof cost === 'function') {
      this.costOf = (req) => this.checkedCost(cost, req);
    } else {
      if (cost !== undefined && !this.validCost(cost))
        throw validationError('cost', `must be an integer from 0 to ${this.maxCost} (the smallest limit)`);
      const fixed = cost ?? 1;
      this.costOf = () => fixed;
    }
    this.now = options.now ?? (() => options.limiter.now());
    this.userOf = options.user ?? (options.login ? options.sender : undefined);
  }

  private validCost(c: unknown): c is number {
    return typeof c === 'number' && Number.isInteger(c) && c >= 0 && c <= this.maxCost;
  }

  private checkedCost(fn: (req: Req) => number, req: Req): number {
    let c: unknown;
    try {
      c = fn(req);
    } catch (err) {
      throw new HostCallbackError('the cost function threw', err);
    }
    if (!this.validCost(c))
      throw new HostCallbackError(
        `the cost function returned ${String(c).slice(0, 40)}; it must return an integer from 0 to ${this.maxCost}`,
      );
    return c;
  }

  get isLogin(): boolean {
    return this.options.login === true || this.options.recordAttempt !== undefined;
  }

  /** Null when the request cannot be attributed (no peer address) — the adapter refuses it. */
  async check(req: Req, facts: RequestFacts): Promise<Verdict | null> {
    const policy = this.options.limiter.policy;
    const ip = clientIpFrom(
      {
        peerIp: facts.peerIp ?? '',
        xForwardedFor: facts.headers['x-forwarded-for'],
        forwarded: facts.headers.forwarded,
      },
      policy.trustedProxies,
      { header: policy.policy.forwardedHeader },
    );
    if (ip === null) return null;
    const attempt: AuthAttempt = {
      ip,
      sender: this.options.sender ? this.identityOf(this.options.sender, req) : null,
      user: this.userOf ? this.identityOf(this.userOf, req) : null,
      cost: this.costOf(req),
    };
    const at = this.now();
    const decision = await this.options.limiter.decide(attempt, at);
    return { decision, attempt, fields: rateLimitFields(decision), at, refusal: refusalOf(decision) };
  }

  /** The host's sender/user function read as an identity; a throw is reported and means none. */
  private identityOf(read: (req: Req) => unknown, req: Req): string | null {
    let value: unknown;
    try {
      value = read(req);
    } catch (err) {
      this.reportError(err);
      return null;
    }
    return identity(value);
  }

  /** Records a login once the response is out. Never throws: errors go to `onError`. */
  async finish(rawReq: object, statusCode: number, v: Verdict): Promise<void> {
    if (!this.isLogin) return;
    try {
      let result: LoginResult | null;
      let reason: string | null = null;
      let locks: LockView[] = [];
      if (v.refusal !== null) {
        // Not a login attempt the host saw: deny-listed, or refused because the limiter is down.
        if (v.decision.reason === 'denylisted' || v.decision.reason === 'store_unavailable') return;
        result = 'failure';
        reason = v.decision.reason === 'locked' ? 'locked' : 'rate_limited';
      } else {
        const mark = outcomes.get(rawReq);
        if (mark !== undefined) {
          result = mark.result;
          reason = mark.reason;
        } else if (statusCode >= 200 && statusCode < 300) result = 'success';
        else if (statusCode === 401 || statusCode === 403) {
          result = 'failure';
          reason = statusCode === 401 ? 'bad_password' : 'other'; // 401: credentials refused
        } else result = null;
        if (result === null) return;
        if (v.decision.reason !== 'allowlisted')
          locks = await this.options.limiter.recordOutcome(v.attempt, result, v.at);
      }
      await this.options.recordAttempt?.({
        user_id: v.attempt.user ?? null,
        sender: v.attempt.sender ?? null,
        source_ip: v.attempt.ip,
        result,
        failure_reason: reason,
        at: v.at,
        decision: v.decision,
        locks,
      });
    } catch (err) {
      this.reportError(err);
    }
  }

  /**
   * Hands an absorbed error to the host's `onError`. A reporter that throws or rejects is
   * swallowed: it must not become an unhandled rejection (which ends a Node process) or leave the
   * request unanswered.
   */
  reportError(err: unknown): void {
    const onError = this.options.onError;
    if (onError === undefined) return;
    try {
      const r: unknown = onError(err);
      if (r instanceof Promise) r.catch(() => {});
    } catch {
      // nowhere left to report it
    }
  }
}

/** A host callback (the cost function) failed: the host's bug, not a store outage. */
export class HostCallbackError extends BulwarkError {
  constructor(message: string, cause?: unknown) {
    super('internal', `rate-limit middleware: ${message}`, cause === undefined ? {} : { cause });
  }
}

export const HOST_CALLBACK_BODY = {
  code: 'internal',
  message: 'The rate limiter could not decide on this request.',
} as const;

/** How an adapter answers an error `check` threw: 500 for the host's own callbacks, else 503. */
export function checkFailure(err: unknown): {
  status: number;
  retryAfter: string | null;
  body: { code: string; message: string };
} {
  if (err instanceof HostCallbackError) return { status: 500, retryAfter: null, body: HOST_CALLBACK_BODY };
  return { status: 503, retryAfter: '1', body: STORE_FAILURE_BODY };
}

/** The answer when the limiter itself failed and no failure policy absorbed it. */
export const STORE_FAILURE_BODY = {
  code: 'store_unavailable',
  message: 'The rate-limit store cannot be reached; retry shortly.',
} as const;

export const UNATTRIBUTABLE_BODY = {
  code: 'validation_failed',
  message: 'client address: the connection has no peer address',
} as const;
