/**
 * Fastify plugin: rate limits (per IP, per sender) and login recording for a host service.
 *
 *   await app.register(bulwarkRateLimit, { limiter, sender: (req) => req.body?.from });
 *
 * Registered at the root it guards every route; registered inside an encapsulated plugin it
 * guards that plugin's routes only (the usual way to give a login route its own options). A route
 * opts out with `config: { bulwarkRateLimit: false }`. It runs as a preHandler, after body
 * parsing, so the sender function can read the body.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Guard, type GuardOptions, UNATTRIBUTABLE_BODY, type Verdict, checkFailure } from './guard.js';

export type FastifyRateLimitOptions = GuardOptions<FastifyRequest>;

const VERDICT = Symbol('bulwarkVerdict');
type Marked = FastifyRequest & { [VERDICT]?: Verdict };

type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** Appends a hook to a route's own hook list (which may be absent, one function, or an array). */
function appendHook(existing: unknown, hook: Hook): Hook[] {
  if (existing === undefined || existing === null) return [hook];
  return Array.isArray(existing) ? [...(existing as Hook[]), hook] : [existing as Hook, hook];
}

const plugin: FastifyPluginAsync<FastifyRateLimitOptions> = async (app, options) => {
  const guard = new Guard<FastifyRequest>(options);

  const preHandler: Hook = async (request, reply) => {
    if (options.skip?.(request)) return;
    let verdict: Verdict | null;
    try {
      verdict = await guard.check(request, {
        peerIp: request.raw.socket.remoteAddress,
        headers: request.headers,
      });
    } catch (err) {
      guard.reportError(err);
      const f = checkFailure(err);
      if (f.retryAfter !== null) reply.header('retry-after', f.retryAfter);
      return reply.code(f.status).send(f.body);
    }
    if (verdict === null) return reply.code(400).send(UNATTRIBUTABLE_BODY);
    (request as Marked)[VERDICT] = verdict;
    reply.headers(verdict.fields as Record<string, string>);
    if (verdict.refusal !== null) return reply.code(verdict.refusal.status).send(verdict.refusal.body);
  };

  const onResponse: Hook = async (request, reply) => {
    const verdict = (request as Marked)[VERDICT];
    if (verdict !== undefined) await guard.finish(request.raw, reply.statusCode, verdict);
  };

  // Hooks are attached per route when it is declared (not as scope-wide hooks): a route that
  // opts out costs nothing, and the hot path never builds `request.routeOptions`.
  app.addHook('onRoute', (route) => {
    if ((route.config as { bulwarkRateLimit?: boolean } | undefined)?.bulwarkRateLimit === false) return;
    route.preHandler = appendHook(route.preHandler, preHandler) as typeof route.preHandler;
    if (guard.isLogin) route.onResponse = appendHook(route.onResponse, onResponse) as typeof route.onResponse;
  });
};

/**
 * The plugin. Marked as fastify-plugin would mark it (skip-override), without the dependency:
 * its hooks apply to the scope it is registered in instead of a child scope of their own.
 */
export const bulwarkRateLimit: FastifyPluginAsync<FastifyRateLimitOptions> = Object.assign(plugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'bulwark-rate-limit',
});
