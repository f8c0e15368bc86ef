/**
 * The HTTP API (Fastify 5). Request bodies and queries are validated with the same zod schemas the
 * core uses, with errors that name the field; the OpenAPI document is generated from the route
 * schemas. Security headers, default-deny auth and the error catalogue apply to every route.
 */
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { Bulwark } from '../app/bulwark.js';
import { LOG_REDACT_PATHS } from '../app/logger.js';
import type { Scope } from '../core/tokens.js';
import { friendlyErrorMap, zodIssuesToError } from '../core/validation.js';
import { registerAuth } from './auth.js';
import { registerErrorHandling } from './errors.js';
import { registerSecurityHeaders } from './security-headers.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { postureRoutes } from './routes/posture.js';
import { vulnerabilityRoutes } from './routes/vulnerabilities.js';
import { openapiRoutes } from './routes/openapi.js';

export interface RouteInfo {
  method: string;
  url: string;
  scope?: Scope;
  public?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: RouteInfo[];
  }
}

export type RouteModule = (app: FastifyInstance, bulwark: Bulwark) => void | Promise<void>;

const ROUTES: RouteModule[] = [
  healthRoutes,
  metricsRoutes,
  openapiRoutes,
  postureRoutes,
  vulnerabilityRoutes,
];

export interface ServerOptions {
  logger?: boolean;
}

export async function buildServer(bulwark: Bulwark, opts: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger
      ? { level: bulwark.config.log_level, redact: { paths: LOG_REDACT_PATHS, censor: '[REDACTED]' } }
      : false,
    bodyLimit: bulwark.config.body_limit_bytes,
    trustProxy: bulwark.config.trusted_proxies.length ? bulwark.config.trusted_proxies : false,
    // Request ids only; never echo client-supplied ids into logs.
    genReqId: () => crypto.randomUUID(),
    routerOptions: { ignoreTrailingSlash: true },
  });

  // zod validation with the core's friendly messages; the error names the field.
  app.setValidatorCompiler(({ schema }) => (data) => {
    const result = (schema as z.ZodType).safeParse(data, { error: friendlyErrorMap });
    return result.success ? { value: result.data } : { error: zodIssuesToError(result.error) };
  });
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  registerSecurityHeaders(app);
  registerErrorHandling(app);

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    bulwark.metrics.httpRequests.inc({ route, method: req.method, status: String(reply.statusCode) });
    bulwark.metrics.httpDuration.observe({ route, method: req.method }, reply.elapsedTime / 1000);
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Bulwark API',
        version: '0.1.0',
        description: 'Security facts of one service, and the controls that produce them.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });

  // The route table with each route's access rule, for the auth-matrix test and the docs.
  const table: RouteInfo[] = [];
  app.decorate('routeTable', table);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) {
      if (method === 'HEAD') continue;
      table.push({ method, url: r.url, ...(r.config as { scope?: Scope; public?: boolean }) });
    }
  });

  registerAuth(app, bulwark);
  for (const routes of ROUTES) await routes(app, bulwark);
  return app;
}
