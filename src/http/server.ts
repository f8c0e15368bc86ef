/**
 * The HTTP API (Fastify 5). Request bodies and queries are validated with the same zod schemas the
 * core uses, with errors that name the field; the OpenAPI document is generated from the route
 * schemas. Security headers, default-deny auth and the error catalogue apply to every route.
 */
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { Bulwark } from '../app/bulwark.js';
import { loggerOptions } from '../app/logger.js';
import type { Scope } from '../core/tokens.js';
import { BulwarkError } from '../core/errors.js';
import {
  UNSAFE_TEXT_MESSAGE,
  fastPathOf,
  findUnsafeText,
  friendlyErrorMap,
  zodIssuesToError,
} from '../core/validation.js';
import { answerClientError, registerMethodNotAllowed } from './protocol-errors.js';
import { registerAuth } from './auth.js';
import { registerErrorHandling } from './errors.js';
import { registerJsonBodyParser } from './json-body.js';
import { SECURITY_HEADERS, registerSecurityHeaders } from './security-headers.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { postureRoutes } from './routes/posture.js';
import { vulnerabilityRoutes } from './routes/vulnerabilities.js';
import { openapiRoutes } from './routes/openapi.js';
import { auditLogRoutes } from './routes/audit-logs.js';
import { keyRoutes } from './routes/keys.js';
import { authGuardRoutes } from './routes/auth-guard.js';
import { dependencyRoutes } from './routes/dependencies.js';
import { postureTrendRoutes } from './routes/posture-trend.js';
import { sessionRoutes } from './routes/session.js';
import { webRoutes } from './routes/web.js';
import { authActivityRoutes } from './routes/auth-activity.js';

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
  auditLogRoutes,
  keyRoutes,
  authGuardRoutes,
  dependencyRoutes,
  postureTrendRoutes,
  sessionRoutes,
  webRoutes,
  authActivityRoutes,
];

export interface ServerOptions {
  logger?: boolean;
}

export async function buildServer(bulwark: Bulwark, opts: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ? loggerOptions(bulwark.config.log_level) : false,
    bodyLimit: bulwark.config.body_limit_bytes,
    trustProxy: bulwark.config.trusted_proxies.length ? bulwark.config.trusted_proxies : false,
    // Request ids only; never echo client-supplied ids into logs.
    genReqId: () => crypto.randomUUID(),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // Errors Fastify raises before routing (a malformed URL) answer in the catalogue's shape too.
    frameworkErrors: (err, _req, reply) => {
      // Fastify answers these outside its hooks: write the answer, security headers included, here.
      // Never echo the URL back: it is the client's input, possibly kilobytes of it.
      const tooLong = /param length/i.test(err.message);
      const body = JSON.stringify({
        code: 'validation_failed',
        message: tooLong ? 'url: a path parameter is too long' : 'url: malformed URL',
        field: 'url',
      });
      (reply as FastifyReply).raw.writeHead(400, {
        ...SECURITY_HEADERS,
        'cache-control': 'no-store',
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      });
      (reply as FastifyReply).raw.end(body);
    },
    // Errors Node's HTTP parser raises (bad Content-Length, oversized headers) never reach Fastify's
    // handlers: answer them here with the catalogue's body and the security headers.
    clientErrorHandler: answerClientError,
  });

  // Only JSON bodies: no text/plain parser, no compressed bodies (a decompression bomb is not worth
  // saving a few bytes on requests this small).
  app.removeContentTypeParser('text/plain');
  registerJsonBodyParser(app);
  // Hooks on every request are callback-style, not async: an async hook costs a promise and a
  // microtask hop per request (bench/auth-http.ts).
  app.addHook('onRequest', (req, _reply, done) => {
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
      return done(
        new BulwarkError(
          'unsupported_media_type',
          'content-encoding is not supported; send the body uncompressed',
        ),
      );
    }
    done();
  });
  // No text field anywhere may carry NUL, other control characters, bidi overrides or lone
  // surrogates; routes that accept raw text to neutralise it themselves opt out with config.rawText.
  app.addHook('preValidation', (req, _reply, done) => {
    if ((req.routeOptions.config as { rawText?: boolean } | undefined)?.rawText) return done();
    for (const [part, value] of [
      ['params', req.params],
      ['querystring', req.query],
      ['body', req.body],
    ] as const) {
      const field = findUnsafeText(value);
      if (field)
        return done(
          new BulwarkError('validation_failed', `${field}: ${UNSAFE_TEXT_MESSAGE}`, {
            field,
            details: { in: part },
          }),
        );
    }
    done();
  });

  // zod validation with the core's friendly messages; the error names the field.
  app.setValidatorCompiler(({ schema }) => {
    // A hot schema's hand-written parser first (core/validation.ts: same output, or undefined).
    const fastPath = fastPathOf(schema as z.ZodType);
    return (data) => {
      const fast = fastPath?.(data);
      if (fast !== undefined) return { value: fast };
      const result = (schema as z.ZodType).safeParse(data, { error: friendlyErrorMap });
      return result.success ? { value: result.data } : { error: zodIssuesToError(result.error) };
    };
  });
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  registerSecurityHeaders(app);
  registerErrorHandling(app);

  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    bulwark.metrics.httpRequests.inc({ route, method: req.method, status: String(reply.statusCode) });
    bulwark.metrics.httpDuration.observe({ route, method: req.method }, reply.elapsedTime / 1000);
    done();
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
    if ((r.config as { methodNotAllowed?: boolean } | undefined)?.methodNotAllowed) return;
    for (const method of [r.method].flat()) {
      if (method === 'HEAD') continue;
      table.push({ method, url: r.url, ...(r.config as { scope?: Scope; public?: boolean }) });
    }
  });

  registerAuth(app, bulwark);
  for (const routes of ROUTES) await routes(app, bulwark);
  registerMethodNotAllowed(app);
  return app;
}
