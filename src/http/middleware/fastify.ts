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
import { Guard, type GuardOptions, STORE_FAILURE_BODY, UNATTRIBUTABLE_BODY, type Verdict } from './guard.js';

export type FastifyRateLimitOptions = GuardOptions<FastifyRequest>;

const VERDICT = Symbol('bulwarkVerdict');
type Marked = FastifyRequest & { [VERDICT]?: Verdict };

const plugin: FastifyPluginAsync<FastifyRateLimitOptions> = async (app, options) => {
  const guard = new Guard<FastifyRequest>(options);

  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (
      (request.routeOptions.config as { bulwarkRateLimit?: boolean } | undefined)?.bulwarkRateLimit === false
    )
      return;
    if (options.skip?.(request)) return;
    let verdict: Verdict | null;
    try {
      verdict = await guard.check(request, {
        peerIp: request.raw.socket.remoteAddress,
        headers: request.headers,
      });
    } catch (err) {
      guard.reportError(err);
      return reply.code(503).header('retry-after', '1').send(STORE_FAILURE_BODY);
    }
    if (verdict === null) return reply.code(400).send(UNATTRIBUTABLE_BODY);
    (request as Marked)[VERDICT] = verdict;
    reply.headers(verdict.fields as Record<string, string>);
    if (verdict.refusal !== null) return reply.code(verdict.refusal.status).send(verdict.refusal.body);
  });

  if (guard.isLogin) {
    app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
      const verdict = (request as Marked)[VERDICT];
      if (verdict !== undefined) await guard.finish(request.raw, reply.statusCode, verdict);
    });
  }
};

/**
 * The plugin. Marked as fastify-plugin would mark it (skip-override), without the dependency:
 * its hooks apply to the scope it is registered in instead of a child scope of their own.
 */
export const bulwarkRateLimit: FastifyPluginAsync<FastifyRateLimitOptions> = Object.assign(plugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'bulwark-rate-limit',
});
