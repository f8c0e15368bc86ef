/**
 * The dashboard's static files (src/web/assets), served by the API's own server at `/`, same
 * origin, so the page calls the API with no CORS. Files are read once at start-up into memory (the
 * whole dashboard is < 100 KB) and each file has a route of its own: a request path is never joined
 * onto a directory, so there is no path traversal to get wrong.
 *
 * Caching without a build step: vendored files carry their version in the name and are immutable;
 * our own files are `no-cache` with a strong ETag, so a browser revalidates (304, no body) and an
 * upgrade is picked up on the next load.
 *
 * The HTML page gets the server's CSP plus Trusted Types (`require-trusted-types-for 'script'`):
 * the browser itself then refuses any string assigned to innerHTML, outerHTML, document.write or a
 * script URL, so an escaping mistake fails loudly instead of running data as markup.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SECURITY_HEADERS } from '../security-headers.js';
import type { RouteModule } from '../server.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

export const DASHBOARD_CSP = `${SECURITY_HEADERS['content-security-policy']}; require-trusted-types-for 'script'; trusted-types 'none'`;

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  immutable: boolean;
}

/** src/web/assets, from src/http/routes (tsx, tests) or dist/http/routes (the built server). */
export function findAssetDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const candidate of [join(here, '../../web/assets'), join(here, '../../../src/web/assets')]) {
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  throw new Error(`dashboard assets not found beside ${here}`);
}

export function loadAssets(dir: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const type = CONTENT_TYPES[extname(name)];
        if (!type) continue;
        const body = readFileSync(full);
        const key = relative(dir, full).split(sep).join('/');
        out.set(key, {
          body,
          type,
          etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
          immutable: key.startsWith('vendor/'),
        });
      }
    }
  };
  walk(dir);
  return out;
}

function send(req: FastifyRequest, reply: FastifyReply, asset: Asset) {
  reply
    .header('content-type', asset.type)
    .header('etag', asset.etag)
    .header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  // If-None-Match may list several tags, weak or strong (RFC 9110 §13.1.2: weak comparison).
  const tags = String(req.headers['if-none-match'] ?? '')
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''));
  if (tags.includes(asset.etag) || tags.includes('*')) return reply.status(304).send();
  return reply.send(asset.body);
}

export const webRoutes: RouteModule = (app) => {
  const assets = loadAssets(findAssetDir());
  const index = assets.get('index.html')!;

  app.get(
    '/',
    {
      config: { public: true },
      schema: { hide: true },
      // After the global security headers (route hooks run after app hooks): the stricter page CSP.
      onSend: async (_req, reply, payload) => {
        reply.header('content-security-policy', DASHBOARD_CSP);
        return payload;
      },
    },
    async (req, reply) => send(req, reply, index),
  );

  // One route per file: the route table is the asset table (and the auth-matrix test walks it).
  for (const [key, asset] of assets) {
    if (key === 'index.html') continue;
    app.get(`/assets/${key}`, { config: { public: true }, schema: { hide: true } }, async (req, reply) =>
      send(req, reply, asset),
    );
  }
};
