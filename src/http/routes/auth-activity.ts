import { z } from 'zod';
import type { BucketName } from '../../core/auth/timeseries.js';
import { responses } from '../schemas.js';
import type { RouteModule } from '../server.js';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const isoTime = z
  .string({ error: 'must be given once, as an ISO 8601 time' })
  .regex(ISO_TIME, { error: 'must be an ISO 8601 time with its offset, e.g. 2026-01-15T12:00:00Z' })
  .transform((s) => Date.parse(s))
  .refine((n) => Number.isFinite(n), { error: 'is not a valid time' });

const query = z.strictObject({
  since: isoTime.optional(),
  until: isoTime.optional(),
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
