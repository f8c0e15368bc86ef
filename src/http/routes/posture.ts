import { z } from 'zod';
import { presentReview } from '../../app/present.js';
import { actorOf } from '../auth.js';
import { responses } from '../schemas.js';
import type { RouteModule } from '../server.js';

export const postureRoutes: RouteModule = (app, bulwark) => {
  app.get(
    '/security/posture',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Counts by severity, OWASP category and status; open criticals, overdue, MTTR',
        querystring: z.strictObject({ edition: z.enum(['2025', '2021']).optional() }),
        response: responses(200, 'The posture summary'),
      },
    },
    async (req) => bulwark.posture.summary((req.query as { edition?: string }).edition),
  );

  app.post(
    '/security/reviews',
    {
      config: { scope: 'write' },
      schema: {
        summary: 'Record an OWASP category review: a control in place, or a review for findings',
        body: z.strictObject({
          category: z.string().max(128),
          edition: z.enum(['2025', '2021']).optional(),
          kind: z.enum(['control', 'finding_review']),
          title: z.string().min(1).max(512),
        }),
        response: responses(201, 'The recorded review'),
      },
    },
    async (req, reply) => {
      const review = await bulwark.posture.addReview(req.body as Record<string, unknown>, {
        id: actorOf(req),
        ip: req.ip,
      });
      return reply.status(201).send(presentReview(review));
    },
  );
};
