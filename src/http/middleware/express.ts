/**
 * Express middleware: rate limits (per IP, per sender) and login recording for a host service.
 *
 *   app.post('/api/messages/sms', express.json(), bulwarkExpressLimiter({ limiter, sender: (req) => req.body?.from }), handler);
 *
 * Put it after the body parser when the sender comes from the body. Login outcomes are read
 * when the response has finished (`res` 'finish'), so the route answers as usual.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Guard, type GuardOptions, UNATTRIBUTABLE_BODY, type Verdict, checkFailure } from './guard.js';

export type ExpressRateLimitOptions = GuardOptions<Request>;

export function bulwarkExpressLimiter(options: ExpressRateLimitOptions): RequestHandler {
  const guard = new Guard<Request>(options);
  return (req: Request, res: Response, next: NextFunction): void => {
    if (options.skip?.(req)) {
      next();
      return;
    }
    guard.check(req, { peerIp: req.socket.remoteAddress, headers: req.headers }).then(
      (verdict: Verdict | null) => {
        if (verdict === null) {
          res.status(400).json(UNATTRIBUTABLE_BODY);
          return;
        }
        res.set(verdict.fields as Record<string, string>);
        if (guard.isLogin) res.once('finish', () => void guard.finish(req, res.statusCode, verdict));
        if (verdict.refusal !== null) {
          res.status(verdict.refusal.status).json(verdict.refusal.body);
          return;
        }
        next();
      },
      (err: unknown) => {
        guard.reportError(err);
        const f = checkFailure(err);
        if (f.retryAfter !== null) res.set('retry-after', f.retryAfter);
        res.status(f.status).json(f.body);
      },
    );
  };
}
