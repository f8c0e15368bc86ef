import { z } from 'zod';
import { responses } from '../schemas.js';
import type { RouteModule } from '../server.js';

export const metricsRoutes: RouteModule = (app, bulwark) => {
  app.get(
    '/metrics',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Prometheus metrics (text exposition format)',
        querystring: z.strictObject({}),
        response: responses(200, 'Prometheus text format'),
      },
    },
    async (_req, reply) => {
      reply.header('content-type', bulwark.metrics.registry.contentType);
      return bulwark.metrics.text();
    },
  );
};
