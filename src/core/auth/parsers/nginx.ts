/**
 * nginx (and Apache) logs → authentication attempts. One function reads both files nginx writes:
 *
 * Access log, `combined` format (Apache's is the same): `ip - user [time] "request" status bytes
 * "referer" "agent" …`. A request to one of `loginPaths` is an attempt, judged by its status:
 * - 2xx → success (the credentials were accepted);
 * - 401, 403 → failure, reason `other` with detail `HTTP 401` / `HTTP 403`: the log does not say
 *   whether the user or the password was wrong, and a guess would skew the unknown-user ratio the
 *   anomaly detector reads;
 * - 429 → failure, reason `rate_limited`;
 * - anything else (3xx above all: form logins redirect on success and on failure alike, 4xx/5xx
 *   for malformed requests) → skipped, because it says nothing reliable about the credentials.
 * Requests to other paths are skipped. `loginPaths` entries match the path (query string removed)
 * exactly, or as a prefix when they end in `*`; `['*']` makes every request a login request (HTTP
 * basic auth on a whole site). `methods` narrows to some methods (e.g. `['POST']`).
 *
 * Error log: the auth_basic module's lines (`user "x" was not found in "…"`, `user "x": password
 * mismatch`) and ngx_http_auth_pam's (`PAM: user 'x' - not authenticated: …`) are failures, with
 * a journald prefix (`host nginx[pid]: `) tolerated. The user name in those lines is written
 * unescaped, so it can carry a fake `, client: …` part: the client taken is the first whose
 * remainder of the line has exactly the shape nginx writes (`, server: …, request: "…", host: "…"`).
 * TLS handshake errors and other error-log lines are not authentication attempts and are skipped.
 */
import { MONTHS, zonedToUtc } from './log-time.js';
import { SKIP_IMPOSSIBLE_TIME, foreign, hostOf, skip, type LineResult, type ParsedAttempt } from './types.js';

export interface NginxOptions {
  /** Paths whose requests are login attempts (`/login`, `/api/auth/*`, or `*` for all). */
  loginPaths: readonly string[];
  /** Only these request methods count (default: all). */
  methods?: readonly string[] | undefined;
  /** Zone of error-log times, which carry none (default UTC); access-log times carry their own. */
  tz?: string | undefined;
  /** Accepted for symmetry with the other parsers; nginx stamps always carry the year. */
  year?: number | undefined;
}

const ACCESS =
  /^(\S+) \S+ (\S+) \[(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\] "([^"]*)" (\d{3}) (?:\d+|-)(?: "[^"]*"(?: "([^"]*)")?)?/;
const ERROR_STAMP = /(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2}) \[(\w+)\] \d+#\d+: (?:\*\d+ )?/;
const ERROR_TAIL =
  /^, client: (\S+?), server: [^,]*(?:, request: "[^"]*")?(?:, upstream: "[^"]*")?(?:, host: "[^"]*")?(?:, referrer: "[^"]*")?$/s;
const NOT_FOUND = /user "(.*)":? was not found in "[^"]*"$/s;
const MISMATCH = /user "(.*)": password mismatch$/s;
const PAM = /PAM: user '(.*)' - not authenticated: .*$/s;

/** Compiles loginPaths into one test. */
function pathMatcher(paths: readonly string[]): (path: string) => boolean {
  if (paths.includes('*')) return () => true;
  const exact = new Set(paths.filter((p) => !p.endsWith('*')));
  const prefixes = paths.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
  return (path) => exact.has(path) || prefixes.some((p) => path.startsWith(p));
}

const matchers = new WeakMap<readonly string[], (path: string) => boolean>();

function attempt(
  time: number,
  host: string,
  user: string | null,
  ok: boolean,
  reason: ParsedAttempt['failure_reason'],
  detail: string | null,
  event: string,
): ParsedAttempt {
  return {
    timestamp: time,
    ...hostOf(host),
    user,
    sender: null,
    result: ok ? 'success' : 'failure',
    failure_reason: ok ? null : reason,
    failure_detail: ok ? null : detail,
    event,
  };
}

function parseAccess(m: RegExpExecArray, opts: NginxOptions): LineResult {
  const [, host, user, dd, mon, yyyy, hh, mi, ss, sign, oh, om, request, statusText] =
    m as unknown as string[];
  const parts = request!.split(' ');
  const method = parts.length >= 2 ? parts[0]! : '';
  const target = parts.length >= 2 ? parts[1]! : '';
  const q = target.search(/[?#]/);
  const path = q === -1 ? target : target.slice(0, q);
  let matches = matchers.get(opts.loginPaths);
  if (!matches) matchers.set(opts.loginPaths, (matches = pathMatcher(opts.loginPaths)));
  if (!matches(path)) return skip('not a login path');
  if (opts.methods && !opts.methods.includes(method)) return skip(`method ${method || '(none)'} not counted`);
  const status = Number(statusText);
  const offset = `${sign}${oh}:${om}`;
  const time = zonedToUtc(
    Number(yyyy),
    MONTHS[mon!] ?? 0,
    Number(dd),
    Number(hh),
    Number(mi),
    Number(ss),
    0,
    offset,
  );
  if (Number.isNaN(time)) return skip(SKIP_IMPOSSIBLE_TIME);
  const who = user === '-' ? null : user!;
  if (status >= 200 && status < 300)
    return { attempts: [attempt(time, host!, who, true, null, null, 'http.login')] };
  if (status === 401 || status === 403)
    return { attempts: [attempt(time, host!, who, false, 'other', `HTTP ${status}`, 'http.login')] };
  if (status === 429)
    return { attempts: [attempt(time, host!, who, false, 'rate_limited', null, 'http.login')] };
  return skip(`status ${status} says nothing about the credentials`);
}

function parseError(line: string, stamp: RegExpExecArray, opts: NginxOptions): LineResult {
  const body = line.slice(stamp.index + stamp[0].length);
  for (let i = body.indexOf(', client: '); i !== -1; i = body.indexOf(', client: ', i + 1)) {
    const tail = ERROR_TAIL.exec(body.slice(i));
    if (!tail) continue;
    const head = body.slice(0, i);
    let m: RegExpExecArray | null;
    let reason: 'unknown_user' | 'bad_password';
    let event: string;
    if ((m = NOT_FOUND.exec(head))) [reason, event] = ['unknown_user', 'nginx.auth_basic_unknown_user'];
    else if ((m = MISMATCH.exec(head))) [reason, event] = ['bad_password', 'nginx.auth_basic_mismatch'];
    else if ((m = PAM.exec(head))) [reason, event] = ['bad_password', 'nginx.auth_pam_failure'];
    else continue;
    const [, y, mo, d, h, mi, s] = stamp as unknown as string[];
    const time = zonedToUtc(
      Number(y),
      Number(mo) - 1,
      Number(d),
      Number(h),
      Number(mi),
      Number(s),
      0,
      opts.tz ?? 'UTC',
    );
    if (Number.isNaN(time)) return skip(SKIP_IMPOSSIBLE_TIME);
    return { attempts: [attempt(time, tail[1]!, m[1]!, false, reason, null, event)] };
  }
  return skip('error-log line that is not an authentication failure');
}

/** One nginx access-log or error-log line. */
export function parseNginxLine(line: string, opts: NginxOptions): LineResult {
  const access = ACCESS.exec(line);
  if (access) return parseAccess(access, opts);
  const stamp = ERROR_STAMP.exec(line);
  if (stamp) return parseError(line, stamp, opts);
  return line.trim() === '' ? skip('empty line') : foreign('not an nginx access or error log line');
}
