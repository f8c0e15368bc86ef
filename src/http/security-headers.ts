import type { FastifyInstance } from 'fastify';

/**
 * Sent on every response, errors included. The CSP is strict (no inline script or style) because
 * the dashboard is served from the same origin and must work under it.
 */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

const HEADER_ENTRIES = Object.entries(SECURITY_HEADERS);

export function registerSecurityHeaders(app: FastifyInstance): void {
  // Callback-style (not async): it runs on every response.
  app.addHook('onSend', (_req, reply, payload, done) => {
    for (let i = 0; i < HEADER_ENTRIES.length; i++)
      reply.header(HEADER_ENTRIES[i]![0], HEADER_ENTRIES[i]![1]);
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    done(null, payload);
  });
}
