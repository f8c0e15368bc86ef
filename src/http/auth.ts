/**
 * Bearer-token authentication, default-deny: every route declares `config: { scope }` or
 * `config: { public: true }`; a route that declares neither is refused to everyone. Each refusal is
 * written to the audit log as an authorization_violation (outcome denied) with the route and the
 * source IP, before the 401/403 goes out.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BulwarkError } from '../core/errors.js';
import { type ApiToken, type Scope, scopeAllows } from '../core/tokens.js';
import type { Bulwark } from '../app/bulwark.js';

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

// The scheme is case-insensitive (RFC 9110 §11.1); the token is base64url with no spaces.
const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/i;

export function actorOf(req: FastifyRequest): string {
  return req.token ? `token:${req.token.name}` : 'anonymous';
}

export function registerAuth(app: FastifyInstance, bulwark: Bulwark): void {
  app.decorateRequest('token', null);

  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config as RouteAccess | undefined;
    if (!req.routeOptions.url) return; // unknown route: the not-found handler answers
    if (access?.public) return;
    const required = access?.scope ?? 'admin';

    const header = req.headers.authorization;
    const m = typeof header === 'string' ? BEARER.exec(header) : null;
    const token = m ? await bulwark.tokens.authenticate(m[1]!) : null;
    if (!token) {
      await refuse(bulwark, req, header ? 'invalid_or_revoked_token' : 'missing_token', required, null);
      throw new BulwarkError(
        'unauthenticated',
        header ? 'the bearer token is not valid' : 'a bearer token is required',
      );
    }
    if (!scopeAllows(token.scope, required)) {
      await refuse(bulwark, req, 'insufficient_scope', required, token);
      throw new BulwarkError('forbidden', `this operation needs the ${required} scope`);
    }
    req.token = token;
  });
}

async function refuse(
  bulwark: Bulwark,
  req: FastifyRequest,
  reason: string,
  required: Scope,
  token: ApiToken | null,
) {
  await bulwark.audit.append({
    event_type: 'authorization_violation',
    user_id: token ? `token:${token.name}` : null,
    source_ip: req.ip,
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
