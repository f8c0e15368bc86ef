/**
 * RateLimit response fields, as draft-ietf-httpapi-ratelimit-headers-10 (September 2025) defines
 * them: structured-field lists with one item per quota policy.
 *
 *   RateLimit-Policy: "ip";q=120;w=60, "sender";q=60;w=60     quota q per window w (seconds)
 *   RateLimit: "ip";r=119;t=1, "sender";r=59;t=1              remaining r, seconds t until the
 *                                                             bucket is full again
 *   Retry-After: 13                                           on 429: seconds, rounded up (RFC 9110)
 *
 * Earlier drafts (-07 and before) used `RateLimit: limit=…, remaining=…, reset=…`; the -08 form
 * kept through -10 is the one written here. GCRA refills continuously, so `t` is the time until
 * every unit is back (the bucket's reset), and `Retry-After` is the exact wait for one request.
 */
import type { LimitView, RateLimitDecision } from '../../core/ratelimit/decide.js';

/** Seconds to announce for a wait in ms: rounded up, at least 1 (a 0 would invite an instant retry). */
export const retryAfterSeconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

const policyItem = (l: LimitView): string => `"${l.name}";q=${l.limit};w=${Math.ceil(l.window_ms / 1000)}`;
const limitItem = (l: LimitView): string =>
  `"${l.name}";r=${l.remaining > 0 ? l.remaining : 0};t=${Math.ceil(l.reset_ms / 1000)}`;

export interface RateLimitFields {
  'ratelimit-policy'?: string;
  ratelimit?: string;
  'retry-after'?: string;
}

/** The fields for a decision (on allowed responses too); empty when no bucket was consulted. */
export function rateLimitFields(decision: RateLimitDecision): RateLimitFields {
  const out: RateLimitFields = {};
  const limits = decision.limits;
  if (limits.length > 0) {
    let policy = policyItem(limits[0]!);
    let state = limitItem(limits[0]!);
    for (let i = 1; i < limits.length; i++) {
      policy += `, ${policyItem(limits[i]!)}`;
      state += `, ${limitItem(limits[i]!)}`;
    }
    out['ratelimit-policy'] = policy;
    out.ratelimit = state;
  }
  if (!decision.allowed && decision.retry_after_ms !== null)
    out['retry-after'] = String(retryAfterSeconds(decision.retry_after_ms));
  return out;
}
