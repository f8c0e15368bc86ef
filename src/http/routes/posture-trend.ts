import { z } from 'zod';
import { DEFAULT_TREND_DAYS, MAX_TREND_DAYS } from '../../app/services/posture-trend.js';
import { queryInt, responses } from '../schemas.js';
import type { RouteModule } from '../server.js';

export const postureTrendRoutes: RouteModule = (app, bulwark) => {
  app.get(
    '/security/posture/trend',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Daily posture snapshots (risk score, exposed findings by severity) of the last N days',
        querystring: z.strictObject({ days: queryInt(1, MAX_TREND_DAYS).default(DEFAULT_TREND_DAYS) }),
        response: responses(200, '{from, to, days, points: [{day, risk_score, active_by_severity, …}]}'),
      },
    },
    async (req) => bulwark.postureTrend.trend((req.query as { days: number }).days),
  );
};
