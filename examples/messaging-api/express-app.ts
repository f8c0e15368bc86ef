/**
 * The same messaging API on Express.
 *
 *   npx tsx examples/messaging-api/express-app.ts     # listens on 127.0.0.1:3001
 */
import express from 'express';
import { bulwarkExpressLimiter } from '../../src/http/middleware/express.js';
import { type ExampleLimiter, checkPassword, exampleLimiter, smsSender } from './limiter.js';

export function buildExpressApp(guard: ExampleLimiter): express.Express {
  const app = express();
  app.post(
    '/api/messages/sms',
    express.json(),
    bulwarkExpressLimiter({
      limiter: guard.smsLimiter,
      sender: (req) => smsSender((req.body as { from?: unknown })?.from),
    }),
    (req, res) => {
      const body = (req.body ?? {}) as { from?: unknown; to?: unknown; text?: unknown };
      const [from, to, text] = [smsSender(body.from), smsSender(body.to), body.text];
      if (from === null || to === null || typeof text !== 'string') {
        res
          .status(400)
          .json({ code: 'validation_failed', message: 'from and to must be phone numbers, text a string' });
        return;
      }
      res.status(202).json({ queued: true, from, to });
    },
  );
  app.post(
    '/auth/login',
    express.json(),
    bulwarkExpressLimiter({
      limiter: guard.loginLimiter,
      login: true,
      sender: (req) => (req.body as { username?: unknown })?.username,
      recordAttempt: guard.recordAttempt,
    }),
    (req, res) => {
      const { username, password } = (req.body ?? {}) as { username?: unknown; password?: unknown };
      if (!checkPassword(username, password)) {
        res.status(401).json({ code: 'unauthenticated', message: 'Wrong user name or password.' });
        return;
      }
      res.json({ ok: true, user: username });
    },
  );
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const guard = exampleLimiter({ redisUrl: process.env.BULWARK_REDIS_URL, log: (l) => console.log(l) });
  const port = Number(process.env.PORT ?? 3001);
  buildExpressApp(guard).listen(port, '127.0.0.1', () =>
    console.log(`messaging API (Express) on http://127.0.0.1:${port}`),
  );
}
