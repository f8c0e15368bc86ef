/**
 * The header of a syslog-style line: when, which host, which program and process, and the message.
 *
 * Accepted forms (one parser for auth.log, journald's text output and syslog servers):
 *   `Dec 10 06:55:46 host sshd[24200]: msg`        BSD syslog / `journalctl -o short`
 *   `Nov 23 21:50:19 sshd[8148]: msg`              no host field
 *   `Mar  3 00:17:22 [sshd]: msg`, `… [sshd] msg`  bracketed program, no pid
 *   `Dec 12 11:19:11 host dovecot: msg`            program without pid
 *   `2015-04-16T18:02:50.321974+00:00 host sshd[2716]: msg`   rsyslog high precision, `-o short-iso`
 *   `<38>1 2019-07-08T17:40:16.954167-04:00 host sshd 57915 - [sd…] msg`   RFC 5424
 * A fractional second is accepted after any clock time (`-o short-precise`).
 */
import { MONTHS, fractionMs, isoToUtc, syslogToUtc, type WallTimeOptions } from './log-time.js';

export interface SyslogHeader {
  time: number;
  host: string | null;
  program: string;
  pid: number | null;
  message: string;
}

const BSD_STAMP = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? /;
const ISO_STAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?) /;
const RFC5424 = /^<\d{1,3}>1 (\S+) (\S+) (\S+) (\S+) (\S+) /;

// After the stamp: which of these matches decides where host, program and pid are.
const HOST_PROG_PID = /^(\S+) ([\w.@/-]+)\[(\d+)\]:? (.*)$/s;
const PROG_PID = /^([\w.@/-]+)\[(\d+)\]:? (.*)$/s;
const BRACKET_PROG = /^(?:(\S+) )?\[([\w.-]+)\]:? (.*)$/s;
const HOST_PROG = /^(\S+) ([\w.@/-]+): (.*)$/s;

function splitRest(time: number, rest: string): SyslogHeader | null {
  let m = PROG_PID.exec(rest);
  if (m) return { time, host: null, program: m[1]!, pid: Number(m[2]), message: m[3]! };
  m = HOST_PROG_PID.exec(rest);
  if (m) return { time, host: m[1]!, program: m[2]!, pid: Number(m[3]), message: m[4]! };
  m = BRACKET_PROG.exec(rest);
  if (m) return { time, host: m[1] ?? null, program: m[2]!, pid: null, message: m[3]! };
  m = HOST_PROG.exec(rest);
  if (m) return { time, host: m[1]!, program: m[2]!, pid: null, message: m[3]! };
  return null;
}

/** Skips RFC 5424 structured data (`-` or `[id k="v"]…`, where values may hold escaped `]` and `"`); index after it, or -1. */
function skipStructuredData(s: string, i: number): number {
  if (s[i] === '-') return i + 1;
  while (s[i] === '[') {
    i++;
    let quoted = false;
    for (; i < s.length; i++) {
      const c = s[i];
      if (quoted) {
        if (c === '\\') i++;
        else if (c === '"') quoted = false;
      } else if (c === '"') quoted = true;
      else if (c === ']') break;
    }
    if (i >= s.length) return -1;
    i++;
  }
  return i;
}

/** Parses a line's syslog header; null when the line has none this parser knows. */
export function parseSyslogHeader(line: string, opts: WallTimeOptions): SyslogHeader | null {
  let m = BSD_STAMP.exec(line);
  if (m) {
    const month = MONTHS[m[1]!];
    if (month === undefined) return null;
    const time = syslogToUtc(
      month,
      Number(m[2]),
      Number(m[3]),
      Number(m[4]),
      Number(m[5]),
      fractionMs(m[6]),
      opts,
    );
    return splitRest(time, line.slice(m[0].length));
  }
  m = ISO_STAMP.exec(line);
  if (m) {
    // An impossible stamp (2015-02-29) keeps its header with time NaN: the format's parser skips
    // the line as `time is not a real date` rather than as no syslog line at all.
    const time = isoToUtc(m[1]!, opts.tz);
    return splitRest(time, line.slice(m[0].length));
  }
  m = RFC5424.exec(line);
  if (m) {
    const time = isoToUtc(m[1]!, opts.tz);
    const end = skipStructuredData(line, m[0].length);
    if (end < 0) return null;
    const pid = /^\d+$/.test(m[4]!) ? Number(m[4]) : null;
    return {
      time,
      host: m[2] === '-' ? null : m[2]!,
      program: m[3]!,
      pid,
      message: line.slice(end).replace(/^ /, ''),
    };
  }
  return null;
}
