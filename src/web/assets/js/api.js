/**
 * The one place the dashboard talks to the API: same origin, bearer token from the session,
 * JSON in and out, errors as ApiError carrying the catalogue's {code, message}.
 */
import { getToken } from './session.js';

export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

/** The capability behind this route is not installed on this server (the route itself is unknown). */
export const isUnavailable = (err) =>
  err instanceof ApiError && err.status === 404 && err.code === 'route_not_found';

let onUnauthenticated = () => {};
export const setUnauthenticatedHandler = (fn) => (onUnauthenticated = fn);

/** Builds `path?query`; undefined/empty values are left out, arrays are comma-joined. */
export function withQuery(path, query = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) {
      if (v.length) params.set(k, v.join(','));
    } else params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export async function api(path, { method = 'GET', query, body, token = getToken() } = {}) {
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(withQuery(path, query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
      redirect: 'error',
    });
  } catch {
    throw new ApiError(0, 'network_error', 'the server could not be reached', null);
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const err = new ApiError(
      res.status,
      data?.code ?? `http_${res.status}`,
      data?.message ?? res.statusText,
      data,
    );
    // Only the session's own token expiring signs the user out (a sign-in attempt just fails).
    if (res.status === 401 && token && token === getToken()) onUnauthenticated(err);
    throw err;
  }
  return data;
}
