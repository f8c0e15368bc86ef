/**
 * Throttling of failed authentication on Bulwark's own API (OWASP A07), per client.
 *
 * Each request to a guarded route that brings no valid bearer token (missing, unknown, revoked)
 * is one unit in a GCRA bucket of the client's IP key: `limit` failures per `windowMs` (10 a
 * minute by default), capacity returning one failure every window/limit. A client whose budget
 * is spent is throttled: its requests are answered 429 `rate_limited` with Retry-After *before
 * the token is read*, valid token or not. Checking the token first would let a guess that happens
 * to be right answer 200 while wrong ones answer 429, and the throttle would no longer slow down
 * guessing at all; the price is that a legitimate client behind the same address (or IPv6 /64)
 * waits out the Retry-After too. A client that authenticates is never charged.
 *
 * The client is the core's trusted-proxy walk (clientIpFrom with the rate-limit policy's trusted
 * proxies), keyed as the auth guard keys it (IPv6 grouped by its prefix), so the API, the
 * middleware and POST /auth/attempts agree on who a client is.
 *
 * State is in memory (MemoryLimiterStore, 10,000 keys): per process, which is enough to stop one
 * address from filling the audit log through one instance; N instances admit up to N × limit.
 * A flood of distinct keys evicts the oldest (their budgets restart early): memory stays flat.
 */
import type { Clock } from '../core/clock.js';
import { clientIpFrom } from '../core/net/client-ip.js';
import { ipKeyUnchecked } from '../core/net/ip.js';
import { MemoryLimiterStore } from '../core/ratelimit/memory-store.js';
import type { CompiledRateLimitPolicy } from '../core/ratelimit/policy.js';

export interface AuthThrottleOptions {
  /** Failures per window before the client is throttled; 0 disables the throttle. */
  limit: number;
  windowMs: number;
  /** The auth guard's policy: its trusted proxies, forwarded header and IPv4/IPv6 key prefixes. */
  policy: CompiledRateLimitPolicy;
  clock: Clock;
  /** Clients held at once (default 10,000). */
  maxKeys?: number;
}

export interface ThrottleRequest {
  peerIp: string | undefined;
  headers: { 'x-forwarded-for'?: string | string[] | undefined; forwarded?: string | undefined };
}

export type ThrottleVerdict =
  | { throttled: false }
  | {
      throttled: true;
      ipKey: string;
      retryAfterMs: number;
      /** The first refusal of this throttled episode: the one to audit (the rest are counted). */
      first: boolean;
    };

const OPEN: ThrottleVerdict = { throttled: false };

export class AuthThrottle {
  private readonly store: MemoryLimiterStore;
  /** IP key → when its current throttled episode ends (its bucket empty again), oldest first. */
  private readonly episodes = new Map<string, number>();
  private readonly maxKeys: number;

  constructor(private readonly options: AuthThrottleOptions) {
    this.maxKeys = options.maxKeys ?? 10_000;
    this.store = new MemoryLimiterStore({ maxKeys: this.maxKeys, maxLockoutKeys: 1 });
  }

  get enabled(): boolean {
    return this.options.limit > 0;
  }

  /** The client as the auth guard sees it (null when the peer address is not an IP). */
  clientIp(req: ThrottleRequest): string | null {
    const p = this.options.policy;
    return clientIpFrom(
      {
        peerIp: req.peerIp ?? '',
        xForwardedFor: req.headers['x-forwarded-for'],
        forwarded: req.headers.forwarded,
      },
      p.trustedProxies,
      { header: p.policy.forwardedHeader },
    );
  }

  /** Before the token is read: whether this client's failure budget is spent (nothing charged). */
  check(ip: string | null): ThrottleVerdict {
    const key = this.keyOf(ip);
    if (key === null) return OPEN;
    const { limit, windowMs } = this.options;
    const now = this.options.clock.now();
    const d = this.store.consumeSync(this.bucket(key), limit, windowMs, 0, now);
    if (d.remaining > 0) return OPEN;
    // One more failure would pass once the bucket has drained by one unit (window/limit).
    const wait = Math.max(1, Math.ceil(d.resetMs + windowMs / limit - windowMs));
    return this.refusal(key, wait, d.resetMs, now);
  }

  /** After an authentication failure: charges it; throttled when it was over the budget. */
  fail(ip: string | null): ThrottleVerdict {
    const key = this.keyOf(ip);
    if (key === null) return OPEN;
    const { limit, windowMs } = this.options;
    const now = this.options.clock.now();
    const d = this.store.consumeSync(this.bucket(key), limit, windowMs, 1, now);
    return d.allowed ? OPEN : this.refusal(key, d.retryAfterMs, d.resetMs, now);
  }

  private keyOf(ip: string | null): string | null {
    if (!this.enabled || ip === null) return null;
    const p = this.options.policy.policy;
    return ipKeyUnchecked(ip, p.ipv6Prefix, p.ipv4Prefix);
  }

  private bucket(key: string): string {
    return `api-auth:${key}`;
  }

  /** An episode lasts until the bucket is empty again; only its first refusal is `first`. */
  private refusal(key: string, retryAfterMs: number, resetMs: number, now: number): ThrottleVerdict {
    const until = this.episodes.get(key);
    const first = until === undefined || until <= now;
    this.episodes.delete(key); // re-inserted last: the map stays in order of last use
    this.episodes.set(key, Math.max(until ?? 0, now + resetMs));
    if (this.episodes.size > this.maxKeys) this.episodes.delete(this.episodes.keys().next().value!);
    return { throttled: true, ipKey: key, retryAfterMs, first };
  }
}
