import { z } from 'zod';
import type { BucketName } from '../../core/auth/timeseries.js';
import { queryTime, responses } from '../schemas.js';
import type { RouteModule } from '../server.js';

const query = z.strictObject({
  since: queryTime.optional(),
  until: queryTime.optional(),
  bucket: z.enum(['hour', 'day']).optional(),
});

export const authActivityRoutes: RouteModule = (app, bulwark) => {
  app.get(
    '/auth/attempts/timeseries',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Authentication failures and successes per hour or day over a window (default: 7 days)',
        querystring: query,
        response: responses(
          200,
          '{since, until, bucket, buckets: [{t, failures, successes}], total_failures, total_successes}',
        ),
      },
    },
    async (req) => {
      const q = req.query as { since?: number; until?: number; bucket?: BucketName };
      return bulwark.authActivity.timeseries(q);
    },
  );
};
