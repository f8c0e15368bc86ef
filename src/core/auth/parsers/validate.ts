/**
 * One validation for every importer, applied to what any parser yields before it is stored:
 * the same rules `POST /auth/attempts` applies to a caller's body, so an import cannot store what
 * the API would refuse. A line whose attempt breaks a rule is skipped with the reason (the API
 * answers 400 for the same value; an import has no one to answer, so the summary counts it).
 *
 * - source IP: an address, or, for sshd only (UseDNS logs the client's name), a syntactically
 *   valid DNS name kept as logged. A dotted-quad-looking or colon-bearing value that does not
 *   parse (`999.999.999.999`, `1.2.3`, `gggg::1`) is a broken address, not a name.
 * - user, sender, failure detail: one line, as the API's attempt text (isAttemptText: no control
 *   characters, terminal escapes, line breaks of any kind, bidirectional controls, NUL), and
 *   not blank. A user or sender that is empty or blank (spaces only; sshd logs `Invalid user  from
 *   …` for an empty name) names nothing: it is stored as none (the API refuses a blank value and
 *   takes an absent one) and the attempt is kept, so a scanner sending empty names still counts
 *   against its address. A blank detail is skipped (`failure detail is blank`).
 * - time: with a clock, the API's event-time rule (not more than 5 minutes ahead, not before
 *   2000-01-01): an attempt dated by a wrong `--year`, or a JSON-lines time in seconds of 1970, is
 *   skipped rather than stored at the head (or the foot) of every time-window view and the ledger.
 */
import { eventTimeProblem } from '../../event-time.js';
import { hasLineUnsafeText } from '../../validation.js';
import type { LineParser, LineResult, ParsedAttempt } from './types.js';

const LABEL = '[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?';
const HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*\\.?$`);
const NOT_BLANK = /\S/;
const blank = (s: string | null): boolean => s !== null && !NOT_BLANK.test(s);

export const SKIP_BAD_IP = 'source IP is not an IP address';

/** True when `s` can be a DNS name as sshd logs it (and cannot be read as a broken IP address). */
export function isHostname(s: string): boolean {
  if (s.length === 0 || s.length > 253 || s.includes(':')) return false;
  if (/^[\d.]+$/.test(s)) return false; // digits and dots only: an IPv4 address or a broken one
  return HOSTNAME.test(s);
}

export interface AttemptRules {
  /** Whether a DNS name may stand for the source (sshd with UseDNS); otherwise only addresses. */
  hostnames: boolean;
  /** The server's clock: when given, times must pass the API's event-time rule (event-time.ts). */
  now?: (() => number) | undefined;
}

/** Why `a` must not be stored, or null when it may. */
export function attemptProblem(a: ParsedAttempt, rules: AttemptRules): string | null {
  if (a.host_kind === 'hostname' && !(rules.hostnames && isHostname(a.source_ip))) return SKIP_BAD_IP;
  if (a.user !== null && hasLineUnsafeText(a.user)) return 'user contains control characters';
  if (a.sender !== null && hasLineUnsafeText(a.sender)) return 'sender contains control characters';
  if (a.failure_detail !== null && hasLineUnsafeText(a.failure_detail))
    return 'failure detail contains control characters';
  // A reason `other` must say what it was; a blank detail says nothing (the API refuses it).
  if (blank(a.failure_detail)) return 'failure detail is blank';
  if (rules.now !== undefined) {
    const problem = eventTimeProblem(a.timestamp, rules.now());
    if (problem !== null) return `time ${problem}`;
  }
  return null;
}

const hasBlankIdentity = (a: ParsedAttempt): boolean => blank(a.user) || blank(a.sender);

/** `a` with an empty or blank user or sender as none (see the header). */
function withoutBlanks(a: ParsedAttempt): ParsedAttempt {
  return {
    ...a,
    user: blank(a.user) ? null : a.user,
    sender: blank(a.sender) ? null : a.sender,
  };
}

/** `parser` with every attempt checked: a line with any attempt that breaks a rule is skipped whole. */
export function validatingParser(parser: LineParser, rules: AttemptRules): LineParser {
  return {
    parseLine(line: string): LineResult {
      const r = parser.parseLine(line);
      if ('skip' in r) return r;
      for (const a of r.attempts) {
        const problem = attemptProblem(a, rules);
        if (problem !== null) return { skip: problem };
      }
      return r.attempts.some(hasBlankIdentity) ? { attempts: r.attempts.map(withoutBlanks) } : r;
    },
  };
}
