/**
 * Dovecot (IMAP/POP3/ManageSieve) logs → authentication attempts.
 *
 * - Login processes: `imap-login: Disconnected (auth failed, 2 attempts): user=<bob>, method=PLAIN,
 *   rip=192.0.2.1, …` yields one failure per attempt it reports (capped at 100); `Aborted login
 *   (tried to use disabled plaintext auth)` is a failure (`other`); `Login: user=<bob>, …, rip=…`
 *   is a success.
 * - Auth workers: `pam(bob,192.0.2.1): pam_authenticate() failed: …`, `passwd-file(bob,192.0.2.1):
 *   Password mismatch` / `unknown user` are failures (`unknown_user` when the module says the user
 *   is unknown).
 * Headers: syslog (see syslog.ts), or Dovecot's own log file (`2013-08-11 03:56:40 prog: msg`).
 */
import type { FailureReason } from '../attempt.js';
import { isoToUtc, type WallTimeOptions } from './log-time.js';
import { parseSyslogHeader } from './syslog.js';
import { SKIP_IMPOSSIBLE_TIME, foreign, hostOf, skip, type LineResult, type ParsedAttempt } from './types.js';

const OWN_LOG = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (\S+?): (.*)$/s;
const PROGRAM = /^(?:dovecot|[a-z0-9]+-login|auth(?:-worker)?(?:\(.*\))?)$/;
const LOGIN_PROC = /(?:^|\s)([a-z0-9]+)-login: (?:Info: )?(.*)$/s;
const AUTH_FAILED = /\(auth failed, (\d+) attempts?/;
const PLAINTEXT = /\(tried to use (?:disabled|disallowed) plaintext auth\)/;
const SUCCESS = /^Login: /;
const WORKER =
  /(?:^|\s)(pam|passwd-file|passwd|shadow|sql|ldap|checkpassword|bsdauth)\((.*),([0-9A-Fa-f.:]+)(?:,<[^>]*>)?\): (.*)$/s;
const MAX_EXPANDED = 100;

function field(msg: string, name: string): string | null {
  const m = new RegExp(`(?:^|[ ,(])${name}=(<[^>]*>|[^,\\s]+)`).exec(msg);
  if (!m) return null;
  const v = m[1]!;
  return v.startsWith('<') ? v.slice(1, -1) : v;
}

function make(
  time: number,
  ip: string,
  user: string | null,
  ok: boolean,
  reason: FailureReason | null,
  detail: string | null,
  event: string,
): ParsedAttempt {
  return {
    timestamp: time,
    ...hostOf(ip),
    user: user === '' ? null : user,
    sender: null,
    result: ok ? 'success' : 'failure',
    failure_reason: reason,
    failure_detail: detail,
    event,
  };
}

/** One Dovecot log line. */
export function parseDovecotLine(line: string, opts: WallTimeOptions): LineResult {
  let time: number;
  let program: string;
  let message: string;
  const own = OWN_LOG.exec(line);
  if (own) {
    time = isoToUtc(own[1]!, opts.tz);
    program = own[2]!;
    message = own[3]!;
  } else {
    const h = parseSyslogHeader(line, opts);
    if (!h) return line.trim() === '' ? skip('empty line') : foreign('no syslog header');
    [time, program, message] = [h.time, h.program, h.message];
  }
  if (!PROGRAM.test(program)) return foreign(`not dovecot (${program})`);
  if (Number.isNaN(time)) return skip(SKIP_IMPOSSIBLE_TIME);

  const login = LOGIN_PROC.exec(`${program}: ${message}`);
  if (login) {
    const service = login[1]!;
    const text = login[2]!;
    const ip = field(text, 'rip');
    if (ip === null) return skip('login line without a remote address');
    const user = field(text, 'user');
    if (SUCCESS.test(text))
      return { attempts: [make(time, ip, user, true, null, null, `dovecot.${service}_login`)] };
    const failed = AUTH_FAILED.exec(text);
    if (failed) {
      const n = Math.min(Math.max(Number(failed[1]), 1), MAX_EXPANDED);
      const out: ParsedAttempt[] = [];
      for (let i = 0; i < n; i++)
        out.push(
          make(
            time,
            ip,
            user,
            false,
            user === null ? 'other' : 'bad_password',
            user === null ? 'authentication failed (no user name logged)' : null,
            `dovecot.${service}_auth_failed`,
          ),
        );
      return { attempts: out };
    }
    if (PLAINTEXT.test(text))
      return {
        attempts: [
          make(
            time,
            ip,
            user,
            false,
            'other',
            'plaintext authentication refused',
            `dovecot.${service}_plaintext_refused`,
          ),
        ],
      };
    return skip('login-process line without an authentication outcome');
  }
  const worker = WORKER.exec(message);
  if (worker) {
    const [, module, user, ip, text] = worker as unknown as [string, string, string, string, string];
    const unknown = /unknown user|User not known/i.test(text);
    if (unknown || /failed|mismatch|Authentication failure/i.test(text))
      return {
        attempts: [
          make(
            time,
            ip,
            user,
            false,
            unknown ? 'unknown_user' : 'bad_password',
            null,
            `dovecot.${module}_failure`,
          ),
        ],
      };
  }
  return skip('not an authentication outcome');
}
