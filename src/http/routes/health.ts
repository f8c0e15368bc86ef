import { sql } from 'kysely';
import { z } from 'zod';
import { responses } from '../schemas.js';
import type { RouteModule } from '../server.js';

export const healthRoutes: RouteModule = (app, bulwark) => {
  // Liveness and store reachability, for load balancers: no auth, no details beyond up/down.
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: {
        summary: 'Liveness and database reachability (no auth)',
        querystring: z.strictObject({}),
        response: responses(200, '{status, database}; 503 when the database is unreachable', [503]),
      },
    },
    async (_req, reply) => {
      try {
        await sql`select 1`.execute(bulwark.store.db);
        return { status: 'ok', database: 'ok' };
      } catch {
        return reply.status(503).send({ status: 'degraded', database: 'unavailable' });
      }
    },
  );

  app.get(
    '/security/health',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'zero_criticals, categories_covered (see docs/API.md), last_scan',
        querystring: z.strictObject({ edition: z.enum(['2025', '2021']).optional() }),
        response: responses(
          200,
          '{zero_criticals, categories_covered, categories_missing, last_scan, edition}',
        ),
      },
    },
    async (req) => bulwark.posture.health((req.query as { edition?: string }).edition),
  );
};
