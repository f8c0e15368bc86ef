import type { RouteModule } from '../server.js';

export const openapiRoutes: RouteModule = (app) => {
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
};
