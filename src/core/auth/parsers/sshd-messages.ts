/**
 * What one sshd message means, decided from the message text alone (no connection context).
 *
 * Patterns are anchored at both ends and take the source host from the position sshd writes it in,
 * so text an attacker controls (the user name, the client's auth info, a protocol banner) cannot
 * move it: in `Failed password for invalid user X from 10.0.0.1 port 1 ssh2 from 127.0.0.1 port 2
 * ssh2` the user is `X from 10.0.0.1 port 1 ssh2` and the host 127.0.0.1, because what follows the
 * host must be `[port N] [sshN][: info]` and nothing else.
 *
 * Categories follow the split log tools make (fail2ban's sshd filter modes):
 * - `auth`: authentication failed or was refused (wrong password, unknown or disallowed user, …);
 * - `ddos`: the client never got as far as authenticating (closed or reset before auth, garbage
 *   instead of a protocol banner, timeouts): scanners and floods;
 * - `extra`: the client could not agree on algorithms or auth methods, or gave up while
 *   authenticating (`Disconnected from authenticating user … [preauth]`).
 */
import type { FailureReason } from '../attempt.js';

export type SshdCategory = 'auth' | 'ddos' | 'extra';

export interface SshdFailure {
  kind: 'failure';
  category: SshdCategory;
  /** Host as logged; null when the message has none (the connection's is used). */
  host: string | null;
  /** undefined: the message names no user. */
  user: string | null | undefined;
  reason: FailureReason;
  detail: string | null;
  event: string;
  /**
   * How the connection treats it:
   * - `immediate`: a failure now;
   * - `pam`: pam_unix's report, held until sshd's own line for the same try (which replaces it),
   *   a try for another user, or the end of the connection confirms it; forgotten when the same
   *   user then logs in (a first PAM module failed, a second one accepted);
   * - `publickey`: a valid user's key was refused; clients offer every key they hold, so this is
   *   held and forgotten if one is accepted, confirmed when the connection gives up;
   * - `summary`: "too many authentication failures": counts only when the connection has not
   *   already reported its failures one by one (then it is the only record of them).
   */
  hold: 'immediate' | 'pam' | 'publickey' | 'summary';
}

export interface SshdSuccess {
  kind: 'success';
  host: string;
  user: string;
  method: string;
}

/** A line that names the peer of a connection (new connection when `fresh`). */
export interface SshdPeer {
  kind: 'peer';
  host: string;
  fresh: boolean;
}

export interface SshdClose {
  kind: 'close';
  host: string | null;
  /** The failure the close itself stands for in some modes (a client leaving before/while authenticating). */
  self: SshdFailure | null;
}

export interface SshdIgnore {
  kind: 'ignore';
  reason: string;
}

export type SshdMessage = SshdFailure | SshdSuccess | SshdPeer | SshdClose | SshdIgnore;

const failure = (
  category: SshdCategory,
  host: string | null,
  user: string | null | undefined,
  reason: FailureReason,
  detail: string | null,
  event: string,
  hold: SshdFailure['hold'] = 'immediate',
): SshdFailure => ({ kind: 'failure', category, host, user, reason, detail, event, hold });

const ignore = (reason: string): SshdIgnore => ({ kind: 'ignore', reason });

// Every `(\S+)` before an optional `port N` is the host. `(.*?)` user names are lazy so that the
// first `from` whose tail fits the fixed suffix wins; the suffix must reach the end of the line.
const FAILED =
  /^Failed (\S+) for (invalid user |illegal user )?(.*?) from (\S+)(?: port \d+)?(?: ssh\d?)?(?:: .*)?$/s;
const ACCEPTED = /^Accepted (\S+) for (.*?) from (\S+)(?: port \d+)?(?: ssh\d?)?(?:: .*)?$/s;
const INVALID_USER = /^(?:Invalid|Illegal) user (.*?) from (\S+)(?: port \d+)?$/s;
const PAM_OSX =
  /^PAM: (?:[Aa]uthentication (?:failure|error) for (illegal user )?|User not known to the underlying authentication module for (illegal user )?)(.*?) from (\S+)(?: via \S+)?\s*$/s;
