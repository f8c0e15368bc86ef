/**
 * Bearer-token authentication, default-deny: every route declares `config: { scope }` or
 * `config: { public: true }`; a route that declares neither is refused to everyone. Each refusal is
 * written to the audit log as an authorization_violation (outcome denied) with the route and the
 * source IP, before the 401/403 goes out.
 *
 * Failed authentication is throttled per client (auth-throttle.ts): past the limit a client is
 * answered 429 `rate_limited` with Retry-After before its token is read, the first refusal of each
 * throttled episode is audited as rate_limit_trigger and the rest are only counted
 * (bulwark_api_auth_throttled_total), so unauthenticated traffic cannot fill the audit log.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BulwarkError } from '../core/errors.js';
import { type ApiToken, type Scope, scopeAllows } from '../core/tokens.js';
import type { Bulwark } from '../app/bulwark.js';
import { AuthThrottle, type ThrottleVerdict } from './auth-throttle.js';

export interface RouteAccess {
  scope?: Scope;
  public?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    token: ApiToken | null;
  }
  interface FastifyContextConfig {
    scope?: Scope;
    public?: boolean;
  }
}

// RFC 6750 §2.1: "Bearer" 1*SP b64token (the scheme case-insensitively, RFC 9110 §11.1).
const BEARER = /^Bearer +([A-Za-z0-9._~+/=-]{1,512})$/i;

export function actorOf(req: FastifyRequest): string {
  return req.token ? `token:${req.token.name}` : 'anonymous';
}

export function registerAuth(app: FastifyInstance, bulwark: Bulwark): void {
  app.decorateRequest('token', null);
  const throttle = new AuthThrottle({
    limit: bulwark.config.api_auth_failure_limit,
    windowMs: bulwark.config.api_auth_failure_window_ms,
    policy: bulwark.auth.policy,
    clock: bulwark.clock,
  });

  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config as RouteAccess | undefined;
    if (!req.routeOptions.url) return; // unknown route: the not-found handler answers
    if (access?.public) return;
    const required = access?.scope ?? 'admin';

    const ip = throttle.clientIp({ peerIp: req.raw.socket.remoteAddress, headers: req.headers });
    // A throttled client is refused before its token is read (auth-throttle.ts says why).
    const before = throttle.check(ip);
    if (before.throttled) return throttled(bulwark, req, ip, before);

    const header = req.headers.authorization;
    const m = typeof header === 'string' ? BEARER.exec(header) : null;
    const token = m ? await bulwark.tokens.authenticate(m[1]!) : null;
    if (!token) {
      const after = throttle.fail(ip);
      if (after.throttled) return throttled(bulwark, req, ip, after);
      await refuse(bulwark, req, ip, header ? 'invalid_or_revoked_token' : 'missing_token', required, null);
      throw new BulwarkError(
        'unauthenticated',
        header ? 'the bearer token is not valid' : 'a bearer token is required',
      );
    }
    if (!scopeAllows(token.scope, required)) {
      await refuse(bulwark, req, ip, 'insufficient_scope', required, token);
      throw new BulwarkError('forbidden', `this operation needs the ${required} scope`);
    }
    req.token = token;
  });
}

/** 429 for a throttled client; audited once per throttled episode, counted always. */
async function throttled(
  bulwark: Bulwark,
  req: FastifyRequest,
  ip: string | null,
  v: Extract<ThrottleVerdict, { throttled: true }>,
): Promise<never> {
  bulwark.metrics.apiAuthThrottled.inc();
  if (v.first)
    await bulwark.audit.append({
      event_type: 'rate_limit_trigger',
      user_id: null,
      source_ip: ip ?? req.ip,
      action: 'api: too many failed authentications',
      outcome: 'denied',
      metadata: {
        reason: 'failed_authentication_limit',
        ip_key: v.ipKey,
        limit: bulwark.config.api_auth_failure_limit,
        window_ms: bulwark.config.api_auth_failure_window_ms,
        retry_after_ms: v.retryAfterMs,
        route: req.routeOptions.url,
        method: req.method,
      },
    });
  const s = Math.max(1, Math.ceil(v.retryAfterMs / 1000));
  throw new BulwarkError(
    'rate_limited',
    `too many failed authentications from this address; retry after ${s} s`,
    {
      details: { retry_after_ms: v.retryAfterMs },
    },
  );
}

async function refuse(
  bulwark: Bulwark,
  req: FastifyRequest,
  ip: string | null,
  reason: string,
  required: Scope,
  token: ApiToken | null,
) {
  await bulwark.audit.append({
    event_type: 'authorization_violation',
    user_id: token ? `token:${token.name}` : null,
    source_ip: ip ?? req.ip,
    action: `${req.method} ${req.routeOptions.url}`,
    outcome: 'denied',
    metadata: {
      reason,
      required_scope: required,
      route: req.routeOptions.url,
      method: req.method,
      ...(token ? { token_id: token.id, token_scope: token.scope } : {}),
    },
  });
}
