import { responses } from '../schemas.js';
import type { RouteModule } from '../server.js';

/** Who the presented token is: the dashboard's sign-in check, and what it labels write actions with. */
export const sessionRoutes: RouteModule = (app) => {
  app.get(
    '/auth/whoami',
    {
      config: { scope: 'read' },
      schema: {
        summary: "The presented token's name, scope and display prefix (never the token itself)",
        response: responses(200, '{id, name, scope, prefix, created_at}'),
      },
    },
    async (req) => {
      const t = req.token!;
      return {
        id: t.id,
        name: t.name,
        scope: t.scope,
        prefix: t.prefix,
        created_at: new Date(t.created_at).toISOString(),
      };
    },
  );
};