const PAM_UNIX = /^pam_unix\(sshd:auth\): authentication failure;(.*)$/s;
const ROOT_REFUSED = /^ROOT LOGIN REFUSED FROM (\S+)(?: port \d+)?(?: \[preauth\])?$/;
const NOT_ALLOWED = /^User (.+?) from (\S+) not allowed because (.+)$/s;
const LOCKED = /^User (.+?) not allowed because account is locked$/s;
const TCPWRAP = /^refused connect from \S+ \((\S+)\)$/;
const DISCONNECT_PORT = /^Received disconnect from (\S+) port \d+:\s*(\d+): (.*?)(?: \[preauth\])?\s*$/s;
const DISCONNECT = /^Received disconnect from (\S+):\s*(\d+): (.*?)(?: \[preauth\])?\s*$/s;
const TOO_MANY =
  /^Disconnecting: Too many authentication failures(?: for (invalid user )?(.+?))?(?: \[preauth\])?$/s;
const DISCONNECTING_USER =
  /^Disconnecting (invalid user |authenticating user )?(.*) (\S+) port \d+: (.*?)(?: \[preauth\])?$/s;
const MAX_ATTEMPTS =
  /^maximum authentication attempts exceeded for (invalid user )?(.*?) from (\S+)(?: port \d+)?(?: ssh\d)?(?: \[preauth\])?$/s;
const CONNECTION_FROM = /^Connection from (\S+) port \d+(?: on \S+ port \d+)?(?: rdomain .*)?$/;
const SSH_REMOTE = /^SSH: Server;Ltype: \w+;Remote: (\S+?)-\d+;/;
const REVERSE_MAP = /^reverse mapping checking getaddrinfo for \S+ \[(\S+)\] failed/;
const ADDRESS_MAPS = /^Address (\S+) maps to /;
const CLOSED_BY_USER =
  /^Connection (closed|reset) by (authenticating|invalid) user (.*) (\S+) port \d+ \[preauth\]$/s;
const CLOSED_BY = /^Connection (closed|reset) by (\S+)(?: port \d+)?( \[preauth\])?$/;
const DISCONNECTED_USER =
  /^Disconnected from (authenticating|invalid) user (.*) (\S+) port \d+ \[preauth\]$/s;
const DISCONNECTED_PREAUTH = /^Disconnected from (\S+) port \d+ \[preauth\]$/;
const DISCONNECTED_POSTAUTH = /^Disconnected from (?:user .* )?(\S+) port \d+$/s;
const NO_IDENT = /^Did not receive identification string from (\S+)(?: port \d+)?$/;
const BAD_PROTOCOL = /^Bad protocol version identification '.*' from (\S+)(?: port \d+)?$/s;
const BANNER = /^banner exchange: Connection from (\S+) port \d+: /;
const DISPATCH_FATAL = /^ssh_dispatch_run_fatal: Connection from (\S+) port \d+: /;
const TIMEOUT =
  /^Timeout before authentication for (?:connection from )?(\S+?)(?: port \d+| to \S+, pid = \d+)?$/;
const OBFUSCATED = /^Magic value check failed \(\d+\) on obfuscated handshake from (\S+) port \d+$/;
const NEGOTIATE_WITH = /^Unable to negotiate with (\S+) port \d+: no matching (.+?) found/s;
const NO_AUTH_METHODS = /^No (?:supported )?authentication methods available/;

const IGNORED_PREFIXES: Array<[string, string]> = [
  ['input_userauth_request: ', 'restates an invalid user already logged'],
  ['Postponed ', 'authentication in progress'],
  ['pam_unix(sshd:session)', 'session bookkeeping'],
  ['pam_unix(sshd:auth): check pass', 'PAM detail of a try logged separately'],
  ['PAM service(', 'PAM configuration note'],
  ['Server listening', 'daemon lifecycle'],
  ['Received signal', 'daemon lifecycle'],
];

/** Key/value pairs of a pam_unix report (`logname= uid=0 … rhost=host user=root`). */
function pamFields(s: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const tok of s.trim().split(/\s+/)) {
    const eq = tok.indexOf('=');
    if (eq > 0) out.set(tok.slice(0, eq), tok.slice(eq + 1)); // later keys win: `ruser=rhost=x rhost=y` → rhost y
  }
  return out;
}

const methodEvent = (method: string): string =>
  `sshd.failed_${method.replace(/[^a-z]+/gi, '_').toLowerCase()}`;

/** Strips what prefixes the text proper: Solaris `[ID n facility.level]`, and `error:` / `fatal:`. */
export function stripSshdPrefixes(msg: string): string {
  let s = msg.replace(/^\[ID \d+ [\w.]+\] /, '');
  if (s.startsWith('error: ')) s = s.slice(7);
  else if (s.startsWith('fatal: ')) s = s.slice(7);
  return s.replace(/\s+$/, '');
}

