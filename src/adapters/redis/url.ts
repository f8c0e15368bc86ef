/**
 * The Redis URL rule, on its own so that the configuration can check a URL without loading the
 * Redis client (ioredis is loaded only when a Redis store is really opened: auth-wiring.ts).
 */

/** A `redis://` or `rediss://` URL with a host (or, when allowed, a unix socket path). */
export function isRedisUrl(url: unknown, opts: { socketPath: boolean }): boolean {
  if (typeof url !== 'string') return false;
  if (url.startsWith('/')) return opts.socketPath && url.length > 1;
  try {
    const u = new URL(url);
    return (u.protocol === 'redis:' || u.protocol === 'rediss:') && u.hostname !== '';
  } catch {
    return false;
  }
}
