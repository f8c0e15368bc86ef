/**
 * What the log parsers produce: attempts read from a log line, before they get an id and are
 * stored. A line yields `{ attempts }` (possibly several: `message repeated 5 times`, or failures
 * a connection held back until it ended) or `{ skip }` with the reason it yielded nothing.
 */
import { parseIp } from '../../net/ip.js';
import type { AttemptResult, FailureReason } from '../attempt.js';

/** What the source host field held: an address, or a DNS name (sshd with UseDNS, nginx never). */
export type HostKind = 'ipv4' | 'ipv6' | 'hostname';

export interface ParsedAttempt {
  /** Epoch ms of the event itself (for failures a connection held back: when they happened). */
  timestamp: number;
  /**
   * Canonical IP (see net/ip.ts), or the DNS name as logged when `host_kind` is `hostname`: a
   * name cannot be stored as source_ip without resolving it, which is the importer's call.
   */
  source_ip: string;
  host_kind: HostKind;
  user: string | null;
  sender: string | null;
  result: AttemptResult;
  failure_reason: FailureReason | null;
  failure_detail: string | null;
  /** What the log said, as `<source>.<event>` (e.g. `sshd.failed_password`): lets callers pick events. */
  event: string;
  /** When a later line settled this attempt (a held-back failure confirmed at connection end). */
  resolved_at?: number;
  /**
   * A success that followed failures for other accounts on the same connection: someone trying
   * names until one worked. Still a success; flagged because it deserves a look.
   */
  suspicious?: 'success_after_other_user_failures';
}

/**
 * `foreign` marks a line that is not of the parser's format at all (no syslog header, another
 * program's line, not JSON): a file of nothing else was imported with the wrong `--format`.
 */
export type LineResult = { attempts: ParsedAttempt[] } | { skip: string; foreign?: true };

export const skip = (reason: string): LineResult => ({ skip: reason });
/** The reason a line whose stamp names no real time (Feb 29 of a common year, 25:00) is skipped. */
export const SKIP_IMPOSSIBLE_TIME = 'time is not a real date and time';
/** A skip because the line is not of this format (see LineResult). */
export const foreign = (reason: string): LineResult => ({ skip: reason, foreign: true });

/** A source host as logged → its canonical IP and kind; DNS names (and malformed IPs) kept as text. */
export function hostOf(raw: string): { source_ip: string; host_kind: HostKind } {
  const ip = parseIp(raw);
  if (ip === null) return { source_ip: raw, host_kind: 'hostname' };
  return { source_ip: ip, host_kind: ip.indexOf(':') === -1 ? 'ipv4' : 'ipv6' };
}

/** Stateful line parser: feed lines in log order. Stateless parsers are wrapped to fit. */
export interface LineParser {
  parseLine(line: string): LineResult;
}
