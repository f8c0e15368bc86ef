import { z } from 'zod';
import type { RouteModule } from '../server.js';

export const openapiRoutes: RouteModule = (app) => {
  app.get(
    '/openapi.json',
    {
      config: { public: true },
      schema: { summary: 'This OpenAPI document (no auth)', querystring: z.strictObject({}) },
    },
    async () => app.swagger(),
  );
};