/** Classifies one sshd message (after the syslog header). */
export function classifySshdMessage(raw: string): SshdMessage {
  const msg = stripSshdPrefixes(raw);
  let m: RegExpExecArray | null;

  if ((m = FAILED.exec(msg))) {
    const [, method, invalid, user, host] = m as unknown as [
      string,
      string,
      string | undefined,
      string,
      string,
    ];
    if (invalid || user === '<invalid username>')
      return failure(
        'auth',
        host,
        invalid ? user : null,
        'unknown_user',
        `failed ${method} for an unknown user`,
        methodEvent(method),
      );
    if (method === 'password' || method.startsWith('keyboard-interactive'))
      return failure('auth', host, user, 'bad_password', null, methodEvent(method));
    return failure(
      'auth',
      host,
      user,
      'other',
      `failed ${method}`,
      methodEvent(method),
      method === 'publickey' ? 'publickey' : 'immediate',
    );
  }
  if ((m = ACCEPTED.exec(msg))) return { kind: 'success', method: m[1]!, user: m[2]!, host: m[3]! };
  if ((m = INVALID_USER.exec(msg)))
    return failure('auth', m[2]!, m[1]!, 'unknown_user', null, 'sshd.invalid_user');
  if ((m = PAM_OSX.exec(msg))) {
    const illegal = Boolean(m[1] ?? m[2]);
    return failure('auth', m[4]!, m[3]!, illegal ? 'unknown_user' : 'bad_password', null, 'sshd.pam_failure');
  }
  if ((m = PAM_UNIX.exec(msg))) {
    const f = pamFields(m[1]!);
    const user = f.get('user') || f.get('ruser') || null;
    return failure(
      'auth',
      f.get('rhost') || null,
      user,
      user === null ? 'unknown_user' : 'bad_password',
      null,
      'sshd.pam_failure',
      'pam',
    );
  }
  if ((m = ROOT_REFUSED.exec(msg)))
    return failure('auth', m[1]!, 'root', 'other', 'root login refused', 'sshd.root_login_refused');
  if ((m = NOT_ALLOWED.exec(msg)))
    return failure('auth', m[2]!, m[1]!, 'other', `user not allowed: ${m[3]}`, 'sshd.user_not_allowed');
  if ((m = LOCKED.exec(msg))) return failure('auth', null, m[1]!, 'locked', null, 'sshd.account_locked');
  if ((m = TCPWRAP.exec(msg)))
    return failure(
      'auth',
      m[1]!,
      undefined,
      'other',
      'connection refused by tcp wrappers',
      'sshd.tcpwrap_refused',
    );
  if ((m = DISCONNECT_PORT.exec(msg) ?? DISCONNECT.exec(msg))) {
    const [, host, code, text] = m as unknown as [string, string, string, string];
    if (code === '3' && /Auth fail$/.test(text))
      return failure(
        'auth',
        host,
        undefined,
        'bad_password',
        `client reported: ${text}`,
        'sshd.client_auth_fail',
      );
    if (code === '14' && NO_AUTH_METHODS.test(text))
      return {
        kind: 'close',
        host,
        self: failure(
          'extra',
          host,
          undefined,
          'other',
          'no authentication methods in common',
          'sshd.no_auth_methods',
        ),
      };
    return { kind: 'close', host, self: null };
  }
  if ((m = TOO_MANY.exec(msg)))
    return failure(
      'auth',
      null,
      m[2],
      m[1] ? 'unknown_user' : 'other',
      'too many authentication failures',
      'sshd.too_many_failures',
      'summary',
    );
  if ((m = MAX_ATTEMPTS.exec(msg)))
    return failure(
      'auth',
      m[3]!,
      m[2]!,
      m[1] ? 'unknown_user' : 'other',
      'too many authentication failures',
      'sshd.too_many_failures',
      'summary',
    );
  if ((m = DISCONNECTING_USER.exec(msg))) {
    const [, kind, user, host, why] = m as unknown as [string, string | undefined, string, string, string];
    const reason: FailureReason = kind === 'invalid user ' ? 'unknown_user' : 'other';
    if (why.startsWith('Too many authentication failures'))
      return failure(
        'auth',
        host,
        user,
        reason,
        'too many authentication failures',
        'sshd.too_many_failures',
        'summary',
      );
    if (why.startsWith('Change of username or service not allowed'))
      return failure(
        'auth',
        host,
        user,
        reason,
        'change of user name within a connection refused',
        'sshd.user_change_refused',
      );
    return { kind: 'close', host, self: null };
  }
  if ((m = CONNECTION_FROM.exec(msg))) return { kind: 'peer', host: m[1]!, fresh: true };
  if ((m = SSH_REMOTE.exec(msg))) return { kind: 'peer', host: m[1]!, fresh: false };
  if ((m = REVERSE_MAP.exec(msg) ?? ADDRESS_MAPS.exec(msg)))
    return { kind: 'peer', host: m[1]!, fresh: false };
  if ((m = CLOSED_BY_USER.exec(msg))) {
    const [, how, who, user, host] = m as unknown as [string, string, string, string, string];
    const reason: FailureReason = who === 'invalid' ? 'unknown_user' : 'other';
    return {
      kind: 'close',
      host,
      self: failure(
        'ddos',
        host,
        user,
        reason,
        `connection ${how} while authenticating`,
        'sshd.preauth_close',
      ),
    };
  }
  if ((m = CLOSED_BY.exec(msg))) {
    const host = m[2]!;
    return {
      kind: 'close',
      host,
      self: m[3]
        ? failure(
            'ddos',
            host,
            undefined,
            'other',
            `connection ${m[1]} before authentication`,
            'sshd.preauth_close',
          )
        : null,
    };
  }
  if ((m = DISCONNECTED_USER.exec(msg))) {
    const [, who, user, host] = m as unknown as [string, string, string, string];
    const reason: FailureReason = who === 'invalid' ? 'unknown_user' : 'other';
    return {
      kind: 'close',
      host,
      self: failure(
        'extra',
        host,
        user,
        reason,
        'client disconnected while authenticating',
        'sshd.preauth_disconnect',
      ),
    };
  }
  if ((m = DISCONNECTED_PREAUTH.exec(msg)))
    return {
      kind: 'close',
      host: m[1]!,
      self: failure(
        'ddos',
        m[1]!,
        undefined,
        'other',
        'client disconnected before authentication',
        'sshd.preauth_close',
      ),
    };
  if ((m = DISCONNECTED_POSTAUTH.exec(msg))) return { kind: 'close', host: m[1]!, self: null };
  if ((m = NO_IDENT.exec(msg)))
    return failure(
      'ddos',
      m[1]!,
      undefined,
      'other',
      'no SSH identification string received',
      'sshd.protocol_error',
    );
  if ((m = BAD_PROTOCOL.exec(msg)))
    return failure(
      'ddos',
      m[1]!,
      undefined,
      'other',
      'bad SSH protocol identification',
      'sshd.protocol_error',
    );
  if (msg.startsWith('kex_exchange_identification: '))
    return failure('ddos', null, undefined, 'other', msg, 'sshd.protocol_error');
  if ((m = BANNER.exec(msg) ?? DISPATCH_FATAL.exec(msg)))
    return failure(
      'ddos',
      m[1]!,
      undefined,
      'other',
      msg.slice(msg.lastIndexOf(': ') + 2),
      'sshd.protocol_error',
    );
  if (/^(?:Read from socket failed|Write failed): /.test(msg))
    return failure('ddos', null, undefined, 'other', msg.replace(/ \[preauth\]$/, ''), 'sshd.protocol_error');
  if ((m = OBFUSCATED.exec(msg)))
    return failure('ddos', m[1]!, undefined, 'other', 'bad obfuscated-SSH handshake', 'sshd.protocol_error');
  if ((m = TIMEOUT.exec(msg)))
    return failure('ddos', m[1]!, undefined, 'other', 'timeout before authentication', 'sshd.protocol_error');
  if ((m = NEGOTIATE_WITH.exec(msg)))
    return failure('extra', m[1]!, undefined, 'other', `no matching ${m[2]}`, 'sshd.negotiation_failed');
  if (msg.startsWith('Unable to negotiate a key exchange method'))
    return failure(
      'extra',
      null,
      undefined,
      'other',
      'no matching key exchange method',
      'sshd.negotiation_failed',
    );
  if ((m = /^no matching (.+?) found/.exec(msg)))
    return failure('extra', null, undefined, 'other', `no matching ${m[1]}`, 'sshd.negotiation_failed');

  for (const [prefix, why] of IGNORED_PREFIXES) if (msg.startsWith(prefix)) return ignore(why);
  if (/^PAM \d+ more authentication failures?;/.test(msg))
    return ignore('PAM summary of tries logged one by one');
  return ignore('not an authentication event');
}
