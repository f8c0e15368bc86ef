/**
 * The auth guard over HTTP. `POST /auth/attempts` is a decision service: it answers 200 with
 * `allowed: true|false` (the caller acts on it); 429 is for the middleware that protects a route.
 */
import { z } from 'zod';
import { recordAttemptSchema } from '../../app/services/auth-input.js';
import {
  presentActiveLock,
  presentAnomalies,
  presentDecision,
  presentSnapshot,
} from '../../app/present-auth.js';
import { BulwarkError } from '../../core/errors.js';
import { actorOf } from '../auth.js';
import { emptyBody, queryInt, queryTime, responses } from '../schemas.js';
import type { RouteModule } from '../server.js';

const DAY = 86_400_000;
const anomalyQuery = z.strictObject({
  since: queryTime.optional(),
  until: queryTime.optional(),
  max_attempts: queryInt(1, 1000).optional(),
});

const lockParams = z.strictObject({ key: z.string().min(3).max(800) });
const lockQuery = z.strictObject({ limit: queryInt(1, 1000).default(100) });

export const authGuardRoutes: RouteModule = (app, bulwark) => {
  app.post(
    '/auth/attempts',
    {
      config: { scope: 'write' },
      schema: {
        summary:
          'Record an authentication attempt; answers the limiter decision (200, allowed true or false)',
        body: recordAttemptSchema,
        response: responses(
          200,
          '{attempt_id, allowed, reason, retry_after_ms, ip_key, limits, locks}',
          [413, 415],
        ),
      },
    },
    async (req) => presentDecision(await bulwark.auth.recordAttempt(req.body)),
  );

  app.get(
    '/auth/lockouts',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Lockouts in force now (key, until, level), longest first',
        querystring: lockQuery,
        response: responses(200, '{items}'),
      },
    },
    async (req) => {
      const q = req.query as z.output<typeof lockQuery>;
      return { items: (await bulwark.auth.listLockouts(q.limit)).map(presentActiveLock) };
    },
  );

  app.delete(
    '/auth/lockouts/:key',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Lift a lockout (key ip:…, user:… or user_ip:<ip key>|<user>); audited as config_change',
        params: lockParams,
        response: responses(200, '{key, was_locked}'),
      },
    },
    async (req) => {
      const { key } = req.params as { key: string };
      return bulwark.auth.unlock(key, { id: actorOf(req), ip: req.ip });
    },
  );

  app.post(
    '/auth/rate-limit/snapshots',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Capture a RateLimitSnapshot now (limits and the top IPs and senders of the window)',
        body: emptyBody,
        response: responses(201, 'The snapshot'),
      },
    },
    async (_req, reply) => reply.status(201).send(presentSnapshot(await bulwark.auth.captureSnapshot())),
  );

  app.get(
    '/auth/rate-limit/status',
    {
      config: { scope: 'read' },
      schema: { summary: 'The latest RateLimitSnapshot', response: responses(200, 'The snapshot', [404]) },
    },
    async () => {
      const s = await bulwark.auth.latestSnapshot();
      if (!s)
        throw new BulwarkError('not_found', 'no snapshot yet: POST /auth/rate-limit/snapshots or run serve');
      return presentSnapshot(s);
    },
  );

  app.get(
    '/security/anomalies',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Authentication anomalies whose window overlaps [since, until] (default: the last 24 h)',
        querystring: anomalyQuery,
        response: responses(200, '{since, until, scanned, in_window, findings, bans}'),
      },
    },
    async (req) => {
      const q = req.query as z.output<typeof anomalyQuery>;
      const until = q.until ?? bulwark.clock.now();
      const since = q.since ?? until - DAY;
      return presentAnomalies(
        await bulwark.auth.anomalies({
          since,
          until,
          ...(q.max_attempts ? { maxAttempts: q.max_attempts } : {}),
        }),
      );
    },
  );
};
