/**
 * The messaging API on Fastify: `POST /api/messages/sms` limited per sender (the `from` number)
 * and per IP; `POST /auth/login` limited, with its outcomes recorded into lockouts.
 *
 *   npx tsx examples/messaging-api/fastify-app.ts     # listens on 127.0.0.1:3000
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { bulwarkRateLimit } from '../../src/http/middleware/fastify.js';
import { type ExampleLimiter, checkPassword, exampleLimiter, smsSender } from './limiter.js';

export async function buildFastifyApp(guard: ExampleLimiter): Promise<FastifyInstance> {
  const app = Fastify();
  // SMS: limited per `from` number (and per IP).
  await app.register(async (scope) => {
    await scope.register(bulwarkRateLimit, {
      limiter: guard.smsLimiter,
      sender: (req) => smsSender((req.body as { from?: unknown } | null)?.from),
    });
    scope.post('/api/messages/sms', async (req, reply) => {
      const body = (req.body ?? {}) as { from?: unknown; to?: unknown; text?: unknown };
      const [from, to, text] = [smsSender(body.from), smsSender(body.to), body.text];
      if (from === null || to === null || typeof text !== 'string')
        return reply
          .code(400)
          .send({ code: 'validation_failed', message: 'from and to must be phone numbers, text a string' });
      return reply.code(202).send({ queued: true, from, to });
    });
  });
  // Login: limited per user name, lockouts from the route's 401s, attempts recorded.
  await app.register(async (scope) => {
    await scope.register(bulwarkRateLimit, {
      limiter: guard.loginLimiter,
      login: true,
      sender: (req) => (req.body as { username?: unknown } | null)?.username,
      recordAttempt: guard.recordAttempt,
    });
    scope.post('/auth/login', async (req, reply) => {
      const { username, password } = (req.body ?? {}) as { username?: unknown; password?: unknown };
      if (!checkPassword(username, password))
        return reply.code(401).send({ code: 'unauthenticated', message: 'Wrong user name or password.' });
      return { ok: true, user: username };
    });
  });
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const guard = exampleLimiter({ redisUrl: process.env.BULWARK_REDIS_URL, log: (l) => console.log(l) });
  const app = await buildFastifyApp(guard);
  await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
  console.log(`messaging API (Fastify) on http://127.0.0.1:${process.env.PORT ?? 3000}`);
}
